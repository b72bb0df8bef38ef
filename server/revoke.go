package server

import "net/http"

// errRevokeInvalidToken is TokenRevocationEndpoint's answer for a token it cannot use: an
// error body with status 200, so that (RFC 7009 §2.2) revoking garbage looks like success to
// a client that checks the status only.
func errRevokeInvalidToken(why string) *OAuthError {
	return oauthErr(http.StatusOK, "invalid_token", "Invalid token").because("revocable token", why)
}

// revoke is POST /protocol/openid-connect/revoke (TokenRevocationEndpoint); every outcome goes
// to the journal.
func (s *Server) revoke(c *call) error {
	d := &decision{}
	err := s.revokeDecide(c, d)
	s.record(c, "revoke", d, err)
	return err
}

// revokeDecide runs the checks in TokenRevocationEndpoint's order: realm, client
// authentication as the token endpoint does it, bearer-only, duplicated parameters, token,
// type, azp, session. A refresh or offline token takes its client session away (and the user
// session with its last client); an access token goes on the revoked list until it expires.
func (s *Server) revokeDecide(c *call, d *decision) error {
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	r := c.realm.model
	if !r.Enabled {
		corsEcho(c, true, true)
		return errRealmDisabled()
	}
	client, oe := authorizeClient(c, d, form)
	if oe != nil {
		return oe
	}
	for _, v := range form {
		if len(v) > 1 {
			return errDuplicated()
		}
	}
	raw, ok := form["token"]
	if !ok {
		return errInvalidRequest("Token not provided")
	}
	// session.tokens().decode checks the signature only: expired tokens can be revoked.
	pc, why := decodePresented(c, raw[0])
	if pc == nil {
		return errRevokeInvalidToken(why)
	}
	switch pc.Typ {
	case "Refresh", "Offline", "Bearer", "DPoP":
	default:
		return oauthErr(http.StatusBadRequest, "unsupported_token_type", "Unsupported token type").
			because("revocable token", "token type "+pc.Typ+" is not Refresh, Offline, Bearer or DPoP")
	}
	if pc.Azp == "" {
		return errRevokeInvalidToken("the token has no azp")
	}
	if pc.Azp != client.ClientID {
		return errInvalidRequest("Unmatching clients").because("revocation by the token's client", "the token was issued to "+pc.Azp)
	}
	// findValidSessionForAccessToken, also for refresh tokens: their plain ids read as
	// "unknown" session type, which looks online, then offline.
	ts, code := s.findValidSession(c, pc, accessSessionType(pc), client.ClientID)
	switch {
	case code != "":
		return errRevokeInvalidToken("session " + pc.Sid + ": " + code)
	case ts.user == nil:
		return errRevokeInvalidToken("the session's user no longer exists")
	}
	d.user = ts.user.Username
	if pc.Typ == "Refresh" || pc.Typ == "Offline" {
		s.revokeClientSession(c, pc, client.ClientID)
	} else {
		s.revoked.add(pc.JTI, pc.Exp)
		if us := s.sessions.get(r, pc.Sid, false); pc.Sid != "" && us != nil {
			s.sessions.detachExchanged(us, client.ClientID)
		}
	}
	// 200 without a body or a content type (allowEmptyContentType).
	return c.NoContent(http.StatusOK)
}

// revokeClientSession is TokenRevocationEndpoint.revokeClientSession: an offline token leaves
// its offline session; the online session of the same id always loses the client too, so
// that access tokens issued from it stop working, and with it every client session that got
// tokens of this client by standard exchange (the revocation chain). A user session left
// without clients ends.
func (s *Server) revokeClientSession(c *call, pc *presentedClaims, clientID string) {
	r := c.realm.model
	if pc.Typ == "Offline" {
		if us := s.sessions.get(r, pc.Sid, true); us != nil {
			s.sessions.dropClient(us, clientID)
		}
	}
	if us := s.sessions.get(r, pc.Sid, false); us != nil && s.sessions.hasClient(us, clientID) {
		s.sessions.detachClient(us, clientID)
		s.sessions.detachExchanged(us, clientID)
		s.sessions.removeIfEmpty(us)
	}
}
