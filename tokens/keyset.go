package tokens

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// KeySet is a realm's keys: the active signing key, other signing keys still published/accepted,
// the RSA-OAEP encryption key (published only), and the HMAC key for refresh tokens.
type KeySet struct {
	Active *Key
	Others []*Key   // retired/passive signing keys: still in JWKS and still verify
	Enc    *Key     // may be nil
	HMAC   *HMACKey // signs refresh tokens; never published
}

// Lookup returns the signing key (Active or one of Others) with this kid, or nil. The encryption
// key is never returned: it must not verify anything. A realm has a handful of keys, so a scan
// beats building an index.
func (ks *KeySet) Lookup(kid string) *Key {
	if kid == "" {
		return nil // Keycloak refuses a token without kid rather than guessing a key
	}
	if ks.Active != nil && ks.Active.KID == kid {
		return ks.Active
	}
	for _, k := range ks.Others {
		if k != nil && k.KID == kid {
			return k
		}
	}
	return nil
}

// PublicKeyBase64 is the standard base64 (with padding) DER SubjectPublicKeyInfo of the active
// key, as in Keycloak's realm info "public_key".
func (ks *KeySet) PublicKeyBase64() (string, error) {
	if ks.Active == nil {
		return "", errors.New("tokens: key set has no active key")
	}
	der, err := x509.MarshalPKIXPublicKey(ks.Active.publicKey())
	if err != nil {
		return "", fmt.Errorf("tokens: public key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// JWKS returns the Keycloak-shaped JWKS document bytes: {"keys":[...]}, compact; the active
// signing key first, then Others, then Enc (JWKSServerUtils lists every enabled key that has a
// public key, so the HMAC key never appears).
func (ks *KeySet) JWKS() ([]byte, error) {
	dst := make([]byte, 0, 2048*(2+len(ks.Others)))
	dst = append(dst, `{"keys":[`...)
	keys := make([]*Key, 0, 2+len(ks.Others))
	keys = append(keys, ks.Active)
	keys = append(keys, ks.Others...)
	keys = append(keys, ks.Enc)
	first := true
	for _, k := range keys {
		if k == nil {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		var err error
		if dst, err = k.appendJWK(dst); err != nil {
			return nil, err
		}
	}
	return append(dst, "]}"...), nil
}

// appendJWK writes one key with Keycloak's member order (JWK, then RSAPublicJWK / ECPublicJWK /
// OKPPublicJWK, then the certificate members): kid, kty, alg, use, then n, e or crv, x[, y], then
// x5c, x5t, x5t#S256 when the key has a certificate.
func (k *Key) appendJWK(dst []byte) ([]byte, error) {
	enc := base64.RawURLEncoding
	dst = append(dst, '{')
	dst = appendStringField(dst, "kid", k.KID)
	switch pub := k.publicKey().(type) {
	case *rsa.PublicKey:
		dst = appendStringField(dst, "kty", "RSA")
		dst = appendStringField(dst, "alg", k.Alg)
		dst = appendStringField(dst, "use", k.Use)
		dst = enc.AppendEncode(append(appendKey(dst, "n"), '"'), pub.N.Bytes())
		dst = append(dst, '"')
		dst = enc.AppendEncode(append(appendKey(dst, "e"), '"'), big.NewInt(int64(pub.E)).Bytes())
		dst = append(dst, '"')
	case *ecdsa.PublicKey:
		point, err := pub.Bytes() // 0x04 || X || Y, each coordinate padded to the curve size
		if err != nil {
			return nil, fmt.Errorf("tokens: jwk for key %q: %w", k.KID, err)
		}
		size := ecSize(pub.Curve)
		dst = appendStringField(dst, "kty", "EC")
		dst = appendStringField(dst, "alg", k.Alg)
		dst = appendStringField(dst, "use", k.Use)
		dst = appendStringField(dst, "crv", pub.Curve.Params().Name)
		dst = enc.AppendEncode(append(appendKey(dst, "x"), '"'), point[1:1+size])
		dst = append(dst, '"')
		dst = enc.AppendEncode(append(appendKey(dst, "y"), '"'), point[1+size:])
		dst = append(dst, '"')
	case ed25519.PublicKey:
		dst = appendStringField(dst, "kty", "OKP")
		dst = appendStringField(dst, "alg", k.Alg)
		dst = appendStringField(dst, "use", k.Use)
		dst = appendStringField(dst, "crv", "Ed25519")
		dst = enc.AppendEncode(append(appendKey(dst, "x"), '"'), pub)
		dst = append(dst, '"')
	default:
		return nil, fmt.Errorf("tokens: jwk for key %q: unsupported public key %T", k.KID, pub)
	}
	if len(k.CertDER) > 0 {
		dst = append(appendKey(dst, "x5c"), `["`...)
		dst = base64.StdEncoding.AppendEncode(dst, k.CertDER)
		dst = append(dst, `"]`...)
		sum1 := sha1.Sum(k.CertDER) // x5t is SHA-1 by definition (RFC 7517 §4.8), not a security use
		dst = enc.AppendEncode(append(appendKey(dst, "x5t"), '"'), sum1[:])
		dst = append(dst, '"')
		sum256 := sha256.Sum256(k.CertDER)
		dst = enc.AppendEncode(append(appendKey(dst, "x5t#S256"), '"'), sum256[:])
		dst = append(dst, '"')
	}
	return append(dst, '}'), nil
}
