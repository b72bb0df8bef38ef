package server

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
)

// forgeRealms are the exchange realms ("x" and "y", both with the harness key) plus "z", whose
// signing key is the harness's encryption key (tokens/testdata/rsa2048-other.pem) and whose
// HMAC key is its own: "z" tokens carry a kid that "x" publishes, for encryption only.
const forgeRealms = `
[[realms]]
realm = "z"
verify_profile = false
[[realms.clients]]
client_id = "subject-client"
secret = "s"
direct_access_grants_enabled = true
[[realms.users]]
username = "john"
password = "pw"
`

func newForgeServer(t *testing.T) *testServer {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile("../tokens/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	zKeys := fmt.Sprintf("[[realms.keys]]\nalgorithm = \"RS256\"\nprivate_key = '''\n%s'''\n[[realms.keys]]\nalgorithm = \"RSA-OAEP\"\nprivate_key = '''\n%s'''\n[[realms.keys]]\nalgorithm = \"HS512\"\nkid = \"9e1c2d3f-0000-4000-8000-00000000000z\"\nsecret = \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\"\n",
		read("rsa2048-other.pem"), read("rsa2048.pem"))
	sc, err := scenarios.Load(scenarios.Options{Now: func() time.Time { return testNow }},
		scenarios.Source{Name: "forge.toml", Data: []byte(withKeys(t, exchangeRealm) + forgeRealms + zKeys)})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: testNow}
	s, err := New(Config{Scenario: sc, Now: clk.Now, NewID: seqIDs()})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return &testServer{Server: s, clock: clk, http: hs}
}

// forgeKind is what a sink accepts and what the forgeries of its rows start from.
type forgeKind int

const (
	forgeAccess forgeKind = iota
	forgeRefresh
	forgeID
)

// forger makes tokens realm "x" never issued, from genuine ones.
type forger struct {
	t        testing.TB
	keys     *tokens.KeySet // realm x
	zKeys    *tokens.KeySet // realm z
	genuine  map[string]string
	now      int64
	pub, der []byte // x's RSA public key, PEM and DER (SubjectPublicKeyInfo)
}

func newForger(t *testing.T, ts *testServer) *forger {
	t.Helper()
	st := ts.state.Load()
	f := &forger{t: t, keys: st.realms["x"].keys, zKeys: st.realms["z"].keys, genuine: map[string]string{}, now: testNow.Unix()}
	der, err := x509.MarshalPKIXPublicKey(f.keys.Active.Signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	f.der, f.pub = der, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	if f.zKeys.Active.KID != f.keys.Enc.KID {
		t.Fatal("realm z's signing kid should be realm x's encryption kid")
	}
	for _, realm := range []string{"x", "y", "z"} {
		res := ts.token(t, realm, form("grant_type", "password", "username", "john", "password", "pw", "scope", "openid"), basic("subject-client", "s"))
		if res.status != 200 {
			t.Fatalf("login at %s: %d %s", realm, res.status, res.body)
		}
		m := res.json(t)
		f.genuine[realm+"/access"], f.genuine[realm+"/refresh"], f.genuine[realm+"/id"] = m["access_token"].(string), m["refresh_token"].(string), m["id_token"].(string)
	}
	return f
}

// base is the genuine token of realm x of the kind a sink takes.
func (f *forger) base(k forgeKind) string {
	return f.genuine["x/"+k.suffix()]
}

// suffix names the kind's genuine tokens: "access", "refresh" or "id".
func (k forgeKind) suffix() string {
	switch k {
	case forgeRefresh:
		return "refresh"
	case forgeID:
		return "id"
	}
	return "access"
}

// split decodes a compact JWS into its header and payload objects and its signature segment.
func (f *forger) split(tok string) (hdr, claims map[string]any, sig string) {
	f.t.Helper()
	p := strings.Split(tok, ".")
	dec := func(s string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			f.t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			f.t.Fatal(err)
		}
		return m
	}
	return dec(p[0]), dec(p[1]), p[2]
}

func forgeB64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func forgeJSON(t testing.TB, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jws assembles header.payload.signature, the signature computed by sign over the first two.
func forgeJWS(hdr, payload []byte, sign func(input []byte) []byte) string {
	input := forgeB64(hdr) + "." + forgeB64(payload)
	return input + "." + forgeB64(sign([]byte(input)))
}

func forgeMAC(h func() hash.Hash, key []byte) func([]byte) []byte {
	return func(in []byte) []byte { m := hmac.New(h, key); m.Write(in); return m.Sum(nil) }
}

func forgeRS256(t testing.TB, k crypto.Signer) func([]byte) []byte {
	return func(in []byte) []byte {
		d := sha256.Sum256(in)
		sig, err := rsa.SignPKCS1v15(nil, k.(*rsa.PrivateKey), crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

// realSigner signs as realm x signs tokens of kind k: RS256 with its key, or HS512 with its
// HMAC secret.
func (f *forger) realSigner(k forgeKind) func([]byte) []byte {
	if k == forgeRefresh {
		return forgeMAC(sha512.New, f.keys.HMAC.Secret)
	}
	return forgeRS256(f.t, f.keys.Active.Signer)
}

// resign re-signs the base token of kind k with the realm's real key after edits: a token
// Keycloak's key did sign, carrying something Keycloak never issues.
func (f *forger) resign(k forgeKind, editHdr, editClaims func(map[string]any)) string {
	hdr, claims, _ := f.split(f.base(k))
	if editHdr != nil {
		editHdr(hdr)
	}
	if editClaims != nil {
		editClaims(claims)
	}
	return forgeJWS(forgeJSON(f.t, hdr), forgeJSON(f.t, claims), f.realSigner(k))
}

// rawResign re-signs raw payload bytes under the base token's header.
func (f *forger) rawResign(k forgeKind, payload string) string {
	hdr, _, _ := f.split(f.base(k))
	return forgeJWS(forgeJSON(f.t, hdr), []byte(payload), f.realSigner(k))
}

// withAlg keeps the base token's claims and kid under a new alg, signed by sign.
func (f *forger) withAlg(k forgeKind, alg string, sign func([]byte) []byte) string {
	hdr, claims, _ := f.split(f.base(k))
	hdr["alg"] = alg
	return forgeJWS(forgeJSON(f.t, hdr), forgeJSON(f.t, claims), sign)
}

// forgery is one row of the corpus.
type forgery struct {
	name string
	make func(f *forger, k forgeKind) string
	// wrongType marks a genuine token of another type; sinks that do not check the type
	// (introspection) do not count these as forgeries.
	wrongType bool
	// refreshDesc is the refresh grant's error_description ("%BASE%" stands for the server's
	// URL); empty means "Invalid refresh token".
	refreshDesc string
	// timing marks an expired or not-yet-valid token; sinks that do not check the times
	// (logout's id_token_hint) do not count these as forgeries.
	timing bool
}

func forgeries() []forgery {
	pick := func(name string) func(*forger, forgeKind) string {
		return func(f *forger, k forgeKind) string { return f.genuine[name+"/"+k.suffix()] }
	}
	return []forgery{
		{name: "alg none, no signature", make: func(f *forger, k forgeKind) string {
			hdr, claims, _ := f.split(f.base(k))
			hdr["alg"] = "none"
			return forgeB64(forgeJSON(f.t, hdr)) + "." + forgeB64(forgeJSON(f.t, claims)) + "."
		}},
		{name: "alg none, signature kept", make: func(f *forger, k forgeKind) string {
			hdr, _, sig := f.split(f.base(k))
			hdr["alg"] = "none"
			p := strings.Split(f.base(k), ".")
			return forgeB64(forgeJSON(f.t, hdr)) + "." + p[1] + "." + sig
		}},
		{name: "HS256 keyed with the RSA public key (PEM)", make: func(f *forger, k forgeKind) string {
			return f.withAlg(k, "HS256", forgeMAC(sha256.New, f.pub))
		}},
		{name: "HS256 keyed with the RSA public key (DER)", make: func(f *forger, k forgeKind) string {
			return f.withAlg(k, "HS256", forgeMAC(sha256.New, f.der))
		}},
		{name: "HS512 keyed with the RSA public key (PEM)", make: func(f *forger, k forgeKind) string {
			return f.withAlg(k, "HS512", forgeMAC(sha512.New, f.pub))
		}},
		{name: "HS512 keyed with the RSA public key (DER)", make: func(f *forger, k forgeKind) string {
			return f.withAlg(k, "HS512", forgeMAC(sha512.New, f.der))
		}},
		{name: "unknown kid, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, func(h map[string]any) { h["kid"] = "unknown-kid" }, nil)
		}},
		{name: "no kid, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, func(h map[string]any) { delete(h, "kid") }, nil)
		}},
		{name: "kid of another realm, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			other := f.zKeys.Active.KID // also the kid of x's encryption key
			if k == forgeRefresh {
				other = f.zKeys.HMAC.KID
			}
			return f.resign(k, func(h map[string]any) { h["kid"] = other }, nil)
		}},
		{name: "realm's kid, signed by another realm's key", make: func(f *forger, k forgeKind) string {
			hdr, claims, _ := f.split(f.base(k))
			sign := forgeRS256(f.t, f.zKeys.Active.Signer)
			if k == forgeRefresh {
				sign = forgeMAC(sha512.New, f.zKeys.HMAC.Secret)
			}
			return forgeJWS(forgeJSON(f.t, hdr), forgeJSON(f.t, claims), sign)
		}},
		{name: "another realm's valid token (other key)", make: pick("z")},
		{name: "another realm's valid token (same key, other issuer)", make: pick("y"), refreshDesc: "Invalid token issuer. Expected '%BASE%/realms/x'"},
		{name: "tampered payload, signature kept", make: func(f *forger, k forgeKind) string {
			_, claims, sig := f.split(f.base(k))
			claims["exp"] = claims["exp"].(float64) + 3600
			p := strings.Split(f.base(k), ".")
			return p[0] + "." + forgeB64(forgeJSON(f.t, claims)) + "." + sig
		}},
		{name: "one payload character changed", make: func(f *forger, k forgeKind) string {
			b := []byte(f.base(k))
			i := strings.IndexByte(string(b), '.') + 10
			b[i] ^= 1
			return string(b)
		}},
		{name: "truncated signature", make: func(f *forger, k forgeKind) string { tok := f.base(k); return tok[:len(tok)-8] }},
		{name: "truncated to two segments", make: func(f *forger, k forgeKind) string {
			tok := f.base(k)
			return tok[:strings.LastIndexByte(tok, '.')]
		}},
		{name: "expired", make: func(f *forger, k forgeKind) string {
			return f.resign(k, nil, func(c map[string]any) { c["exp"] = f.now - 1 })
		}, refreshDesc: "Token is not active", timing: true},
		{name: "not yet valid (nbf in the future)", make: func(f *forger, k forgeKind) string {
			return f.resign(k, nil, func(c map[string]any) { c["nbf"] = f.now + 3600 })
		}, refreshDesc: "Token is not active", timing: true},
		{name: "wrong typ: ID token (access token where an ID token is expected)", make: func(f *forger, k forgeKind) string {
			if k == forgeID {
				return f.genuine["x/access"]
			}
			return f.genuine["x/id"]
		}, wrongType: true},
		{name: "wrong typ: access token as refresh, refresh token as access or ID", make: func(f *forger, k forgeKind) string {
			if k == forgeRefresh {
				return f.genuine["x/access"]
			}
			return f.genuine["x/refresh"]
		}, wrongType: true},
		{name: "wrong typ claim, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, nil, func(c map[string]any) {
				switch k {
				case forgeRefresh, forgeID:
					c["typ"] = "Bearer"
				default:
					c["typ"] = "Refresh"
				}
			})
		}, wrongType: true},
		{name: "JWE (5 segments)", make: func(f *forger, k forgeKind) string {
			hdr := `{"alg":"RSA-OAEP","enc":"A256GCM","kid":"` + f.keys.Enc.KID + `"}`
			return forgeB64([]byte(hdr)) + "." + forgeB64(make([]byte, 256)) + "." + forgeB64(make([]byte, 12)) + "." + strings.Split(f.base(k), ".")[1] + "." + forgeB64(make([]byte, 16))
		}},
		{name: "oversized (> 64 KiB), signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, nil, func(c map[string]any) { c["pad"] = strings.Repeat("A", 64<<10) })
		}},
		{name: "duplicate claims, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			_, claims, _ := f.split(f.base(k))
			b := forgeJSON(f.t, claims)
			dup := `{"azp":"off-client","sub":"someone-else",` + string(b[1:])
			return f.rawResign(k, dup)
		}},
		{name: "non-JSON payload, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.rawResign(k, "not json at all")
		}},
		{name: "JSON array payload, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.rawResign(k, `[{"typ":"Bearer"}]`)
		}},
		{name: "crit header, signed by the realm's key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, func(h map[string]any) { h["crit"] = []string{"exp"} }, nil)
		}},
		{name: "kid with the realm's encryption key", make: func(f *forger, k forgeKind) string {
			return f.resign(k, func(h map[string]any) { h["kid"] = f.keys.Enc.KID; h["alg"] = "RSA-OAEP" }, nil)
		}},
	}
}

// tokenSink is a place where kcmock accepts a token. The genuine token of its kind must be
// accepted there (so that a refusal means something) and every forgery refused.
type tokenSink struct {
	name string
	kind forgeKind
	// typeChecked: the sink refuses a genuine token of another type (introspection does not).
	typeChecked bool
	// timeChecked: the sink refuses an expired or not-yet-valid token (logout's
	// id_token_hint does not: Keycloak checks only its signature, issuer and type).
	timeChecked bool
	send        func(t *testing.T, ts *testServer, tok string) response
	accepted    func(res response) bool
	// refused returns what is wrong with the answer to a forgery, or "".
	refused func(row forgery, res response) string
}

// forgedTokenSinks lists where tokens are accepted. Add a sink here when an endpoint that
// reads a token lands; a sink whose route is not registered yet is skipped.
func forgedTokenSinks(base string) []tokenSink {
	oauthRefusal := func(status int, code, desc string) func(forgery, response) string {
		return func(_ forgery, res response) string { return forgeWantOAuth(res, status, code, desc) }
	}
	return []tokenSink{
		{
			name: "standard exchange subject_token", kind: forgeAccess, typeChecked: true, timeChecked: true,
			send: func(t *testing.T, ts *testServer, tok string) response {
				return ts.token(t, "x", exchangeForm(tok, "audience", "target-1"), basic("requester", "s"))
			},
			accepted: func(res response) bool { return res.status == 200 },
			refused:  oauthRefusal(400, "invalid_request", "Invalid token"),
		},
		{
			name: "refresh_token", kind: forgeRefresh, typeChecked: true, timeChecked: true,
			send: func(t *testing.T, ts *testServer, tok string) response {
				return ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", tok), basic("subject-client", "s"))
			},
			accepted: func(res response) bool { return res.status == 200 },
			refused: func(row forgery, res response) string {
				desc := row.refreshDesc
				if desc == "" {
					desc = "Invalid refresh token"
				}
				return forgeWantOAuth(res, 400, "invalid_grant", strings.ReplaceAll(desc, "%BASE%", base))
			},
		},
		{
			name: "introspection", kind: forgeAccess, timeChecked: true,
			send: func(t *testing.T, ts *testServer, tok string) response {
				return ts.do(t, http.MethodPost, "/realms/x/protocol/openid-connect/token/introspect", form("token", tok), basic("requester", "s"))
			},
			accepted: func(res response) bool {
				return res.status == 200 && strings.Contains(string(res.body), `"active":true`)
			},
			refused: func(_ forgery, res response) string {
				if res.status != 200 || string(res.body) != `{"active":false}` {
					return fmt.Sprintf("got %d %s; want 200 {\"active\":false}", res.status, res.body)
				}
				return ""
			},
		},
		{
			name: "userinfo", kind: forgeAccess, typeChecked: true, timeChecked: true,
			send: func(t *testing.T, ts *testServer, tok string) response {
				return ts.do(t, http.MethodGet, "/realms/x/protocol/openid-connect/userinfo", nil, map[string]string{"Authorization": "Bearer " + tok})
			},
			accepted: func(res response) bool { return res.status == 200 },
			refused: func(_ forgery, res response) string {
				if res.status != 401 || !strings.Contains(res.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
					return fmt.Sprintf("got %d, WWW-Authenticate %q; want 401 invalid_token", res.status, res.header.Get("WWW-Authenticate"))
				}
				return ""
			},
		},
		{
			name: "logout id_token_hint", kind: forgeID, typeChecked: true,
			send: func(t *testing.T, ts *testServer, tok string) response {
				return ts.do(t, http.MethodGet, "/realms/x/protocol/openid-connect/logout?id_token_hint="+url.QueryEscape(tok), nil, nil)
			},
			accepted: func(res response) bool { return res.status == 200 },
			refused: func(_ forgery, res response) string {
				if res.status != 400 || !strings.Contains(string(res.body), `<p id="kc-error-message" class="instruction">Invalid parameter: id_token_hint</p>`) {
					return fmt.Sprintf("got %d %.300s; want 400 and the page \"Invalid parameter: id_token_hint\"", res.status, res.body)
				}
				return ""
			},
		},
	}
}

func forgeWantOAuth(res response, status int, code, desc string) string {
	var m struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	_ = json.Unmarshal(res.body, &m)
	if res.status != status || m.Error != code || (desc != "" && m.ErrorDescription != desc) {
		return fmt.Sprintf("got %d %s; want %d %s %q", res.status, res.body, status, code, desc)
	}
	return ""
}

// TestForgedTokensRefused presents every forgery of the corpus wherever kcmock accepts a token.
func TestForgedTokensRefused(t *testing.T) {
	ts := newForgeServer(t)
	f := newForger(t, ts)
	for _, sink := range forgedTokenSinks(ts.http.URL) {
		t.Run(sink.name, func(t *testing.T) {
			genuine := sink.send(t, ts, f.base(sink.kind))
			if genuine.status == http.StatusNotFound || genuine.status == http.StatusMethodNotAllowed {
				t.Skipf("endpoint not routed yet (%d)", genuine.status)
			}
			if !sink.accepted(genuine) {
				t.Fatalf("the genuine token is refused: %d %s", genuine.status, genuine.body)
			}
			for _, row := range forgeries() {
				t.Run(row.name, func(t *testing.T) {
					if row.wrongType && !sink.typeChecked {
						t.Skip("this sink does not check the token type, as in Keycloak")
					}
					fr := *f
					fr.t = t // forging failures belong to this row
					tok := row.make(&fr, sink.kind)
					if tok == f.base(sink.kind) {
						t.Fatal("the forgery is the genuine token")
					}
					res := sink.send(t, ts, tok)
					if row.timing && !sink.timeChecked {
						// Keycloak reads an id_token_hint with its signature checked but not its
						// times (TokenManager.verifyIDTokenSignature): an expired hint still works.
						if !sink.accepted(res) {
							t.Errorf("a genuine but expired or not-yet-valid token is refused here, unlike Keycloak: %d %.300s", res.status, res.body)
						}
						return
					}
					if msg := sink.refused(row, res); msg != "" {
						t.Error(msg)
					}
				})
			}
		})
	}
}
