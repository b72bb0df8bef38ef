package server

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// inactiveJSON is the answer for every token introspection does not vouch for.
var inactiveJSON = []byte(`{"active":false}`)

// introspectionHints are the token_type_hint values with an introspection provider in a
// default Keycloak 26: access_token (also the default), refresh_token, and the authorization
// services' requesting_party_token (an access token).
var introspectionHints = map[string]bool{"access_token": false, "requesting_party_token": false, "refresh_token": true}

// introspect is POST /protocol/openid-connect/token/introspect (TokenIntrospectionEndpoint).
// The journal records an inactive token as refused (with status 200), with the reason.
func (s *Server) introspect(c *call) error {
	d := &decision{}
	body, why, err := s.introspectDecide(c, d)
	if err == nil && why != "" {
		s.record(c, "introspect", d, (&OAuthError{Status: http.StatusOK}).because("token inactive", why))
	} else {
		s.record(c, "introspect", d, err)
	}
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

// introspectDecide runs the endpoint's checks in its order: realm, client authentication (any
// failure is "Authentication failed."), public clients, duplicated parameters, token, hint.
// Keycloak 26.4 does not require the introspecting client to be in the token's aud; that
// check arrived later (reported for 26.7).
func (s *Server) introspectDecide(c *call, d *decision) (body []byte, why string, err error) {
	// No @Consumes here: a body of another type reads as an empty form.
	form := url.Values{}
	if ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		if form, err = readForm(c.Request()); err != nil {
			return nil, "", err
		}
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	r := c.realm.model
	if !r.Enabled {
		return nil, "", errRealmDisabled()
	}
	creds := readClientCredentials(c.Request().Header.Get("Authorization"), form)
	d.client = creds.clientID
	client, oe := authenticateClient(r, creds)
	if oe != nil {
		return nil, "", oauthErr(http.StatusUnauthorized, "invalid_request", "Authentication failed.").because(oe.Rule, oe.Why)
	}
	if client.PublicClient {
		return nil, "", oauthErr(http.StatusForbidden, "invalid_request", "Client not allowed.").
			because("introspection by confidential clients only", client.ClientID+" is a public client")
	}
	for _, v := range form {
		if len(v) > 1 {
			return nil, "", errDuplicated()
		}
	}
	hint := "access_token"
	if v, ok := form["token_type_hint"]; ok {
		hint = v[0]
	}
	tok, ok := form["token"]
	if !ok {
		return nil, "", errInvalidRequest("Token not provided.")
	}
	refresh, known := introspectionHints[hint]
	if !known {
		// Later releases drop the hint from this text ("Unsupported token type.").
		return nil, "", errInvalidRequest("Unsupported token type [" + hint + "].")
	}
	return s.introspection(c, d, tok[0], refresh)
}

// introspection is AccessTokenIntrospectionProvider (RefreshTokenIntrospectionProvider when
// refresh): the checks of introspectionChecks, then the token re-derived from the session. why
// says why a token is inactive.
func (s *Server) introspection(c *call, d *decision, raw string, refresh bool) (body []byte, why string, err error) {
	r := c.realm.model
	// TokenVerifier with realmUrl only: the type is not checked, so with the default hint a
	// refresh or ID token of a live session is active too.
	pc, why := decodePresented(c, raw)
	if pc == nil {
		return inactiveJSON, why, nil
	}
	if pc.Iss != c.issuer() {
		return inactiveJSON, "issuer " + pc.Iss + " is not " + c.issuer(), nil
	}
	client := r.Client(pc.Azp)
	switch {
	case client == nil:
		return inactiveJSON, "realm " + r.Name + " has no client " + pc.Azp + " (azp)", nil
	case !client.Enabled:
		return inactiveJSON, "client " + pc.Azp + " (azp) is disabled", nil
	case r.NotBefore > 0 && pc.Iat < r.NotBefore:
		return inactiveJSON, "the token was issued before the realm's not-before", nil
	case pc.inactiveWhy(c.now) != "":
		return inactiveJSON, pc.inactiveWhy(c.now), nil
	case s.revoked.has(pc.JTI, c.now):
		return inactiveJSON, "the token was revoked", nil
	}
	st := accessSessionType(pc)
	if refresh {
		// findValidSessionForRefreshToken reads the session type from typ.
		switch pc.Typ {
		case "Refresh":
			st = sessionTypes["on"]
		case "Offline":
			st = sessionTypes["of"]
		default:
			return inactiveJSON, "token type " + pc.Typ + " is not a refresh token type", nil
		}
	}
	ts, code := s.findValidSession(c, pc, st, client.ClientID)
	switch {
	case code != "":
		return inactiveJSON, "session " + pc.Sid + ": " + code, nil
	case ts.user == nil:
		return inactiveJSON, "the session's user no longer exists", nil
	case !ts.user.Enabled:
		return inactiveJSON, "user " + ts.user.Username + " is disabled", nil
	case ts.us != nil && ts.us.offline && !offlineStillGranted(r, client, ts.user):
		return inactiveJSON, "offline access is no longer granted", nil
	}
	d.user = ts.user.Username
	body, err = introspectionJSON(pc, mint.Mapped(rebuildRequest(c, pc, client, ts), mint.TargetIntrospection), ts)
	return body, "", err
}

// offlineStillGranted is UserSessionUtil.isOfflineAccessGranted: the client may still ask for
// offline_access and the user still holds it.
func offlineStillGranted(r *scenarios.Realm, client *scenarios.Client, u *scenarios.User) bool {
	scopes, err := mint.RequestScopes(client, "offline_access")
	return err == nil && offlineAllowed(r, client, u, scopes.Permitted(u, nil))
}

// introspectionJSON is the response: the token rebuilt as getAccessTokenFromStoredData keeps
// it (exp, iat, jti, iss, aud, sub, typ, azp, nonce, sid, scope of the original) with the
// introspection mappers' claims, serialized as the token is, then the keys Keycloak puts on
// the ObjectNode: client_id, username (unless a claim has it), act for an impersonation
// session, token_type and active. A key a claim already holds keeps that claim's place.
func introspectionJSON(pc *presentedClaims, m *tokens.Claims, ts tokenSession) ([]byte, error) {
	m.Exp, m.Iat, m.JTI, m.Iss = pc.Exp, pc.Iat, pc.JTI, pc.Iss
	m.Typ, m.Azp, m.Nonce, m.Sid = pc.Typ, pc.Azp, pc.Nonce, pc.Sid
	if pc.Sub != "" {
		m.Sub = pc.Sub
	}
	// The stored aud comes first; the audience mappers add what it lacks (addAudience).
	aud := pc.audiences()
	for _, a := range m.Aud {
		if !containsString(aud, a) {
			aud = append(aud, a)
		}
	}
	m.Aud = aud
	m.Scope = nil
	if strings.TrimSpace(pc.Scope) != "" {
		scope := pc.Scope
		m.Scope = &scope
	}
	has := map[string]bool{}
	for _, o := range m.Other {
		has[o.Name] = true
	}
	var tail []tokens.Claim
	put := func(name string, v []byte) {
		c := tokens.Claim{Name: name, Value: json.RawMessage(v)}
		if has[name] {
			m.Other = append(m.Other, c) // a repeated name keeps its slot and takes the new value
			return
		}
		tail = append(tail, c)
	}
	put("client_id", appendJSONString(nil, pc.Azp))
	if !has["username"] {
		put("username", appendJSONString(nil, ts.user.Username))
	}
	if ts.us != nil {
		if actor, ok := ts.us.notes[noteImpersonatorUsername]; ok {
			put("act", append(appendJSONString([]byte(`{"sub":`), actor), '}'))
		}
	}
	put("token_type", appendJSONString(nil, pc.Typ))
	put("active", []byte("true"))
	b, err := m.MarshalJSON()
	if err != nil {
		return nil, err
	}
	b = b[:len(b)-1]
	for _, t := range tail {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(appendJSONString(b, t.Name), ':')
		b = append(b, t.Value.(json.RawMessage)...)
	}
	return append(b, '}'), nil
}
