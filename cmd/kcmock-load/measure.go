package main

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// warmUp runs every connection untimed before the measurement, so connections are dialled and
// kcmock's caches are built.
const warmUp = 250 * time.Millisecond

// result is one endpoint's measurement.
type result struct {
	name, work       string
	requests, errors int64
	elapsed          time.Duration
	p50, p99         time.Duration
	firstErr         string
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// measure drives ep with o.conns concurrent connections for o.duration. A non-empty note means
// the endpoint was skipped.
func measure(o options, realmURL string, ep endpoint) (result, string) {
	tr := &http.Transport{MaxIdleConns: o.conns, MaxIdleConnsPerHost: o.conns, MaxConnsPerHost: o.conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	lc := &loadClient{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: realmURL}
	res := result{name: ep.name, work: ep.work}
	jobs := make([]job, o.conns)
	for i := range jobs {
		j, err := ep.newJob(lc)
		var skip skipError
		if errors.As(err, &skip) {
			return res, skip.why
		}
		if err != nil {
			res.errors, res.firstErr, res.elapsed = 1, "setup: "+err.Error(), time.Second
			return res, ""
		}
		jobs[i] = j
	}
	drive(jobs, warmUp, nil)
	lat := make([][]time.Duration, len(jobs))
	var errs atomic.Int64
	var first sync.Once
	start := time.Now()
	drive(jobs, o.duration, func(i int, d time.Duration, err error) {
		if err != nil {
			errs.Add(1)
			first.Do(func() { res.firstErr = err.Error() })
			return
		}
		lat[i] = append(lat[i], d)
	})
	res.elapsed = time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	res.requests, res.errors = int64(len(all)), errs.Load()
	if len(all) > 0 {
		res.p50, res.p99 = all[len(all)*50/100], all[min(len(all)-1, len(all)*99/100)]
	}
	return res, ""
}

// drive runs every job on its own goroutine for d; record, when set, gets each timed request.
func drive(jobs []job, d time.Duration, record func(i int, d time.Duration, err error)) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if j.renew != nil {
					if err := j.renew(); err != nil {
						if record != nil {
							record(i, 0, fmt.Errorf("renew: %w", err))
						}
						continue
					}
				}
				t0 := time.Now()
				err := j.request()
				if record != nil {
					record(i, time.Since(t0), err)
				}
			}
		}()
	}
	wg.Wait()
}

// ceiling is the raw RS256 rate of the realm's key on this machine, every core busy.
type ceiling struct {
	keyFrom          string
	sign, signVerify float64 // operations per second
}

// measureCeiling signs (and signs then verifies) a token-sized input with the realm's pinned
// key in GOMAXPROCS goroutines, o.ceiling each.
func measureCeiling(o options, root string) (ceiling, error) {
	var sc *scenarios.Scenario
	var err error
	c := ceiling{keyFrom: "default.toml realm demo"}
	realm := "demo"
	if o.scenario == "" {
		sc, err = scenarios.Load(scenarios.Options{}, scenarios.Default())
	} else {
		sc, err = scenarios.LoadFiles(scenarios.Options{}, o.scenario)
		realm, c.keyFrom = o.realm, o.scenario+" realm "+o.realm
	}
	if err != nil {
		return c, err
	}
	r := sc.Realm(realm)
	if r == nil {
		return c, fmt.Errorf("no realm %q in %s", realm, c.keyFrom)
	}
	key, ok := r.Keys.Active.Signer.(*rsa.PrivateKey)
	if !ok || r.Keys.Active.Alg != "RS256" {
		return c, fmt.Errorf("%s signs with %s: the ceiling is measured for RS256 only", c.keyFrom, r.Keys.Active.Alg)
	}
	input := []byte(strings.Repeat("eyJhbGciOiJSUzI1NiJ9", 50)) // about the size of a signing input
	sign := func() []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, d[:])
		if err != nil {
			panic(err) // a valid RSA key cannot fail to sign
		}
		return sig
	}
	c.sign = parallelRate(o.ceiling, func() { sign() })
	c.signVerify = parallelRate(o.ceiling, func() {
		sig := sign()
		d := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], sig); err != nil {
			panic(err)
		}
	})
	return c, nil
}

// best keeps the higher rate of each kind.
func (c ceiling) best(o ceiling) ceiling {
	c.sign, c.signVerify = max(c.sign, o.sign), max(c.signVerify, o.signVerify)
	return c
}

func parallelRate(d time.Duration, op func()) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				op()
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

func report(out io.Writer, results []result, c ceiling) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\trequests\treq/s\tp50\tp99\terrors\tof sign ceiling\tof sign+verify ceiling\t")
	for _, r := range results {
		ofSign, ofSV := "–", "–"
		switch r.work {
		case workSign:
			ofSign = fmt.Sprintf("%.0f %%", 100*r.rate()/c.sign)
		case workVerifySign:
			ofSign = fmt.Sprintf("%.0f %%", 100*r.rate()/c.sign)
			ofSV = fmt.Sprintf("%.0f %%", 100*r.rate()/c.signVerify)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%d\t%s\t%s\t\n", r.name, r.requests, r.rate(), ms(r.p50), ms(r.p99), r.errors, ofSign, ofSV)
	}
	tw.Flush()
	for _, r := range results {
		if r.firstErr != "" {
			fmt.Fprintf(out, "%s: first error: %s\n", r.name, r.firstErr)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
