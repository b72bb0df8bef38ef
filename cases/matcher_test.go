package cases

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// matcherFrom compiles the TOML value of key m in src with the given variables saved.
func matcherFrom(t *testing.T, src string, saved ...string) *Matcher {
	t.Helper()
	var doc map[string]any
	if _, err := toml.Decode(src, &doc); err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	p := &parser{file: "t.toml", saved: map[string]bool{}}
	for _, s := range saved {
		p.saved[s] = true
	}
	m := compileMatcher(doc["m"], "m", p)
	if len(p.probs) > 0 {
		t.Fatalf("%s: %v", src, p.probs)
	}
	return m
}

// fakeJWT is an unsigned token with these claims: cases read claims, never signatures.
func fakeJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func testEnv(t *testing.T) *env {
	e := newEnv()
	e.vars["alice"] = fakeJWT(t, map[string]any{"sid": "s-1", "iat": 1000, "realm_access": map[string]any{"roles": []string{"customer"}}})
	e.vars["n"] = float64(42)
	e.vars["roles"] = []any{"a", "b"}
	e.vars[varIssuer] = "http://127.0.0.1:1/realms/r"
	return e
}

func TestMatchers(t *testing.T) {
	tests := []struct {
		matcher string // TOML for key m
		got     string // JSON; "" for absent
		want    bool
	}{
		{`m = "orders-api"`, `"orders-api"`, true},
		{`m = "orders-api"`, `["orders-api"]`, false},
		{`m = "orders-api"`, ``, false},
		{`m = "*"`, `"x"`, true},
		{`m = "*"`, `0`, true},
		{`m = "*"`, `null`, false},
		{`m = "*"`, ``, false},
		{`m = "~^ntrtte:"`, `"ntrtte:1234"`, true},
		{`m = "~^ntrtte:"`, `"onrtro:1234"`, false},
		{`m = "~^ntrtte:"`, `12`, false},
		{`m = "=~literal"`, `"~literal"`, true},
		{`m = "=*"`, `"x"`, false},
		{`m = 300`, `300`, true},
		{`m = 300`, `300.0`, true},
		{`m = 300`, `"300"`, false},
		{`m = 1.5`, `1.5`, true},
		{`m = true`, `true`, true},
		{`m = true`, `"true"`, false},
		{`m = ["a", "b"]`, `["b", "a"]`, true},
		{`m = ["a", "b"]`, `["a", "b", "c"]`, false},
		{`m = ["a", "b"]`, `["a", "a"]`, false},
		{`m = ["openid", "email", "profile"]`, `"email openid profile"`, true},
		{`m = ["openid", "email"]`, `"email openid profile"`, false},
		{`m = ["a", "~^a"]`, `["ab", "a"]`, true},
		{`m = ["~^a", "a"]`, `["a", "ab"]`, true},
		{`m = { contains = ["a"] }`, `["b", "a"]`, true},
		{`m = { contains = ["a", "c"] }`, `["b", "a"]`, false},
		{`m = { contains = ["email"] }`, `"openid email"`, true},
		{`m = { not = "x" }`, `"y"`, true},
		{`m = { not = "x" }`, `"x"`, false},
		{`m = { not = "*" }`, ``, true},
		{`m = { keys = ["a"] }`, `{"a": 1}`, true},
		{`m = { keys = ["a"] }`, `{"a": 1, "b": 2}`, false},
		{`m = { a = { roles = ["r"] } }`, `{"a": {"roles": ["r"]}, "b": {}}`, true},
		{`m = { a = { roles = ["r"] } }`, `{"a": {"roles": ["s"]}}`, false},
		{`m = { a = 1 }`, `[1]`, false},
		{`m = [{ a = 1 }, { a = 2 }]`, `[{"a": 2, "x": 0}, {"a": 1}]`, true},
		// Variables.
		{`m = "${alice.sid}"`, `"s-1"`, true},
		{`m = "${alice.sid}"`, `"s-2"`, false},
		{`m = "${alice.iat}"`, `1000`, true},
		{`m = "${alice.iat + 300}"`, `1300`, true},
		{`m = "${alice.iat - 1}"`, `999`, true},
		{`m = "${n}"`, `42`, true},
		{`m = "${n}"`, `"42"`, false},
		{`m = "n=${n}"`, `"n=42"`, true},
		{`m = "${roles}"`, `["a", "b"]`, true},
		{`m = "${roles}"`, `["b", "a"]`, false},
		{`m = "${alice.realm_access.roles}"`, `["customer"]`, true},
		{`m = "${issuer}"`, `"http://127.0.0.1:1/realms/r"`, true},
		{`m = "~^${issuer}/protocol"`, `"http://127.0.0.1:1/realms/r/protocol/x"`, true},
		{`m = "~^${issuer}/protocol"`, `"http://127x0x0x1:1/realms/r/protocol/x"`, false}, // dots quoted
		{`m = { not = "${alice.sid}" }`, `"s-2"`, true},
		{`m = "$${literal}"`, `"${literal}"`, true},
	}
	for _, tt := range tests {
		m := matcherFrom(t, tt.matcher, "alice", "n", "roles")
		var got any
		present := tt.got != ""
		if present {
			if err := json.Unmarshal([]byte(tt.got), &got); err != nil {
				t.Fatalf("%s: %v", tt.got, err)
			}
		}
		ok, err := m.matches(got, present, testEnv(t))
		if err != nil {
			t.Errorf("%s against %s: %v", tt.matcher, tt.got, err)
			continue
		}
		if ok != tt.want {
			t.Errorf("%s against %s: matches = %v; want %v", tt.matcher, tt.got, ok, tt.want)
		}
	}
}

func TestMismatchesNameTheInnermostField(t *testing.T) {
	m := matcherFrom(t, `m = { aud = "orders-api", resource_access = { orders-api = { roles = ["read"] } }, sid = { not = "${alice.sid}" }, exp = "${alice.iat + 300}", scope = { contains = ["openid"] }, act = "*" }`, "alice")
	var got any
	_ = json.Unmarshal([]byte(`{"aud":["orders-api","account"],"resource_access":{"orders-api":{"roles":["write"]}},"sid":"s-1","exp":1300,"scope":"email profile"}`), &got)
	var mm []Mismatch
	m.check("claims.access_token", got, true, testEnv(t), &mm)
	var lines []string
	for _, x := range mm {
		lines = append(lines, x.String())
	}
	want := []string{
		`claims.access_token.act: want present, got absent`,
		`claims.access_token.aud: want "orders-api", got ["orders-api","account"]`,
		`claims.access_token.resource_access.orders-api.roles: want ["read"] in any order, got ["write"]`,
		`claims.access_token.scope: want containing ["openid"], got "email profile"`,
		`claims.access_token.sid: want not "s-1", got "s-1"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("mismatches:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestUnresolvableVariableIsANote(t *testing.T) {
	m := matcherFrom(t, `m = "${alice.nope}"`, "alice")
	var mm []Mismatch
	m.check("body.sub", "x", true, testEnv(t), &mm)
	if len(mm) != 1 || mm[0].String() != `body.sub: ${alice.nope}: no claim "nope"` {
		t.Errorf("mismatches = %v", mm)
	}
	e := testEnv(t)
	e.vars["plain"] = "not-a-jwt"
	if _, err := e.lookup(ref{Var: "plain", Path: []string{"sid"}}); err == nil || !strings.Contains(err.Error(), "plain is not a JWT") {
		t.Errorf("lookup of a claim of a plain string: %v", err)
	}
	n := int64(5)
	if _, err := e.lookup(ref{Var: "alice", Path: []string{"sid"}, Offset: &n}); err == nil || err.Error() != `${alice.sid + 5}: ${alice.sid} is "s-1", not a number` {
		t.Errorf("offset on a string: %v", err)
	}
}

func TestTemplates(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"Bearer ${alice.sid}", "Bearer s-1"},
		{"${n}", "42"},
		{"${n + 8}/${n - 2}", "50/40"},
		{"$${not a var}", "${not a var}"},
		{"${roles}", `["a","b"]`},
	}
	for _, tt := range tests {
		tmpl, err := parseTemplate(tt.in)
		if err != nil {
			t.Errorf("parseTemplate(%q): %v", tt.in, err)
			continue
		}
		got, err := tmpl.expand(testEnv(t))
		if err != nil || got != tt.want {
			t.Errorf("expand %q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"${}", "${a..b}", "${1a}", "${a + x}", "${a"} {
		if _, err := parseTemplate(bad); err == nil {
			t.Errorf("parseTemplate(%q) succeeded; want an error", bad)
		}
	}
}

func TestShowClipsLongValues(t *testing.T) {
	s := show(strings.Repeat("é", 300), true)
	if len(s) > maxShown+len("…") || !strings.HasSuffix(s, "…") || !strings.HasPrefix(s, `"é`) {
		t.Errorf("show = %q", s)
	}
	if got := show("<a&b>", true); got != `"<a&b>"` {
		t.Errorf("show = %s; want no HTML escaping", got)
	}
}
