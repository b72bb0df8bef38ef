package tokens

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// maxTokenLen bounds the work done on an untrusted token before any check has passed. Keycloak
// tokens are a few KiB; 64 KiB leaves room for very large role sets.
const maxTokenLen = 64 << 10

// Error kinds so callers can map them to Keycloak's messages. They are returned wrapped (%w)
// with detail; test with errors.Is.
var (
	// ErrMalformed: not a compact JWS with base64url segments, a JSON-object header without
	// "crit" and a JSON-object payload without duplicate claims, or longer than 64 KiB.
	ErrMalformed = errors.New("tokens: malformed token")
	// ErrUnsupportedAlg: the header alg is not one this verification accepts (none, HS256, ...).
	ErrUnsupportedAlg = errors.New("tokens: unsupported algorithm")
	// ErrUnknownKey: no key with the header's kid for the header's alg.
	ErrUnknownKey = errors.New("tokens: unknown key")
	// ErrBadSignature: the signature does not verify.
	ErrBadSignature = errors.New("tokens: invalid signature")
)

// Header is the part of a JOSE header kcmock reads.
type Header struct {
	Alg, Typ, Kid, Cty string
	Crit               []string // only reported by Peek: VerifyAccess and VerifyHMAC refuse any crit
}

// Verified is a token whose signature checked out.
type Verified struct {
	Header  Header
	Payload []byte
	Key     *Key // nil for HMAC
}

// compactJWS is a token split into its decoded parts.
type compactJWS struct {
	header       Header
	hasCrit      bool
	payload      []byte
	signingInput string // "header.payload" as received: what the signature covers
	sig          []byte
}

// Peek decodes header and payload without verifying (for error reporting / routing only). The
// payload is returned as decoded; it is not checked to be JSON.
func Peek(token string) (Header, []byte, error) {
	t, err := parseCompact(token)
	if err != nil {
		return Header{}, nil, err
	}
	return t.header, t.payload, nil
}

// parseCompact splits and decodes a compact JWS: exactly three base64url segments (five would be
// a JWE, which kcmock never accepts), and a header that is a JSON object.
func parseCompact(token string) (compactJWS, error) {
	var t compactJWS
	if len(token) > maxTokenLen {
		return t, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenLen)
	}
	first := strings.IndexByte(token, '.')
	last := strings.LastIndexByte(token, '.')
	if first < 0 || first == last || strings.IndexByte(token[first+1:last], '.') >= 0 {
		return t, fmt.Errorf("%w: %d segments, want 3", ErrMalformed, strings.Count(token, ".")+1)
	}
	// Go's decoder skips CR and LF, which would let one signature have many spellings; Java's
	// URL decoder (Keycloak's) refuses them. Strict also rejects non-zero padding bits, so a
	// token has exactly one spelling here. Keycloak is laxer on the signature segment only
	// (Base64Url.decode drops "=" padding and maps "+" and "/"); no client sends those, so
	// kcmock refuses them rather than accept a second spelling of a signed token.
	if i := strings.IndexAny(token, "\r\n"); i >= 0 {
		return t, fmt.Errorf("%w: line break at byte %d", ErrMalformed, i)
	}
	enc := base64.RawURLEncoding.Strict()
	hdr, err := enc.DecodeString(token[:first])
	if err != nil {
		return t, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if t.payload, err = enc.DecodeString(token[first+1 : last]); err != nil {
		return t, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	if t.sig, err = enc.DecodeString(token[last+1:]); err != nil {
		return t, fmt.Errorf("%w: signature: %v", ErrMalformed, err)
	}
	if t.header, t.hasCrit, err = parseHeader(hdr); err != nil {
		return t, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	t.signingInput = token[:last]
	return t, nil
}

// parseForVerify adds the checks every verification wants: no "crit" (kcmock understands no
// extension, RFC 7515 §4.1.11) and a payload that is one JSON object with distinct claim names.
func parseForVerify(token string) (compactJWS, error) {
	t, err := parseCompact(token)
	if err != nil {
		return t, err
	}
	if t.hasCrit {
		return t, fmt.Errorf("%w: crit header not supported", ErrMalformed)
	}
	if err := scanObject(t.payload, nil); err != nil {
		return t, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	return t, nil
}
