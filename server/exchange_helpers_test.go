package server

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// exchangeRealm exercises every rule of the standard token exchange. john holds target-1 and
// target-2 roles; mike holds all-target and target-1; subject-client's tokens name the
// requesters in their audience.
const exchangeRealm = `
[[realms]]
realm = "x"
[realms.roles]
realm = [{ name = "all-target" }]
[realms.roles.client]
target-1 = [{ name = "r1" }]
target-2 = [{ name = "r2" }]
target-3 = [{ name = "r3" }]
chain-requester = [{ name = "use" }]

[[realms.client_scopes]]
name = "optional-scope2"
scope_mappings = { realm = ["all-target"], client = { target-2 = ["r2"] } }

[[realms.clients]]
client_id = "subject-client"
secret = "s"
direct_access_grants_enabled = true
service_accounts_enabled = true
protocol_mappers = [
  { name = "a1", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "requester" } },
  { name = "a2", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "public-requester" } },
  { name = "a3", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "consent-requester" } },
  { name = "a4", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "requester-norefresh" } },
  { name = "a5", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "off-requester" } },
]

[[realms.clients]]
client_id = "requester"
secret = "s"
direct_access_grants_enabled = true
attributes = { "standard.token.exchange.enabled" = "true", "standard.token.exchange.enableRefreshRequestedTokenType" = "SAME_SESSION" }
optional_client_scopes = ["optional-scope2", "offline_access", "phone"]

[[realms.clients]]
client_id = "requester-norefresh"
secret = "s"
attributes = { "standard.token.exchange.enabled" = "true", "standard.token.exchange.enableRefreshRequestedTokenType" = "true" }

[[realms.clients]]
client_id = "not-in-audience"
secret = "s"
attributes = { "standard.token.exchange.enabled" = "true" }

[[realms.clients]]
client_id = "public-requester"
public_client = true
attributes = { "standard.token.exchange.enabled" = "true" }

[[realms.clients]]
client_id = "consent-requester"
secret = "s"
consent_required = true
attributes = { "standard.token.exchange.enabled" = "true" }

[[realms.clients]]
client_id = "off-requester"
secret = "s"

[[realms.clients]]
client_id = "chain-requester"
secret = "s"
attributes = { "standard.token.exchange.enabled" = "true" }

[[realms.clients]]
client_id = "target-1"
secret = "t"
bearer_only = true
[[realms.clients]]
client_id = "target-2"
bearer_only = true
[[realms.clients]]
client_id = "target-3"
bearer_only = true
[[realms.clients]]
client_id = "target-off"
bearer_only = true
enabled = false
[[realms.clients]]
client_id = "off-client"
secret = "s"
enabled = false

[[realms.users]]
username = "john"
password = "pw"
email = "john@x.test"
first_name = "John"
client_roles = { target-1 = ["r1"], target-2 = ["r2"], chain-requester = ["use"] }
[[realms.users]]
username = "mike"
password = "pw"
realm_roles = ["all-target"]
client_roles = { target-1 = ["r1"] }
[[realms.users]]
username = "consenter"
password = "pw"
client_roles = { target-1 = ["r1"] }
client_consents = [{ client_id = "consent-requester", granted_client_scopes = ["acr", "basic", "email", "profile", "roles", "web-origins"] }]
[[realms.users]]
username = "gone"
password = "pw"
enabled = false

[[realms]]
realm = "y"
[[realms.clients]]
client_id = "subject-client"
secret = "s"
direct_access_grants_enabled = true
[[realms.users]]
username = "john"
password = "pw"
`

// subjectToken logs a user in at subject-client and returns the access and refresh tokens.
func subjectToken(t testing.TB, ts *testServer, realm, user string, extra ...string) (access, refresh string) {
	t.Helper()
	f := form(append([]string{"grant_type", "password", "username", user, "password", "pw"}, extra...)...)
	res := ts.token(t, realm, f, basic("subject-client", "s"))
	if res.status != 200 {
		t.Fatalf("login %s: %d %s", user, res.status, res.body)
	}
	m := res.json(t)
	r, _ := m["refresh_token"].(string)
	return m["access_token"].(string), r
}

// exchangeForm is a standard exchange request for a subject access token.
func exchangeForm(subject string, kv ...string) url.Values {
	f := form("grant_type", grantTokenExchange, "subject_token", subject, "subject_token_type", tokenTypeAccess)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			f.Del(kv[i])
			continue
		}
		f.Add(kv[i], kv[i+1])
	}
	return f
}

// withEmpty adds parameters sent with an empty value ("name="), which exchangeForm cannot.
func withEmpty(f url.Values, names ...string) url.Values {
	for _, n := range names {
		f[n] = []string{""}
	}
	return f
}

// forge re-signs a token's payload with the realm's key after changing its claims: a token
// Keycloak could have issued, in a state the test wants (expired, other client, …).
func forge(t testing.TB, ts *testServer, realm, jwt string, change func(map[string]any)) string {
	t.Helper()
	claims := payload(t, jwt)
	change(claims)
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ts.state.Load().realms[realm].keys.Active.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkJournalRule asserts that the last refusal in the journal has the description the client
// saw and names the Keycloak check that refused it, with an explanation. For the standard
// exchange's P rows (named "P7 …"), the rule must be that step.
func checkJournalRule(t *testing.T, ts *testServer, row, desc string) {
	t.Helper()
	refused := ts.Journal().Entries(JournalFilter{Outcome: "refused"})
	if len(refused) == 0 {
		t.Fatal("no refusal in the journal")
	}
	e := refused[len(refused)-1]
	if e.Description != desc || e.Rule == "" || e.Rule == e.Description || e.Explanation == "" {
		t.Errorf("journal entry names no rule: %+v", e)
	}
	if step, _, ok := strings.Cut(row, " "); ok && len(step) > 1 && step[0] == 'P' {
		if !strings.HasPrefix(e.Rule, "standard exchange "+step+":") {
			t.Errorf("rule = %q; want standard exchange %s", e.Rule, step)
		}
	}
}
