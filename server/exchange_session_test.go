package server

import (
	"strings"
	"testing"
	"time"
)

// TestStandardExchangeOfAnExchangedToken: a subject token that was itself exchanged into a
// transient client session ("nt") is verified against a transient copy of its user session,
// so it can yield no refresh token (P10) and its results are "nt" again, even when the
// requester holds a client session in the real user session.
func TestStandardExchangeOfAnExchangedToken(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	req := basic("requester", "s")
	john, _ := subjectToken(t, ts, "x", "john")
	first := ts.token(t, "x", exchangeForm(john), req).json(t)["access_token"].(string)
	if jti := payload(t, first)["jti"].(string); !strings.HasPrefix(jti, "ntrtte:") {
		t.Fatalf("first exchange jti %q; want ntrtte:", jti)
	}

	res := ts.token(t, "x", exchangeForm(first, "requested_token_type", tokenTypeRefresh), req)
	want := `{"error":"invalid_request","error_description":"Refresh token not valid as requested_token_type because creating a new session is needed"}`
	if res.status != 400 || string(res.body) != want {
		t.Errorf("refresh from an nt subject: %d %s; want 400 %s", res.status, res.body, want)
	}

	// The requester gets a client session of its own in john's session...
	if r := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh), req); r.status != 200 {
		t.Fatalf("refresh exchange: %d %s", r.status, r.body)
	}
	for _, tc := range []struct {
		name, subject, prefix string
	}{
		{"john's own token now uses it", john, "onrtte:"},
		{"the nt token still gets a transient client session", first, "ntrtte:"},
	} {
		res := ts.token(t, "x", exchangeForm(tc.subject), req)
		if res.status != 200 {
			t.Fatalf("%s: %d %s", tc.name, res.status, res.body)
		}
		if jti := payload(t, res.json(t)["access_token"].(string))["jti"].(string); !strings.HasPrefix(jti, tc.prefix) {
			t.Errorf("%s: jti %q; want %s", tc.name, jti, tc.prefix)
		}
	}
}

// TestStandardExchangeIDToken: an ID token issued alone (requested_token_type=id_token) has no
// at_hash; one issued beside an access token (scope openid) has the access token's.
func TestStandardExchangeIDToken(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	alone := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeID), basic("requester", "s")).json(t)
	id := payload(t, alone["access_token"].(string))
	if _, ok := id["at_hash"]; ok || id["typ"] != "ID" || alone["token_type"] != "N_A" {
		t.Errorf("ID token alone = %v (token_type %v); want typ ID, no at_hash, N_A", id, alone["token_type"])
	}
	beside := ts.token(t, "x", exchangeForm(john, "scope", "openid"), basic("requester", "s")).json(t)
	id = payload(t, beside["id_token"].(string))
	if id["at_hash"] == nil || id["at_hash"] == "" {
		t.Errorf("ID token beside an access token = %v; want at_hash", id)
	}
}

// TestStandardExchangeRefreshKeepsSessionAlive: issuing a refresh token by exchange refreshes
// the user and client sessions (generateRefreshToken), so the session idles from the exchange,
// not from the login.
func TestStandardExchangeRefreshKeepsSessionAlive(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	john = forge(t, ts, "x", john, func(m map[string]any) { m["exp"] = float64(testNow.Unix() + 3600) })
	ts.clock.Advance(20 * time.Minute) // the realm's SSO idle timeout is 30 min
	res := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh), basic("requester", "s"))
	if res.status != 200 {
		t.Fatalf("exchange: %d %s", res.status, res.body)
	}
	ts.clock.Advance(15 * time.Minute) // 35 min after the login, 15 after the exchange
	r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", res.json(t)["refresh_token"].(string)), basic("requester", "s"))
	if r.status != 200 {
		t.Errorf("refresh 15 min after the exchange: %d %s; want 200", r.status, r.body)
	}
}

// TestStandardExchangeReqAudIsASet: the refresh token keeps the requested audience as a set of
// client ids (each once, in Java HashSet order), however often it was repeated.
func TestStandardExchangeReqAudIsASet(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	res := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh,
		"audience", "target-2", "audience", "target-1", "audience", "target-2"), basic("requester", "s"))
	if res.status != 200 {
		t.Fatalf("exchange: %d %s", res.status, res.body)
	}
	got := strings.Join(asStrings(payload(t, res.json(t)["refresh_token"].(string))["req-aud"]), ",")
	if got != "target-1,target-2" {
		t.Errorf("req-aud = %s; want target-1,target-2", got)
	}
}

// TestExchangeSubjectWithoutSub: Keycloak's token verifier requires a subject, so a token
// without sub (its client lacks a sub mapper) is no subject token, in either exchange.
func TestExchangeSubjectWithoutSub(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	nosub := forge(t, ts, "x", john, func(m map[string]any) { delete(m, "sub") })
	res := ts.token(t, "x", exchangeForm(nosub), basic("requester", "s"))
	if want := `{"error":"invalid_request","error_description":"Invalid token"}`; res.status != 400 || string(res.body) != want {
		t.Errorf("subject without sub: %d %s; want 400 %s", res.status, res.body, want)
	}
	if res := ts.token(t, "x", exchangeForm(john), basic("requester", "s")); res.status != 200 {
		t.Errorf("the same token with its sub: %d %s", res.status, res.body)
	}
}

// TestTransientSessionTokensNameTheUser: initToken sets sub for a transient user session
// (client_credentials) whatever the client's mappers; an online session's token has sub only
// from a sub mapper (the basic scope's).
func TestTransientSessionTokensNameTheUser(t *testing.T) {
	ts := newTestServer(t, `
[[realms]]
realm = "nb"
[[realms.clients]]
client_id = "nobasic"
secret = "s"
direct_access_grants_enabled = true
service_accounts_enabled = true
default_client_scopes = ["profile"]
[[realms.users]]
username = "alice"
password = "pw"
`, Config{})
	app := basic("nobasic", "s")
	cc := ts.token(t, "nb", form("grant_type", "client_credentials"), app)
	pw := ts.token(t, "nb", form("grant_type", "password", "username", "alice", "password", "pw"), app)
	if cc.status != 200 || pw.status != 200 {
		t.Fatalf("logins: %d %s / %d %s", cc.status, cc.body, pw.status, pw.body)
	}
	sa := payload(t, cc.json(t)["access_token"].(string))
	if sa["sub"] == nil || sa["preferred_username"] != "service-account-nobasic" {
		t.Errorf("client_credentials token = %v; want sub (transient session)", sa)
	}
	if at := payload(t, pw.json(t)["access_token"].(string)); at["sub"] != nil {
		t.Errorf("password token sub = %v; want none without the basic scope", at["sub"])
	}
}

// TestRevocationChain: a client session that got a refresh token by standard exchange
// remembers the subject token's client (and, when the subject token was itself exchanged, that
// client's own sources); revoking a token of one of them detaches it
// (TokenRevocationEndpoint.revokeTokenExchangeSession). A user session left without clients
// ends.
func TestRevocationChain(t *testing.T) {
	realm := strings.Replace(exchangeRealm, `client_id = "chain-requester"
secret = "s"
attributes = { "standard.token.exchange.enabled" = "true" }`, `client_id = "chain-requester"
secret = "s"
attributes = { "standard.token.exchange.enabled" = "true", "standard.token.exchange.enableRefreshRequestedTokenType" = "SAME_SESSION" }`, 1)
	subjectC, requester, chain := basic("subject-client", "s"), basic("requester", "s"), basic("chain-requester", "s")
	type chainTokens struct {
		johnAccess, johnRefresh, reqAccess, reqRefresh, chainRefresh string
	}
	// setup: john logs in at subject-client; requester exchanges his token for a refresh token;
	// chain-requester exchanges requester's exchanged access token for one too.
	setup := func(t *testing.T, ts *testServer) chainTokens {
		var ct chainTokens
		ct.johnAccess, ct.johnRefresh = subjectToken(t, ts, "x", "john")
		r := ts.token(t, "x", exchangeForm(ct.johnAccess, "requested_token_type", tokenTypeRefresh), requester)
		if r.status != 200 {
			t.Fatalf("requester's exchange: %d %s", r.status, r.body)
		}
		ct.reqAccess, ct.reqRefresh = r.json(t)["access_token"].(string), r.json(t)["refresh_token"].(string)
		r = ts.token(t, "x", exchangeForm(ct.reqAccess, "requested_token_type", tokenTypeRefresh), chain)
		if r.status != 200 {
			t.Fatalf("chain-requester's exchange: %d %s", r.status, r.body)
		}
		ct.chainRefresh = r.json(t)["refresh_token"].(string)
		return ct
	}
	const detached = `{"error":"invalid_grant","error_description":"Session doesn't have required client"}`
	const ended = `{"error":"invalid_grant","error_description":"Session not active"}`
	tests := []struct {
		name              string
		revoke            func(ct chainTokens) string
		by                map[string]string
		subject, req, chn string // what a refresh by each client then answers ("" = 200)
	}{
		{"the subject's access token: both exchanges follow", func(ct chainTokens) string { return ct.johnAccess }, subjectC, "", detached, detached},
		{"the subject's refresh token: nothing is left, the session ends", func(ct chainTokens) string { return ct.johnRefresh }, subjectC, ended, ended, ended},
		{"requester's access token: only what came from it", func(ct chainTokens) string { return ct.reqAccess }, requester, "", "", detached},
		{"requester's refresh token: itself and what came from it", func(ct chainTokens) string { return ct.reqRefresh }, requester, "", detached, detached},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, realm, Config{})
			ct := setup(t, ts)
			if r := ts.revokeToken(t, "x", form("token", tt.revoke(ct)), tt.by); r.status != 200 {
				t.Fatalf("revoke: %d %s", r.status, r.body)
			}
			for _, c := range []struct {
				who, rt, want string
				auth          map[string]string
			}{
				{"subject-client", ct.johnRefresh, tt.subject, subjectC},
				{"requester", ct.reqRefresh, tt.req, requester},
				{"chain-requester", ct.chainRefresh, tt.chn, chain},
			} {
				if c.rt == tt.revoke(ct) {
					continue // the revoked refresh token itself
				}
				r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", c.rt), c.auth)
				switch {
				case c.want == "" && r.status != 200:
					t.Errorf("%s's refresh: %d %s; want 200", c.who, r.status, r.body)
				case c.want != "" && (r.status != 400 || string(r.body) != c.want):
					t.Errorf("%s's refresh: %d %s; want 400 %s", c.who, r.status, r.body, c.want)
				}
			}
		})
	}
}

// TestStandardExchangeSessionDetails: tokens of transient client sessions always name their
// user (initToken, for the transient copy they are built on), even for a requester without the
// basic scope; an access token of a persistent session whose request named offline_access is
// "of"; and a refused refresh-type exchange leaves the session's idle clock alone.
func TestStandardExchangeSessionDetails(t *testing.T) {
	realm := strings.Replace(exchangeRealm, `  { name = "a5", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "off-requester" } },`,
		`  { name = "a5", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "off-requester" } },
  { name = "a6", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "nobasic" } },`, 1)
	realm = strings.Replace(realm, "[[realms.clients]]\nclient_id = \"not-in-audience\"", `[[realms.clients]]
client_id = "nobasic"
secret = "s"
default_client_scopes = ["profile", "email", "roles", "web-origins", "acr"]
attributes = { "standard.token.exchange.enabled" = "true" }

[[realms.clients]]
client_id = "not-in-audience"`, 1)
	ts := newTestServer(t, realm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	johnSub := payload(t, john)["sub"]

	t.Run("nt token without the basic scope has sub", func(t *testing.T) {
		res := ts.token(t, "x", exchangeForm(john), basic("nobasic", "s"))
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if at := payload(t, res.json(t)["access_token"].(string)); at["sub"] != johnSub || !strings.HasPrefix(at["jti"].(string), "ntrtte:") {
			t.Errorf("token %v; want john's sub on an nt token", at)
		}
	})
	t.Run("offline_access on a persistent session is of", func(t *testing.T) {
		if r := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh), basic("requester", "s")); r.status != 200 {
			t.Fatalf("refresh exchange: %d %s", r.status, r.body)
		}
		res := ts.token(t, "x", exchangeForm(john, "scope", "offline_access"), basic("requester", "s"))
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if jti := payload(t, res.json(t)["access_token"].(string))["jti"].(string); !strings.HasPrefix(jti, "ofrtte:") {
			t.Errorf("jti %s; want ofrtte:", jti)
		}
	})
	t.Run("a refused refresh-type exchange does not refresh the session", func(t *testing.T) {
		ts := newTestServer(t, exchangeRealm, Config{})
		john, _ := subjectToken(t, ts, "x", "john")
		sid := payload(t, john)["sid"].(string)
		john = forge(t, ts, "x", john, func(m map[string]any) { m["exp"] = float64(testNow.Unix() + 3600) })
		ts.clock.Advance(20 * time.Minute)
		res := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh, "audience", "target-3"), basic("requester", "s"))
		if res.status != 400 || !strings.Contains(string(res.body), "Requested audience not available") {
			t.Fatalf("exchange: %d %s; want the P13 refusal", res.status, res.body)
		}
		ts.clock.Advance(15 * time.Minute) // 35 min after the login: past idle 30 min + 2 min window
		if ts.sessions.get(ts.state.Load().realms["x"].model, sid, false) != nil {
			t.Error("the session is still alive: the refused exchange refreshed it")
		}
	})
}
