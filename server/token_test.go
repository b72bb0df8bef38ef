package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestScopeParameterAccepted: trailing spaces and a scope of spaces only split into no empty
// name (Java drops trailing empty strings), so Keycloak grants them the client's defaults.
func TestScopeParameterAccepted(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	for _, tc := range []struct{ scope, want string }{
		{"email ", "email profile"},
		{" ", "email profile"},
		{"openid email  ", "openid email profile"},
	} {
		res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", tc.scope), basic("my-app", "my-secret"))
		if res.status != 200 {
			t.Errorf("scope %q: %d %s", tc.scope, res.status, res.body)
			continue
		}
		if got := res.json(t)["scope"]; got != tc.want {
			t.Errorf("scope %q: granted %q, want %q", tc.scope, got, tc.want)
		}
	}
}

// TestTokenRefusals covers every refusal of the token endpoint's common checks, client
// authentication and the password, client_credentials and refresh_token grants, with the
// status, error and error_description Keycloak 26.4 answers.
func TestTokenRefusals(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	app := basic("my-app", "my-secret")
	tests := []struct {
		name   string
		realm  string
		form   url.Values
		header map[string]string
		status int
		code   string
		desc   string
	}{
		// TokenEndpoint: realm, grant_type, client authentication, bearer-only, duplicates.
		{"realm disabled", "closed", form("grant_type", "password"), app, 403, "access_denied", "Realm not enabled"},
		{"missing grant_type", "myrealm", form("username", "alice"), app, 400, "invalid_request", "Missing form parameter: grant_type"},
		{"unknown grant_type", "myrealm", form("grant_type", "magic"), app, 400, "unsupported_grant_type", "Unsupported grant_type"},
		{"empty grant_type is a grant type", "myrealm", form("grant_type", ""), app, 400, "unsupported_grant_type", "Unsupported grant_type"},
		{"no client id", "myrealm", form("grant_type", "password"), nil, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"unknown client", "myrealm", form("grant_type", "password"), basic("ghost", "x"), 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"empty client_id overrides the Basic header", "myrealm", form("grant_type", "client_credentials", "client_id", ""), app, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"disabled client", "myrealm", form("grant_type", "password"), basic("off", "s"), 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"wrong secret", "myrealm", form("grant_type", "password"), basic("my-app", "nope"), 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"missing secret (post)", "myrealm", form("grant_type", "password", "client_id", "my-app"), nil, 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"confidential client without a secret configured", "myrealm", form("grant_type", "password", "client_id", "nosecret", "client_secret", ""), nil, 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		// Java's URLDecoder throws on a malformed %-escape; Keycloak fails client authentication
		// as an unexpected error, before it looks at form credentials.
		{"malformed %-escape in a Basic secret", "myrealm", form("grant_type", "client_credentials"), map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("my-app:50%"))}, 400, "unauthorized_client", "Unexpected error when authenticating client"},
		{"malformed %-escape in a Basic id, form credentials too", "myrealm", form("grant_type", "client_credentials", "client_id", "my-app", "client_secret", "my-secret"), map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("my%zzapp:x"))}, 400, "unauthorized_client", "Unexpected error when authenticating client"},
		{"unparsable basic header falls back to form", "myrealm", form("grant_type", "password"), map[string]string{"Authorization": "Basic !!!"}, 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"bearer-only client", "myrealm", form("grant_type", "client_credentials"), basic("api", "api-secret"), 400, "invalid_client", "Bearer-only not allowed"},
		{"duplicated parameter", "myrealm", url.Values{"grant_type": {"password"}, "username": {"a", "b"}}, app, 400, "invalid_request", "duplicated parameter"},
		// audience and resource repeat only in a token exchange.
		{"repeated audience outside an exchange", "myrealm", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice-pw"}, "audience": {"a", "b"}}, app, 400, "invalid_request", "duplicated parameter"},
		{"repeated resource outside an exchange", "myrealm", url.Values{"grant_type": {"client_credentials"}, "resource": {"a", "b"}}, app, 400, "invalid_request", "duplicated parameter"},
		// Password grant, in ResourceOwnerPasswordCredentialsGrantType's order.
		{"direct grants off", "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("no-direct", "s"), 400, "unauthorized_client", "Client not allowed for direct access grants"},
		{"consent required", "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw"), basic("consent", "s"), 400, "invalid_client", "Client requires user consent"},
		{"invalid scope", "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "openid bogus"), app, 400, "invalid_scope", "Invalid scopes: openid bogus"},
		{"missing username", "myrealm", form("grant_type", "password", "password", "x"), app, 401, "invalid_request", "Missing parameter: username"},
		{"unknown user", "myrealm", form("grant_type", "password", "username", "nobody", "password", "x"), app, 401, "invalid_grant", "Invalid user credentials"},
		{"empty username is a name no user has", "myrealm", form("grant_type", "password", "username", "", "password", "x"), app, 401, "invalid_grant", "Invalid user credentials"},
		{"wrong password", "myrealm", form("grant_type", "password", "username", "alice", "password", "x"), app, 401, "invalid_grant", "Invalid user credentials"},
		{"missing password", "myrealm", form("grant_type", "password", "username", "alice"), app, 401, "invalid_grant", "Invalid user credentials"},
		{"service-account user", "myrealm", form("grant_type", "password", "username", "service-account-my-app", "password", ""), app, 401, "invalid_grant", "Invalid user credentials"},
		{"disabled user (checked before the password)", "myrealm", form("grant_type", "password", "username", "disabled", "password", "wrong"), app, 400, "invalid_grant", "Account disabled"},
		{"temporary password", "myrealm", form("grant_type", "password", "username", "temp", "password", "pw"), app, 400, "invalid_grant", "Account is not fully set up"},
		{"required action", "myrealm", form("grant_type", "password", "username", "verify", "password", "pw"), app, 400, "invalid_grant", "Account is not fully set up"},
		{"offline not allowed (user lacks offline_access)", "nooffline", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "offline_access"), app, 400, "not_allowed", "Offline tokens not allowed for the user or client"},
		// client_credentials grant.
		{"cc public client", "myrealm", form("grant_type", "client_credentials", "client_id", "spa"), nil, 401, "unauthorized_client", "Public client not allowed to retrieve service account"},
		{"cc service accounts off", "myrealm", form("grant_type", "client_credentials"), basic("no-direct", "s"), 401, "unauthorized_client", "Client not enabled to retrieve service account"},
		{"cc service account disabled", "myrealm", form("grant_type", "client_credentials"), basic("sa-off", "s"), 401, "invalid_request", "User 'service-account-sa-off' disabled"},
		{"cc invalid scope", "myrealm", form("grant_type", "client_credentials", "scope", "nope"), app, 400, "invalid_scope", "Invalid scopes: nope"},
		// The scope parameter is split on single spaces (Java's split): an empty value, a leading
		// or doubled space makes a scope named "", and a tab is part of a name.
		{"empty scope", "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", ""), app, 400, "invalid_scope", "Invalid scopes: "},
		{"cc empty scope", "myrealm", form("grant_type", "client_credentials", "scope", ""), app, 400, "invalid_scope", "Invalid scopes: "},
		{"leading space", "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", " email"), app, 400, "invalid_scope", "Invalid scopes:  email"},
		{"doubled space", "myrealm", form("grant_type", "client_credentials", "scope", "email  profile"), app, 400, "invalid_scope", "Invalid scopes: email  profile"},
		{"tab between scopes", "myrealm", form("grant_type", "client_credentials", "scope", "email\tprofile"), app, 400, "invalid_scope", `Invalid scopes: email\tprofile`}, // the tab as JSON escapes it
		// refresh_token grant, before any session lookup.
		{"refresh missing", "myrealm", form("grant_type", "refresh_token"), app, 400, "invalid_request", "No refresh token"},
		{"refresh garbage", "myrealm", form("grant_type", "refresh_token", "refresh_token", "abc"), app, 400, "invalid_grant", "Invalid refresh token"},
		{"refresh empty is a token that does not verify", "myrealm", form("grant_type", "refresh_token", "refresh_token", ""), app, 400, "invalid_grant", "Invalid refresh token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.token(t, tt.realm, tt.form, tt.header)
			want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
			if res.status != tt.status || string(res.body) != want {
				t.Errorf("got %d %s\nwant %d %s", res.status, res.body, tt.status, want)
			}
			if got := res.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q; want application/json", got)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q; want no-store", got)
			}
		})
	}
}

// TestPasswordFailureStatusByVersion: 26.6 moved the password grant's invalid_grant answers
// from 401 to 400 (keycloak#46528); invalid_request and the answers that were 400 already stay.
func TestPasswordFailureStatusByVersion(t *testing.T) {
	app := basic("my-app", "my-secret")
	rows := []struct {
		name             string
		form             url.Values
		code, desc       string
		upTo265, from266 int
	}{
		{"unknown user", form("grant_type", "password", "username", "nobody", "password", "x"), "invalid_grant", "Invalid user credentials", 401, 400},
		{"wrong password", form("grant_type", "password", "username", "alice", "password", "x"), "invalid_grant", "Invalid user credentials", 401, 400},
		{"service-account user", form("grant_type", "password", "username", "service-account-my-app", "password", ""), "invalid_grant", "Invalid user credentials", 401, 400},
		{"missing username", form("grant_type", "password", "password", "x"), "invalid_request", "Missing parameter: username", 401, 401},
		{"disabled user", form("grant_type", "password", "username", "disabled", "password", "x"), "invalid_grant", "Account disabled", 400, 400},
	}
	for _, version := range []string{"26.4", "26.5.5", "26.6", "26.7"} {
		ts := newTestServer(t, "[server]\nversion = \""+version+"\"\n"+testRealm, Config{})
		after := version >= "26.6"
		for _, tt := range rows {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				status := tt.upTo265
				if after {
					status = tt.from266
				}
				res := ts.token(t, "myrealm", tt.form, app)
				want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
				if res.status != status || string(res.body) != want {
					t.Errorf("got %d %s\nwant %d %s", res.status, res.body, status, want)
				}
			})
		}
	}
}

// TestRefreshRefusals drives refresh tokens through the states Keycloak refuses.
func TestRefreshRefusals(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	app := basic("my-app", "my-secret")
	login := func(t *testing.T, realm string, h map[string]string) string {
		t.Helper()
		res := ts.token(t, realm, form("grant_type", "password", "username", "alice", "password", "alice-pw"), h)
		if res.status != 200 {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		return res.json(t)["refresh_token"].(string)
	}
	refresh := func(t *testing.T, realm, rt string, h map[string]string) response {
		return ts.token(t, realm, form("grant_type", "refresh_token", "refresh_token", rt), h)
	}
	check := func(t *testing.T, res response, status int, code, desc string) {
		t.Helper()
		want := `{"error":"` + code + `","error_description":"` + desc + `"}`
		if res.status != status || string(res.body) != want {
			t.Errorf("got %d %s\nwant %d %s", res.status, res.body, status, want)
		}
	}
	t.Run("other client", func(t *testing.T) {
		rt := login(t, "myrealm", app)
		check(t, refresh(t, "myrealm", rt, basic("narrow", "s")), 400, "invalid_grant", "Invalid refresh token. Token client and authorized client don't match")
	})
	t.Run("other issuer", func(t *testing.T) {
		rt := login(t, "other", app) // same pinned HMAC key, other realm's issuer
		check(t, refresh(t, "myrealm", rt, app), 400, "invalid_grant", "Invalid token issuer. Expected '"+ts.http.URL+"/realms/myrealm'")
	})
	t.Run("tampered", func(t *testing.T) {
		rt := login(t, "myrealm", app)
		check(t, refresh(t, "myrealm", tamperSig(rt), app), 400, "invalid_grant", "Invalid refresh token")
	})
	t.Run("access token as refresh token", func(t *testing.T) {
		res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw"), app)
		check(t, refresh(t, "myrealm", res.json(t)["access_token"].(string), app), 400, "invalid_grant", "Invalid refresh token")
	})
	t.Run("scope the client lacks", func(t *testing.T) {
		rt := login(t, "myrealm", app)
		res := ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", rt, "scope", "openid bogus"), app)
		check(t, res, 400, "invalid_scope", "Invalid scopes: openid bogus")
	})
	t.Run("scope is checked before the token", func(t *testing.T) {
		res := ts.token(t, "myrealm", form("grant_type", "refresh_token", "refresh_token", "garbage", "scope", "bogus"), app)
		check(t, res, 400, "invalid_scope", "Invalid scopes: bogus")
	})
	t.Run("expired", func(t *testing.T) {
		rt := login(t, "myrealm", app)
		ts.clock.Advance(1801 * 1e9)
		check(t, refresh(t, "myrealm", rt, app), 400, "invalid_grant", "Token is not active")
	})
	t.Run("session gone", func(t *testing.T) {
		rt := login(t, "myrealm", app)
		sid := payload(t, rt)["sid"].(string)
		ts.sessions.remove("myrealm", sid, false)
		check(t, refresh(t, "myrealm", rt, app), 400, "invalid_grant", "Session not active")
	})
	t.Run("offline session gone", func(t *testing.T) {
		res := ts.token(t, "myrealm", form("grant_type", "password", "username", "alice", "password", "alice-pw", "scope", "offline_access"), app)
		rt := res.json(t)["refresh_token"].(string)
		ts.sessions.remove("myrealm", payload(t, rt)["sid"].(string), true)
		check(t, refresh(t, "myrealm", rt, app), 400, "invalid_grant", "Offline user session not found")
	})
	t.Run("session max lifespan", func(t *testing.T) {
		start := ts.clock.Now()
		rt := login(t, "myrealm", app)
		// Keep the session alive past its 10 h max by refreshing every 20 min.
		for i := 0; i < 30; i++ {
			ts.clock.Advance(20 * 60 * 1e9)
			res := refresh(t, "myrealm", rt, app)
			if res.status != http.StatusOK {
				// At exactly 10 h the token (exp capped at the max) is still active but the
				// session is over.
				check(t, res, 400, "invalid_grant", "Session not active")
				if got := ts.clock.Now().Sub(start); got != 10*time.Hour {
					t.Errorf("session ended after %v; want 10h", got)
				}
				return
			}
			rt = res.json(t)["refresh_token"].(string)
		}
		t.Fatal("a session must not outlive sso_session_max_lifespan")
	})
}
