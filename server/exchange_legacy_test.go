package server

import (
	"net/url"
	"os"
	"strings"
	"testing"
)

// eftr returns the bundled EFTR scenario with some text replaced (old, new, old, new, …).
func eftr(t testing.TB, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("../scenarios/eftr-impersonation.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(text, replace[i]) {
			t.Fatalf("scenario has no %q", replace[i])
		}
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	return text
}

// nakedAllowed is the scenario change that allows direct naked impersonation.
var nakedAllowed = []string{
	"# [[realms.policies]]\n# name = \"naked-impersonators\"\n# type = \"client\"\n# clients = [\"eftr-service-impersonation\"]\n#\n# [realms.user_permissions]\n# enabled = true\n# impersonate = { policies = [\"naked-impersonators\"] }",
	"[[realms.policies]]\nname = \"naked-impersonators\"\ntype = \"client\"\nclients = [\"eftr-service-impersonation\"]\n\n[realms.user_permissions]\nenabled = true\nimpersonate = { policies = [\"naked-impersonators\"] }",
}

const (
	eftrRequester = "eftr-service-impersonation"
	eftrSecret    = "eftr-secret"
)

// adminToken is the admin's token, obtained by the requester with the password grant.
func adminToken(t testing.TB, ts *testServer, user, pw string) string {
	t.Helper()
	res := ts.token(t, "EFTR", form("grant_type", "password", "username", user, "password", pw), basic(eftrRequester, eftrSecret))
	if res.status != 200 {
		t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	return res.json(t)["access_token"].(string)
}

func legacyForm(kv ...string) url.Values {
	f := form("grant_type", grantTokenExchange)
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// TestLegacyExchangeRefusals has one row per refusal of the legacy exchange (stages 0–4) and
// one per missing step of the EFTR setup (Appendix A.3 of the reference).
func TestLegacyExchangeRefusals(t *testing.T) {
	type row struct {
		name     string
		scenario string
		form     func(admin string) url.Values
		auth     map[string]string
		status   int
		code     string
		desc     string
	}
	impersonate := func(admin string) url.Values {
		return legacyForm("subject_token", admin, "subject_token_type", tokenTypeAccess, "requested_subject", "ivan", "audience", "eftr-service")
	}
	req := basic(eftrRequester, eftrSecret)
	base := eftr(t)
	tests := []row{
		// Appendix A.3: what each missing or wrong step produces.
		{"no token-exchange feature", eftr(t, `features = ["token-exchange", "admin-fine-grained-authz:v1"]`, `features = ["admin-fine-grained-authz:v1"]`), impersonate, req, 400, "unsupported_grant_type", "Unsupported grant_type"},
		{"no FGAP v1 feature, with audience", eftr(t, `features = ["token-exchange", "admin-fine-grained-authz:v1"]`, `features = ["token-exchange"]`), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"eftr-service permissions not enabled", eftr(t, "enabled = true\ntoken-exchange", "enabled = false\ntoken-exchange"), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"token-exchange permission without policy", eftr(t, `token-exchange = { policies = ["client-exchange"] }`, ``), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"policy lists another client", eftr(t, `clients = ["eftr-service-impersonation"]`, `clients = ["eftr-service"]`), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"admin lacks the impersonation role", eftr(t, `client_roles = { realm-management = ["impersonation"] }`, `client_roles = { realm-management = ["view-users"] }`), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"role not in the token (full scope off)", eftr(t, "secret = \"eftr-secret\"\n", "secret = \"eftr-secret\"\nfull_scope_allowed = false\n"), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"requested_subject does not exist", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_subject", "nobody", "audience", "eftr-service")
		}, req, 403, "access_denied", "Client not allowed to exchange"},
		{"user-impersonated excludes the requester", eftr(t, nakedAllowed[0], "[[realms.policies]]\nname = \"only-eftr-service\"\ntype = \"client\"\nclients = [\"eftr-service\"]\n[realms.user_permissions]\nuser-impersonated = { policies = [\"only-eftr-service\"] }"), impersonate, req, 403, "access_denied", "Client not allowed to exchange"},
		{"wrong client secret", base, impersonate, basic(eftrRequester, "nope"), 401, "unauthorized_client", "Invalid client or Invalid client credentials"},
		{"eftr-service requires consent", eftr(t, "secret = \"eftr-service-secret\"", "secret = \"eftr-service-secret\"\nconsent_required = true"), impersonate, req, 400, "invalid_client", "Client requires user consent"},
		{"audience misspelt", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_subject", "ivan", "audience", "eftr-servise")
		}, req, 400, "invalid_client", "Audience not found"},
		{"subject token from another realm", base, func(string) url.Values {
			return legacyForm("subject_token", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA", "requested_subject", "ivan")
		}, req, 400, "invalid_request", "Invalid token"},
		{"id_token as subject type", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "subject_token_type", tokenTypeID, "requested_subject", "ivan")
		}, req, 400, "invalid_request", "Invalid token type, must be access token"},
		{"refresh_token as subject type", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "subject_token_type", tokenTypeRefresh)
		}, req, 400, "invalid_request", "Invalid token type, must be access token"},
		{"jwt that is not a JWT", base, func(string) url.Values {
			return legacyForm("subject_token", "garbage", "subject_token_type", tokenTypeJWT)
		}, req, 400, "invalid_request", "Invalid token type, must be access token"},
		// Parameters sent empty are values, as in Keycloak (null checks on a form that keeps "").
		{"empty subject_token is a token, not a naked impersonation", eftr(t, nakedAllowed...), func(string) url.Values {
			return legacyForm("subject_token", "", "requested_subject", "ivan")
		}, req, 400, "invalid_request", "Invalid token"},
		{"empty subject_token_type is not the access-token type", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "subject_token_type", "", "audience", "eftr-service")
		}, req, 400, "invalid_request", "Invalid token type, must be access token"},
		{"empty requested_subject names nobody", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_subject", "", "audience", "eftr-service")
		}, req, 403, "access_denied", "Client not allowed to exchange"},
		{"empty requested_issuer names no provider", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_issuer", "")
		}, req, 400, "invalid_request", "Invalid issuer"},
		{"empty requested_token_type", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_token_type", "")
		}, req, 400, "invalid_request", "requested_token_type unsupported"},
		// Direct naked impersonation.
		{"naked impersonation refused with the EFTR setup", base, func(string) url.Values {
			return legacyForm("requested_subject", "ivan")
		}, req, 403, "access_denied", "Client not allowed to exchange"},
		{"naked impersonation by a public client", eftr(t, append(nakedAllowed, "secret = \"eftr-secret\"\n", "public_client = true\n")...), func(string) url.Values {
			return legacyForm("requested_subject", "ivan", "client_id", eftrRequester)
		}, nil, 403, "access_denied", "Client not allowed to exchange"},
		{"naked impersonation with a user-impersonated client policy", eftr(t, nakedAllowed[0], nakedAllowed[1]+"\nuser-impersonated = { policies = [\"naked-impersonators\"] }"), func(string) url.Values {
			return legacyForm("requested_subject", "ivan")
		}, req, 403, "access_denied", "Client not allowed to exchange"},
		// Stage 4 and the rest.
		{"requested_token_type id_token", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_token_type", tokenTypeID)
		}, req, 400, "invalid_request", "requested_token_type unsupported"},
		{"saml2 for an OIDC client", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_token_type", tokenTypeSAML2)
		}, req, 400, "invalid_client", "Client requires assertion consumer url set up"},
		// 26.1+ accepts several audiences and checks every one (validateAudience loops), though
		// the token is for the first.
		{"26.1+: a second audience without permission", eftr(t, `version = "26.0.1"`, `version = "26.4"`, "[[realms.users]]", "[[realms.clients]]\nclient_id = \"other-target\"\nsecret = \"o\"\n\n[[realms.users]]"), func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_subject", "ivan", "audience", "eftr-service", "audience", "other-target")
		}, req, 403, "access_denied", "Client not allowed to exchange"},
		{"26.1+: a second audience requiring consent", eftr(t, `version = "26.0.1"`, `version = "26.4"`, "[[realms.users]]", "[[realms.clients]]\nclient_id = \"other-target\"\nsecret = \"o\"\nconsent_required = true\n\n[[realms.users]]"), func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_subject", "ivan", "audience", "eftr-service", "audience", "other-target")
		}, req, 400, "invalid_client", "Client requires user consent"},
		{"26.0: repeated audience", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "audience", "eftr-service", "audience", "eftr-service")
		}, req, 400, "invalid_request", "duplicated parameter"},
		{"another client's token, no audience", eftr(t, "[[realms.users]]", "[[realms.clients]]\nclient_id = \"other\"\nsecret = \"o\"\n\n[[realms.users]]"), func(a string) url.Values {
			return legacyForm("subject_token", a)
		}, basic("other", "o"), 403, "access_denied", "Client is not within the token audience"},
		{"public requester, someone else's token", eftr(t, "[[realms.users]]", "[[realms.clients]]\nclient_id = \"pub\"\npublic_client = true\n\n[[realms.users]]"), func(a string) url.Values {
			return legacyForm("subject_token", a, "client_id", "pub")
		}, nil, 403, "access_denied", "Client is not the holder of the token"},
		{"public requester to another audience", eftr(t, "[[realms.users]]", "[[realms.clients]]\nclient_id = \"pub\"\npublic_client = true\n\n[[realms.users]]"), func(a string) url.Values {
			return legacyForm("subject_token", a, "client_id", "pub", "audience", "eftr-service")
		}, nil, 403, "access_denied", "Client is not the holder of the token"},
		{"internal to external: unknown provider", base, func(a string) url.Values {
			return legacyForm("subject_token", a, "requested_issuer", "google")
		}, req, 400, "invalid_request", "Invalid issuer"},
		{"neither subject token nor requested subject", base, func(string) url.Values { return legacyForm() }, req, 500, "unknown_error", "For more on this error consult the server log."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.scenario, Config{})
			admin := adminToken(t, ts, "admin_impersonation", "admin-pw")
			res := ts.token(t, "EFTR", tt.form(admin), tt.auth)
			want := `{"error":"` + tt.code + `","error_description":"` + tt.desc + `"}`
			if res.status != tt.status || string(res.body) != want {
				t.Errorf("got %d %s\nwant %d %s", res.status, res.body, tt.status, want)
			}
			checkJournalRule(t, ts, "", tt.desc)
			if n := ts.sessions.count(); tt.status != 200 && n != 1 {
				t.Errorf("%d sessions after a refusal; want only the admin's", n)
			}
		})
	}
}

// TestLegacyImpersonationUserPolicy: a user policy on the Users impersonate permission matches
// the user a subject token names, except a client's own service account: Keycloak's identity
// for such a token is the client itself (KeycloakIdentity's resource server), which no user
// policy names.
func TestLegacyImpersonationUserPolicy(t *testing.T) {
	tests := []struct {
		name, policyUser string
		subject          func(ts *testServer) url.Values // the grant that makes the subject token
		status           int
	}{
		{"a user named by the policy", "admin_impersonation", func(*testServer) url.Values {
			return form("grant_type", "password", "username", "admin_impersonation", "password", "admin-pw")
		}, 200},
		{"the requester's service account, named by the policy", "service-account-" + eftrRequester, func(*testServer) url.Values {
			return form("grant_type", "client_credentials")
		}, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := eftr(t,
				"direct_access_grants_enabled = true", "direct_access_grants_enabled = true\nservice_accounts_enabled = true",
				`client_roles = { realm-management = ["impersonation"] }`, `client_roles = { realm-management = ["view-users"] }`,
				nakedAllowed[0], "[[realms.policies]]\nname = \"by-user\"\ntype = \"user\"\nusers = [\""+tt.policyUser+"\"]\n\n[realms.user_permissions]\nenabled = true\nimpersonate = { policies = [\"by-user\"] }")
			ts := newTestServer(t, text, Config{})
			login := ts.token(t, "EFTR", tt.subject(ts), basic(eftrRequester, eftrSecret))
			if login.status != 200 {
				t.Fatalf("subject token: %d %s", login.status, login.body)
			}
			res := ts.token(t, "EFTR", legacyForm("subject_token", login.json(t)["access_token"].(string), "requested_subject", "ivan"), basic(eftrRequester, eftrSecret))
			if res.status != tt.status {
				t.Fatalf("impersonation: %d %s; want %d", res.status, res.body, tt.status)
			}
			if tt.status == 200 {
				if at := payload(t, res.json(t)["access_token"].(string)); at["preferred_username"] != "ivan" {
					t.Errorf("token = %v; want ivan's", at)
				}
			} else if string(res.body) != `{"error":"access_denied","error_description":"Client not allowed to exchange"}` {
				t.Errorf("refusal body %s", res.body)
			}
		})
	}
}
