package tokens

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

// craft builds a token with a hand-written header and payload, signed by k with k.Alg
// (or left unsigned when k is nil).
func craft(t *testing.T, k *Key, header, payload string) string {
	t.Helper()
	input := b64s(header) + "." + b64s(payload)
	if k == nil {
		return input + "."
	}
	spec, _ := lookupAlg(k.Alg)
	sig, err := k.signInput(spec, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func b64s(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// hs256 signs header.payload with HMAC-SHA256 keyed by secret: the classic alg-confusion forgery.
func hs256(header, payload string, secret []byte) string {
	input := b64s(header) + "." + b64s(payload)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func TestVerifyAccess(t *testing.T) {
	active := testKey(t, "rsa2048.pem", "RS256")
	retired := testKey(t, "p256.pem", "ES256")
	foreign := testKey(t, "rsa2048-other.pem", "RS256")
	enc, err := ParseKey("RSA-OAEP", UseEnc, "myrealm", readTestdata(t, "rsa2048-other.pem"), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	ks := &KeySet{Active: active, Others: []*Key{retired}, Enc: enc, HMAC: testHMAC(t)}
	as := func(k *Key, alg string) *Key { c := *k; c.Alg = alg; return &c }
	hdr := func(alg, kid string) string { return `{"alg":"` + alg + `","typ" : "JWT","kid" : "` + kid + `"}` }
	claims := `{"sub":"alice","typ":"Bearer"}`
	good, _ := active.Sign([]byte(claims))
	goodParts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(active.Public)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	ecDER := func() string { // ES256 signature in ASN.1 form instead of JOSE's r||s
		d := sha256.Sum256([]byte(b64s(hdr("ES256", retired.KID)) + "." + b64s(claims)))
		sig, _ := ecdsa.SignASN1(rand.Reader, retired.Signer.(*ecdsa.PrivateKey), d[:])
		return b64s(hdr("ES256", retired.KID)) + "." + b64s(claims) + "." + base64.RawURLEncoding.EncodeToString(sig)
	}()

	tests := []struct {
		name  string
		token string
		want  error // nil means it verifies
	}{
		{"valid, active key", good, nil},
		{"valid, retired key", mustSign(t, retired, claims), nil},
		{"nested duplicate names are the claim's business", mustSign(t, active, `{"a":{"b":1,"b":2}}`), nil},
		{"alg none", craft(t, nil, `{"alg":"none","kid":"`+active.KID+`"}`, claims), ErrUnsupportedAlg},
		{"alg none without kid", craft(t, nil, `{"alg":"none"}`, claims), ErrUnsupportedAlg},
		{"HS256 keyed with public key PEM", hs256(hdr("HS256", active.KID), claims, pubPEM), ErrUnsupportedAlg},
		{"HS256 keyed with public key DER", hs256(hdr("HS256", active.KID), claims, pubDER), ErrUnsupportedAlg},
		{"refresh token as access token", mustSignHMAC(t, ks.HMAC, claims), ErrUnsupportedAlg},
		{"RSA-OAEP alg", craft(t, as(enc, "RS256"), hdr("RSA-OAEP", enc.KID), claims), ErrUnsupportedAlg},
		{"unknown kid", craft(t, active, hdr("RS256", "no-such-kid"), claims), ErrUnknownKey},
		{"no kid", craft(t, active, `{"alg":"RS256"}`, claims), ErrUnknownKey},
		{"kid of another key set", mustSign(t, foreign, claims), ErrUnknownKey},
		{"enc key never verifies", craft(t, as(enc, "RS256"), hdr("RS256", enc.KID), claims), ErrUnknownKey},
		{"RS512 header with RS256 key", craft(t, as(active, "RS512"), hdr("RS512", active.KID), claims), ErrUnknownKey},
		{"PS256 header with RS256 key", craft(t, as(active, "PS256"), hdr("PS256", active.KID), claims), ErrUnknownKey},
		{"ES384 header with ES256 key", craft(t, retired, hdr("ES384", retired.KID), claims), ErrUnknownKey},
		{"tampered payload", goodParts[0] + "." + b64s(`{"sub":"admin","typ":"Bearer"}`) + "." + goodParts[2], ErrBadSignature},
		{"signed by a foreign key under our kid", craft(t, withKID(foreign, active.KID), hdr("RS256", active.KID), claims), ErrBadSignature},
		{"signature missing its last byte", good[:len(good)-2], ErrBadSignature},
		{"truncated inside a base64 quantum", good[:len(good)-1], ErrMalformed},
		{"empty signature", goodParts[0] + "." + goodParts[1] + ".", ErrBadSignature},
		{"ECDSA signature in ASN.1 form", ecDER, ErrBadSignature},
		{"empty", "", ErrMalformed},
		{"2 segments", goodParts[0] + "." + goodParts[1], ErrMalformed},
		{"4 segments", good + ".x", ErrMalformed},
		{"5 segments (JWE)", goodParts[0] + ".a.b.c.d", ErrMalformed},
		{"bad base64 in header", "+" + good[1:], ErrMalformed},
		{"padded base64", goodParts[0] + "=." + goodParts[1] + "." + goodParts[2], ErrMalformed},
		{"bad base64 in signature", good + "*", ErrMalformed},
		{"header is an array", craft(t, active, `["RS256"]`, claims), ErrMalformed},
		{"header is null", craft(t, active, `null`, claims), ErrMalformed},
		{"header alg not a string", craft(t, active, `{"alg":256,"kid":"`+active.KID+`"}`, claims), ErrMalformed},
		{"duplicate alg in header", craft(t, active, `{"alg":"RS256","alg":"none","kid":"`+active.KID+`"}`, claims), ErrMalformed},
		{"crit header", craft(t, active, `{"alg":"RS256","kid":"`+active.KID+`","crit":["exp"],"exp":1}`, claims), ErrMalformed},
		{"crit null", craft(t, active, `{"alg":"RS256","kid":"`+active.KID+`","crit":null}`, claims), ErrMalformed},
		{"non-JSON payload", mustSign(t, active, `hello`), ErrMalformed},
		{"payload is an array", mustSign(t, active, `[{"sub":"alice"}]`), ErrMalformed},
		{"payload with trailing object", mustSign(t, active, `{"sub":"a"}{"sub":"b"}`), ErrMalformed},
		{"duplicate claim", mustSign(t, active, `{"sub":"alice","sub":"admin"}`), ErrMalformed},
		{"duplicate claim by escape", mustSign(t, active, `{"sub":"alice","s\u0075b":"admin"}`), ErrMalformed},
		{"oversized", mustSign(t, active, `{"x":"`+strings.Repeat("a", 64<<10)+`"}`), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ks.VerifyAccess(tt.token)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("got %v; want success", err)
				}
				if v.Key == nil {
					t.Error("Verified.Key is nil")
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v; want %v", err, tt.want)
			}
			if v != nil {
				t.Errorf("got a Verified with an error")
			}
		})
	}
}

func withKID(k *Key, kid string) *Key { c := *k; c.KID = kid; return &c }

func mustSign(t *testing.T, k *Key, payload string) string {
	t.Helper()
	tok, err := k.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustSignHMAC(t *testing.T, h *HMACKey, payload string) string {
	t.Helper()
	tok, err := h.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyHMAC(t *testing.T) {
	h := testHMAC(t)
	other, err := GenerateHMACKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey := testKey(t, "rsa2048.pem", "RS256")
	ks := &KeySet{Active: rsaKey, HMAC: h}
	claims := `{"typ":"Refresh"}`
	good := mustSignHMAC(t, h, claims)
	parts := strings.Split(good, ".")
	tests := []struct {
		name  string
		ks    *KeySet
		token string
		want  error
	}{
		{"valid", ks, good, nil},
		{"access token", ks, mustSign(t, rsaKey, claims), ErrUnsupportedAlg},
		{"HS256", ks, hs256(`{"alg":"HS256","kid":"`+h.KID+`"}`, claims, h.Secret), ErrUnsupportedAlg},
		{"other HMAC key", ks, mustSignHMAC(t, other, claims), ErrUnknownKey},
		{"no HMAC key", &KeySet{Active: rsaKey}, good, ErrUnknownKey},
		{"tampered", ks, parts[0] + "." + b64s(`{"typ":"Offline"}`) + "." + parts[2], ErrBadSignature},
		{"duplicate claim", ks, mustSignHMAC(t, h, `{"typ":"Refresh","typ":"Offline"}`), ErrMalformed},
		{"3 segments required", ks, parts[0] + "." + parts[1], ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ks.VerifyHMAC(tt.token)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got error %v; want %v", err, tt.want)
			}
		})
	}
}

func TestPeek(t *testing.T) {
	k := testKey(t, "rsa2048.pem", "RS256")
	tests := []struct {
		name, token         string
		wantAlg, wantKid    string
		wantPayload         string
		wantCrit, wantError bool
	}{
		{name: "signed token", token: mustSign(t, k, `{"a":1}`), wantAlg: "RS256", wantKid: k.KID, wantPayload: `{"a":1}`},
		{name: "unverified alg none", token: craft(t, nil, `{"alg":"none"}`, `not json`), wantAlg: "none", wantPayload: `not json`},
		{name: "crit reported", token: craft(t, nil, `{"alg":"x","crit":["b64"]}`, `{}`), wantAlg: "x", wantPayload: `{}`, wantCrit: true},
		{name: "garbage", token: "a.b", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, payload, err := Peek(tt.token)
			if tt.wantError {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("got error %v; want %v", err, ErrMalformed)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.Alg != tt.wantAlg || h.Kid != tt.wantKid || string(payload) != tt.wantPayload || (len(h.Crit) > 0) != tt.wantCrit {
				t.Errorf("got %+v %q; want alg %q kid %q payload %q crit %v", h, payload, tt.wantAlg, tt.wantKid, tt.wantPayload, tt.wantCrit)
			}
		})
	}
}
