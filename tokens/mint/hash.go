package mint

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
)

// HalfHash is the OIDC at_hash / c_hash: the left half of the hash of the ASCII value, with the
// hash matching the ID token's signing algorithm (OIDC Core §3.1.3.6), base64url without padding.
func HalfHash(alg, value string) string {
	var h hash.Hash
	switch alg {
	case "RS384", "PS384", "ES384":
		h = sha512.New384()
	case "RS512", "PS512", "ES512", "EdDSA":
		h = sha512.New()
	default:
		h = sha256.New()
	}
	h.Write([]byte(value))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
