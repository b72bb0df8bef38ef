package server

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens/mint"
)

// Keycloak's event error codes (org.keycloak.events.Errors) that the session lookup reports;
// userinfo sends them verbatim as error_description.
const (
	errCodeSessionNotFound = "user_session_not_found"
	errCodeSessionExpired  = "session_expired"
	errCodeInvalidToken    = "invalid_token"
	errCodeUserNotFound    = "user_not_found"
	errCodeUserDisabled    = "user_disabled"
)

// presentedClaims are the claims of a token handed to a session endpoint: an access, refresh
// or ID token of any kind.
type presentedClaims struct {
	accessClaims
	Nonce *string `json:"nonce"`
	Acr   string  `json:"acr"`
}

// decodePresented verifies a token with whichever realm key its header names, the way
// Keycloak's session.tokens().decode picks the verifier by alg and kid: signing keys for
// access and ID tokens, the HMAC key for refresh tokens. Nothing else is checked; why says
// what failed.
func decodePresented(c *call, raw string) (pc *presentedClaims, why string) {
	keys := c.realm.keys
	v, err := keys.VerifyAccess(raw)
	if err != nil {
		if v, err = keys.VerifyHMAC(raw); err != nil {
			return nil, "the token does not verify with a key of realm " + c.realm.model.Name
		}
	}
	pc = &presentedClaims{}
	if json.Unmarshal(v.Payload, pc) != nil {
		return nil, "the token's payload is not a JSON object of claims"
	}
	return pc, ""
}

// inactiveWhy is TokenVerifier.IS_ACTIVE: "" when not expired (exp 0 never expires) and past
// nbf.
func (pc *presentedClaims) inactiveWhy(now time.Time) string {
	switch {
	case pc.Exp != 0 && now.Unix() > pc.Exp:
		return "the token expired"
	case pc.Nbf != 0 && now.Unix() < pc.Nbf:
		return "the token is not valid yet (nbf)"
	}
	return ""
}

// sessionType is AccessTokenContext.SessionType: where the session of a token may be found.
type sessionType struct{ transientUser, online, offline, transientClient bool }

// sessionTypes by the two-letter code of a 26.2+ access-token jti; "un" (no code) is how
// Keycloak reads older ids and every refresh token id.
var sessionTypes = map[string]sessionType{
	"on": {online: true},
	"of": {offline: true},
	"tr": {transientUser: true},
	"nt": {online: true, transientClient: true},
	"ft": {offline: true, transientClient: true},
	"un": {transientUser: true, online: true, offline: true},
}

// accessSessionType is the session type an access token's jti encodes.
func accessSessionType(pc *presentedClaims) sessionType {
	if st, ok := sessionTypes[pc.sessionCode()]; ok {
		return st
	}
	return sessionTypes["un"]
}

// tokenSession is what UserSessionUtil.findValidSession settles on: the user session (nil for
// a transient one) and its user (nil when the user is gone).
type tokenSession struct {
	us   *userSession
	user *scenarios.User
}

// findValidSession is UserSessionUtil.findValidSession: a token without sid gets a transient
// session when its type allows (the user looked up by sub), otherwise the online and then the
// offline session with that id, which must hold a client session for clientID (unless the
// type allows a transient client session) and must not have started after the token was
// issued. The failure is Keycloak's event error code.
func (s *Server) findValidSession(c *call, pc *presentedClaims, st sessionType, clientID string) (tokenSession, string) {
	r := c.realm.model
	if pc.Sid == "" {
		if !st.transientUser {
			return tokenSession{}, errCodeSessionNotFound
		}
		u := r.UserByID(pc.Sub)
		switch {
		case u == nil:
			return tokenSession{}, errCodeUserNotFound
		case !u.Enabled:
			return tokenSession{}, errCodeUserDisabled
		}
		return tokenSession{user: u}, ""
	}
	found := false
	for _, offline := range []bool{false, true} {
		if offline && !st.offline || !offline && !st.online {
			continue
		}
		us := s.sessions.peek(r.Name, pc.Sid, offline)
		if us != nil && !st.transientClient {
			started, ok := s.sessions.clientStarted(us, clientID)
			if !ok {
				us = nil // getUserSessionIfClientExists
			} else if issuedBefore(pc.Iat, started) {
				return tokenSession{}, errCodeInvalidToken
			}
		}
		if us == nil {
			continue
		}
		found = true
		if sessionValid(r, us, c.now) {
			if issuedBefore(pc.Iat, us.started) {
				return tokenSession{}, errCodeInvalidToken
			}
			return tokenSession{us: us, user: r.UserByID(us.userID)}, ""
		}
	}
	if !found {
		return tokenSession{}, errCodeSessionNotFound
	}
	return tokenSession{}, errCodeSessionExpired
}

// issuedBefore is JsonWebToken.isIssuedBeforeSessionStart, which allows one second of skew.
func issuedBefore(iat int64, started time.Time) bool { return iat+1 < started.Unix() }

// peek returns a stored session, live or expired, without dropping it: Keycloak tells an
// expired session (session_expired) from a missing one (user_session_not_found).
func (st *sessionStore) peek(realm, id string, offline bool) *userSession {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.byKey[sessionKey{realm, id, offline}]
}

// clientStarted reports when the session's client session for clientID started.
func (st *sessionStore) clientStarted(us *userSession, clientID string) (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := us.clients[clientID]
	if cs == nil {
		return time.Time{}, false
	}
	return cs.started, true
}

// rebuildRequest is what Keycloak's userinfo and introspection rebuild from a token with
// DefaultClientSessionContext.fromClientSessionAndScopeParameter: the client's default scopes
// plus the optional ones the token's scope names, kept when permitted for the user, in the
// token's session (a transient one without notes when the token has no sid).
func rebuildRequest(c *call, pc *presentedClaims, client *scenarios.Client, ts tokenSession) *mint.Request {
	names := strings.Fields(pc.Scope)
	var optional []string
	for _, n := range names {
		for _, o := range client.OptionalScopes {
			if o.Name == n {
				optional = append(optional, n)
			}
		}
	}
	scopes, _ := mint.RequestScopes(client, strings.Join(optional, " "))
	scopes = scopes.Permitted(ts.user, nil)
	scopes.OpenID = containsString(names, mint.ScopeOpenID)
	// The acr mapper reads the client session's level of authentication; kcmock keeps it in
	// the token only.
	acr := pc.Acr
	if acr == "" {
		acr = "1"
	}
	session := mint.Session{Kind: mint.Transient, Acr: acr}
	if us := ts.us; us != nil {
		kind := mint.Online
		if us.offline {
			kind = mint.Offline
		}
		session = mint.Session{ID: us.id, Kind: kind, AuthTime: us.authTime, Acr: acr, Notes: us.notes}
	}
	return &mint.Request{
		Realm: c.realm.model, Client: client, User: ts.user, Scopes: scopes, Issuer: pc.Iss, Now: c.now,
		Session: session,
	}
}
