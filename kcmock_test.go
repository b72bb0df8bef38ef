package kcmock_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kcmock/kcmock"
	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// TestStartDefaultScenario gets tokens from the default scenario over the loopback and
// verifies them with go-oidc, as an application under test would.
func TestStartDefaultScenario(t *testing.T) {
	kc := kcmock.Start(t)
	if !strings.HasPrefix(kc.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q; want http://127.0.0.1:<port>", kc.URL())
	}
	if got, want := kc.Issuer("demo"), kc.URL()+"/realms/demo"; got != want {
		t.Errorf("Issuer = %q; want %q", got, want)
	}
	ctx := oidc.ClientContext(t.Context(), kc.Client())
	provider, err := oidc.NewProvider(ctx, kc.Issuer("demo"))
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{SkipClientIDCheck: true})

	raw := kc.MustToken(t, "demo", "demo-app", "demo-app-secret", "alice", "alice")
	tok, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify password-grant token: %v", err)
	}
	if tok.Issuer != kc.Issuer("demo") {
		t.Errorf("iss = %q; want %q", tok.Issuer, kc.Issuer("demo"))
	}

	public := kc.MustToken(t, "demo", "demo-spa", "", "bob", "bob")
	if got := claim(t, public, "azp"); got != "demo-spa" {
		t.Errorf("public client: azp = %v; want demo-spa", got)
	}

	cc, err := kc.ClientCredentials(t.Context(), "demo", "demo-app", "demo-app-secret")
	if err != nil {
		t.Fatal(err)
	}
	if cc.RefreshToken != "" || cc.TokenType != "Bearer" {
		t.Errorf("client_credentials: refresh %q, token_type %q", cc.RefreshToken, cc.TokenType)
	}
	if got := claim(t, cc.AccessToken, "preferred_username"); got != "service-account-demo-app" {
		t.Errorf("client_credentials: preferred_username = %v", got)
	}

	minted, err := kc.MintToken("demo", "bob", "demo-app", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier.Verify(ctx, minted); err != nil {
		t.Errorf("verify minted token: %v", err)
	}
}

// TestTokenRefusal checks that refusals come back as *TokenError with Keycloak's texts, and
// that the journal names the rule.
func TestTokenRefusal(t *testing.T) {
	kc := kcmock.Start(t)
	_, err := kc.Token(t.Context(), "demo", kcmock.PasswordGrant{Client: "demo-app", Secret: "demo-app-secret", Username: "carol", Password: "carol"})
	var te *kcmock.TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v; want a *TokenError", err)
	}
	if te.Status != 400 || te.Code != "invalid_grant" || te.Description != "Account disabled" {
		t.Errorf("got %d %q %q; want 400 invalid_grant \"Account disabled\"", te.Status, te.Code, te.Description)
	}
	entries := kc.Journal(server.JournalFilter{Outcome: "refused"})
	if len(entries) != 1 || entries[0].User != "carol" || entries[0].Rule == "" {
		t.Errorf("journal: %+v; want one refusal of carol with a rule", entries)
	}
	// The error carries the journal's explanation, which Keycloak's vague answer lacks.
	if te.Why == "" || te.Why != entries[0].Explanation || !strings.Contains(te.Error(), te.Why) {
		t.Errorf("Why = %q, Error() = %q; want the journal's explanation %q in both", te.Why, te.Error(), entries[0].Explanation)
	}
	// Also for a refusal before client authentication, which the journal records without a client.
	_, err = kc.Token(t.Context(), "demo", kcmock.FormGrant{Client: "demo-app", Secret: "demo-app-secret", Form: url.Values{"grant_type": {"urn:nope"}}})
	if !errors.As(err, &te) || te.Description != "Unsupported grant_type" || !strings.Contains(te.Why, "urn:nope") {
		t.Errorf("unknown grant: %v (Why %q)", err, te.Why)
	}
}

// TestClockExpiresAccessToken advances the frozen clock past the access token's lifetime.
func TestClockExpiresAccessToken(t *testing.T) {
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	kc := kcmock.Start(t, kcmock.WithClock(start))
	raw := kc.MustToken(t, "demo", "demo-app", "demo-app-secret", "alice", "alice")
	if got := claim(t, raw, "iat"); got != float64(start.Unix()) {
		t.Errorf("iat = %v; want %d", got, start.Unix())
	}
	if !kc.Clock().Frozen() || !kc.Clock().Now().Equal(start) {
		t.Errorf("clock: frozen %v at %v; want frozen at %v", kc.Clock().Frozen(), kc.Clock().Now(), start)
	}
	kc.Clock().Advance(6 * time.Minute)
	// Userinfo refuses an expired access token; its exact answer is the server's business,
	// what matters here is that the advanced clock is the one requests read.
	req, _ := http.NewRequest(http.MethodGet, kc.URL()+"/realms/demo/protocol/openid-connect/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+raw)
	res, err := kc.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("userinfo with a token expired by the clock: status %d; want 401", res.StatusCode)
	}
}

func TestWithHostname(t *testing.T) {
	kc := kcmock.Start(t, kcmock.WithHostname("sso.example.com"))
	port := kc.URL()[strings.LastIndex(kc.URL(), ":")+1:]
	want := "http://sso.example.com:" + port + "/realms/demo"
	if got := kc.Issuer("demo"); got != want {
		t.Errorf("Issuer = %q; want %q", got, want)
	}
	raw := kc.MustToken(t, "demo", "demo-app", "demo-app-secret", "alice", "alice")
	if got := claim(t, raw, "iss"); got != want {
		t.Errorf("iss = %v; want %q", got, want)
	}

	full, err := kcmock.New(kcmock.WithHostname("https://sso.example.com/"))
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Issuer("demo"); got != "https://sso.example.com/realms/demo" {
		t.Errorf("full-URL hostname: Issuer = %q", got)
	}
	minted, err := full.MintToken("demo", "alice", "demo-app", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := claim(t, minted, "iss"); got != "https://sso.example.com/realms/demo" {
		t.Errorf("minted iss = %v", got)
	}
}

func TestScenarioProblems(t *testing.T) {
	_, err := kcmock.New(kcmock.WithScenario("[[realms]]\nrealm = \"x\"\nbogus = 1\n"))
	var le *scenarios.LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 || !strings.Contains(le.Problems[0].String(), "inline: realms[0].bogus") {
		t.Errorf("unknown key: err = %v; want a LoadError naming inline: realms[0].bogus", err)
	}
	_, err = kcmock.New(kcmock.WithScenarioFile(filepath.Join(t.TempDir(), "missing.toml")))
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "missing.toml") {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestScenarioFiles loads two files together, with a key file relative to its scenario.
func TestScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.toml"), shopTOML)
	write(t, filepath.Join(dir, "b.toml"), "[[realms]]\nrealm = \"other\"\n")
	kc := kcmock.Start(t, kcmock.WithScenarioFile(filepath.Join(dir, "a.toml")), kcmock.WithScenarioFile(filepath.Join(dir, "b.toml")))
	kc.MustToken(t, "shop", "web", "web-secret", "alice", "alice-pw")
	if got := kc.Core().Scenario().Realm("other"); got == nil {
		t.Error("realm other of the second file is not served")
	}
}

const shopTOML = `
[[realms]]
realm = "shop"

[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true
service_accounts_enabled = true

[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"
`

// deterministicTOML has realms whose generated keys cover RSA (RS256 and the RSA-OAEP
// encryption key), ECDSA and Ed25519.
const deterministicTOML = shopTOML + `
[[realms]]
realm = "ec"
default_signature_algorithm = "ES256"
[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"

[[realms]]
realm = "ed"
default_signature_algorithm = "EdDSA"
[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"
`

// TestDeterministic runs the same requests against two independent servers with the same
// seed and clock: every response is byte-identical. A third server with another seed has
// other keys.
func TestDeterministic(t *testing.T) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	run := func(seed int64) []string {
		kc := kcmock.Start(t, kcmock.WithScenario(deterministicTOML), kcmock.WithClock(at), kcmock.WithSeed(seed), kcmock.WithHostname("http://kc.test"))
		var out []string
		for _, realm := range []string{"shop", "ec", "ed"} {
			out = append(out, get(t, kc, "/realms/"+realm+"/protocol/openid-connect/certs"),
				get(t, kc, "/realms/"+realm+"/.well-known/openid-configuration"),
				get(t, kc, "/realms/"+realm))
			login, err := kc.Token(t.Context(), realm, kcmock.PasswordGrant{Client: "web", Secret: "web-secret", Username: "alice", Password: "alice-pw", Scope: "openid"})
			if err != nil {
				t.Fatal(err)
			}
			if login.AccessToken == "" || login.RefreshToken == "" || login.IDToken == "" {
				t.Fatalf("%s: a token is missing: %s", realm, login.Raw)
			}
			kc.Clock().Advance(time.Minute)
			refreshed, err := kc.Token(t.Context(), realm, kcmock.RefreshGrant{Client: "web", Secret: "web-secret", RefreshToken: login.RefreshToken})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(login.Raw), string(refreshed.Raw))
		}
		cc, err := kc.ClientCredentials(t.Context(), "shop", "web", "web-secret")
		if err != nil {
			t.Fatal(err)
		}
		minted, err := kc.MintToken("shop", "alice", "web", "openid")
		if err != nil {
			t.Fatal(err)
		}
		return append(out, string(cc.Raw), minted)
	}
	first, second, other := run(7), run(7), run(8)
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("response %d differs between two runs with seed 7:\n%s\n%s", i, first[i], second[i])
		}
	}
	jwks := func(out []string, realm int) map[string]bool {
		var doc struct{ Keys []struct{ Kid string } }
		if err := json.Unmarshal([]byte(out[realm*5]), &doc); err != nil {
			t.Fatal(err)
		}
		kids := map[string]bool{}
		for _, k := range doc.Keys {
			kids[k.Kid] = true
		}
		return kids
	}
	for realm := range 3 {
		a, b := jwks(first, realm), jwks(other, realm)
		if len(a) == 0 {
			t.Fatalf("realm %d: empty JWKS", realm)
		}
		for kid := range a {
			if b[kid] {
				t.Errorf("realm %d: seeds 7 and 8 share key %s", realm, kid)
			}
		}
	}
	if first[3] == other[3] {
		t.Error("seeds 7 and 8 issued the same tokens")
	}
}

// TestDeterministicInProcess checks that New (in-process) and Start (over the loopback)
// agree byte for byte when the hostname is fixed: the transport does not leak into tokens.
func TestDeterministicInProcess(t *testing.T) {
	opts := []kcmock.Option{kcmock.WithScenario(shopTOML), kcmock.WithClock(time.Unix(1_800_000_000, 0)), kcmock.WithSeed(1), kcmock.WithHostname("http://kc.test")}
	a, err := kcmock.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	b := kcmock.Start(t, opts...)
	g := kcmock.PasswordGrant{Client: "web", Secret: "web-secret", Username: "alice", Password: "alice-pw"}
	ta, err := a.Token(t.Context(), "shop", g)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Token(t.Context(), "shop", g)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ta.Raw, tb.Raw) {
		t.Errorf("New and Start differ:\n%s\n%s", ta.Raw, tb.Raw)
	}
}

// TestHandlerMount serves New's Handler from the test's own server.
func TestHandlerMount(t *testing.T) {
	kc, err := kcmock.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/realms/", kc.Handler())
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	hs := ts.URL
	res, err := http.Get(hs + "/realms/demo/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `"issuer":"`+hs+`/realms/demo"`) {
		t.Errorf("discovery through the mounted handler: %s", body)
	}
}

func get(t *testing.T, kc *kcmock.Server, path string) string {
	t.Helper()
	res, err := kc.Client().Get(kc.URL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s %v", path, res.StatusCode, b, err)
	}
	return string(b)
}

// claim decodes one claim of a JWT without verifying it.
func claim(t *testing.T, jwt, name string) any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
