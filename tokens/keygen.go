package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
)

// rsaBits is the size of Keycloak's rsa-generated and rsa-enc-generated keys.
const rsaBits = 2048

// hmacSecretLen is the secret size of Keycloak's hmac-generated-hs512 provider (64 bytes = 512 bits).
const hmacSecretLen = 64

// HMACKey signs refresh tokens (HS512) like Keycloak's hmac-generated-hs512 provider; KID is a
// UUID string. It never appears in the JWKS.
type HMACKey struct {
	KID    string
	Secret []byte

	hdr, hdrKID string // base64url JWS header computed by GenerateHMACKey; see Key.hdr
}

// GenerateKey makes a new key for alg (RSA 2048 for RS*/PS*/RSA-OAEP; P-256/P-384/P-521 for
// ES256/384/512; Ed25519 for EdDSA). use is "sig" or "enc". The key gets a self-signed
// certificate for CN=realmName valid from now for ten years. A nil random means crypto/rand.
//
// Since Go 1.26 RSA and ECDSA key generation ignore random and always use a secure source (only
// Ed25519 still reads its seed from random), so keys are not reproducible from a seeded reader:
// fixed test keys belong in PEM files loaded with ParseKey, or are derived with DeriveKey.
func GenerateKey(alg, use, realmName string, random io.Reader, now time.Time) (*Key, error) {
	if random == nil {
		random = rand.Reader
	}
	spec, err := checkAlgUse(alg, use)
	if err != nil {
		return nil, err
	}
	var signer crypto.Signer
	switch spec.kind {
	case kindRSA, kindRSAPSS, kindRSAEnc:
		signer, err = rsa.GenerateKey(random, rsaBits)
	case kindEC:
		signer, err = ecdsa.GenerateKey(spec.curve, random)
	case kindEd25519:
		_, signer, err = ed25519.GenerateKey(random)
	}
	if err != nil {
		return nil, fmt.Errorf("tokens: generate %s key: %w", alg, err)
	}
	return newKey(alg, use, realmName, signer, nil, now)
}

// GenerateHMACKey makes an HS512 key: a UUID kid from the first 16 bytes of random, then a
// 64-byte secret. A nil random means crypto/rand.
func GenerateHMACKey(random io.Reader) (*HMACKey, error) {
	if random == nil {
		random = rand.Reader
	}
	id, err := uuid.NewRandomFromReader(random)
	if err != nil {
		return nil, fmt.Errorf("tokens: generate hmac kid: %w", err)
	}
	secret := make([]byte, hmacSecretLen)
	if _, err := io.ReadFull(random, secret); err != nil {
		return nil, fmt.Errorf("tokens: generate hmac secret: %w", err)
	}
	h := &HMACKey{KID: id.String(), Secret: secret}
	h.hdr, h.hdrKID = encodeHeader(algHS512, h.KID), h.KID
	return h, nil
}
