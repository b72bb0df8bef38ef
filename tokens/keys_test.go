package tokens

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"regexp"
	"strings"
	"testing"
)

func TestKeyIDOfExampleRealm(t *testing.T) {
	var info struct {
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(readTestdata(t, "keycloak/realm-info.json"), &info); err != nil {
		t.Fatal(err)
	}
	der, err := base64.StdEncoding.DecodeString(info.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatal(err)
	}
	got, err := KeyID(pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NBkOEuIdDur706bbJOW5sOVeZLzYCztza1QW5_8s9P4"; got != want {
		t.Errorf("KeyID = %q; want %q", got, want)
	}
}

// TestKeyIDOfExampleJWKS derives the kid of both example JWKS keys (sig and enc) from n and e.
func TestKeyIDOfExampleJWKS(t *testing.T) {
	for _, jwk := range exampleJWKs(t) {
		got, err := KeyID(jwk.pub)
		if err != nil {
			t.Fatal(err)
		}
		if got != jwk.KID {
			t.Errorf("KeyID = %q; want %q", got, jwk.KID)
		}
	}
}

type exampleJWK struct {
	KID, Alg, Use, N, E string
	X5c                 []string
	pub                 *rsa.PublicKey
}

func exampleJWKs(t *testing.T) []exampleJWK {
	t.Helper()
	var set struct{ Keys []exampleJWK }
	if err := json.Unmarshal(readTestdata(t, "keycloak/jwks.json"), &set); err != nil {
		t.Fatal(err)
	}
	for i, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		set.Keys[i].pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	return set.Keys
}

func TestGenerateKey(t *testing.T) {
	tests := []struct {
		alg, use string
		check    func(any) bool
	}{
		{"RS256", UseSig, isRSA2048}, {"RS384", UseSig, isRSA2048}, {"RS512", UseSig, isRSA2048},
		{"PS256", UseSig, isRSA2048}, {"PS384", UseSig, isRSA2048}, {"PS512", UseSig, isRSA2048},
		{"RSA-OAEP", UseEnc, isRSA2048},
		{"ES256", UseSig, isCurve(elliptic.P256())},
		{"ES384", UseSig, isCurve(elliptic.P384())},
		{"ES512", UseSig, isCurve(elliptic.P521())},
		{"EdDSA", UseSig, func(k any) bool { _, ok := k.(ed25519.PrivateKey); return ok }},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			t.Parallel()
			k, err := GenerateKey(tt.alg, tt.use, "myrealm", nil, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(k.Signer) {
				t.Errorf("Signer is %T; wrong type or size for %s", k.Signer, tt.alg)
			}
			if kid, _ := KeyID(k.Public); k.KID != kid || len(kid) != 43 {
				t.Errorf("KID = %q; want %q (43 chars)", k.KID, kid)
			}
			if k.Alg != tt.alg || k.Use != tt.use {
				t.Errorf("Alg, Use = %q, %q; want %q, %q", k.Alg, k.Use, tt.alg, tt.use)
			}
			checkCert(t, k)
		})
	}
}

func isRSA2048(k any) bool { r, ok := k.(*rsa.PrivateKey); return ok && r.N.BitLen() == 2048 }

func isCurve(c elliptic.Curve) func(any) bool {
	return func(k any) bool { e, ok := k.(*ecdsa.PrivateKey); return ok && e.Curve == c }
}

// checkCert checks Keycloak's certificate shape: v1, CN=<realm> both sides, serial = ms of
// creation, ten years from now, self-signed by the key itself.
func checkCert(t *testing.T, k *Key) {
	t.Helper()
	cert, err := x509.ParseCertificate(k.CertDER)
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	if cert.Version != 1 {
		t.Errorf("cert version %d; want 1", cert.Version)
	}
	if got := cert.Subject.String(); got != "CN=myrealm" || cert.Issuer.String() != got {
		t.Errorf("subject %q issuer %q; want %q", got, cert.Issuer.String(), "CN=myrealm")
	}
	if cert.SerialNumber.Int64() != testNow.UnixMilli() {
		t.Errorf("serial %v; want %d", cert.SerialNumber, testNow.UnixMilli())
	}
	if !cert.NotBefore.Equal(testNow) || !cert.NotAfter.Equal(testNow.AddDate(10, 0, 0)) {
		t.Errorf("validity %v..%v; want %v..%v", cert.NotBefore, cert.NotAfter, testNow, testNow.AddDate(10, 0, 0))
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("self-signature: %v", err)
	}
	if eq := k.Public.(interface{ Equal(x crypto.PublicKey) bool }); !eq.Equal(cert.PublicKey) {
		t.Error("certificate public key differs from the key")
	}
	if _, isRSA := k.Signer.(*rsa.PrivateKey); isRSA && cert.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("signature algorithm %v; want SHA256-RSA", cert.SignatureAlgorithm)
	}
	// BouncyCastle writes the CN as UTF8String (tag 12), like Keycloak's "MBIxEDAOBgNVBAMMB215cmVhbG0".
	if !bytes.Contains(cert.RawSubject, []byte{0x0c, 0x07, 'm', 'y', 'r', 'e', 'a', 'l', 'm'}) {
		t.Errorf("subject %x does not hold CN as UTF8String", cert.RawSubject)
	}
}

func TestCertificateDeterministic(t *testing.T) {
	for _, alg := range []string{"RS256", "EdDSA"} {
		a, b := testKey(t, pemFor(alg), alg), testKey(t, pemFor(alg), alg)
		if !bytes.Equal(a.CertDER, b.CertDER) {
			t.Errorf("%s: two certificates from the same key, realm and time differ", alg)
		}
	}
}

func TestCertificateLongRealmName(t *testing.T) {
	k, err := ParseKey("EdDSA", UseSig, strings.Repeat("r", 70), readTestdata(t, "ed25519.pem"), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(k.CertDER)
	if err != nil {
		t.Fatal(err)
	}
	if got := cert.Subject.CommonName; got != strings.Repeat("r", 64) {
		t.Errorf("CN = %q; want 64 characters", got)
	}
}

func TestGenerateHMACKey(t *testing.T) {
	a, b := testHMAC(t), testHMAC(t)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(a.KID) {
		t.Errorf("KID = %q; want a UUID", a.KID)
	}
	if len(a.Secret) != 64 {
		t.Errorf("secret is %d bytes; want 64", len(a.Secret))
	}
	if a.KID != b.KID || !bytes.Equal(a.Secret, b.Secret) {
		t.Error("same random input gave different keys")
	}
	if _, err := GenerateHMACKey(strings.NewReader("short")); err == nil {
		t.Error("got nil error from a short random source; want an error")
	}
}

func TestGenerateKeyErrors(t *testing.T) {
	tests := []struct{ alg, use string }{
		{"HS256", UseSig}, {"none", UseSig}, {"RS256", UseEnc}, {"RSA-OAEP", UseSig}, {"ES256", ""},
	}
	for _, tt := range tests {
		if _, err := GenerateKey(tt.alg, tt.use, "r", nil, testNow); err == nil {
			t.Errorf("GenerateKey(%q, %q): got nil error; want an error", tt.alg, tt.use)
		}
	}
}

func TestSupportedAlgorithms(t *testing.T) {
	got := SupportedAlgorithms()
	got[0] = "changed"
	if SupportedAlgorithms()[0] != "RS256" {
		t.Error("SupportedAlgorithms shares its slice between calls")
	}
	for _, alg := range SupportedAlgorithms() {
		if spec, ok := lookupAlg(alg); !ok || spec.kind == kindRSAEnc {
			t.Errorf("%s is listed but cannot sign", alg)
		}
	}
}
