package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"
)

// Key uses, as in a JWK's "use".
const (
	UseSig = "sig"
	UseEnc = "enc"
)

// Key is one asymmetric realm key (signing or encryption). Build it with GenerateKey or ParseKey;
// it is not changed afterwards, so one Key can sign on many goroutines at once.
type Key struct {
	KID     string           // Keycloak kid: base64url(no pad) of SHA-256 over the DER SubjectPublicKeyInfo
	Alg     string           // "RS256", ..., "EdDSA", or "RSA-OAEP" for the enc key
	Use     string           // "sig" or "enc"
	Signer  crypto.Signer    // private key (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey)
	Public  crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	CertDER []byte           // self-signed certificate published as x5c

	// hdr is the base64url JWS header, computed once by newKey for (hdrKID, hdrAlg). A Key whose
	// KID or Alg was changed afterwards, or one built as a literal, gets its header computed per call.
	hdr, hdrKID, hdrAlg string
}

// publicKey is k.Public, or the signer's public half for a Key built as a literal without it.
func (k *Key) publicKey() crypto.PublicKey {
	if k.Public == nil && k.Signer != nil {
		return k.Signer.Public()
	}
	return k.Public
}

// keyKind is the family of key an algorithm needs.
type keyKind int

const (
	kindRSA     keyKind = iota + 1 // RSASSA-PKCS1-v1_5
	kindRSAPSS                     // RSASSA-PSS, salt length = hash length
	kindEC                         // ECDSA, signature = fixed-size r||s
	kindEd25519                    // EdDSA over Ed25519
	kindRSAEnc                     // RSA key published for encryption only
)

// algSpec says how an algorithm signs: key family, hash and, for ECDSA, the curve.
type algSpec struct {
	kind  keyKind
	hash  crypto.Hash // zero for EdDSA, which hashes internally
	curve elliptic.Curve
}

// lookupAlg maps a JWA name to its spec. A switch rather than a package map keeps the table
// immutable. RSA-OAEP-256 is accepted because Keycloak's rsa-enc-generated provider offers it.
func lookupAlg(alg string) (algSpec, bool) {
	switch alg {
	case "RS256":
		return algSpec{kind: kindRSA, hash: crypto.SHA256}, true
	case "RS384":
		return algSpec{kind: kindRSA, hash: crypto.SHA384}, true
	case "RS512":
		return algSpec{kind: kindRSA, hash: crypto.SHA512}, true
	case "PS256":
		return algSpec{kind: kindRSAPSS, hash: crypto.SHA256}, true
	case "PS384":
		return algSpec{kind: kindRSAPSS, hash: crypto.SHA384}, true
	case "PS512":
		return algSpec{kind: kindRSAPSS, hash: crypto.SHA512}, true
	case "ES256":
		return algSpec{kind: kindEC, hash: crypto.SHA256, curve: elliptic.P256()}, true
	case "ES384":
		return algSpec{kind: kindEC, hash: crypto.SHA384, curve: elliptic.P384()}, true
	case "ES512":
		return algSpec{kind: kindEC, hash: crypto.SHA512, curve: elliptic.P521()}, true
	case "EdDSA":
		return algSpec{kind: kindEd25519}, true
	case "RSA-OAEP", "RSA-OAEP-256":
		return algSpec{kind: kindRSAEnc}, true
	}
	return algSpec{}, false
}

// SupportedAlgorithms lists the signing algs kcmock accepts for a realm's
// default_signature_algorithm. It returns a new slice on every call.
func SupportedAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// KeyID is Keycloak's kid (KeyUtils.createKeyId): base64url without padding of the SHA-256 of
// the DER SubjectPublicKeyInfo. It is not the RFC 7638 thumbprint.
func KeyID(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("tokens: key id: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// checkAlgUse returns the spec of alg if kcmock supports it with this use.
func checkAlgUse(alg, use string) (algSpec, error) {
	spec, ok := lookupAlg(alg)
	if !ok {
		return spec, fmt.Errorf("tokens: unsupported algorithm %q", alg)
	}
	wantUse := UseSig
	if spec.kind == kindRSAEnc {
		wantUse = UseEnc
	}
	if use != wantUse {
		return spec, fmt.Errorf("tokens: algorithm %s needs use %q, not %q", alg, wantUse, use)
	}
	return spec, nil
}

// checkKeyFits reports whether signer is the kind of key alg needs, and the use fits the alg.
func checkKeyFits(alg, use string, signer crypto.Signer) error {
	spec, err := checkAlgUse(alg, use)
	if err != nil {
		return err
	}
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		if spec.kind == kindRSA || spec.kind == kindRSAPSS || spec.kind == kindRSAEnc {
			return nil
		}
	case *ecdsa.PrivateKey:
		if spec.kind == kindEC && k.Curve != spec.curve {
			return fmt.Errorf("tokens: %s needs curve %s, key is on %s", alg, spec.curve.Params().Name, k.Curve.Params().Name)
		}
		if spec.kind == kindEC {
			return nil
		}
	case ed25519.PrivateKey:
		if spec.kind == kindEd25519 {
			return nil
		}
	}
	return fmt.Errorf("tokens: a %T key cannot be used for %s", signer, alg)
}

// newKey completes a Key around signer: kid, certificate (made if certDER is nil) and the
// precomputed JWS header.
func newKey(alg, use, realmName string, signer crypto.Signer, certDER []byte, now time.Time) (*Key, error) {
	if err := checkKeyFits(alg, use, signer); err != nil {
		return nil, err
	}
	pub := signer.Public()
	kid, err := KeyID(pub)
	if err != nil {
		return nil, err
	}
	if certDER == nil {
		if certDER, err = selfSignedCert(signer, realmName, now); err != nil {
			return nil, err
		}
	}
	k := &Key{KID: kid, Alg: alg, Use: use, Signer: signer, Public: pub, CertDER: certDER}
	k.hdr, k.hdrKID, k.hdrAlg = encodeHeader(alg, kid), kid, alg
	return k, nil
}
