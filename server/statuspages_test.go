package server

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatusPages checks the iframe pages keycloak-js loads: HTML, uncached, 404 for a
// resource version kcmock does not have.
func TestStatusPages(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	base := "/realms/myrealm" + oidcPath
	for _, tt := range []struct{ path, marker string }{
		{"/login-status-iframe.html", "KEYCLOAK_SESSION"},
		{"/3p-cookies/step1.html", "KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure"},
		{"/3p-cookies/step2.html", `"unsupported"`},
	} {
		t.Run(tt.path, func(t *testing.T) {
			res := ts.do(t, http.MethodGet, base+tt.path, nil, nil)
			if res.status != http.StatusOK || !strings.Contains(string(res.body), tt.marker) {
				t.Errorf("got %d %s", res.status, res.body)
			}
			h := res.header
			if h.Get("Content-Type") != htmlUTF8 || h.Get("Cache-Control") != "no-cache" || h.Get("X-Frame-Options") != "" {
				t.Errorf("headers %v", h)
			}
			if res := ts.do(t, http.MethodGet, base+tt.path+"?version=abc12", nil, nil); res.status != http.StatusNotFound {
				t.Errorf("with a version: %d", res.status)
			}
		})
	}
}

// TestLoginStatusInit is the iframe's permission check: the client's web origins ("+" for
// its redirect URIs' origins) and the server's own origin.
func TestLoginStatusInit(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	tests := []struct {
		client, origin string
		status         int
	}{
		{"my-app", "http://localhost:3000", http.StatusNoContent},
		{"my-app", "http://evil.test", http.StatusForbidden},
		{"my-app", ts.http.URL, http.StatusNoContent},
		{"spa", "http://localhost:4000", http.StatusNoContent},
		{"off", "http://localhost:3000", http.StatusForbidden},
		{"ghost", "http://localhost:3000", http.StatusForbidden},
	}
	for _, tt := range tests {
		res := ts.do(t, http.MethodGet, "/realms/myrealm"+oidcPath+"/login-status-iframe.html/init?"+form("client_id", tt.client, "origin", tt.origin).Encode(), nil, nil)
		if res.status != tt.status || len(res.body) != 0 {
			t.Errorf("%s from %s: %d %q; want %d", tt.client, tt.origin, res.status, res.body, tt.status)
		}
	}
}

// nodeHarness runs a page's script in node with a minimal browser: the messages it receives,
// its cookies, and what /init answers. It prints what the page posts, one per line.
const nodeHarness = `
const fs = require("fs");
const [script, cookie, useSubtle, initOK, ...messages] = process.argv.slice(2);
const posted = [];
globalThis.window = {
  listeners: [],
  addEventListener(type, f) { this.listeners.push(f); },
  parent: { postMessage(m) { posted.push(m); } },
  crypto: useSubtle === "1" ? globalThis.crypto : undefined,
  TextEncoder: TextEncoder,
};
globalThis.document = { cookie: cookie };
globalThis.location = { origin: "http://kc.test", pathname: "/realms/r/protocol/openid-connect/login-status-iframe.html" };
globalThis.fetch = async (url) => ({ ok: initOK === "1" && url.pathname.endsWith("/login-status-iframe.html/init") });
eval(fs.readFileSync(script, "utf8"));
(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  for (const m of messages) {
    const [origin, data] = m.split("|");
    await new Promise((resolve) => {
      for (const f of window.listeners) f({ data, origin, source: { postMessage(s) { posted.push(s); resolve(); } } });
    });
  }
  if (window.location) posted.push("location=" + window.location);
  console.log(posted.join("\n"));
})();
`

// TestStatusPageScripts runs the pages' scripts in node (skipped without it): both hash
// paths of the session iframe must reproduce sessionCookieValue, its answers follow Keycloak's
// rules, and the third-party cookie check posts what it finds.
func TestStatusPageScripts(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	dir := t.TempDir()
	script := loginStatusIframeHTML[strings.Index(loginStatusIframeHTML, "<script>")+8 : strings.Index(loginStatusIframeHTML, "</script>")]
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	harness, page := write("harness.js", nodeHarness), write("page.js", script)
	third := func(name, html string) string {
		return write(name, html[strings.Index(html, "<script>")+8:strings.Index(html, "</script>")])
	}
	const sid = "00000000-0000-4000-8000-000000000001"
	cookie := "other=1; KEYCLOAK_SESSION=" + sessionCookieValue(sid)
	tests := []struct {
		name, page, cookie, subtle, init string
		messages                         []string
		want                             string
	}{
		{"same session, Web Crypto", page, cookie, "1", "1", []string{"http://app|my-app " + sid}, "unchanged"},
		{"same session, plain JS", page, cookie, "0", "1", []string{"http://app|my-app " + sid}, "unchanged"},
		{"other session", page, cookie, "0", "1", []string{"http://app|my-app other-sid"}, "changed"},
		{"no cookie, a session", page, "", "0", "1", []string{"http://app|my-app " + sid}, "changed"},
		{"no cookie, no session", page, "", "0", "1", []string{"http://app|my-app "}, "unchanged"},
		{"legacy cookie", page, "KEYCLOAK_SESSION=r/u/" + sid, "0", "1", []string{"http://app|my-app " + sid}, "unchanged"},
		{"init refused, asked once", page, cookie, "0", "0", []string{"http://app|my-app " + sid, "http://app|my-app " + sid}, "error\nerror"},
		{"3p step 1 sets the test cookies and goes on", third("step1.js", thirdPartyStep1HTML), "", "0", "1", nil, "location=step2.html"},
		{"3p step 2 with the cookies", third("step2.js", thirdPartyStep2HTML), "KEYCLOAK_3P_COOKIE=supported", "0", "1", nil, "supported"},
		{"3p step 2 without them", third("step2.js", thirdPartyStep2HTML), "", "0", "1", nil, "unsupported"},
		{"another client after init", page, cookie, "0", "1", []string{"http://app|my-app " + sid, "http://app|spa " + sid}, "unchanged\nerror"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{harness, tt.page, tt.cookie, tt.subtle, tt.init}, tt.messages...)
			out, err := exec.Command(node, args...).CombinedOutput()
			if got := strings.TrimSpace(string(out)); err != nil || got != tt.want {
				t.Errorf("got %q (%v); want %q", got, err, tt.want)
			}
		})
	}
}
