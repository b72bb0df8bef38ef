package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// ctl sends a control API request with a JSON body (none when body is "").
func (ts *testServer) ctl(t testing.TB, method, path, body string, header ...string) response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.http.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// want checks a control answer's status and decodes its JSON body into v (when not nil).
func (r response) want(t testing.TB, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d; want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("body is not the JSON expected (%v): %s", err, r.body)
		}
	}
}

func newControlServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	cfg.ControlAPI = true
	return newTestServer(t, exchangeRealm, cfg)
}

func TestControlOff(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	for _, path := range []string{"/_kcmock/health", "/_kcmock/clock", "/_kcmock/openapi.json"} {
		r := ts.ctl(t, http.MethodGet, path, "")
		if r.status != 404 || string(r.body) != `{"error":"Unable to find matching target resource method"}` {
			t.Errorf("GET %s: %d %s; want Keycloak's 404", path, r.status, r.body)
		}
	}
}

func TestControlSecret(t *testing.T) {
	ts := newControlServer(t, Config{ControlSecret: "s3cret"})
	for _, tt := range []struct {
		name, method, path string
		header             []string
		wantStatus         int
	}{
		{"no header", "GET", "/_kcmock/health", nil, 401},
		{"wrong secret", "GET", "/_kcmock/health", []string{"Authorization", "Bearer nope"}, 401},
		{"basic auth", "GET", "/_kcmock/health", []string{"Authorization", "Basic czNjcmV0Og=="}, 401},
		{"unknown path without the secret", "GET", "/_kcmock/nothing", nil, 401},
		{"wrong method without the secret", "PUT", "/_kcmock/clock", nil, 401},
		{"mutation without the secret", "POST", "/_kcmock/clock", []string{"Authorization", "Bearer S3CRET"}, 401},
		{"right secret", "GET", "/_kcmock/health", []string{"Authorization", "Bearer s3cret"}, 200},
		{"unknown path with the secret", "GET", "/_kcmock/nothing", []string{"Authorization", "Bearer s3cret"}, 404},
		{"wrong method with the secret", "PUT", "/_kcmock/clock", []string{"Authorization", "Bearer s3cret"}, 405},
		{"Keycloak's endpoints need no secret", "GET", "/realms/x/protocol/openid-connect/certs", nil, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.ctl(t, tt.method, tt.path, "", tt.header...)
			if r.status != tt.wantStatus {
				t.Fatalf("%d %s; want %d", r.status, r.body, tt.wantStatus)
			}
			if tt.wantStatus == 401 && string(r.body) != `{"error":"unauthorized"}` {
				t.Errorf("body %s; want {\"error\":\"unauthorized\"}", r.body)
			}
			if strings.HasPrefix(tt.path, "/_kcmock") && r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q; want no-store", r.header.Get("Cache-Control"))
			}
		})
	}
	if ts.Clock().Frozen() {
		t.Error("a refused request changed the clock")
	}
}

func TestControlErrors(t *testing.T) {
	ts := newControlServer(t, Config{})
	for _, tt := range []struct {
		name, method, path, body string
		wantStatus               int
		wantError                string
	}{
		{"unknown endpoint", "GET", "/_kcmock/nothing", "", 404, "no control endpoint GET /_kcmock/nothing"},
		{"wrong method", "PUT", "/_kcmock/clock", "", 405, "method not allowed"},
		{"unknown realm", "GET", "/_kcmock/realms/nope/keys", "", 404, `no realm "nope"`},
		{"not JSON", "POST", "/_kcmock/clock", "advance=90s", 400, "invalid JSON body"},
		{"misspelt field", "POST", "/_kcmock/clock", `{"advanse":"90s"}`, 400, `unknown field "advanse"`},
		{"two values", "POST", "/_kcmock/clock", `{} {}`, 400, "more than one value"},
		{"reload not configured", "POST", "/_kcmock/reload", "", 501, "reload is not configured"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got map[string]any
			ts.ctl(t, tt.method, tt.path, tt.body).want(t, tt.wantStatus, &got)
			if msg, _ := got["error"].(string); !strings.Contains(msg, tt.wantError) {
				t.Errorf("error %q; want it to contain %q", msg, tt.wantError)
			}
		})
	}
}

func TestControlHealth(t *testing.T) {
	ts := newControlServer(t, Config{})
	var got struct {
		Status string   `json:"status"`
		Realms []string `json:"realms"`
	}
	ts.ctl(t, "GET", "/_kcmock/health", "").want(t, 200, &got)
	if got.Status != "ok" || strings.Join(got.Realms, ",") != "x,y" {
		t.Errorf("health = %+v; want ok with realms x,y", got)
	}
}

func TestControlClock(t *testing.T) {
	ts := newControlServer(t, Config{})
	post := func(t *testing.T, body string) clockState {
		t.Helper()
		var got clockState
		ts.ctl(t, "POST", "/_kcmock/clock", body).want(t, 200, &got)
		return got
	}
	var got clockState
	ts.ctl(t, "GET", "/_kcmock/clock", "").want(t, 200, &got)
	if want := (clockState{Now: "2025-10-09T08:53:20Z", Unix: testNow.Unix()}); got != want {
		t.Errorf("GET = %+v; want %+v", got, want)
	}
	steps := []struct{ body, wantNow string }{
		{`{"freeze":true}`, "2025-10-09T08:53:20Z"},
		{`{"advance":"90s"}`, "2025-10-09T08:54:50Z"},
		{`{"advance":10}`, "2025-10-09T08:55:00Z"},
		{`{"advance":-60}`, "2025-10-09T08:54:00Z"},
		{`{"set":"2030-01-02T03:04:05+01:00"}`, "2030-01-02T02:04:05Z"},
		{`{"set":1800000000}`, "2027-01-15T08:00:00Z"},
		{`{"set":1800000000,"advance":"1h"}`, "2027-01-15T09:00:00Z"},
		{`{}`, "2027-01-15T09:00:00Z"},
	}
	for _, s := range steps {
		if got := post(t, s.body); got.Now != s.wantNow || !got.Frozen || got.Unix != ts.Clock().Now().Unix() {
			t.Errorf("POST %s = %+v; want now %s, frozen", s.body, got, s.wantNow)
		}
	}
	for _, bad := range []string{`{"advance":"soon"}`, `{"set":"tomorrow"}`, `{"set":true}`, `{"freeze":true,"advance":"1x"}`, `{"advance":1e300}`} {
		var e controlError
		ts.ctl(t, "POST", "/_kcmock/clock", bad).want(t, 400, &e)
		if e.Message == "" {
			t.Errorf("POST %s: no error message", bad)
		}
	}
	if got := post(t, `{"unfreeze":true}`); got.Frozen || got.Now != "2027-01-15T09:00:00Z" {
		t.Errorf("unfreeze = %+v", got)
	}
	// The base clock runs on; the unfrozen clock follows it from where it stood.
	ts.clock.Advance(5 * time.Second)
	if got := post(t, ``); got.Now != "2027-01-15T09:00:05Z" || got.Frozen {
		t.Errorf("after the base clock moved 5 s: %+v", got)
	}
	// Freeze, advance and unfreeze in one request, in that order.
	if got := post(t, `{"unfreeze":true,"advance":"1m","freeze":true}`); got.Now != "2027-01-15T09:01:05Z" || got.Frozen {
		t.Errorf("freeze+advance+unfreeze = %+v", got)
	}
}

// TestControlClockExpiresRefresh advances the clock over HTTP and sees the refresh grant
// refuse the refresh token as Keycloak does.
func TestControlClockExpiresRefresh(t *testing.T) {
	ts := newControlServer(t, Config{})
	_, rt := subjectToken(t, ts, "x", "john")
	refresh := func() response {
		return ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), basic("subject-client", "s"))
	}
	ts.ctl(t, "POST", "/_kcmock/clock", `{"advance":"29m"}`).want(t, 200, nil)
	if r := refresh(); r.status != 200 {
		t.Fatalf("after 29 min: %d %s", r.status, r.body)
	}
	rt = refreshToken(t, refresh())
	ts.ctl(t, "POST", "/_kcmock/clock", `{"advance":1801}`).want(t, 200, nil)
	if r := refresh(); string(r.body) != `{"error":"invalid_grant","error_description":"Token is not active"}` {
		t.Errorf("after 30 min 1 s more: %d %s", r.status, r.body)
	}
}

func refreshToken(t testing.TB, r response) string {
	t.Helper()
	s, _ := r.json(t)["refresh_token"].(string)
	if s == "" {
		t.Fatalf("no refresh token: %s", r.body)
	}
	return s
}
