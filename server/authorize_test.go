package server

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

const codeRealm = `
[[realms]]
realm = "web"
[[realms.clients]]
id = "6f9619ff-8b86-d011-b42d-00cf4fc964ff"
client_id = "app"
secret = "app-secret"
redirect_uris = ["http://localhost:3000/*", "http://127.0.0.1/cb", "http://app.test/exact"]
[[realms.clients]]
client_id = "spa"
public_client = true
redirect_uris = ["http://localhost:5173/*"]
attributes = { "pkce.code.challenge.method" = "S256" }
[[realms.clients]]
client_id = "single"
secret = "s"
redirect_uris = ["http://single.test/app/*"]
[[realms.clients]]
client_id = "noflow"
secret = "s"
standard_flow_enabled = false
redirect_uris = ["http://localhost:3000/*"]
[[realms.clients]]
client_id = "off"
enabled = false
[[realms.clients]]
client_id = "api"
bearer_only = true
[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
[[realms.users]]
username = "dora"
password = "pw"
enabled = false
`

// browser is an HTTP client with a cookie jar that does not follow redirects.
type browser struct {
	t  *testing.T
	ts *testServer
	c  *http.Client
}

func newBrowser(t *testing.T, ts *testServer) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, ts: ts, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.ts.http.URL + u
	}
	res, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func (b *browser) post(u string, f url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.PostForm(u, f)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

var formAction = regexp.MustCompile(`action="([^"]+)"`)

// login opens the login page for an authorization URL and submits the credentials.
func (b *browser) login(authURL, user, pw string) (*http.Response, string) {
	b.t.Helper()
	res, body := b.get(authURL)
	if res.StatusCode != 200 || !strings.Contains(body, `id="kc-form-login"`) {
		b.t.Fatalf("no login page: %d %s", res.StatusCode, body)
	}
	m := formAction.FindStringSubmatch(body)
	return b.post(html.UnescapeString(m[1]), url.Values{"username": {user}, "password": {pw}})
}

func authPath(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return "/realms/web/protocol/openid-connect/auth?" + q.Encode()
}

func TestAuthorizationErrors(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	iss := url.QueryEscape(ts.http.URL + "/realms/web")
	ok := []string{"client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "state", "s1"}
	tests := []struct {
		name     string
		path     string
		status   int
		page     string // error page text, or
		location string // the redirect
	}{
		{"no client_id", authPath("response_type", "code"), 400, "Invalid Request", ""},
		{"unknown client", authPath("client_id", "ghost", "redirect_uri", "http://x", "response_type", "code"), 400, "Client not found.", ""},
		{"disabled client", authPath("client_id", "off", "response_type", "code"), 400, "Client disabled.", ""},
		{"bearer-only client", authPath("client_id", "api", "response_type", "code"), 403, "Bearer-only applications are not allowed to initiate browser login", ""},
		{"bad max_age before redirect_uri", authPath("client_id", "app", "redirect_uri", "http://evil.test/", "max_age", "abc"), 400, "Invalid Request", ""},
		{"unregistered redirect_uri", authPath("client_id", "app", "redirect_uri", "http://evil.test/cb", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		{"wildcard does not cover another port", authPath("client_id", "app", "redirect_uri", "http://localhost:30000/cb", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		{"exact URI with a query", authPath("client_id", "app", "redirect_uri", "http://app.test/exact?x=1", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		{"dot segments", authPath("client_id", "app", "redirect_uri", "http://localhost:3000/../x", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		{"openid needs a redirect_uri", authPath("client_id", "single", "scope", "openid", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		// Sent empty, a parameter is a value (Keycloak's checks test for null).
		{"empty redirect_uri matches no pattern (no single-URI fallback)", authPath("client_id", "single", "redirect_uri", "", "response_type", "code"), 400, "Invalid parameter: redirect_uri", ""},
		{"request object (not emulated)", authPath(append(ok, "request", "eyJhbGciOiJub25lIn0.eyJzdGF0ZSI6InMyIn0.")...), 400, "Invalid Request", ""},
		{"empty request object", authPath(append(ok, "request", "")...), 400, "Invalid Request", ""},
		{"request_uri (not emulated)", authPath(append(ok, "request_uri", "urn:ietf:params:oauth:request_uri:abc")...), 400, "Invalid Request", ""},
		{"PKCE: empty challenge", authPath(append(ok, "code_challenge", "")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Invalid+parameter%3A+code_challenge&state=s1&iss=" + iss},
		{"PKCE: empty method without a challenge", authPath(append(ok, "code_challenge_method", "")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Missing+parameter%3A+code_challenge&state=s1&iss=" + iss},
		{"PKCE: empty method with a challenge", authPath(append(ok, "code_challenge", strings.Repeat("a", 43), "code_challenge_method", "")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Invalid+parameter%3A+code_challenge_method&state=s1&iss=" + iss},
		{"PKCE required: empty method", authPath("client_id", "spa", "redirect_uri", "http://localhost:5173/", "response_type", "code", "code_challenge", strings.Repeat("a", 43), "code_challenge_method", ""), 302, "", "http://localhost:5173/?error=invalid_request&error_description=Invalid+parameter%3A+code+challenge+method+is+not+matching+the+configured+one&iss=" + iss},
		{"PKCE required: empty challenge", authPath("client_id", "spa", "redirect_uri", "http://localhost:5173/", "response_type", "code", "code_challenge", "", "code_challenge_method", "S256"), 302, "", "http://localhost:5173/?error=invalid_request&error_description=Invalid+parameter%3A+code_challenge&iss=" + iss},
		{"missing response_type", authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "state", "s1"), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Missing+parameter%3A+response_type&state=s1&iss=" + iss},
		{"bad response_type", authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "CODE"), 302, "", "http://localhost:3000/cb?error=unsupported_response_type&iss=" + iss},
		{"bad response_mode", authPath(append(ok, "response_mode", "web_message")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Invalid+parameter%3A+response_mode&state=s1&iss=" + iss},
		{"standard flow disabled", authPath("client_id", "noflow", "redirect_uri", "http://localhost:3000/cb", "response_type", "code"), 302, "", "http://localhost:3000/cb?error=unauthorized_client&error_description=Client+is+not+allowed+to+initiate+browser+login+with+given+response_type.+Standard+flow+is+disabled+for+the+client.&iss=" + iss},
		{"invalid scope", authPath(append(ok, "scope", "openid bogus")...), 302, "", "http://localhost:3000/cb?error=invalid_scope&error_description=Invalid+scopes%3A+openid+bogus&state=s1&iss=" + iss},
		{"empty scope", authPath(append(ok, "scope", "")...), 302, "", "http://localhost:3000/cb?error=invalid_scope&error_description=Invalid+scopes%3A+&state=s1&iss=" + iss},
		{"leading space: a scope named \"\"", authPath(append(ok, "scope", " openid")...), 302, "", "http://localhost:3000/cb?error=invalid_scope&error_description=Invalid+scopes%3A++openid&state=s1&iss=" + iss},
		// Keycloak splits on single spaces: "openid<TAB>profile" is one name, not openid, so the
		// single-URI fallback applies and the name is refused.
		{"tab is no separator", authPath("client_id", "single", "scope", "openid\tprofile", "response_type", "code"), 302, "", "http://single.test/app?error=invalid_scope&error_description=Invalid+scopes%3A+openid%09profile&iss=" + iss},
		{"PKCE required: no method", authPath("client_id", "spa", "redirect_uri", "http://localhost:5173/", "response_type", "code", "code_challenge", strings.Repeat("a", 43)), 302, "", "http://localhost:5173/?error=invalid_request&error_description=Missing+parameter%3A+code_challenge_method&iss=" + iss},
		{"PKCE required: plain refused", authPath("client_id", "spa", "redirect_uri", "http://localhost:5173/", "response_type", "code", "code_challenge", strings.Repeat("a", 43), "code_challenge_method", "plain"), 302, "", "http://localhost:5173/?error=invalid_request&error_description=Invalid+parameter%3A+code+challenge+method+is+not+matching+the+configured+one&iss=" + iss},
		{"PKCE required: no challenge", authPath("client_id", "spa", "redirect_uri", "http://localhost:5173/", "response_type", "code", "code_challenge_method", "S256"), 302, "", "http://localhost:5173/?error=invalid_request&error_description=Missing+parameter%3A+code_challenge&iss=" + iss},
		{"PKCE: bad method", authPath(append(ok, "code_challenge", strings.Repeat("a", 43), "code_challenge_method", "S512")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Invalid+parameter%3A+code_challenge_method&state=s1&iss=" + iss},
		{"PKCE: short challenge", authPath(append(ok, "code_challenge", "short")...), 302, "", "http://localhost:3000/cb?error=invalid_request&error_description=Invalid+parameter%3A+code_challenge&state=s1&iss=" + iss},
		{"prompt=none without a session", authPath(append(ok, "prompt", "none")...), 302, "", "http://localhost:3000/cb?error=login_required&state=s1&iss=" + iss},
		{"prompt=none in the fragment", authPath(append(ok, "prompt", "none", "response_mode", "fragment")...), 302, "", "http://localhost:3000/cb#error=login_required&state=s1&iss=" + iss},
		{"implicit flow", authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "token"), 302, "", "http://localhost:3000/cb#error=unauthorized_client&error_description=Client+is+not+allowed+to+initiate+browser+login+with+given+response_type.+Implicit+flow+is+disabled+for+the+client.&iss=" + iss},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, ts)
			res, body := b.get(tt.path)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d; want %d\n%s", res.StatusCode, tt.status, body)
			}
			if tt.page != "" {
				if !strings.Contains(body, "We are sorry...") || !strings.Contains(body, ">"+html.EscapeString(tt.page)+"<") || res.Header.Get("Location") != "" {
					t.Errorf("page lacks %q:\n%s", tt.page, body)
				}
				if ct := res.Header.Get("Content-Type"); ct != "text/html;charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				return
			}
			if got := res.Header.Get("Location"); got != tt.location {
				t.Errorf("Location\n got: %s\nwant: %s", got, tt.location)
			}
		})
	}
}

// TestAuthorizeBlankScope: a scope parameter of spaces only splits into no names (Java's
// split(" ") drops trailing empty strings), so it is valid and grants the default scopes, as
// at the token endpoint; only an empty one is refused.
func TestAuthorizeBlankScope(t *testing.T) {
	ts := newTestServer(t, codeRealm, Config{})
	for _, scope := range []string{" ", "   "} {
		b := newBrowser(t, ts)
		res, body := b.login(authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "scope", scope), "alice", "alice-pw")
		code, _ := codeFrom(t, res.Header.Get("Location"))
		if res.StatusCode != 302 || code == "" {
			t.Fatalf("scope %q: %d %s %s", scope, res.StatusCode, res.Header.Get("Location"), body)
		}
		tok := ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret"))
		if tok.status != 200 {
			t.Fatalf("scope %q: code grant %d %s", scope, tok.status, tok.body)
		}
		if got := tok.json(t); got["scope"] != "email profile" || got["id_token"] != nil {
			t.Errorf("scope %q: granted %v (id_token %v); want the defaults and no ID token", scope, got["scope"], got["id_token"] != nil)
		}
	}
}
