package server

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// standardExchange is StandardTokenExchangeProvider (Keycloak 26.2+), readable top to bottom in
// Keycloak's check order (P1…P13 of the reference notes).
func (s *Server) standardExchange(tr *tokenRequest) error {
	r, requester := tr.realm.model, tr.client

	// P1: the subject token must be a live access token of this realm.
	subject, reason := s.verifyAccessToken(tr.call, tr.form.Get("subject_token"))
	if subject == nil {
		return errInvalidRequest("Invalid token").because("standard exchange P1: subject token verification", "the subject token is not a live access token of realm "+r.Name+": "+reason)
	}

	// P3: the requested token type; absent means an access token. An empty value is not
	// absent: Keycloak's form parser keeps it, and "" is no token type it accepts.
	requested := tr.form.Get("requested_token_type")
	if !tr.form.Has("requested_token_type") {
		requested = tokenTypeAccess
	}
	switch requested {
	case tokenTypeAccess, tokenTypeID, tokenTypeSAML2:
	case tokenTypeRefresh:
		if !standardRefreshAllowed(requester) {
			return errInvalidRequest("requested_token_type unsupported").because("standard exchange P3: requested token type",
				"a refresh token needs "+requester.ClientID+"'s "+attrStandardExchangeRefresh+" = SAME_SESSION and use.refresh.tokens on")
		}
	default:
		return errInvalidRequest("requested_token_type unsupported").because("standard exchange P3: requested token type",
			strconv.Quote(requested)+" is not an access, ID or refresh token type")
	}

	// P4: every audience names a client of the realm, in request order.
	audience := tr.form["audience"]
	targets := make([]*scenarios.Client, 0, len(audience))
	for _, a := range audience {
		c := r.Client(a)
		if c == nil {
			return oauthErr(http.StatusBadRequest, "invalid_client", "Audience not found").because("standard exchange P4: audience clients exist", "realm "+r.Name+" has no client "+a)
		}
		targets = append(targets, c)
	}

	// P5–P7: the requester and the audience clients.
	if requester.PublicClient {
		return oauthErr(http.StatusBadRequest, "invalid_client", "Public client is not allowed to exchange token").because("standard exchange P5: confidential requester", requester.ClientID+" is a public client")
	}
	for _, c := range targets {
		if !c.Enabled {
			return oauthErr(http.StatusBadRequest, "invalid_client", "Client disabled").because("standard exchange P6: audience clients enabled", "audience client "+c.ClientID+" is disabled")
		}
	}
	if subject.claims.Azp != requester.ClientID && !containsString(subject.claims.audiences(), requester.ClientID) {
		return oauthErr(http.StatusForbidden, "access_denied", "Client is not within the token audience").because("standard exchange P7: requester holds the token or is in its audience",
			requester.ClientID+" is neither the subject token's azp ("+subject.claims.Azp+") nor in its aud "+strings.Join(subject.claims.audiences(), ","))
	}

	// P8: scopes are the requester's, as in any of its own logins.
	asked, err := requestScopes(requester, tr.form)
	scopes := asked
	if err != nil {
		var oe *OAuthError
		if errors.As(err, &oe) {
			oe.because("standard exchange P8: scopes of the requester", "the scope parameter names a scope that is neither a default nor an optional client scope of "+requester.ClientID)
		}
		return err
	}

	// P9–P11: what cannot be issued.
	if requested == tokenTypeSAML2 {
		return errInvalidRequest("requested_token_type unsupported").because("standard exchange P9: SAML", "the standard exchange issues no SAML assertions")
	}
	refresh := requested == tokenTypeRefresh
	us := subject.session
	// A subject token that was itself exchanged into a transient client session ("nt") is
	// verified against a transient copy of its user session (UserSessionUtil.findValidSession),
	// which can hold no new client session and hands its result the same marker.
	transientCopy := subject.claims.sessionCode() == "nt"
	if refresh && (us == nil || us.offline || transientCopy) {
		return errInvalidRequest("Refresh token not valid as requested_token_type because creating a new session is needed").
			because("standard exchange P10: refresh token in the same session", "the subject token belongs to a transient or offline session, or was itself exchanged into a transient client session, and the exchange never creates a session")
	}
	u := subject.user
	// With a refresh token Keycloak computes the scopes before the audience is known, so the
	// audience does not filter them (it still filters aud and resource_access).
	if refresh {
		scopes = scopes.Permitted(u, nil)
	} else {
		scopes = scopes.Permitted(u, audience)
	}
	if refresh && scopes.Has("offline_access") {
		return errInvalidRequest("Scope offline_access not allowed for token exchange").because("standard exchange P11: no offline tokens", "offline_access is among the effective scopes of a refresh-token exchange")
	}

	// P12: a consent-required requester needs the user's consent to every shown scope.
	if requester.ConsentRequired && !consented(u, requester, scopes) {
		return errInvalidScope("Missing consents for Token Exchange in client "+requester.ClientID).
			because("standard exchange P12: consent", "user "+u.Username+" has not granted "+requester.ClientID+" consent for every shown scope")
	}

	req := &mint.Request{
		Realm: r, Client: requester, User: u, Scopes: scopes, Issuer: tr.issuer(), Now: tr.now,
		Grant: mint.GrantTokenExchange, Audience: audience,
		Session: exchangeSession(r, us, requester, refresh, transientCopy, tr),
	}
	if req.Session.Kind == mint.Online {
		req.Session.OfflineRequested = asked.Has("offline_access")
		// The requester's client session remembers where its tokens came from, for the
		// revocation chain; a transient client session keeps nothing.
		s.sessions.noteExchange(us, requester.ClientID, subject.claims.Azp, subject.claims.grantCode() == mint.GrantTokenExchange)
	}
	access := s.builder.Access(req)

	// P13: every requested audience must have survived into aud.
	if missing := missingAudience(audience, access.Aud); len(missing) > 0 {
		if tr.createdClientSession {
			s.sessions.detachClient(us, requester.ClientID) // removeAuthenticatedClientSessions
		}
		return errInvalidRequest("Requested audience not available: "+strings.Join(missing, ", ")).because("standard exchange P13: requested audience in aud",
			"user "+u.Username+" has no role of "+strings.Join(missing, ", ")+" in "+requester.ClientID+"'s scope, so no such audience can be in the token")
	}
	if refresh {
		// Issuing the refresh token refreshes the sessions (generateRefreshToken), once the
		// request has passed every check.
		s.sessions.touch(us, requester.ClientID, tr.now)
	}
	return s.respondExchange(tr, req, access, requested, refresh)
}

// exchangeSession is the session the exchanged token lives in: the subject's user session
// (never a new one), with the requester's client session if it has one (or gets one, for a
// refresh token), a transient client session otherwise, and always for a subject whose
// session is a transient copy; no session for transient subjects.
func exchangeSession(r *scenarios.Realm, us *userSession, requester *scenarios.Client, refresh, transientCopy bool, tr *tokenRequest) mint.Session {
	if us == nil {
		return mint.Session{Kind: mint.Transient, Acr: "1"}
	}
	kind := mint.OnlineTransientClient
	switch {
	case us.offline:
		kind = mint.OfflineTransientClient
	case transientCopy:
	case refresh:
		tr.createdClientSession = tr.sessions.addClient(us, requester.ClientID, tr.now)
		kind = mint.Online
	case tr.sessions.hasClient(us, requester.ClientID):
		kind = mint.Online
	}
	acr := "1"
	if kind == mint.Online { // the requester's own client session: "0" if it came by SSO
		acr = tr.sessions.acr(us, requester.ClientID)
	}
	return mint.Session{
		ID: us.id, Kind: kind, AuthTime: us.authTime, Acr: acr, Notes: us.notes,
		AccessCap: accessCap(r, us), RefreshExp: refreshExpiry(r, us, tr.now),
	}
}

// consented checks the user's granted consents against every effective scope shown on the
// consent screen (display.on.consent.screen, true unless set false), and the requester itself
// when its own display.on.consent.screen is on.
func consented(u *scenarios.User, c *scenarios.Client, scopes mint.Scopes) bool {
	granted := map[string]bool{}
	for _, s := range u.Consents[c.ClientID] {
		granted[s] = true
	}
	if c.AttrBool("display.on.consent.screen", false) && !granted[c.ClientID] {
		return false
	}
	for _, s := range scopes.Granted {
		if s.Attributes["display.on.consent.screen"] != "false" && !granted[s.Name] {
			return false
		}
	}
	return true
}

// missingAudience lists the requested audiences absent from aud, sorted (Keycloak's order is a
// hash set's; kcmock's is stable).
func missingAudience(requested, aud []string) []string {
	have := map[string]bool{}
	for _, a := range aud {
		have[a] = true
	}
	var missing []string
	seen := map[string]bool{}
	for _, a := range requested {
		if !have[a] && !seen[a] {
			seen[a] = true
			missing = append(missing, a)
		}
	}
	sort.Strings(missing)
	return missing
}

// respondExchange signs the exchanged tokens and writes the RFC 8693 response: for an ID token
// the ID token goes in access_token with token_type N_A; issued_token_type always.
func (s *Server) respondExchange(tr *tokenRequest, req *mint.Request, access *tokens.Claims, requested string, refresh bool) error {
	idOnly := requested == tokenTypeID
	id := idIf(req.Scopes.OpenID)
	if idOnly {
		id = idTokenAlone
	}
	sg, err := s.sign(tr, req, access, refresh, id)
	if err != nil {
		return err
	}
	res := tr.response(req, sg)
	res.issuedTokenType = requested
	if idOnly {
		res.accessToken, res.idToken, res.tokenType = sg.idJWT, "", "N_A"
	}
	return tr.JSONBlob(http.StatusOK, res.json())
}
