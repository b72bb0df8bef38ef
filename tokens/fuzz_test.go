package tokens

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// fuzzKeys is a realm key set with two signing keys (RS256 active, EdDSA retired), the
// RSA-OAEP encryption key and the HS512 key, plus one valid token per signing key. Both
// algorithms sign deterministically, so a valid token has exactly one spelling: any other
// string that verifies would be a forgery.
type fuzzKeys struct {
	ks                 *KeySet
	rs256, eddsa, hs   string // the valid tokens
	payload, hsPayload []byte
	// foreign is RS256 by the other RSA key, whose kid is the encryption key's: it must
	// not verify, because the encryption key never verifies anything.
	foreign string
}

func newFuzzKeys(t testing.TB) *fuzzKeys {
	t.Helper()
	enc, err := ParseKey("RSA-OAEP", UseEnc, "myrealm", readTestdata(t, "rsa2048-other.pem"), nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	fk := &fuzzKeys{
		ks: &KeySet{
			Active: testKey(t, "rsa2048.pem", "RS256"),
			Others: []*Key{testKey(t, "ed25519.pem", "EdDSA")},
			Enc:    enc,
			HMAC:   testHMAC(t),
		},
		payload:   []byte(`{"exp":1756721100,"iat":1756720800,"jti":"onrtcc:8e0b8f0c-4a2c-4f7e-9b1a-2f3c4d5e6f70","iss":"http://localhost:8080/realms/myrealm","aud":"account","sub":"5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b","typ":"Bearer","azp":"my-app","scope":"profile email"}`),
		hsPayload: []byte(`{"exp":1756722600,"iat":1756720800,"jti":"8e0b8f0c-4a2c-4f7e-9b1a-2f3c4d5e6f71","iss":"http://localhost:8080/realms/myrealm","aud":"http://localhost:8080/realms/myrealm","sub":"5f1b6f0e-8f5a-4a5c-9a7e-1c2d3e4f5a6b","typ":"Refresh","azp":"my-app","sid":"3f9f4b36-e2d0-a3e5-a308-f369b651ddfe","scope":"profile email"}`),
	}
	sign := func(k interface{ Sign([]byte) (string, error) }, p []byte) string {
		s, err := k.Sign(p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fk.rs256 = sign(fk.ks.Active, fk.payload)
	fk.eddsa = sign(fk.ks.Others[0], fk.payload)
	fk.hs = sign(fk.ks.HMAC, fk.hsPayload)
	fk.foreign = sign(testKey(t, "rsa2048-other.pem", "RS256"), fk.payload)
	return fk
}

// FuzzVerifyAccess feeds arbitrary strings, and single-byte mutations of valid tokens, to
// VerifyAccess, VerifyHMAC and Peek: none may panic, and only the exact bytes of a token the
// key set signed may verify.
func FuzzVerifyAccess(f *testing.F) {
	fk := newFuzzKeys(f)
	rsParts := strings.Split(fk.rs256, ".")
	f.Add(fk.rs256, uint16(0), byte(0))
	f.Add(fk.eddsa, uint16(17), byte(1))
	f.Add(fk.hs, uint16(300), byte(0x20))
	f.Add(fk.foreign, uint16(len(fk.rs256)-1), byte(0xff))
	f.Add(rsParts[0]+"."+rsParts[1]+".", uint16(40), byte(2))                      // no signature
	f.Add("eyJhbGciOiJub25lIn0."+rsParts[1]+".", uint16(len(rsParts[0])), byte(4)) // alg none
	f.Add(fk.rs256+"."+rsParts[2]+"."+rsParts[2], uint16(1), byte(8))              // five segments
	f.Add("", uint16(0), byte(0))
	f.Add("..", uint16(1), byte('.'))
	f.Fuzz(func(t *testing.T, tok string, pos uint16, x byte) {
		fk.check(t, tok)
		for _, valid := range []string{fk.rs256, fk.eddsa, fk.hs} {
			b := []byte(valid)
			b[int(pos)%len(b)] ^= x
			fk.check(t, string(b))
		}
	})
}

// check verifies tok every way and fails on a panic (by not recovering), on a forgery, on a
// refused valid token, or on an error outside the documented kinds.
func (fk *fuzzKeys) check(t *testing.T, tok string) {
	t.Helper()
	hdr, _, peekErr := Peek(tok)

	v, err := fk.ks.VerifyAccess(tok)
	switch {
	case err == nil && tok != fk.rs256 && tok != fk.eddsa:
		t.Fatalf("VerifyAccess accepted a token the key set never signed: %q (header %+v)", tok, v.Header)
	case err == nil && !bytes.Equal(v.Payload, fk.payload):
		t.Fatalf("VerifyAccess payload = %q; want %q", v.Payload, fk.payload)
	case err == nil && (peekErr != nil || !reflect.DeepEqual(hdr, v.Header)):
		t.Fatalf("Peek disagrees with VerifyAccess: %+v, %v; want %+v", hdr, peekErr, v.Header)
	case err != nil && (tok == fk.rs256 || tok == fk.eddsa):
		t.Fatalf("VerifyAccess refused a valid token: %v", err)
	case err != nil && !knownKind(err):
		t.Fatalf("VerifyAccess error %q wraps none of the documented kinds", err)
	}

	v, err = fk.ks.VerifyHMAC(tok)
	switch {
	case err == nil && tok != fk.hs:
		t.Fatalf("VerifyHMAC accepted a token the key set never signed: %q", tok)
	case err == nil && !bytes.Equal(v.Payload, fk.hsPayload):
		t.Fatalf("VerifyHMAC payload = %q; want %q", v.Payload, fk.hsPayload)
	case err != nil && tok == fk.hs:
		t.Fatalf("VerifyHMAC refused a valid token: %v", err)
	case err != nil && !knownKind(err):
		t.Fatalf("VerifyHMAC error %q wraps none of the documented kinds", err)
	}
}

func knownKind(err error) bool {
	for _, k := range []error{ErrMalformed, ErrUnsupportedAlg, ErrUnknownKey, ErrBadSignature} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

// TestLineBreaksRefused pins the forgery FuzzVerifyAccess found: Go's base64 decoder skips CR
// and LF, so a valid signature with line breaks inside decoded to the same bytes and verified.
// Java's URL decoder refuses them, and so must kcmock, wherever they appear.
func TestLineBreaksRefused(t *testing.T) {
	fk := newFuzzKeys(t)
	first, last := strings.IndexByte(fk.rs256, '.'), strings.LastIndexByte(fk.rs256, '.')
	tests := []struct {
		name  string
		valid string
		at    int
		ins   string
	}{
		{"CR in RS256 signature", fk.rs256, last + 40, "\r"},
		{"CRs in RS256 signature", fk.rs256, last + 100, "\r\r\r\r\r\r\r"},
		{"LF ending RS256 signature", fk.rs256, len(fk.rs256), "\n"},
		{"CRLF in payload", fk.rs256, first + 8, "\r\n"},
		{"LF in header", fk.rs256, 4, "\n"},
		{"LF in EdDSA signature", fk.eddsa, len(fk.eddsa) - 5, "\n"},
		{"CR in HS512 signature", fk.hs, len(fk.hs) - 1, "\r"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.valid[:tc.at] + tc.ins + tc.valid[tc.at:]
			if _, err := fk.ks.VerifyAccess(tok); !errors.Is(err, ErrMalformed) {
				t.Errorf("VerifyAccess: err = %v; want ErrMalformed", err)
			}
			if _, err := fk.ks.VerifyHMAC(tok); !errors.Is(err, ErrMalformed) {
				t.Errorf("VerifyHMAC: err = %v; want ErrMalformed", err)
			}
			if _, _, err := Peek(tok); !errors.Is(err, ErrMalformed) {
				t.Errorf("Peek: err = %v; want ErrMalformed", err)
			}
			fk.check(t, tok)
		})
	}
}
