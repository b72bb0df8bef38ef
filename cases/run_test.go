package cases

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/kcmock/kcmock/scenarios"
)

// shopRealm is a small realm; its keys are generated once per test binary (see suite).
const shopRealm = `
[[realms]]
realm = "shop"

[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true
service_accounts_enabled = true

[[realms.clients]]
client_id = "spa"
public_client = true
direct_access_grants_enabled = true

[[realms.users]]
username = "alice"
password = "alice"
email = "alice@example.com"
email_verified = true
first_name = "Alice"
last_name = "Liddell"
`

var (
	shopOnce     sync.Once
	shopScenario *scenarios.Scenario
	shopErr      error
)

// suite parses the cases in src and runs them on the shop realm (loaded once: RSA keys take
// a while to generate).
func suite(t *testing.T, src string) *Suite {
	t.Helper()
	shopOnce.Do(func() {
		shopScenario, shopErr = scenarios.Load(scenarios.Options{}, scenarios.Source{Name: "shop.toml", Data: []byte(shopRealm), Dir: "."})
	})
	if shopErr != nil {
		t.Fatal(shopErr)
	}
	cs, err := Parse("shop.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if probs := resolveRealms("shop.toml", shopScenario, cs); len(probs) > 0 {
		t.Fatal(probs)
	}
	return &Suite{File: "shop.toml", Scenario: shopScenario, Cases: cs}
}

func reportText(results []Result) string {
	var b bytes.Buffer
	for _, r := range results {
		r.WriteText(&b)
	}
	return b.String()
}

func TestRunEveryKindOfStep(t *testing.T) {
	s := suite(t, `
[[cases]]
name = "alice's day"
[[cases.steps]]
request = "discovery"
expect.body = { issuer = "${issuer}", token_endpoint = "${issuer}/protocol/openid-connect/token" }
[[cases.steps]]
request = "certs"
expect.body = { keys = { contains = [{ use = "sig", alg = "RS256" }] } }
[[cases.steps]]
request = "token"
client = { id = "web", secret = "web-secret" }
form = { grant_type = "password", username = "alice", password = "alice", scope = "openid" }
save = { alice = "access_token", refresh = "refresh_token" }
expect.body = { scope = ["openid", "email", "profile"], session_state = "00000000-0000-4000-8000-000000000001" }
expect.claims.access_token = { iss = "${issuer}", azp = "web", iat = "${now}", exp = "${now + 300}", jti = "~^onrtro:" }
[[cases.steps]]
request = "userinfo"
bearer = "${alice}"
expect.body = { sub = "${alice.sub}", email = "alice@example.com" }
[[cases.steps]]
request = "userinfo"
form = { access_token = "${alice}" }
expect.body = { sub = "${alice.sub}" }
[[cases.steps]]
request = "introspect"
client = { id = "web", secret = "web-secret", auth = "post" }
form = { token = "${alice}" }
expect.body = { active = true, sid = "${alice.sid}" }
[[cases.steps]]
request = "clock"
advance = "301s"
[[cases.steps]]
request = "introspect"
client = { id = "web", secret = "web-secret" }
form = { token = "${alice}" }
expect.body = { active = false }
[[cases.steps]]
request = "token"
client = { id = "web", secret = "web-secret" }
form = { grant_type = "refresh_token", refresh_token = "${refresh}" }
expect.claims.access_token = { iat = "${alice.iat + 301}", sid = "${alice.sid}" }
[[cases.steps]]
request = "end_session"
session = "${alice.sid}"
[[cases.steps]]
request = "token"
client = { id = "web", secret = "web-secret" }
form = { grant_type = "refresh_token", refresh_token = "${refresh}" }
expect.error = "invalid_grant"
expect.error_description = "Session not active"
[[cases.steps]]
request = "revoke"
client = { id = "web", secret = "web-secret" }
form = { token = "garbage" }
expect.status = 200
expect.error = "invalid_token"
`)
	res := s.Run(context.Background(), Options{})
	if len(res) != 1 || !res[0].Passed || res[0].Steps != 12 {
		t.Errorf("results:\n%s", reportText(res))
	}
}

// TestWrongExpectationsFailWithADiff runs expectations that are wrong on purpose and checks
// the text a user reads.
func TestWrongExpectationsFailWithADiff(t *testing.T) {
	s := suite(t, `
[[cases]]
name = "wrong claims"
[[cases.steps]]
name = "alice logs in"
request = "token"
client = { id = "web", secret = "web-secret" }
form = { grant_type = "password", username = "alice", password = "alice" }
expect.body = { expires_in = 600, token_type = "Bearer" }
expect.claims.access_token = { azp = "spa", aud = ["account", "shop-api"], sid = "*", scope = { contains = ["openid"] } }
expect.absent.access_token = ["email"]

[[cases]]
name = "wrong refusal"
[[cases.steps]]
request = "token"
form = { grant_type = "password", client_id = "spa", username = "alice", password = "alice" }
save = { alice = "access_token" }
[[cases.steps]]
request = "clock"
advance = "10m"
[[cases.steps]]
name = "the spa exchanges"
request = "token"
form = { grant_type = "urn:ietf:params:oauth:grant-type:token-exchange", client_id = "spa", subject_token = "${alice}", subject_token_type = "urn:ietf:params:oauth:token-type:access_token" }
expect.status = 403
expect.error_description = "~not within"

[[cases]]
name = "unknown session"
[[cases.steps]]
request = "end_session"
session = "no-such-session"

[[cases]]
name = "nothing to save"
[[cases.steps]]
request = "token"
form = { grant_type = "client_credentials", client_id = "web", client_secret = "web-secret" }
save = { rt = "refresh_token" }
`)
	res := s.Run(context.Background(), Options{})
	got := reportText(res)
	want := `FAIL wrong claims
  step 1 "alice logs in" (token, cases[0].steps[0])
    body.expires_in: want 600, got 300
    claims.access_token.aud: want ["account","shop-api"] in any order, got "account"
    claims.access_token.azp: want "spa", got "web"
    claims.access_token.scope: want containing ["openid"], got "email profile"
    claims.access_token.email: want absent, got "alice@example.com"
  answer: 200 OK {"access_token":"eyJhbGciOiJS…","expires_in":300,"refresh_expires_in":1800,"refresh_token":"eyJhbGciOiJI…","token_type":"Bearer","not-before-policy":0,"session_state":"00000000-0000-4000-8000-000000000001","scope":"email profile"}
FAIL wrong refusal
  step 3 "the spa exchanges" (token, cases[1].steps[2])
    status: want 403, got 400
    error_description: want a string matching "not within", got "Standard token exchange is not enabled for the requested client"
  answer: 400 Bad Request {"error":"invalid_request","error_description":"Standard token exchange is not enabled for the requested client"}
  kcmock: `
	if !strings.HasPrefix(got, want) {
		t.Errorf("report:\n%s\nwant it to start with:\n%s", got, want)
	}
	wantTail := `FAIL unknown session
  step 1 (end_session, cases[2].steps[0])
    session: no session "no-such-session" in realm "shop" to end
FAIL nothing to save
  step 1 (token, cases[3].steps[0])
    save.rt: the answer has no field "refresh_token" to save
  answer: 200 OK {"access_token":"eyJhbGciOiJS…","expires_in":300,"refresh_expires_in":0,"token_type":"Bearer","not-before-policy":0,"scope":"email profile"}
`
	if !strings.HasSuffix(got, wantTail) {
		t.Errorf("report:\n%s\nwant it to end with:\n%s", got, wantTail)
	}
	rep := NewReport(FileReport{File: "shop.toml", Results: res})
	var b bytes.Buffer
	rep.WriteText(&b)
	if !strings.HasSuffix(b.String(), "\n0 passed, 4 failed\n") {
		t.Errorf("summary: %q", b.String())
	}
}

func TestReportJSON(t *testing.T) {
	s := suite(t, `
[[cases]]
name = "passes"
[[cases.steps]]
request = "token"
form = { grant_type = "client_credentials", client_id = "web", client_secret = "web-secret" }
[[cases]]
name = "fails"
[[cases.steps]]
request = "token"
form = { grant_type = "client_credentials", client_id = "web", client_secret = "wrong" }
expect.status = 200
`)
	rep := NewReport(FileReport{File: "shop.toml", Results: s.Run(context.Background(), Options{})})
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct {
			File  string `json:"file"`
			Cases []struct {
				Name    string `json:"name"`
				Passed  bool   `json:"passed"`
				Failure *struct {
					Step       int        `json:"step"`
					Request    string     `json:"request"`
					Path       string     `json:"path"`
					Mismatches []Mismatch `json:"mismatches"`
					Answer     string     `json:"answer"`
				} `json:"failure"`
			} `json:"cases"`
		} `json:"files"`
		Passed, Failed int
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Passed != 1 || doc.Failed != 1 || len(doc.Files) != 1 || len(doc.Files[0].Cases) != 2 {
		t.Fatalf("report:\n%s", b.String())
	}
	f := doc.Files[0].Cases[1].Failure
	if f == nil || f.Step != 1 || f.Request != "token" || f.Path != "cases[1].steps[0]" || len(f.Mismatches) != 1 ||
		f.Mismatches[0] != (Mismatch{Field: "status", Want: "200", Got: "401"}) || !strings.HasPrefix(f.Answer, "401 Unauthorized {") {
		t.Errorf("failure:\n%s", b.String())
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	src := `
[[realms]]
realm = "a"
[[realms.clients]]
client_id = "web"
secrett = "x"

[[cases]]
name = "x"
[[cases.steps]]
request = "token"
expect.stat = 200
`
	_, err := Load(scenarios.Source{Name: "t.toml", Data: []byte(src), Dir: "."})
	var le *scenarios.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load: %v", err)
	}
	got := le.Error()
	for _, want := range []string{
		`t.toml: realms[0].clients[0].secrett: unknown key (did you mean "secret"?)`,
		`t.toml: cases[0].steps[0].expect.stat: unknown key (did you mean "status"?)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems:\n%s\nlack %q", got, want)
		}
	}
}

func TestLoadResolvesRealms(t *testing.T) {
	src := `
[[realms]]
realm = "a"
[[realms]]
realm = "b"

[[cases]]
name = "no realm"
[[cases.steps]]
request = "discovery"
[[cases]]
name = "bad realm"
realm = "c"
[[cases.steps]]
request = "discovery"
realm = "d"
[[cases]]
name = "fine"
[[cases.steps]]
request = "clock"
advance = "1s"
[[cases.steps]]
request = "discovery"
realm = "b"
`
	_, err := Load(scenarios.Source{Name: "t.toml", Data: []byte(src), Dir: "."})
	want := `3 problems:
t.toml: cases[0].realm: the scenario has several realms (a, b): name the case's realm
t.toml: cases[1].realm: no realm "c" in the scenario (realms: a, b)
t.toml: cases[1].steps[0].realm: no realm "d" in the scenario (realms: a, b)`
	if err == nil || err.Error() != want {
		t.Errorf("Load: %v\nwant:\n%s", err, want)
	}
}

func TestSyntaxErrorReportedOnce(t *testing.T) {
	_, err := Load(scenarios.Source{Name: "t.toml", Data: []byte("[[cases]]\nname = \n"), Dir: "."})
	if err == nil || err.Error() != `t.toml:2:8: expected value but found '\n' instead` {
		t.Errorf("Load: %v", err)
	}
}
