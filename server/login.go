package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/kcmock/kcmock/scenarios"
)

// loginExecution stands for the browser flow's username-password execution id; Keycloak's is a
// stable UUID of the realm's flow.
const loginExecution = "2c7a5f0e-6b1d-4f3a-9e8c-1d2b3a4c5e6f"

// routesLogin registers the authorization endpoint and the login form's action.
func (s *Server) routesLogin(g *echo.Group, prefix string) {
	g.GET("/protocol/openid-connect/auth", s.withRealm(prefix, s.authorize))
	g.POST("/protocol/openid-connect/auth", s.withRealm(prefix, s.authorize))
	g.POST("/login-actions/authenticate", s.withRealm(prefix, s.loginAction))
	g.GET("/login-actions/authenticate", s.withRealm(prefix, s.loginAction))
}

// authenticate decides between the SSO session, prompt=none's refusal and the login form.
func (s *Server) authenticate(c *call, client *scenarios.Client, req *authRequest, prompt string, maxAge int) error {
	prompts := map[string]bool{}
	for _, p := range strings.Fields(prompt) {
		prompts[p] = true
	}
	r := c.realm.model
	us := s.ssoSession(c)
	var pending string // what stops the session's user now (a scenario reload may have changed them)
	if us != nil {
		switch u := s.userByID(r, us.userID); {
		case u == nil || !u.Enabled:
			us = nil // the identity cookie no longer authenticates anyone
		case len(u.RequiredActions) > 0 || u.PasswordTemporary || len(r.ProfileGaps(u)) > 0:
			pending = "Account is not fully set up (required actions are not emulated by kcmock)."
		}
	}
	stale := us != nil && maxAge >= 0 && c.now.Unix()-us.authTime > int64(maxAge)
	if prompts["none"] {
		if us == nil || prompts["login"] || stale {
			return s.authError(c, req, "login_required", "")
		}
		if pending != "" {
			// Keycloak would show a required action, which prompt=none forbids.
			return s.authError(c, req, "interaction_required", "")
		}
		return s.issueCode(c, client, req, us, "0")
	}
	if us != nil && !prompts["login"] && !stale {
		if pending != "" {
			tabID, p := s.flows.startLogin(req)
			return s.loginPage(c, http.StatusOK, tabID, p, "", pending)
		}
		return s.issueCode(c, client, req, us, "0")
	}
	if us != nil {
		// prompt=login or max_age: the same user signs in again.
		if u := s.userByID(c.realm.model, us.userID); u != nil {
			req.reauth, req.loginHint = true, u.Username
		}
	}
	tabID, p := s.flows.startLogin(req)
	return s.loginPage(c, http.StatusOK, tabID, p, req.loginHint, "")
}

// loginPage renders the username and password form.
func (s *Server) loginPage(c *call, status int, tabID string, p *pendingLogin, username, errMsg string) error {
	pg := c.page()
	pg.Username, pg.Error, pg.ReadOnly = username, errMsg, p.req.reauth
	if p.req.reauth && errMsg == "" {
		pg.Info = "Please re-authenticate to continue"
	}
	q := []param{
		{"session_code", p.sessionCode}, {"execution", loginExecution},
		{"client_id", p.req.clientID}, {"tab_id", tabID}, {"client_data", clientData(p.req)},
	}
	var b strings.Builder
	for i, kv := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(kv.key + "=" + url.QueryEscape(kv.value))
	}
	pg.Action = c.issuer() + "/login-actions/authenticate?" + b.String()
	c.Response().Header().Set("Cache-Control", "no-store, must-revalidate, max-age=0")
	return renderPage(c, status, "login", pg)
}

// clientData is Keycloak's client_data: the request's essentials, base64url JSON.
func clientData(req *authRequest) string {
	o := newObj().str("ru", req.redirectURI).str("rt", req.responseType)
	if req.responseMode != "" && req.responseMode != "query" {
		o.str("rm", req.responseMode)
	}
	if req.hasState {
		o.str("st", req.state)
	}
	return base64.RawURLEncoding.EncodeToString(o.bytes())
}

// loginAction is POST /login-actions/authenticate: the login form's submission.
func (s *Server) loginAction(c *call) error {
	q := c.QueryParams()
	tabID := q.Get("tab_id")
	p := s.flows.login(tabID)
	if p == nil || p.req.realm != c.realm.model.Name || c.now.Sub(p.req.created) > c.realm.model.AccessCodeLifespanLogin {
		return errorPage(c, http.StatusBadRequest, "Restart login cookie not found. It may have expired; it may have been deleted or cookies are disabled in your browser. If cookies are disabled then enable them. Click Back to Application to login again.")
	}
	if q.Get("client_id") != p.req.clientID {
		return errorPage(c, http.StatusBadRequest, "An error occurred, please login again through your application.")
	}
	if q.Get("execution") != loginExecution {
		return errorPage(c, http.StatusOK, "Page has expired")
	}
	client := c.realm.model.Client(p.req.clientID)
	if client == nil {
		return errorPage(c, http.StatusBadRequest, "Client not found.")
	}
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	username := form.Get("username")
	if p.req.reauth {
		username = p.req.loginHint
	}
	u, msg := s.formUser(c.realm.model, username, form.Get("password"))
	if u == nil {
		s.flows.rotate(p)
		return s.loginPage(c, http.StatusOK, tabID, p, username, msg)
	}
	s.flows.endLogin(tabID)
	tr := &tokenRequest{call: c, client: client, sessions: s.sessions}
	us := s.ssoSession(c)
	if us == nil || us.userID != u.ID {
		us = s.newSession(tr, u, false, c.now.Unix())
	} else {
		s.sessions.reauthenticate(us, c.now)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "frame-src 'self'; frame-ancestors 'self'; object-src 'none';")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	return s.issueCode(c, client, p.req, us, "1")
}

// formUser is the browser flow's username-password form: any bad credential reads "Invalid
// username or password."; a disabled account says so only after the right password.
func (s *Server) formUser(r *scenarios.Realm, username, password string) (*scenarios.User, string) {
	invalid := "Invalid username or password."
	u := r.User(username)
	if u == nil && r.LoginWithEmailAllowed {
		u = r.UserByEmail(username)
	}
	if u == nil || u.ServiceAccountClient != nil || !u.CheckPassword(password) {
		return nil, invalid
	}
	if !u.Enabled {
		return nil, "Account is disabled, contact your administrator."
	}
	if len(u.RequiredActions) > 0 || u.PasswordTemporary || len(r.ProfileGaps(u)) > 0 {
		// Keycloak would now run the required action (update password, verify e-mail, the
		// Verify Profile form...); kcmock does not emulate those pages.
		return nil, "Account is not fully set up (required actions are not emulated by kcmock)."
	}
	return u, ""
}

// issueCode ends a successful authentication: the client session, SSO cookies, a single-use
// code, and the redirect with state, session_state, iss and code.
func (s *Server) issueCode(c *call, client *scenarios.Client, req *authRequest, us *userSession, acr string) error {
	s.sessions.addClient(us, client.ClientID, c.now)
	s.sessions.setSSO(us, client.ClientID, acr == "0")
	if err := s.setSSOCookies(c, us); err != nil {
		return err
	}
	ps := []param{}
	if req.hasState {
		ps = append(ps, param{"state", req.state})
	}
	ps = append(ps, param{"session_state", us.id})
	ps = append(ps, s.issParam(c, req)...)
	if req.responseType == "code" {
		code := s.cfg.NewID() + "." + us.id + "." + client.ID
		s.flows.addCode(code, &issuedCode{req: req, sid: us.id, acr: acr, expires: c.now.Add(c.realm.model.AccessCodeLifespan)})
		ps = append(ps, param{"code", code})
	}
	return respond(c, req.redirectURI, req.responseMode, ps)
}
