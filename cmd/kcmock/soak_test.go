package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// soakSessionLifespan is the SSO session max lifespan of the soak realm: short, so that
// sessions expire during the run and the store's sweeping is what keeps it bounded.
const soakSessionLifespan = 5 * time.Second

// soakSampleEvery is how often the session count is read. A lifespan window between two
// samples can be up to two intervals longer than the lifespan.
const soakSampleEvery = 250 * time.Millisecond

// soakSweepEvery is the session store's sweep interval in inserts (server/sessions.go).
const soakSweepEvery = 1024

// TestSoak runs a mixed workload (discovery, JWKS, client_credentials, password, refresh) over
// 64 loopback connections for KCMOCK_SOAK_SECONDS (default 60) against the real HTTP stack and
// limits, then checks: no failed request, goroutines back to where they started, heap back
// within budget after GC, and the session store bounded by its sweeping.
//
//	KCMOCK_SOAK=1 KCMOCK_SOAK_SECONDS=20 go test -run TestSoak -v ./cmd/kcmock
func TestSoak(t *testing.T) {
	if testing.Short() || os.Getenv("KCMOCK_SOAK") != "1" {
		t.Skip("set KCMOCK_SOAK=1 to run (KCMOCK_SOAK_SECONDS, default 60)")
	}
	duration := 60 * time.Second
	if v := os.Getenv("KCMOCK_SOAK_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			t.Fatalf("KCMOCK_SOAK_SECONDS=%q: want a positive number of seconds", v)
		}
		duration = time.Duration(n) * time.Second
	}
	const conns = 64

	baseGoroutines, baseHeap := settle()

	def := scenarios.Default()
	text := strings.Replace(string(def.Data), "realm = \"demo\"\n", fmt.Sprintf("realm = \"demo\"\nsso_session_max_lifespan = %q\n", soakSessionLifespan), 1)
	sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: "soak.toml", Data: []byte(text), Dir: def.Dir})
	if err != nil {
		t.Fatal(err)
	}
	lim := defaultLimits()
	srv, err := server.New(server.Config{Scenario: sc, MaxBodyBytes: lim.maxBodyBytes})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(srv.Handler(), lim)
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	w := &soakWorkload{client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: "http://" + ln.Addr().String() + "/realms/demo"}

	stop := make(chan struct{})
	var samples []soakSample
	sampled := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(sampled)
		tick := time.NewTicker(soakSampleEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				samples = append(samples, soakSample{at: time.Since(start), sessions: srv.SessionCount(), created: w.ops[opPassword].ok.Load()})
			}
		}
	}()
	var wg sync.WaitGroup
	deadline := start.Add(duration)
	for range conns {
		wg.Add(1)
		go func() { defer wg.Done(); w.loop(deadline) }()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	<-sampled
	finalSessions := srv.SessionCount()

	// Requests.
	var total, failed int64
	for op := range w.ops {
		s := &w.ops[op]
		ok, bad := s.ok.Load(), s.failed.Load()
		total, failed = total+ok+bad, failed+bad
		t.Logf("%-18s %8d ok  %6d failed  %7.0f req/s", opNames[op], ok, bad, float64(ok)/elapsed.Seconds())
	}
	t.Logf("%-18s %8d requests over %d connections in %v: %.0f req/s", "total", total, conns, elapsed.Round(time.Millisecond), float64(total)/elapsed.Seconds())
	if failed > 0 {
		t.Errorf("%d of %d requests failed; first: %s", failed, total, w.firstFailure())
	}

	// Sessions: at any moment the store holds at most the sessions created within one lifespan
	// (the last sweep kept those) plus those created since the last sweep.
	peak, maxWindow := 0, int64(0)
	for i, s := range samples {
		peak = max(peak, s.sessions)
		for j := i; j >= 0 && s.at-samples[j].at <= soakSessionLifespan+2*soakSampleEvery; j-- {
			maxWindow = max(maxWindow, s.created-samples[j].created)
		}
	}
	created := w.ops[opPassword].ok.Load()
	bound := int(maxWindow) + soakSweepEvery + conns
	t.Logf("sessions: %d created, peak %d, at the end %d; bound %d (most created within one %v lifespan %d + sweep interval %d + connections %d)",
		created, peak, finalSessions, bound, soakSessionLifespan, maxWindow, soakSweepEvery, conns)
	if peak > bound {
		t.Errorf("session store peaked at %d; want at most %d", peak, bound)
	}

	// Shut down, then goroutines and heap must come back.
	_, aliveHeap := settle()
	tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), lim.shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != http.ErrServerClosed {
		t.Fatal(err)
	}
	runtime.KeepAlive(srv)
	srv, hs, w = nil, nil, nil
	var goroutines int
	var heap uint64
	for wait := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if goroutines, heap = settle(); goroutines <= baseGoroutines+2 || time.Now().After(wait) {
			break
		}
	}
	t.Logf("goroutines: %d before, %d after", baseGoroutines, goroutines)
	t.Logf("heap in use after GC: %.1f MiB before, %.1f MiB with the server holding %d sessions, %.1f MiB after shutdown",
		mib(baseHeap), mib(aliveHeap), finalSessions, mib(heap))
	if goroutines > baseGoroutines+2 {
		t.Errorf("goroutines grew from %d to %d", baseGoroutines, goroutines)
	}
	const budget = 16 << 20
	if heap > baseHeap+budget {
		t.Errorf("heap after shutdown %.1f MiB; want at most %.1f MiB (start + %d MiB)", mib(heap), mib(baseHeap+budget), budget>>20)
	}
}

type soakSample struct {
	at       time.Duration
	sessions int
	created  int64 // password grants so far: one new session each
}

// settle collects garbage and returns the goroutine count and the live heap.
func settle() (int, uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

const (
	opDiscovery = iota
	opJWKS
	opClientCredentials
	opPassword
	opRefresh
	opCount
)

var opNames = [opCount]string{"discovery", "jwks", "client_credentials", "password", "refresh"}

type soakWorkload struct {
	client *http.Client
	base   string
	ops    [opCount]struct{ ok, failed atomic.Int64 }
	mu     sync.Mutex
	first  string
}

func (w *soakWorkload) firstFailure() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.first
}

// loop cycles through the operations until the deadline; refresh uses the refresh token of
// the password grant just before it.
func (w *soakWorkload) loop(deadline time.Time) {
	var refresh string
	for op := 0; time.Now().Before(deadline); op = (op + 1) % opCount {
		var err error
		switch op {
		case opDiscovery:
			_, err = w.get("/.well-known/openid-configuration", "token_endpoint")
		case opJWKS:
			_, err = w.get("/protocol/openid-connect/certs", "keys")
		case opClientCredentials:
			_, err = w.token(url.Values{"grant_type": {"client_credentials"}})
		case opPassword:
			var m map[string]any
			m, err = w.token(url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice"}})
			refresh, _ = m["refresh_token"].(string)
		case opRefresh:
			_, err = w.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		}
		if err != nil {
			w.ops[op].failed.Add(1)
			w.mu.Lock()
			if w.first == "" {
				w.first = opNames[op] + ": " + err.Error()
			}
			w.mu.Unlock()
			continue
		}
		w.ops[op].ok.Add(1)
	}
}

func (w *soakWorkload) get(path, want string) (map[string]any, error) {
	res, err := w.client.Get(w.base + path)
	return decode(res, err, want)
}

func (w *soakWorkload) token(form url.Values) (map[string]any, error) {
	req, _ := http.NewRequest(http.MethodPost, w.base+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-app", "demo-app-secret")
	res, err := w.client.Do(req)
	m, err := decode(res, err, "access_token")
	if err == nil && strings.Count(m["access_token"].(string), ".") != 2 {
		err = fmt.Errorf("access_token is not a JWS")
	}
	return m, err
}

// decode reads a 200 JSON object that has the member want.
func decode(res *http.Response, err error, want string) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || res.StatusCode != 200 || m[want] == nil {
		return nil, fmt.Errorf("%d %.200s", res.StatusCode, b)
	}
	return m, nil
}
