package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
)

// VerifyWithPublicKey verifies a JWT of another issuer (an identity provider) with one public
// key, as Keycloak's identity providers do with a configured key: the header alg must be an
// asymmetric algorithm of the key's type (never none or HS*), and kid, when not empty, must
// equal the header's kid.
func VerifyWithPublicKey(token string, pub crypto.PublicKey, kid string) (*Verified, error) {
	t, err := parseForVerify(token)
	if err != nil {
		return nil, err
	}
	spec, ok := lookupAlg(t.header.Alg)
	if !ok || spec.kind == kindRSAEnc || !kindFits(spec.kind, pub) {
		return nil, fmt.Errorf("%w: %q for a %T", ErrUnsupportedAlg, t.header.Alg, pub)
	}
	if kid != "" && t.header.Kid != kid {
		return nil, fmt.Errorf("%w: kid %q, want %q", ErrUnknownKey, t.header.Kid, kid)
	}
	k := &Key{KID: t.header.Kid, Alg: t.header.Alg, Use: UseSig, Public: pub}
	if err := k.verifyInput(spec, []byte(t.signingInput), t.sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return &Verified{Header: t.header, Payload: t.payload, Key: k}, nil
}

func kindFits(kind keyKind, pub crypto.PublicKey) bool {
	switch pub.(type) {
	case *rsa.PublicKey:
		return kind == kindRSA || kind == kindRSAPSS
	case *ecdsa.PublicKey:
		return kind == kindEC
	case ed25519.PublicKey:
		return kind == kindEd25519
	}
	return false
}
