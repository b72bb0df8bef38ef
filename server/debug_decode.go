package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kcmock/kcmock/tokens"
)

// Outcomes of the token decoder. Only decodeVerified means kcmock would take the token as
// signed and current; the others say what stops it.
const (
	decodeVerified       = "verified"        // a realm key verifies it and the server clock is within exp/nbf
	decodeExpired        = "expired"         // the signature verifies, exp has passed by the server clock
	decodeNotYetValid    = "not-yet-valid"   // the signature verifies, nbf is still ahead
	decodeUnknownKid     = "unknown-kid"     // no realm has a key with that kid for that alg
	decodeBadSignature   = "bad-signature"   // a realm has the key, the signature does not verify
	decodeAlgNone        = "alg-none"        // unsigned
	decodeUnsupportedAlg = "unsupported-alg" // an alg no kcmock key signs with
	decodeNotJWT         = "not-a-jwt"       // not a compact JWS with JSON header and claims
)

// decodeResult is the decoder's answer (the JSON of POST /_kcmock/decode).
type decodeResult struct {
	Status string `json:"status"`
	// Verified is Status == "verified"; Signature says whether a realm key verified the
	// signature, whatever the times say.
	Verified  bool   `json:"verified"`
	Signature bool   `json:"signature"`
	Message   string `json:"message"`
	Realm     string `json:"realm,omitempty"`
	Kid       string `json:"kid,omitempty"`
	Alg       string `json:"alg,omitempty"`
	// Key is "active", "passive" (a published signing key that no longer signs) or "hmac"
	// (the realm's refresh-token key, never published).
	Key    string          `json:"key,omitempty"`
	Header json.RawMessage `json:"header,omitempty"`
	Claims json.RawMessage `json:"claims,omitempty"`
	Notes  []string        `json:"notes,omitempty"`
	Now    int64           `json:"now"` // the server clock the times were checked against
}

// decodeClaims are the claims the decoder checks. A claim of the wrong JSON type reads as
// absent: the decoder shows forged tokens rather than refusing to.
type decodeClaims struct {
	Exp, Nbf, Iat      int64
	Iss, Typ, Sid, JTI string
}

// readClaims reads the claims the decoder checks from a payload that is a JSON object.
func readClaims(payload []byte) (*decodeClaims, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil || m == nil {
		return nil, false
	}
	num := func(k string) int64 {
		var f float64
		_ = json.Unmarshal(m[k], &f)
		return int64(f)
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(m[k], &s)
		return s
	}
	return &decodeClaims{Exp: num("exp"), Nbf: num("nbf"), Iat: num("iat"),
		Iss: str("iss"), Typ: str("typ"), Sid: str("sid"), JTI: str("jti")}, true
}

// decodeToken says what a token holds and whether a key of the running scenario verifies it.
// It checks what kcmock controls (its keys, its clock, its realms' not-before, revocations,
// sessions); audience and issuer are the resource server's business and are only noted.
func (s *Server) decodeToken(raw string) decodeResult {
	now := s.clock.Now()
	res := decodeResult{Now: now.Unix()}
	hdr, payload, err := tokens.Peek(raw)
	if err != nil {
		res.Status, res.Message = decodeNotJWT, "not a JWT: "+strings.TrimPrefix(err.Error(), "tokens: ")
		if strings.Count(raw, ".") == 4 {
			res.Message += " (five parts make an encrypted JWE, which kcmock never issues)"
		}
		return res
	}
	res.Kid, res.Alg = hdr.Kid, hdr.Alg
	res.Header = rawHeader(raw)
	claims, ok := readClaims(payload)
	if !ok {
		res.Status, res.Message = decodeNotJWT, "not a JWT: the payload is not a JSON object of claims"
		return res
	}
	res.Claims = payload
	realm := issuerRealm(claims.Iss)
	v, why := s.verifyAnyRealm(&res, hdr, raw, realm)
	if v == nil {
		res.Message = why
		return res
	}
	res.Signature = true
	exp, nbf := claims.Exp, claims.Nbf
	switch {
	case exp != 0 && now.Unix() > exp:
		res.Status = decodeExpired
		res.Message = fmt.Sprintf("%s, but it expired at %s, %s before the server clock's %s", why,
			unixUTC(exp), time.Duration(now.Unix()-exp)*time.Second, now.UTC().Format(time.RFC3339))
	case nbf != 0 && now.Unix() < nbf:
		res.Status = decodeNotYetValid
		res.Message = fmt.Sprintf("%s, but it is not valid before %s (server clock %s)", why,
			unixUTC(nbf), now.UTC().Format(time.RFC3339))
	default:
		res.Status, res.Verified = decodeVerified, true
		res.Message = why
	}
	s.decodeNotes(&res, claims, realm, now)
	return res
}

// verifyAnyRealm tries the keys of every realm that has the header's kid, the realm the
// issuer names first (tests often pin the same key in several realms). why explains the
// result: which key verified, or why none did.
func (s *Server) verifyAnyRealm(res *decodeResult, hdr tokens.Header, raw, issRealm string) (*tokens.Verified, string) {
	st := s.state.Load()
	order := make([]*realmState, 0, len(st.realms))
	if rs := st.realms[issRealm]; rs != nil {
		order = append(order, rs)
	}
	for _, r := range st.scenario.Realms {
		if rs := st.realms[r.Name]; rs != nil && r.Name != issRealm {
			order = append(order, rs)
		}
	}
	switch {
	case strings.EqualFold(hdr.Alg, "none"):
		res.Status = decodeAlgNone
		return nil, `alg "` + hdr.Alg + `": the token is not signed, and Keycloak never accepts it`
	case strings.HasPrefix(hdr.Alg, "HS"):
		return verifyHMACAnyRealm(res, hdr, raw, order)
	case hdr.Kid == "":
		res.Status = decodeUnknownKid
		return nil, "the header has no kid: Keycloak picks the key by kid and refuses a token without one"
	}
	var misfit string
	for _, rs := range order {
		k := rs.keys.Lookup(hdr.Kid)
		if k == nil {
			continue
		}
		if k.Alg != hdr.Alg {
			misfit = fmt.Sprintf(" (realm %s has a key with kid %s, but for %s)", rs.model.Name, hdr.Kid, k.Alg)
			continue
		}
		v, err := rs.keys.VerifyAccess(raw)
		res.Realm = rs.model.Name
		if err != nil {
			return nil, verifyFailure(res, err, fmt.Sprintf("realm %s's %s key %s", rs.model.Name, k.Alg, hdr.Kid))
		}
		res.Key = "passive"
		if k == rs.keys.Active {
			res.Key = "active"
		}
		return v, fmt.Sprintf("signed with the %s signing key of realm %s (kid %s, %s)", res.Key, rs.model.Name, hdr.Kid, k.Alg)
	}
	if !slices.Contains(tokens.SupportedAlgorithms(), hdr.Alg) {
		res.Status = decodeUnsupportedAlg
		return nil, fmt.Sprintf("alg %q is not one kcmock's keys sign with", hdr.Alg)
	}
	res.Status = decodeUnknownKid
	return nil, fmt.Sprintf("no realm has a %s signing key with kid %q%s; keys a scenario does not pin are generated anew at every start and reload, and a deleted key no longer verifies",
		hdr.Alg, hdr.Kid, misfit)
}

// verifyHMACAnyRealm checks a token against the realms' HMAC keys: kcmock signs its refresh
// tokens (and logout confirmations) with them, always HS512, and never publishes them, so only
// kcmock can check such a token.
func verifyHMACAnyRealm(res *decodeResult, hdr tokens.Header, raw string, order []*realmState) (*tokens.Verified, string) {
	if hdr.Alg != "HS512" {
		res.Status = decodeUnsupportedAlg
		return nil, fmt.Sprintf("alg %q: kcmock's only HMAC keys are the realms' refresh-token keys, which are HS512", hdr.Alg)
	}
	for _, rs := range order {
		if rs.keys.HMAC == nil || rs.keys.HMAC.KID != hdr.Kid {
			continue
		}
		res.Realm, res.Key = rs.model.Name, "hmac"
		v, err := rs.keys.VerifyHMAC(raw)
		if err != nil {
			return nil, verifyFailure(res, err, "realm "+rs.model.Name+"'s HMAC key (refresh tokens) "+hdr.Kid)
		}
		return v, fmt.Sprintf("signed with the HMAC key of realm %s (kid %s, HS512; the refresh-token key, never published, so only kcmock can check it)", rs.model.Name, hdr.Kid)
	}
	res.Status = decodeUnknownKid
	return nil, fmt.Sprintf("checked as a refresh token: no realm has an HMAC key with kid %q (keys not pinned are generated anew at every start and reload)", hdr.Kid)
}

// verifyFailure sets the status for a key that exists but does not verify the token.
func verifyFailure(res *decodeResult, err error, key string) string {
	switch {
	case errors.Is(err, tokens.ErrBadSignature):
		res.Status = decodeBadSignature
		return "bad signature: " + key + " does not verify it (forged or altered)"
	case errors.Is(err, tokens.ErrMalformed):
		res.Status = decodeNotJWT
		return "not a JWT kcmock accepts: " + strings.TrimPrefix(err.Error(), "tokens: ")
	}
	res.Status = decodeUnsupportedAlg
	return key + ": " + strings.TrimPrefix(err.Error(), "tokens: ")
}

// decodeNotes adds what else kcmock knows of a signed token: a realm other than the issuer's,
// the realm's not-before, a revocation, the state of its session.
func (s *Server) decodeNotes(res *decodeResult, claims *decodeClaims, issRealm string, now time.Time) {
	rs := s.state.Load().realms[res.Realm]
	if rs == nil {
		return
	}
	r := rs.model
	note := func(format string, args ...any) { res.Notes = append(res.Notes, fmt.Sprintf(format, args...)) }
	switch {
	case claims.Iss == "":
		note("no iss claim")
	case issRealm != r.Name:
		note("iss %s does not name realm %s, whose key signed it: kcmock's endpoints would refuse it", claims.Iss, r.Name)
	}
	if r.NotBefore > 0 && claims.Iat < r.NotBefore {
		note("issued before realm %s's not-before (%s): refused", r.Name, unixUTC(r.NotBefore))
	}
	if claims.JTI != "" && s.revoked.has(claims.JTI, now) {
		note("revoked (jti %s was revoked at /revoke)", claims.JTI)
	}
	if claims.Typ != "" {
		note("typ %s%s", claims.Typ, typName(claims.Typ))
	}
	if claims.Sid == "" {
		return
	}
	for _, offline := range []bool{false, true} {
		us := s.sessions.peek(r.Name, claims.Sid, offline)
		if us == nil {
			continue
		}
		kind := "user session"
		if offline {
			kind = "offline session"
		}
		if sessionValid(r, us, now) {
			note("%s %s is live", kind, claims.Sid)
		} else {
			note("%s %s has expired", kind, claims.Sid)
		}
		return
	}
	note("session %s not found: ended (logout, control API), expired, or from before a restart", claims.Sid)
}

// typName says what a Keycloak typ claim value means.
func typName(typ string) string {
	switch typ {
	case "Bearer":
		return ": an access token"
	case "ID":
		return ": an ID token"
	case "Refresh":
		return ": a refresh token"
	case "Offline":
		return ": an offline refresh token"
	case "Logout":
		return ": a logout token"
	}
	return ""
}

// rawHeader is the token's header as sent (Peek has checked that it is a JSON object).
func rawHeader(raw string) json.RawMessage {
	seg, _, _ := strings.Cut(raw, ".")
	b, err := base64RawURL(seg)
	if err != nil || !json.Valid(b) {
		return nil
	}
	return b
}

// issuerRealm is the realm name at the end of an issuer URL (".../realms/NAME"), or "".
func issuerRealm(iss string) string {
	i := strings.LastIndex(iss, "/realms/")
	if i < 0 {
		return ""
	}
	return iss[i+len("/realms/"):]
}

func unixUTC(sec int64) string { return time.Unix(sec, 0).UTC().Format(time.RFC3339) }
