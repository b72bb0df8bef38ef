package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestIntrospectionIsKeycloaks compares the introspection of alice's access token with
// Keycloak's example byte for byte (the token's claims in token order, then client_id,
// username, token_type, active), apart from the instance values jti, sid and the host.
func TestIntrospectionIsKeycloaks(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	tok := jsonStr(sessLogin(t, ts, "myrealm", basic("my-app", "my-secret"), "alice", "alice-pw", "scope", "openid"), "access_token")
	claims := payload(t, tok)
	want := exampleDoc(t, "introspection-active.json",
		"onrtro:3f6c2b8e-9d14-4a77-b2e5-71c0a9d4e6f2", claims["jti"].(string),
		"8d3f0c2a-6b1e-4f7d-a9c5-2e4b6d8f0a1c", claims["sid"].(string),
		"http://localhost:8080", ts.http.URL)
	res := ts.introspectReq(t, "myrealm", form("token", tok), basic("my-app", "my-secret"))
	if res.status != http.StatusOK || string(res.body) != want {
		t.Errorf("got %d %s\nwant %s", res.status, res.body, want)
	}
	if ct, cc := res.header.Get("Content-Type"), res.header.Get("Cache-Control"); ct != "application/json" || cc != "no-cache" {
		t.Errorf("Content-Type %q, Cache-Control %q; want application/json, no-cache", ct, cc)
	}
	res = ts.introspectReq(t, "myrealm", form("token", "garbage"), basic("my-app", "my-secret"))
	if want := exampleDoc(t, "introspection-inactive.json"); res.status != http.StatusOK || string(res.body) != want {
		t.Errorf("got %d %s\nwant %s", res.status, res.body, want)
	}
}

// TestIntrospectionRefusals covers TokenIntrospectionEndpoint's refusals in its order.
func TestIntrospectionRefusals(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	authFailed := [3]string{"401", "invalid_request", "Authentication failed."}
	tests := []struct {
		name  string
		realm string
		form  url.Values
		auth  map[string]string
		want  [3]string
	}{
		{"realm disabled", "closed", form("token", "x"), app, [3]string{"403", "access_denied", "Realm not enabled"}},
		{"no client", "myrealm", form("token", "x"), nil, authFailed},
		{"unknown client", "myrealm", form("token", "x"), basic("ghost", "x"), authFailed},
		{"wrong secret", "myrealm", form("token", "x"), basic("my-app", "nope"), authFailed},
		{"disabled client", "myrealm", form("token", "x"), basic("off", "s"), authFailed},
		{"public client", "myrealm", form("token", "x", "client_id", "spa"), nil, [3]string{"403", "invalid_request", "Client not allowed."}},
		{"duplicated parameter", "myrealm", url.Values{"token": {"a", "b"}}, app, [3]string{"400", "invalid_request", "duplicated parameter"}},
		{"no token", "myrealm", form("token_type_hint", "access_token"), app, [3]string{"400", "invalid_request", "Token not provided."}},
		{"JSON body", "myrealm", nil, map[string]string{"Authorization": app["Authorization"], "Content-Type": "application/json"}, [3]string{"400", "invalid_request", "Token not provided."}},
		{"unknown hint", "myrealm", form("token", "x", "token_type_hint", "id_token"), app, [3]string{"400", "invalid_request", "Unsupported token type [id_token]."}},
		{"empty hint", "myrealm", form("token", "x", "token_type_hint", ""), app, [3]string{"400", "invalid_request", "Unsupported token type []."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.introspectReq(t, tt.realm, tt.form, tt.auth)
			status := map[string]int{"400": 400, "401": 401, "403": 403}[tt.want[0]]
			wantOAuthError(t, res, status, tt.want[1], tt.want[2])
		})
	}
}

// TestIntrospectionActive drives tokens through the states introspection tells apart. The
// token type is not checked with the default hint (Keycloak's verifier only checks the realm
// URL), so refresh and ID tokens of a live session are active too.
func TestIntrospectionActive(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	login := func(t testing.TB, scope string) map[string]any {
		return sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", scope)
	}
	at := func(t testing.TB) string { return jsonStr(login(t, "openid"), "access_token") }
	tests := []struct {
		name      string
		token     func(t testing.TB) string
		hint      []string
		active    bool
		tokenType string
	}{
		{"access token", at, nil, true, "Bearer"},
		{"access token, requesting_party_token hint", at, []string{"token_type_hint", "requesting_party_token"}, true, "Bearer"},
		{"access token, refresh_token hint", at, []string{"token_type_hint", "refresh_token"}, false, ""},
		{"refresh token", func(t testing.TB) string { return jsonStr(login(t, "openid"), "refresh_token") }, nil, true, "Refresh"},
		{"refresh token, refresh_token hint", func(t testing.TB) string { return jsonStr(login(t, "openid"), "refresh_token") }, []string{"token_type_hint", "refresh_token"}, true, "Refresh"},
		{"offline token", func(t testing.TB) string { return jsonStr(login(t, "openid offline_access"), "refresh_token") }, []string{"token_type_hint", "refresh_token"}, true, "Offline"},
		{"ID token", func(t testing.TB) string { return jsonStr(login(t, "openid"), "id_token") }, nil, true, "ID"},
		{"service account token (transient session)", func(t testing.TB) string {
			return jsonStr(ts.token(t, "myrealm", form("grant_type", "client_credentials"), app).json(t), "access_token")
		}, nil, true, "Bearer"},
		{"garbage", func(testing.TB) string { return "a.b.c" }, nil, false, ""},
		{"empty", func(testing.TB) string { return "" }, nil, false, ""},
		{"other realm's token", func(t testing.TB) string {
			return jsonStr(sessLogin(t, ts, "other", app, "alice", "alice-pw"), "access_token")
		}, nil, false, ""},
		{"expired", func(t testing.TB) string {
			return forge(t, ts, "myrealm", at(t), func(m map[string]any) { m["exp"] = testNow.Unix() - 1 })
		}, nil, false, ""},
		{"revoked", func(t testing.TB) string {
			tok := at(t)
			ts.revoked.add(payload(t, tok)["jti"].(string), testNow.Unix()+300)
			return tok
		}, nil, false, ""},
		{"logged out", func(t testing.TB) string {
			tok := at(t)
			ts.sessions.remove("myrealm", payload(t, tok)["sid"].(string), false)
			return tok
		}, nil, false, ""},
		{"client disabled", func(t testing.TB) string {
			return forge(t, ts, "myrealm", at(t), func(m map[string]any) { m["azp"] = "off" })
		}, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.introspectReq(t, "myrealm", form(append([]string{"token", tt.token(t)}, tt.hint...)...), app)
			body := res.json(t)
			if res.status != http.StatusOK || body["active"] != tt.active || jsonStr(body, "token_type") != tt.tokenType {
				t.Errorf("got %d %s; want active %v, token_type %q", res.status, res.body, tt.active, tt.tokenType)
			}
			if !tt.active && string(res.body) != `{"active":false}` {
				t.Errorf("inactive body = %s", res.body)
			}
		})
	}
	t.Run("expires with the clock", func(t *testing.T) {
		tok := at(t)
		ts.clock.Advance(301 * time.Second)
		if ts.active(t, "myrealm", tok) {
			t.Error("an access token past its exp must be inactive")
		}
	})
}

// TestIntrospectionDocuments checks the documents beyond the example: a refresh token keeps
// its own aud, type and scope and gains the mapped claims; a service-account token, whose
// transient session is rebuilt without notes, gets client_id appended; an impersonation
// session adds act before token_type.
func TestIntrospectionDocuments(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	iss := ts.http.URL + "/realms/myrealm"
	t.Run("refresh token", func(t *testing.T) {
		rt := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid"), "refresh_token")
		res := ts.introspectReq(t, "myrealm", form("token", rt, "token_type_hint", "refresh_token"), app)
		body := res.json(t)
		if got := sortedStrings(body["aud"]); got != sortedStrings([]any{iss, "account"}) {
			t.Errorf("aud = %v; want the issuer, then the mapped audience", body["aud"])
		}
		if body["scope"] != payload(t, rt)["scope"] || body["preferred_username"] != "alice" || body["realm_access"] == nil {
			t.Errorf("body = %s", res.body)
		}
		if got := strings.Join(jsonKeys(t, res.body), ","); !strings.HasSuffix(got, ",email,client_id,username,token_type,active") {
			t.Errorf("keys = %s", got)
		}
	})
	t.Run("service account", func(t *testing.T) {
		tok := jsonStr(ts.token(t, "myrealm", form("grant_type", "client_credentials"), app).json(t), "access_token")
		res := ts.introspectReq(t, "myrealm", form("token", tok), app)
		body := res.json(t)
		if body["clientHost"] != nil || body["client_id"] != "my-app" || body["username"] != "service-account-my-app" {
			t.Errorf("body = %s", res.body)
		}
		if got := strings.Join(jsonKeys(t, res.body), ","); !strings.HasSuffix(got, ",preferred_username,client_id,username,token_type,active") {
			t.Errorf("keys = %s", got)
		}
	})
	t.Run("impersonation session", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		req := basic(eftrRequester, eftrSecret)
		admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
		res := ts.token(t, "EFTR", legacyForm("subject_token", admin, "subject_token_type", tokenTypeAccess, "requested_subject", "ivan", "audience", "eftr-service"), req)
		res = ts.introspectReq(t, "EFTR", form("token", jsonStr(res.json(t), "access_token")), req)
		if !strings.HasSuffix(string(res.body), `,"client_id":"eftr-service-impersonation","username":"ivan","act":{"sub":"admin_impersonation"},"token_type":"Bearer","active":true}`) {
			t.Errorf("body = %s", res.body)
		}
		// The admin's own token has no act.
		if res = ts.introspectReq(t, "EFTR", form("token", admin), req); strings.Contains(string(res.body), `"act"`) {
			t.Errorf("body = %s", res.body)
		}
	})
	t.Run("bearer-only clients may introspect", func(t *testing.T) {
		tok := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw"), "access_token")
		if res := ts.introspectReq(t, "myrealm", form("token", tok), basic("api", "api-secret")); res.json(t)["active"] != true {
			t.Errorf("got %s", res.body)
		}
	})
}
