package server

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// FuzzAuthorize sends arbitrary query strings (GET) or form bodies (POST) and Cookie headers
// to the authorization endpoint. Whatever comes in: no panic, no hang, a known status, and two
// rules that hold however the parameters are written: kcmock never sends the browser to a host
// that the client did not register, and never hands out an authorization code without a
// logged-in session (the fuzzer cannot forge the HS512-signed session cookie).
func FuzzAuthorize(f *testing.F) {
	fz := newFuzzServer(f)
	seeds := []struct {
		realm  uint8
		post   bool
		query  string
		cookie string
	}{
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&scope=openid&state=s&nonce=n", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&prompt=none&state=s", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&response_mode=form_post&prompt=none", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&response_mode=fragment&prompt=none", ""},
		{0, false, "client_id=my-app&response_type=token&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Fevil.test%2Fcb", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F..%2Fx", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Fuser%40localhost%3A3000%2Fcb", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&code_challenge=abc&code_challenge_method=S256", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&max_age=x", ""},
		{0, false, "client_id=my-app&client_id=spa&response_type=code", ""},
		{0, false, "client_id=api&response_type=code", ""},
		{0, false, "client_id=missing&response_type=code", ""},
		{0, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&prompt=none",
			"KEYCLOAK_IDENTITY=eyJhbGciOiJIUzUxMiJ9.e30.AAAA; KEYCLOAK_SESSION=x"},
		{0, true, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&prompt=none", ""},
		{3, false, "client_id=my-app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb", ""},
		{6, false, "%zz&client_id", ""},
		{0, false, "client_id=my-app&response_type=zzz&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb%3Fcode%3Dmine", ""},
		{0, false, "client_id=my-app&response_type=code&prompt=none&response_mode=fragment&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb%23code%3Dmine", ""},
	}
	for _, s := range seeds {
		f.Add(s.realm, s.post, s.query, s.cookie)
	}
	f.Fuzz(func(t *testing.T, realm uint8, post bool, query, cookie string) {
		s := fz.server(t)
		name := fuzzRealms[int(realm)%len(fuzzRealms)]
		path := "/realms/" + name + "/protocol/openid-connect/auth"
		var req *http.Request
		if post {
			req = httptest.NewRequest(http.MethodPost, path, strings.NewReader(query))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(http.MethodGet, path, nil)
			req.URL.RawQuery = query
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		rec := fz.answer(t, func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			return rec
		})
		var target string
		var params url.Values
		switch rec.Code {
		case http.StatusFound:
			loc := rec.Header().Get("Location")
			target, params = splitRedirect(t, loc)
		case http.StatusOK:
			if m := formPostAction.FindStringSubmatch(rec.Body.String()); m != nil {
				target = html.UnescapeString(m[1])
				params = url.Values{}
				for _, in := range formPostInput.FindAllStringSubmatch(rec.Body.String(), -1) {
					params.Add(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
				}
			} else if !strings.Contains(rec.Body.String(), `id="kc-form-login"`) {
				t.Fatalf("200 that is neither the login page nor a form_post response: %.300s", rec.Body)
			}
		case http.StatusBadRequest, http.StatusForbidden:
			if !strings.Contains(rec.Body.String(), `id="kc-error-message"`) && !strings.Contains(rec.Body.String(), `"error"`) {
				t.Fatalf("status %d without an error page or error body: %.300s", rec.Code, rec.Body)
			}
		case http.StatusNotFound, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		default:
			t.Fatalf("status %d: %.300s", rec.Code, rec.Body)
		}
		if target == "" {
			return
		}
		form, _ := url.ParseQuery(query) // what parses, as the handler reads it
		// A code kcmock added: more code parameters than the requested redirect URI carries.
		if _, own := splitRedirect(t, form.Get("redirect_uri")); len(params["code"]) > len(own["code"]) {
			t.Fatalf("an authorization code without a session: %s %v", target, params)
		}
		if msg := checkRedirectHost(s, name, req.Host, form.Get("client_id"), target); msg != "" {
			t.Fatalf("%s\nrequest %s %q cookie %q", msg, req.Method, query, cookie)
		}
	})
}

var (
	formPostAction = regexp.MustCompile(`<FORM METHOD="POST" ACTION="([^"]*)">`)
	formPostInput  = regexp.MustCompile(`<INPUT TYPE="HIDDEN" NAME="([^"]*)" VALUE="([^"]*)" />`)
)

// splitRedirect separates a Location into the redirect URI and the parameters kcmock added
// (after the last '?' or '#' of the Location, both are read).
func splitRedirect(t *testing.T, loc string) (string, url.Values) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("302 with an unparsable Location %q: %v", loc, err)
	}
	params := url.Values{}
	for _, raw := range []string{u.RawQuery, u.Fragment} {
		if v, err := url.ParseQuery(raw); err == nil {
			for k, vs := range v {
				params[k] = append(params[k], vs...)
			}
		}
	}
	return loc, params
}

// checkRedirectHost re-derives, independently of the handlers, where a redirect may go: an
// http(s) URI without user info, on a host that one of the client's registered redirect URIs
// names (relative ones are on kcmock's own host).
func checkRedirectHost(s *Server, realm, kcmockHost, clientID, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return "redirect to an unparsable URI " + target
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "redirect to a non-HTTP URI " + target
	}
	if u.User != nil {
		return "redirect to a URI with user info " + target
	}
	rs := s.state.Load().realms[realm]
	if rs == nil {
		return "redirect from an unknown realm"
	}
	client := rs.model.Client(clientID)
	if client == nil {
		return "redirect for an unknown client " + clientID
	}
	for _, p := range client.RedirectURIs {
		host := kcmockHost
		if !strings.HasPrefix(p, "/") {
			ru, err := url.Parse(strings.TrimSuffix(p, "*"))
			if err != nil {
				continue
			}
			host = ru.Host
		}
		if strings.EqualFold(hostOnly(host), u.Hostname()) {
			return ""
		}
	}
	return "redirect to " + target + ", a host client " + client.ClientID + " did not register"
}

func hostOnly(hostport string) string {
	if u, err := url.Parse("http://" + hostport); err == nil {
		return u.Hostname()
	}
	return hostport
}
