package server

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestRevokeRefusals covers TokenRevocationEndpoint's refusals in its order, including the
// 200 answers with an error body for tokens it cannot use.
func TestRevokeRefusals(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	access := func(t testing.TB) string {
		return jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid"), "access_token")
	}
	tests := []struct {
		name   string
		realm  string
		form   func(t testing.TB) url.Values
		auth   map[string]string
		status int
		code   string
		desc   string
	}{
		{"realm disabled", "closed", constForm("token", "x"), app, 403, "access_denied", "Realm not enabled"},
		{"no client", "myrealm", constForm("token", "x"), nil, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"wrong secret", "myrealm", constForm("token", "x"), basic("my-app", "nope"), 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"bearer-only client", "myrealm", constForm("token", "x"), basic("api", "api-secret"), 400, "invalid_client", "Bearer-only not allowed"},
		{"duplicated parameter", "myrealm", func(testing.TB) url.Values { return url.Values{"token": {"a", "b"}} }, app, 400, "invalid_request", "duplicated parameter"},
		{"no token", "myrealm", constForm("token_type_hint", "access_token"), app, 400, "invalid_request", "Token not provided"},
		{"garbage", "myrealm", constForm("token", "garbage"), app, 200, "invalid_token", "Invalid token"},
		{"other realm's token", "myrealm", func(t testing.TB) url.Values {
			return form("token", jsonStr(sessLogin(t, ts, "other", app, "alice", "alice-pw"), "access_token"))
		}, app, 200, "invalid_token", "Invalid token"},
		{"session gone", "myrealm", func(t testing.TB) url.Values {
			tok := access(t)
			ts.sessions.remove("myrealm", payload(t, tok)["sid"].(string), false)
			return form("token", tok)
		}, app, 200, "invalid_token", "Invalid token"},
		{"no azp", "myrealm", func(t testing.TB) url.Values {
			return form("token", forge(t, ts, "myrealm", access(t), func(m map[string]any) { delete(m, "azp") }))
		}, app, 200, "invalid_token", "Invalid token"},
		{"ID token", "myrealm", func(t testing.TB) url.Values {
			return form("token", jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid"), "id_token"))
		}, app, 400, "unsupported_token_type", "Unsupported token type"},
		{"another client's token", "myrealm", func(t testing.TB) url.Values { return form("token", access(t)) },
			basic("other-app", "other-secret"), 400, "invalid_request", "Unmatching clients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantOAuthError(t, ts.revokeToken(t, tt.realm, tt.form(t), tt.auth), tt.status, tt.code, tt.desc)
		})
	}
}

func constForm(kv ...string) func(testing.TB) url.Values {
	return func(testing.TB) url.Values { return form(kv...) }
}

// TestRevocationIsSeenEverywhere revokes access, refresh and offline tokens and checks that
// introspection, userinfo, the refresh grant and the standard token exchange all see it.
func TestRevocationIsSeenEverywhere(t *testing.T) {
	app := basic("my-app", "my-secret")
	revoke := func(t *testing.T, ts *testServer, realm, tok string, auth map[string]string) {
		t.Helper()
		res := ts.revokeToken(t, realm, form("token", tok), auth)
		if res.status != http.StatusOK || len(res.body) != 0 || res.header.Get("Content-Type") != "" {
			t.Fatalf("revoke: %d %q %q; want 200, no body, no content type", res.status, res.body, res.header.Get("Content-Type"))
		}
	}
	t.Run("access token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
		at, rt := jsonStr(m, "access_token"), jsonStr(m, "refresh_token")
		revoke(t, ts, "myrealm", at, app)
		if ts.active(t, "myrealm", at) {
			t.Error("introspection: a revoked access token must be inactive")
		}
		if got := ts.userinfoGet(t, "myrealm", at).header.Get("WWW-Authenticate"); got != `Bearer realm="myrealm", error="invalid_token", error_description="Token verification failed"` {
			t.Errorf("userinfo: %q", got)
		}
		// Only that token: the session and its refresh token live on.
		res := ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt), app)
		if res.status != http.StatusOK || !ts.active(t, "myrealm", jsonStr(res.json(t), "access_token")) {
			t.Errorf("refresh after revoking an access token: %d %s", res.status, res.body)
		}
	})
	t.Run("expired refresh token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
		ts.clock.Advance(1801 * time.Second) // past the token's exp, inside the session's idle window
		revoke(t, ts, "myrealm", jsonStr(m, "refresh_token"), app)
		if ts.sessions.count() != 0 {
			t.Error("the session of its only client must be gone")
		}
	})
	t.Run("refresh token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
		at, rt := jsonStr(m, "access_token"), jsonStr(m, "refresh_token")
		revoke(t, ts, "myrealm", rt, app)
		wantOAuthError(t, ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt), app), 400, "invalid_grant", "Session not active")
		if ts.active(t, "myrealm", at) || ts.active(t, "myrealm", rt) {
			t.Error("introspection: the session's tokens must be inactive")
		}
		if got := ts.userinfoGet(t, "myrealm", at).header.Get("WWW-Authenticate"); got != `Bearer realm="myrealm", error="invalid_token", error_description="user_session_not_found"` {
			t.Errorf("userinfo: %q", got)
		}
		wantOAuthError(t, ts.revokeToken(t, "myrealm", form("token", rt), app), 200, "invalid_token", "Invalid token")
	})
	t.Run("offline token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		rt := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "offline_access"), "refresh_token")
		revoke(t, ts, "myrealm", rt, app)
		wantOAuthError(t, ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt), app), 400, "invalid_grant", "Offline user session not found")
	})
	t.Run("token exchange subject", func(t *testing.T) {
		ts := newTestServer(t, exchangeRealm, Config{})
		sc := basic("subject-client", "s")
		for _, which := range []string{"access", "refresh"} {
			at, rt := subjectToken(t, ts, "x", "john")
			tok := at
			if which == "refresh" {
				tok = rt
			}
			revoke(t, ts, "x", tok, sc)
			res := ts.token(t, "x", exchangeForm(at), basic("requester", "s"))
			wantOAuthError(t, res, 400, "invalid_request", "Invalid token")
		}
	})
}
