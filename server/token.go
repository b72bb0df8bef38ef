package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// tokenRequest is a parsed token-endpoint request: the form read once, the client
// authenticated once.
type tokenRequest struct {
	*call
	form      url.Values
	grantType string
	client    *scenarios.Client
}

// multiValued are the parameters Keycloak lets a token request repeat (RFC 8693 audience and
// RFC 8707 resource).
var multiValued = map[string]bool{"audience": true, "resource": true}

// token is POST /protocol/openid-connect/token, checked in TokenEndpoint's order: realm
// enabled, grant_type present and known, client authentication, bearer-only, duplicated
// parameters, then the grant.
func (s *Server) token(c *call) error {
	form, err := readForm(c.Request())
	if err != nil {
		return err
	}
	s.cors(c)
	if !c.realm.model.Enabled {
		return errRealmDisabled()
	}
	gt := form.Get("grant_type")
	if gt == "" {
		return errInvalidRequest("Missing form parameter: grant_type")
	}
	grant := s.grant(c.srv, gt)
	if grant == nil {
		return errUnsupportedGrant()
	}
	client, oe := authenticateClient(c.realm.model, readClientCredentials(c.Request().Header.Get("Authorization"), form))
	if oe != nil {
		return oe
	}
	if client.BearerOnly {
		return errBearerOnly()
	}
	for k, v := range form {
		if len(v) > 1 && !multiValued[k] {
			return errDuplicated()
		}
	}
	return grant(&tokenRequest{call: c, form: form, grantType: gt, client: client})
}

// grant picks the handler of a grant type; nil when the server does not support it.
func (s *Server) grant(srv scenarios.Server, gt string) func(*tokenRequest) error {
	switch gt {
	case grantPassword:
		return s.passwordGrant
	case grantClientCredentials:
		return s.clientCredentialsGrant
	case grantRefreshToken:
		return s.refreshGrant
	}
	return nil
}

// readForm parses an application/x-www-form-urlencoded body. Query parameters are not form
// parameters, as in Keycloak.
func readForm(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return url.Values{}, nil
	}
	if err := r.ParseForm(); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return nil, oauthErr(http.StatusRequestEntityTooLarge, "invalid_request", "Request entity too large")
		}
		return nil, errInvalidRequest("Invalid form body")
	}
	return r.PostForm, nil
}

// cors adds Keycloak's CORS headers when the request's Origin is allowed by some client of
// the realm (the token endpoint allows the origins of the authenticated client; kcmock checks
// them before authentication so that errors carry them too).
func (s *Server) cors(c *call) {
	origin := c.Request().Header.Get("Origin")
	if origin == "" {
		return
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Add("Vary", "Origin")
}

// preflight answers CORS preflight requests for the token endpoint.
func (s *Server) preflight(c *call) error {
	h := c.Response().Header()
	if origin := c.Request().Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers, DPoP, Authorization")
	h.Set("Access-Control-Max-Age", "3600")
	return c.NoContent(http.StatusOK)
}
