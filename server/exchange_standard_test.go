package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestStandardExchangeRefusals has one row per refusal of Keycloak's standard token exchange,
// in the order Keycloak checks them: the token endpoint (E*), provider selection (supports()),
// then the provider (P1–P13).
func TestStandardExchangeRefusals(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	john, johnRefresh := subjectToken(t, ts, "x", "john")
	johnID := ts.token(t, "x", form("grant_type", "password", "username", "john", "password", "pw", "scope", "openid"), basic("subject-client", "s")).json(t)["id_token"].(string)
	otherRealm, _ := subjectToken(t, ts, "y", "john")
	offline, _ := subjectToken(t, ts, "x", "john", "scope", "offline_access")
	cc := ts.token(t, "x", form("grant_type", "client_credentials"), basic("subject-client", "s")).json(t)["access_token"].(string)
	revoked, _ := subjectToken(t, ts, "x", "john")
	ts.revoked.add(payload(t, revoked)["jti"].(string), 0)
	loggedOut, _ := subjectToken(t, ts, "x", "john")
	ts.sessions.remove("x", payload(t, loggedOut)["sid"].(string), false)

	req := basic("requester", "s")
	tests := []struct {
		name   string
		form   url.Values
		auth   map[string]string
		status int
		code   string
		desc   string
	}{
		// Token endpoint.
		{"E5 unknown client", exchangeForm(john), basic("ghost", "s"), 401, "invalid_client", "Invalid client or Invalid client credentials"},
		{"E5b wrong secret", exchangeForm(john), basic("requester", "bad"), 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"E6 bearer-only requester", exchangeForm(john), basic("target-1", "t"), 400, "invalid_client", "Bearer-only not allowed"},
		{"E7 duplicated scope", exchangeForm(john, "scope", "a", "scope", "b"), req, 400, "invalid_request", "duplicated parameter"},
		// supports(), in its order.
		{"requested_subject", exchangeForm(john, "requested_subject", "mike"), req, 400, "invalid_request", "Parameter 'requested_subject' is not supported for standard token exchange"},
		{"requested_issuer", exchangeForm(john, "requested_issuer", "google"), req, 400, "invalid_request", "Parameter 'requested_issuer' is not supported for standard token exchange"},
		{"subject_issuer", exchangeForm(john, "subject_issuer", "google"), req, 400, "invalid_request", "Parameter 'subject_issuer' is not supported for standard token exchange"},
		{"switch off", exchangeForm(john), basic("off-requester", "s"), 400, "invalid_request", "Standard token exchange is not enabled for the requested client"},
		{"no subject_token", exchangeForm(john, "subject_token", ""), req, 400, "invalid_request", "Parameter 'subject_token' required for standard token exchange"},
		{"no subject_token_type", exchangeForm(john, "subject_token_type", ""), req, 400, "invalid_request", "Parameter 'subject_token_type' required for standard token exchange"},
		{"refresh subject type", form("grant_type", grantTokenExchange, "subject_token", johnRefresh, "subject_token_type", tokenTypeRefresh), req, 400, "invalid_request", "Parameter 'subject_token' supports access tokens only"},
		{"jwt subject type", form("grant_type", grantTokenExchange, "subject_token", john, "subject_token_type", tokenTypeJWT), req, 400, "invalid_request", "Parameter 'subject_token' supports access tokens only"},
		// P1: the subject token.
		{"P1 garbage", exchangeForm("not.a.token"), req, 400, "invalid_request", "Invalid token"},
		{"P1 bad signature", exchangeForm(tamperSig(john)), req, 400, "invalid_request", "Invalid token"},
		{"P1 another realm's token", exchangeForm(otherRealm), req, 400, "invalid_request", "Invalid token"},
		{"P1 ID token", exchangeForm(johnID), req, 400, "invalid_request", "Invalid token"},
		{"P1 refresh token typed as access", exchangeForm(johnRefresh), req, 400, "invalid_request", "Invalid token"},
		{"P1 expired", exchangeForm(forge(t, ts, "x", john, func(m map[string]any) { m["exp"] = float64(testNow.Unix() - 1) })), req, 400, "invalid_request", "Invalid token"},
		{"P1 revoked", exchangeForm(revoked), req, 400, "invalid_request", "Invalid token"},
		{"P1 session gone", exchangeForm(loggedOut), req, 400, "invalid_request", "Invalid token"},
		{"P1 client disabled", exchangeForm(forge(t, ts, "x", john, func(m map[string]any) { m["azp"] = "off-client" })), req, 400, "invalid_request", "Invalid token"},
		{"P1 user disabled", exchangeForm(forge(t, ts, "x", cc, func(m map[string]any) { m["sub"] = ts.Scenario().Realm("x").User("gone").ID })), req, 400, "invalid_request", "Invalid token"},
		{"P1 alg none", exchangeForm("eyJhbGciOiJub25lIn0." + strings.Split(john, ".")[1] + "."), req, 400, "invalid_request", "Invalid token"},
		// P3–P13.
		// A parameter sent empty is a value to Keycloak (its form parser keeps "", the checks
		// test for null), never the parameter left out.
		{"empty subject_token is a token that fails P1", form("grant_type", grantTokenExchange, "subject_token", "", "subject_token_type", tokenTypeAccess), req, 400, "invalid_request", "Invalid token"},
		{"empty subject_token_type is not the access-token type", form("grant_type", grantTokenExchange, "subject_token", john, "subject_token_type", ""), req, 400, "invalid_request", "Parameter 'subject_token' supports access tokens only"},
		{"P3 empty requested_token_type", withEmpty(exchangeForm(john), "requested_token_type"), req, 400, "invalid_request", "requested_token_type unsupported"},
		{"P8 empty scope", withEmpty(exchangeForm(john), "scope"), req, 400, "invalid_scope", "Invalid scopes: "},
		{"P8 leading space: a scope named \"\"", exchangeForm(john, "scope", " optional-scope2"), req, 400, "invalid_scope", "Invalid scopes:  optional-scope2"},
		{"P3 jwt requested", exchangeForm(john, "requested_token_type", tokenTypeJWT), req, 400, "invalid_request", "requested_token_type unsupported"},
		{"P3 refresh without the client option", exchangeForm(john, "requested_token_type", tokenTypeRefresh), basic("requester-norefresh", "s"), 400, "invalid_request", "requested_token_type unsupported"},
		{"P3 before P4", exchangeForm(john, "requested_token_type", "garbage", "audience", "nobody"), req, 400, "invalid_request", "requested_token_type unsupported"},
		{"P4 audience not found", exchangeForm(john, "audience", "target-1", "audience", "nobody"), req, 400, "invalid_client", "Audience not found"},
		{"P4 before P8", exchangeForm(john, "audience", "nobody", "scope", "bogus"), req, 400, "invalid_client", "Audience not found"},
		{"P5 public requester", exchangeForm(john), map[string]string{}, 400, "invalid_client", "Public client is not allowed to exchange token"},
		{"P6 audience client disabled", exchangeForm(john, "audience", "target-off"), req, 400, "invalid_client", "Client disabled"},
		{"P7 not within the token audience", exchangeForm(john), basic("not-in-audience", "s"), 403, "access_denied", "Client is not within the token audience"},
		{"P8 invalid scope", exchangeForm(john, "scope", "openid bogus"), req, 400, "invalid_scope", "Invalid scopes: openid bogus"},
		{"P8 before P13", exchangeForm(john, "scope", "bogus", "audience", "target-3"), req, 400, "invalid_scope", "Invalid scopes: bogus"},
		{"P9 saml2", exchangeForm(john, "requested_token_type", tokenTypeSAML2), req, 400, "invalid_request", "requested_token_type unsupported"},
		{"P10 refresh from a transient session", exchangeForm(cc, "requested_token_type", tokenTypeRefresh), req, 400, "invalid_request", "Refresh token not valid as requested_token_type because creating a new session is needed"},
		{"P10 refresh from an offline session", exchangeForm(offline, "requested_token_type", tokenTypeRefresh, "scope", "offline_access"), req, 400, "invalid_request", "Refresh token not valid as requested_token_type because creating a new session is needed"},
		{"P11 offline_access with refresh", exchangeForm(john, "requested_token_type", tokenTypeRefresh, "scope", "offline_access"), req, 400, "invalid_request", "Scope offline_access not allowed for token exchange"},
		{"P12 missing consent", exchangeForm(john), basic("consent-requester", "s"), 400, "invalid_scope", "Missing consents for Token Exchange in client consent-requester"},
		{"P13 audience not available", exchangeForm(john, "audience", "target-1", "audience", "target-3"), req, 400, "invalid_request", "Requested audience not available: target-3"},
		{"P13 requester itself", exchangeForm(john, "audience", "requester"), req, 400, "invalid_request", "Requested audience not available: requester"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "P5 public requester" {
				tt.form.Set("client_id", "public-requester")
			}
			res := ts.token(t, "x", tt.form, tt.auth)
			want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
			if res.status != tt.status || string(res.body) != want {
				t.Errorf("got %d %s\nwant %d %s", res.status, res.body, tt.status, want)
			}
			checkJournalRule(t, ts, tt.name, tt.desc)
		})
	}
}

// TestExchangeFeatures: the grant exists only with an exchange feature; with the standard
// feature off and V1 off, the grant type is unknown.
func TestExchangeFeatures(t *testing.T) {
	ts := newTestServer(t, "[server]\nfeatures_disabled = [\"token-exchange-standard\"]\n"+exchangeRealm, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	res := ts.token(t, "x", exchangeForm(john), basic("requester", "s"))
	if res.status != 400 || string(res.body) != `{"error":"unsupported_grant_type","error_description":"Unsupported grant_type"}` {
		t.Errorf("got %d %s", res.status, res.body)
	}
	doc := ts.do(t, http.MethodGet, "/realms/x/.well-known/openid-configuration", nil, nil)
	if strings.Contains(string(doc.body), grantTokenExchange) {
		t.Error("discovery lists the exchange grant with both exchange features off")
	}
}
