package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// sessRealm is the realm behind the examples (alice, my-app), without the extra roles of
// testRealm so that whole documents compare, plus the clients the session endpoints refuse.
const sessRealm = `
[[realms]]
realm = "myrealm"

[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
service_accounts_enabled = true
redirect_uris = ["http://localhost:3000/*"]
web_origins = ["http://localhost:3000"]
attributes = { "post.logout.redirect.uris" = "http://localhost:3000/bye##http://localhost:3000/logged-out/*" }

[[realms.clients]]
client_id = "spa"
public_client = true
direct_access_grants_enabled = true
redirect_uris = ["http://localhost:4000/*"]
web_origins = ["+"]

[[realms.clients]]
client_id = "other-app"
secret = "other-secret"
direct_access_grants_enabled = true
attributes = { "post.logout.redirect.uris" = "-" }

[[realms.clients]]
client_id = "api"
secret = "api-secret"
bearer_only = true

[[realms.clients]]
client_id = "off"
secret = "s"
enabled = false

[[realms.users]]
id = "5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b"
username = "alice"
password = "alice-pw"
email = "alice@example.com"
email_verified = true
first_name = "Alice"
last_name = "Liddell"

[[realms.users]]
username = "bob"
password = "bob-pw"

[[realms.users]]
id = "d15ab1ed-0000-4000-8000-000000000000"
username = "gone"
password = "pw"
enabled = false

[[realms]]
realm = "other"
[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"

[[realms]]
realm = "closed"
enabled = false
[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
`

const oidcPath = "/protocol/openid-connect"

// sessLogin runs a password grant and returns the token response.
func sessLogin(t testing.TB, ts *testServer, realm string, auth map[string]string, user, pw string, extra ...string) map[string]any {
	t.Helper()
	res := ts.token(t, realm, form(append([]string{"grant_type", "password", "username", user, "password", pw}, extra...)...), auth)
	if res.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	return res.json(t)
}

// jsonStr reads a string member of a decoded JSON object.
func jsonStr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func (ts *testServer) introspectReq(t testing.TB, realm string, f url.Values, auth map[string]string) response {
	t.Helper()
	return ts.do(t, http.MethodPost, "/realms/"+realm+oidcPath+"/token/introspect", f, auth)
}

func (ts *testServer) revokeToken(t testing.TB, realm string, f url.Values, auth map[string]string) response {
	t.Helper()
	return ts.do(t, http.MethodPost, "/realms/"+realm+oidcPath+"/revoke", f, auth)
}

func (ts *testServer) userinfoGet(t testing.TB, realm, token string) response {
	t.Helper()
	return ts.do(t, http.MethodGet, "/realms/"+realm+oidcPath+"/userinfo", nil, map[string]string{"Authorization": "Bearer " + token})
}

// active introspects a token as my-app and reports the active flag.
func (ts *testServer) active(t testing.TB, realm, token string, kv ...string) bool {
	t.Helper()
	res := ts.introspectReq(t, realm, form(append([]string{"token", token}, kv...)...), basic("my-app", "my-secret"))
	if res.status != http.StatusOK {
		t.Fatalf("introspection: %d %s", res.status, res.body)
	}
	return res.json(t)["active"] == true
}

// ssoCookies is the Cookie header a browser holds after logging in to session sid: the two
// cookies setSSOCookies writes.
func ssoCookies(t testing.TB, ts *testServer, realm, sid, userID string) string {
	t.Helper()
	iss := ts.http.URL + "/realms/" + realm
	b, err := json.Marshal(identityClaims{Exp: testNow.Add(10 * time.Hour).Unix(), Iat: testNow.Unix(), Iss: iss, Sub: userID, Typ: "Serialized-ID", Sid: sid})
	if err != nil {
		t.Fatal(err)
	}
	jwt, err := ts.state.Load().realms[realm].keys.HMAC.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	return cookieIdentity + "=" + jwt + "; " + cookieSession + "=" + sessionCookieValue(sid)
}

// exampleDoc reads one of Keycloak's example documents (testdata/examples, copied from the
// shared reference) compacted, with its instance values replaced (old, new, …).
func exampleDoc(t testing.TB, name string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("%s has no %q", name, replace[i])
		}
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return s
}

// wantOAuthError checks a JSON error response.
func wantOAuthError(t testing.TB, res response, status int, code, desc string) {
	t.Helper()
	want := `{"error":"` + code + `","error_description":"` + desc + `"}`
	if res.status != status || string(res.body) != want {
		t.Errorf("got %d %s\nwant %d %s", res.status, res.body, status, want)
	}
}
