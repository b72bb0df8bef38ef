package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startRun runs kcmock as main does on a free port and returns its address; the server stops
// when the test ends, or earlier through the returned function.
func startRun(t *testing.T, args []string, environ map[string]string) (addr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), env(environ), &out, &errOut, ready)
	}()
	select {
	case addr = <-ready:
	case code := <-done:
		cancel()
		t.Fatalf("run exited %d: %s", code, errOut.String())
	case <-time.After(5 * time.Second):
		cancel()
		t.Fatal("kcmock did not start")
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("kcmock did not shut down")
		}
	}
	t.Cleanup(stop)
	return addr, stop
}

// smallScenario writes a one-realm scenario file and returns its --scenario arguments.
func smallScenario(t *testing.T, realm string) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), realm+".toml")
	if err := os.WriteFile(file, []byte("[[realms]]\nrealm = \""+realm+"\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"--scenario", file}
}

// runHealth runs `kcmock health` with arguments and environment.
func runHealth(environ map[string]string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append([]string{"health"}, args...), env(environ), &out, &errOut, nil)
	return code, out.String(), errOut.String()
}

func TestHealthCommand(t *testing.T) {
	addr, stop := startRun(t, append(smallScenario(t, "hc"), "--control-secret", "s3"), nil)
	for _, tt := range []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantOutput string
	}{
		{"flags", []string{"--addr", addr, "--control-secret", "s3"}, nil, 0, `kcmock is healthy: realms hc`},
		{"environment", nil, map[string]string{"KCMOCK_ADDR": addr, "KCMOCK_CONTROL_SECRET": "s3"}, 0, "healthy"},
		{"wildcard address", []string{"--addr", "0.0.0.0:" + addr[strings.LastIndex(addr, ":")+1:], "--control-secret", "s3"}, nil, 0, "healthy"},
		{"no secret", []string{"--addr", addr}, nil, 1, "answered 401 (give the control secret"},
		{"bad address", []string{"--addr", "nowhere"}, nil, 2, `address "nowhere": want HOST:PORT`},
		{"stray argument", []string{"--addr", addr, "now"}, nil, 2, `unexpected argument "now"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runHealth(tt.env, tt.args...)
			if code != tt.wantCode || !strings.Contains(out+errOut, tt.wantOutput) {
				t.Errorf("exit %d, %q %q; want %d and %q", code, out, errOut, tt.wantCode, tt.wantOutput)
			}
		})
	}
	stop()
	if code, _, errOut := runHealth(nil, "--addr", addr, "--control-secret", "s3"); code != 1 || !strings.Contains(errOut, "unhealthy") {
		t.Errorf("a stopped server: exit %d, %q; want 1 and unhealthy", code, errOut)
	}
}

func TestHealthControlOff(t *testing.T) {
	addr, _ := startRun(t, smallScenario(t, "off"), map[string]string{"KCMOCK_CONTROL": "false"})
	code, _, errOut := runHealth(nil, "--addr", addr)
	if code != 1 || !strings.Contains(errOut, "answered 404 (is the control API off?") {
		t.Errorf("exit %d, %q; want 1 and a hint that the control API is off", code, errOut)
	}
}

func TestHealthURL(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080/_kcmock/health"},
		{"0.0.0.0:8080", "http://127.0.0.1:8080/_kcmock/health"},
		{":9000", "http://127.0.0.1:9000/_kcmock/health"},
		{"[::]:8080", "http://[::1]:8080/_kcmock/health"},
		{"kcmock:8080", "http://kcmock:8080/_kcmock/health"},
	} {
		if got, err := healthURL(tt.addr); err != nil || got != tt.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
}

// TestControlReloadsScenarioFiles checks the command's wiring: the control API is on by default
// and its reload reads the --scenario files again.
func TestControlReloadsScenarioFiles(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.toml")
	write := func(text string) {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("[[realms]]\nrealm = \"first\"\n")
	addr, _ := startRun(t, []string{"--scenario", file}, nil)
	post := func() (int, string) {
		res, err := http.Post("http://"+addr+"/_kcmock/reload", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	write("[[realms]]\nrealm = \"second\"\nenabled = \"yes\"\n")
	if code, body := post(); code != 400 || !strings.Contains(body, file+": realms[0].enabled: must be true or false") {
		t.Errorf("reload of a broken file: %d %s", code, body)
	}
	if code, _, _ := runHealth(nil, "--addr", addr); code != 0 {
		t.Error("kcmock stopped serving after a failed reload")
	}
	write("[[realms]]\nrealm = \"second\"\n")
	if code, body := post(); code != 200 || body != `{"status":"ok","realms":["second"]}` {
		t.Errorf("reload: %d %s", code, body)
	}
	res, err := http.Get("http://" + addr + "/realms/second/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("the reloaded realm answers %d", res.StatusCode)
	}
}

func TestControlConfig(t *testing.T) {
	for _, tt := range []struct {
		name        string
		args        []string
		env         map[string]string
		wantControl bool
		wantSecret  string
		wantErr     string
	}{
		{"on by default", nil, nil, true, "", ""},
		{"env", nil, map[string]string{"KCMOCK_CONTROL": "false", "KCMOCK_CONTROL_SECRET": "e"}, false, "e", ""},
		{"flags win over env", []string{"--control=true", "--control-secret", "f"}, map[string]string{"KCMOCK_CONTROL": "0", "KCMOCK_CONTROL_SECRET": "e"}, true, "f", ""},
		{"bad bool", nil, map[string]string{"KCMOCK_CONTROL": "off"}, false, "", "KCMOCK_CONTROL"},
	} {
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
			if got.control != tt.wantControl || got.controlSecret != tt.wantSecret {
				t.Errorf("control %v, secret %q; want %v, %q", got.control, got.controlSecret, tt.wantControl, tt.wantSecret)
			}
		})
	}
}
