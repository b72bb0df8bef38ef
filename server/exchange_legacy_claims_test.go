package server

import (
	"net/url"
	"strings"
	"testing"
)

// TestLegacyExchangeFlows checks each successful legacy flow's token: sub, azp, aud, sid (a new
// session for impersonation), the target's roles, and the refresh token V1 issues by default.
func TestLegacyExchangeFlows(t *testing.T) {
	req := basic(eftrRequester, eftrSecret)
	t.Run("impersonation for eftr-service (the EFTR walkthrough)", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
		res := ts.token(t, "EFTR", legacyForm("subject_token", admin, "subject_token_type", tokenTypeAccess, "requested_subject", "ivan", "audience", "eftr-service"), req)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		body := res.json(t)
		at := payload(t, body["access_token"].(string))
		ivan := ts.Scenario().Realm("EFTR").User("ivan")
		if at["sub"] != ivan.ID || at["preferred_username"] != "ivan" || at["azp"] != eftrRequester || at["typ"] != "Bearer" {
			t.Errorf("access token = %v", at)
		}
		if !strings.Contains(sortedStrings(at["aud"]), "eftr-service") {
			t.Errorf("aud = %v; want eftr-service in it", at["aud"])
		}
		if at["sid"] == payload(t, admin)["sid"] || at["sid"] != body["session_state"] || at["sid"] == nil {
			t.Errorf("sid = %v; want a new session (admin's is %v)", at["sid"], payload(t, admin)["sid"])
		}
		if strings.Contains(at["jti"].(string), ":") {
			t.Errorf("jti = %v; Keycloak 26.0 ids carry no context prefix", at["jti"])
		}
		if at["act"] != nil || at["impersonator"] != nil {
			t.Errorf("no act or impersonator claim without the mappers: %v", at)
		}
		if body["issued_token_type"] != tokenTypeRefresh || body["refresh_token"] == nil || body["refresh_expires_in"] != float64(1800) {
			t.Errorf("response = %s", res.body)
		}
		rt := payload(t, body["refresh_token"].(string))
		if rt["azp"] != eftrRequester || rt["sid"] != at["sid"] {
			t.Errorf("refresh token = %v", rt)
		}
		ra := at["resource_access"].(map[string]any)
		if ra["account"] == nil {
			t.Errorf("ivan's roles (default roles through eftr-service's full scope) missing: %v", ra)
		}
		// The new session lasts: the requester refreshes it as any session.
		res = ts.token(t, "EFTR", form("grant_type", "refresh_token", "refresh_token", body["refresh_token"].(string)), req)
		if res.status != 200 || payload(t, res.json(t)["access_token"].(string))["sub"] != ivan.ID {
			t.Errorf("refresh of the impersonation session: %d %s", res.status, res.body)
		}
	})

	t.Run("impersonation by user id, no audience", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
		ivan := ts.Scenario().Realm("EFTR").User("ivan")
		res := ts.token(t, "EFTR", legacyForm("subject_token", admin, "requested_subject", ivan.ID, "requested_token_type", tokenTypeAccess), req)
		body := res.json(t)
		if res.status != 200 || body["refresh_token"] != nil || body["issued_token_type"] != tokenTypeAccess {
			t.Fatalf("%d %s", res.status, res.body)
		}
		at := payload(t, body["access_token"].(string))
		if at["sub"] != ivan.ID || at["azp"] != eftrRequester {
			t.Errorf("token = %v", at)
		}
	})

	t.Run("direct naked impersonation once Users permissions allow it", func(t *testing.T) {
		ts := newTestServer(t, eftr(t, nakedAllowed...), Config{})
		res := ts.token(t, "EFTR", legacyForm("requested_subject", "ivan", "audience", "eftr-service"), req)
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		at := payload(t, res.json(t)["access_token"].(string))
		if at["preferred_username"] != "ivan" || at["azp"] != eftrRequester || at["sid"] == nil {
			t.Errorf("token = %v", at)
		}
	})

	t.Run("impersonation allowed by the Users impersonate permission instead of the role", func(t *testing.T) {
		ts := newTestServer(t, eftr(t, append(nakedAllowed, `client_roles = { realm-management = ["impersonation"] }`, ``)...), Config{})
		admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
		res := ts.token(t, "EFTR", legacyForm("subject_token", admin, "requested_subject", "ivan"), req)
		if res.status != 200 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})

	t.Run("internal to internal: own token, then to another client with permission", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		ivanTok := adminToken(t, ts, "ivan", "ivan-pw")
		sid := payload(t, ivanTok)["sid"]
		res := ts.token(t, "EFTR", legacyForm("subject_token", ivanTok), req)
		if res.status != 200 || payload(t, res.json(t)["access_token"].(string))["sid"] != sid {
			t.Errorf("to itself: %d %s", res.status, res.body)
		}
		res = ts.token(t, "EFTR", legacyForm("subject_token", ivanTok, "audience", "eftr-service", "scope", "openid"), req)
		if res.status != 200 {
			t.Fatalf("to eftr-service: %d %s", res.status, res.body)
		}
		body := res.json(t)
		at := payload(t, body["access_token"].(string))
		if at["sid"] != sid || at["azp"] != eftrRequester || !strings.Contains(sortedStrings(at["aud"]), "eftr-service") {
			t.Errorf("token = %v", at)
		}
		// scope: the subject token's scopes narrowed by the parameter; openid was not in them.
		if body["scope"] != "email profile" || body["id_token"] != nil {
			t.Errorf("scope = %v, id_token = %v", body["scope"], body["id_token"] != nil)
		}
		if ts.sessions.count() != 1 {
			t.Errorf("%d sessions; an exchange without impersonation creates none", ts.sessions.count())
		}
	})

	t.Run("scope: absent inherits the subject's, empty keeps none of them", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		res := ts.token(t, "EFTR", form("grant_type", "password", "username", "ivan", "password", "ivan-pw", "scope", "openid"), req)
		ivanTok := res.json(t)["access_token"].(string)
		for _, tc := range []struct {
			name   string
			form   url.Values
			openid bool
		}{
			{"absent", legacyForm("subject_token", ivanTok, "audience", "eftr-service"), true},
			// Keycloak intersects a given scope with the subject token's, and "" names none.
			{"empty", legacyForm("subject_token", ivanTok, "audience", "eftr-service", "scope", ""), false},
		} {
			res := ts.token(t, "EFTR", tc.form, req)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.body)
			}
			body := res.json(t)
			if got := body["id_token"] != nil; got != tc.openid || strings.Contains(body["scope"].(string), "openid") != tc.openid {
				t.Errorf("%s: scope %v, id_token %v; want openid %v", tc.name, body["scope"], got, tc.openid)
			}
		}
	})

	t.Run("scope: an empty scope claim is a scope, a missing one is not", func(t *testing.T) {
		ts := newTestServer(t, eftr(t), Config{})
		ivanTok := ts.token(t, "EFTR", form("grant_type", "password", "username", "ivan", "password", "ivan-pw"), req).json(t)["access_token"].(string)
		for _, tc := range []struct {
			name   string
			change func(map[string]any)
			openid bool
		}{
			// Keycloak tests the claim for null: "" narrows the parameter to nothing.
			{"empty claim", func(m map[string]any) { m["scope"] = "" }, false},
			{"no claim: the parameter stands", func(m map[string]any) { delete(m, "scope") }, true},
		} {
			subject := forge(t, ts, "EFTR", ivanTok, tc.change)
			res := ts.token(t, "EFTR", legacyForm("subject_token", subject, "audience", "eftr-service", "scope", "openid profile"), req)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", tc.name, res.status, res.body)
			}
			body := res.json(t)
			if got := body["id_token"] != nil; got != tc.openid {
				t.Errorf("%s: scope %v, id_token %v; want openid %v", tc.name, body["scope"], got, tc.openid)
			}
		}
	})

	t.Run("transient subject: no sid, no refresh token", func(t *testing.T) {
		ts := newTestServer(t, eftr(t, "direct_access_grants_enabled = true", "direct_access_grants_enabled = true\nservice_accounts_enabled = true"), Config{})
		cc := ts.token(t, "EFTR", form("grant_type", "client_credentials"), req).json(t)["access_token"].(string)
		res := ts.token(t, "EFTR", legacyForm("subject_token", cc), req)
		body := res.json(t)
		at := payload(t, body["access_token"].(string))
		if res.status != 200 || at["sid"] != nil || body["refresh_token"] != nil || body["issued_token_type"] != tokenTypeAccess {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
}

// TestLegacyAndStandardCoexist: on 26.4 with both features, a request is routed to the provider
// Keycloak would pick: standard when its supports() accepts it, legacy otherwise.
func TestLegacyAndStandardCoexist(t *testing.T) {
	text := eftr(t,
		`version = "26.0.1"`, `version = "26.4"`,
		"direct_access_grants_enabled = true\n", "direct_access_grants_enabled = true\nattributes = { \"standard.token.exchange.enabled\" = \"true\" }\n",
		"[[realms.users]]", "[[realms.clients]]\nclient_id = \"switch-off\"\nsecret = \"o\"\n\n[[realms.users]]",
	)
	ts := newTestServer(t, text, Config{})
	req := basic(eftrRequester, eftrSecret)
	admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
	tests := []struct {
		name     string
		form     map[string]string
		auth     map[string]string
		provider string // "standard" or "legacy"
		status   int
		body     string
	}{
		// Standard: access token by default, no refresh token, audience only narrows.
		{"plain exchange goes to standard", map[string]string{"subject_token_type": tokenTypeAccess}, req, "standard", 200, ""},
		{"requested_subject goes to legacy", map[string]string{"subject_token_type": tokenTypeAccess, "requested_subject": "ivan"}, req, "legacy", 200, ""},
		{"no subject_token_type goes to legacy", nil, req, "legacy", 200, ""},
		{"switch off goes to legacy", map[string]string{"subject_token_type": tokenTypeAccess}, basic("switch-off", "o"), "legacy", 403, `{"error":"access_denied","error_description":"Client is not within the token audience"}`},
		{"standard refuses what legacy would allow", map[string]string{"subject_token_type": tokenTypeAccess, "audience": "eftr-service"}, req, "standard", 400, `{"error":"invalid_request","error_description":"Requested audience not available: eftr-service"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := legacyForm("subject_token", admin)
			for k, v := range tt.form {
				f.Set(k, v)
			}
			res := ts.token(t, "EFTR", f, tt.auth)
			if res.status != tt.status || tt.body != "" && string(res.body) != tt.body {
				t.Fatalf("got %d %s", res.status, res.body)
			}
			if tt.status != 200 {
				return
			}
			body := res.json(t)
			jti := payload(t, body["access_token"].(string))["jti"].(string)
			switch tt.provider {
			case "standard":
				if body["issued_token_type"] != tokenTypeAccess || body["refresh_token"] != nil {
					t.Errorf("standard response = %s", res.body)
				}
			case "legacy":
				if body["issued_token_type"] != tokenTypeRefresh || body["refresh_token"] == nil {
					t.Errorf("legacy response = %s", res.body)
				}
			}
			if !strings.Contains(jti, "rtte:") {
				t.Errorf("jti = %s; want the token-exchange context on 26.4", jti)
			}
		})
	}
}

// TestLegacyExchangeOfflineAccess: the legacy exchange does not refuse offline_access (only
// the standard one does): a refresh token for a request naming it is an Offline token, in an
// offline copy of the new session. (A direct naked impersonation, so that the scope parameter
// is not narrowed by a subject token's scopes.)
func TestLegacyExchangeOfflineAccess(t *testing.T) {
	ts := newTestServer(t, eftr(t, nakedAllowed...), Config{})
	req := basic(eftrRequester, eftrSecret)
	for _, tc := range []struct {
		scope, typ string
		exp        bool
	}{
		{"offline_access", "Offline", false},
		{"email", "Refresh", true},
	} {
		res := ts.token(t, "EFTR", legacyForm("requested_subject", "ivan", "audience", "eftr-service", "scope", tc.scope), req)
		if res.status != 200 {
			t.Fatalf("scope %s: %d %s", tc.scope, res.status, res.body)
		}
		body := res.json(t)
		rt := payload(t, body["refresh_token"].(string))
		if rt["typ"] != tc.typ || (rt["exp"] != nil) != tc.exp {
			t.Errorf("scope %s: refresh token typ %v exp %v; want %s", tc.scope, rt["typ"], rt["exp"], tc.typ)
		}
	}
}

// TestLegacyExchangeOfAnExchangedToken: on 26.2+ with both exchanges, a token the standard
// exchange put in a transient client session ("nt") is verified against a transient copy of
// its session, in V1 too: the result has the same marker, no sid, no refresh token, and the
// real session gains no client session.
func TestLegacyExchangeOfAnExchangedToken(t *testing.T) {
	text := eftr(t,
		`version = "26.0.1"`, `version = "26.4"`,
		"direct_access_grants_enabled = true\n", "direct_access_grants_enabled = true\nattributes = { \"standard.token.exchange.enabled\" = \"true\" }\n",
		"[[realms.users]]", "[[realms.clients]]\nclient_id = \"front\"\nsecret = \"f\"\ndirect_access_grants_enabled = true\n"+
			"protocol_mappers = [ { name = \"a\", protocol_mapper = \"oidc-audience-mapper\", config = { \"included.client.audience\" = \"eftr-service-impersonation\" } } ]\n\n[[realms.users]]")
	ts := newTestServer(t, text, Config{})
	req := basic(eftrRequester, eftrSecret)
	login := ts.token(t, "EFTR", form("grant_type", "password", "username", "ivan", "password", "ivan-pw"), basic("front", "f"))
	ivan := login.json(t)["access_token"].(string)
	sid := payload(t, ivan)["sid"].(string)
	// subject_token_type makes the standard exchange take it; without it, the legacy one.
	nt := ts.token(t, "EFTR", legacyForm("subject_token", ivan, "subject_token_type", tokenTypeAccess), req).json(t)["access_token"].(string)
	if jti := payload(t, nt)["jti"].(string); !strings.HasPrefix(jti, "ntrtte:") {
		t.Fatalf("standard exchange jti %s; want ntrtte:", jti)
	}
	res := ts.token(t, "EFTR", legacyForm("subject_token", nt), req)
	if res.status != 200 {
		t.Fatalf("legacy exchange of the nt token: %d %s", res.status, res.body)
	}
	body := res.json(t)
	at := payload(t, body["access_token"].(string))
	if body["refresh_token"] != nil || body["issued_token_type"] != tokenTypeAccess || at["sid"] != nil ||
		!strings.HasPrefix(at["jti"].(string), "ntrtte:") || at["sub"] != payload(t, ivan)["sub"] {
		t.Errorf("legacy result %v / %v; want an nt access token with sub, no sid, no refresh token", body, at)
	}
	us := ts.sessions.get(ts.state.Load().realms["EFTR"].model, sid, false)
	if us == nil || ts.sessions.hasClient(us, eftrRequester) {
		t.Errorf("ivan's session %v gained a client session for the requester", us)
	}
}
