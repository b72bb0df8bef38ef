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

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer, ready chan<- string) error {
	var logger *slog.Logger
	opts := &slog.HandlerOptions{Level: cfg.logLevel}
	if cfg.logJSON {
		logger = slog.New(slog.NewJSONHandler(stderr, opts))
	} else {
		logger = slog.New(slog.NewTextHandler(stderr, opts))
	}
	sc, err := loadScenarios(cfg.scenarios)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{Scenario: sc, Hostname: cfg.hostname, TrustProxy: cfg.trustProxy, Logger: logger})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
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
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func loadScenarios(files []string) (*scenarios.Scenario, error) {
	if len(files) == 0 {
		return scenarios.Load(scenarios.Options{}, scenarios.Default())
	}
	return scenarios.LoadFiles(scenarios.Options{}, files...)
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
	}
	return 0
}
