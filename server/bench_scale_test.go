package server

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kcmock/kcmock/scenarios"
)

// Benchmarks for the other performance targets: issuance in an ES256 realm against the raw
// ES256 signing rate of the same key, and the cost of one request in a realm of 10 users
// against one of 10,000 users and 1,000 clients (users and clients are looked up through the
// model's indexes, so the two should be within noise). Keys are pinned from tokens/testdata,
// so no benchmark spends its setup generating RSA keys.

// scaleKeys pins a realm's keys: ES256 or RS256 signing, RSA-OAEP encryption and HS512.
func scaleKeys(alg string) string {
	sig := "../tokens/testdata/rsa2048.pem"
	if alg == "ES256" {
		sig = "../tokens/testdata/p256.pem"
	}
	return fmt.Sprintf(`
[[realms.keys]]
algorithm = %q
private_key_file = %q
[[realms.keys]]
algorithm = "RSA-OAEP"
private_key_file = "../tokens/testdata/rsa2048-other.pem"
[[realms.keys]]
algorithm = "HS512"
kid = "2c5b0a4e-7f3d-4d1a-9b8e-6a1f0c3d2e4b"
secret = "0123456789abcdef0123456789abcdef0123456789abcdef"
`, alg, sig)
}

func benchScenarioServer(b *testing.B, name, text string) *Server {
	b.Helper()
	sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: name, Data: []byte(text), Dir: "."})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Config{Scenario: sc})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchPost posts a token request to realm as client (Basic authentication).
func benchPost(s *Server, realm, client, secret, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/realms/"+realm+"/protocol/openid-connect/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// esScenario is a realm whose active key is ES256 (P-256), with a confidential client that has
// a service account.
var esScenario = `
[[realms]]
realm = "es"
default_signature_algorithm = "ES256"
[[realms.clients]]
client_id = "es-app"
secret = "es-app-secret"
service_accounts_enabled = true
` + scaleKeys("ES256")

// BenchmarkRawSignES256 is the ES256 realm's ceiling: one P-256 ECDSA signature of a SHA-256
// digest with the realm's key, made as Key.Sign makes it (RFC 6979, no RNG).
func BenchmarkRawSignES256(b *testing.B) {
	s := benchScenarioServer(b, "es.toml", esScenario)
	key := s.state.Load().realms["es"].keys.Active.Signer.(*ecdsa.PrivateKey)
	digest := sha256.Sum256([]byte("payload"))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := key.Sign(nil, digest[:], crypto.SHA256); err != nil {
				b.Error(err)
			}
		}
	})
}

// BenchmarkES256ClientCredentials is one client_credentials request in the ES256 realm, end to
// end in-process.
func BenchmarkES256ClientCredentials(b *testing.B) {
	s := benchScenarioServer(b, "es.toml", esScenario)
	if rec := benchPost(s, "es", "es-app", "es-app-secret", "grant_type=client_credentials"); rec.Code != 200 ||
		!strings.HasPrefix(rec.Body.String(), `{"access_token":"eyJhbGciOiJFUzI1NiIs`) {
		b.Fatalf("not an ES256 token: status %d: %.200s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if rec := benchPost(s, "es", "es-app", "es-app-secret", "grant_type=client_credentials"); rec.Code != 200 {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}

// scaleScenario is a realm "scale" of users user00001… (password = username, one realm role,
// a client role, a group) and clients client0001… (confidential, direct grants on).
func scaleScenario(users, clients int) string {
	var sb strings.Builder
	sb.WriteString(`
[[realms]]
realm = "scale"
[realms.roles]
realm = [{ name = "customer" }]
[realms.roles.client]
api = [{ name = "reader" }, { name = "writer" }]
[[realms.groups]]
name = "staff"
client_roles = { api = ["reader", "writer"] }
[[realms.clients]]
client_id = "api"
bearer_only = true
`)
	for i := 1; i <= clients; i++ {
		fmt.Fprintf(&sb, "[[realms.clients]]\nclient_id = \"client%04d\"\nsecret = \"secret%04d\"\ndirect_access_grants_enabled = true\nredirect_uris = [\"https://app%04d.example.com/*\"]\n", i, i, i)
	}
	for i := 1; i <= users; i++ {
		fmt.Fprintf(&sb, "[[realms.users]]\nusername = \"user%05d\"\npassword = \"user%05d\"\nemail = \"user%05d@example.com\"\nemail_verified = true\nfirst_name = \"User\"\nlast_name = \"N%05d\"\nrealm_roles = [\"customer\"]\nclient_roles = { api = [\"reader\"] }\n", i, i, i, i)
		if i%10 == 0 {
			sb.WriteString("groups = [\"/staff\"]\n")
		}
	}
	return sb.String() + scaleKeys("RS256")
}

// BenchmarkPasswordScale is a password grant by the last user through the last client (the
// worst case for a scan) in a small and a large realm. "ok" signs access and refresh tokens
// and opens a session; "rejected" is a wrong password, which costs the same lookups without
// the signature, so that a lookup that grew with the realm would stand out.
func BenchmarkPasswordScale(b *testing.B) {
	for _, size := range []struct{ users, clients int }{{10, 10}, {10_000, 1_000}} {
		s := benchScenarioServer(b, "scale.toml", scaleScenario(size.users, size.clients))
		client, secret := fmt.Sprintf("client%04d", size.clients), fmt.Sprintf("secret%04d", size.clients)
		user := fmt.Sprintf("user%05d", size.users)
		for _, c := range []struct {
			name, password string
			want           int
		}{{"ok", user, http.StatusOK}, {"rejected", "wrong", http.StatusUnauthorized}} {
			body := "grant_type=password&username=" + user + "&password=" + c.password
			if rec := benchPost(s, "scale", client, secret, body); rec.Code != c.want {
				b.Fatalf("%s: status %d, want %d: %.200s", c.name, rec.Code, c.want, rec.Body)
			}
			b.Run(fmt.Sprintf("users=%d,clients=%d/%s", size.users, size.clients, c.name), func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if rec := benchPost(s, "scale", client, secret, body); rec.Code != c.want {
							b.Errorf("status %d, want %d: %.200s", rec.Code, c.want, rec.Body)
						}
					}
				})
			})
		}
	}
}

// BenchmarkLoadLarge is the start-up target for big scenarios: parsing, checking and
// resolving a scenario of 10,000 users and 1,000 clients (keys pinned), and building the
// server on it.
func BenchmarkLoadLarge(b *testing.B) {
	text := []byte(scaleScenario(10_000, 1_000))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: "scale.toml", Data: text, Dir: "."})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(Config{Scenario: sc}); err != nil {
			b.Fatal(err)
		}
	}
}
