package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// pendingLogout is what Keycloak keeps in the logout authentication session between the
// logout request and its confirmation. kcmock hands it to the browser signed with the realm's
// HMAC key, as the confirmation form's session_code.
type pendingLogout struct {
	Typ      string  `json:"typ"`
	Exp      int64   `json:"exp"`
	Iss      string  `json:"iss"`
	Redirect string  `json:"redirect,omitempty"`
	State    *string `json:"state,omitempty"`
	Sid      string  `json:"sid,omitempty"` // from a validated id_token_hint
	Iat      int64   `json:"iat,omitempty"` // the hint's iat
}

const pendingLogoutTyp = "kcmock-logout"

// browserLogout is LogoutEndpoint.logout in Keycloak 26 (OpenID Connect RP-Initiated Logout):
// the parameters are checked, then the logout happens at once when the id_token_hint (or the
// client_id with a valid redirect and no browser session) says who asks, else the user is asked
// to confirm. The id_token_hint may be expired: only its signature, issuer and type count.
func (s *Server) browserLogout(c *call, d *decision, lr logoutRequest) error {
	r := c.realm.model
	if lr.has["post_logout_redirect_uri"] && !lr.has["id_token_hint"] && !lr.has["client_id"] {
		return &logoutRefusal{"Missing parameters: id_token_hint", "post_logout_redirect_uri needs client_id or id_token_hint"}
	}
	confirm, forced := true, false
	var client *scenarios.Client
	if lr.has["client_id"] {
		d.client = lr.clientID
		if client = r.Client(lr.clientID); client == nil {
			forced = true
		}
	}
	var hint *presentedClaims
	if lr.has["id_token_hint"] {
		var why string
		if hint, why = s.verifyIDTokenHint(c, lr.idTokenHint); hint == nil {
			return &logoutRefusal{"Invalid parameter: id_token_hint", why}
		}
		if d.client == "" {
			d.client = hint.Azp
		}
	}
	switch {
	case !lr.has["client_id"] && hint != nil && hint.Azp != "":
		if client = r.Client(hint.Azp); client != nil {
			confirm = false
		}
	case lr.has["client_id"] && hint != nil && hint.Azp != "":
		if hint.Azp != lr.clientID {
			return &logoutRefusal{"Invalid parameter: id_token_hint", "the hint was issued to " + hint.Azp + ", not to client_id " + lr.clientID}
		}
		confirm = false
	}
	p := pendingLogout{Typ: pendingLogoutTyp, Iss: c.issuer()}
	if lr.has["post_logout_redirect_uri"] {
		if client != nil {
			p.Redirect = verifyPostLogoutRedirect(c, client, lr.redirect)
		}
		if p.Redirect == "" {
			return &logoutRefusal{"Invalid redirect uri", lr.redirect + " is not a post-logout redirect URI of the client"}
		}
	}
	if lr.has["state"] {
		p.State = &lr.state
	}
	if hint != nil {
		p.Sid, p.Iat = hint.Sid, hint.Iat
	}
	if us := s.ssoSession(c); us != nil {
		// Another session in the browser than the hint's: ask.
		if hint != nil && hint.Sid != "" && hint.Sid != us.id {
			forced = true
		}
	} else if !lr.has["id_token_hint"] && client != nil && p.Redirect != "" {
		// Nothing to log out in this browser and a registered place to go back to.
		confirm = false
	}
	if confirm || forced {
		return s.logoutConfirmPage(c, p)
	}
	return s.doBrowserLogout(c, d, &p)
}

// verifyIDTokenHint is TokenManager.verifyIDTokenSignature plus the type check: a realm key's
// signature, this realm's issuer, typ ID. Expiry is deliberately not checked.
func (s *Server) verifyIDTokenHint(c *call, raw string) (*presentedClaims, string) {
	v, err := c.realm.keys.VerifyAccess(raw)
	if err != nil {
		return nil, "the hint does not verify with a signing key of realm " + c.realm.model.Name
	}
	var pc presentedClaims
	switch {
	case json.Unmarshal(v.Payload, &pc) != nil:
		return nil, "the hint's payload is not a JSON object of claims"
	case pc.Iss != c.issuer():
		return nil, "issuer " + pc.Iss + " is not " + c.issuer()
	case pc.Typ != "ID":
		return nil, "token type " + pc.Typ + " is not ID"
	}
	return &pc, ""
}

// logoutConfirm is POST /protocol/openid-connect/logout/logout-confirm, the confirmation
// page's form.
func (s *Server) logoutConfirm(c *call) error {
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	d := &decision{}
	v, err := c.realm.keys.VerifyHMAC(form.Get("session_code"))
	var p pendingLogout
	if err != nil || json.Unmarshal(v.Payload, &p) != nil || p.Typ != pendingLogoutTyp || p.Iss != c.issuer() || c.now.Unix() > p.Exp {
		return s.finishLogout(c, d, &logoutRefusal{"Logout failed", "the confirmation's session_code is not valid (forged, of another realm, or expired)"})
	}
	return s.finishLogout(c, d, s.doBrowserLogout(c, d, &p))
}

// doBrowserLogout is LogoutEndpoint.doBrowserLogout: the hint's session (online, else offline)
// or the browser's SSO session ends; the SSO cookies go when the browser holds the session.
func (s *Server) doBrowserLogout(c *call, d *decision, p *pendingLogout) error {
	r := c.realm.model
	var us *userSession
	if p.Sid != "" {
		if us = s.sessions.get(r, p.Sid, false); us == nil {
			us = s.sessions.get(r, p.Sid, true)
		}
		if us != nil && p.Iat+1 < us.started.Unix() {
			return &logoutRefusal{"Session not active", "the id_token_hint was issued before its session started"}
		}
	}
	if sso := s.ssoSession(c); sso != nil {
		if us == nil {
			us = sso
		}
		s.endBrowserSession(c, us)
	} else if us != nil {
		// No identity cookie: the session cookie may still name the hint's session.
		if ck, err := c.Cookie(cookieSession); err == nil && ck.Value == sessionCookieValue(us.id) {
			s.endBrowserSession(c, us)
		} else {
			s.sessions.remove(r.Name, us.id, us.offline) // back-channel logout
		}
	}
	if us != nil {
		if u := r.UserByID(us.userID); u != nil {
			d.user = u.Username
		}
	}
	if p.Redirect != "" {
		return c.Redirect(http.StatusFound, withState(p.Redirect, p.State))
	}
	return logoutDonePage(c)
}

// endBrowserSession is AuthenticationManager.browserLogout: the session ends and the browser
// forgets it.
func (s *Server) endBrowserSession(c *call, us *userSession) {
	s.sessions.remove(c.realm.model.Name, us.id, us.offline)
	s.clearSSOCookies(c)
}

// signPendingLogout makes the confirmation form's session_code.
func signPendingLogout(c *call, p pendingLogout) (string, error) {
	life := c.realm.model.AccessCodeLifespanUserAction
	if life <= 0 {
		life = 5 * time.Minute
	}
	p.Exp = c.now.Add(life).Unix()
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	return c.realm.keys.HMAC.Sign(b)
}

// withState is LogoutUtil.getRedirectUriWithAttachedState: state joins the redirect's query.
func withState(redirect string, state *string) string {
	if state == nil {
		return redirect
	}
	sep := "?"
	if strings.Contains(redirect, "?") {
		sep = "&"
	}
	frag := ""
	if i := strings.IndexByte(redirect, '#'); i >= 0 {
		redirect, frag = redirect[:i], redirect[i:]
		if !strings.Contains(redirect, "?") {
			sep = "?"
		}
	}
	return redirect + sep + "state=" + url.QueryEscape(*state) + frag
}
