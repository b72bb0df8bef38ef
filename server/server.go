package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// Config configures a Server. Only Scenario is required.
type Config struct {
	Scenario *scenarios.Scenario
	// Hostname fixes the front-end URL like Keycloak's --hostname: a full URL
	// ("https://sso.example.com") or a host name (the request's scheme and port are kept).
	Hostname string
	// TrustProxy makes the issuer follow Forwarded / X-Forwarded-* headers.
	TrustProxy bool
	// Now is the clock every expiry and validation reads. Default time.Now.
	Now func() time.Time
	// NewID makes token and session ids. Default: random UUID-shaped ids.
	NewID func() string
	// Logger receives one line per request. Default: discard.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies. Default 1 MiB.
	MaxBodyBytes int64
	// ControlAPI serves the control API under /_kcmock (clock, tokens, keys, faults, journal,
	// sessions, reload). Off, /_kcmock answers Keycloak's 404 like any unknown path.
	ControlAPI bool
	// ControlSecret, when set, is the bearer token every control request must carry.
	ControlSecret string
	// Reload loads the scenario again for POST /_kcmock/reload; nil makes that endpoint 501.
	Reload func() (*scenarios.Scenario, error)
}

// Server serves Keycloak's endpoints for the realms of a scenario.
type Server struct {
	cfg       Config
	log       *slog.Logger
	echo      *echo.Echo
	state     atomic.Pointer[state]
	stateMu   sync.Mutex // serialises changes of state (reload, key rotation)
	sessions  *sessionStore
	revoked   revokedStore
	brokered  brokeredUsers
	flows     flowStore
	builder   *mint.Builder
	clock     *Clock
	journal   Journal
	signSlots chan struct{} // admission of signing work, one slot per core
	faults    faultSet
}

// state is everything derived from one loaded scenario; it is replaced whole on reload.
type state struct {
	scenario *scenarios.Scenario
	realms   map[string]*realmState
}

// realmState is a realm with its keys and the documents built from them.
type realmState struct {
	model     *scenarios.Realm
	keys      *tokens.KeySet
	jwks      []byte
	publicKey string
	docs      sync.Map // front-end base URL → *realmDocs
	docCount  atomic.Int32
}

type realmDocs struct{ discovery, info []byte }

// maxCachedBases bounds the per-host document cache against Host-header spraying.
const maxCachedBases = 64

// New builds a Server for a loaded scenario.
func New(cfg Config) (*Server, error) {
	if cfg.Scenario == nil {
		return nil, fmt.Errorf("server: no scenario")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = mint.NewRandomID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	s := &Server{cfg: cfg, log: cfg.Logger, builder: &mint.Builder{NewID: cfg.NewID}, clock: NewClock(cfg.Now)}
	s.sessions = newSessionStore(s.clock.Now)
	// One signing slot per core, at most one per P: with GOMAXPROCS above the core count, the
	// spare P keeps reading and writing connections while the cores sign, which halves the
	// latency tail at some cost in throughput (README, Performance).
	s.signSlots = make(chan struct{}, min(runtime.NumCPU(), runtime.GOMAXPROCS(0)))
	st, err := newState(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	s.state.Store(st)
	s.echo = s.routes()
	return s, nil
}

func newState(sc *scenarios.Scenario) (*state, error) {
	st := &state{scenario: sc, realms: make(map[string]*realmState, len(sc.Realms))}
	for _, r := range sc.Realms {
		rs, err := newRealmState(r, r.Keys)
		if err != nil {
			return nil, err
		}
		st.realms[r.Name] = rs
	}
	return st, nil
}

// newRealmState prepares a realm's key documents.
func newRealmState(r *scenarios.Realm, keys *tokens.KeySet) (*realmState, error) {
	jwks, err := keys.JWKS()
	if err != nil {
		return nil, fmt.Errorf("realm %q: JWKS: %w", r.Name, err)
	}
	pk, err := keys.PublicKeyBase64()
	if err != nil {
		return nil, fmt.Errorf("realm %q: public key: %w", r.Name, err)
	}
	return &realmState{model: r, keys: keys, jwks: jwks, publicKey: pk}, nil
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s }

// Clock returns the clock every expiry and validation reads.
func (s *Server) Clock() *Clock { return s.clock }

// Journal returns the record of the server's decisions.
func (s *Server) Journal() *Journal { return &s.journal }

// Scenario returns the scenario being served.
func (s *Server) Scenario() *scenarios.Scenario { return s.state.Load().scenario }

// documents returns the discovery and realm-info bytes for a front-end base URL, built once.
func (s *Server) documents(rs *realmState, base string) *realmDocs {
	if d, ok := rs.docs.Load(base); ok {
		return d.(*realmDocs)
	}
	d := &realmDocs{
		discovery: discoveryJSON(s.state.Load().scenario.Server, rs.model, base),
		info:      realmInfoJSON(rs.model, rs.publicKey, base),
	}
	if rs.docCount.Add(1) <= maxCachedBases {
		rs.docs.Store(base, d)
	}
	return d
}

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	e.Use(s.recoverPanics, s.logRequests, limitBody(s.cfg.MaxBodyBytes))
	for _, prefix := range []string{"", "/auth"} {
		g := e.Group(prefix + "/realms/:realm")
		p := prefix
		g.GET("", s.withRealm(p, s.realmInfo))
		g.GET("/.well-known/openid-configuration", s.withRealm(p, s.discovery))
		g.GET("/.well-known/oauth-authorization-server", s.withRealm(p, s.discovery))
		g.GET("/protocol/openid-connect/certs", s.withRealm(p, s.certs))
		g.POST("/protocol/openid-connect/token", s.withRealm(p, s.token))
		g.OPTIONS("/protocol/openid-connect/token", s.withRealm(p, preflight("POST, OPTIONS")))
		g.OPTIONS("/.well-known/openid-configuration", s.withRealm(p, preflight("GET")))
		s.routesSessionEndpoints(g, p)
		s.routesLogin(g, p)
	}
	s.routesControl(e)
	return e
}

// call is one request against one realm.
type call struct {
	echo.Context
	realm *realmState
	srv   scenarios.Server
	base  string // front-end base URL
	now   time.Time
}

func (c *call) issuer() string { return c.base + "/realms/" + c.realm.model.Name }

// withRealm resolves the realm of the path (404 as Keycloak answers for an unknown one).
func (s *Server) withRealm(prefix string, h func(*call) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := s.state.Load()
		rs := st.realms[c.Param("realm")]
		if rs == nil {
			return errRealmNotFound()
		}
		cl := &call{Context: c, realm: rs, srv: st.scenario.Server, base: s.baseURL(c.Request(), prefix), now: s.clock.Now()}
		if f := s.faults.take(cl); f != nil {
			if handled, err := s.inject(cl, f); handled {
				return err
			}
		}
		return h(cl)
	}
}

func (s *Server) discovery(c *call) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	corsEcho(c, true, false)
	return document(c, s.documents(c.realm, c.base).discovery)
}

func (s *Server) realmInfo(c *call) error {
	return document(c, s.documents(c.realm, c.base).info)
}

func (s *Server) certs(c *call) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	corsEcho(c, false, false)
	return document(c, c.realm.jwks)
}

// document answers 200 with a prebuilt JSON document and its length, as the fast path does (a
// HEAD request then learns the length too, and large documents are not sent chunked).
func document(c *call, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.JSONBlob(http.StatusOK, body)
}
