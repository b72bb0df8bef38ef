package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
)

// algHS512 is the refresh-token algorithm of Keycloak's hmac-generated-hs512 provider.
const algHS512 = "HS512"

// encodeHeader returns the base64url JWS header exactly as Keycloak's JWSBuilder writes it by
// string concatenation: {"alg":"RS256","typ" : "JWT","kid" : "<kid>"}, with spaces around the
// colon after typ and kid only. JSON escaping is a no-op for real kids (base64url or UUID) and
// keeps an odd hand-made kid from breaking the JSON.
func encodeHeader(alg, kid string) string {
	b := make([]byte, 0, 48+len(alg)+len(kid))
	b = append(b, `{"alg":`...)
	b = appendJSONString(b, alg)
	b = append(b, `,"typ" : "JWT","kid" : `...)
	b = appendJSONString(b, kid)
	b = append(b, '}')
	return base64.RawURLEncoding.EncodeToString(b)
}

func (k *Key) header() string {
	if k.hdr != "" && k.hdrKID == k.KID && k.hdrAlg == k.Alg {
		return k.hdr
	}
	return encodeHeader(k.Alg, k.KID)
}

func (h *HMACKey) header() string {
	if h.hdr != "" && h.hdrKID == h.KID {
		return h.hdr
	}
	return encodeHeader(algHS512, h.KID)
}

// Sign returns the compact JWS of payload (already-serialized JSON) signed by k with k.Alg.
// The whole token is built in one buffer sized up front: this is the hot path of every grant.
func (k *Key) Sign(payload []byte) (string, error) {
	spec, ok := lookupAlg(k.Alg)
	if !ok || spec.kind == kindRSAEnc {
		return "", fmt.Errorf("tokens: key %q with alg %q cannot sign", k.KID, k.Alg)
	}
	enc := base64.RawURLEncoding
	hdr := k.header()
	buf := make([]byte, 0, len(hdr)+2+enc.EncodedLen(len(payload))+enc.EncodedLen(k.sigLen()))
	buf = append(buf, hdr...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	sig, err := k.signInput(spec, buf)
	if err != nil {
		return "", fmt.Errorf("tokens: sign with %s key %q: %w", k.Alg, k.KID, err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// signInput signs the JWS signing input. The key type is checked against the algorithm again
// here because a Key can be built as a literal without going through checkKeyFits.
func (k *Key) signInput(spec algSpec, input []byte) ([]byte, error) {
	switch priv := k.Signer.(type) {
	case *rsa.PrivateKey:
		// Under the openssl build tag OpenSSL signs RS* and PS* (sign_openssl.go); otherwise
		// signRSANative declines and Go signs.
		if sig, ok, err := signRSANative(priv, spec, input); ok {
			return sig, err
		}
		d, n := digest(spec.hash, input)
		switch spec.kind {
		case kindRSA:
			return rsa.SignPKCS1v15(nil, priv, spec.hash, d[:n])
		case kindRSAPSS: // RFC 7518 §3.5: salt as long as the hash
			return rsa.SignPSS(rand.Reader, priv, spec.hash, d[:n], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
	case *ecdsa.PrivateKey:
		if spec.kind != kindEC || priv.Curve != spec.curve {
			break
		}
		d, n := digest(spec.hash, input)
		// A nil reader gives RFC 6979's deterministic signature: the same token bytes for the
		// same key and claims (kcmock's deterministic mode), and no dependence on the RNG.
		der, err := priv.Sign(nil, d[:n], spec.hash)
		if err != nil {
			return nil, err
		}
		var rs struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) > 0 {
			return nil, errors.New("malformed ECDSA signature") // crypto/ecdsa writes valid DER
		}
		// RFC 7518 §3.4: fixed-width big-endian R || S, not ASN.1.
		size := ecSize(priv.Curve)
		out := make([]byte, 2*size)
		rs.R.FillBytes(out[:size])
		rs.S.FillBytes(out[size:])
		return out, nil
	case ed25519.PrivateKey:
		if spec.kind == kindEd25519 {
			return ed25519.Sign(priv, input), nil
		}
	}
	return nil, fmt.Errorf("a %T key cannot sign %s", k.Signer, k.Alg)
}

// sigLen is the signature size, used only to size the token buffer.
func (k *Key) sigLen() int {
	switch priv := k.Signer.(type) {
	case *rsa.PrivateKey:
		return priv.Size()
	case *ecdsa.PrivateKey:
		return 2 * ecSize(priv.Curve)
	}
	return ed25519.SignatureSize
}

// Sign returns the compact JWS of payload signed HS512 with h, as Keycloak signs refresh tokens.
func (h *HMACKey) Sign(payload []byte) (string, error) {
	if len(h.Secret) == 0 {
		return "", errors.New("tokens: hmac key has no secret")
	}
	enc := base64.RawURLEncoding
	hdr := h.header()
	buf := make([]byte, 0, len(hdr)+2+enc.EncodedLen(len(payload))+enc.EncodedLen(sha512.Size))
	buf = append(buf, hdr...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	var sum [sha512.Size]byte
	mac := h.mac(buf, sum[:0])
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, mac)
	return string(buf), nil
}

func (h *HMACKey) mac(input, dst []byte) []byte {
	m := hmac.New(sha512.New, h.Secret)
	m.Write(input)
	return m.Sum(dst)
}

// digest hashes msg into a fixed array so the common path does not allocate.
func digest(h crypto.Hash, msg []byte) (d [sha512.Size]byte, n int) {
	switch h {
	case crypto.SHA256:
		s := sha256.Sum256(msg)
		copy(d[:], s[:])
		return d, sha256.Size
	case crypto.SHA384:
		s := sha512.Sum384(msg)
		copy(d[:], s[:])
		return d, sha512.Size384
	}
	return sha512.Sum512(msg), sha512.Size
}

// ecSize is the byte length of one coordinate or signature half for curve.
func ecSize(c elliptic.Curve) int {
	return (c.Params().BitSize + 7) / 8
}
