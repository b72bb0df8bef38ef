package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestFastPathMatchesRouter: with request logging off, discovery and JWKS skip the router; the
// answers must be byte-for-byte and header-for-header those of the routed handlers.
func TestFastPathMatchesRouter(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	fast := newTestServer(t, testRealm, Config{Logger: quiet})
	routed := newTestServer(t, testRealm, Config{})
	for _, path := range []string{
		"/realms/myrealm/.well-known/openid-configuration",
		"/auth/realms/myrealm/.well-known/openid-configuration",
		"/realms/myrealm/protocol/openid-connect/certs",
		"/realms/nope/protocol/openid-connect/certs",
		"/realms/myrealm/x/protocol/openid-connect/certs",
	} {
		for _, origin := range []string{"", "http://app.test"} {
			get := func(s *Server) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, "http://kc.test"+path, nil)
				if origin != "" {
					req.Header.Set("Origin", origin)
				}
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				return rec
			}
			a, b := get(fast.Server), get(routed.Server)
			if a.Code != b.Code || a.Body.String() != b.Body.String() {
				t.Errorf("%s (origin %q): fast %d %.80s; routed %d %.80s", path, origin, a.Code, a.Body, b.Code, b.Body)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"} {
				if a.Header().Get(h) != b.Header().Get(h) {
					t.Errorf("%s %s: fast %q; routed %q", path, h, a.Header().Get(h), b.Header().Get(h))
				}
			}
		}
	}
	// An armed fault sends the request through the router, which applies it.
	fast.AddFault(Fault{Endpoint: "certs", Count: 1, Status: 503})
	rec := httptest.NewRecorder()
	fast.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/realms/myrealm/protocol/openid-connect/certs", nil))
	if rec.Code != 503 {
		t.Errorf("fault on the fast path: %d", rec.Code)
	}
}

func TestHeadIsGetWithoutBody(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	for _, path := range []string{
		"/realms/myrealm/.well-known/openid-configuration", // fast path
		"/realms/myrealm/protocol/openid-connect/certs",    // fast path
		"/realms/myrealm", // router
		"/realms/nope",    // router, 404
	} {
		get := ts.do(t, http.MethodGet, path, nil, nil)
		res, err := http.Head(ts.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != get.status || len(b) != 0 || res.Header.Get("Content-Type") != get.header.Get("Content-Type") ||
			res.Header.Get("Content-Length") != strconv.Itoa(len(get.body)) {
			t.Errorf("HEAD %s: %d %q %v; GET gave %d with %d bytes", path, res.StatusCode, b, res.Header, get.status, len(get.body))
		}
	}
}
