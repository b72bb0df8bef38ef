package tokens

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"
)

// VerifyAccess verifies a JWT signed by one of ks's signing keys (Active or Others). It never
// trusts the header's alg to pick the key type: the key is found by kid, and the header alg must
// equal that key's Alg exactly, so alg=none, HS256 keyed with the RSA public key and other alg
// confusions all fail. Structural problems (segments, base64, JSON, crit, size) are ErrMalformed.
//
// Like Keycloak's key lookup by (kid, use, alg), a known kid under a different alg is
// ErrUnknownKey; an alg no signing key can have (none, HS*, RSA-OAEP) is ErrUnsupportedAlg.
func (ks *KeySet) VerifyAccess(token string) (*Verified, error) {
	t, err := parseForVerify(token)
	if err != nil {
		return nil, err
	}
	spec, ok := lookupAlg(t.header.Alg)
	if !ok || spec.kind == kindRSAEnc {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlg, t.header.Alg)
	}
	key := ks.Lookup(t.header.Kid)
	if key == nil || key.Alg != t.header.Alg {
		return nil, fmt.Errorf("%w: no %s signing key with kid %q", ErrUnknownKey, t.header.Alg, t.header.Kid)
	}
	if err := key.verifyInput(spec, []byte(t.signingInput), t.sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return &Verified{Header: t.header, Payload: t.payload, Key: key}, nil
}

// VerifyHMAC verifies an HS512 token signed with ks.HMAC (kid must match, alg must be HS512).
// The MAC is compared in constant time.
func (ks *KeySet) VerifyHMAC(token string) (*Verified, error) {
	t, err := parseForVerify(token)
	if err != nil {
		return nil, err
	}
	if t.header.Alg != algHS512 {
		return nil, fmt.Errorf("%w: %q, want %s", ErrUnsupportedAlg, t.header.Alg, algHS512)
	}
	if ks.HMAC == nil || len(ks.HMAC.Secret) == 0 || t.header.Kid != ks.HMAC.KID {
		return nil, fmt.Errorf("%w: no HS512 key with kid %q", ErrUnknownKey, t.header.Kid)
	}
	var sum [sha512.Size]byte
	if !hmac.Equal(ks.HMAC.mac([]byte(t.signingInput), sum[:0]), t.sig) {
		return nil, ErrBadSignature
	}
	return &Verified{Header: t.header, Payload: t.payload}, nil
}

// verifyInput checks sig over input with k's public key, following spec (already known to be k.Alg).
func (k *Key) verifyInput(spec algSpec, input, sig []byte) error {
	switch pub := k.publicKey().(type) {
	case *rsa.PublicKey:
		d, n := digest(spec.hash, input)
		switch spec.kind {
		case kindRSA:
			return rsa.VerifyPKCS1v15(pub, spec.hash, d[:n], sig)
		case kindRSAPSS:
			return rsa.VerifyPSS(pub, spec.hash, d[:n], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
	case *ecdsa.PublicKey:
		if spec.kind != kindEC || pub.Curve != spec.curve {
			break
		}
		size := ecSize(pub.Curve)
		if len(sig) != 2*size {
			return fmt.Errorf("ECDSA signature is %d bytes, want %d", len(sig), 2*size)
		}
		d, n := digest(spec.hash, input)
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, d[:n], r, s) {
			return errors.New("ECDSA verification failed")
		}
		return nil
	case ed25519.PublicKey:
		if spec.kind != kindEd25519 || len(pub) != ed25519.PublicKeySize {
			break
		}
		if !ed25519.Verify(pub, input, sig) {
			return errors.New("Ed25519 verification failed")
		}
		return nil
	}
	return fmt.Errorf("a %T public key cannot verify %s", k.publicKey(), k.Alg)
}
