package server

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// browse sends a request as a browser would, without following redirects.
func (ts *testServer) browse(t testing.TB, method, path string, f url.Values, cookie string) response {
	t.Helper()
	var body io.Reader
	if f != nil {
		body = strings.NewReader(f.Encode())
	}
	req, err := http.NewRequest(method, ts.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if f != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	client := *ts.http.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

var sessionCodeField = regexp.MustCompile(`name="session_code" value="([^"]+)"`)

// TestBrowserLogout is RP-initiated logout: with an id_token_hint (expired ones too) and a
// registered post_logout_redirect_uri the session ends at once; otherwise the user confirms.
func TestBrowserLogout(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	path := "/realms/myrealm" + oidcPath + "/logout"
	// login returns an ID token, the session id and the browser's SSO cookies.
	login := func(t testing.TB) (idToken, sid, cookies string) {
		m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
		sid = payload(t, jsonStr(m, "access_token"))["sid"].(string)
		return jsonStr(m, "id_token"), sid, ssoCookies(t, ts, "myrealm", sid, ts.Scenario().Realm("myrealm").User("alice").ID)
	}
	alive := func(sid string) bool { return ts.sessions.get(ts.Scenario().Realm("myrealm"), sid, false) != nil }
	get := func(t testing.TB, cookie string, kv ...string) response {
		return ts.browse(t, http.MethodGet, path+"?"+form(kv...).Encode(), nil, cookie)
	}
	wantRedirect := func(t testing.TB, res response, location string) {
		t.Helper()
		if res.status != http.StatusFound || res.header.Get("Location") != location {
			t.Errorf("got %d Location %q %s; want 302 to %q", res.status, res.header.Get("Location"), res.body, location)
		}
	}
	wantPage := func(t testing.TB, res response, status int, text string) {
		t.Helper()
		if res.status != status || !strings.Contains(string(res.body), text) || res.header.Get("Content-Type") != "text/html;charset=utf-8" {
			t.Errorf("got %d %q %s; want %d with %q", res.status, res.header.Get("Content-Type"), res.body, status, text)
		}
	}
	confirm := func(t testing.TB, page response, cookie string) response {
		t.Helper()
		m := sessionCodeField.FindStringSubmatch(string(page.body))
		if m == nil {
			t.Fatalf("no session_code in %s", page.body)
		}
		return ts.browse(t, http.MethodPost, path+"/logout-confirm", form("session_code", m[1], "confirmLogout", "Logout"), cookie)
	}

	t.Run("hint and registered redirect", func(t *testing.T) {
		id, sid, _ := login(t)
		wantRedirect(t, get(t, "", "id_token_hint", id, "post_logout_redirect_uri", "http://localhost:3000/bye", "state", "st-1"), "http://localhost:3000/bye?state=st-1")
		if alive(sid) {
			t.Error("the hint's session must end")
		}
	})
	t.Run("expired hint", func(t *testing.T) {
		id, sid, _ := login(t)
		ts.clock.Advance(301 * time.Second)
		wantRedirect(t, get(t, "", "id_token_hint", id, "post_logout_redirect_uri", "http://localhost:3000/bye"), "http://localhost:3000/bye")
		if alive(sid) {
			t.Error("an expired hint still ends its session")
		}
	})
	t.Run("hint with the browser's cookies", func(t *testing.T) {
		id, sid, cookies := login(t)
		res := get(t, cookies, "id_token_hint", id, "post_logout_redirect_uri", "http://localhost:3000/logged-out/x?y=1", "state", "s")
		wantRedirect(t, res, "http://localhost:3000/logged-out/x?y=1&state=s")
		set := strings.Join(res.header.Values("Set-Cookie"), "\n")
		if alive(sid) || !strings.Contains(set, cookieIdentity+"=;") || !strings.Contains(set, cookieSession+"=;") {
			t.Errorf("session alive %v, Set-Cookie:\n%s", alive(sid), set)
		}
	})
	t.Run("hint by form POST", func(t *testing.T) {
		id, sid, _ := login(t)
		res := ts.browse(t, http.MethodPost, path, form("id_token_hint", id, "post_logout_redirect_uri", "http://localhost:3000/bye"), "")
		if wantRedirect(t, res, "http://localhost:3000/bye"); alive(sid) {
			t.Error("the hint's session must end")
		}
	})
	t.Run("confirmation without a hint", func(t *testing.T) {
		_, sid, cookies := login(t)
		page := get(t, cookies)
		wantPage(t, page, http.StatusOK, "Do you want to log out?")
		if !alive(sid) {
			t.Fatal("nothing ends before the user confirms")
		}
		wantPage(t, confirm(t, page, cookies), http.StatusOK, "You are logged out")
		if alive(sid) {
			t.Error("the browser's session must end")
		}
	})
	t.Run("confirmation with client_id, redirect and state", func(t *testing.T) {
		_, sid, cookies := login(t)
		page := get(t, cookies, "client_id", "my-app", "post_logout_redirect_uri", "http://localhost:3000/bye", "state", "z")
		wantPage(t, page, http.StatusOK, "Do you want to log out?")
		if wantRedirect(t, confirm(t, page, cookies), "http://localhost:3000/bye?state=z"); alive(sid) {
			t.Error("the browser's session must end")
		}
	})
	t.Run("client_id and redirect without a browser session", func(t *testing.T) {
		_, sid, _ := login(t)
		if wantRedirect(t, get(t, "", "client_id", "my-app", "post_logout_redirect_uri", "http://localhost:3000/bye"), "http://localhost:3000/bye"); !alive(sid) {
			t.Error("nothing to log out in this browser: other sessions stay")
		}
	})
	t.Run("hint for another session than the browser's", func(t *testing.T) {
		id, _, _ := login(t)
		_, _, cookies := login(t)
		wantPage(t, get(t, cookies, "id_token_hint", id), http.StatusOK, "Do you want to log out?")
	})
	t.Run("hint older than its session", func(t *testing.T) {
		id, _, _ := login(t)
		id = forge(t, ts, "myrealm", id, func(m map[string]any) { m["iat"] = testNow.Unix() - 2 })
		wantPage(t, get(t, "", "id_token_hint", id), http.StatusBadRequest, "Session not active")
	})

	other := jsonStr(sessLogin(t, ts, "other", app, "alice", "alice-pw", "scope", "openid"), "id_token")
	access := jsonStr(sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid"), "access_token")
	hint, _, _ := login(t)
	refusals := []struct {
		name string
		kv   []string
		msg  string
	}{
		{"redirect without hint or client_id", []string{"post_logout_redirect_uri", "http://localhost:3000/bye"}, "Missing parameters: id_token_hint"},
		{"garbage hint", []string{"id_token_hint", "garbage"}, "Invalid parameter: id_token_hint"},
		{"access token as hint", []string{"id_token_hint", access}, "Invalid parameter: id_token_hint"},
		{"other realm's hint", []string{"id_token_hint", other}, "Invalid parameter: id_token_hint"},
		{"client_id other than the hint's", []string{"id_token_hint", hint, "client_id", "spa"}, "Invalid parameter: id_token_hint"},
		{"unregistered redirect", []string{"id_token_hint", hint, "post_logout_redirect_uri", "http://evil.test/"}, "Invalid redirect uri"},
		{"redirect of a client with none", []string{"client_id", "other-app", "post_logout_redirect_uri", "http://localhost:3000/bye"}, "Invalid redirect uri"},
		{"unknown client", []string{"client_id", "ghost", "post_logout_redirect_uri", "http://localhost:3000/bye"}, "Invalid redirect uri"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) { wantPage(t, get(t, "", tt.kv...), http.StatusBadRequest, tt.msg) })
	}
	t.Run("forged confirmation", func(t *testing.T) {
		res := ts.browse(t, http.MethodPost, path+"/logout-confirm", form("session_code", "garbage"), "")
		wantPage(t, res, http.StatusBadRequest, "Logout failed")
	})
}

// TestPostLogoutRedirectURIs checks the client attribute's forms.
func TestPostLogoutRedirectURIs(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	c := &call{realm: ts.state.Load().realms["myrealm"], base: "http://kc.test"}
	client := func(attr string, redirects ...string) *scenarios.Client {
		return &scenarios.Client{RedirectURIs: redirects, Attributes: map[string]string{"post.logout.redirect.uris": attr}}
	}
	tests := []struct {
		name   string
		client *scenarios.Client
		uri    string
		ok     bool
	}{
		{"unset: the redirect URIs", client("", "http://a.test/*"), "http://a.test/x", true},
		{"dash: none", client("-", "http://a.test/*"), "http://a.test/x", false},
		{"plus: the redirect URIs too", client("http://b.test/out##+", "http://a.test/*"), "http://a.test/x", true},
		{"exact", client("http://b.test/out"), "http://b.test/out", true},
		{"exact, other path", client("http://b.test/out"), "http://b.test/out/more", false},
		{"wildcard without its slash", client("http://b.test/out/*"), "http://b.test/out", true},
		{"wildcard ignores the query", client("http://b.test/out*"), "http://b.test/outer?q=1", true},
		{"relative, against the server", client("/app/*"), "http://kc.test/app/bye", true},
		{"star", client("*"), "https://anything.test/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifyPostLogoutRedirect(c, tt.client, tt.uri) != ""; got != tt.ok {
				t.Errorf("verifyPostLogoutRedirect(%q) = %v; want %v", tt.uri, got, tt.ok)
			}
		})
	}
}
