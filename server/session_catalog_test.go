package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestSessionEndpointsMatchErrorsCatalog replays every session-endpoint entry of the
// reference errors catalog (testdata/errors-catalog.json) and compares status, body bytes and
// the headers the entry names.
func TestSessionEndpointsMatchErrorsCatalog(t *testing.T) {
	raw, err := os.ReadFile("testdata/errors-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	var catalog map[string]json.RawMessage
	if err := json.Unmarshal(raw, &catalog); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	login := func(t testing.TB, kv ...string) map[string]any {
		return sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", kv...)
	}
	requests := map[string]func(t testing.TB) response{
		"introspect.public_client": func(t testing.TB) response {
			return ts.introspectReq(t, "myrealm", form("token", "x", "client_id", "spa"), nil)
		},
		"introspect.missing_token":  func(t testing.TB) response { return ts.introspectReq(t, "myrealm", form(), app) },
		"introspect.inactive_token": func(t testing.TB) response { return ts.introspectReq(t, "myrealm", form("token", "x"), app) },
		"introspect.client_auth_failed": func(t testing.TB) response {
			return ts.introspectReq(t, "myrealm", form("token", "x"), basic("my-app", "nope"))
		},
		"userinfo.no_token": func(t testing.TB) response {
			return ts.do(t, http.MethodGet, "/realms/myrealm"+oidcPath+"/userinfo", nil, nil)
		},
		"userinfo.invalid_token": func(t testing.TB) response { return ts.userinfoGet(t, "myrealm", "x") },
		"userinfo.missing_openid_scope": func(t testing.TB) response {
			return ts.userinfoGet(t, "myrealm", jsonStr(login(t), "access_token"))
		},
		"revoke.missing_token": func(t testing.TB) response { return ts.revokeToken(t, "myrealm", form(), app) },
		"revoke.invalid_token": func(t testing.TB) response { return ts.revokeToken(t, "myrealm", form("token", "x"), app) },
		"revoke.unsupported_token_type": func(t testing.TB) response {
			return ts.revokeToken(t, "myrealm", form("token", jsonStr(login(t, "scope", "openid"), "id_token")), app)
		},
		"revoke.other_client": func(t testing.TB) response {
			return ts.revokeToken(t, "myrealm", form("token", jsonStr(login(t), "access_token")), basic("other-app", "other-secret"))
		},
	}
	// Not reachable in Keycloak 26: POST /logout with a refresh_token parameter (even empty)
	// is the token logout, without one it is RP-initiated logout (LogoutEndpoint.logout()).
	skipped := map[string]bool{"logout.missing_refresh_token": true}
	for name, entry := range catalog {
		prefix, _, _ := strings.Cut(name, ".")
		if prefix != "introspect" && prefix != "revoke" && prefix != "userinfo" && prefix != "logout" || skipped[name] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			do := requests[name]
			if do == nil {
				t.Fatalf("no request for catalog entry %s", name)
			}
			var want struct {
				Status  int               `json:"status"`
				Headers map[string]string `json:"headers"`
				Body    json.RawMessage   `json:"body"`
			}
			if err := json.Unmarshal(entry, &want); err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			if string(want.Body) != "null" {
				if err := json.Compact(&body, want.Body); err != nil {
					t.Fatal(err)
				}
			}
			res := do(t)
			if res.status != want.Status || string(res.body) != body.String() {
				t.Errorf("got %d %s\nwant %d %s", res.status, res.body, want.Status, body.String())
			}
			for k, v := range want.Headers {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s = %q; want %q", k, got, v)
				}
			}
		})
	}
}
