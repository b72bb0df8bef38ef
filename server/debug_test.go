package server

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// debugRealm adds what the page must escape and a client with the standard exchange switch to
// the refusal tables' realms.
const debugRealm = testRealm + `
[[realms]]
realm = "escapes"
[[realms.clients]]
client_id = "x-ray"
name = "<script>alert('client')</script>"
secret = "s"
direct_access_grants_enabled = true
attributes = { "standard.token.exchange.enabled" = "true" }
redirect_uris = ["https://app.example/cb?a=1&b=<2>"]
[[realms.users]]
username = "eve"
email = "eve+<b>@example.com"
password = "pw"
`

func newDebugServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	cfg.ControlAPI = true
	return newTestServer(t, debugRealm, cfg)
}

// page GETs the debug page and returns its HTML.
func (ts *testServer) page(t testing.TB, header ...string) string {
	t.Helper()
	r := ts.ctl(t, http.MethodGet, "/_kcmock/", "", header...)
	if r.status != 200 {
		t.Fatalf("GET /_kcmock/: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q; want text/html", ct)
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q; want default-src 'none'", csp)
	}
	return string(r.body)
}

func wantInPage(t testing.TB, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

func TestDebugPageScenario(t *testing.T) {
	ts := newDebugServer(t, Config{})
	page := ts.page(t)
	wantInPage(t, page,
		// realms, with their sections
		`id="realm-myrealm"`, `id="realm-other"`, `id="realm-escapes"`, "Realm closed",
		// clients with type, flows, redirect URIs
		`<code class="client-id">my-app</code>`, `<span class="tag confidential">`, `<span class="tag public">public</span>`,
		`<span class="tag bearer-only">bearer-only</span>`, "direct access grants", "service accounts",
		`<code class="uri">http://localhost:3000/*</code>`, "built-in clients",
		// users with id, email, effective roles (direct and inherited) and service accounts
		`<code class="username">alice</code>`, "5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b", "alice@example.com",
		`<span class="chip">customer</span>`, `<span class="chip"><span class="client">api</span> reader</span>`,
		`<span class="chip inherited" title="held through a group, the default role or a composite">offline_access</span>`,
		"service account of sa-off",
		// roles with composites, scopes, keys
		"default-roles-myrealm", `<span class="client">account</span> manage-account-links`,
		"<code>writer</code>", "<code>offline_access</code>", `<span class="tag">default</span>`, `<span class="tag">optional</span>`,
		"refresh tokens: HS512",
	)
	// The standard exchange switch: on for x-ray only.
	xray := page[strings.Index(page, `<code class="client-id">x-ray</code>`):]
	xray = xray[:strings.Index(xray, "</tr>")]
	wantInPage(t, xray, `<span class="tag ok">on</span>`)

	// Scenario text is escaped everywhere.
	for _, raw := range []string{"<script>alert('client')</script>", "b=<2>", "eve+<b>@"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	wantInPage(t, page, "&lt;script&gt;alert(&#39;client&#39;)&lt;/script&gt;", "eve&#43;&lt;b&gt;@example.com")
}

func TestDebugPageJournal(t *testing.T) {
	ts := newDebugServer(t, Config{})
	if ts.Clock().Frozen() {
		t.Fatal("clock frozen")
	}
	page := ts.page(t)
	wantInPage(t, page, "Nothing yet")

	ok := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("my-app", "my-secret"))
	ok.want(t, 200, nil)
	bad := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "nope"), basic("my-app", "my-secret"))
	if bad.status != 401 {
		t.Fatalf("wrong password: %d %s", bad.status, bad.body)
	}
	refused := ts.Journal().Entries(JournalFilter{Outcome: "refused"})
	if len(refused) != 1 || refused[0].Rule == "" || refused[0].Explanation == "" {
		t.Fatalf("refused entries %+v; want one with a rule and an explanation", refused)
	}
	page = ts.page(t)
	wantInPage(t, page, `<tr class="refused">`, `<tr class="granted">`, "invalid_grant",
		html.EscapeString(refused[0].Rule), html.EscapeString(refused[0].Explanation))
	// Newest first: the refusal comes before the grant.
	if i, j := strings.Index(page, `<tr class="refused">`), strings.Index(page, `<tr class="granted">`); i > j {
		t.Errorf("the refusal (at %d) is listed after the earlier grant (at %d)", i, j)
	}

	// Only the 50 most recent.
	for i := 0; i < debugJournalSize+5; i++ {
		ts.token(t, "myrealm", form("grant_type", "client_credentials"), basic("my-app", "my-secret"))
	}
	page = ts.page(t)
	if n := strings.Count(page, `<tr class="granted">`) + strings.Count(page, `<tr class="refused">`); n != debugJournalSize {
		t.Errorf("%d journal rows; want %d", n, debugJournalSize)
	}
	if strings.Contains(page, `<tr class="refused">`) {
		t.Error("the refusal, now older than the 50 most recent entries, is still shown")
	}
}

// decode POSTs a token to the decoder as JSON.
func (ts *testServer) decode(t testing.TB, token string) decodeResult {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"token": token})
	var res decodeResult
	ts.ctl(t, http.MethodPost, "/_kcmock/decode", string(b)).want(t, 200, &res)
	return res
}

func TestDebugDecode(t *testing.T) {
	ts := newDebugServer(t, Config{})
	tok := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "openid"), basic("my-app", "my-secret")).json(t)
	access, refresh, id := tok["access_token"].(string), tok["refresh_token"].(string), tok["id_token"].(string)
	other := ts.token(t, "other", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("my-app", "my-secret")).json(t)["access_token"].(string)
	activeKid := ts.state.Load().realms["myrealm"].keys.Active.KID
	hmacKid := ts.state.Load().realms["myrealm"].keys.HMAC.KID
	unknownKid, err := ts.MintBad(ts.http.URL, "myrealm", "alice", "my-app", "unknown-kid")
	if err != nil {
		t.Fatal(err)
	}
	algNone, err := ts.MintBad(ts.http.URL, "myrealm", "alice", "my-app", "alg-none")
	if err != nil {
		t.Fatal(err)
	}
	hs256 := "eyJhbGciOiJIUzI1NiIsImtpZCI6IngifQ." + b64([]byte(`{"sub":"x"}`)) + ".c2ln"

	for _, tt := range []struct {
		name, token              string
		wantStatus, wantRealm    string
		wantKey, wantKid         string
		wantSignature            bool
		wantMessage, wantNote    string
		wantClaim, wantClaimText string
	}{
		{name: "access token", token: access, wantStatus: "verified", wantRealm: "myrealm", wantKey: "active", wantKid: activeKid,
			wantSignature: true, wantMessage: "signed with the active signing key of realm myrealm", wantNote: "is live",
			wantClaim: "preferred_username", wantClaimText: "alice"},
		{name: "pasted with Bearer", token: "Bearer " + access + "\n", wantStatus: "verified", wantRealm: "myrealm", wantSignature: true},
		{name: "ID token", token: id, wantStatus: "verified", wantRealm: "myrealm", wantSignature: true, wantNote: "typ ID"},
		{name: "the realm the issuer names first", token: other, wantStatus: "verified", wantRealm: "other", wantSignature: true},
		{name: "refresh token", token: refresh, wantStatus: "verified", wantRealm: "myrealm", wantKey: "hmac", wantKid: hmacKid,
			wantSignature: true, wantMessage: "HMAC key of realm myrealm", wantNote: "typ Refresh", wantClaim: "typ", wantClaimText: "Refresh"},
		{name: "forged access token", token: tamper(access), wantStatus: "bad-signature", wantRealm: "myrealm", wantKid: activeKid,
			wantMessage: "bad signature", wantClaim: "preferred_username", wantClaimText: "alice"},
		{name: "forged refresh token", token: tamper(refresh), wantStatus: "bad-signature", wantRealm: "myrealm", wantKey: "hmac",
			wantMessage: "HMAC key"},
		{name: "unknown kid", token: unknownKid, wantStatus: "unknown-kid", wantMessage: "no realm has a ES256 signing key"},
		{name: "alg none", token: algNone, wantStatus: "alg-none", wantMessage: "not signed"},
		{name: "HS256", token: hs256, wantStatus: "unsupported-alg", wantMessage: "HS512"},
		{name: "garbage", token: "hello world", wantStatus: "not-a-jwt", wantMessage: "not a JWT"},
		{name: "JWE", token: "a.b.c.d.e", wantStatus: "not-a-jwt", wantMessage: "JWE"},
		{name: "payload not JSON", token: "eyJhbGciOiJSUzI1NiJ9." + b64([]byte("hi")) + ".c2ln", wantStatus: "not-a-jwt", wantMessage: "payload"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.decode(t, tt.token)
			if res.Status != tt.wantStatus {
				t.Fatalf("status %q (%s); want %q", res.Status, res.Message, tt.wantStatus)
			}
			if res.Verified != (tt.wantStatus == "verified") || res.Signature != tt.wantSignature {
				t.Errorf("verified %v, signature %v; want %v, %v", res.Verified, res.Signature, tt.wantStatus == "verified", tt.wantSignature)
			}
			if res.Realm != tt.wantRealm {
				t.Errorf("realm %q; want %q", res.Realm, tt.wantRealm)
			}
			if tt.wantKey != "" && res.Key != tt.wantKey {
				t.Errorf("key %q; want %q", res.Key, tt.wantKey)
			}
			if tt.wantKid != "" && res.Kid != tt.wantKid {
				t.Errorf("kid %q; want %q", res.Kid, tt.wantKid)
			}
			if !strings.Contains(res.Message, tt.wantMessage) {
				t.Errorf("message %q; want it to contain %q", res.Message, tt.wantMessage)
			}
			if tt.wantNote != "" && !strings.Contains(strings.Join(res.Notes, "\n"), tt.wantNote) {
				t.Errorf("notes %q; want one containing %q", res.Notes, tt.wantNote)
			}
			if res.Now != testNow.Unix() {
				t.Errorf("now %d; want the server clock %d", res.Now, testNow.Unix())
			}
			if tt.wantClaim != "" {
				var claims map[string]any
				if err := json.Unmarshal(res.Claims, &claims); err != nil {
					t.Fatalf("claims %s: %v", res.Claims, err)
				}
				if got := claims[tt.wantClaim]; got != tt.wantClaimText {
					t.Errorf("claim %s = %v; want %q", tt.wantClaim, got, tt.wantClaimText)
				}
			}
		})
	}

	t.Run("expired by the server clock", func(t *testing.T) {
		ts.clock.Advance(time.Hour)
		defer ts.clock.Advance(-time.Hour)
		res := ts.decode(t, access)
		if res.Status != "expired" || res.Verified || !res.Signature || !strings.Contains(res.Message, "expired at") {
			t.Errorf("%+v; want expired with a good signature", res)
		}
	})
	t.Run("a deleted key", func(t *testing.T) {
		kid, err := ts.AddKey("other", "RS256", true)
		if err != nil {
			t.Fatal(err)
		}
		fresh := ts.token(t, "other", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("my-app", "my-secret")).json(t)["access_token"].(string)
		if res := ts.decode(t, fresh); res.Status != "verified" || res.Kid != kid {
			t.Fatalf("%+v; want verified by the new key %s", res, kid)
		}
		if res := ts.decode(t, other); res.Status != "verified" || res.Key != "passive" {
			t.Errorf("%+v; want verified by the now passive key", res)
		}
	})
}

func TestDebugDecodeInput(t *testing.T) {
	ts := newDebugServer(t, Config{})
	access := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("my-app", "my-secret")).json(t)["access_token"].(string)

	// The page's form: a browser asks for HTML and gets the page with the result.
	r := ts.do(t, http.MethodPost, "/_kcmock/decode", url.Values{"token": {access}}, map[string]string{"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("form POST: %d %s %.200s", r.status, r.header.Get("Content-Type"), r.body)
	}
	page := string(r.body)
	wantInPage(t, page, `<strong id="decode-status">verified</strong>`, `id="decode-claims"`, `&#34;preferred_username&#34;: &#34;alice&#34;`,
		`<code class="client-id">my-app</code>`, ">"+access+"</textarea>", "<td><code>exp</code></td>")

	// The same form from curl gets JSON.
	r = ts.do(t, http.MethodPost, "/_kcmock/decode", url.Values{"token": {access}}, nil)
	var res decodeResult
	r.want(t, 200, &res)
	if res.Status != "verified" {
		t.Errorf("form without Accept: %+v", res)
	}

	// Garbage in the form is shown, escaped, with its verdict.
	r = ts.do(t, http.MethodPost, "/_kcmock/decode", url.Values{"token": {"<b>x</b>"}}, map[string]string{"Accept": "text/html"})
	if r.status != 200 || strings.Contains(string(r.body), "<b>x</b>") {
		t.Errorf("garbage: %d, escaped: %v", r.status, !strings.Contains(string(r.body), "<b>x</b>"))
	}
	wantInPage(t, string(r.body), `<strong id="decode-status">not-a-jwt</strong>`, "&lt;b&gt;x&lt;/b&gt;</textarea>")

	for _, tt := range []struct {
		name, body, contentType, accept string
		wantStatus                      int
		wantBody                        string
	}{
		{"empty JSON", `{"token":""}`, "application/json", "", 400, `{"error":"token: required"}`},
		{"unknown field", `{"tokn":"x"}`, "application/json", "", 400, `unknown field \"tokn\"`},
		{"empty form", "token=", "application/x-www-form-urlencoded", "", 400, "token: required"},
		{"empty form from the page", "token=+", "application/x-www-form-urlencoded", "text/html", 400, `<div class="result bad" id="decode-result"><strong>error</strong> token: required</div>`},
		{"text body", "eyJ", "text/plain", "", 400, "as JSON or token=... as a form"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ts.ctl(t, http.MethodPost, "/_kcmock/decode", tt.body, "Content-Type", tt.contentType, "Accept", tt.accept)
			if r.status != tt.wantStatus || !strings.Contains(string(r.body), tt.wantBody) {
				t.Errorf("%d %.300s; want %d with %s", r.status, r.body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestDebugPageSecret(t *testing.T) {
	ts := newDebugServer(t, Config{ControlSecret: "s3cret"})
	for _, tt := range []struct {
		method, path string
		header       []string
		wantStatus   int
	}{
		{"GET", "/_kcmock/", nil, 401},
		{"GET", "/_kcmock", nil, 401},
		{"POST", "/_kcmock/decode", nil, 401},
		{"GET", "/_kcmock/", []string{"Authorization", "Bearer wrong"}, 401},
		{"GET", "/_kcmock/", []string{"Authorization", "Bearer s3cret"}, 200},
		{"GET", "/_kcmock", []string{"Authorization", "Bearer s3cret"}, 200},         // the redirect, followed with the header
		{"POST", "/_kcmock/decode", []string{"Authorization", "Bearer s3cret"}, 400}, // no token, but let in
	} {
		body := ""
		if tt.method == "POST" {
			body = `{}`
		}
		r := ts.ctl(t, tt.method, tt.path, body, tt.header...)
		if r.status != tt.wantStatus {
			t.Errorf("%s %s %v: %d %s; want %d", tt.method, tt.path, tt.header, r.status, r.body, tt.wantStatus)
		}
		if tt.wantStatus == 401 && string(r.body) != `{"error":"unauthorized"}` {
			t.Errorf("%s %s: body %s; want the control API's 401", tt.method, tt.path, r.body)
		}
	}
}

func TestDebugPageOff(t *testing.T) {
	ts := newTestServer(t, debugRealm, Config{})
	for _, tt := range []struct{ method, path string }{{"GET", "/_kcmock/"}, {"GET", "/_kcmock"}, {"POST", "/_kcmock/decode"}} {
		r := ts.ctl(t, tt.method, tt.path, "")
		if r.status != 404 || string(r.body) != `{"error":"Unable to find matching target resource method"}` {
			t.Errorf("%s %s: %d %s; want Keycloak's 404", tt.method, tt.path, r.status, r.body)
		}
	}
}
