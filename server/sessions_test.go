package server

import (
	"testing"
	"time"
)

// TestZeroSessionTimeoutsMeanDefaults: SessionExpirationUtils reads a session timeout of zero
// (or less) as Keycloak's default, so a realm exported with zeros keeps sessions for 30 min
// idle / 10 h at most (offline: 30 days idle), not for the 120 s idle window alone.
func TestZeroSessionTimeoutsMeanDefaults(t *testing.T) {
	ts := newTestServer(t, `
[[realms]]
realm = "zero"
sso_session_idle_timeout = 0
sso_session_max_lifespan = 0
offline_session_idle_timeout = 0
[[realms.clients]]
client_id = "app"
secret = "s"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "pw"
`, Config{})
	app := basic("app", "s")
	login := func(t *testing.T, scope string) map[string]any {
		t.Helper()
		res := ts.token(t, "zero", form("grant_type", "password", "username", "alice", "password", "pw", "scope", scope), app)
		if res.status != 200 {
			t.Fatalf("login: %d %s", res.status, res.body)
		}
		return res.json(t)
	}
	online, offline := login(t, "email"), login(t, "offline_access")
	if online["refresh_expires_in"] != float64(1800) {
		t.Errorf("refresh_expires_in = %v; want the default idle timeout, 1800", online["refresh_expires_in"])
	}
	if exp := payload(t, online["access_token"].(string))["exp"]; exp != float64(testNow.Unix()+300) {
		t.Errorf("access token exp = %v; want iat + 300 (not capped by a zero max lifespan)", exp)
	}
	ts.clock.Advance(20 * time.Minute)
	for name, body := range map[string]map[string]any{"online": online, "offline": offline} {
		res := ts.token(t, "zero", form("grant_type", "refresh_token", "refresh_token", body["refresh_token"].(string)), app)
		if res.status != 200 {
			t.Errorf("%s refresh after 20 min: %d %s", name, res.status, res.body)
		}
	}
	ts.clock.Advance(30*time.Minute + idleWindow + time.Second)
	res := ts.token(t, "zero", form("grant_type", "refresh_token", "refresh_token", online["refresh_token"].(string)), app)
	if res.status != 400 {
		t.Errorf("online refresh after the default idle timeout: %d %s; want 400", res.status, res.body)
	}
	res = ts.token(t, "zero", form("grant_type", "refresh_token", "refresh_token", offline["refresh_token"].(string)), app)
	if res.status != 200 {
		t.Errorf("offline refresh after 50 min: %d %s; want 200 (30 days idle)", res.status, res.body)
	}
}
