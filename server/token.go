package server

import (
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/kcmock/kcmock/scenarios"
)

// tokenRequest is a parsed token-endpoint request: the form read once, the client
// authenticated once.
type tokenRequest struct {
	*call
	form      url.Values
	grantType string
	client    *scenarios.Client
	sessions  *sessionStore
	// createdClientSession is set when an exchange added a client session that a later
	// refusal must take away again.
	createdClientSession bool
	// pendingUser is a user an external exchange imports once the exchange succeeds.
	pendingUser *scenarios.User
	decision    *decision
}

// multiValued are the parameters Keycloak lets a token request repeat (RFC 8693 audience and
// RFC 8707 resource).
var multiValued = map[string]bool{"audience": true, "resource": true}

// decision is what the journal records of a token request.
type decision struct {
	grant, client, user string
}

// token is POST /protocol/openid-connect/token; every outcome goes to the journal.
func (s *Server) token(c *call) error {
	d := &decision{}
	err := s.tokenDecide(c, d)
	s.record(c, "token", d, err)
	return err
}

// tokenDecide runs the token endpoint's checks in TokenEndpoint's order: realm enabled,
// grant_type present and known, client authentication, bearer-only, duplicated parameters,
// then the grant.
func (s *Server) tokenDecide(c *call, d *decision) error {
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if !c.realm.model.Enabled {
		corsEcho(c, true, true)
		return errRealmDisabled()
	}
	gt := form.Get("grant_type")
	d.grant = gt
	if !form.Has("grant_type") { // "grant_type=" is an unsupported grant type
		return errInvalidRequest("Missing form parameter: grant_type")
	}
	grant := s.grant(c.srv, gt)
	if grant == nil {
		return errUnsupportedGrant().because("token endpoint: grant type", "grant type "+gt+" is unknown or its feature is off")
	}
	client, oe := authorizeClient(c, d, form)
	if oe != nil {
		return oe
	}
	// Keycloak 26.1 started accepting repeated audience and resource parameters, in a token
	// exchange only (TokenExchangeGrantType is the one grant that lists multi-valued
	// parameters).
	repeatable := c.srv.Version.AtLeast(26, 1) && gt == grantTokenExchange
	for k, v := range form {
		if len(v) > 1 && !(repeatable && multiValued[k]) {
			return errDuplicated().because("token endpoint: duplicated parameter", "parameter "+k+" is sent more than once")
		}
	}
	return grant(&tokenRequest{call: c, form: form, grantType: gt, client: client, sessions: s.sessions, decision: d})
}

// plainJTI: Keycloak before 26.2 did not encode the session and grant in access-token ids.
func (tr *tokenRequest) plainJTI() bool { return !tr.srv.Version.AtLeast(26, 2) }

// grant picks the handler of a grant type; nil when the server does not support it.
func (s *Server) grant(srv scenarios.Server, gt string) func(*tokenRequest) error {
	switch gt {
	case grantPassword:
		return s.passwordGrant
	case grantClientCredentials:
		return s.clientCredentialsGrant
	case grantRefreshToken:
		return s.refreshGrant
	case grantAuthorizationCode:
		return s.codeGrant
	case grantTokenExchange:
		if exchangeEnabled(srv) {
			return s.tokenExchange
		}
	}
	return nil
}

// readForm parses an application/x-www-form-urlencoded body. Query parameters are not form
// parameters, as in Keycloak. Another content type is refused by the JAX-RS routing (415)
// before Keycloak sees the request; no content type at all reads as an empty form.
func readForm(r *http.Request) (url.Values, error) {
	raw := r.Header.Get("Content-Type")
	if raw == "" {
		return url.Values{}, nil
	}
	ct, _, err := mime.ParseMediaType(raw)
	if err != nil || ct != "application/x-www-form-urlencoded" {
		return nil, errUnsupportedMediaType()
	}
	if err := r.ParseForm(); err != nil {
		var he *echo.HTTPError
		var mbe *http.MaxBytesError
		if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge || errors.As(err, &mbe) {
			return nil, oauthErr(http.StatusRequestEntityTooLarge, "invalid_request", "Request entity too large")
		}
		return nil, errInvalidRequest("Invalid form body")
	}
	return r.PostForm, nil
}
