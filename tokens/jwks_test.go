package tokens

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// exampleKeySet rebuilds the example realm's public keys (no private halves) from jwks.json.
func exampleKeySet(t *testing.T) *KeySet {
	t.Helper()
	var ks KeySet
	for _, j := range exampleJWKs(t) {
		cert, err := base64.StdEncoding.DecodeString(j.X5c[0])
		if err != nil {
			t.Fatal(err)
		}
		k := &Key{KID: j.KID, Alg: j.Alg, Use: j.Use, Public: j.pub, CertDER: cert}
		if j.Use == UseEnc {
			ks.Enc = k
		} else {
			ks.Active = k
		}
	}
	return &ks
}

func TestJWKSReproducesKeycloakExample(t *testing.T) {
	var want bytes.Buffer
	if err := json.Compact(&want, readTestdata(t, "keycloak/jwks.json")); err != nil {
		t.Fatal(err)
	}
	got, err := exampleKeySet(t).JWKS()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want.String() {
		t.Errorf("got  %s\nwant %s", got, want.String())
	}
}

func TestPublicKeyBase64(t *testing.T) {
	var info struct {
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(readTestdata(t, "keycloak/realm-info.json"), &info); err != nil {
		t.Fatal(err)
	}
	got, err := exampleKeySet(t).PublicKeyBase64()
	if err != nil {
		t.Fatal(err)
	}
	if got != info.PublicKey {
		t.Errorf("got %q; want %q", got, info.PublicKey)
	}
	if _, err := (&KeySet{}).PublicKeyBase64(); err == nil {
		t.Error("empty key set: got nil error; want an error")
	}
}

func TestJWKSParsesWithGoJose(t *testing.T) {
	es384, err := GenerateKey("ES384", UseSig, "myrealm", nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	es512, err := GenerateKey("ES512", UseSig, "myrealm", nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := ParseKey("RSA-OAEP", UseEnc, "myrealm", readTestdata(t, "rsa2048-other.pem"), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		k      *Key
		prefix string // Keycloak's member order up to the key material
	}{
		{"RSA", testKey(t, "rsa2048.pem", "RS256"), `{"kid":"%s","kty":"RSA","alg":"RS256","use":"sig","n":"`},
		{"RSA PSS", testKey(t, "rsa2048.pem", "PS384"), `{"kid":"%s","kty":"RSA","alg":"PS384","use":"sig","n":"`},
		{"RSA enc", enc, `{"kid":"%s","kty":"RSA","alg":"RSA-OAEP","use":"enc","n":"`},
		{"P-256", testKey(t, "p256.pem", "ES256"), `{"kid":"%s","kty":"EC","alg":"ES256","use":"sig","crv":"P-256","x":"`},
		{"P-384", es384, `{"kid":"%s","kty":"EC","alg":"ES384","use":"sig","crv":"P-384","x":"`},
		{"P-521", es512, `{"kid":"%s","kty":"EC","alg":"ES512","use":"sig","crv":"P-521","x":"`},
		{"Ed25519", testKey(t, "ed25519.pem", "EdDSA"), `{"kid":"%s","kty":"OKP","alg":"EdDSA","use":"sig","crv":"Ed25519","x":"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := (&KeySet{Active: tt.k}).JWKS()
			if err != nil {
				t.Fatal(err)
			}
			wantPrefix := `{"keys":[` + strings.Replace(tt.prefix, "%s", tt.k.KID, 1)
			if !strings.HasPrefix(string(doc), wantPrefix) {
				t.Errorf("got %q; want prefix %q", doc, wantPrefix)
			}
			if wantTail := `","x5c":["`; !strings.Contains(string(doc), wantTail) {
				t.Errorf("got %q; want key material followed by %q", doc, wantTail)
			}
			if !strings.HasSuffix(string(doc), `"x5t#S256":"`+x5tS256(tt.k)+`"}]}`) {
				t.Errorf("got %q; want x5t#S256 last", doc)
			}
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(doc, &set); err != nil {
				t.Fatalf("go-jose: %v", err)
			}
			if len(set.Keys) != 1 {
				t.Fatalf("go-jose parsed %d keys; want 1", len(set.Keys))
			}
			got := set.Keys[0]
			if got.KeyID != tt.k.KID || got.Algorithm != tt.k.Alg || got.Use != tt.k.Use {
				t.Errorf("kid, alg, use = %q, %q, %q; want %q, %q, %q", got.KeyID, got.Algorithm, got.Use, tt.k.KID, tt.k.Alg, tt.k.Use)
			}
			if !tt.k.Public.(interface{ Equal(crypto.PublicKey) bool }).Equal(got.Key) {
				t.Errorf("go-jose key %T differs from the public key", got.Key)
			}
			if len(got.Certificates) != 1 || !bytes.Equal(got.Certificates[0].Raw, tt.k.CertDER) {
				t.Error("x5c does not hold the certificate")
			}
		})
	}
}

func x5tS256(k *Key) string {
	sum := sha256.Sum256(k.CertDER)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func TestJWKSOrder(t *testing.T) {
	rsaKey := testKey(t, "rsa2048.pem", "RS256")
	other := testKey(t, "rsa2048-other.pem", "RS256")
	ec := testKey(t, "p256.pem", "ES256")
	enc, err := ParseKey("RSA-OAEP", UseEnc, "myrealm", readTestdata(t, "rsa2048-other.pem"), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ks := &KeySet{Active: ec, Others: []*Key{rsaKey, other}, Enc: enc, HMAC: testHMAC(t)}
	doc, err := ks.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []struct{ Kid, Use string } }
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, k := range set.Keys {
		got = append(got, k.Kid+"/"+k.Use)
	}
	want := []string{ec.KID + "/sig", rsaKey.KID + "/sig", other.KID + "/sig", enc.KID + "/enc"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q; want %q", got, want)
	}
	if strings.Contains(string(doc), ks.HMAC.KID) {
		t.Error("the HMAC key is published")
	}
}
