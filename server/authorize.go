package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens/mint"
)

// pkceValid reports whether a code_challenge or code_verifier has RFC 7636's alphabet
// (unreserved characters) and length (43 to 128).
func pkceValid(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !urlUnreserved(s[i]) {
			return false
		}
	}
	return true
}

// authorize is GET|POST /protocol/openid-connect/auth, in Keycloak's order: problems with the
// client or the redirect URI show an error page (never a redirect to an unchecked URI); every
// later problem is sent back to the client's redirect URI.
func (s *Server) authorize(c *call) error {
	params := c.QueryParams()
	if c.Request().Method == http.MethodPost {
		form, err := readForm(c.Request())
		if err != nil {
			return err
		}
		params = form
	}
	if len(params["client_id"]) != 1 {
		return errorPage(c, http.StatusBadRequest, "Invalid Request")
	}
	r := c.realm.model
	if !r.Enabled {
		return errorPage(c, http.StatusBadRequest, "Realm not enabled")
	}
	client := r.Client(params.Get("client_id"))
	switch {
	case client == nil:
		return errorPage(c, http.StatusBadRequest, "Client not found.")
	case !client.Enabled:
		return errorPage(c, http.StatusBadRequest, "Client disabled.")
	case client.BearerOnly:
		return errorPage(c, http.StatusForbidden, "Bearer-only applications are not allowed to initiate browser login")
	}
	maxAge := -1
	if v, ok := params["max_age"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil {
			return errorPage(c, http.StatusBadRequest, "Invalid Request")
		}
		maxAge = n
	}
	// Request objects are not emulated: kcmock can neither read their parameters, which
	// replace the query's, nor check their signatures. Keycloak refuses a malformed or
	// unverifiable one with this page; kcmock refuses them all rather than answer from the
	// query parameters alone (README, "Not emulated").
	if params.Has("request") || params.Has("request_uri") {
		return errorPage(c, http.StatusBadRequest, "Invalid Request")
	}
	req := &authRequest{
		realm: r.Name, clientID: client.ClientID, redirectParam: params.Get("redirect_uri"), hasRedirect: params.Has("redirect_uri"),
		scope: params.Get("scope"), loginHint: params.Get("login_hint"),
		created: c.now,
	}
	if st, ok := params["state"]; ok {
		req.state, req.hasState = st[0], true
	}
	if n, ok := params["nonce"]; ok {
		req.nonce = &n[0]
	}
	req.redirectURI = req.redirectParam
	if !req.hasRedirect && !hasWord(req.scope, mint.ScopeOpenID) {
		req.redirectURI = singleRedirect(client, c.base) // only for no redirect_uri: "" is a URI that matches none
	}
	if req.redirectURI == "" || !validRedirect(client, c.base, req.redirectURI) {
		return errorPage(c, http.StatusBadRequest, "Invalid parameter: redirect_uri")
	}
	if oe := checkAuthRequest(client, params, req); oe != nil {
		return s.authError(c, req, oe.code, oe.desc)
	}
	return s.authenticate(c, client, req, params.Get("prompt"), maxAge)
}

type authErr struct{ code, desc string }

// checkAuthRequest runs the checks whose failures go back to the client (Keycloak's
// AuthorizationEndpointChecker): response type, response mode, flow, duplicates, scope, PKCE.
func checkAuthRequest(client *scenarios.Client, params url.Values, req *authRequest) *authErr {
	rt, ok := params["response_type"]
	if !ok {
		return &authErr{"invalid_request", "Missing parameter: response_type"}
	}
	req.responseType = rt[0]
	if rt[0] != "code" && rt[0] != "none" {
		implicit := map[string]bool{"token": true, "id_token": true, "id_token token": true, "code id_token": true, "code token": true, "code id_token token": true}
		if !implicit[normaliseResponseType(rt[0])] {
			return &authErr{"unsupported_response_type", ""}
		}
		req.responseMode = "fragment"
		// kcmock emulates the code flow only; Keycloak refuses implicit flows unless enabled.
		return &authErr{"unauthorized_client", "Client is not allowed to initiate browser login with given response_type. Implicit flow is disabled for the client."}
	}
	switch mode := params.Get("response_mode"); {
	case !params.Has("response_mode"):
		req.responseMode = "query"
	case mode == "query" || mode == "fragment" || mode == "form_post":
		req.responseMode = mode
	default:
		req.responseMode = "query"
		return &authErr{"invalid_request", "Invalid parameter: response_mode"}
	}
	if !client.StandardFlowEnabled {
		return &authErr{"unauthorized_client", "Client is not allowed to initiate browser login with given response_type. Standard flow is disabled for the client."}
	}
	for _, v := range params {
		if len(v) > 1 {
			return &authErr{"invalid_request", "duplicated parameter"}
		}
	}
	if params.Has("scope") {
		if _, err := mint.RequestScopes(client, req.scope); err != nil || req.scope == "" {
			return &authErr{"invalid_scope", "Invalid scopes: " + req.scope}
		}
	}
	return checkPKCE(client, params, req)
}

func normaliseResponseType(s string) string {
	words := strings.Fields(s)
	has := map[string]bool{}
	for _, w := range words {
		has[w] = true
	}
	var out []string
	for _, w := range []string{"code", "id_token", "token"} {
		if has[w] {
			out = append(out, w)
		}
	}
	if len(out) != len(words) {
		return ""
	}
	return strings.Join(out, " ")
}

// checkPKCE is AuthorizationEndpointChecker.checkPKCEParams, with and without the client
// attribute that makes PKCE mandatory.
func checkPKCE(client *scenarios.Client, params url.Values, req *authRequest) *authErr {
	// Keycloak tests these for null: sent empty, a parameter is there, and invalid.
	challenge, method := params.Get("code_challenge"), params.Get("code_challenge_method")
	hasChallenge, hasMethod := params.Has("code_challenge"), params.Has("code_challenge_method")
	if required := client.Attr("pkce.code.challenge.method"); required == "S256" || required == "plain" {
		switch {
		case !hasMethod:
			return &authErr{"invalid_request", "Missing parameter: code_challenge_method"}
		case method != required:
			return &authErr{"invalid_request", "Invalid parameter: code challenge method is not matching the configured one"}
		case !hasChallenge:
			return &authErr{"invalid_request", "Missing parameter: code_challenge"}
		}
	} else {
		switch {
		case !hasChallenge && hasMethod:
			return &authErr{"invalid_request", "Missing parameter: code_challenge"}
		case !hasChallenge:
			return nil
		case hasMethod && method != "S256" && method != "plain":
			return &authErr{"invalid_request", "Invalid parameter: code_challenge_method"}
		case !hasMethod:
			method = "plain"
		}
	}
	if !pkceValid(challenge) {
		return &authErr{"invalid_request", "Invalid parameter: code_challenge"}
	}
	req.challenge, req.method = challenge, method
	return nil
}

// authError sends an error back to the client: error, error_description (when there is one),
// state (when sent), iss.
func (s *Server) authError(c *call, req *authRequest, code, desc string) error {
	ps := []param{{"error", code}}
	if desc != "" {
		ps = append(ps, param{"error_description", desc})
	}
	if req.hasState {
		ps = append(ps, param{"state", req.state})
	}
	ps = append(ps, s.issParam(c, req)...)
	mode := req.responseMode
	if mode == "" {
		mode = "query"
	}
	return respond(c, req.redirectURI, mode, ps)
}

// issParam is RFC 9207's iss, unless the client opts out.
func (s *Server) issParam(c *call, req *authRequest) []param {
	if cl := c.realm.model.Client(req.clientID); cl != nil && cl.AttrBool("exclude.issuer.from.auth.response", false) {
		return nil
	}
	return []param{{"iss", c.issuer()}}
}

// hasWord is TokenUtil.hasScope: w is one of the names the scope parameter splits into.
func hasWord(s, w string) bool {
	for _, f := range mint.SplitScope(s) {
		if f == w {
			return true
		}
	}
	return false
}
