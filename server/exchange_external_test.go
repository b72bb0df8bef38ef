package server

import (
	"strings"
	"testing"

	"github.com/kcmock/kcmock/scenarios"
)

// externalRealm has a main realm "corp" trusting tokens of the realm "partner" (served by the
// same kcmock, so its keys are known without a network) through the identity provider
// partner-idp, and a second provider with a static public key. partner-idp's issuer list ends
// in a comma, which Java's split ignores: it lists no empty issuer.
func externalRealm(version string) string {
	return `
[server]
version = "` + version + `"
features = ["token-exchange", "admin-fine-grained-authz:v1"]

[[realms]]
realm = "partner"
[[realms.clients]]
client_id = "partner-app"
secret = "p"
direct_access_grants_enabled = true
[[realms.users]]
username = "pat"
password = "pw"
email = "pat@partner.test"
first_name = "Pat"
[[realms.users]]
username = "linked"
password = "pw"
[[realms.users]]
username = "taken"
password = "pw"
[[realms.users]]
username = "gina"
password = "pw"

[[realms]]
realm = "corp"
[[realms.identity_providers]]
alias = "partner-idp"
provider_id = "keycloak-oidc"
config = { issuer = "http://kc.test/realms/partner,", validateSignature = "true", useJwksUrl = "true", jwksUrl = "http://kc.test/realms/partner/protocol/openid-connect/certs", trustEmail = "true" }
[realms.identity_providers.permissions]
token-exchange = { policies = ["exchangers"] }
[[realms.identity_providers]]
alias = "generic"
provider_id = "oidc"
config = { validateSignature = "true", useJwksUrl = "true", jwksUrl = "http://kc.test/realms/partner/protocol/openid-connect/certs" }
[realms.identity_providers.permissions]
token-exchange = { policies = ["exchangers"] }
[[realms.policies]]
name = "exchangers"
type = "client"
clients = ["broker-app"]
[[realms.clients]]
client_id = "broker-app"
secret = "b"
[[realms.clients]]
client_id = "outsider"
secret = "o"
[[realms.users]]
username = "taken"
[[realms.users]]
username = "corp-linked"
enabled = true
federated_identities = [{ identity_provider = "partner-idp", user_id = "LINKED-ID", user_name = "linked" }]
[[realms.users]]
username = "corp-disabled"
enabled = false
federated_identities = [{ identity_provider = "partner-idp", user_id = "DISABLED-ID", user_name = "x" }]
`
}

func TestExternalToInternalExchange(t *testing.T) {
	ts := newTestServer(t, externalRealm("26.4"), Config{Hostname: "http://kc.test"})
	partnerToken := func(user string) string {
		res := ts.token(t, "partner", form("grant_type", "password", "username", user, "password", "pw"), basic("partner-app", "p"))
		if res.status != 200 {
			t.Fatalf("partner login: %d %s", res.status, res.body)
		}
		return res.json(t)["access_token"].(string)
	}
	pat := partnerToken("pat")
	broker := basic("broker-app", "b")
	ext := func(token string, kv ...string) map[string][]string {
		return legacyForm(append([]string{"subject_token", token, "subject_issuer", "partner-idp"}, kv...)...)
	}

	res := ts.token(t, "corp", ext(pat), broker)
	if res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	body := res.json(t)
	at := payload(t, body["access_token"].(string))
	if at["iss"] != "http://kc.test/realms/corp" || at["preferred_username"] != "pat" || at["email"] != "pat@partner.test" ||
		at["email_verified"] != true || at["azp"] != "broker-app" || at["sid"] == nil || body["issued_token_type"] != tokenTypeRefresh {
		t.Errorf("imported user's token = %v / %s", at, res.body)
	}
	// The imported user is kept and found again through the link.
	again := payload(t, ts.token(t, "corp", ext(pat), broker).json(t)["access_token"].(string))
	if again["sub"] != at["sub"] {
		t.Errorf("second exchange made another user: %v vs %v", again["sub"], at["sub"])
	}
	// A refresh of the new session works (the imported user is known to the refresh grant).
	if r := ts.token(t, "corp", form("grant_type", "refresh_token", "refresh_token", body["refresh_token"].(string)), broker); r.status != 200 {
		t.Errorf("refresh: %d %s", r.status, r.body)
	}

	forged := func(change func(map[string]any)) string { return forge(t, ts, "partner", pat, change) }
	tests := []struct {
		name   string
		form   map[string][]string
		auth   map[string]string
		status int
		code   string
		desc   string
		user   string // on success, the preferred_username the access token names
	}{
		{"issuer URL finds the provider (26.1+)", legacyForm("subject_token", pat, "subject_issuer", "http://kc.test/realms/partner"), broker, 200, "", "", "pat"},
		{"jwt type reads the issuer from the token", legacyForm("subject_token", pat, "subject_token_type", tokenTypeJWT), broker, 200, "", "", "pat"},
		{"linked user", ext(forged(func(m map[string]any) { m["sub"] = "LINKED-ID" })), broker, 200, "", "", "corp-linked"},
		{"unknown provider", legacyForm("subject_token", pat, "subject_issuer", "nobody"), broker, 400, "invalid_issuer", "Invalid subject_issuer parameter", ""},
		{"empty subject_issuer names no provider", legacyForm("subject_token", pat, "subject_issuer", ""), broker, 400, "invalid_issuer", "Invalid subject_issuer parameter", ""},
		{"jwt whose iss is empty names no provider", legacyForm("subject_token", forged(func(m map[string]any) { m["iss"] = "" }), "subject_token_type", tokenTypeJWT), broker, 400, "invalid_issuer", "Invalid subject_issuer parameter", ""},
		{"no permission", ext(pat), basic("outsider", "o"), 403, "access_denied", "Client not allowed to exchange", ""},
		{"generic oidc provider with an access token (needs userinfo)", legacyForm("subject_token", pat, "subject_issuer", "generic"), broker, 400, "invalid_token", "invalid token", ""},
		{"generic oidc provider with an empty token type (only a missing one means access)", legacyForm("subject_token", pat, "subject_issuer", "generic", "subject_token_type", ""), broker, 400, "invalid_token", "invalid token type", ""},
		{"generic oidc provider with an unknown token type", legacyForm("subject_token", pat, "subject_issuer", "generic", "subject_token_type", tokenTypeRefresh), broker, 400, "invalid_token", "invalid token type", ""},
		{"token without iss", ext(forged(func(m map[string]any) { delete(m, "iss") })), broker, 400, "invalid_token", "invalid token", ""},
		{"generic oidc provider with a jwt", legacyForm("subject_token", partnerToken("gina"), "subject_issuer", "generic", "subject_token_type", tokenTypeJWT), broker, 200, "", "", "gina"},
		{"same account through another provider: the username is taken", legacyForm("subject_token", pat, "subject_issuer", "generic", "subject_token_type", tokenTypeJWT), broker, 400, "invalid_token", "User already exists", ""},
		{"expired", ext(forged(func(m map[string]any) { m["exp"] = float64(testNow.Unix() - 10) })), broker, 400, "invalid_token", "invalid token", ""},
		{"wrong issuer", ext(forged(func(m map[string]any) { m["iss"] = "http://evil/realms/partner" })), broker, 400, "invalid_token", "invalid token", ""},
		{"refresh token type", ext(forged(func(m map[string]any) { m["typ"] = "Refresh" })), broker, 400, "invalid_token", "token type not supported", ""},
		{"another type, checked by the generic provider too", legacyForm("subject_token", forged(func(m map[string]any) { m["typ"] = "at+jwt" }), "subject_issuer", "generic", "subject_token_type", tokenTypeJWT), broker, 400, "invalid_token", "token type not supported", ""},
		{"bad signature", ext(tamperSig(pat)), broker, 400, "invalid_token", "invalid token", ""},
		{"username already taken", ext(partnerToken("taken")), broker, 400, "invalid_token", "User already exists", ""},
		{"linked user disabled", ext(forged(func(m map[string]any) { m["sub"] = "DISABLED-ID" })), broker, 400, "invalid_token", "Invalid Token", ""},
		{"audience other than the requester needs the client permission", ext(pat, "audience", "outsider"), broker, 403, "access_denied", "Client not allowed to exchange", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.token(t, "corp", tt.form, tt.auth)
			if tt.status == 200 {
				if res.status != 200 {
					t.Fatalf("got %d %s", res.status, res.body)
				}
				at := payload(t, res.json(t)["access_token"].(string))
				if at["preferred_username"] != tt.user || at["iss"] != "http://kc.test/realms/corp" || at["azp"] != "broker-app" {
					t.Errorf("token = %v, want %s's corp token for broker-app", at, tt.user)
				}
				return
			}
			want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
			if res.status != tt.status || string(res.body) != want {
				t.Errorf("got %d %s\nwant %d %s", res.status, res.body, tt.status, want)
			}
		})
	}
	// A partner user whose id has no link (corp-linked is linked by id, not by name) is imported
	// under its own name.
	res = ts.token(t, "corp", ext(partnerToken("linked")), broker)
	if res.status != 200 {
		t.Fatalf("unlinked partner user: %d %s", res.status, res.body)
	}
	if at := payload(t, res.json(t)["access_token"].(string)); at["preferred_username"] != "linked" {
		t.Errorf("unlinked partner user imported as %v", at["preferred_username"])
	}
}

func TestExternalExchange26_0NullPointer(t *testing.T) {
	ts := newTestServer(t, externalRealm("26.0"), Config{Hostname: "http://kc.test"})
	pat := ts.token(t, "partner", form("grant_type", "password", "username", "pat", "password", "pw"), basic("partner-app", "p")).json(t)["access_token"].(string)
	res := ts.token(t, "corp", legacyForm("subject_token", pat, "subject_issuer", "http://kc.test/realms/partner"), basic("broker-app", "b"))
	if res.status != 500 || string(res.body) != `{"error":"unknown_error","error_description":"For more on this error consult the server log."}` {
		t.Errorf("26.0 with an issuer URL: %d %s", res.status, res.body)
	}
	if r := ts.token(t, "corp", legacyForm("subject_token", pat, "subject_issuer", "partner-idp"), basic("broker-app", "b")); r.status != 200 {
		t.Errorf("26.0 with the alias: %d %s", r.status, r.body)
	}
}

// TestIssuerListed: a provider's issuer setting is a comma-separated list split as Java's
// split(",") splits (trailing empty elements dropped), each element trimmed.
func TestIssuerListed(t *testing.T) {
	tests := []struct {
		list, issuer string
		want         bool
	}{
		{"https://a", "https://a", true},
		{"https://a, https://b", "https://b", true},
		{" https://a ,https://b", "https://a", true},
		{"https://a", "https://b", false},
		{"", "", false},            // no list: found by alias only
		{"https://a,", "", false},  // the trailing empty element is dropped
		{"https://a,,", "", false}, // all of them
		{"https://a,,https://b", "", true},
		{"https://a, ", "", true}, // a blank element is kept and trims to ""
		{",https://a", "", true},
	}
	for _, tt := range tests {
		idp := &scenarios.IdentityProvider{Config: map[string]string{"issuer": tt.list}}
		if got := issuerListed(idp, tt.issuer); got != tt.want {
			t.Errorf("issuerListed(%q, %q) = %v; want %v", tt.list, tt.issuer, got, tt.want)
		}
	}
}

// TestImpersonateImportedUser: requested_subject finds a user that an external exchange
// imported, by name (any case) or id, as Keycloak's user lookups do.
func TestImpersonateImportedUser(t *testing.T) {
	text := externalRealm("26.4") + "\n[realms.user_permissions]\nenabled = true\nimpersonate = { policies = [\"exchangers\"] }\n"
	ts := newTestServer(t, text, Config{Hostname: "http://kc.test"})
	broker := basic("broker-app", "b")
	p := ts.token(t, "partner", form("grant_type", "password", "username", "pat", "password", "pw"), basic("partner-app", "p"))
	res := ts.token(t, "corp", legacyForm("subject_token", p.json(t)["access_token"].(string), "subject_issuer", "partner-idp"), broker)
	if res.status != 200 {
		t.Fatalf("import: %d %s", res.status, res.body)
	}
	sub := payload(t, res.json(t)["access_token"].(string))["sub"].(string)
	for _, name := range []string{"pat", "PAT", sub} {
		r := ts.token(t, "corp", legacyForm("requested_subject", name), broker)
		if r.status != 200 {
			t.Errorf("impersonating %q: %d %s", name, r.status, r.body)
			continue
		}
		if at := payload(t, r.json(t)["access_token"].(string)); at["sub"] != sub || at["preferred_username"] != "pat" {
			t.Errorf("impersonating %q: token %v", name, at)
		}
	}
	if r := ts.token(t, "corp", legacyForm("requested_subject", "nobody"), broker); r.status != 403 {
		t.Errorf("impersonating nobody: %d %s", r.status, r.body)
	}
}

// TestExternalTypeClaimCheckDisabled: the provider option disableTypeClaimCheck lets tokens of
// any typ through (OIDCIdentityProvider skips isTokenTypeSupported).
func TestExternalTypeClaimCheckDisabled(t *testing.T) {
	text := strings.Replace(externalRealm("26.4"), `config = { validateSignature = "true", useJwksUrl = "true", jwksUrl`, `config = { disableTypeClaimCheck = "True", validateSignature = "true", useJwksUrl = "true", jwksUrl`, 1)
	ts := newTestServer(t, text, Config{Hostname: "http://kc.test"})
	p := ts.token(t, "partner", form("grant_type", "password", "username", "gina", "password", "pw"), basic("partner-app", "p"))
	at := forge(t, ts, "partner", p.json(t)["access_token"].(string), func(m map[string]any) { m["typ"] = "at+jwt" })
	res := ts.token(t, "corp", legacyForm("subject_token", at, "subject_issuer", "generic", "subject_token_type", tokenTypeJWT), basic("broker-app", "b"))
	if res.status != 200 {
		t.Fatalf("typ at+jwt with the check disabled: %d %s", res.status, res.body)
	}
	if got := payload(t, res.json(t)["access_token"].(string))["preferred_username"]; got != "gina" {
		t.Errorf("token for %v; want gina", got)
	}
}
