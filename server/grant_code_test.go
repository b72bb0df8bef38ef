package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/kcmock/kcmock/scenarios"
	"golang.org/x/oauth2"
)

func codeFrom(t *testing.T, location string) (code, sid string) {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Fragment != "" {
		q, _ = url.ParseQuery(u.Fragment)
	}
	return q.Get("code"), q.Get("session_state")
}

func TestLoginFormAndSSO(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	auth := authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "state", "st", "scope", "openid", "nonce", "n-1")

	res, body := b.login(auth, "alice", "wrong")
	if res.StatusCode != 200 || !strings.Contains(body, "Invalid username or password.") || !strings.Contains(body, `value="alice"`) {
		t.Fatalf("wrong password: %d %s", res.StatusCode, body)
	}
	// The re-rendered form still works, with a fresh session_code.
	m := formAction.FindStringSubmatch(body)
	res, _ = b.post(strings.ReplaceAll(m[1], "&amp;", "&"), url.Values{"username": {"alice"}, "password": {"alice-pw"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != 302 || !strings.HasPrefix(loc, "http://localhost:3000/cb?state=st&session_state=") || !strings.Contains(loc, "&iss=") {
		t.Fatalf("login: %d %s", res.StatusCode, loc)
	}
	code, sid := codeFrom(t, loc)
	if parts := strings.Split(code, "."); len(parts) != 3 || parts[1] != sid || parts[2] != "6f9619ff-8b86-d011-b42d-00cf4fc964ff" {
		t.Errorf("code %q is not <id>.<sid>.<client id>", code)
	}
	tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret"))
	if tok.status != 200 {
		t.Fatalf("code grant: %d %s", tok.status, tok.body)
	}
	body1 := tok.json(t)
	at := payload(t, body1["access_token"].(string))
	id := payload(t, body1["id_token"].(string))
	if !strings.HasPrefix(at["jti"].(string), "onrtac:") || at["auth_time"] != float64(testNow.Unix()) || at["sid"] != sid || at["acr"] != "1" || at["nonce"] != nil {
		t.Errorf("access token = %v", at)
	}
	if id["nonce"] != "n-1" || id["auth_time"] != float64(testNow.Unix()) || id["at_hash"] == nil {
		t.Errorf("id token = %v", id)
	}

	// Second authorization in the same browser: no form, same session, acr 0.
	ts.clock.Advance(time.Minute)
	res, _ = b.get(authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code"))
	code2, sid2 := codeFrom(t, res.Header.Get("Location"))
	if res.StatusCode != 302 || code2 == "" || sid2 != sid {
		t.Fatalf("SSO: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	at2 := payload(t, ts.token(t, "web", form("grant_type", "authorization_code", "code", code2, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret")).json(t)["access_token"].(string))
	if at2["acr"] != "0" || at2["auth_time"] != float64(testNow.Unix()) {
		t.Errorf("SSO token acr %v auth_time %v; want 0 and the original login time", at2["acr"], at2["auth_time"])
	}
	// prompt=none works with the session; prompt=login asks again; max_age=30 too.
	res, _ = b.get(authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "prompt", "none"))
	if c, _ := codeFrom(t, res.Header.Get("Location")); c == "" {
		t.Errorf("prompt=none with a session: %s", res.Header.Get("Location"))
	}
	for _, extra := range [][]string{{"prompt", "login"}, {"max_age", "30"}} {
		res, body = b.get(authPath(append([]string{"client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code"}, extra...)...))
		if res.StatusCode != 200 || !strings.Contains(body, "Please re-authenticate to continue") || !strings.Contains(body, "readonly") {
			t.Errorf("%v: %d", extra, res.StatusCode)
		}
	}
	// A disabled user sees the message only with the right password.
	b2 := newBrowser(t, ts)
	if _, body := b2.login(auth, "dora", "bad"); !strings.Contains(body, "Invalid username or password.") {
		t.Error("disabled user with a wrong password must read as invalid credentials")
	}
	if _, body := b2.login(auth, "dora", "pw"); !strings.Contains(body, "Account is disabled, contact your administrator.") {
		t.Error("disabled user with the right password must be told")
	}
}

func TestCodeGrantRefusals(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	newCode := func(client, redirect string, extra ...string) string {
		b := newBrowser(t, ts)
		res, _ := b.login(authPath(append([]string{"client_id", client, "redirect_uri", redirect, "response_type", "code"}, extra...)...), "alice", "alice-pw")
		c, _ := codeFrom(t, res.Header.Get("Location"))
		if c == "" {
			t.Fatalf("no code: %s", res.Header.Get("Location"))
		}
		return c
	}
	app := basic("app", "app-secret")
	cb := "http://localhost:3000/cb"
	used := newCode("app", cb)
	if r := ts.token(t, "web", form("grant_type", "authorization_code", "code", used, "redirect_uri", cb), app); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	expired := newCode("app", cb)
	tests := []struct {
		name string
		form []string
		auth map[string]string
		desc string
		code string
	}{
		{"missing code", []string{"redirect_uri", cb}, app, "Missing parameter: code", "invalid_request"},
		{"unknown code", []string{"code", "nope", "redirect_uri", cb}, app, "Code not valid", "invalid_grant"},
		{"reused code", []string{"code", used, "redirect_uri", cb}, app, "Code not valid", "invalid_grant"},
		{"incorrect redirect_uri", []string{"code", newCode("app", cb), "redirect_uri", "http://localhost:3000/other"}, app, "Incorrect redirect_uri", "invalid_grant"},
		{"another client's code, same redirect", []string{"code", newCode("single", "http://single.test/app/x"), "redirect_uri", "http://single.test/app/x"}, app, "Auth error: Found different client_id in clientSession", "invalid_grant"},
		{"verifier missing", []string{"code", newCode("app", cb, "code_challenge", challenge, "code_challenge_method", "S256"), "redirect_uri", cb}, app, "PKCE code verifier not specified", "invalid_grant"},
		{"verifier without challenge", []string{"code", newCode("app", cb), "redirect_uri", cb, "code_verifier", verifier}, app, "PKCE code verifier specified but challenge not present in authorization", "invalid_grant"},
		{"verifier malformed", []string{"code", newCode("app", cb, "code_challenge", challenge, "code_challenge_method", "S256"), "redirect_uri", cb, "code_verifier", "short"}, app, "PKCE verification failed: Invalid code verifier", "invalid_grant"},
		{"verifier mismatch", []string{"code", newCode("app", cb, "code_challenge", challenge, "code_challenge_method", "S256"), "redirect_uri", cb, "code_verifier", strings.Repeat("w", 50)}, app, "PKCE verification failed: Code mismatch", "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.token(t, "web", form(append([]string{"grant_type", "authorization_code"}, tt.form...)...), tt.auth)
			want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
			if res.status != 400 || string(res.body) != want {
				t.Errorf("got %d %s\nwant 400 %s", res.status, res.body, want)
			}
		})
	}
	ts.clock.Advance(61 * time.Second) // access_code_lifespan is 60 s
	if r := ts.token(t, "web", form("grant_type", "authorization_code", "code", expired, "redirect_uri", cb), app); r.status != 400 ||
		string(r.body) != `{"error":"invalid_grant","error_description":"Code not valid"}` {
		t.Errorf("expired code: %d %s", r.status, r.body)
	}
	// plain PKCE and S256 both verify.
	for _, m := range []struct{ method, challenge string }{{"S256", challenge}, {"plain", verifier}} {
		c := newCode("app", cb, "code_challenge", m.challenge, "code_challenge_method", m.method)
		if r := ts.token(t, "web", form("grant_type", "authorization_code", "code", c, "redirect_uri", cb, "code_verifier", verifier), app); r.status != 200 {
			t.Errorf("%s: %d %s", m.method, r.status, r.body)
		}
	}
}

// TestCodeFlowWithRealClients runs the authorization code flow with PKCE through x/oauth2 and
// go-oidc, the login form submitted by the test's HTTP client.
func TestCodeFlowWithRealClients(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	ts.clock.t = nowReal()
	b := newBrowser(t, ts)
	ctx := oidc.ClientContext(context.Background(), ts.http.Client())
	provider, err := oidc.NewProvider(ctx, ts.http.URL+"/realms/web")
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: "spa", Endpoint: provider.Endpoint(), RedirectURL: "http://localhost:5173/callback", Scopes: []string{oidc.ScopeOpenID, "profile"}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1"))
	res, _ := b.login(authURL, "alice", "alice-pw")
	u, _ := url.Parse(res.Header.Get("Location"))
	if u.Query().Get("state") != "state-1" || u.Query().Get("iss") != ts.http.URL+"/realms/web" {
		t.Fatalf("redirect = %s", u)
	}
	tok, err := conf.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: "spa"}).Verify(ctx, tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != "nonce-1" {
		t.Errorf("nonce = %q", idt.Nonce)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Error(err)
	}
	// A code can be exchanged only once, and PKCE is checked.
	if _, err := conf.Exchange(ctx, u.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil || !strings.Contains(err.Error(), "Code not valid") {
		t.Errorf("second exchange: %v", err)
	}
}

// TestCodeGrantWithoutRedirectParam: when the authorization request carried no redirect_uri
// (a client with one redirect URI, no openid scope), Keycloak stores none for the code, and
// the token request's redirect_uri is not compared.
func TestCodeGrantWithoutRedirectParam(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	res, _ := b.login(authPath("client_id", "single", "response_type", "code"), "alice", "alice-pw")
	loc := res.Header.Get("Location")
	if !strings.HasPrefix(loc, "http://single.test/app?") {
		t.Fatalf("redirect %q, want the client's single redirect URI", loc)
	}
	c, _ := codeFrom(t, loc)
	r := ts.token(t, "web", form("grant_type", "authorization_code", "code", c, "redirect_uri", "http://elsewhere.test/cb"), basic("single", "s"))
	if r.status != 200 || r.json(t)["access_token"] == nil {
		t.Fatalf("got %d %s, want a token", r.status, r.body)
	}
}

// TestCodeGrantNonce: the ID token repeats the nonce parameter as sent, an empty one too
// (Keycloak stores any non-null nonce and Jackson writes ""), and has none without it. The
// access token never has one, nor does the ID token of a refresh (26.x tokens carry no nonce
// for the refresh to copy).
func TestCodeGrantNonce(t *testing.T) {
	tests := []struct {
		name  string
		query []string // extra authorization parameters
		want  any      // the ID token's nonce; nil means absent
	}{
		{"given", []string{"nonce", "n-1"}, "n-1"},
		{"empty", []string{"nonce", ""}, ""},
		{"absent", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, codeRealm, Config{})
			b := newBrowser(t, ts)
			q := append([]string{"client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "scope", "openid"}, tt.query...)
			res, _ := b.login(authPath(q...), "alice", "alice-pw")
			code, _ := codeFrom(t, res.Header.Get("Location"))
			tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret"))
			if tok.status != 200 {
				t.Fatalf("code grant: %d %s", tok.status, tok.body)
			}
			body := tok.json(t)
			id := payload(t, body["id_token"].(string))
			if got, ok := id["nonce"]; got != tt.want || ok != (tt.want != nil) {
				t.Errorf("id token nonce = %#v (present %v); want %#v", got, ok, tt.want)
			}
			if at := payload(t, body["access_token"].(string)); at["nonce"] != nil {
				t.Errorf("access token has nonce %v", at["nonce"])
			}
			rt := payload(t, body["refresh_token"].(string))
			if _, ok := rt["nonce"]; ok {
				t.Errorf("refresh token has nonce %v", rt["nonce"])
			}
			ref := ts.token(t, "web", form("grant_type", "refresh_token", "refresh_token", body["refresh_token"].(string)), basic("app", "app-secret"))
			if ref.status != 200 {
				t.Fatalf("refresh: %d %s", ref.status, ref.body)
			}
			if id2 := payload(t, ref.json(t)["id_token"].(string)); id2["nonce"] != nil {
				t.Errorf("refreshed id token nonce = %v; want none", id2["nonce"])
			}
		})
	}
}

// TestCodeGrantDetachesOnBadCode: a code that cannot be redeemed (replayed, expired, or never
// issued but naming a live session) detaches the client session its third part names, whoever
// presents it (AuthorizationCodeGrantType after OAuth2CodeParser), and leaves the user session:
// the browser still signs in without the form.
func TestCodeGrantDetachesOnBadCode(t *testing.T) {
	const cb = "http://localhost:3000/cb"
	app, single := basic("app", "app-secret"), basic("single", "s")
	appUUID := "6f9619ff-8b86-d011-b42d-00cf4fc964ff"
	tests := []struct {
		name string
		// bad returns the code to present after app's first code was redeemed, given that
		// code and a fresh unredeemed one.
		bad  func(ts *testServer, used, fresh string) string
		auth map[string]string
	}{
		{"replay by the same client", func(_ *testServer, used, _ string) string { return used }, app},
		{"replay by another client", func(_ *testServer, used, _ string) string { return used }, single},
		{"expired code", func(ts *testServer, _, fresh string) string { ts.clock.Advance(61 * time.Second); return fresh }, app},
		{"forged code naming the session and client", func(_ *testServer, used, _ string) string {
			return "00000000-0000-4000-8000-00000000dead." + strings.Split(used, ".")[1] + "." + appUUID
		}, single},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, codeRealm, Config{})
			b := newBrowser(t, ts)
			res, _ := b.login(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"), "alice", "alice-pw")
			used, _ := codeFrom(t, res.Header.Get("Location"))
			tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", used, "redirect_uri", cb), app)
			if tok.status != 200 {
				t.Fatalf("first redemption: %d %s", tok.status, tok.body)
			}
			refresh := tok.json(t)["refresh_token"].(string)
			res, _ = b.get(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"))
			fresh, _ := codeFrom(t, res.Header.Get("Location"))

			r := ts.token(t, "web", form("grant_type", "authorization_code", "code", tt.bad(ts, used, fresh), "redirect_uri", cb), tt.auth)
			if r.status != 400 || string(r.body) != `{"error":"invalid_grant","error_description":"Code not valid"}` {
				t.Fatalf("bad code: %d %s", r.status, r.body)
			}
			r = ts.token(t, "web", form("grant_type", "refresh_token", "refresh_token", refresh), app)
			if r.status != 400 || string(r.body) != `{"error":"invalid_grant","error_description":"Session doesn't have required client"}` {
				t.Errorf("app's refresh after the bad code: %d %s; want its client session gone", r.status, r.body)
			}
			res, body := b.get(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"))
			if c, _ := codeFrom(t, res.Header.Get("Location")); res.StatusCode != 302 || c == "" {
				t.Errorf("SSO after the bad code: %d %s; want a code without the form", res.StatusCode, body)
			}
		})
	}
}

// TestCodeGrantChecksAfterTheCode: what changed between /auth and the code's redemption (here
// by reloading the scenario, which keeps sessions and codes) is checked in Keycloak's order:
// the client session, the user (before redirect_uri), then the client's standard flow.
func TestCodeGrantChecksAfterTheCode(t *testing.T) {
	const cb = "http://localhost:3000/cb"
	app := basic("app", "app-secret")
	disableAlice := func(s string) string {
		return strings.Replace(s, "username = \"alice\"\n", "username = \"alice\"\nenabled = false\n", 1)
	}
	noFlow := func(s string) string {
		return strings.Replace(s, "secret = \"app-secret\"\n", "secret = \"app-secret\"\nstandard_flow_enabled = false\n", 1)
	}
	tests := []struct {
		name     string
		change   func(string) string
		redirect string
		want     string
	}{
		{"user disabled", disableAlice, cb, "User disabled"},
		{"user disabled is checked before redirect_uri", disableAlice, "http://localhost:3000/elsewhere", "User disabled"},
		{"standard flow disabled", noFlow, cb, "Client not allowed to exchange code"},
		{"redirect_uri is checked before the standard flow", noFlow, "http://localhost:3000/elsewhere", "Incorrect redirect_uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, codeRealm, Config{})
			b := newBrowser(t, ts)
			res, _ := b.login(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"), "alice", "alice-pw")
			code, _ := codeFrom(t, res.Header.Get("Location"))
			sc, err := scenarios.Load(scenarios.Options{Now: func() time.Time { return testNow }},
				scenarios.Source{Name: "test.toml", Data: []byte(withKeys(t, tt.change(codeRealm)))})
			if err != nil {
				t.Fatal(err)
			}
			if err := ts.Reload(sc); err != nil {
				t.Fatal(err)
			}
			r := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", tt.redirect), app)
			if want := `{"error":"invalid_grant","error_description":"` + tt.want + `"}`; r.status != 400 || string(r.body) != want {
				t.Errorf("got %d %s; want 400 %s", r.status, r.body, want)
			}
		})
	}

	// A code whose client session was revoked while the user session lives on (another client
	// keeps it) is "User session not found".
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	res, _ := b.login(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"), "alice", "alice-pw")
	first, _ := codeFrom(t, res.Header.Get("Location"))
	refresh := ts.token(t, "web", form("grant_type", "authorization_code", "code", first, "redirect_uri", cb), app).json(t)["refresh_token"].(string)
	res, _ = b.get(authPath("client_id", "single", "redirect_uri", "http://single.test/app/x", "response_type", "code"))
	if c, _ := codeFrom(t, res.Header.Get("Location")); c == "" || ts.token(t, "web", form("grant_type", "authorization_code", "code", c, "redirect_uri", "http://single.test/app/x"), basic("single", "s")).status != 200 {
		t.Fatal("single's SSO login failed")
	}
	res, _ = b.get(authPath("client_id", "app", "redirect_uri", cb, "response_type", "code"))
	second, _ := codeFrom(t, res.Header.Get("Location"))
	if r := ts.do(t, "POST", "/realms/web/protocol/openid-connect/revoke", form("token", refresh), app); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	r := ts.token(t, "web", form("grant_type", "authorization_code", "code", second, "redirect_uri", cb), app)
	if r.status != 400 || string(r.body) != `{"error":"invalid_grant","error_description":"User session not found"}` {
		t.Errorf("code of a revoked client session: %d %s", r.status, r.body)
	}
}

// TestRedirectForCompare: a session_state parameter the authorization request's redirect_uri
// lacked is dropped before the comparison (KEYCLOAK-4478); anything else is compared as sent.
func TestRedirectForCompare(t *testing.T) {
	tests := []struct{ sent, saved, want string }{
		{"http://a/cb?session_state=x", "http://a/cb", "http://a/cb"},
		{"http://a/cb?x=1&session_state=s&y=2", "http://a/cb?x=1&y=2", "http://a/cb?x=1&y=2"},
		{"http://a/cb?session_state=s#f", "http://a/cb#f", "http://a/cb#f"},
		{"http://a/cb?session_state=x", "http://a/cb?session_state=x", "http://a/cb?session_state=x"},
		{"http://a/cb?my_session_state=x", "http://a/cb", "http://a/cb?my_session_state=x"},
		{"http://a/other", "http://a/cb", "http://a/other"},
	}
	for _, tt := range tests {
		if got := redirectForCompare(tt.sent, tt.saved); got != tt.want {
			t.Errorf("redirectForCompare(%q, %q) = %q; want %q", tt.sent, tt.saved, got, tt.want)
		}
	}
	// Through the grant: the adapter-style redirect_uri is accepted.
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	res, _ := b.login(authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code"), "alice", "alice-pw")
	code, sid := codeFrom(t, res.Header.Get("Location"))
	r := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb?session_state="+sid), basic("app", "app-secret"))
	if r.status != 200 {
		t.Errorf("redirect_uri with session_state: %d %s", r.status, r.body)
	}
}

// TestCodeGrantOfflineAccess: scope=offline_access at /auth makes the code grant's refresh
// token an offline one, in an offline copy of the browser session under the same id, which
// outlives the browser session.
func TestCodeGrantOfflineAccess(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	res, _ := b.login(authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "scope", "openid offline_access"), "alice", "alice-pw")
	code, sid := codeFrom(t, res.Header.Get("Location"))
	tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret"))
	if tok.status != 200 {
		t.Fatalf("code grant: %d %s", tok.status, tok.body)
	}
	body := tok.json(t)
	at, rt := payload(t, body["access_token"].(string)), payload(t, body["refresh_token"].(string))
	if !strings.HasPrefix(at["jti"].(string), "ofrtac:") || at["sid"] != sid {
		t.Errorf("access token jti %v sid %v; want ofrtac: and the session %s", at["jti"], at["sid"], sid)
	}
	if rt["typ"] != "Offline" || rt["exp"] != nil || body["refresh_expires_in"] != float64(0) || rt["sid"] != sid {
		t.Errorf("refresh token %v (refresh_expires_in %v); want an Offline token without exp", rt, body["refresh_expires_in"])
	}
	ts.sessions.remove("web", sid, false) // the browser session ends
	r := ts.token(t, "web", form("grant_type", "refresh_token", "refresh_token", body["refresh_token"].(string)), basic("app", "app-secret"))
	if r.status != 200 || !strings.HasPrefix(payload(t, r.json(t)["access_token"].(string))["jti"].(string), "ofrtrt:") {
		t.Errorf("offline refresh after the browser session ended: %d %s", r.status, r.body)
	}
}

// TestSSOKeepsAcrAndChecksTheUser: a client session established by single sign-on keeps acr
// "0" in its refreshed tokens (the SSO_AUTH note); and single sign-on checks the session's user
// again (after a scenario reload): a disabled user gets the login form, pending required
// actions or Verify Profile stop it (interaction_required for prompt=none).
func TestSSOKeepsAcrAndChecksTheUser(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	b := newBrowser(t, ts)
	auth := func(client, redirect string, extra ...string) string {
		return authPath(append([]string{"client_id", client, "redirect_uri", redirect, "response_type", "code"}, extra...)...)
	}
	res, _ := b.login(auth("app", "http://localhost:3000/cb"), "alice", "alice-pw")
	if c, _ := codeFrom(t, res.Header.Get("Location")); c == "" {
		t.Fatal("login failed")
	}
	res, _ = b.get(auth("single", "http://single.test/app/x"))
	code, _ := codeFrom(t, res.Header.Get("Location"))
	tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://single.test/app/x"), basic("single", "s")).json(t)
	ref := ts.token(t, "web", form("grant_type", "refresh_token", "refresh_token", tok["refresh_token"].(string)), basic("single", "s")).json(t)
	for name, body := range map[string]map[string]any{"code": tok, "refresh": ref} {
		if acr := payload(t, body["access_token"].(string))["acr"]; acr != "0" {
			t.Errorf("%s: acr %v; want 0 (single sign-on)", name, acr)
		}
	}

	reload := func(text string) {
		t.Helper()
		sc, err := scenarios.Load(scenarios.Options{Now: func() time.Time { return testNow }}, scenarios.Source{Name: "test.toml", Data: []byte(withKeys(t, text))})
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.Reload(sc); err != nil {
			t.Fatal(err)
		}
	}
	reload(strings.Replace(codeRealm, "realm = \"web\"\n", "realm = \"web\"\nverify_profile = true\n", 1)) // alice has no last name
	res, body := b.get(auth("app", "http://localhost:3000/cb"))
	if res.StatusCode != 200 || !strings.Contains(body, "Account is not fully set up") {
		t.Errorf("SSO with a profile gap: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = b.get(auth("app", "http://localhost:3000/cb", "prompt", "none"))
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "error=interaction_required") {
		t.Errorf("prompt=none with a profile gap: %s", loc)
	}
	reload(strings.Replace(codeRealm, "username = \"alice\"\n", "username = \"alice\"\nenabled = false\n", 1))
	res, body = b.get(auth("app", "http://localhost:3000/cb"))
	if res.StatusCode != 200 || !strings.Contains(body, "kc-form-login") && !strings.Contains(body, `name="username"`) {
		t.Errorf("SSO of a disabled user: %d %s; want the login form", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = b.get(auth("app", "http://localhost:3000/cb", "prompt", "none"))
	if loc := res.Header.Get("Location"); !strings.Contains(loc, "error=login_required") {
		t.Errorf("prompt=none for a disabled user: %s", loc)
	}
}
