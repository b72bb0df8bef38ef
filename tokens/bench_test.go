package tokens

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// benchClaims is a typical password-grant access token (the Keycloak example) with a few more
// mapper claims, about 900 bytes of JSON.
func benchClaims(b *testing.B) *Claims {
	b.Helper()
	c := claimsFromJSON(b, readTestdata(b, "keycloak/access-token-password.claims.json"))
	c.AllowedOrigins = append(c.AllowedOrigins, "https://app.example.com", "https://admin.example.com")
	c.RealmAccess.Roles = append(c.RealmAccess.Roles, "app-user", "app-admin", "reporting")
	c.Other = append(c.Other, Claim{"locale", "en"}, Claim{"zoneinfo", "Europe/Paris"},
		Claim{"picture", "https://cdn.example.com/u/alice.png"}, Claim{"groups", []string{"/staff", "/staff/engineering"}})
	return &c
}

func benchPayload(b *testing.B) []byte {
	b.Helper()
	p, err := benchClaims(b).AppendJSON(nil)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkSignRS256 is the ceiling: the raw RSA-2048 PKCS#1 v1.5 signature of a SHA-256 digest.
func BenchmarkSignRS256(b *testing.B) {
	k := testKey(b, "rsa2048.pem", "RS256")
	priv := k.Signer.(*rsa.PrivateKey)
	digest := sha256.Sum256(benchPayload(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, digest[:]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkKeySignRS256 is a whole token: header, base64, hash, signature.
func BenchmarkKeySignRS256(b *testing.B) {
	k := testKey(b, "rsa2048.pem", "RS256")
	payload := benchPayload(b)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkSignES256(b *testing.B) {
	k := testKey(b, "p256.pem", "ES256")
	payload := benchPayload(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Sign(payload); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkClaimsAppendJSON(b *testing.B) {
	c := benchClaims(b)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = c.AppendJSON(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyAccessRS256(b *testing.B) {
	k := testKey(b, "rsa2048.pem", "RS256")
	ks := &KeySet{Active: k}
	tok, err := k.Sign(benchPayload(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ks.VerifyAccess(tok); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
