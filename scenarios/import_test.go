package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const txFixture = "testdata/import/token-exchange-realm.json"

// loadImport loads realm exports the way --realm-import does.
func loadImport(t *testing.T, files ...string) (*Scenario, []Warning) {
	t.Helper()
	srcs, err := ReadImports(testOpts, files...)
	if err != nil {
		t.Fatal(err)
	}
	sc, warnings, err := LoadWithImports(testOpts, nil, srcs)
	if err != nil {
		t.Fatalf("LoadWithImports: %v", err)
	}
	return sc, warnings
}

func TestImportTokenExchangeRealm(t *testing.T) {
	sc, _ := loadImport(t, txFixture)
	r := sc.Realm("token-exchange")
	if r == nil {
		t.Fatal("realm token-exchange missing")
	}
	if r.ID != "tx-realm-id" || r.DisplayName != "Token exchange" || r.AccessTokenLifespan != 10*time.Minute ||
		!r.OfflineSessionMaxLifespanEnabled || r.ClientSessionIdleTimeout != 15*time.Minute {
		t.Errorf("realm settings: id %q, name %q, access %v, offline max %v, client idle %v", r.ID, r.DisplayName, r.AccessTokenLifespan, r.OfflineSessionMaxLifespanEnabled, r.ClientSessionIdleTimeout)
	}
	if got := scopeNames(r.DefaultDefaultScopes); got != "profile email roles web-origins acr basic" {
		t.Errorf("realm default scopes = %q; want the export's without the SAML role_list", got)
	}
	if r.ClientScope("role_list") != nil || r.ClientScope("exchange-scope") == nil {
		t.Error("want the SAML scope left out and exchange-scope imported")
	}

	target := r.Client("target")
	if target == nil || target.ID != "5c8e3e4a-7b1e-4b8a-9d53-0f3f6b2a1c01" || target.Secret != "target-secret" {
		t.Fatalf("client target = %+v", target)
	}
	if len(target.ProtocolMappers) != 1 || target.ProtocolMappers[0].Type != "oidc-audience-mapper" {
		t.Errorf("target mappers = %v; want the audience mapper only (the script mapper left out)", target.ProtocolMappers)
	}
	if r.Client("saml-app") != nil {
		t.Error("the SAML client must be left out")
	}
	pub := r.Client("direct-public")
	if got := strings.Join(pub.WebOrigins, " "); got != "http://localhost:8180 https://app.example.com:8443" {
		t.Errorf("web origins derived from redirect URIs = %q", got)
	}
	if pub.FullScopeAllowed {
		t.Error("a client imported without fullScopeAllowed but with consent gets no full scope (RepresentationToModel)")
	}
	if c := r.Client("direct-no-secret"); c.ClientAuthenticatorType != "client-secret" || c.Secret != "" {
		t.Errorf("direct-no-secret: authenticator %q secret %q", c.ClientAuthenticatorType, c.Secret)
	}
	if got := roleNames(r.Client("legal").ScopeMappings); got != "target/target-role" {
		t.Errorf("legal scope mappings = %q", got)
	}
	if got := roleNames(target.ScopeMappings); got != "example" {
		t.Errorf("target scope mappings = %q", got)
	}

	// Fine-grained admin permissions from realm-management's authorization settings.
	te := target.Permissions
	if te == nil || te.TokenExchange.DecisionStrategy != Affirmative || policyNames(te.TokenExchange.Policies) != "to" {
		t.Fatalf("target permissions = %+v; want token-exchange → to (AFFIRMATIVE; office-hours left out)", te)
	}
	if got := clientIDs(r.Policies["to"].Clients); got != "client-exchanger legal direct-legal" {
		t.Errorf("policy to clients = %q (one named by its internal id in the export)", got)
	}
	if r.Client("legal").Permissions != nil {
		t.Error("a client without client.resource.<id> has no permissions")
	}
	up := r.UserPermissions
	if up == nil || policyNames(up.Impersonate.Policies) != "clientImpersonators" || up.Impersonate.DecisionStrategy != Affirmative ||
		policyNames(up.UserImpersonated.Policies) != "impersonated-users" {
		t.Fatalf("user permissions = %+v", up)
	}
	if p := r.Policies["impersonated-users"]; len(p.Users) != 2 || p.Users[0].Username != "impersonated-user" {
		t.Errorf("user policy users = %v; want impersonated-user (named by id) and user", p.Users)
	}
	if p := r.Policies["example-holders"]; !p.Negative || len(p.Roles) != 2 || p.Roles[0].Role != r.RealmRole("example") || !p.Roles[0].Required ||
		p.Roles[1].Role != target.Role("target-role") {
		t.Errorf("role policy = %+v", p)
	}
	idp := r.IdentityProvider("external-oidc")
	if idp == nil || idp.Permissions == nil || policyNames(idp.Permissions.TokenExchange.Policies) != "to" || idp.Config["useJwksUrl"] != "false" {
		t.Errorf("identity provider = %+v", idp)
	}

	user := r.User("user")
	eng := r.Group("/staff/engineering")
	if user.ID != "b0c6f0a4-1d5e-4f0b-9a0e-5e1f2d3c4b5a" || !user.CheckPassword("password") || len(user.Groups) != 1 || user.Groups[0] != eng {
		t.Errorf("user = %+v", user)
	}
	for _, role := range []*Role{r.RealmRole("example"), target.Role("target-role"), r.Client("realm-management").Role("impersonation")} {
		if !user.HasRole(role) {
			t.Errorf("user lacks %s", role.Name)
		}
	}
	if got := user.Consents["legal"]; !slices.Equal(got, []string{"profile"}) {
		t.Errorf("consents = %v", got)
	}
	if r.User("carol").Enabled {
		t.Error("Keycloak imports a user without \"enabled\" disabled")
	}
	imp := r.User("impersonated-user")
	if len(imp.RequiredActions) != 0 || r.UserByFederatedIdentity("external-oidc", "ext-123") != imp || len(imp.FederatedIdentities) != 1 {
		t.Errorf("impersonated-user = %+v", imp)
	}
	if r.User("bad-impersonator").HasPassword() {
		t.Error("a bcrypt hash kcmock cannot check gives no password")
	}
	sa := r.ServiceAccount(r.Client("client-exchanger"))
	if sa == nil || sa.ID != "5a5a5a5a-0000-4000-8000-0000000000a5" {
		t.Errorf("service account = %+v", sa)
	}
	if r.Keys.Active == nil || r.Keys.Active.Alg != "RS256" || r.Keys.HMAC.KID != "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" || len(r.Keys.Others) != 1 {
		t.Errorf("keys: active %+v, hmac %+v, others %d; want the imported RSA key active, the ES256 one published", r.Keys.Active, r.Keys.HMAC, len(r.Keys.Others))
	}
}

// TestImportedHashedPasswords checks the passwords of the fixture: hashes from real Keycloak
// exports (pbkdf2-sha256 and argon2, password "password") and ones made with Python's hashlib.
func TestImportedHashedPasswords(t *testing.T) {
	sc, _ := loadImport(t, txFixture)
	r := sc.Realm("token-exchange")
	for _, tt := range []struct{ user, alg, pw string }{
		{"user1", "pbkdf2-sha256", "password"},
		{"admin1", "argon2", "password"},
		{"carol", "pbkdf2-sha512", "carol-pw"},
		{"dave", "pbkdf2", "dave-pw"},
	} {
		u := r.User(tt.user)
		if u.PasswordHash == nil || u.PasswordHash.Algorithm != tt.alg {
			t.Errorf("%s: hash %+v; want %s", tt.user, u.PasswordHash, tt.alg)
			continue
		}
		if !u.CheckPassword(tt.pw) || u.CheckPassword(tt.pw+"x") || u.CheckPassword("") {
			t.Errorf("%s: CheckPassword accepts the wrong passwords or refuses the right one", tt.user)
		}
	}
}

func TestImportWarningsNamePaths(t *testing.T) {
	_, warnings := loadImport(t, txFixture)
	want := []struct{ path, msg string }{
		{"clientScopes[0]", `saml client scope "role_list" is not emulated`},
		{"clientScopes[1].protocolMappers[1]", `saml mapper "saml thing"`},
		{"clients[1].protocolMappers[1].protocolMapper", `mapper type "oidc-script-based-protocol-mapper" is not emulated`},
		{"clients[7].clientAuthenticatorType", `client authenticator "client-jwt" is not emulated`},
		{"clients[7]", `has no secret in the export`},
		{"clients[8].secret", `the secret is masked`},
		{"clients[9]", `saml client "saml-app" is not emulated`},
		{"defaultOptionalClientScopes[6]", `no client scope "gone-scope"`},
		{"identityProviders[1]", `identity provider "saml-idp" (saml) is not emulated`},
		{"identityProviders[0].config.jwksUrl", `the scenario has no realm "ext"`},
		{"users[2]", `grants "user1" only the roles listed`},
		{"users[5].requiredActions[0]", `required action "CUSTOM_ACTION"`},
		{"users[5].credentials[1]", `otp credentials are not emulated`},
		{"users[6].credentials[0]", `"bcrypt" is not emulated`},
		{"clients[10].authorizationSettings.policies[4]", `time policy "office-hours" is not emulated`},
		{"clients[10].authorizationSettings.policies[5].config.applyPolicies", `policy "office-hours" is not emulated`},
		{"clients[10].authorizationSettings.policies[9]", `permission "manage.permission.users" is not emulated`},
		{`components."org.keycloak.keys.KeyProvider"[0]`, `no key material for "rsa-generated"`},
		{`components."org.keycloak.keys.KeyProvider"[2]`, `HS512 secret's text`},
		{`components."org.keycloak.keys.KeyProvider"[3]`, `AES keys are not used`},
		{`components."org.keycloak.storage.UserStorageProvider"[0]`, `user federation`},
		{"authenticationFlows[1]", `custom authentication flow "direct grant with otp"`},
		{"requiredActions[1]", `required action "CUSTOM_ACTION" is not emulated`},
		{"bruteForceProtected", "not emulated"},
		{"directGrantFlow", "not emulated"},
		{"displayNameHtml", "not emulated"},
		{"passwordPolicy", "passwords are not checked"},
		{"", "fine-grained admin permissions (v1)"},
	}
	for _, w := range want {
		found := false
		for _, g := range warnings {
			found = found || g.Path == w.path && strings.Contains(g.Msg, w.msg) && g.File == txFixture
		}
		if !found {
			t.Errorf("no warning %s: …%s…", w.path, w.msg)
		}
	}
	if len(warnings) != len(want) {
		for _, g := range warnings {
			t.Log(g)
		}
		t.Errorf("got %d warnings; want %d (defaults such as sslRequired \"external\" are silent)", len(warnings), len(want))
	}
}

func TestImportProblemsHaveJSONPaths(t *testing.T) {
	tests := []struct {
		name string
		json string
		want []string // in order
	}{
		{"syntax error with line and column", "{\n  \"realm\": \"a\",\n  \"enabled\": tru\n}", []string{"x.json:3:17: invalid character"}},
		{"not a realm", `[{"realm": "a"}, 3]`, []string{`x.json: [1]: must be a realm object, got a number`}},
		{"wrong types", `{"realm": "a", "enabled": "yes", "accessTokenLifespan": "soon", "clients": [{"clientId": "c", "redirectUris": "http://x"}]}`, []string{
			`x.json: enabled: must be true or false, got a string`,
			`x.json: accessTokenLifespan: must be an integer, got a string`,
			`x.json: clients[0].redirectUris: must be an array of strings, got a string`,
		}},
		{"resolution problems keep the export's indexes", `{"realm": "a",
  "clients": [
    {"clientId": "s", "protocol": "saml"},
    {"clientId": "c", "protocolMappers": [{"name": "m", "protocolMapper": "oidc-usermodel-attribute-mapper", "config": {"user.attribute": "x"}}]},
    {"clientId": "c"}
  ],
  "users": [{"username": "u", "enabled": true, "realmRoles": ["default-roles-a", "ghost"], "clientRoles": {"c": ["nothing"]}}]}`, []string{
			`x.json: clients[2].clientId: duplicate client "c"`,
			`x.json: clients[1].protocolMappers[0].config."claim.name": mapper "m" (oidc-usermodel-attribute-mapper) needs "claim.name"`,
			`x.json: users[0].realmRoles[1]: no realm role "ghost" in realm "a"`,
			`x.json: users[0].clientRoles.c[0]: no role "nothing" in client "c"`,
		}},
		{"an array of realms", `[{"realm": "a"}, {"realm": "b", "groups": [{"name": "g", "subGroups": [{"name": "h", "path": "/x"}]}]}]`, []string{
			`x.json: [1].groups[0].subGroups[0].path: path "/x" does not match the group's place "/g/h"`,
		}},
		{"fine-grained permissions", `{"realm": "a", "clients": [{"clientId": "realm-management", "bearerOnly": true,
  "authorizationSettings": {"policies": [{"name": "p", "type": "user", "config": {"users": "[\"nobody\"]"}}, {"name": "q", "type": "client", "config": {"clients": "not json"}}]}}]}`, []string{
			`x.json: clients[0].authorizationSettings.policies[1].config.clients: must hold a JSON-encoded array`,
		}},
		{"a policy naming an unknown user", `{"realm": "a", "clients": [{"clientId": "realm-management", "bearerOnly": true,
  "authorizationSettings": {"policies": [{"name": "p", "type": "user", "config": {"users": "[\"nobody\"]"}}]}}]}`, []string{
			`x.json: clients[0].authorizationSettings.policies[0].config.users[0]: no user "nobody" in realm "a"`,
		}},
		{"a broken key", `{"realm": "a", "components": {"org.keycloak.keys.KeyProvider": [{"name": "k", "providerId": "rsa", "config": {"privateKey": ["bm90IGEga2V5"], "priority": ["100"]}}]}}`, []string{
			`x.json: components."org.keycloak.keys.KeyProvider"[0].config.privateKey: `,
		}},
		{"a hashed password in the wrong place", `{"realm": "a", "users": [{"username": "u", "credentials": [{"type": "password", "secretData": "{\"value\": 1"}]}]}`, []string{
			`x.json: users[0].credentials[0].secretData: must hold a JSON object`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, _, err := LoadWithImports(testOpts, nil, []Source{{Name: "x.json", Data: []byte(tt.json)}})
			var le *LoadError
			if sc != nil || !errors.As(err, &le) {
				t.Fatalf("err = %v; want a *LoadError and no scenario", err)
			}
			msg, pos := err.Error(), 0
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

// TestImportRealmFileAsWritten covers a file written by hand for --import-realm: no ids, no
// "enabled" on users, a legacy defaultRoles list, one array holding two realms.
func TestImportHandWrittenRealms(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/realms.json", []byte(`[
  {"realm": "one", "enabled": true, "defaultRoles": ["reader"],
   "roles": {"realm": [{"name": "reader"}]},
   "clients": [{"clientId": "app", "secret": "s", "directAccessGrantsEnabled": true, "redirectUris": ["https://app.example.com/*"]}],
   "users": [{"username": "Alice", "email": "alice@example.com", "credentials": [{"type": "password", "value": "pw", "temporary": true}]},
             {"username": "bob", "enabled": true, "realmRoles": ["default-roles-one"]}]},
  {"realm": "two"}
]`), 0o644)
	os.WriteFile(dir+"/notes.txt", []byte("not an export"), 0o644)
	sc, warnings := loadImport(t, dir)
	one := sc.Realm("one")
	if one == nil || sc.Realm("two") == nil {
		t.Fatal("both realms of the array must load")
	}
	alice := one.User("alice")
	if alice.Enabled || !alice.PasswordTemporary || !alice.CheckPassword("pw") {
		t.Errorf("alice = %+v; want disabled (no \"enabled\"), temporary password pw", alice)
	}
	if !alice.HasRole(one.RealmRole("reader")) {
		t.Error("legacy defaultRoles must join the default role")
	}
	if got := strings.Join(one.Client("app").WebOrigins, " "); got != "https://app.example.com" {
		t.Errorf("web origins = %q", got)
	}
	if len(warnings) != 1 || warnings[0].Path != "[0].users[0]" || !strings.Contains(warnings[0].Msg, "default-roles-one") {
		t.Errorf("warnings = %v; want one about alice's roles", warnings)
	}
}

func TestReadImportsProblems(t *testing.T) {
	dir := t.TempDir()
	_, err := ReadImports(testOpts, dir, dir+"/missing.json")
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) != 2 || !strings.Contains(le.Problems[0].Msg, "no *.json realm export") {
		t.Errorf("err = %v; want an empty directory and a missing file reported", err)
	}
}

func TestJSONPathTranslation(t *testing.T) {
	imp := &Import{realms: []importedRealm{{prefix: "[2]", paths: map[string]string{
		"clients[0]":                     "[2].clients[3]",
		"clients[0].protocol_mappers[1]": "[2].clients[3].protocolMappers[4]",
	}}}}
	for in, want := range map[string]string{
		`realms[0].clients[0].protocol_mappers[1].config."claim.name"`: `[2].clients[3].protocolMappers[4].config."claim.name"`,
		`realms[0].clients[0].redirect_uris[2]`:                        `[2].clients[3].redirectUris[2]`,
		`realms[0].sso_session_idle_timeout`:                           `[2].ssoSessionIdleTimeout`,
		`realms[0].client_scope_mappings."my.app"[0].client_scope`:     `[2].clientScopeMappings."my.app"[0].clientScope`,
		`realms[0].users[1].client_roles.account[0]`:                   `[2].users[1].clientRoles.account[0]`,
		`server.version`: `server.version`,
	} {
		if got := imp.jsonPath(in); got != want {
			t.Errorf("jsonPath(%s) = %s; want %s", in, got, want)
		}
	}
}

func roleNames(roles []*Role) string { return strings.Join(roleKeys(roles), " ") }

func policyNames(ps []*Policy) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return strings.Join(out, " ")
}

func clientIDs(cs []*Client) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ClientID)
	}
	return strings.Join(out, " ")
}

// TestImportPartialExportWarnsLittle: what a partial export of a new Keycloak 26.4 realm holds
// besides clients and scopes is Keycloak's default content, which changes nothing in kcmock;
// only what kcmock really leaves out is reported.
func TestImportPartialExportWarnsLittle(t *testing.T) {
	export := `{"realm": "p", "enabled": true, "sslRequired": "external", "bruteForceStrategy": "MULTIPLE",
  "maxTemporaryLockouts": 0, "failureFactor": 30, "requiredCredentials": ["password"],
  "otpPolicyType": "totp", "otpSupportedApplications": ["totpAppFreeOTPName"], "webAuthnPolicyRpEntityName": "keycloak",
  "webAuthnPolicyPasswordlessRequireResidentKey": "Yes", "localizationTexts": {},
  "browserSecurityHeaders": {"xContentTypeOptions": "nosniff", "xFrameOptions": "SAMEORIGIN", "strictTransportSecurity": "max-age=31536000; includeSubDomains"},
  "smtpServer": {}, "eventsEnabled": false, "eventsListeners": ["jboss-logging"], "enabledEventTypes": [],
  "identityProviders": [], "identityProviderMappers": [], "internationalizationEnabled": false,
  "clientScopes": [{"name": "saml_organization", "protocol": "saml", "protocolMappers": [{"name": "organization", "protocol": "saml", "protocolMapper": "saml-organization-membership-mapper"}]}],
  "defaultDefaultClientScopes": ["saml_organization", "profile", "email", "roles", "web-origins", "acr", "basic"],
  "clients": [{"clientId": "api", "secret": "**********", "attributes": {"realm_client": "false"}}],
  "components": {
    "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy": [
      {"name": "Trusted Hosts", "providerId": "trusted-hosts", "subType": "anonymous", "subComponents": {}, "config": {"client-uris-must-match": ["true"]}}],
    "org.keycloak.keys.KeyProvider": [
      {"name": "hmac-generated-hs512", "providerId": "hmac-generated", "subComponents": {}, "config": {"priority": ["100"], "algorithm": ["HS512"]}},
      {"name": "aes-generated", "providerId": "aes-generated", "subComponents": {}, "config": {"priority": ["100"]}},
      {"name": "rsa-enc-generated", "providerId": "rsa-enc-generated", "subComponents": {}, "config": {"priority": ["100"], "algorithm": ["RSA-OAEP"]}},
      {"name": "rsa-generated", "providerId": "rsa-generated", "subComponents": {}, "config": {"priority": ["100"]}}]},
  "authenticationFlows": [{"alias": "browser", "providerId": "basic-flow", "topLevel": true, "builtIn": true, "authenticationExecutions": []}],
  "authenticatorConfig": [{"alias": "review profile config", "config": {"update.profile.on.first.login": "missing"}}],
  "requiredActions": [{"alias": "idp_link", "name": "Linking Identity Provider", "providerId": "idp_link", "enabled": true, "defaultAction": false, "priority": 120, "config": {}},
    {"alias": "VERIFY_PROFILE", "providerId": "VERIFY_PROFILE", "enabled": true}],
  "browserFlow": "browser", "directGrantFlow": "direct grant", "attributes": {"cibaExpiresIn": "120"},
  "keycloakVersion": "26.4.5", "userManagedAccessAllowed": false, "organizationsEnabled": false,
  "verifiableCredentialsEnabled": false, "adminPermissionsEnabled": false,
  "clientProfiles": {"profiles": []}, "clientPolicies": {"policies": []}}`
	_, warnings, err := LoadWithImports(testOpts, nil, []Source{{Name: "p.json", Data: []byte(export)}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"clientScopes[0]: saml client scope",
		"clients[0].secret: the secret is masked",
		`components."org.keycloak.keys.KeyProvider"[0]: the export holds no key material for "hmac-generated-hs512"`,
		`components."org.keycloak.keys.KeyProvider"[1]: AES keys are not used`,
		`components."org.keycloak.keys.KeyProvider"[2]: the export holds no key material for "rsa-enc-generated"`,
		`components."org.keycloak.keys.KeyProvider"[3]: the export holds no key material for "rsa-generated"`,
	}
	var got []string
	for _, w := range warnings {
		got = append(got, w.Path+": "+w.Msg)
	}
	if len(got) != len(want) {
		t.Fatalf("warnings:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("warning %d = %q; want %q…", i, got[i], w)
		}
	}
}

// TestImportVerifyProfile: a realm export turns the Verify Profile required action on unless
// it lists required actions without it (an imported list replaces the defaults), and its user
// profile names the attributes users must have.
func TestImportVerifyProfile(t *testing.T) {
	profile := func(attrs string) string {
		cfg, _ := json.Marshal(`{"attributes": [` + attrs + `]}`)
		return `"components": {"org.keycloak.userprofile.UserProfileProvider": [{"name": "up", "providerId": "declarative-user-profile", "config": {"kc.user.profile.config": [` + string(cfg) + `]}}]}`
	}
	tests := []struct {
		name     string
		export   string
		verify   bool
		required string
	}{
		{"defaults", `{"realm": "r"}`, true, "email firstName lastName"},
		{"a required-action list without it", `{"realm": "r", "requiredActions": [{"alias": "UPDATE_PASSWORD", "providerId": "UPDATE_PASSWORD", "enabled": true}]}`, false, "email firstName lastName"},
		{"listed and enabled", `{"realm": "r", "requiredActions": [{"alias": "VERIFY_PROFILE", "providerId": "VERIFY_PROFILE", "enabled": true}]}`, true, "email firstName lastName"},
		{"listed and disabled", `{"realm": "r", "requiredActions": [{"alias": "VERIFY_PROFILE", "providerId": "VERIFY_PROFILE", "enabled": false}]}`, false, "email firstName lastName"},
		{"a profile requiring email only, for users", `{"realm": "r", ` + profile(`{"name": "username"}, {"name": "email", "required": {"roles": ["user"]}}, {"name": "firstName", "required": {"roles": ["admin"]}}, {"name": "lastName"}`) + `}`, true, "email"},
		{"the user role makes scopes irrelevant; scopes alone are not a login requirement", `{"realm": "r", ` + profile(`{"name": "email", "required": {"roles": ["user"], "scopes": ["profile"]}}, {"name": "firstName", "required": {"scopes": ["profile"]}}, {"name": "dept", "required": {}}`) + `}`, true, "email dept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(dir+"/r.json", []byte(tt.export), 0o644); err != nil {
				t.Fatal(err)
			}
			sc, _ := loadImport(t, dir)
			r := sc.Realm("r")
			if r.VerifyProfile != tt.verify || strings.Join(r.ProfileRequired, " ") != tt.required {
				t.Errorf("verify %v, required %q; want %v, %q", r.VerifyProfile, strings.Join(r.ProfileRequired, " "), tt.verify, tt.required)
			}
		})
	}
}
