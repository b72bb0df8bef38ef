package server

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// jsonKeys returns the top-level keys of a JSON object in document order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// TestPasswordGrantIsKeycloaks checks the response and every token against the Keycloak
// examples: the response's key order, then each token's payload byte for byte apart from the
// values that differ by nature (issuer host, ids, signatures).
func TestPasswordGrantIsKeycloaks(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{Hostname: "http://localhost:8080"})
	res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "openid"), basic("my-app", "my-secret"))
	if res.status != 200 {
		t.Fatalf("password grant: %d %s", res.status, res.body)
	}
	example, err := os.ReadFile("../tokens/testdata/keycloak/token-response-password.json")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(jsonKeys(t, res.body), ","), strings.Join(jsonKeys(t, example), ","); got != want {
		t.Errorf("response keys = %s; want %s", got, want)
	}
	body := res.json(t)
	if body["expires_in"] != float64(300) || body["refresh_expires_in"] != float64(1800) || body["token_type"] != "Bearer" ||
		body["not-before-policy"] != float64(0) || body["scope"] != "openid email profile" || body["session_state"] != "00000000-0000-4000-8000-000000000001" {
		t.Errorf("response = %s", res.body)
	}
	access := rawPayload(t, body["access_token"].(string))
	wantAccess := `{"exp":1760000300,"iat":1760000000,"jti":"onrtro:00000000-0000-4000-8000-000000000002","iss":"http://localhost:8080/realms/myrealm",` +
		`"aud":["api","account"],"sub":"5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b","typ":"Bearer","azp":"my-app","sid":"00000000-0000-4000-8000-000000000001",` +
		`"acr":"1","allowed-origins":["http://localhost:3000"],"realm_access":{"roles":["default-roles-myrealm","offline_access","uma_authorization","customer"]},` +
		`"resource_access":{"api":{"roles":["reader"]},"account":{"roles":["manage-account","manage-account-links","view-profile"]}},"scope":"openid email profile",` +
		`"email_verified":true,"name":"Alice Liddell","preferred_username":"alice","given_name":"Alice","family_name":"Liddell","email":"alice@example.com"}`
	if access != wantAccess {
		t.Errorf("access token payload\n got: %s\nwant: %s", access, wantAccess)
	}
	refresh := rawPayload(t, body["refresh_token"].(string))
	wantRefresh := `{"exp":1760001800,"iat":1760000000,"jti":"00000000-0000-4000-8000-000000000003","iss":"http://localhost:8080/realms/myrealm",` +
		`"aud":"http://localhost:8080/realms/myrealm","sub":"5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b","typ":"Refresh","azp":"my-app",` +
		`"sid":"00000000-0000-4000-8000-000000000001","scope":"openid email web-origins acr basic profile roles service_account"}`
	if refresh != wantRefresh {
		t.Errorf("refresh token payload\n got: %s\nwant: %s", refresh, wantRefresh)
	}
	id := payload(t, body["id_token"].(string))
	if id["typ"] != "ID" || id["aud"] != "my-app" || id["sid"] != "00000000-0000-4000-8000-000000000001" || id["at_hash"] == nil || id["realm_access"] != nil || id["nonce"] != nil {
		t.Errorf("id token = %v", id)
	}
	for _, tok := range []string{body["access_token"].(string), body["id_token"].(string), body["refresh_token"].(string)} {
		header := strings.Split(tok, ".")[0]
		if !strings.HasPrefix(header, "eyJhbGciOiJ") {
			t.Errorf("header %q is not Keycloak's", header)
		}
	}
}

func TestShopExampleFromTheIssue(t *testing.T) {
	text, err := os.ReadFile("../scenarios/testdata/shop.toml")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, string(text), Config{})
	web := basic("web", "web-secret")
	res := ts.token(t, "shop", form("grant_type", "password", "username", "alice", "password", "alice-pw"), web)
	if res.status != 200 {
		t.Fatalf("alice: %d %s", res.status, res.body)
	}
	at := payload(t, res.json(t)["access_token"].(string))
	ra := at["resource_access"].(map[string]any)
	if got := ra["api"].(map[string]any)["roles"]; len(got.([]any)) != 1 || got.([]any)[0] != "reader" {
		t.Errorf("resource_access.api.roles = %v; want [reader]", got)
	}
	if aud := strings.Join(asStrings(at["aud"]), ","); !strings.Contains(aud, "api") || !strings.Contains(aud, "account") {
		t.Errorf("aud = %v; want api and account", at["aud"])
	}
	if at["exp"].(float64)-at["iat"].(float64) != 600 {
		t.Errorf("lifespan = %v; want the realm's 600 s", at["exp"].(float64)-at["iat"].(float64))
	}
	res = ts.token(t, "shop", form("grant_type", "client_credentials"), web)
	if res.status != 200 {
		t.Fatalf("service account: %d %s", res.status, res.body)
	}
	body := res.json(t)
	sa := payload(t, body["access_token"].(string))
	if sa["preferred_username"] != "service-account-web" || sa["client_id"] != "web" || sa["clientHost"] != "127.0.0.1" || sa["sid"] != nil ||
		!strings.HasPrefix(sa["jti"].(string), "trrtcc:") || sa["email_verified"] != false {
		t.Errorf("service-account token = %v", sa)
	}
	if _, ok := body["session_state"]; ok || body["refresh_expires_in"] != float64(0) || body["refresh_token"] != nil {
		t.Errorf("client_credentials response = %s; want no session_state nor refresh token", res.body)
	}
}

func TestRefreshAndOfflineTokens(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	app := basic("my-app", "my-secret")
	res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "openid phone"), app)
	first := res.json(t)
	ts.clock.Advance(100 * time.Second)
	res = ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", first["refresh_token"].(string)), app)
	if res.status != 200 {
		t.Fatalf("refresh: %d %s", res.status, res.body)
	}
	second := res.json(t)
	at := payload(t, second["access_token"].(string))
	if !strings.HasPrefix(at["jti"].(string), "onrtrt:") || at["sid"] != first["session_state"] || second["session_state"] != first["session_state"] ||
		second["scope"] != "openid email profile phone" || second["id_token"] == nil || second["refresh_token"] == first["refresh_token"] {
		t.Errorf("refreshed = %v / %v", second, at)
	}
	if at["iat"].(float64) != float64(testNow.Unix()+100) {
		t.Errorf("iat = %v; want the advanced clock", at["iat"])
	}
	// Narrowing drops the optional scope, never a default one.
	res = ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", second["refresh_token"].(string), "scope", "openid"), app)
	if got := res.json(t)["scope"]; got != "openid email profile" {
		t.Errorf("narrowed scope = %v", got)
	}

	res = ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "offline_access"), app)
	off := res.json(t)
	rt := payload(t, off["refresh_token"].(string))
	if rt["typ"] != "Offline" || rt["exp"] != nil || off["refresh_expires_in"] != float64(0) || off["scope"] != "email profile offline_access" {
		t.Errorf("offline = %s / %v", res.body, rt)
	}
	if jti := payload(t, off["access_token"].(string))["jti"].(string); !strings.HasPrefix(jti, "ofrtro:") {
		t.Errorf("offline access jti = %q", jti)
	}
	ts.clock.Advance(48 * time.Hour) // the online session is long gone; the offline one lives on
	res = ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", off["refresh_token"].(string)), app)
	if res.status != 200 || payload(t, res.json(t)["refresh_token"].(string))["typ"] != "Offline" {
		t.Errorf("offline refresh after 48h: %d %s", res.status, res.body)
	}
}

func TestPublicClientAndFormCredentials(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	for _, tt := range []struct {
		name   string
		form   []string
		header map[string]string
	}{
		{"public client by client_id", []string{"client_id", "spa"}, nil},
		{"client_secret_post", []string{"client_id", "my-app", "client_secret", "my-secret"}, nil},
		{"form client_id overrides basic", []string{"client_id", "spa"}, basic("my-app", "wrong")},
		{"login with e-mail", nil, basic("my-app", "my-secret")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			user := "alice"
			if tt.form == nil {
				user = "ALICE@example.com"
			}
			f := form(append([]string{"grant_type", "password", "username", user, "password", "alice-pw"}, tt.form...)...)
			res := ts.token(t, "myrealm", f, tt.header)
			if res.status != 200 || payload(t, res.json(t)["access_token"].(string))["preferred_username"] != "alice" {
				t.Errorf("got %d %s", res.status, res.body)
			}
		})
	}
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i], _ = e.(string)
		}
		return out
	}
	return nil
}

// TestRefreshScopeParameter: at the refresh grant the scope parameter must name scopes of the
// client, and then only narrows: the access token keeps the old token's scopes it names plus
// the client's defaults (a scope the token lacks is ignored, not refused), openid and the ID
// token follow the login, and the new refresh token keeps the old one's scope whole
// (TokenManager.refreshAccessToken and generateRefreshToken).
func TestRefreshScopeParameter(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	app := basic("my-app", "my-secret")
	login := func(t *testing.T, scope string) string {
		t.Helper()
		res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", scope), app)
		if res.status != 200 {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		return res.json(t)["refresh_token"].(string)
	}
	tests := []struct {
		name, login string
		scope       []string // the refresh's scope parameter, if sent
		status      int
		want        string // the granted scope, or the error_description
		idToken     bool
	}{
		{"no parameter keeps the grant", "openid phone", nil, 200, "openid email profile phone", true},
		{"narrowing drops an optional scope", "openid phone", []string{"openid"}, 200, "openid email profile", true},
		{"openid stays without being named", "openid phone", []string{"email"}, 200, "openid email profile", true},
		{"a scope the token lacks is ignored", "openid", []string{"openid phone"}, 200, "openid email profile", true},
		{"openid is not added by the refresh", "phone", []string{"openid phone"}, 200, "email profile phone", false},
		{"spaces name nothing: defaults only", "openid phone", []string{" "}, 200, "openid email profile", true},
		{"empty is an invalid scope", "openid phone", []string{""}, 400, "Invalid scopes: ", false},
		{"leading space names \"\"", "openid phone", []string{" phone"}, 400, "Invalid scopes:  phone", false},
		{"tab is no separator", "openid phone", []string{"openid\tphone"}, 400, "Invalid scopes: openid\tphone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := login(t, tt.login)
			f := form("grant_type", "refresh_token", "refresh_token", old)
			if tt.scope != nil {
				f.Set("scope", tt.scope[0])
			}
			res := ts.token(t, "myrealm", f, app)
			if tt.status != 200 {
				if res.status != tt.status || res.json(t)["error"] != "invalid_scope" || res.json(t)["error_description"] != tt.want {
					t.Fatalf("got %d %s; want %d invalid_scope %q", res.status, res.body, tt.status, tt.want)
				}
				return
			}
			if res.status != 200 {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			body := res.json(t)
			at := payload(t, body["access_token"].(string))
			if body["scope"] != tt.want || at["scope"] != tt.want {
				t.Errorf("scope: response %v, access token %v; want %q", body["scope"], at["scope"], tt.want)
			}
			if got := body["id_token"] != nil; got != tt.idToken {
				t.Errorf("id_token present = %v; want %v", got, tt.idToken)
			}
			if got, want := payload(t, body["refresh_token"].(string))["scope"], payload(t, old)["scope"]; got != want {
				t.Errorf("new refresh token scope %q; want the old one's %q", got, want)
			}
		})
	}
}

// TestClientCredentialsLegacyClientIDNote: the service-account session also carries the note
// clientId, which the "Client ID" mappers of realms exported before Keycloak 26 read.
func TestClientCredentialsLegacyClientIDNote(t *testing.T) {
	ts := newTestServer(t, `
[[realms]]
realm = "old"
[[realms.clients]]
client_id = "svc"
secret = "s"
service_accounts_enabled = true
protocol_mappers = [
  { name = "Client ID", protocol_mapper = "oidc-usersessionmodel-note-mapper", config = { "user.session.note" = "clientId", "claim.name" = "clientId", "jsonType.label" = "String", "access.token.claim" = "true" } },
]
`, Config{})
	res := ts.token(t, "old", form("grant_type", "client_credentials"), basic("svc", "s"))
	if res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	if at := payload(t, res.json(t)["access_token"].(string)); at["clientId"] != "svc" || at["client_id"] != "svc" {
		t.Errorf("clientId = %v, client_id = %v; want svc for both", at["clientId"], at["client_id"])
	}
}

// TestOfflineAccessWithoutRefreshTokens: offline sessions and their check come with the
// refresh token, so a client with use.refresh.tokens off gets an access token of its online
// session for scope=offline_access, whether or not the user may have offline tokens. The jti
// still says "of": the token asks for offline access (DefaultTokenContextEncoderProvider).
func TestOfflineAccessWithoutRefreshTokens(t *testing.T) {
	ts := newTestServer(t, `
[[realms]]
realm = "r"
[[realms.clients]]
client_id = "norefresh"
secret = "s"
direct_access_grants_enabled = true
attributes = { "use.refresh.tokens" = "false" }
[[realms.clients]]
client_id = "app"
secret = "s"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "pw"

[[realms]]
realm = "nooffline"
[realms.roles]
realm = [{ name = "default-roles-nooffline" }]
[[realms.clients]]
client_id = "norefresh"
secret = "s"
direct_access_grants_enabled = true
attributes = { "use.refresh.tokens" = "false" }
[[realms.users]]
username = "alice"
password = "pw"
`, Config{})
	// The jti says "of" for a request naming offline_access, permitted or not.
	for realm, prefix := range map[string]string{"r": "ofrtro:", "nooffline": "ofrtro:"} {
		res := ts.token(t, realm, form("grant_type", "password", "username", "alice", "password", "pw", "scope", "offline_access"), basic("norefresh", "s"))
		if res.status != 200 {
			t.Errorf("%s: %d %s; want an access token", realm, res.status, res.body)
			continue
		}
		body := res.json(t)
		at := payload(t, body["access_token"].(string))
		jti, sid := at["jti"].(string), at["sid"].(string)
		if body["refresh_token"] != nil || !strings.HasPrefix(jti, prefix) {
			t.Errorf("%s: refresh token %v, jti %s; want none and %s", realm, body["refresh_token"] != nil, jti, prefix)
		}
		if ts.sessions.get(ts.state.Load().realms[realm].model, sid, false) == nil || ts.sessions.get(ts.state.Load().realms[realm].model, sid, true) != nil {
			t.Errorf("%s: session %s should be online only", realm, sid)
		}
	}
	// With refresh tokens the same request gets an offline token (control).
	res := ts.token(t, "r", form("grant_type", "password", "username", "alice", "password", "pw", "scope", "offline_access"), basic("app", "s"))
	if rt := payload(t, res.json(t)["refresh_token"].(string)); rt["typ"] != "Offline" {
		t.Errorf("with refresh tokens: typ %v; want Offline", rt["typ"])
	}
}

// TestAcrWithoutStepUpFeature: with the step-up-authentication feature disabled there is no
// acr client scope, and initToken sets acr itself ("1", "0" after an SSO login); the ID token
// copies it.
func TestAcrWithoutStepUpFeature(t *testing.T) {
	ts := newTestServer(t, "[server]\nfeatures_disabled = [\"step-up-authentication\"]\n"+codeRealm, Config{})
	b := newBrowser(t, ts)
	auth := authPath("client_id", "app", "redirect_uri", "http://localhost:3000/cb", "response_type", "code", "scope", "openid")
	login := func(sso bool) map[string]any {
		var res *http.Response
		if sso {
			res, _ = b.get(auth)
		} else {
			res, _ = b.login(auth, "alice", "alice-pw")
		}
		code, _ := codeFrom(t, res.Header.Get("Location"))
		return ts.token(t, "web", form("grant_type", "authorization_code", "code", code, "redirect_uri", "http://localhost:3000/cb"), basic("app", "app-secret")).json(t)
	}
	for i, want := range []string{"1", "0"} { // a fresh login, then SSO
		body := login(i == 1)
		at, id := payload(t, body["access_token"].(string)), payload(t, body["id_token"].(string))
		if at["acr"] != want || id["acr"] != want || strings.Contains(body["scope"].(string), "acr") {
			t.Errorf("acr: access %v, id %v, scope %v; want %s without an acr scope", at["acr"], id["acr"], body["scope"], want)
		}
	}
}

// TestClientCredentialsOfflineRefreshToken: a client with client_credentials.use_refresh_token
// gets, for scope=offline_access, an Offline refresh token in an offline copy of its session.
func TestClientCredentialsOfflineRefreshToken(t *testing.T) {
	ts := newTestServer(t, `
[[realms]]
realm = "r"
[[realms.clients]]
client_id = "svc"
secret = "s"
service_accounts_enabled = true
attributes = { "client_credentials.use_refresh_token" = "true" }
`, Config{})
	for _, tc := range []struct{ scope, typ, jti string }{
		{"offline_access", "Offline", "ofrtcc:"},
		{"email", "Refresh", "onrtcc:"},
	} {
		res := ts.token(t, "r", form("grant_type", "client_credentials", "scope", tc.scope), basic("svc", "s"))
		if res.status != 200 {
			t.Fatalf("%s: %d %s", tc.scope, res.status, res.body)
		}
		body := res.json(t)
		rt, at := payload(t, body["refresh_token"].(string)), payload(t, body["access_token"].(string))
		if rt["typ"] != tc.typ || !strings.HasPrefix(at["jti"].(string), tc.jti) {
			t.Errorf("%s: refresh typ %v, access jti %v; want %s and %s", tc.scope, rt["typ"], at["jti"], tc.typ, tc.jti)
		}
	}
}
