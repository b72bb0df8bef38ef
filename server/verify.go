package server

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// accessClaims are the access-token claims kcmock reads back from an incoming token.
type accessClaims struct {
	Exp   int64           `json:"exp"`
	Nbf   int64           `json:"nbf"`
	Iat   int64           `json:"iat"`
	JTI   string          `json:"jti"`
	Iss   string          `json:"iss"`
	Aud   json.RawMessage `json:"aud"`
	Sub   string          `json:"sub"`
	Typ   string          `json:"typ"`
	Azp   string          `json:"azp"`
	Sid   string          `json:"sid"`
	Scope string          `json:"scope"`
}

// audiences reads aud, a string or an array.
func (a *accessClaims) audiences() []string {
	if len(a.Aud) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(a.Aud, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(a.Aud, &many)
	return many
}

// sessionCode is the two-letter session type at the start of a 26.2+ access-token jti.
func (a *accessClaims) sessionCode() string {
	if i := strings.IndexByte(a.JTI, ':'); i == 6 {
		return a.JTI[:2]
	}
	return "un"
}

// grantCode is the two-letter grant at the end of a 26.2+ access-token jti's prefix ("te" for
// a token exchange), "" for a plain jti.
func (a *accessClaims) grantCode() string {
	if i := strings.IndexByte(a.JTI, ':'); i == 6 {
		return a.JTI[4:6]
	}
	return ""
}

// verifiedAccess is a live access token with what it refers to.
type verifiedAccess struct {
	raw     []byte // the payload
	claims  *accessClaims
	client  *scenarios.Client // azp
	user    *scenarios.User
	session *userSession // nil for transient sessions
}

// hasScopeClaim reports whether the token has a scope claim at all (an empty one counts).
func (v *verifiedAccess) hasScopeClaim() bool {
	var c struct {
		Scope *string `json:"scope"`
	}
	return json.Unmarshal(v.raw, &c) == nil && c.Scope != nil
}

// verifyAccessToken is AuthenticationManager.verifyIdentityToken for access tokens, without an
// audience check: signature by a realm key, a subject, issuer, type Bearer, not expired and not before the
// realm's not-before, not revoked, the azp client known and enabled, the user session alive
// with a client session for azp (tokens of transient sessions or transient client sessions
// carry their own), the user present and enabled. reason says which check failed.
func (s *Server) verifyAccessToken(c *call, raw string) (v *verifiedAccess, reason string) {
	tok, err := c.realm.keys.VerifyAccess(raw)
	if err != nil {
		return nil, "signature: " + err.Error()
	}
	var ac accessClaims
	if err := json.Unmarshal(tok.Payload, &ac); err != nil {
		return nil, "payload is not a token"
	}
	r := c.realm.model
	switch {
	case ac.Sub == "": // TokenVerifier's default checks start with SUBJECT_EXISTS_CHECK
		return nil, "the token has no sub (its client lacks a sub mapper, such as the basic scope's)"
	case ac.Iss != c.issuer():
		return nil, "issuer " + ac.Iss + " is not " + c.issuer()
	case ac.Typ != "Bearer":
		return nil, "token type " + ac.Typ + " is not Bearer"
	case ac.Exp != 0 && c.now.Unix() > ac.Exp:
		return nil, "token expired"
	case ac.Nbf != 0 && c.now.Unix() < ac.Nbf: // TokenVerifier.IS_ACTIVE checks nbf too
		return nil, "token not yet valid"
	case r.NotBefore > 0 && ac.Iat < r.NotBefore:
		return nil, "token issued before the realm's not-before"
	case s.revoked.has(ac.JTI, c.now):
		return nil, "token revoked"
	}
	client := r.Client(ac.Azp)
	if client == nil || !client.Enabled {
		return nil, "client " + ac.Azp + " unknown or disabled"
	}
	v = &verifiedAccess{raw: tok.Payload, claims: &ac, client: client}
	code := ac.sessionCode()
	if ac.Sid != "" && code != "tr" {
		offline := code == "of" || code == "ft"
		us := s.sessions.get(r, ac.Sid, offline)
		if us == nil && code == "un" {
			// Before 26.2 the jti says nothing: an offline session with that id also does.
			us = s.sessions.get(r, ac.Sid, true)
		}
		if us == nil {
			return nil, "user session not found"
		}
		transientClient := code == "nt" || code == "ft"
		if !transientClient && !s.sessions.hasClient(us, ac.Azp) {
			return nil, "user session has no client session for " + ac.Azp
		}
		v.session = us
	}
	v.user = s.userByID(r, ac.Sub)
	if v.user == nil && v.session != nil {
		v.user = s.userByID(r, v.session.userID)
	}
	if v.user == nil {
		return nil, "user not found"
	}
	if !v.user.Enabled {
		return nil, "user disabled"
	}
	return v, ""
}

// revokedStore holds the jtis of revoked access tokens until they expire.
type revokedStore struct {
	mu  sync.Mutex
	jti map[string]int64 // jti → exp
}

func (rs *revokedStore) has(jti string, now time.Time) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	exp, ok := rs.jti[jti]
	if ok && exp != 0 && now.Unix() > exp {
		delete(rs.jti, jti)
		return false
	}
	return ok
}

func (rs *revokedStore) add(jti string, exp int64) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.jti == nil {
		rs.jti = map[string]int64{}
	}
	rs.jti[jti] = exp
}
