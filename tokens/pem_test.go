package tokens

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"testing"
)

// pemVariants re-encodes the fixed test keys in every supported container.
func pemVariants(t *testing.T) map[string][]byte {
	t.Helper()
	rsaPKCS1 := readTestdata(t, "rsa2048.pem")
	ecSEC1 := readTestdata(t, "p256.pem")
	edPKCS8 := readTestdata(t, "ed25519.pem")
	rsaKey, err := x509.ParsePKCS1PrivateKey(mustPEM(t, rsaPKCS1))
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := x509.ParseECPrivateKey(mustPEM(t, ecSEC1))
	if err != nil {
		t.Fatal(err)
	}
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	return map[string][]byte{
		"rsa pkcs1": rsaPKCS1, "rsa pkcs8": pkcs8(rsaKey),
		"ec sec1": ecSEC1, "ec pkcs8": pkcs8(ecKey),
		"ed25519 pkcs8":   edPKCS8,
		"rsa bare base64": []byte(base64.StdEncoding.EncodeToString(mustPEM(t, rsaPKCS1))),
	}
}

func mustPEM(t *testing.T, b []byte) []byte {
	t.Helper()
	block, _ := pem.Decode(b)
	if block == nil {
		t.Fatal("no PEM block")
	}
	return block.Bytes
}

func TestParseKey(t *testing.T) {
	keys := pemVariants(t)
	rsaKey := testKey(t, "rsa2048.pem", "RS256")
	otherKey := testKey(t, "rsa2048-other.pem", "RS256")
	certPEM := func(k *Key) []byte { return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.CertDER}) }
	tests := []struct {
		name, key, alg, use string
		cert                []byte
		wantErr             bool
	}{
		{name: "PKCS#1 RSA", key: "rsa pkcs1", alg: "RS256", use: UseSig},
		{name: "PKCS#8 RSA", key: "rsa pkcs8", alg: "PS512", use: UseSig},
		{name: "bare base64 RSA", key: "rsa bare base64", alg: "RS384", use: UseSig},
		{name: "RSA for encryption", key: "rsa pkcs1", alg: "RSA-OAEP", use: UseEnc},
		{name: "SEC1 EC", key: "ec sec1", alg: "ES256", use: UseSig},
		{name: "PKCS#8 EC", key: "ec pkcs8", alg: "ES256", use: UseSig},
		{name: "PKCS#8 Ed25519", key: "ed25519 pkcs8", alg: "EdDSA", use: UseSig},
		{name: "with its certificate", key: "rsa pkcs1", alg: "RS256", use: UseSig, cert: certPEM(rsaKey)},
		{name: "EC key for RS256", key: "ec sec1", alg: "RS256", use: UseSig, wantErr: true},
		{name: "P-256 key for ES384", key: "ec pkcs8", alg: "ES384", use: UseSig, wantErr: true},
		{name: "RSA key for ES256", key: "rsa pkcs1", alg: "ES256", use: UseSig, wantErr: true},
		{name: "RSA key for EdDSA", key: "rsa pkcs8", alg: "EdDSA", use: UseSig, wantErr: true},
		{name: "Ed25519 key for RS256", key: "ed25519 pkcs8", alg: "RS256", use: UseSig, wantErr: true},
		{name: "unknown alg", key: "rsa pkcs1", alg: "RS1", use: UseSig, wantErr: true},
		{name: "sig alg as enc", key: "rsa pkcs1", alg: "RS256", use: UseEnc, wantErr: true},
		{name: "certificate of another key", key: "rsa pkcs1", alg: "RS256", use: UseSig, cert: certPEM(otherKey), wantErr: true},
		{name: "garbage certificate", key: "rsa pkcs1", alg: "RS256", use: UseSig, cert: []byte("not a cert"), wantErr: true},
		{name: "garbage key", key: "missing", alg: "RS256", use: UseSig, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKey(tt.alg, tt.use, "myrealm", keys[tt.key], tt.cert, testNow)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got nil error; want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k.Alg != tt.alg || k.Use != tt.use {
				t.Errorf("Alg, Use = %q, %q; want %q, %q", k.Alg, k.Use, tt.alg, tt.use)
			}
			if tt.cert != nil && !bytes.Equal(k.CertDER, mustPEM(t, tt.cert)) {
				t.Error("the given certificate was not kept")
			}
			checkCert(t, k)
			if _, err := k.Sign([]byte(`{}`)); err != nil && tt.use == UseSig {
				t.Errorf("Sign: %v", err)
			}
		})
	}
}
