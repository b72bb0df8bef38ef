package tokens

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testNow is the fixed clock of every test: 2025-09-01T10:00:00Z, the time of the examples.
var testNow = time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testKey parses one of the fixed PEM keys in testdata for alg.
func testKey(t testing.TB, file, alg string) *Key {
	t.Helper()
	k, err := ParseKey(alg, UseSig, "myrealm", readTestdata(t, file), nil, testNow)
	if err != nil {
		t.Fatalf("ParseKey(%s, %s): %v", file, alg, err)
	}
	return k
}

// pemFor names the fixed test key file that fits alg.
func pemFor(alg string) string {
	switch {
	case strings.HasPrefix(alg, "ES"):
		return "p256.pem"
	case alg == "EdDSA":
		return "ed25519.pem"
	}
	return "rsa2048.pem"
}

func testHMAC(t testing.TB) *HMACKey {
	t.Helper()
	h, err := GenerateHMACKey(strings.NewReader(strings.Repeat("kcmock-test-hmac-", 8)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// tokenResponse reads one of the example token responses.
func tokenResponse(t testing.TB, name string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readTestdata(t, filepath.Join("keycloak", name)), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// segment returns the decoded i-th segment of a compact JWS.
func segment(t testing.TB, token string, i int) []byte {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d segments", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// claimsFromJSON builds Claims from a Keycloak payload, keeping the document order as the
// insertion order of roles, clients and other claims.
func claimsFromJSON(t testing.TB, data []byte) Claims {
	t.Helper()
	var c Claims
	err := scanObject(data, func(name string, dec *json.Decoder) error {
		str := map[string]*string{"jti": &c.JTI, "iss": &c.Iss, "sub": &c.Sub, "typ": &c.Typ, "azp": &c.Azp,
			"sid": &c.Sid, "at_hash": &c.AtHash, "c_hash": &c.CHash, "acr": &c.Acr, "s_hash": &c.SHash}
		num := map[string]*int64{"exp": &c.Exp, "nbf": &c.Nbf, "iat": &c.Iat, "auth_time": &c.AuthTime}
		if p, ok := str[name]; ok {
			return dec.Decode(p)
		}
		if name == "nonce" {
			return dec.Decode(&c.Nonce)
		}
		if p, ok := num[name]; ok {
			return dec.Decode(p)
		}
		switch name {
		case "aud":
			var v any
			if err := dec.Decode(&v); err != nil {
				return err
			}
			if s, ok := v.(string); ok {
				c.Aud = []string{s}
				return nil
			}
			for _, a := range v.([]any) {
				c.Aud = append(c.Aud, a.(string))
			}
			return nil
		case "allowed-origins":
			return dec.Decode(&c.AllowedOrigins)
		case "realm_access":
			c.RealmAccess = new(Access)
			return dec.Decode(c.RealmAccess)
		case "scope":
			c.Scope = new(string)
			return dec.Decode(c.Scope)
		case "resource_access":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			return scanObject(raw, func(client string, dec *json.Decoder) error {
				var a Access
				err := dec.Decode(&a)
				c.ResourceAccess = append(c.ResourceAccess, ClientAccess{Client: client, Access: a})
				return err
			})
		}
		var v any
		err := dec.Decode(&v)
		c.Other = append(c.Other, Claim{Name: name, Value: v})
		return err
	})
	if err != nil {
		t.Fatalf("claimsFromJSON: %v", err)
	}
	return c
}
