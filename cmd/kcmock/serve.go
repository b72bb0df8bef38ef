package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// limits bound what one client can hold on to. Tests shorten them; kcmock serves with
// defaultLimits.
type limits struct {
	// readHeader cuts a client that trickles its request headers (slowloris).
	readHeader time.Duration
	// read and write bound a whole request and a whole response.
	read, write time.Duration
	// idle closes a keep-alive connection that sends no next request.
	idle time.Duration
	// maxHeaderBytes bounds the request line and headers (larger: 431).
	maxHeaderBytes int
	// maxBodyBytes bounds a request body (larger: 413 invalid_request).
	maxBodyBytes int64
	// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
	shutdownGrace time.Duration
}

func defaultLimits() limits {
	return limits{
		readHeader:     10 * time.Second,
		read:           30 * time.Second,
		write:          30 * time.Second,
		idle:           120 * time.Second,
		maxHeaderBytes: 64 << 10,
		maxBodyBytes:   1 << 20,
		shutdownGrace:  10 * time.Second,
	}
}

// newHTTPServer wraps a handler in an http.Server that enforces lim.
func newHTTPServer(h http.Handler, lim limits) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: lim.readHeader,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeaderBytes,
	}
}

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer, ready chan<- string) error {
	return serveWith(ctx, cfg, defaultLimits(), stdout, stderr, ready)
}

// serveWith is serve with explicit limits.
func serveWith(ctx context.Context, cfg config, lim limits, stdout, stderr io.Writer, ready chan<- string) error {
	var logger *slog.Logger
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logJSON {
		logger = slog.New(slog.NewJSONHandler(stderr, opts))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, opts))
	}
	// load is also what POST /_kcmock/reload and --watch call: it reads the same files again
	// (with the same key seed, so unpinned keys survive a reload under --watch or --seed).
	loadOpts := cfg.det.loadOptions(cfg.watch.enabled)
	load := func() (*scenarios.Scenario, error) {
		return loadScenarios(loadOpts, cfg.scenarios, cfg.imports, stderr)
	}
	// Listen before loading: a busy address fails at once, and a client that connects while
	// the scenario loads waits for its answer instead of being refused and polling again.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	sc, err := load()
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{Scenario: sc, Hostname: cfg.hostname, TrustProxy: cfg.trustProxy, Logger: logger, MaxBodyBytes: lim.maxBodyBytes,
		ControlAPI: cfg.control, ControlSecret: cfg.controlSecret, Reload: load, NewID: cfg.det.newID()})
	if err != nil {
		return err
	}
	cfg.det.startClock(srv, logger)
	hs := newHTTPServer(srv.Handler(), lim)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if cfg.watch.enabled {
		stopWatch := watchFiles(ctx, cfg, load, srv.Reload, logger)
		defer stopWatch()
	}
	printWelcome(stdout, sc, baseFor(cfg, ln.Addr().String()))
	if ready != nil {
		ready <- ln.Addr().String()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), lim.shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadScenarios loads the scenario files and realm exports; with neither, the embedded default.
func loadScenarios(opts scenarios.Options, files, imports []string, stderr io.Writer) (*scenarios.Scenario, error) {
	if len(imports) > 0 {
		return loadWithImports(opts, files, imports, stderr)
	}
	if len(files) == 0 {
		return scenarios.Load(opts, scenarios.Default())
	}
	return scenarios.LoadFiles(opts, files...)
}

// baseFor is the URL to print: the configured hostname, or the listening address.
func baseFor(cfg config, addr string) string {
	if strings.Contains(cfg.hostname, "://") {
		return strings.TrimSuffix(cfg.hostname, "/")
	}
	host, port, _ := net.SplitHostPort(addr)
	if cfg.hostname != "" {
		host = cfg.hostname
	} else if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// printWelcome says where kcmock listens and gives curl commands that get a token.
func printWelcome(w io.Writer, sc *scenarios.Scenario, base string) {
	fmt.Fprintf(w, "kcmock is serving Keycloak %s on %s\n", sc.Server.Version, base)
	for _, r := range sc.Realms {
		iss := base + "/realms/" + r.Name
		fmt.Fprintf(w, "\nrealm %q\n  issuer:    %s\n  discovery: %s/.well-known/openid-configuration\n", r.Name, iss, iss)
		for _, cmd := range curlExamples(r, iss+"/protocol/openid-connect/token") {
			fmt.Fprintf(w, "  %s\n", cmd)
		}
	}
}

func curlExamples(r *scenarios.Realm, tokenURL string) []string {
	var out []string
	var pwUser *scenarios.User
	for _, u := range r.Users {
		if u.Enabled && u.Password != "" && !u.PasswordTemporary && len(u.RequiredActions) == 0 {
			pwUser = u
			break
		}
	}
	for _, c := range r.Clients[6:] { // after Keycloak's six built-in clients
		auth := "-d client_id=" + c.ClientID
		if !c.PublicClient {
			auth = fmt.Sprintf("-u %s:%s", c.ClientID, c.Secret)
		}
		if c.DirectAccessGrantsEnabled && pwUser != nil && !c.BearerOnly && len(out) < 3 {
			out = append(out, fmt.Sprintf("password grant:            curl -s %s -d grant_type=password -d username=%s -d password=%s %s", auth, pwUser.Username, pwUser.Password, tokenURL))
		}
		if c.ServiceAccountsEnabled && !c.PublicClient && len(out) < 3 {
			out = append(out, fmt.Sprintf("client_credentials grant:  curl -s %s -d grant_type=client_credentials %s", auth, tokenURL))
		}
	}
	return out
}

// validate loads scenario files and reports every problem.
func validate(files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "kcmock validate: name at least one scenario file")
		return 2
	}
	sc, err := scenarios.LoadFiles(scenarios.Options{}, files...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, r := range sc.Realms {
		fmt.Fprintf(stdout, "realm %q: %d clients, %d users, %d client scopes: ok\n", r.Name, len(r.Clients), len(r.Users), len(r.ClientScopes))
		// Not a problem of the file, but a surprise at the first login, as in Keycloak.
		for _, u := range r.Users {
			if gaps := r.ProfileGaps(u); len(gaps) > 0 {
				fmt.Fprintf(stdout, "  note: user %q lacks %s: its logins stop at Verify Profile (\"Account is not fully set up\"), as in Keycloak 24+; add them, or set verify_profile = false\n",
					u.Username, strings.Join(gaps, ", "))
			}
		}
	}
	return 0
}
