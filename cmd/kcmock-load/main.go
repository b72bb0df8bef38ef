// Command kcmock-load measures kcmock end to end: it builds and starts kcmock as a process on
// loopback, drives each endpoint with a fixed number of connections for a fixed time, and
// reports requests per second and latency percentiles. In the same run it measures the raw
// RS256 signing rate of the realm's key on the same cores, and prints each token endpoint's
// rate as a fraction of that ceiling (one signature per token is the floor of the work).
//
// From the repository root:
//
//	go run ./cmd/kcmock-load                    # 32 connections, 10 s per endpoint
//	go run ./cmd/kcmock-load -c 64 -d 5s -only password,refresh
//
// The load generator shares the machine's cores with kcmock, as a client on the same host
// would: the figures are a lower bound for kcmock alone.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kcmock-load:", err)
		os.Exit(1)
	}
}

type options struct {
	conns    int
	duration time.Duration
	ceiling  time.Duration
	only     map[string]bool
	binary   string
	// The default-scenario endpoints can be pointed at another scenario.
	scenario, realm, client, secret, username, password string
}

func parseFlags(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("kcmock-load", flag.ContinueOnError)
	fs.IntVar(&o.conns, "c", 32, "connections (and concurrent requests) per endpoint")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "measured duration per endpoint")
	fs.DurationVar(&o.ceiling, "ceiling", 3*time.Second, "duration of the raw signing measurement")
	only := fs.String("only", "", "comma-separated endpoints to run (default all): "+strings.Join(endpointNames(), ","))
	fs.StringVar(&o.binary, "kcmock", "", "kcmock binary to start (default: go build ./cmd/kcmock)")
	fs.StringVar(&o.scenario, "scenario", "", "scenario for discovery, jwks, client_credentials, password, refresh and introspection (default: the embedded default scenario)")
	fs.StringVar(&o.realm, "realm", "demo", "realm of -scenario")
	fs.StringVar(&o.client, "client", "demo-app", "confidential client of -scenario (password, client_credentials, introspection)")
	fs.StringVar(&o.secret, "secret", "demo-app-secret", "secret of -client")
	fs.StringVar(&o.username, "user", "alice", "user of -scenario")
	fs.StringVar(&o.password, "password", "alice", "password of -user")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.conns < 1 || o.duration <= 0 || o.ceiling <= 0 {
		return o, errors.New("-c, -d and -ceiling must be positive")
	}
	if *only != "" {
		o.only = map[string]bool{}
		known := strings.Join(endpointNames(), ",")
		for _, n := range strings.Split(*only, ",") {
			if n = strings.TrimSpace(n); !strings.Contains(","+known+",", ","+n+",") {
				return o, fmt.Errorf("-only: unknown endpoint %q (known: %s)", n, known)
			}
			o.only[n] = true
		}
	}
	return o, nil
}

func run(args []string, out io.Writer) error {
	o, err := parseFlags(args)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.binary == "" {
		dir, err := os.MkdirTemp("", "kcmock-load")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if o.binary, err = build(root, dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "kcmock-load: %d connections, %v per endpoint, GOMAXPROCS %d (%d CPUs), %s %s/%s\n\n",
		o.conns, o.duration, runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)

	before, err := measureCeiling(o, root)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "RS256 ceiling (%s's key, %d goroutines, %v each): sign %.0f/s, sign+verify %.0f/s\n",
		before.keyFrom, runtime.GOMAXPROCS(0), o.ceiling, before.sign, before.signVerify)

	var results []result
	var notes []string
	for _, g := range groups(o, root) {
		eps := g.selected(o)
		if len(eps) == 0 {
			continue
		}
		k, err := start(o.binary, g.scenario)
		if err != nil {
			return fmt.Errorf("%s: %w", g.name, err)
		}
		for _, ep := range eps {
			r, note := measure(o, k.base+"/realms/"+g.realm, ep)
			if note != "" {
				notes = append(notes, ep.name+": "+note)
				continue
			}
			results = append(results, r)
		}
		if err := k.stop(); err != nil {
			return fmt.Errorf("%s: %w", g.name, err)
		}
	}
	// Measured again at the end: other work on the machine only ever lowers a measurement, so
	// the higher of the two is the better estimate, and a large difference says the figures
	// are noisy.
	after, err := measureCeiling(o, root)
	if err != nil {
		return err
	}
	ceil := before.best(after)
	fmt.Fprintf(out, "RS256 ceiling again after the endpoints: sign %.0f/s, sign+verify %.0f/s; fractions use sign %.0f/s, sign+verify %.0f/s\n",
		after.sign, after.signVerify, ceil.sign, ceil.signVerify)
	if before.sign < 0.8*after.sign || after.sign < 0.8*before.sign {
		fmt.Fprintln(out, "warning: the two ceiling measurements differ by more than 20 %: the machine was busy, the figures are noisy")
	}
	fmt.Fprintln(out)
	report(out, results, ceil)
	for _, n := range notes {
		fmt.Fprintln(out, "note:", n)
	}
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%s: %d failed requests", r.name, r.errors)
		}
	}
	return nil
}

// moduleRoot is the directory of kcmock's go.mod, found through the go command so that the
// tool works from any directory inside the module.
func moduleRoot() (string, error) {
	b, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run kcmock-load inside the kcmock module (go run ./cmd/kcmock-load)")
	}
	return filepath.Dir(mod), nil
}
