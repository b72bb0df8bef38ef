//go:build openssl && cgo

package tokens

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"runtime"
	"sync"
	"testing"
	"time"
	"weak"
)

// goToken is the JWS that Go's crypto/rsa signs for k and payload: what the default build
// returns, built here without Key.Sign.
func goToken(t testing.TB, k *Key, payload []byte) string {
	t.Helper()
	spec, _ := lookupAlg(k.Alg)
	input := k.header() + "." + base64.RawURLEncoding.EncodeToString(payload)
	d, n := digest(spec.hash, []byte(input))
	sig, err := rsa.SignPKCS1v15(nil, k.Signer.(*rsa.PrivateKey), spec.hash, d[:n])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestOpenSSLSignerIsBuiltIn(t *testing.T) {
	if nativeSigner != "openssl" {
		t.Fatalf("nativeSigner = %q; want %q under -tags openssl", nativeSigner, "openssl")
	}
}

// RSASSA-PKCS1-v1_5 is deterministic (RFC 8017 §8.2.1), so OpenSSL's token must be Go's, byte
// for byte: header, payload and signature.
func TestOpenSSLSignEqualsGo(t *testing.T) {
	payload := []byte(`{"exp":1756721100,"iat":1756720800,"jti":"e1","iss":"http://localhost:8080/realms/demo","sub":"alice"}`)
	derived, err := DeriveKey("RS256", UseSig, "demo", []byte("openssl"), testNow)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]*Key{
		"rsa2048.pem":       testKey(t, "rsa2048.pem", "RS256"),
		"rsa2048-other.pem": testKey(t, "rsa2048-other.pem", "RS256"),
		"derived":           derived, // d = e⁻¹ mod λ(n), not mod φ(n): the signature is the same
	}
	for name, k := range keys {
		for _, alg := range []string{"RS256", "RS384", "RS512"} {
			c := *k
			c.Alg = alg
			got, err := c.Sign(payload)
			if err != nil {
				t.Fatalf("%s %s: %v", name, alg, err)
			}
			if want := goToken(t, &c, payload); got != want {
				t.Errorf("%s %s: got %q; want %q", name, alg, got, want)
			}
		}
	}
}

// PSS is randomized, so OpenSSL's PS* signatures are checked by Go's verifier with the salt
// length RFC 7518 §3.5 fixes (as long as the hash), and must differ from one call to the next.
func TestOpenSSLSignPSSVerifiesInGo(t *testing.T) {
	k := testKey(t, "rsa2048.pem", "PS256")
	payload := []byte(`{"sub":"alice"}`)
	for _, alg := range []string{"PS256", "PS384", "PS512"} {
		c := *k
		c.Alg = alg
		spec, _ := lookupAlg(alg)
		var sigs [2][]byte
		for i := range sigs {
			tok, err := c.Sign(payload)
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			sigs[i] = segment(t, tok, 2)
			input := tok[:len(tok)-len(base64.RawURLEncoding.EncodeToString(sigs[i]))-1]
			d, n := digest(spec.hash, []byte(input))
			opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: spec.hash}
			if err := rsa.VerifyPSS(&k.Signer.(*rsa.PrivateKey).PublicKey, spec.hash, d[:n], sigs[i], opts); err != nil {
				t.Errorf("%s: Go does not verify OpenSSL's signature: %v", alg, err)
			}
		}
		if string(sigs[0]) == string(sigs[1]) {
			t.Errorf("%s: two signatures are equal; PSS salts should be random", alg)
		}
	}
}

// Tokens signed by OpenSSL pass the package's own verification, as every incoming token does.
func TestOpenSSLSignVerifies(t *testing.T) {
	k := testKey(t, "rsa2048.pem", "RS256")
	tok, err := k.Sign(readTestdata(t, "keycloak/access-token-password.claims.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&KeySet{Active: k}).VerifyAccess(tok); err != nil {
		t.Fatalf("VerifyAccess: %v", err)
	}
}

// One EVP_PKEY serves every goroutine: run with -race, the first signatures race to convert it.
func TestOpenSSLSignConcurrent(t *testing.T) {
	k := testKey(t, "rsa2048.pem", "RS256")
	const goroutines, each = 8, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*each)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				payload := []byte(`{"g":` + string(rune('0'+g)) + `,"i":"` + string(rune('a'+i)) + `"}`)
				got, err := k.Sign(payload)
				if err != nil {
					errs <- err.Error()
					continue
				}
				if want := goToken(t, k, payload); got != want {
					errs <- "got " + got + "; want " + want
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// The EVP_PKEY is freed once its Go key is unreachable: rotated keys do not accumulate.
func TestOpenSSLKeyFreedWithGoKey(t *testing.T) {
	wp := func() weak.Pointer[rsa.PrivateKey] {
		k := testKey(t, "rsa2048-other.pem", "RS256")
		if _, err := k.Sign([]byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		priv := k.Signer.(*rsa.PrivateKey)
		wp := weak.Make(priv)
		if _, ok := osslKeys.Load(wp); !ok {
			t.Fatal("no cached EVP_PKEY after signing")
		}
		return wp
	}()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		if _, ok := osslKeys.Load(wp); !ok {
			return
		}
	}
	t.Fatal("the EVP_PKEY of an unreachable key is still cached after 10 s")
}

// A signer that is not an *rsa.PrivateKey, or an alg that is not RS*/PS*, is left to Go.
func TestOpenSSLDeclinesOthers(t *testing.T) {
	priv := testKey(t, "rsa2048.pem", "RS256").Signer.(*rsa.PrivateKey)
	for _, alg := range []string{"ES256", "EdDSA", "RSA-OAEP"} {
		spec, _ := lookupAlg(alg)
		if _, ok, _ := signRSANative(priv, spec, []byte("x")); ok {
			t.Errorf("signRSANative took %s", alg)
		}
	}
	es := testKey(t, "p256.pem", "ES256")
	tok, err := es.Sign([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(segment(t, tok, 2)); got != 64 {
		t.Errorf("ES256 signature of %d bytes; want 64", got)
	}
}

// BenchmarkOpenSSLSignRS256 is BenchmarkSignRS256's work done by OpenSSL: one RSA-2048
// PKCS#1 v1.5 signature over a token-sized signing input (OpenSSL hashes it; a SHA-256 of
// 1.2 kB costs about a microsecond).
func BenchmarkOpenSSLSignRS256(b *testing.B) {
	k := testKey(b, "rsa2048.pem", "RS256")
	priv := k.Signer.(*rsa.PrivateKey)
	spec, _ := lookupAlg("RS256")
	input := []byte(k.header() + "." + base64.RawURLEncoding.EncodeToString(benchPayload(b)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := signRSANative(priv, spec, input); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkOpenSSLSignRS256Parallel is the same on every core, against
// BenchmarkGoSignRS256Parallel: the signing ceiling of a token endpoint in either build.
func BenchmarkOpenSSLSignRS256Parallel(b *testing.B) {
	k := testKey(b, "rsa2048.pem", "RS256")
	priv := k.Signer.(*rsa.PrivateKey)
	spec, _ := lookupAlg("RS256")
	input := []byte(k.header() + "." + base64.RawURLEncoding.EncodeToString(benchPayload(b)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := signRSANative(priv, spec, input); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

func BenchmarkGoSignRS256Parallel(b *testing.B) {
	priv := testKey(b, "rsa2048.pem", "RS256").Signer.(*rsa.PrivateKey)
	d := sha256.Sum256(benchPayload(b))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:]); err != nil {
				b.Error(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
