package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestServeDefaultScenario runs kcmock as main does (no arguments but a free port), gets a
// token with the printed curl's parameters, and stops it through its context.
func TestServeDefaultScenario(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0"}, env(nil), &out, &errOut, ready) }()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("run exited %d: %s", code, errOut.String())
	case <-time.After(5 * time.Second):
		t.Fatal("kcmock did not start")
	}
	base := "http://" + addr + "/realms/demo"
	if !strings.Contains(out.String(), base) || !strings.Contains(out.String(), "curl -s -u demo-app:demo-app-secret -d grant_type=password -d username=alice -d password=alice "+base+"/protocol/openid-connect/token") {
		t.Errorf("welcome text lacks the issuer or the curl command:\n%s", out.String())
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/protocol/openid-connect/token", strings.NewReader("grant_type=password&username=alice&password=alice"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-app", "demo-app-secret")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `"access_token":"eyJ`) {
		t.Errorf("token: %d %s", res.StatusCode, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d after shutdown: %s", code, errOut.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("kcmock did not shut down")
	}
	if !strings.Contains(errOut.String(), "msg=request") || !strings.Contains(errOut.String(), "status=200") {
		t.Errorf("expected one log line per request, got:\n%s", errOut.String())
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    config
		wantErr string
	}{
		{"defaults", nil, nil, config{addr: "127.0.0.1:8080"}, ""},
		{"env", nil, map[string]string{"KCMOCK_ADDR": "0.0.0.0:9", "KCMOCK_SCENARIO": "a.toml, b.toml", "KCMOCK_HOSTNAME": "https://sso", "KCMOCK_TRUST_PROXY": "true", "KCMOCK_LOG_FORMAT": "json"},
			config{addr: "0.0.0.0:9", scenarios: []string{"a.toml", "b.toml"}, hostname: "https://sso", trustProxy: true, logJSON: true}, ""},
		{"flags win over env", []string{"--scenario", "x.toml", "--scenario", "y.toml", "--addr", ":1"}, map[string]string{"KCMOCK_SCENARIO": "a.toml", "KCMOCK_ADDR": ":2"},
			config{addr: ":1", scenarios: []string{"x.toml", "y.toml"}}, ""},
		{"bad bool", nil, map[string]string{"KCMOCK_TRUST_PROXY": "maybe"}, config{}, "KCMOCK_TRUST_PROXY"},
		{"bad level", []string{"--log-level", "loud"}, nil, config{}, "log level"},
		{"stray argument", []string{"file.toml"}, nil, config{}, "unexpected argument"},
		{"bad hostname scheme", []string{"--hostname", "ftp://x"}, nil, config{}, "http:// or https://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConfig(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.addr != tt.want.addr || strings.Join(got.scenarios, ",") != strings.Join(tt.want.scenarios, ",") ||
				got.hostname != tt.want.hostname || got.trustProxy != tt.want.trustProxy || got.logJSON != tt.want.logJSON {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(good, []byte("[[realms]]\nrealm = \"a\"\n"), 0o644)
	os.WriteFile(bad, []byte("[[realms]]\nrealm = \"a\"\n[[realms.clients]]\nclient_id = \"c\"\nsecrett = \"x\"\n[[realms.users]]\nusername = \"u\"\nenabled = \"no\"\n"), 0o644)
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"validate", good}, env(nil), &out, &errOut, nil); code != 0 || !strings.Contains(out.String(), `realm "a"`) {
		t.Errorf("validate good = %d, %q, %q", code, out.String(), errOut.String())
	}
	// A user who cannot log in as is gets a note, not an error.
	out.Reset()
	minimal := filepath.Join(dir, "minimal.toml")
	os.WriteFile(minimal, []byte("[[realms]]\nrealm = \"a\"\n[[realms.users]]\nusername = \"u\"\npassword = \"p\"\nemail = \"u@example.com\"\n"), 0o644)
	if code := run(context.Background(), []string{"validate", minimal}, env(nil), &out, &errOut, nil); code != 0 ||
		!strings.Contains(out.String(), `note: user "u" lacks firstName, lastName`) {
		t.Errorf("validate minimal = %d, %q", code, out.String())
	}
	out.Reset()
	errOut.Reset()
	code := run(context.Background(), []string{"validate", bad}, env(nil), &out, &errOut, nil)
	want := []string{
		bad + ": realms[0].clients[0].secrett: unknown key (did you mean \"secret\"?)",
		bad + ": realms[0].users[0].enabled: must be true or false, got a string",
	}
	for _, w := range want {
		if !strings.Contains(errOut.String(), w) {
			t.Errorf("validate output lacks %q:\n%s", w, errOut.String())
		}
	}
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
}

// TestSignalShutdown checks main's wiring: SIGTERM cancels the context serve waits on.
func TestSignalShutdown(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
}
