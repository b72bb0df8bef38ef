package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// fuzzRealms are the realms a fuzzed request can name (by index): the harness realms, the
// exchange realms, and one that does not exist.
var fuzzRealms = []string{"myrealm", "other", "nooffline", "closed", "x", "y", "missing"}

// fuzzBodyLimit is small so that the fuzzer reaches the 413 path.
const fuzzBodyLimit = 16 << 10

// fuzzServer is the server under fuzz, rebuilt now and then so sessions do not pile up across
// millions of inputs. Every build replays the same logins on the same clock and id sequence,
// so the tokens in the seeds stay valid in every build.
type fuzzServer struct {
	mu    sync.Mutex
	sc    *scenarios.Scenario
	srv   *Server
	runs  int
	panic *fuzzPanicLog
	// Tokens of the replayed logins, for the seeds.
	aliceAccess, aliceRefresh, aliceID, johnAccess, ccRefresh, offlineRefresh string
}

func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	sc, err := scenarios.Load(scenarios.Options{Now: func() time.Time { return testNow }},
		scenarios.Source{Name: "fuzz.toml", Data: []byte(withKeys(tb, testRealm+exchangeRealm))})
	if err != nil {
		tb.Fatal(err)
	}
	fz := &fuzzServer{sc: sc, panic: &fuzzPanicLog{}}
	fz.rebuild(tb)
	return fz
}

// server returns the current server, rebuilt every 1024 inputs.
func (fz *fuzzServer) server(tb testing.TB) *Server {
	fz.mu.Lock()
	defer fz.mu.Unlock()
	if fz.runs++; fz.runs%1024 == 0 {
		fz.rebuild(tb)
	}
	return fz.srv
}

func (fz *fuzzServer) rebuild(tb testing.TB) {
	tb.Helper()
	s, err := New(Config{Scenario: fz.sc, Now: func() time.Time { return testNow }, NewID: seqIDs(),
		MaxBodyBytes: fuzzBodyLimit, Logger: slog.New(fz.panic)})
	if err != nil {
		tb.Fatal(err)
	}
	login := func(realm, auth, body string) map[string]any {
		rec := fuzzPost(s, realm, "application/x-www-form-urlencoded", auth, body)
		var m map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
			tb.Fatalf("setup %s %s: %d %s", realm, body, rec.Code, rec.Body)
		}
		return m
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	a := login("myrealm", fuzzBasic("my-app", "my-secret"), "grant_type=password&username=alice&password=alice-pw&scope=openid")
	j := login("x", fuzzBasic("subject-client", "s"), "grant_type=password&username=john&password=pw")
	cc := login("myrealm", fuzzBasic("rt-cc", "s"), "grant_type=client_credentials")
	off := login("myrealm", "", "grant_type=password&client_id=spa&username=alice&password=alice-pw&scope=offline_access")
	got := [6]string{str(a, "access_token"), str(a, "refresh_token"), str(a, "id_token"), str(j, "access_token"), str(cc, "refresh_token"), str(off, "refresh_token")}
	if fz.srv != nil && got != [6]string{fz.aliceAccess, fz.aliceRefresh, fz.aliceID, fz.johnAccess, fz.ccRefresh, fz.offlineRefresh} {
		tb.Fatal("a rebuilt server issued different setup tokens: the seeds would go stale")
	}
	fz.aliceAccess, fz.aliceRefresh, fz.aliceID, fz.johnAccess, fz.ccRefresh, fz.offlineRefresh = got[0], got[1], got[2], got[3], got[4], got[5]
	fz.srv = s
}

// answer runs one request and fails the input if it takes more than 10 s or panics (the
// recover middleware logs panics to fz.panic).
func (fz *fuzzServer) answer(t *testing.T, do func() *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	t.Helper()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- do() }()
	var rec *httptest.ResponseRecorder
	select {
	case rec = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("no response within 10 s")
	}
	if p := fz.panic.take(); p != "" {
		t.Fatalf("handler panicked: %s", p)
	}
	return rec
}

func fuzzBasic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func fuzzPost(s *Server, realm, contentType, auth, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/realms/"+realm+"/protocol/openid-connect/token", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// FuzzTokenEndpoint posts arbitrary form bodies, content types and Authorization headers to
// the token endpoint. Whatever comes in: no panic, no hang, a known status, a JSON body with
// "error" on every refusal, and a 200 only for a request that the rules allow (see checkGrant).
func FuzzTokenEndpoint(f *testing.F) {
	fz := newFuzzServer(f)
	const form = "application/x-www-form-urlencoded"
	const xchg = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"
	app, req := fuzzBasic("my-app", "my-secret"), fuzzBasic("requester", "s")
	seeds := []struct {
		realm             uint8
		ctype, auth, body string
	}{
		{0, form, app, "grant_type=client_credentials"},
		{0, form, "", "grant_type=client_credentials&client_id=my-app&client_secret=my-secret&scope=email"},
		{0, form, app, "grant_type=password&username=alice&password=alice-pw&scope=openid"},
		{0, form, app, "grant_type=password&username=alice%40example.com&password=alice-pw"},
		{0, form, "", "grant_type=password&client_id=spa&username=alice&password=alice-pw"},
		{0, form, app, "grant_type=password&username=alice&password=wrong"},
		{0, form, app, "grant_type=password&username=alice&password=alice-pw&password=alice-pw"},
		{0, form, fuzzBasic("nosecret", ""), "grant_type=password&username=alice&password=alice-pw"},
		{0, form, app, "grant_type=refresh_token&refresh_token=" + fz.aliceRefresh},
		{0, form, app, "grant_type=refresh_token&scope=openid&refresh_token=" + fz.aliceRefresh},
		{0, form, "", "grant_type=refresh_token&client_id=spa&refresh_token=" + fz.offlineRefresh},
		{0, form, fuzzBasic("rt-cc", "s"), "grant_type=refresh_token&refresh_token=" + fz.ccRefresh},
		{0, form, app, "grant_type=refresh_token&refresh_token=" + fz.aliceAccess},
		{4, form, req, xchg + "&audience=target-1&subject_token=" + fz.johnAccess},
		{4, form, req, xchg + "&requested_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Arefresh_token&scope=optional-scope2&subject_token=" + fz.johnAccess},
		{4, form, req, xchg + "&requested_subject=mike&subject_token=" + fz.johnAccess},
		{0, form, app, xchg + "&subject_token=" + fz.aliceID},
		{3, form, app, "grant_type=client_credentials"},
		{6, form, app, "grant_type=client_credentials"},
		{0, "application/json", app, `{"grant_type":"client_credentials"}`},
		{0, "", app, "grant_type=client_credentials"},
		{0, form + "; charset=utf-8", "bAsIc " + base64.StdEncoding.EncodeToString([]byte("my%2Dapp:my%2Dsecret")), "grant_type=client_credentials"},
		{0, form, app, "grant_type=client_credentials&%zz"},
		{0, form, "Basic !!!", "grant_type=unknown"},
	}
	for _, s := range seeds {
		f.Add(s.realm, s.ctype, s.auth, s.body)
	}
	f.Fuzz(func(t *testing.T, realm uint8, contentType, auth, body string) {
		s := fz.server(t)
		name := fuzzRealms[int(realm)%len(fuzzRealms)]
		rec := fz.answer(t, func() *httptest.ResponseRecorder { return fuzzPost(s, name, contentType, auth, body) })
		switch rec.Code {
		case 200, 400, 401, 403, 404, 413, 415:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("status %d with a body that is not a JSON object (%v): %q", rec.Code, err, rec.Body)
		}
		if rec.Code != 200 {
			if e, _ := m["error"].(string); e == "" {
				t.Fatalf("status %d without \"error\": %s", rec.Code, rec.Body)
			}
			return
		}
		if msg := checkGrant(s, name, contentType, auth, body, m); msg != "" {
			t.Fatalf("granted a request the rules refuse: %s\nrealm %s, Content-Type %q, Authorization %q\nbody %q\nresponse %s", msg, name, contentType, auth, body, rec.Body)
		}
	})
}

// checkGrant re-derives, independently of the handlers, what a 200 requires: a form body; a
// client that is enabled, not bearer-only, and either public and named in the request or
// confidential with its secret in the request; and per grant type the proof that grant needs
// (the user's password, a service account, a refresh token or subject token the realm
// signed). It returns what is wrong, or "".
func checkGrant(s *Server, realm, contentType, auth, body string, res map[string]any) string {
	rs := s.state.Load().realms[realm]
	if rs == nil {
		return "200 for an unknown realm"
	}
	if !rs.model.Enabled {
		return "200 from a disabled realm"
	}
	if ct, _, err := mime.ParseMediaType(contentType); err != nil || ct != "application/x-www-form-urlencoded" {
		return "200 without a form body"
	}
	form, err := url.ParseQuery(body)
	if err != nil {
		return "200 for a malformed form: " + err.Error()
	}
	access, _ := res["access_token"].(string)
	v, err := rs.keys.VerifyAccess(access)
	if err != nil {
		return "access_token does not verify with the realm's key: " + err.Error()
	}
	var claims struct{ Iss, Azp, Sub string }
	if err := json.Unmarshal(v.Payload, &claims); err != nil {
		return "access_token payload: " + err.Error()
	}
	if want := "http://example.com/realms/" + realm; claims.Iss != want {
		return "iss " + claims.Iss + ", want " + want
	}
	if rt, _ := res["refresh_token"].(string); rt != "" {
		if _, err := rs.keys.VerifyHMAC(rt); err != nil {
			return "refresh_token does not verify: " + err.Error()
		}
	}
	c := rs.model.Client(claims.Azp)
	switch {
	case c == nil || !c.Enabled || c.BearerOnly:
		return "azp " + claims.Azp + " is unknown, disabled or bearer-only"
	case c.PublicClient && !fuzzHas(presented(form, auth, "client_id"), c.ClientID):
		return "public client " + c.ClientID + " was not named"
	case !c.PublicClient && (c.Secret == "" || !fuzzHas(presented(form, auth, "client_secret"), c.Secret)):
		return "confidential client " + c.ClientID + " without its secret"
	}
	switch gt := form.Get("grant_type"); gt {
	case grantPassword:
		u := rs.model.UserByID(claims.Sub)
		if u == nil || !u.Enabled || u.Password == "" || form.Get("password") != u.Password || !c.DirectAccessGrantsEnabled {
			return "password grant without the user's password or for a client without direct grants"
		}
	case grantClientCredentials:
		if c.PublicClient || !c.ServiceAccountsEnabled || rs.model.ServiceAccount(c) == nil || rs.model.ServiceAccount(c).ID != claims.Sub {
			return "client_credentials for a client without a service account, or another subject"
		}
	case grantRefreshToken:
		rv, err := rs.keys.VerifyHMAC(form.Get("refresh_token"))
		var rc struct{ Azp string }
		if err != nil || json.Unmarshal(rv.Payload, &rc) != nil || rc.Azp != c.ClientID {
			return "refresh without a refresh token of this realm issued to the client"
		}
	case grantTokenExchange:
		if _, err := rs.keys.VerifyAccess(form.Get("subject_token")); err != nil || c.PublicClient {
			return "exchange without a subject token of this realm, or by a public client"
		}
	default:
		return "200 for grant_type " + gt
	}
	return ""
}

// presented is every value the request offers for a client parameter: the form's, and the
// matching half of any Basic header, raw and form-url-decoded (RFC 6749 §2.3.1).
func presented(form url.Values, auth, param string) []string {
	out := append([]string(nil), form[param]...)
	if i := strings.IndexByte(auth, ' '); i > 0 && strings.EqualFold(auth[:i], "basic") {
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(auth[i+1:])); err == nil {
			if id, secret, ok := strings.Cut(string(raw), ":"); ok {
				half := id
				if param == "client_secret" {
					half = secret
				}
				out = append(out, half)
				if d, err := url.QueryUnescape(half); err == nil {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

func fuzzHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fuzzPanicLog is a slog handler that keeps what echo's Recover middleware and the error handler
// log for a panic or an unexpected error, so that the fuzzer fails on it.
type fuzzPanicLog struct {
	mu  sync.Mutex
	msg string
}

func (p *fuzzPanicLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *fuzzPanicLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "panic" && r.Message != "internal error" {
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { b.WriteString(" " + a.String()); return true })
	p.mu.Lock()
	p.msg += b.String() + "\n"
	p.mu.Unlock()
	return nil
}
func (p *fuzzPanicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *fuzzPanicLog) WithGroup(string) slog.Handler      { return p }

func (p *fuzzPanicLog) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.msg
	p.msg = ""
	return m
}
