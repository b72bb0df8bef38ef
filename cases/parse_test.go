package cases

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// problems parses src and returns its problems as lines.
func problems(t *testing.T, src string) []string {
	t.Helper()
	_, err := Parse("t.toml", []byte(src))
	if err == nil {
		return nil
	}
	var le *scenarios.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Parse: %T %v; want a *scenarios.LoadError", err, err)
	}
	var out []string
	for _, p := range le.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestParseProblemsHavePaths(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown key in expect", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
expect.stauts = 200
`, []string{`t.toml: cases[0].steps[0].expect.stauts: unknown key (did you mean "status"?)`}},
		{"wrong types, third case", `
[[cases]]
name = "a"
[[cases.steps]]
request = "clock"
advance = "1s"
[[cases]]
name = "b"
[[cases.steps]]
request = "clock"
advance = "1s"
[[cases]]
name = "c"
[[cases.steps]]
request = "token"
expect.status = "200"
[[cases.steps]]
request = "token"
expect.error = 3.5
expect.body = { x = 2026-01-01T00:00:00Z }
`, []string{
			`t.toml: cases[2].steps[0].expect.status: must be an integer, got a string`,
			`t.toml: cases[2].steps[1].expect.body.x: must be a string, number, boolean, array or table, got a date-time`,
		}},
		{"missing name and steps", `
[[cases]]
realm = "r"
`, []string{
			`t.toml: cases[0].name: a case needs a name`,
			`t.toml: cases[0].steps: a case needs steps ([[cases.steps]])`,
		}},
		{"unknown request and missing request", `
[[cases]]
name = "a"
[[cases.steps]]
request = "tokn"
[[cases.steps]]
form = { a = "b" }
`, []string{
			`t.toml: cases[0].steps[0].request: unknown request "tokn": want token, introspect, userinfo, revoke, certs, discovery, clock, end_session`,
			`t.toml: cases[0].steps[1].request: a step needs a request: token, introspect, userinfo, revoke, certs, discovery, clock, end_session`,
			`t.toml: cases[0].steps[1].form: unknown key (known keys: name, realm, request)`,
		}},
		{"key of another kind of step", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
advance = "5s"
bearer = "x"
`, []string{
			`t.toml: cases[0].steps[0].advance: unknown key for this request (it belongs to request = "clock")`,
			`t.toml: cases[0].steps[0].bearer: unknown key for this request (it belongs to request = "userinfo")`,
		}},
		{"variables not saved before", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
form = { subject_token = "${alice}" }
save = { alice = "access_token" }
expect.claims.access_token = { sid = "${alice.sid}" }
[[cases.steps]]
request = "userinfo"
bearer = "${alice}"
expect.body = { sub = "${bob.sub}" }
`, []string{
			`t.toml: cases[0].steps[0].form.subject_token: ${alice}: no earlier step saves alice (no step before this one saves anything)`,
			`t.toml: cases[0].steps[0].expect.claims.access_token.sid: ${alice.sid}: no earlier step saves alice (no step before this one saves anything)`,
			`t.toml: cases[0].steps[1].expect.body.sub: ${bob.sub}: no earlier step saves bob (saved so far: alice)`,
		}},
		{"bad matchers and templates", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
expect.body = { a = "~(", b = "${", c = { contains = "x" }, d = { keys = [1] } }
save = { issuer = "x", "a b" = "y" }
`, []string{
			"t.toml: cases[0].steps[0].expect.body.a: bad regular expression: error parsing regexp: missing closing ): `(`",
			`t.toml: cases[0].steps[0].expect.body.b: unclosed ${ in "${"`,
			`t.toml: cases[0].steps[0].expect.body.c.contains: must be an array, got a string`,
			`t.toml: cases[0].steps[0].expect.body.d.keys[0]: must be a string, got an integer`,
			`t.toml: cases[0].steps[0].save."a b": a variable name is letters, digits, _ and -, starting with a letter or _`,
			`t.toml: cases[0].steps[0].save.issuer: issuer is a built-in variable`,
		}},
		{"clock and end_session", `
[[cases]]
name = "a"
[[cases.steps]]
request = "clock"
advance = 300
set = "yesterday"
[[cases.steps]]
request = "clock"
[[cases.steps]]
request = "end_session"
`, []string{
			`t.toml: cases[0].steps[0].set: want an RFC 3339 time such as "2026-01-01T12:00:00Z", got "yesterday"`,
			`t.toml: cases[0].steps[0].advance: want a duration string such as "301s" or "30m", got an integer`,
			`t.toml: cases[0].steps[1]: a clock step needs advance, set or freeze`,
			`t.toml: cases[0].steps[2].session: an end_session step needs the session id, e.g. "${alice.sid}"`,
		}},
		{"client", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
client = { secret = "s", auth = "form" }
[[cases.steps]]
request = "token"
client = { id = "web", auth = "post" }
`, []string{
			`t.toml: cases[0].steps[0].client.id: a client needs an id (its client_id)`,
			`t.toml: cases[0].steps[0].client.auth: want "basic" (HTTP Basic, the default) or "post" (client_id and client_secret in the form), got "form"`,
			`t.toml: cases[0].steps[1].client.auth: only for a client with a secret (a public client sends its client_id in the form)`,
		}},
		{"duplicate names and status range", `
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
expect.status = 99
[[cases]]
name = "a"
[[cases.steps]]
request = "token"
expect.error = "x"
expect.body = { error = "y" }
`, []string{
			`t.toml: cases[0].steps[0].expect.status: 99 is not an HTTP status`,
			`t.toml: cases[1].steps[0].expect.body.error: given twice: also expect.error`,
			`t.toml: cases[1].name: duplicate case name "a" (also cases[0])`,
		}},
		{"cases not an array of tables", `cases = ["a"]`, []string{
			`t.toml: cases: must be an array of tables ([[cases]]), got an array`,
		}},
		{"syntax error", "[[cases]]\nname = \n", []string{
			`t.toml:2:8: expected value but found '\n' instead`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problems(t, tt.src)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseStep(t *testing.T) {
	cs, err := Parse("t.toml", []byte(`
[[cases]]
name = "exchange"
realm = "acme"
[[cases.steps]]
name = "login"
request = "token"
form = { grant_type = "password", client_id = "web", username = "alice", password = "alice" }
save = { alice = "access_token" }
[[cases.steps]]
request = "token"
client = { id = "gw", secret = "s" }
form = { subject_token = "${alice}", audience = ["a", "b"], n = 3 }
headers = { Origin = "http://x" }
expect.status = 200
expect.claims.access_token = { sid = "${alice.sid}" }
expect.absent.access_token = ["act"]
expect.absent.body = ["refresh_token"]
[[cases.steps]]
request = "clock"
freeze = false
set = 2026-05-01T10:00:00Z
advance = "-1m"
[[cases.steps]]
request = "end_session"
realm = "other"
session = "${alice.sid}"
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Name != "exchange" || cs[0].Realm != "acme" || len(cs[0].Steps) != 4 {
		t.Fatalf("cases = %+v", cs)
	}
	st := cs[0].Steps
	if st[0].Name != "login" || st[0].Kind != Token || st[0].Path != "cases[0].steps[0]" || len(st[0].Save) != 1 || st[0].Save[0] != (Save{"alice", "access_token"}) {
		t.Errorf("step 0 = %+v", st[0])
	}
	var form []string
	for _, f := range st[1].Form {
		form = append(form, f.Key+"="+f.Value.Raw)
	}
	if got, want := strings.Join(form, "&"), "audience=a&audience=b&n=3&subject_token=${alice}"; got != want {
		t.Errorf("form = %q; want %q", got, want)
	}
	if c := st[1].Client; c == nil || c.ID.Raw != "gw" || c.Secret.Raw != "s" || c.Post {
		t.Errorf("client = %+v", c)
	}
	e := st[1].Expect
	if e.Status != 200 || len(e.Claims["access_token"]) != 1 || strings.Join(e.AbsentOrder, ",") != "access_token,body" {
		t.Errorf("expect = %+v", e)
	}
	c := st[2].Clock
	if c.Freeze == nil || *c.Freeze || c.Set == nil || !c.Set.Equal(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)) || c.Advance != -time.Minute {
		t.Errorf("clock = %+v", c)
	}
	if st[3].Realm != "other" || st[3].Session.Raw != "${alice.sid}" {
		t.Errorf("end_session = %+v", st[3])
	}
}

func TestParseWithoutCases(t *testing.T) {
	cs, err := Parse("t.toml", []byte("[[realms]]\nrealm = \"x\"\n"))
	if err != nil || cs != nil {
		t.Errorf("Parse = %v, %v; want nothing", cs, err)
	}
}
