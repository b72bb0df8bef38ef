package scenarios

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestConvertRoundTrip converts the fixture to TOML, loads the TOML, and compares the model
// with the one --realm-import gives: realm, clients, scopes, mappers, roles, groups, users with
// their roles and passwords, permissions, identity providers, keys and ids.
func TestConvertRoundTrip(t *testing.T) {
	data, err := os.ReadFile(txFixture)
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Name: txFixture, Data: data, Dir: "testdata/import"}
	// Load the export under the server the converted file declares, as the converted file is.
	imp, err := ImportRealmJSON(src.Name, src.Data)
	if err != nil {
		t.Fatal(err)
	}
	server := Source{Name: "server.toml", Data: encodeTOML(&fileDoc{Server: convertServer(imp)}, nil)}
	want, _, err := LoadWithImports(testOpts, []Source{server}, []Source{src})
	if err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{true, false} {
		t.Run(fmt.Sprintf("full=%v", full), func(t *testing.T) {
			text, warnings, err := Convert(testOpts, src, ConvertOptions{Full: full})
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) == 0 || !strings.Contains(string(text), "# 27 warnings") {
				t.Errorf("the warnings belong in the header:\n%.600s", text)
			}
			got, err := Load(testOpts, Source{Name: "converted.toml", Data: text})
			if err != nil {
				t.Fatalf("the converted scenario does not load: %v\n%s", err, text)
			}
			if got.Server.Version.String() != "26.0.7" || !got.Server.Feature("admin-fine-grained-authz") || !got.Server.Feature("token-exchange") {
				t.Errorf("server = %+v; want the export's version and the features its permissions need", got.Server)
			}
			a, b := dumpRealm(want.Realms[0], !full), dumpRealm(got.Realms[0], !full)
			if !slices.Equal(a, b) {
				for _, l := range diffLines(a, b) {
					t.Error(l)
				}
			}
			if full {
				return
			}
			for _, absent := range []string{`name = "offline_access"`, "protocol = ", "m10", "r-example", "access_token_lifespan_for_implicit_flow"} {
				if strings.Contains(string(text), absent) {
					t.Errorf("minimal output holds %q (built-in or default content)", absent)
				}
			}
		})
	}
}

func TestConvertKeepsKeyMaterialAndHashes(t *testing.T) {
	data, _ := os.ReadFile(txFixture)
	text, _, err := Convert(testOpts, Source{Name: txFixture, Data: data}, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"[[realms.keys]]\nalgorithm = \"RS256\"\nprivate_key = \"MIIEvwIBADANBgkqhkiG9w0BAQEFAASC",
		"kid = \"0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0\"",
		"algorithm = \"pbkdf2-sha256\"\nhash_iterations = 27500\nsalt = \"P5rtFkGtPfoaryJ6PizUJw==\"\nhashed_value = \"JsfNbCOIdZUbyBJ+BT+VoGI91Ec2rWLOvkLPDaX8e9k=\"",
		"[realms.users.credentials.additional_parameters]\nhashLength = \"32\"\nmemory = \"7168\"",
		"[realms.clients.permissions]\nenabled = true\ntoken-exchange = { policies = [\"to\"], decision_strategy = \"AFFIRMATIVE\" }",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("converted scenario lacks\n%s", want)
		}
	}
}

func TestConvertReportsProblemsWithJSONPaths(t *testing.T) {
	_, _, err := Convert(testOpts, Source{Name: "x.json", Data: []byte(`{"realm": "a", "users": [{"username": "u", "groups": ["/nope"]}]}`)}, ConvertOptions{})
	if err == nil || !strings.Contains(err.Error(), `x.json: users[0].groups[0]: no group "/nope" in realm "a"`) {
		t.Errorf("err = %v", err)
	}
}

func TestEncodeTOMLEscapesAndEmptyLists(t *testing.T) {
	empty := []string{}
	doc := &fileDoc{Realms: []realmDoc{{
		Realm: "q\"uote", DisplayName: "tab\tnew\nline\x01", DefaultDefaultClientScopes: empty,
		Clients: []clientDoc{{ClientID: "c", DefaultClientScopes: &empty, Attributes: Attributes{"a.b": "", "x": "1"}}},
	}}}
	text := encodeTOML(doc, []string{"a comment"})
	var back fileDoc
	if p := parse(Source{Name: "e.toml", Data: text}, problems{file: "e.toml", list: &[]Problem{}}); p == nil {
		t.Fatalf("does not parse:\n%s", text)
	} else {
		back = *p
	}
	r := back.Realms[0]
	if r.Realm != doc.Realms[0].Realm || r.DisplayName != doc.Realms[0].DisplayName || r.DefaultDefaultClientScopes == nil ||
		r.Clients[0].DefaultClientScopes == nil || len(*r.Clients[0].DefaultClientScopes) != 0 || !maps.Equal(r.Clients[0].Attributes, doc.Realms[0].Clients[0].Attributes) {
		t.Errorf("round trip through TOML changed the document:\n%s", text)
	}
}

// TestConvertLeavesOutBuiltinContent converts an export of a realm that holds only what
// Keycloak creates (as a partial export writes it: every built-in client with its scopes
// listed, the SAML role_list scope, masked nothing): the scenario is little more than the
// realm's name.
func TestConvertLeavesOutBuiltinContent(t *testing.T) {
	scopes := `"defaultClientScopes": ["web-origins", "acr", "profile", "roles", "basic", "email"],
      "optionalClientScopes": ["address", "phone", "offline_access", "organization", "microprofile-jwt"]`
	export := `{
  "id": "fresh-id", "realm": "fresh", "enabled": true, "sslRequired": "external", "accessTokenLifespan": 300,
  "ssoSessionIdleTimeout": 1800, "offlineSessionMaxLifespanEnabled": false, "revokeRefreshToken": false,
  "defaultSignatureAlgorithm": "RS256", "keycloakVersion": "26.4.5",
  "roles": {
    "realm": [
      {"id": "1", "name": "offline_access", "description": "${role_offline-access}", "composite": false, "clientRole": false, "containerId": "fresh-id", "attributes": {}},
      {"id": "2", "name": "uma_authorization", "description": "${role_uma_authorization}", "composite": false, "clientRole": false, "containerId": "fresh-id", "attributes": {}},
      {"id": "3", "name": "default-roles-fresh", "description": "${role_default-roles}", "composite": true,
       "composites": {"realm": ["uma_authorization", "offline_access"], "client": {"account": ["manage-account", "view-profile"]}},
       "clientRole": false, "containerId": "fresh-id", "attributes": {}}
    ],
    "client": {"broker": [{"id": "4", "name": "read-token", "description": "${role_read-token}", "composite": false, "clientRole": true, "containerId": "b", "attributes": {}}]}
  },
  "defaultRole": {"id": "3", "name": "default-roles-fresh", "description": "${role_default-roles}", "composite": true, "clientRole": false, "containerId": "fresh-id"},
  "scopeMappings": [{"clientScope": "offline_access", "roles": ["offline_access"]}],
  "clientScopeMappings": {"account": [{"client": "account-console", "roles": ["view-groups", "manage-account"]}]},
  "clients": [
    {"id": "a", "clientId": "account", "name": "${client_account}", "rootUrl": "${authBaseUrl}", "baseUrl": "/realms/fresh/account/",
      "surrogateAuthRequired": false, "enabled": true, "clientAuthenticatorType": "client-secret", "redirectUris": ["/realms/fresh/account/*"],
      "webOrigins": [], "bearerOnly": false, "consentRequired": false, "standardFlowEnabled": true, "implicitFlowEnabled": false,
      "directAccessGrantsEnabled": false, "serviceAccountsEnabled": false, "publicClient": true, "frontchannelLogout": false,
      "protocol": "openid-connect", "attributes": {"realm_client": "false", "post.logout.redirect.uris": "+"},
      "authenticationFlowBindingOverrides": {}, "fullScopeAllowed": false, "nodeReRegistrationTimeout": 0, ` + scopes + `},
    {"id": "b", "clientId": "broker", "name": "${client_broker}", "enabled": true, "bearerOnly": true, "publicClient": false,
      "frontchannelLogout": false, "fullScopeAllowed": false, "attributes": {"realm_client": "true"}, ` + scopes + `},
    {"id": "c", "clientId": "realm-management", "name": "${client_realm-management}", "bearerOnly": true, "fullScopeAllowed": false,
      "attributes": {"realm_client": "true"}, ` + scopes + `}
  ],
  "clientScopes": [
    {"id": "s1", "name": "role_list", "description": "SAML role list", "protocol": "saml", "attributes": {}},
    {"id": "s2", "name": "offline_access", "description": "OpenID Connect built-in scope: offline_access", "protocol": "openid-connect",
     "attributes": {"consent.screen.text": "${offlineAccessScopeConsentText}", "display.on.consent.screen": "true"}}
  ],
  "defaultDefaultClientScopes": ["role_list", "profile", "email", "roles", "web-origins", "acr", "basic"],
  "defaultOptionalClientScopes": ["offline_access", "address", "phone", "microprofile-jwt", "organization"],
  "attributes": {"cibaBackchannelTokenDeliveryMode": "poll", "cibaExpiresIn": "120", "frontendUrl": "", "realmReusableOtpCode": "false"}
}`
	text, warnings, err := Convert(testOpts, Source{Name: "fresh.json", Data: []byte(export)}, ConvertOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := string(text)
	if i := strings.Index(body, "\n[server]"); i >= 0 {
		body = body[i+1:]
	}
	want := "[server]\nversion = \"26.4.5\"\n\n[[realms]]\nid = \"fresh-id\"\nrealm = \"fresh\"\n"
	if body != want {
		t.Errorf("converted scenario:\n%s\nwant:\n%s", body, want)
	}
	if len(warnings) != 1 || warnings[0].Path != "clientScopes[0]" {
		t.Errorf("warnings = %v; want only the SAML scope's", warnings)
	}
}
