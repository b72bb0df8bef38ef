package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock"
)

// TestDeterministicRuns serves a scenario without pinned keys twice with --clock and
// --seed: the same requests get byte-identical answers, tokens included. A third run with
// another seed publishes other keys.
func TestDeterministicRuns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shop.toml")
	writeFile(t, file, watchScenario("web-secret"))
	responses := func(environ map[string]string, args ...string) []string {
		args = append([]string{"--scenario", file, "--hostname", "http://kc.test"}, args...)
		addr, _ := serveArgs(t, args, environ)
		var out []string
		for _, path := range []string{"/protocol/openid-connect/certs", "/.well-known/openid-configuration", ""} {
			res, err := http.Get("http://" + addr + "/realms/shop" + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			out = append(out, string(b))
		}
		status, login := passwordGrant(t, addr, "shop", "web", "web-secret", "alice", "alice-pw")
		if status != 200 || !strings.Contains(login, `"id_token"`) {
			t.Fatalf("login: %d %s", status, login)
		}
		status, refreshed := refreshGrant(t, addr, "shop", "web", "web-secret", field(login, "refresh_token"))
		if status != 200 {
			t.Fatalf("refresh: %d %s", status, refreshed)
		}
		return append(out, login, refreshed)
	}
	first := responses(nil, "--clock", "2026-01-02T15:04:05Z", "--seed", "42")
	second := responses(map[string]string{"KCMOCK_CLOCK": "2026-01-02T15:04:05Z", "KCMOCK_SEED": "42"})
	other := responses(nil, "--clock", "2026-01-02T15:04:05Z", "--seed", "43")
	names := []string{"JWKS", "discovery", "realm info", "login", "refresh"}
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("%s differs between two runs with seed 42:\n%s\n%s", names[i], first[i], second[i])
		}
	}
	if first[0] == other[0] || first[3] == other[3] {
		t.Error("seeds 42 and 43 gave the same keys or tokens")
	}
	if !strings.Contains(first[3], `"expires_in":300`) {
		t.Errorf("login: %s", first[3])
	}
}

func TestDeterministicFlags(t *testing.T) {
	cfg, err := parseConfig([]string{"--clock", "2026-01-02T15:04:05+01:00", "--seed", "-7"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 1, 2, 14, 4, 5, 0, time.UTC)
	if !cfg.det.clock.Equal(want) || cfg.det.seed != -7 || !cfg.det.seeded {
		t.Errorf("got %+v; want clock %v, seed -7", cfg.det, want)
	}
	for _, tt := range []struct {
		args    []string
		env     map[string]string
		wantErr string
	}{
		{[]string{"--clock", "yesterday"}, nil, "RFC 3339"},
		{[]string{"--seed", "x"}, nil, "integer"},
		{nil, map[string]string{"KCMOCK_CLOCK": "2026-01-02"}, "KCMOCK_CLOCK"},
		{nil, map[string]string{"KCMOCK_SEED": "1.5"}, "KCMOCK_SEED"},
	} {
		if _, err := parseConfig(tt.args, env(tt.env), io.Discard); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%v %v: err = %v; want %q", tt.args, tt.env, err, tt.wantErr)
		}
	}
}

// TestSeedMatchesGoAPI: `kcmock --seed N --clock T` and kcmock.WithSeed(N), WithClock(T)
// derive the same keys and issue the same tokens, so golden files made one way hold the other.
func TestSeedMatchesGoAPI(t *testing.T) {
	file := filepath.Join(t.TempDir(), "shop.toml")
	writeFile(t, file, watchScenario("web-secret"))
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	addr, _ := serveArgs(t, []string{"--scenario", file, "--hostname", "http://kc.test", "--clock", at.Format(time.RFC3339), "--seed", "42"}, nil)
	_, cliLogin := passwordGrant(t, addr, "shop", "web", "web-secret", "alice", "alice-pw")

	kc := kcmock.Start(t, kcmock.WithScenarioFile(file), kcmock.WithHostname("http://kc.test"), kcmock.WithClock(at), kcmock.WithSeed(42))
	login, err := kc.Token(t.Context(), "shop", kcmock.PasswordGrant{Client: "web", Secret: "web-secret", Username: "alice", Password: "alice-pw", Scope: "openid"})
	if err != nil {
		t.Fatal(err)
	}
	if string(login.Raw) != cliLogin {
		t.Errorf("command line and Go API differ:\n%s\n%s", cliLogin, login.Raw)
	}
}
