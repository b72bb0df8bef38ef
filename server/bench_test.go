package server

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/kcmock/kcmock/scenarios"
)

// The issuance benchmarks run the whole handler stack (echo, form parsing, client
// authentication, claims, signing, response) in-process, next to the raw RS256 signing rate of
// the same key, so `go test -bench . ./server/` prints the fraction of the ceiling reached.

func benchServer(b *testing.B) *Server {
	b.Helper()
	sc, err := scenarios.Load(scenarios.Options{}, scenarios.Default())
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Scenario: sc})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchRequest(s *Server, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/realms/demo/protocol/openid-connect/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-app", "demo-app-secret")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// BenchmarkRawSignRS256 is the ceiling: one RSA PKCS#1 v1.5 signature with the realm's key.
func BenchmarkRawSignRS256(b *testing.B) {
	s := benchServer(b)
	key := s.state.Load().realms["demo"].keys.Active.Signer.(*rsa.PrivateKey)
	digest := sha256.Sum256([]byte("payload"))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkClientCredentials is one client_credentials token request, end to end in-process.
func BenchmarkClientCredentials(b *testing.B) {
	benchGrant(b, "grant_type=client_credentials")
}

// BenchmarkPassword is a password grant: access, refresh (HS512) and a new session.
func BenchmarkPassword(b *testing.B) {
	benchGrant(b, "grant_type=password&username=alice&password=alice")
}

// benchGrant posts one token request form in parallel and expects 200 each time.
func benchGrant(b *testing.B, form string) {
	s := benchServer(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := benchRequest(s, form); rec.Code != 200 {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkDiscovery serves the prebuilt discovery document.
func BenchmarkDiscovery(b *testing.B) {
	s := benchServer(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/realms/demo/.well-known/openid-configuration", nil)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Errorf("status %d", rec.Code)
			}
		}
	})
}

// BenchmarkStartup loads the embedded default scenario and builds the server: the work
// between launch and the first served request.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sc, err := scenarios.Load(scenarios.Options{}, scenarios.Default())
		if err != nil {
			b.Fatal(err)
		}
		s, err := New(Config{Scenario: sc})
		if err != nil {
			b.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/realms/demo/.well-known/openid-configuration", nil)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
	}
}

// BenchmarkRawSignVerifyRS256 is the exchange's ceiling: one RS256 verification (the subject
// token) and one RS256 signature (the new token) with the realm's key.
func BenchmarkRawSignVerifyRS256(b *testing.B) {
	s := benchServer(b)
	key := s.state.Load().realms["demo"].keys.Active.Signer.(*rsa.PrivateKey)
	digest := sha256.Sum256([]byte("payload"))
	sig, _ := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
				b.Error(err)
			}
			if _, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkStandardExchange is a standard token exchange of the bundled scenario: the gateway
// exchanges alice's token for orders-api.
func BenchmarkStandardExchange(b *testing.B) {
	sc, err := scenarios.LoadFiles(scenarios.Options{}, "../scenarios/standard-exchange.toml")
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Scenario: sc})
	if err != nil {
		b.Fatal(err)
	}
	post := func(body, user, pass string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/realms/acme/protocol/openid-connect/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec
	}
	login := post("grant_type=password&client_id=web-frontend&username=alice&password=alice", "", "")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("login: %s", login.Body)
	}
	body := "grant_type=" + url.QueryEscape(grantTokenExchange) + "&subject_token_type=" + url.QueryEscape(tokenTypeAccess) +
		"&audience=orders-api&subject_token=" + tok.AccessToken
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := post(body, "api-gateway", "gateway-secret"); rec.Code != 200 {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
