package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const txExport = "../../scenarios/testdata/import/token-exchange-realm.json"

func TestConvertCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tx.toml")
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"convert", txExport, "-o", out}, env(nil), &stdout, &stderr, nil); code != 0 {
		t.Fatalf("convert exited %d: %s", code, stderr.String())
	}
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(text), "# Converted by kcmock convert from token-exchange-realm.json (Keycloak 26.0.7).") || stdout.Len() != 0 {
		t.Errorf("converted file starts %.80q; stdout %q", text, stdout.String())
	}
	for _, want := range []string{
		"kcmock: warning: " + txExport + ": clients[9]: saml client \"saml-app\" is not emulated",
		"kcmock convert: wrote " + out,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	stdout.Reset()
	if code := run(context.Background(), []string{"validate", out}, env(nil), &stdout, io.Discard, nil); code != 0 || !strings.Contains(stdout.String(), `realm "token-exchange"`) {
		t.Errorf("validate of the converted scenario: %d %s", code, stdout.String())
	}

	// To standard output, flags first; --full keeps built-in clients.
	stdout.Reset()
	if code := run(context.Background(), []string{"convert", "--full", txExport}, env(nil), &stdout, io.Discard, nil); code != 0 ||
		!strings.Contains(stdout.String(), "client_id = \"account\"\nname = \"${client_account}\"") {
		t.Errorf("convert --full to stdout: %d\n%.300s", code, stdout.String())
	}
}

func TestConvertCommandRefusals(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "broken.json")
	os.WriteFile(broken, []byte(`{"realm": "a", "clients": [{"clientId": "c", "publicClient": "maybe"}]}`), 0o644)
	tests := []struct {
		args    []string
		code    int
		wantErr string
	}{
		{[]string{"convert"}, 2, "name one realm export"},
		{[]string{"convert", "a.json", "b.json"}, 2, "name one realm export"},
		{[]string{"convert", "--nope", "a.json"}, 2, "flag provided but not defined"},
		{[]string{"convert", "missing.json"}, 1, "missing.json"},
		{[]string{"convert", broken}, 1, broken + ": clients[0].publicClient: must be true or false, got a string"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		code := run(context.Background(), tt.args, env(nil), io.Discard, &stderr, nil)
		if code != tt.code || !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("%v: exit %d, %q; want %d and %q", tt.args, code, stderr.String(), tt.code, tt.wantErr)
		}
	}
}

func TestRealmImportConfig(t *testing.T) {
	cfg, err := parseConfig(nil, env(map[string]string{"KCMOCK_REALM_IMPORT": "a.json, /data/import"}), io.Discard)
	if err != nil || strings.Join(cfg.imports, ",") != "a.json,/data/import" {
		t.Errorf("from the environment: %v %v", cfg.imports, err)
	}
	cfg, err = parseConfig([]string{"--realm-import", "x.json", "--realm-import", "dir"}, env(map[string]string{"KCMOCK_REALM_IMPORT": "a.json"}), io.Discard)
	if err != nil || strings.Join(cfg.imports, ",") != "x.json,dir" {
		t.Errorf("flags win over the environment: %v %v", cfg.imports, err)
	}
}

// TestServeRealmImport serves realm exports given as a file and as a directory, next to a
// TOML scenario, and gets a token from an imported realm.
func TestServeRealmImport(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(txExport)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "tx.json"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "small.json"), []byte(`{"realm": "small", "enabled": true,
  "clients": [{"clientId": "cli", "secret": "cli-secret", "directAccessGrantsEnabled": true}],
  "users": [{"username": "sam", "enabled": true, "email": "sam@example.com", "firstName": "Sam", "lastName": "Small", "realmRoles": ["default-roles-small"], "credentials": [{"type": "password", "value": "sam-pw"}]}]}`), 0o644)
	scenario := filepath.Join(dir, "server.toml")
	os.WriteFile(scenario, []byte("[server]\nfeatures = [\"token-exchange\", \"admin-fine-grained-authz:v1\"]\n"), 0o644)

	for _, tt := range []struct {
		name  string
		args  []string
		realm string
	}{
		{"file", []string{"--realm-import", txExport}, "token-exchange"},
		{"directory with a scenario", []string{"--realm-import", dir, "--scenario", scenario}, "small"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base, stop := runImporting(t, tt.args...)
			// A plain password, and hashes as Keycloak stores them (pbkdf2-sha256, argon2).
			logins := []string{"user:password", "user1:password", "admin1:password"}
			client, secret := "direct-legal", "secret"
			if tt.realm == "small" {
				logins, client, secret = []string{"sam:sam-pw"}, "cli", "cli-secret"
			}
			for _, login := range logins {
				user, pw, _ := strings.Cut(login, ":")
				form := "grant_type=password&username=" + user + "&password=" + pw
				req, _ := http.NewRequest(http.MethodPost, base+"/realms/"+tt.realm+"/protocol/openid-connect/token", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth(client, secret)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || !strings.Contains(string(body), `"access_token":"eyJ`) {
					t.Errorf("token for %s from the imported realm: %d %s", user, res.StatusCode, body)
				}
			}
			stdout, stderr := stop()
			if !strings.Contains(stdout, `realm "`+tt.realm+`"`) {
				t.Errorf("welcome lacks the imported realm:\n%s", stdout)
			}
			if !strings.Contains(stderr, "kcmock: warning: ") || !strings.Contains(stderr, ".json: clients[9]: saml client") {
				t.Errorf("the import's warnings must go to stderr:\n%s", stderr)
			}
			fgap := strings.Contains(stderr, "fine-grained admin permissions (v1)")
			if fgap != (tt.name == "file") {
				t.Errorf("feature warning shown = %v; the scenario with [server] features must silence it", fgap)
			}
		})
	}
}

// runImporting starts kcmock with args on a free port and returns its base URL and a stop
// function that shuts it down and returns what it wrote.
func runImporting(t *testing.T, args ...string) (string, func() (string, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stdout, stderr syncBuffer
	go func() {
		done <- run(ctx, append(args, "--addr", "127.0.0.1:0"), env(nil), &stdout, &stderr, ready)
	}()
	select {
	case addr := <-ready:
		return "http://" + addr, func() (string, string) {
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("exit code %d after shutdown", code)
			}
			return stdout.String(), stderr.String()
		}
	case code := <-done:
		cancel()
		t.Fatalf("kcmock exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("kcmock did not start")
	}
	return "", nil
}

// syncBuffer is a bytes.Buffer that the server's goroutines may write to while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
