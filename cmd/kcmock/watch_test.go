package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveArgs runs kcmock with args until the test ends and returns its address and its log.
func serveArgs(t *testing.T, args []string, environ map[string]string) (addr string, logs *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	logs = &syncBuffer{}
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), env(environ), io.Discard, logs, ready)
	}()
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("kcmock exited %d:\n%s", code, logs)
	case <-time.After(10 * time.Second):
		t.Fatal("kcmock did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("exit code %d:\n%s", code, logs)
			}
		case <-time.After(10 * time.Second):
			t.Error("kcmock did not stop")
		}
	})
	return addr, logs
}

// passwordGrant returns the status and body of a password grant.
func passwordGrant(t *testing.T, addr, realm, client, secret, user, password string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {user}, "password": {password}, "scope": {"openid"}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/realms/"+realm+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func watchScenario(secret string) string {
	return `[[realms]]
realm = "shop"

[[realms.clients]]
client_id = "web"
secret = "` + secret + `"
direct_access_grants_enabled = true

[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"
`
}

// eventually polls cond until it holds or five seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWatchReloads changes a client secret under --watch, then breaks the file (the old
// scenario keeps serving and every problem is logged), then fixes it again. The session of
// the first login and its refresh token survive every reload.
func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "shop.toml")
	writeFile(t, file, watchScenario("first-secret"))
	addr, logs := serveArgs(t, []string{"--scenario", file, "--watch", "--watch-interval", "20ms"}, nil)
	status, body := passwordGrant(t, addr, "shop", "web", "first-secret", "alice", "alice-pw")
	if status != 200 {
		t.Fatalf("first secret: %d %s", status, body)
	}
	refresh := field(body, "refresh_token")

	writeFile(t, file, watchScenario("second-secret"))
	eventually(t, "the new secret", func() bool {
		s, _ := passwordGrant(t, addr, "shop", "web", "second-secret", "alice", "alice-pw")
		return s == 200
	})
	if s, b := passwordGrant(t, addr, "shop", "web", "first-secret", "alice", "alice-pw"); s != 401 {
		t.Errorf("old secret after reload: %d %s; want 401", s, b)
	}
	// The realm still exists, so its session survives; its keys are derived from the
	// process's seed, so the refresh token still verifies.
	if s, b := refreshGrant(t, addr, "shop", "web", "second-secret", refresh); s != 200 {
		t.Errorf("refresh across the reload: %d %s; want 200", s, b)
	}

	broken := strings.Replace(watchScenario("third-secret"), `username = "alice"`, "username = \"alice\"\nbogus = 1\nrealm_roles = [\"nope\"]\nenabled = \"yes\"", 1)
	writeFile(t, file, broken)
	eventually(t, "the reload errors in the log", func() bool {
		return strings.Count(logs.String(), "reload failed, still serving the previous scenario") >= 2
	})
	for _, want := range []string{"realms[0].users[0].bogus: unknown key", "realms[0].users[0].enabled: must be true or false"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if s, b := passwordGrant(t, addr, "shop", "web", "second-secret", "alice", "alice-pw"); s != 200 {
		t.Errorf("broken file: the previous scenario should still serve: %d %s", s, b)
	}

	writeFile(t, file, watchScenario("third-secret"))
	eventually(t, "the fixed file", func() bool {
		s, _ := passwordGrant(t, addr, "shop", "web", "third-secret", "alice", "alice-pw")
		return s == 200
	})
	if got := strings.Count(logs.String(), "msg=\"scenario reloaded\""); got != 2 {
		t.Errorf("%d successful reloads logged; want 2:\n%s", got, logs)
	}
}

// TestWatchDefaultScenario: --watch with the embedded scenario warns and serves.
func TestWatchDefaultScenario(t *testing.T) {
	addr, logs := serveArgs(t, []string{"--watch"}, nil)
	if s, b := passwordGrant(t, addr, "demo", "demo-app", "demo-app-secret", "alice", "alice"); s != 200 {
		t.Fatalf("%d %s", s, b)
	}
	if !strings.Contains(logs.String(), "nothing to watch") {
		t.Errorf("no warning logged:\n%s", logs)
	}
}

func TestWatchFlags(t *testing.T) {
	cfg, err := parseConfig([]string{"--watch", "--watch-interval", "50ms"}, env(nil), io.Discard)
	if err != nil || !cfg.watch.enabled || cfg.watch.interval != 50*time.Millisecond {
		t.Errorf("flags: %+v, %v", cfg.watch, err)
	}
	cfg, err = parseConfig(nil, env(map[string]string{"KCMOCK_WATCH": "true", "KCMOCK_WATCH_INTERVAL": "2s"}), io.Discard)
	if err != nil || !cfg.watch.enabled || cfg.watch.interval != 2*time.Second {
		t.Errorf("env: %+v, %v", cfg.watch, err)
	}
	if _, err := parseConfig(nil, env(map[string]string{"KCMOCK_WATCH": "often"}), io.Discard); err == nil || !strings.Contains(err.Error(), "KCMOCK_WATCH") {
		t.Errorf("bad KCMOCK_WATCH: err = %v", err)
	}
	if _, err := parseConfig([]string{"--watch-interval", "0s"}, env(nil), io.Discard); err == nil {
		t.Error("--watch-interval 0s: no error")
	}
}

func refreshGrant(t *testing.T, addr, realm, client, secret, refresh string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/realms/"+realm+"/protocol/openid-connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// field extracts one string field of a JSON object without decoding the rest.
func field(body, name string) string {
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
