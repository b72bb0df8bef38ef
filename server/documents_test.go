package server

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/golden/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file\n got: %s\nwant: %s", name, got, want)
	}
}

func compact(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestDiscoveryIsKeycloaks compares the discovery document of a fresh realm with the
// Keycloak 26.4 document of ../shared/keycloak/examples byte for byte (field order included).
func TestDiscoveryIsKeycloaks(t *testing.T) {
	ts := newTestServer(t, "[[realms]]\nrealm = \"myrealm\"\n", Config{Hostname: "http://localhost:8080"})
	want, err := os.ReadFile("testdata/discovery.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/realms/myrealm/.well-known/openid-configuration", "/realms/myrealm/.well-known/oauth-authorization-server"} {
		res := ts.do(t, http.MethodGet, path, nil, nil)
		if res.status != 200 || !bytes.Equal(res.body, compact(t, want)) {
			t.Errorf("GET %s = %d\n got: %s\nwant: %s", path, res.status, res.body, compact(t, want))
		}
		if ct := res.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
}

func TestDocumentsGolden(t *testing.T) {
	ts := newTestServer(t, "[[realms]]\nrealm = \"myrealm\"\n", Config{Hostname: "http://localhost:8080"})
	for _, tt := range []struct{ path, file string }{
		{"/realms/myrealm/protocol/openid-connect/certs", "jwks.json"},
		{"/realms/myrealm", "realm-info.json"},
	} {
		res := ts.do(t, http.MethodGet, tt.path, nil, nil)
		if res.status != 200 {
			t.Fatalf("GET %s = %d %s", tt.path, res.status, res.body)
		}
		golden(t, tt.file, res.body)
	}
	// The realm info's public key is the JWKS signing key: same kid derivation.
	info := ts.do(t, http.MethodGet, "/realms/myrealm", nil, nil).json(t)
	var jwks struct {
		Keys []struct{ Kid, Use, Alg string } `json:"keys"`
	}
	_ = json.Unmarshal(ts.do(t, http.MethodGet, "/realms/myrealm/protocol/openid-connect/certs", nil, nil).body, &jwks)
	if len(jwks.Keys) != 2 || jwks.Keys[0].Use != "sig" || jwks.Keys[0].Alg != "RS256" || jwks.Keys[1].Use != "enc" || jwks.Keys[1].Alg != "RSA-OAEP" {
		t.Errorf("JWKS keys = %+v; want the RS256 sig key then the RSA-OAEP enc key", jwks.Keys)
	}
	if info["token-service"] != "http://localhost:8080/realms/myrealm/protocol/openid-connect" || info["tokens-not-before"] != float64(0) {
		t.Errorf("realm info = %v", info)
	}
}

// TestIssuerFollowsHost checks the issuer's sources: request host, trusted proxy headers, the
// legacy /auth prefix, and a configured hostname.
func TestIssuerFollowsHost(t *testing.T) {
	realm := "[[realms]]\nrealm = \"r\"\n"
	tests := []struct {
		name   string
		cfg    Config
		path   string
		header map[string]string
		want   string
	}{
		{"request host", Config{}, "/realms/r/.well-known/openid-configuration", map[string]string{"Host": "id.local:9000"}, "http://id.local:9000/realms/r"},
		{"untrusted proxy headers ignored", Config{}, "/realms/r/.well-known/openid-configuration", map[string]string{"Host": "a:1", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil"}, "http://a:1/realms/r"},
		{"trusted X-Forwarded", Config{TrustProxy: true}, "/realms/r/.well-known/openid-configuration", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sso.example.com"}, "https://sso.example.com/realms/r"},
		{"trusted Forwarded", Config{TrustProxy: true}, "/realms/r/.well-known/openid-configuration", map[string]string{"Forwarded": `for=1.2.3.4;proto=https;host="kc.example.org:8443"`}, "https://kc.example.org:8443/realms/r"},
		{"legacy /auth prefix", Config{}, "/auth/realms/r/.well-known/openid-configuration", map[string]string{"Host": "h"}, "http://h/auth/realms/r"},
		{"hostname URL", Config{Hostname: "https://login.example.com/"}, "/realms/r/.well-known/openid-configuration", nil, "https://login.example.com/realms/r"},
		{"hostname name keeps port", Config{Hostname: "kc.test"}, "/realms/r/.well-known/openid-configuration", map[string]string{"Host": "127.0.0.1:8080"}, "http://kc.test:8080/realms/r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, realm, tt.cfg)
			req, _ := http.NewRequest(http.MethodGet, ts.http.URL+tt.path, nil)
			for k, v := range tt.header {
				if k == "Host" {
					req.Host = v
				} else {
					req.Header.Set(k, v)
				}
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var doc map[string]any
			_ = json.NewDecoder(res.Body).Decode(&doc)
			if doc["issuer"] != tt.want || doc["token_endpoint"] != tt.want+"/protocol/openid-connect/token" {
				t.Errorf("issuer = %v, token_endpoint = %v; want %s", doc["issuer"], doc["token_endpoint"], tt.want)
			}
		})
	}
}

func TestUnknownRealmPathAndMethod(t *testing.T) {
	ts := newTestServer(t, "[[realms]]\nrealm = \"r\"\n", Config{})
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, "/realms/nope/.well-known/openid-configuration", 404, `{"error":"Realm does not exist"}`},
		{http.MethodGet, "/realms/nope", 404, `{"error":"Realm does not exist"}`},
		{http.MethodPost, "/realms/nope/protocol/openid-connect/token", 404, `{"error":"Realm does not exist"}`},
		{http.MethodGet, "/realms/R/.well-known/openid-configuration", 404, `{"error":"Realm does not exist"}`},
		{http.MethodGet, "/realms/nope/protocol/openid-connect/token", 404, `{"error":"Realm does not exist"}`},
		{http.MethodGet, "/realms/r/protocol/openid-connect/token", 405, `{"error":"HTTP 405 Method Not Allowed"}`},
		{http.MethodPut, "/realms/r/protocol/openid-connect/certs", 405, `{"error":"HTTP 405 Method Not Allowed"}`},
		{http.MethodGet, "/realms/r/protocol/openid-connect/nothing", 404, `{"error":"Unable to find matching target resource method"}`},
		{http.MethodGet, "/realms/r/protocol/saml/descriptor", 404, `{"error":"Protocol not found"}`},
		{http.MethodGet, "/realms/r/nothing", 404, `{"error":"HTTP 404 Not Found"}`},
		{http.MethodGet, "/realms/r/.well-known/foo", 404, `{"error":"HTTP 404 Not Found"}`},
		{http.MethodGet, "/auth/realms/nope", 404, `{"error":"Realm does not exist"}`},
	}
	for _, tt := range tests {
		res := ts.do(t, tt.method, tt.path, nil, nil)
		if res.status != tt.status || string(res.body) != tt.body {
			t.Errorf("%s %s = %d %s; want %d %s", tt.method, tt.path, res.status, res.body, tt.status, tt.body)
		}
	}
}

func TestTokenContentTypeAndCORS(t *testing.T) {
	ts := newTestServer(t, testRealm, Config{})
	tokenPath := "/realms/myrealm/protocol/openid-connect/token"
	t.Run("json body is refused by routing", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, ts.http.URL+tokenPath, strings.NewReader(`{"grant_type":"password"}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 415 || string(b) != `{"error":"The content-type header value did not match the value in @Consumes"}` {
			t.Errorf("got %d %s", res.StatusCode, b)
		}
	})
	t.Run("no body reads as an empty form", func(t *testing.T) {
		res := ts.do(t, http.MethodPost, tokenPath, nil, nil)
		if res.status != 400 || string(res.body) != `{"error":"invalid_request","error_description":"Missing form parameter: grant_type"}` {
			t.Errorf("got %d %s", res.status, res.body)
		}
	})
	cors := []struct {
		name, origin string
		form         url.Values
		header       map[string]string
		wantOrigin   string
	}{
		{"allowed origin on success", "http://localhost:3000", form("grant_type", "client_credentials"), basic("my-app", "my-secret"), "http://localhost:3000"},
		{"foreign origin gets nothing", "http://evil.test", form("grant_type", "client_credentials"), basic("my-app", "my-secret"), ""},
		{"client auth failure echoes any origin", "http://evil.test", form("grant_type", "client_credentials"), basic("my-app", "x"), "http://evil.test"},
		{"grant_type errors come before CORS", "http://localhost:3000", form(), basic("my-app", "my-secret"), ""},
	}
	for _, tt := range cors {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{"Origin": tt.origin}
			for k, v := range tt.header {
				h[k] = v
			}
			res := ts.token(t, "myrealm", tt.form, h)
			if got := res.header.Get("Access-Control-Allow-Origin"); got != tt.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q; want %q", got, tt.wantOrigin)
			}
			if tt.wantOrigin != "" && (res.header.Get("Access-Control-Allow-Credentials") != "true" || res.header.Get("Access-Control-Expose-Headers") != "Access-Control-Allow-Methods") {
				t.Errorf("CORS headers = %v", res.header)
			}
		})
	}
	t.Run("preflight", func(t *testing.T) {
		res := ts.do(t, http.MethodOptions, tokenPath, nil, map[string]string{"Origin": "http://x.test", "Access-Control-Request-Method": "POST"})
		want := map[string]string{
			"Access-Control-Allow-Origin":      "http://x.test",
			"Access-Control-Allow-Methods":     "POST, OPTIONS",
			"Access-Control-Allow-Credentials": "true",
			"Access-Control-Allow-Headers":     corsAllowHeaders + ", Authorization",
			"Access-Control-Max-Age":           "3600",
		}
		for k, v := range want {
			if got := res.header.Get(k); got != v {
				t.Errorf("%s = %q; want %q", k, got, v)
			}
		}
		if res.status != 200 || len(res.body) != 0 {
			t.Errorf("preflight = %d %q", res.status, res.body)
		}
	})
}
