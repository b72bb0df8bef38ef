package tokens

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"testing"
	"time"
)

var deriveNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// TestDeriveKeyDeterministic derives every algorithm twice from one seed and once from
// another: same seed, same key, kid, certificate and token; other seed, other key.
func TestDeriveKeyDeterministic(t *testing.T) {
	algs := append(SupportedAlgorithms(), "RSA-OAEP")
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			use := UseSig
			if alg == "RSA-OAEP" {
				use = UseEnc
			}
			a, err := DeriveKey(alg, use, "demo", []byte("seed-1"), deriveNow)
			if err != nil {
				t.Fatal(err)
			}
			b, err := DeriveKey(alg, use, "demo", []byte("seed-1"), deriveNow)
			if err != nil {
				t.Fatal(err)
			}
			if a.KID != b.KID || !bytes.Equal(a.CertDER, b.CertDER) {
				t.Errorf("same seed: kid %q vs %q, certificates equal: %v", a.KID, b.KID, bytes.Equal(a.CertDER, b.CertDER))
			}
			cert, err := x509.ParseCertificate(a.CertDER)
			if err != nil {
				t.Fatalf("certificate: %v", err)
			}
			if err := cert.CheckSignatureFrom(cert); err != nil {
				t.Errorf("self-signature: %v", err)
			}
			for _, other := range []struct{ realm, seed string }{{"demo", "seed-2"}, {"shop", "seed-1"}} {
				c, err := DeriveKey(alg, use, other.realm, []byte(other.seed), deriveNow)
				if err != nil {
					t.Fatal(err)
				}
				if c.KID == a.KID {
					t.Errorf("realm %q, seed %q: same kid %q as realm demo, seed-1", other.realm, other.seed, c.KID)
				}
			}
			if use == UseEnc {
				return
			}
			payload := []byte(`{"sub":"alice"}`)
			ta, err := a.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			tb, err := b.Sign(payload)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := (&KeySet{Active: b}).VerifyAccess(ta); err != nil {
				t.Errorf("verify: %v", err)
			}
			// PSS draws a fresh salt on every signature (Go 1.26 ignores any reader given to
			// rsa.SignPSS), so only PS* tokens differ between runs.
			if same := ta == tb; same != (alg[:2] != "PS") {
				t.Errorf("tokens equal: %v, want %v:\n%s\n%s", same, !same, ta, tb)
			}
		})
	}
}

func TestDeriveKeyShapes(t *testing.T) {
	k, err := DeriveKey("RS256", UseSig, "demo", []byte{1}, deriveNow)
	if err != nil {
		t.Fatal(err)
	}
	rk := k.Signer.(*rsa.PrivateKey)
	if got := rk.N.BitLen(); got != 2048 {
		t.Errorf("modulus: %d bits; want 2048", got)
	}
	if rk.E != 65537 {
		t.Errorf("e = %d; want 65537", rk.E)
	}
	if err := rk.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if _, err := x509.ParsePKCS8PrivateKey(mustPKCS8(t, rk)); err != nil {
		t.Errorf("PKCS#8 round trip: %v", err)
	}
	for _, alg := range []string{"ES256", "ES384", "ES512"} {
		k, err := DeriveKey(alg, UseSig, "demo", []byte{1}, deriveNow)
		if err != nil {
			t.Fatal(err)
		}
		ek := k.Signer.(*ecdsa.PrivateKey)
		if ek.Curve != mustSpec(t, alg).curve {
			t.Errorf("%s: curve %s", alg, ek.Curve.Params().Name)
		}
	}
	ed, err := DeriveKey("EdDSA", UseSig, "demo", []byte{1}, deriveNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ed.Signer.(ed25519.PrivateKey); !ok {
		t.Errorf("EdDSA signer is %T", ed.Signer)
	}
	if _, err := DeriveKey("HS256", UseSig, "demo", []byte{1}, deriveNow); err == nil {
		t.Error("HS256: no error")
	}
	if _, err := DeriveKey("RSA-OAEP", UseSig, "demo", []byte{1}, deriveNow); err == nil {
		t.Error("RSA-OAEP for sig: no error")
	}
}

func TestDeriveHMACKey(t *testing.T) {
	a, err := DeriveHMACKey("demo", []byte("s"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DeriveHMACKey("demo", []byte("s"))
	c, _ := DeriveHMACKey("demo", []byte("t"))
	if a.KID != b.KID || !bytes.Equal(a.Secret, b.Secret) {
		t.Errorf("same seed: %q/%x vs %q/%x", a.KID, a.Secret, b.KID, b.Secret)
	}
	if a.KID == c.KID || bytes.Equal(a.Secret, c.Secret) {
		t.Error("other seed: same key")
	}
	if len(a.Secret) != 64 || len(a.KID) != 36 {
		t.Errorf("secret %d bytes, kid %q", len(a.Secret), a.KID)
	}
}

// TestKeySeedSeparatesFields checks that moving bytes between fields changes the seed.
func TestKeySeedSeparatesFields(t *testing.T) {
	if keySeed([]byte("ab"), "c", "RS256", "sig") == keySeed([]byte("a"), "bc", "RS256", "sig") {
		t.Error("seed/realm boundary is ambiguous")
	}
}

func mustPKCS8(t *testing.T, k *rsa.PrivateKey) []byte {
	t.Helper()
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSpec(t *testing.T, alg string) algSpec {
	t.Helper()
	s, ok := lookupAlg(alg)
	if !ok {
		t.Fatalf("no spec for %s", alg)
	}
	return s
}

// BenchmarkDeriveRSA measures one RSA-2048 derivation (two 1024-bit prime searches).
func BenchmarkDeriveRSA(b *testing.B) {
	seed := []byte{0}
	for b.Loop() {
		seed[0]++
		if _, err := DeriveKey("RS256", UseSig, "bench", seed, deriveNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateRSA is Go's own RSA-2048 generation, for comparison.
func BenchmarkGenerateRSA(b *testing.B) {
	for b.Loop() {
		if _, err := GenerateKey("RS256", UseSig, "bench", nil, deriveNow); err != nil {
			b.Fatal(err)
		}
	}
}
