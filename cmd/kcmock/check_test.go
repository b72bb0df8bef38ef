package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bundled are the scenarios shipped with cases; CI runs `kcmock check` on them too.
var bundled = []string{
	"../../scenarios/default.toml",
	"../../scenarios/standard-exchange.toml",
	"../../scenarios/eftr-impersonation.toml",
}

func checkRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"check"}, args...), env(nil), &out, &errOut, nil)
	return code, out.String(), errOut.String()
}

// TestCheckBundledScenarios runs every case of the bundled scenarios: each documents what
// Keycloak answers, and must pass against kcmock.
func TestCheckBundledScenarios(t *testing.T) {
	code, out, errOut := checkRun(t, bundled...)
	if code != 0 {
		t.Fatalf("kcmock check exited %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	passes := 0
	for _, l := range lines[:len(lines)-1] {
		switch {
		case strings.HasPrefix(l, "PASS "):
			passes++
		case strings.HasPrefix(l, "# "):
		default:
			t.Errorf("unexpected line %q", l)
		}
	}
	if want := regexp.MustCompile(`^(\d+) passed, 0 failed$`); !want.MatchString(lines[len(lines)-1]) {
		t.Errorf("summary line %q", lines[len(lines)-1])
	}
	for _, f := range bundled {
		if !strings.Contains(out, "# "+f+"\n") {
			t.Errorf("no heading for %s", f)
		}
	}
	if passes < 25 {
		t.Errorf("only %d cases passed; the bundled scenarios have more", passes)
	}
}

func TestCheckFailingCase(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "wrong.toml")
	writeCheckFile(t, file, `
[[realms]]
realm = "r"
[[realms.clients]]
client_id = "web"
secret = "s"
service_accounts_enabled = true

[[cases]]
name = "client_credentials"
[[cases.steps]]
request = "token"
client = { id = "web", secret = "s" }
form = { grant_type = "client_credentials" }
expect.claims.access_token = { azp = "web" }

[[cases]]
name = "wrong expectation"
[[cases.steps]]
request = "token"
client = { id = "web", secret = "s" }
form = { grant_type = "client_credentials" }
expect.claims.access_token = { azp = "mobile" }
`)
	code, out, _ := checkRun(t, file)
	want := `PASS client_credentials
FAIL wrong expectation
  step 1 (token, cases[1].steps[0])
    claims.access_token.azp: want "mobile", got "web"
  answer: 200 OK {"access_token":"eyJhbGciOiJS…","expires_in":300,"refresh_expires_in":0,"token_type":"Bearer","not-before-policy":0,"scope":"email profile"}
1 passed, 1 failed
`
	if code != 1 || out != want {
		t.Errorf("exit %d, output:\n%s\nwant exit 1 and:\n%s", code, out, want)
	}

	code, out, _ = checkRun(t, "--json", file)
	var rep struct {
		Passed, Failed int
		Files          []struct {
			File  string
			Cases []struct {
				Name   string
				Passed bool
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if code != 1 || rep.Passed != 1 || rep.Failed != 1 || len(rep.Files) != 1 || rep.Files[0].File != file || len(rep.Files[0].Cases) != 2 {
		t.Errorf("exit %d, report %+v", code, rep)
	}
}

func TestCheckLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	writeCheckFile(t, bad, `
[[realms]]
realm = "r"
[[cases]]
name = "x"
[[cases.steps]]
request = "token"
expect.status = "200"
`)
	code, out, errOut := checkRun(t, bad, filepath.Join(dir, "missing.toml"))
	if code != 2 || out != "" {
		t.Errorf("exit %d, stdout %q; want 2 and nothing", code, out)
	}
	for _, want := range []string{
		"2 problems:",
		bad + ": cases[0].steps[0].expect.status: must be an integer, got a string",
		filepath.Join(dir, "missing.toml") + ": open ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, errOut := checkRun(t); code != 2 || !strings.Contains(errOut, "name at least one scenario file") {
		t.Errorf("no files: exit %d, %s", code, errOut)
	}
	if code, _, errOut := checkRun(t, "--verbose", bad); code != 2 || !strings.Contains(errOut, "unknown flag --verbose") {
		t.Errorf("unknown flag: exit %d, %s", code, errOut)
	}
}

func writeCheckFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
