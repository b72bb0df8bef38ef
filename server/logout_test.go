package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLogoutWithRefreshToken is the adapters' back-channel logout: POST with refresh_token and
// client authentication, 204, the session and its tokens gone.
func TestLogoutWithRefreshToken(t *testing.T) {
	app := basic("my-app", "my-secret")
	logout := func(t testing.TB, ts *testServer, f url.Values, auth map[string]string) response {
		return ts.do(t, http.MethodPost, "/realms/myrealm"+oidcPath+"/logout", f, auth)
	}
	t.Run("ends the session", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
		at, rt := jsonStr(m, "access_token"), jsonStr(m, "refresh_token")
		if res := logout(t, ts, form("refresh_token", rt), app); res.status != http.StatusNoContent || len(res.body) != 0 {
			t.Fatalf("got %d %s; want 204", res.status, res.body)
		}
		wantOAuthError(t, ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt), app), 400, "invalid_grant", "Session not active")
		if ts.active(t, "myrealm", at) {
			t.Error("introspection: the access token of a logged-out session must be inactive")
		}
		if got := ts.userinfoGet(t, "myrealm", at).header.Get("WWW-Authenticate"); !strings.Contains(got, `error_description="user_session_not_found"`) {
			t.Errorf("userinfo: %q", got)
		}
		// Already gone: still 204.
		if res := logout(t, ts, form("refresh_token", rt), app); res.status != http.StatusNoContent {
			t.Errorf("second logout: %d %s", res.status, res.body)
		}
	})
	t.Run("expired refresh token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		rt := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw"), "refresh_token")
		ts.clock.Advance(1801 * time.Second) // the token expired, the session is in its idle window
		if res := logout(t, ts, form("refresh_token", rt), app); res.status != http.StatusNoContent || ts.sessions.count() != 0 {
			t.Errorf("got %d %s, %d sessions; want 204 and none", res.status, res.body, ts.sessions.count())
		}
	})
	t.Run("offline token", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		rt := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "offline_access"), "refresh_token")
		if res := logout(t, ts, form("refresh_token", rt), app); res.status != http.StatusNoContent {
			t.Fatalf("got %d %s", res.status, res.body)
		}
		wantOAuthError(t, ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt), app), 400, "invalid_grant", "Offline user session not found")
	})
	t.Run("public client", func(t *testing.T) {
		ts := newTestServer(t, sessRealm, Config{})
		rt := jsonStr(sessLogin(t, ts, "myrealm", nil, "alice", "alice-pw", "client_id", "spa"), "refresh_token")
		if res := logout(t, ts, form("refresh_token", rt, "client_id", "spa"), nil); res.status != http.StatusNoContent {
			t.Errorf("got %d %s", res.status, res.body)
		}
	})

	ts := newTestServer(t, sessRealm, Config{})
	refresh := func(t testing.TB) string {
		return jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw"), "refresh_token")
	}
	tests := []struct {
		name   string
		form   func(t testing.TB) url.Values
		auth   map[string]string
		status int
		code   string
		desc   string
	}{
		{"no client", constForm("refresh_token", "x"), nil, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"wrong secret", constForm("refresh_token", "x"), basic("my-app", "nope"), 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"bearer-only client", constForm("refresh_token", "x"), basic("api", "api-secret"), 400, "invalid_client", "Bearer-only not allowed"},
		// A present but empty refresh_token is a token that does not verify, not a missing one.
		{"empty refresh token", constForm("refresh_token", ""), app, 400, "invalid_grant", "Invalid refresh token"},
		{"garbage", constForm("refresh_token", "garbage"), app, 400, "invalid_grant", "Invalid refresh token"},
		{"access token", func(t testing.TB) url.Values {
			return form("refresh_token", jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw"), "access_token"))
		}, app, 400, "invalid_grant", "Invalid refresh token"},
		{"other realm's token", func(t testing.TB) url.Values {
			return form("refresh_token", jsonStr(sessLogin(t, ts, "other", app, "alice", "alice-pw"), "refresh_token"))
		}, app, 400, "invalid_grant", "Invalid token issuer. Expected '" + ts.http.URL + "/realms/myrealm'"},
		{"another client's token", func(t testing.TB) url.Values { return form("refresh_token", refresh(t)) },
			basic("other-app", "other-secret"), 400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match"},
		{"token older than its session", func(t testing.TB) url.Values {
			return form("refresh_token", resignHMAC(t, ts, refresh(t), func(m map[string]any) { m["iat"] = testNow.Unix() - 2 }))
		}, app, 400, "invalid_grant", "Toked issued before the user session started"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantOAuthError(t, logout(t, ts, tt.form(t), tt.auth), tt.status, tt.code, tt.desc)
		})
	}
}

// resignHMAC re-signs a refresh token's payload after changing its claims.
func resignHMAC(t testing.TB, ts *testServer, jwt string, change func(map[string]any)) string {
	t.Helper()
	claims := payload(t, jwt)
	change(claims)
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.state.Load().realms["myrealm"].keys.HMAC.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
