// Package kcmock runs a Keycloak 26 emulator inside Go programs and tests.
//
// Start serves a scenario on a local port for the length of a test; New builds the same
// emulator without a listener, for mounting its Handler or calling it in-process through
// Client. Scenarios are the TOML documents the kcmock command serves (the embedded default
// scenario unless WithScenario or WithScenarioFile names another). A test can move the clock
// (Clock), read why a request was refused (Journal), and get tokens without HTTP plumbing
// (Token, MustToken, MintToken).
//
// WithClock and WithSeed together make runs reproducible: the same scenario and the same
// requests in the same order give byte-identical tokens, JWKS and discovery documents, so
// they can be kept as golden files. Keys the scenario does not pin are then derived from the
// seed (tokens.DeriveKey) instead of generated.
package kcmock

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// defaultURL is the base URL of a Server made by New, which has no listener: kcmock's
// default address.
const defaultURL = "http://localhost:8080"

// Option configures New and Start.
type Option func(*options)

type options struct {
	docs     []doc
	clock    time.Time
	seed     int64
	seeded   bool
	hostname string
	logger   *slog.Logger
}

// doc is one scenario: TOML text, or a file read when the server is built.
type doc struct {
	text string
	file string
}

// WithScenario serves a scenario given as TOML text. Relative key file paths in it are
// relative to the working directory. Several WithScenario and WithScenarioFile options load
// together as one scenario, as several --scenario flags do.
func WithScenario(toml string) Option {
	return func(o *options) { o.docs = append(o.docs, doc{text: toml}) }
}

// WithScenarioFile serves a scenario file. Relative key file paths in it are relative to
// the file.
func WithScenarioFile(path string) Option {
	return func(o *options) { o.docs = append(o.docs, doc{file: path}) }
}

// WithClock starts the server's clock frozen at t. Tokens then carry the same iat and exp on
// every run; Clock().Advance moves it on, Clock().Unfreeze lets it run.
func WithClock(t time.Time) Option {
	return func(o *options) { o.clock = t }
}

// WithSeed makes token ids, session ids and the keys the scenario does not pin follow from
// seed. With WithClock, two servers given the same requests issue byte-identical tokens.
func WithSeed(seed int64) Option {
	return func(o *options) { o.seed, o.seeded = seed, true }
}

// WithHostname fixes the front-end URL like kcmock's --hostname (and Keycloak's): a full
// URL ("https://sso.example.com") fixes scheme, host and port of every issuer; a bare host
// name replaces the host only.
func WithHostname(hostname string) Option {
	return func(o *options) { o.hostname = hostname }
}

// WithLogger receives the server's log: one line per request, and the reason of every
// refusal. Default: nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// Server is a running emulator.
type Server struct {
	core     *server.Server
	url      string
	hostname string
	client   *http.Client
}

// New builds a server without a listener. Its Handler can be mounted anywhere; Client
// calls it in-process. URL reports http://localhost:8080 (or the WithHostname URL), the
// host that in-process requests carry.
func New(opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	srcs, err := o.sources()
	if err != nil {
		return nil, err
	}
	lo := scenarios.Options{}
	cfg := server.Config{Hostname: o.hostname, Logger: o.logger}
	if o.seeded {
		lo.Seed = server.SeedBytes(o.seed)
		cfg.NewID = server.SeededIDs(o.seed)
	}
	if !o.clock.IsZero() {
		at := o.clock
		lo.Now = func() time.Time { return at }
	}
	sc, err := scenarios.Load(lo, srcs...)
	if err != nil {
		return nil, err
	}
	cfg.Scenario = sc
	core, err := server.New(cfg)
	if err != nil {
		return nil, err
	}
	if !o.clock.IsZero() {
		core.Clock().Freeze()
		core.Clock().Set(o.clock)
	}
	s := &Server{core: core, url: defaultURL, hostname: o.hostname}
	if strings.Contains(o.hostname, "://") {
		s.url = s.frontend()
	}
	s.client = &http.Client{Transport: handlerTransport{core.Handler()}}
	return s, nil
}

// Start serves a new emulator on 127.0.0.1 (a free port) until the test ends. A scenario
// that does not load fails the test with every problem listed.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := New(opts...)
	if err != nil {
		tb.Fatalf("kcmock: %v", err)
	}
	ts := httptest.NewServer(s.core.Handler())
	tb.Cleanup(ts.Close)
	s.url, s.client = ts.URL, ts.Client()
	return s
}

// sources reads the scenarios the options name (the default scenario when none).
func (o *options) sources() ([]scenarios.Source, error) {
	if len(o.docs) == 0 {
		return []scenarios.Source{scenarios.Default()}, nil
	}
	var srcs []scenarios.Source
	var probs []scenarios.Problem
	for i, d := range o.docs {
		if d.file == "" {
			name := "inline"
			if i > 0 {
				name = fmt.Sprintf("inline#%d", i+1)
			}
			srcs = append(srcs, scenarios.Source{Name: name, Data: []byte(d.text), Dir: "."})
			continue
		}
		b, err := os.ReadFile(d.file)
		if err != nil {
			probs = append(probs, scenarios.Problem{File: d.file, Msg: err.Error()})
			continue
		}
		srcs = append(srcs, scenarios.Source{Name: d.file, Data: b, Dir: filepath.Dir(d.file)})
	}
	if len(probs) > 0 {
		return nil, &scenarios.LoadError{Problems: probs}
	}
	return srcs, nil
}

// Handler is the emulator's HTTP handler.
func (s *Server) Handler() http.Handler { return s.core.Handler() }

// Client is an HTTP client that reaches the server: over the loopback for Start, in-process
// for New.
func (s *Server) Client() *http.Client { return s.client }

// URL is the base URL requests go to, e.g. http://127.0.0.1:41231.
func (s *Server) URL() string { return s.url }

// Issuer is a realm's issuer as tokens carry it: {front-end URL}/realms/{realm}, the
// front-end URL being WithHostname's or URL.
func (s *Server) Issuer(realm string) string { return s.frontend() + "/realms/" + realm }

// frontend is the front-end base URL the server computes for requests sent to URL.
func (s *Server) frontend() string {
	if strings.Contains(s.hostname, "://") {
		return strings.TrimSuffix(s.hostname, "/")
	}
	if s.hostname == "" {
		return s.url
	}
	u, err := url.Parse(s.url)
	if err != nil {
		return s.url
	}
	host := s.hostname
	if port := u.Port(); port != "" && !(u.Scheme == "http" && port == "80" || u.Scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	}
	return u.Scheme + "://" + host
}

// Clock is the clock every expiry and validation reads: Advance, Set, Freeze, Unfreeze.
func (s *Server) Clock() *server.Clock { return s.core.Clock() }

// Journal returns the server's decisions that match f, oldest first. A refused request's
// Rule names the Keycloak check that refused it and Explanation says why.
func (s *Server) Journal(f server.JournalFilter) []server.Entry { return s.core.Journal().Entries(f) }

// MintToken returns an access token for user and client as Keycloak would issue it after a
// login with scope, in a session of its own, without a request.
func (s *Server) MintToken(realm, user, client, scope string) (string, error) {
	return s.core.MintToken(s.frontend(), realm, user, client, scope)
}

// Core is the underlying server.Server, for what this package does not wrap: faults,
// sessions, key rotation, reloading a scenario.
func (s *Server) Core() *server.Server { return s.core }

// handlerTransport serves requests with a handler in-process, as if they came from the
// loopback.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	r.RemoteAddr = "127.0.0.1:0"
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = req
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return res, nil
}
