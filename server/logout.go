package server

import (
	"encoding/json"
	"net/http"
	"net/url"
)

// logoutGet is GET /protocol/openid-connect/logout: RP-initiated logout with query parameters.
func (s *Server) logoutGet(c *call) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	d := &decision{}
	return s.finishLogout(c, d, s.browserLogout(c, d, logoutParams(c.QueryParams())))
}

// logoutPost is POST /protocol/openid-connect/logout. Keycloak tells its two uses apart by the
// form alone: a refresh_token parameter (even an empty one) makes it the adapters' back-channel
// logout, anything else is RP-initiated logout with form parameters. So "No refresh token"
// cannot happen on this path in Keycloak 26, and neither does it in kcmock.
func (s *Server) logoutPost(c *call) error {
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	d := &decision{}
	if _, ok := form["refresh_token"]; ok {
		err := s.logoutToken(c, d, form)
		s.record(c, "logout", d, err)
		return err
	}
	return s.finishLogout(c, d, s.browserLogout(c, d, logoutParams(form)))
}

// logoutToken is LogoutEndpoint.logoutToken: client authentication as at the token endpoint,
// then the refresh token verified without its expiry, then its session (online, or offline for
// an offline token) ends. 204 also when the session is already gone.
func (s *Server) logoutToken(c *call, d *decision, form url.Values) error {
	r := c.realm.model
	client, oe := authorizeClient(c, d, form)
	if oe != nil {
		return oe
	}
	raw, ok := form["refresh_token"]
	if !ok { // Keycloak's check, unreachable through logoutPost
		return errInvalidRequest("No refresh token")
	}
	rt, oe := s.verifyRefreshForLogout(c, raw[0], client.ClientID)
	if oe != nil {
		return oe
	}
	offline := rt.Typ == "Offline"
	if us := s.sessions.get(r, rt.Sid, offline); us != nil {
		if rt.Iat+1 < us.started.Unix() {
			// Keycloak's text, typo included.
			return errInvalidGrant("Toked issued before the user session started")
		}
		if u := r.UserByID(us.userID); u != nil {
			d.user = u.Username
		}
		s.sessions.remove(r.Name, us.id, offline)
	}
	return c.NoContent(http.StatusNoContent)
}

// verifyRefreshForLogout is TokenManager.verifyRefreshToken with checkExpiration false:
// signature, type and issuer, then the client; neither exp nor the realm's not-before count.
func (s *Server) verifyRefreshForLogout(c *call, raw, clientID string) (*refreshClaims, *OAuthError) {
	v, err := c.realm.keys.VerifyHMAC(raw)
	if err != nil {
		return nil, errInvalidGrant("Invalid refresh token").because("refresh token", "it does not verify with the HMAC key of realm "+c.realm.model.Name)
	}
	var rt refreshClaims
	if json.Unmarshal(v.Payload, &rt) != nil || rt.Typ != "Refresh" && rt.Typ != "Offline" {
		return nil, errInvalidGrant("Invalid refresh token").because("refresh token", "not a refresh or offline token")
	}
	if rt.Iss != c.issuer() {
		return nil, errInvalidGrant("Invalid token issuer. Expected '" + c.issuer() + "'")
	}
	if rt.Azp != clientID {
		return nil, errInvalidGrant("Invalid refresh token. Token client and authorized client don't match").
			because("refresh token", "the token was issued to "+rt.Azp)
	}
	return &rt, nil
}

// logoutRequest is an RP-initiated logout request's parameters; has records which were sent
// at all (Keycloak distinguishes absent from empty).
type logoutRequest struct {
	idTokenHint, clientID, redirect, state string
	has                                    map[string]bool
}

// logoutParams reads the RP-initiated logout parameters of a query or form.
func logoutParams(v url.Values) logoutRequest {
	lr := logoutRequest{
		idTokenHint: v.Get("id_token_hint"), clientID: v.Get("client_id"),
		redirect: v.Get("post_logout_redirect_uri"), state: v.Get("state"), has: map[string]bool{},
	}
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state"} {
		lr.has[k] = v.Has(k)
	}
	return lr
}
