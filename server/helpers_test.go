package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// testNow is the fixed clock of the tests: the examples' iat.
var testNow = time.Unix(1760000000, 0)

// testRealm mirrors the realm behind ../shared/keycloak/examples plus the clients and users
// the refusal tables need. The signing key is pinned so golden files hold.
const testRealm = `
[[realms]]
realm = "myrealm"

[realms.roles]
realm = [{ name = "customer" }]
[realms.roles.client]
api = [{ name = "reader" }, { name = "writer" }]

[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
service_accounts_enabled = true
redirect_uris = ["http://localhost:3000/*"]
web_origins = ["http://localhost:3000"]

[[realms.clients]]
client_id = "spa"
public_client = true
direct_access_grants_enabled = true

[[realms.clients]]
client_id = "no-direct"
secret = "s"

[[realms.clients]]
client_id = "consent"
secret = "s"
direct_access_grants_enabled = true
consent_required = true

[[realms.clients]]
client_id = "api"
secret = "api-secret"
bearer_only = true

[[realms.clients]]
client_id = "off"
secret = "s"
enabled = false

[[realms.clients]]
client_id = "nosecret"
direct_access_grants_enabled = true

[[realms.clients]]
client_id = "narrow"
secret = "s"
direct_access_grants_enabled = true
full_scope_allowed = false

[[realms.clients]]
client_id = "sa-off"
secret = "s"
service_accounts_enabled = true

[[realms.clients]]
client_id = "rt-cc"
secret = "s"
service_accounts_enabled = true
attributes = { "client_credentials.use_refresh_token" = "true" }

[[realms.users]]
id = "5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b"
username = "alice"
password = "alice-pw"
email = "alice@example.com"
email_verified = true
first_name = "Alice"
last_name = "Liddell"
realm_roles = ["customer"]
client_roles = { api = ["reader"] }

[[realms.users]]
username = "disabled"
password = "pw"
enabled = false

[[realms.users]]
username = "temp"
credentials = [{ type = "password", value = "pw", temporary = true }]

[[realms.users]]
username = "verify"
password = "pw"
required_actions = ["VERIFY_EMAIL"]

[[realms.users]]
username = "service-account-sa-off"
service_account_client_id = "sa-off"
enabled = false

[[realms]]
realm = "other"
[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"

# A realm whose default roles were redeclared without offline_access.
[[realms]]
realm = "nooffline"
[realms.roles]
realm = [{ name = "default-roles-nooffline" }]
[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"

[[realms]]
realm = "closed"
enabled = false
[[realms.clients]]
client_id = "my-app"
secret = "my-secret"
direct_access_grants_enabled = true
`

// testKeys pins the realms' keys (the same for every realm; realms differ by issuer).
func testKeys(t testing.TB) string {
	t.Helper()
	pem, err := os.ReadFile("../tokens/testdata/rsa2048.pem")
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile("../tokens/testdata/rsa2048-other.pem")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("\n[[realms.keys]]\nalgorithm = \"RS256\"\nprivate_key = '''\n%s'''\n[[realms.keys]]\nalgorithm = \"RSA-OAEP\"\nprivate_key = '''\n%s'''\n[[realms.keys]]\nalgorithm = \"HS512\"\nkid = \"2c5b0a4e-7f3d-4d1a-9b8e-6a1f0c3d2e4b\"\nsecret = \"0123456789abcdef0123456789abcdef0123456789abcdef\"\n", pem, other)
}

// withKeys appends pinned keys to every realm of a scenario text.
//
// Test realms keep their users minimal (a username and a password), so it also turns the
// Verify Profile required action off in every realm, unless the text sets verify_profile
// itself: Keycloak's default would stop those users' logins (TestVerifyProfile covers it).
func withKeys(t testing.TB, text string) string {
	keys := testKeys(t)
	vp := ""
	if !strings.Contains(text, "verify_profile") {
		vp = "\nverify_profile = false"
	}
	parts := strings.Split(text, "[[realms]]")
	for i := 1; i < len(parts); i++ {
		parts[i] = vp + parts[i] + keys
	}
	return strings.Join(parts, "[[realms]]")
}

// clock is a test clock that can be moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seqIDs makes deterministic ids: 00000000-0000-4000-8000-000000000001, …
func seqIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
}

type testServer struct {
	*Server
	clock *clock
	http  *httptest.Server
}

func newTestServer(t testing.TB, text string, cfg Config) *testServer {
	t.Helper()
	sc, err := scenarios.Load(scenarios.Options{Now: func() time.Time { return testNow }}, scenarios.Source{Name: "test.toml", Data: []byte(withKeys(t, text))})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: testNow}
	cfg.Scenario = sc
	cfg.Now = clk.Now
	if cfg.NewID == nil {
		cfg.NewID = seqIDs()
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &testServer{Server: s, clock: clk, http: hs}
}

// response is a decoded HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %s", err, r.body)
	}
	return m
}

func (ts *testServer) do(t testing.TB, method, path string, form url.Values, header map[string]string) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, ts.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := ts.http.Client().Do(req)
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

func (ts *testServer) token(t testing.TB, realm string, form url.Values, header map[string]string) response {
	t.Helper()
	return ts.do(t, http.MethodPost, "/realms/"+realm+"/protocol/openid-connect/token", form, header)
}

func basic(id, secret string) map[string]string {
	return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// payload decodes a JWT's payload into a map.
func payload(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func rawPayload(t testing.TB, jwt string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// nowReal is the wall clock, for tests whose tokens a library checks against its own clock.
func nowReal() time.Time { return time.Now().Truncate(time.Second) }

// tamperSig changes one character in the middle of a JWT's signature, so the signature bytes
// always change. (Rewriting the last characters is not enough: the final base64url character
// carries padding bits, and the replacement can equal the original.)
func tamperSig(tok string) string {
	dot := strings.LastIndexByte(tok, '.')
	if dot < 0 || dot == len(tok)-1 {
		return tok + "AAAA" // no signature to change: add one
	}
	i := dot + 1 + (len(tok)-dot-1)/2
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
