package scenarios

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// testOpts pins the clock; keys are generated (tests that care about keys pin them).
var testOpts = Options{Now: func() time.Time { return time.Unix(1760000000, 0) }}

func mustLoad(t *testing.T, name, text string) *Scenario {
	t.Helper()
	sc, err := Load(testOpts, Source{Name: name, Data: []byte(text), Dir: "testdata"})
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return sc
}

func TestIssueExampleLoadsUnchanged(t *testing.T) {
	sc, err := LoadFiles(testOpts, "testdata/shop.toml")
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Realm("shop")
	if r == nil {
		t.Fatal("realm shop missing")
	}
	if got, want := r.AccessTokenLifespan, 600*time.Second; got != want {
		t.Errorf("access_token_lifespan = %v; want %v", got, want)
	}
	if got, want := r.SSOSessionIdleTimeout, 1800*time.Second; got != want {
		t.Errorf("default SSO idle = %v; want %v", got, want)
	}
	alice := r.User("ALICE")
	if alice == nil {
		t.Fatal("user alice not found case-insensitively")
	}
	api := r.Client("api")
	if !alice.HasRole(api.Role("reader")) || alice.HasRole(api.Role("writer")) {
		t.Errorf("alice's api roles wrong: reader=%v writer=%v", alice.HasRole(api.Role("reader")), alice.HasRole(api.Role("writer")))
	}
	for _, name := range []string{"offline_access", "uma_authorization", "default-roles-shop", "customer"} {
		if !alice.HasRole(r.RealmRole(name)) {
			t.Errorf("alice lacks realm role %q", name)
		}
	}
	acct := r.Client("account")
	for _, name := range []string{"view-profile", "manage-account", "manage-account-links"} {
		if !alice.HasRole(acct.Role(name)) {
			t.Errorf("alice lacks account role %q (default roles)", name)
		}
	}
	web := r.Client("web")
	sa := r.ServiceAccount(web)
	if sa == nil || sa.Username != "service-account-web" {
		t.Fatalf("service account of web = %+v", sa)
	}
	if got := scopeNames(web.DefaultScopes); got != "acr basic email profile roles web-origins service_account" {
		t.Errorf("web default scopes = %q", got)
	}
	if got := scopeNames(web.OptionalScopes); got != "address phone offline_access microprofile-jwt organization" {
		t.Errorf("web optional scopes = %q", got)
	}
	if !web.FullScopeAllowed || !web.Enabled || web.PublicClient || web.Secret != "web-secret" {
		t.Errorf("web client settings wrong: %+v", web)
	}
	if r.Keys == nil || r.Keys.Active == nil || r.Keys.Active.Alg != "RS256" || r.Keys.Enc == nil || r.Keys.HMAC == nil {
		t.Errorf("keys not generated as Keycloak's: %+v", r.Keys)
	}
}

func TestFreshRealmHasKeycloakBuiltins(t *testing.T) {
	sc := mustLoad(t, "min.toml", `[[realms]]
realm = "Min"`)
	r := sc.Realm("Min")
	for _, id := range []string{"account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console"} {
		if r.Client(id) == nil {
			t.Errorf("built-in client %q missing", id)
		}
	}
	rm := r.Client("realm-management")
	if !rm.BearerOnly {
		t.Error("realm-management must be bearer-only")
	}
	admin := rm.Role("realm-admin")
	if admin == nil || len(admin.Expanded()) != 19 {
		t.Errorf("realm-admin should contain the 18 other realm-management roles, got %v", admin)
	}
	if r.DefaultRole == nil || r.DefaultRole.Name != "default-roles-min" {
		t.Errorf("default role = %v; want default-roles-min (lower-cased)", r.DefaultRole)
	}
	for _, s := range []string{"basic", "roles", "profile", "email", "acr", "web-origins", "offline_access", "address", "phone", "microprofile-jwt", "organization", "service_account"} {
		if r.ClientScope(s) == nil {
			t.Errorf("built-in client scope %q missing", s)
		}
	}
	if r.ClientScope("roles").IncludeInTokenScope || !r.ClientScope("offline_access").IncludeInTokenScope {
		t.Error("include.in.token.scope wrong for roles/offline_access")
	}
	if got := r.ClientScope("offline_access").ScopeMappings; len(got) != 1 || got[0] != r.RealmRole("offline_access") {
		t.Errorf("offline_access scope mappings = %v", got)
	}
	ac := r.Client("account-console")
	if got := ac.ScopeMappings; len(got) != 2 {
		t.Errorf("account-console scope mappings = %v; want manage-account, view-groups", got)
	}
}

func TestVersionAndFeatures(t *testing.T) {
	tests := []struct {
		name, text                string
		v1, v2, serviceAccountScp bool
	}{
		{"default 26.4", "", false, true, true},
		{"26.0 has no standard exchange", `[server]
version = "26.0"
features = ["token-exchange", "admin-fine-grained-authz:v1"]`, true, false, false},
		{"standard disabled", `[server]
features_disabled = ["token-exchange-standard"]`, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := mustLoad(t, "f.toml", tt.text+"\n[[realms]]\nrealm = \"r\"\n")
			if got := sc.Server.Feature("token-exchange"); got != tt.v1 {
				t.Errorf("token-exchange = %v; want %v", got, tt.v1)
			}
			if got := sc.Server.Feature("token-exchange-standard"); got != tt.v2 {
				t.Errorf("token-exchange-standard = %v; want %v", got, tt.v2)
			}
			if got := sc.Realm("r").ClientScope("service_account") != nil; got != tt.serviceAccountScp {
				t.Errorf("service_account scope present = %v; want %v", got, tt.serviceAccountScp)
			}
		})
	}
}

func TestDurations(t *testing.T) {
	sc := mustLoad(t, "d.toml", `[[realms]]
realm = "d"
access_token_lifespan = "5m"
sso_session_idle_timeout = 120
sso_session_max_lifespan = "2h"`)
	r := sc.Realm("d")
	if r.AccessTokenLifespan != 5*time.Minute || r.SSOSessionIdleTimeout != 2*time.Minute || r.SSOSessionMaxLifespan != 2*time.Hour {
		t.Errorf("durations: %v %v %v", r.AccessTokenLifespan, r.SSOSessionIdleTimeout, r.SSOSessionMaxLifespan)
	}
}

func TestBrokenScenariosReportEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // every line must appear, in this order
	}{
		{"syntax error with line and column", "[[realms]]\nrealm = \"x\nfoo", []string{"bad.toml:2:"}},
		{"unknown keys with indexed paths", `[[realms]]
realm = "a"
[[realms.clients]]
client_id = "one"
[[realms.clients]]
client_id = "two"
secrett = "x"
clientId = "y"
`, []string{
			`bad.toml: realms[0].clients[1].clientId: unknown key (did you mean "client_id"?`,
			`bad.toml: realms[0].clients[1].secrett: unknown key (did you mean "secret"?)`,
		}},
		{"wrong types", `[[realms]]
realm = "a"
enabled = "yes"
access_token_lifespan = "soon"
[[realms.clients]]
client_id = "c"
redirect_uris = "http://x"
`, []string{
			`realms[0].access_token_lifespan: "soon" is not a duration`,
			`realms[0].clients[0].redirect_uris: must be an array, got a string`,
			`realms[0].enabled: must be true or false, got a string`,
		}},
		{"dangling references and duplicates", `[[realms]]
realm = "a"
[realms.roles.client]
ghost = [{ name = "r" }]
[[realms.clients]]
client_id = "c"
default_client_scopes = ["profile", "nope"]
[[realms.clients]]
client_id = "c"
[[realms.users]]
username = "u"
realm_roles = ["missing"]
client_roles = { c = ["nothing"] }
groups = ["/nogroup"]
[[realms.users]]
username = "U"
`, []string{
			`realms[0].clients[1].client_id: duplicate client "c"`,
			`realms[0].roles.client.ghost: roles for client "ghost", which is not defined in realm "a"`,
			`realms[0].clients[0].default_client_scopes[1]: no client scope "nope" in realm "a"`,
			`realms[0].users[0].realm_roles[0]: no realm role "missing" in realm "a"`,
			`realms[0].users[0].client_roles.c[0]: no role "nothing" in client "c"`,
			`realms[0].users[0].groups[0]: no group "/nogroup" in realm "a"`,
			`realms[0].users[1].username: duplicate username "u"`,
		}},
		// FuzzLoad found a panic here: permissions of a client that was refused were attached
		// to a client that did not exist.
		{"permissions of a refused client", `[server]
features = ["token-exchange", "admin-fine-grained-authz:v1"]
[[realms]]
realm = "a"
[[realms.policies]]
name = "p"
type = "client"
clients = ["c"]
[[realms.clients]]
client_id = "c"
[[realms.clients]]
secret = "no id"
[realms.clients.permissions]
enabled = true
token-exchange = { policies = ["p"] }
[[realms.clients]]
client_id = "c"
[realms.clients.permissions]
enabled = true
token-exchange = { policies = ["p"] }
`, []string{
			`realms[0].clients[1].client_id: a client needs a client_id`,
			`realms[0].clients[2].client_id: duplicate client "c"`,
		}},
		{"wrong types and dangling references together", `[[realms]]
realm = "a"
enabled = "yes"
[[realms.clients]]
client_id = "c"
secrett = 1
[[realms.users]]
username = "u"
realm_roles = ["missing"]
`, []string{
			`realms[0].clients[0].secrett: unknown key (did you mean "secret"?)`,
			`realms[0].enabled: must be true or false, got a string`,
			`realms[0].users[0].realm_roles[0]: no realm role "missing" in realm "a"`,
		}},
		{"duplicate realm across the file", "[[realms]]\nrealm = \"a\"\n[[realms]]\nrealm = \"a\"\n", []string{`realms[1].realm: duplicate realm "a"`}},
		{"bad mapper and feature", `[server]
features = ["token-exchang"]
[[realms]]
realm = "a"
[[realms.clients]]
client_id = "c"
protocol_mappers = [{ name = "m", protocol_mapper = "oidc-nope" }, { name = "aud", protocol_mapper = "oidc-audience-mapper", config = { "included.client.audience" = "zzz" } }]
`, []string{
			`server.features[0]: unknown feature "token-exchang"`,
			`realms[0].clients[0].protocol_mappers[0].protocol_mapper: mapper type "oidc-nope" is not emulated`,
			`realms[0].clients[0].protocol_mappers[1].config."included.client.audience": no client "zzz" in realm "a"`,
		}},
		{"pinned key problems", `[[realms]]
realm = "a"
[[realms.keys]]
algorithm = "RS999"
[[realms.keys]]
algorithm = "RS256"
private_key = "not a pem"
[[realms.keys]]
algorithm = "HS512"
secret = "short"
`, []string{
			`realms[0].keys[0].algorithm: unsupported algorithm "RS999"`,
			`realms[0].keys[1].private_key:`,
			`realms[0].keys[2].secret: an HS512 secret must be at least 32 bytes`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load(testOpts, Source{Name: "bad.toml", Data: []byte(tt.text)})
			if sc != nil {
				t.Error("a broken scenario must not load at all")
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v; want *LoadError", err)
			}
			msg := err.Error()
			pos := 0
			for _, w := range tt.want {
				i := strings.Index(msg[pos:], w)
				if i < 0 {
					t.Fatalf("error lacks (in order) %q\ngot:\n%s", w, msg)
				}
				pos += i + len(w)
			}
			if len(le.Problems) != len(tt.want) {
				t.Errorf("got %d problems; want %d:\n%s", len(le.Problems), len(tt.want), msg)
			}
		})
	}
}

func TestDefaultScenarioLoadsWithPinnedKeys(t *testing.T) {
	sc, err := Load(testOpts, Default())
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Realm("demo")
	if r == nil || r.Client("demo-app") == nil || r.User("alice") == nil {
		t.Fatal("default scenario lacks demo realm content")
	}
	if r.Keys.HMAC.KID != "5d1f3c0e-9a2b-4c7d-8e6f-1a2b3c4d5e6f" {
		t.Errorf("HS512 key not pinned: %q", r.Keys.HMAC.KID)
	}
	sc2, _ := Load(testOpts, Default())
	if sc2.Realm("demo").Keys.Active.KID != r.Keys.Active.KID {
		t.Error("pinned signing key must give the same kid on every load")
	}
	if sc2.Realm("demo").User("alice").ID != r.User("alice").ID {
		t.Error("generated user ids must be stable across loads")
	}
}

func TestKeyFileRelativeToScenario(t *testing.T) {
	pemBytes, err := os.ReadFile("../tokens/testdata/rsa2048.pem")
	if err != nil {
		t.Skip("no test key:", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/k.pem", pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	sc, err := Load(testOpts, Source{Name: "k.toml", Dir: dir, Data: []byte(`[[realms]]
realm = "k"
[[realms.keys]]
algorithm = "RS256"
private_key_file = "k.pem"`)})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Realm("k").Keys.Active == nil {
		t.Fatal("pinned key from file not active")
	}
}

func scopeNames(ss []*ClientScope) string {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.Name
	}
	return strings.Join(names, " ")
}
