package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestUserinfoIsKeycloaks compares the userinfo document with Keycloak's example byte for byte:
// a HashMap, so the key order is sub, email_verified, name, preferred_username, given_name,
// family_name, email.
func TestUserinfoIsKeycloaks(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	tok := jsonStr(sessLogin(t, ts, "myrealm", basic("my-app", "my-secret"), "alice", "alice-pw", "scope", "openid"), "access_token")
	want := exampleDoc(t, "userinfo.json")
	path := "/realms/myrealm" + oidcPath + "/userinfo"
	for _, tt := range []struct {
		name   string
		method string
		form   url.Values
		header map[string]string
	}{
		{"GET with a bearer header", http.MethodGet, nil, map[string]string{"Authorization": "Bearer " + tok, "Origin": "http://localhost:3000"}},
		{"POST with a bearer header", http.MethodPost, nil, map[string]string{"Authorization": "bearer " + tok, "Origin": "http://localhost:3000"}},
		{"POST with the access_token form parameter", http.MethodPost, form("access_token", tok), map[string]string{"Origin": "http://localhost:3000"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.do(t, tt.method, path, tt.form, tt.header)
			if res.status != http.StatusOK || string(res.body) != want {
				t.Errorf("got %d %s\nwant %s", res.status, res.body, want)
			}
			if got := res.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got)
			}
			if got := res.header.Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
				t.Errorf("Access-Control-Allow-Origin = %q; want the client's web origin", got)
			}
		})
	}
	t.Run("service account in a transient session", func(t *testing.T) {
		res := ts.token(t, "myrealm", form("grant_type", "client_credentials", "scope", "openid"), basic("my-app", "my-secret"))
		sa := ts.Scenario().Realm("myrealm").User("service-account-my-app")
		got := ts.userinfoGet(t, "myrealm", jsonStr(res.json(t), "access_token"))
		want := `{"sub":"` + sa.ID + `","email_verified":false,"preferred_username":"service-account-my-app"}`
		if got.status != http.StatusOK || string(got.body) != want {
			t.Errorf("got %d %s\nwant %s", got.status, got.body, want)
		}
	})
}

// TestUserinfoRefusals has one row per refusal of UserInfoEndpoint, in its check order. The
// error is in WWW-Authenticate; the body is empty.
func TestUserinfoRefusals(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	r := ts.Scenario().Realm("myrealm")
	login := func(extra ...string) map[string]any {
		return sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", append([]string{"scope", "openid"}, extra...)...)
	}
	fresh := func() string { return jsonStr(login(), "access_token") }
	path := "/realms/myrealm" + oidcPath + "/userinfo"
	const challenge = `Bearer realm="myrealm"`
	invalid := func(desc string) string {
		return challenge + `, error="invalid_token", error_description="` + desc + `"`
	}
	// A session for a user that cannot log in, and one whose user is gone.
	session := func(userID string) string {
		tok := fresh()
		us := &userSession{id: "s-" + userID, realm: "myrealm", userID: userID, started: testNow, lastRefresh: testNow,
			clients: map[string]*clientSession{"my-app": {started: testNow, lastRefresh: testNow}}}
		ts.sessions.put(r, us)
		return forge(t, ts, "myrealm", tok, func(m map[string]any) { m["sid"], m["sub"] = us.id, userID })
	}
	tests := []struct {
		name   string
		method string
		form   url.Values
		header func() map[string]string
		status int
		want   string
	}{
		{"no token", http.MethodGet, nil, func() map[string]string { return nil }, 401, challenge},
		{"header without a token", http.MethodGet, nil, func() map[string]string { return map[string]string{"Authorization": "Bearer"} }, 401, challenge},
		{"basic scheme", http.MethodGet, nil, func() map[string]string { return basic("my-app", "my-secret") }, 401, challenge},
		{"header and form", http.MethodPost, form("access_token", "x"), func() map[string]string { return map[string]string{"Authorization": "Bearer " + fresh()} }, 400,
			challenge + `, error="invalid_request", error_description="More than one method used for including an access token"`},
		{"access_token twice", http.MethodPost, url.Values{"access_token": {"a", "b"}}, func() map[string]string { return nil }, 400,
			challenge + `, error="invalid_request", error_description="Duplicate parameter"`},
		{"garbage", http.MethodGet, nil, bearerOf(func() string { return "not.a.token" }), 401, invalid("Token verification failed")},
		{"tampered", http.MethodGet, nil, bearerOf(func() string { return tamperSig(fresh()) }), 401, invalid("Token verification failed")},
		{"other realm's token", http.MethodGet, nil, bearerOf(func() string {
			return jsonStr(sessLogin(t, ts, "other", app, "alice", "alice-pw", "scope", "openid"), "access_token")
		}), 401, invalid("Token verification failed")},
		{"refresh token", http.MethodGet, nil, bearerOf(func() string { return jsonStr(login(), "refresh_token") }), 401, invalid("Token verification failed")},
		{"ID token", http.MethodGet, nil, bearerOf(func() string { return jsonStr(login(), "id_token") }), 401, invalid("Token verification failed")},
		{"expired", http.MethodGet, nil, bearerOf(func() string {
			return forge(t, ts, "myrealm", fresh(), func(m map[string]any) { m["exp"] = testNow.Unix() - 1 })
		}), 401, invalid("Token verification failed")},
		{"no openid scope", http.MethodGet, nil, bearerOf(func() string {
			return jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw"), "access_token")
		}), 403, challenge + `, error="insufficient_scope", error_description="Missing openid scope"`},
		{"unknown client", http.MethodGet, nil, bearerOf(func() string {
			return forge(t, ts, "myrealm", fresh(), func(m map[string]any) { m["azp"] = "ghost" })
		}), 401, invalid("Client not found")},
		{"revoked", http.MethodGet, nil, bearerOf(func() string {
			tok := fresh()
			ts.revoked.add(payload(t, tok)["jti"].(string), testNow.Unix()+300)
			return tok
		}), 401, invalid("Token verification failed")},
		{"client disabled", http.MethodGet, nil, bearerOf(func() string {
			return forge(t, ts, "myrealm", fresh(), func(m map[string]any) { m["azp"] = "off" })
		}), 401, invalid("Client disabled")},
		{"logged out", http.MethodGet, nil, bearerOf(func() string {
			tok := fresh()
			ts.sessions.remove("myrealm", payload(t, tok)["sid"].(string), false)
			return tok
		}), 401, invalid("user_session_not_found")},
		{"no client session", http.MethodGet, nil, bearerOf(func() string {
			return forge(t, ts, "myrealm", fresh(), func(m map[string]any) { m["azp"] = "spa" })
		}), 401, invalid("user_session_not_found")},
		{"token older than its session", http.MethodGet, nil, bearerOf(func() string {
			return forge(t, ts, "myrealm", fresh(), func(m map[string]any) { m["iat"] = testNow.Unix() - 2 })
		}), 401, invalid("invalid_token")},
		{"user gone", http.MethodGet, nil, bearerOf(func() string { return session("no-such-user") }), 401, invalid("User not found")},
		{"user disabled", http.MethodGet, nil, bearerOf(func() string { return session(r.User("gone").ID) }), 401, invalid("User disabled")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.do(t, tt.method, path, tt.form, tt.header())
			if res.status != tt.status || res.header.Get("WWW-Authenticate") != tt.want || len(res.body) != 0 {
				t.Errorf("got %d %q %q\nwant %d %q and no body", res.status, res.header.Get("WWW-Authenticate"), res.body, tt.status, tt.want)
			}
			if got := res.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type = %q; want text/plain; charset=utf-8", got)
			}
		})
	}
	t.Run("session expired", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		tok := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid"), "access_token")
		tok = forge(t, ts, "myrealm", tok, func(m map[string]any) { m["exp"] = testNow.Add(time.Hour).Unix() })
		ts.clock.Advance(30*time.Minute + idleWindow + time.Second)
		res := ts.userinfoGet(t, "myrealm", tok)
		if got := res.header.Get("WWW-Authenticate"); got != invalid("session_expired") {
			t.Errorf("WWW-Authenticate = %q; want %q", got, invalid("session_expired"))
		}
	})
}

// bearerOf makes the Authorization header of a token made when the row runs.
func bearerOf(tok func() string) func() map[string]string {
	return func() map[string]string { return map[string]string{"Authorization": "Bearer " + tok()} }
}
