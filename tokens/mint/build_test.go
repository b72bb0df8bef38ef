package mint

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
)

// myrealm reproduces the realm behind ../shared/keycloak/examples: a fresh realm, a client
// my-app with web origin http://localhost:3000, and alice.
const myrealm = `
[[realms]]
realm = "myrealm"
[[realms.clients]]
client_id = "my-app"
secret = "s"
direct_access_grants_enabled = true
service_accounts_enabled = true
redirect_uris = ["http://localhost:3000/*"]
web_origins = ["http://localhost:3000"]
[[realms.clients]]
client_id = "my-web"
secret = "s"
direct_access_grants_enabled = true
redirect_uris = ["http://localhost:3000/*"]
web_origins = ["http://localhost:3000"]
[[realms.users]]
id = "5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b"
username = "alice"
password = "alice"
email = "alice@example.com"
email_verified = true
first_name = "Alice"
last_name = "Liddell"
[[realms.users]]
id = "0a7c2e1f-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
username = "service-account-my-app"
service_account_client_id = "my-app"
`

func loadRealm(t *testing.T, text, name string) *scenarios.Realm {
	t.Helper()
	sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: "t.toml", Data: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	return sc.Realm(name)
}

// examplePayload decodes the payload of a token inside an example token response.
func examplePayload(t *testing.T, file, field string) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/keycloak/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var resp map[string]any
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(resp[field].(string), ".")
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(p)
}

func fixedIDs(ids ...string) func() string {
	return func() string {
		id := ids[0]
		ids = ids[1:]
		return id
	}
}

// TestClaimsMatchKeycloakBytes builds each token kind for the examples' realm and compares the
// serialized payload byte for byte with the Keycloak-shaped examples: claim set, values, field
// order and HashMap order all have to agree.
func TestClaimsMatchKeycloakBytes(t *testing.T) {
	r := loadRealm(t, myrealm, "myrealm")
	// The password examples come from a client without service accounts (no service_account
	// scope in the refresh token); the client id in them is my-app.
	c := r.Client("my-web")
	now := time.Unix(1760000000, 0)
	iss := "http://localhost:8080/realms/myrealm"

	scopes, err := RequestScopes(c, "openid")
	if err != nil {
		t.Fatal(err)
	}
	pw := &Request{Realm: r, Client: c, User: r.User("alice"), Scopes: scopes, Issuer: iss, Now: now, Grant: GrantPassword,
		Session: Session{ID: "8d3f0c2a-6b1e-4f7d-a9c5-2e4b6d8f0a1c", Kind: Online, RefreshExp: 1760001800}}
	b := &Builder{NewID: fixedIDs("3f6c2b8e-9d14-4a77-b2e5-71c0a9d4e6f2", "6a2d9f4b-1c7e-4b3a-8d5f-0e9c2b4a6d8f", "b0e7a3c1-5d2f-4e8a-9c6b-1f3d5a7e9b2c")}
	access := b.Access(pw)
	refresh := b.Refresh(pw)
	id := b.ID(pw, access, "", "RS256")
	for _, cl := range []*tokens.Claims{access, refresh, id} {
		cl.Azp = "my-app"
	}
	id.Aud = []string{"my-app"}
	id.AtHash = "6aBRdaLVY0gpIoIPCPlF9A" // the example's, computed over the example token's bytes

	c = r.Client("my-app")
	noScope, _ := RequestScopes(c, "")
	cc := &Request{Realm: r, Client: c, User: r.ServiceAccount(c), Scopes: noScope, Issuer: iss, Now: now, Grant: GrantClientCredentials,
		Session: Session{Kind: Transient, Notes: map[string]string{"clientHost": "172.18.0.1", "clientAddress": "172.18.0.1", "client_id": "my-app"}}}
	ccAccess := (&Builder{NewID: fixedIDs("c41e8a2d-7b39-4f05-a6d2-9e8b1c3f5a70")}).Access(cc)

	tests := []struct {
		name   string
		claims *tokens.Claims
		file   string
		field  string
	}{
		{"password access token", access, "token-response-password.json", "access_token"},
		{"refresh token", refresh, "token-response-password.json", "refresh_token"},
		{"id token", id, "token-response-password.json", "id_token"},
		{"client_credentials access token", ccAccess, "token-response-client-credentials.json", "access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.claims.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if want := examplePayload(t, tt.file, tt.field); string(got) != want {
				t.Errorf("payload differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

func TestRequestScopes(t *testing.T) {
	r := loadRealm(t, myrealm, "myrealm")
	c := r.Client("my-app")
	tests := []struct {
		param       string
		wantErr     bool
		tokenScope  string
		hasOffline  bool
		wantGranted int
	}{
		{"", false, "email profile", false, 7},
		{"openid", false, "openid email profile", false, 7},
		{"openid offline_access phone", false, "openid email profile phone offline_access", true, 9},
		{"openid bogus", true, "", false, 0},
		{"roles", false, "email profile", false, 7},
	}
	for _, tt := range tests {
		s, err := RequestScopes(c, tt.param)
		if (err != nil) != tt.wantErr {
			t.Fatalf("RequestScopes(%q) err = %v", tt.param, err)
		}
		if err != nil {
			if got := err.Error(); got != "Invalid scopes: "+tt.param {
				t.Errorf("error = %q", got)
			}
			continue
		}
		if got := s.String(true); got != tt.tokenScope {
			t.Errorf("RequestScopes(%q).String(true) = %q; want %q", tt.param, got, tt.tokenScope)
		}
		if got := s.Has("offline_access"); got != tt.hasOffline {
			t.Errorf("offline_access granted = %v; want %v", got, tt.hasOffline)
		}
		if len(s.Granted) != tt.wantGranted {
			t.Errorf("granted %d scopes; want %d", len(s.Granted), tt.wantGranted)
		}
	}
}

func TestAudienceRolesAndMappers(t *testing.T) {
	r := loadRealm(t, `
[[realms]]
realm = "shop"
[realms.roles]
realm = [{ name = "customer" }]
[realms.roles.client]
api = [{ name = "reader" }, { name = "writer" }]
other = [{ name = "x" }]
[[realms.clients]]
client_id = "web"
secret = "s"
protocol_mappers = [
  { name = "tenant", protocol_mapper = "oidc-hardcoded-claim-mapper", config = { "claim.name" = "tenant.id", "claim.value" = "42", "jsonType.label" = "long" } },
  { name = "dept", protocol_mapper = "oidc-usermodel-attribute-mapper", config = { "user.attribute" = "department", "claim.name" = "department" } },
  { name = "groups", protocol_mapper = "oidc-group-membership-mapper", config = { "claim.name" = "groups" } },
  { name = "aud", protocol_mapper = "oidc-audience-mapper", config = { "included.custom.audience" = "https://api.example.com" } },
]
[[realms.clients]]
client_id = "narrow"
secret = "s"
full_scope_allowed = false
[[realms.clients]]
client_id = "api"
bearer_only = true
[[realms.clients]]
client_id = "other"
bearer_only = true
[realms.client_scope_mappings]
api = [{ client = "narrow", roles = ["reader"] }]
[[realms.groups]]
name = "staff"
client_roles = { other = ["x"] }
[[realms.users]]
username = "alice"
realm_roles = ["customer"]
client_roles = { api = ["reader", "writer"] }
groups = ["staff"]
attributes = { department = "sales" }
`, "shop")
	alice := r.User("alice")
	build := func(client string) map[string]any {
		c := r.Client(client)
		s, _ := RequestScopes(c, "")
		cl := (&Builder{}).Access(&Request{Realm: r, Client: c, User: alice, Scopes: s, Issuer: "iss", Now: time.Unix(0, 0)})
		b, _ := cl.MarshalJSON()
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	web := build("web")
	if got := asStrings(web["aud"]); !sameSet(got, []string{"api", "other", "account", "https://api.example.com"}) {
		t.Errorf("web aud = %v", got)
	}
	if got := web["tenant"]; got == nil || got.(map[string]any)["id"] != float64(42) {
		t.Errorf("nested hardcoded claim = %v", got)
	}
	if web["department"] != "sales" {
		t.Errorf("department = %v", web["department"])
	}
	if got := asStrings(web["groups"]); len(got) != 1 || got[0] != "/staff" {
		t.Errorf("groups = %v", got)
	}
	narrow := build("narrow")
	ra, _ := narrow["resource_access"].(map[string]any)
	if len(ra) != 1 || !sameSet(asStrings(ra["api"].(map[string]any)["roles"]), []string{"reader"}) {
		t.Errorf("narrow client (full scope off) resource_access = %v; want only api reader", ra)
	}
	if narrow["realm_access"] != nil {
		t.Errorf("narrow client has realm_access %v; want none (no realm role in its scope)", narrow["realm_access"])
	}
	if narrow["aud"] != "api" {
		t.Errorf("narrow aud = %v; want api", narrow["aud"])
	}
}

func TestHalfHashMatchesExample(t *testing.T) {
	b, err := os.ReadFile("../testdata/keycloak/token-response-password.json")
	if err != nil {
		t.Fatal(err)
	}
	var resp map[string]string
	_ = json.Unmarshal(b, &resp)
	if got := HalfHash("RS256", resp["access_token"]); got != "6aBRdaLVY0gpIoIPCPlF9A" {
		t.Errorf("at_hash = %q; want the example's 6aBRdaLVY0gpIoIPCPlF9A", got)
	}
}

func asStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i], _ = e.(string)
		}
		return out
	}
	return nil
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]bool{}
	for _, x := range a {
		m[x] = true
	}
	for _, x := range b {
		if !m[x] {
			return false
		}
	}
	return true
}
