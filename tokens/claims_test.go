package tokens

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
)

// TestClaimsMatchKeycloakExamples re-encodes each example claims file and compares with the
// payload segment of the corresponding example token, byte for byte: this checks the fixed field
// order, the HashMap order of other claims and the HashSet order of roles.
func TestClaimsMatchKeycloakExamples(t *testing.T) {
	tests := []struct {
		claims, response, field string
	}{
		{"access-token-password.claims.json", "token-response-password.json", "access_token"},
		{"access-token-client-credentials.claims.json", "token-response-client-credentials.json", "access_token"},
		{"refresh-token.claims.json", "token-response-password.json", "refresh_token"},
		{"id-token.claims.json", "token-response-password.json", "id_token"},
	}
	for _, tt := range tests {
		t.Run(tt.claims, func(t *testing.T) {
			want := segment(t, tokenResponse(t, tt.response)[tt.field].(string), 1)
			c := claimsFromJSON(t, readTestdata(t, filepath.Join("keycloak", tt.claims)))
			got, err := c.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestClaimsOrderIndependentOfInsertion feeds roles, clients and other claims in reverse: the
// hash order must still give Keycloak's bytes (no two of these names share a bucket).
func TestClaimsOrderIndependentOfInsertion(t *testing.T) {
	want := segment(t, tokenResponse(t, "token-response-password.json")["access_token"].(string), 1)
	c := claimsFromJSON(t, readTestdata(t, "keycloak/access-token-password.claims.json"))
	slices.Reverse(c.Other)
	slices.Reverse(c.RealmAccess.Roles)
	slices.Reverse(c.ResourceAccess[0].Access.Roles)
	got, err := c.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestClaimsAppendJSON(t *testing.T) {
	empty, nonce := "", "n"
	tests := []struct {
		name string
		c    Claims
		want string
	}{
		{"zero values omitted", Claims{}, `{}`},
		{"offline token has no exp", Claims{Iat: 5, Typ: "Offline"}, `{"iat":5,"typ":"Offline"}`},
		{"aud one is a string", Claims{Aud: []string{"account"}}, `{"aud":"account"}`},
		{"aud several is an array", Claims{Aud: []string{"b", "a"}}, `{"aud":["b","a"]}`},
		{"empty scope is sent", Claims{Scope: &empty}, `{"scope":""}`},
		{"empty nonce is sent", Claims{Typ: "ID", Nonce: &empty, Sid: "s"}, `{"typ":"ID","nonce":"","sid":"s"}`},
		{"empty allowed-origins is sent", Claims{AllowedOrigins: []string{}}, `{"allowed-origins":[]}`},
		{"nil roles give an empty object", Claims{RealmAccess: &Access{}}, `{"realm_access":{}}`},
		{"full fixed order", Claims{Exp: 1, Nbf: 2, Iat: 3, AuthTime: 4, JTI: "j", Iss: "i", Sub: "s",
			Typ: "ID", Azp: "z", Nonce: &nonce, Sid: "sid", AtHash: "at", CHash: "c", Acr: "1", SHash: "sh",
			Cnf: &Confirmation{JKT: "k"}},
			`{"exp":1,"nbf":2,"iat":3,"auth_time":4,"jti":"j","iss":"i","sub":"s","typ":"ID","azp":"z",` +
				`"nonce":"n","sid":"sid","at_hash":"at","c_hash":"c","acr":"1","s_hash":"sh","cnf":{"jkt":"k"}}`},
		{"other claims after scope", Claims{Scope: &empty, Other: []Claim{{"email", "a@b"}}},
			`{"scope":"","email":"a@b"}`},
		{"duplicate other claim keeps first slot, last value",
			Claims{Other: []Claim{{"name", "x"}, {"email", "e"}, {"name", "y"}}}, `{"name":"y","email":"e"}`},
		{"nil other claim skipped", Claims{Other: []Claim{{"name", nil}, {"email", "e"}}}, `{"email":"e"}`},
		{"duplicate client merged", Claims{ResourceAccess: []ClientAccess{
			{"account", Access{[]string{"view-profile"}}}, {"account", Access{[]string{"manage-account"}}}}},
			`{"resource_access":{"account":{"roles":["manage-account","view-profile"]}}}`},
		{"Jackson escaping", Claims{Sub: "<a&b>\u00e9\"\\\n\x01"}, `{"sub":"<a&b>é\"\\\n\u0001"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON %q", got)
			}
		})
	}
}

func TestClaimsMarshalJSON(t *testing.T) {
	c := &Claims{Iat: 7, Other: []Claim{{"name", "a<b"}}}
	got, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"iat":7,"name":"a<b"}`; string(got) != want {
		t.Errorf("MarshalJSON: got %q; want %q", got, want)
	}
	// json.Marshal HTML-escapes whatever a Marshaler returns, which is why token code must call
	// AppendJSON or MarshalJSON directly.
	got, err = json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"iat":7,"name":"a\u003cb"}`; string(got) != want {
		t.Errorf("json.Marshal: got %q; want %q", got, want)
	}
}

func TestClaimsAppendJSONError(t *testing.T) {
	c := Claims{Other: []Claim{{"bad", make(chan int)}}}
	if _, err := c.AppendJSON(nil); err == nil {
		t.Error("got nil error for a channel claim value; want an error")
	}
}
