package server

import (
	"net/http"

	"github.com/kcmock/kcmock/scenarios"
)

// RFC 8693 token type URNs.
const (
	tokenTypeAccess  = "urn:ietf:params:oauth:token-type:access_token"
	tokenTypeRefresh = "urn:ietf:params:oauth:token-type:refresh_token"
	tokenTypeID      = "urn:ietf:params:oauth:token-type:id_token"
	tokenTypeSAML2   = "urn:ietf:params:oauth:token-type:saml2"
	tokenTypeJWT     = "urn:ietf:params:oauth:token-type:jwt"
)

// Client attributes of the standard token exchange.
const (
	attrStandardExchange        = "standard.token.exchange.enabled"
	attrStandardExchangeRefresh = "standard.token.exchange.enableRefreshRequestedTokenType"
)

// tokenExchange is TokenExchangeGrantType: the providers are tried from the highest order
// down, the first whose supports() accepts the request handles it. Standard (V2, order 10)
// comes before the legacy provider (V1, order 0), whose supports() accepts everything.
func (s *Server) tokenExchange(tr *tokenRequest) error {
	reason := ""
	if tr.srv.Feature("token-exchange-standard") {
		if reason = standardUnsupported(tr); reason == "" {
			return s.standardExchange(tr)
		}
	}
	if tr.srv.Feature("token-exchange") {
		return s.legacyExchange(tr)
	}
	if reason != "" {
		return errInvalidRequest(reason).because("standard exchange supports()", "the standard provider declines the request and the legacy provider (feature token-exchange) is off")
	}
	return oauthErr(http.StatusInternalServerError, "unknown_error", "No token exchange provider available")
}

// standardUnsupported is StandardTokenExchangeProvider.supports(): the reason it declines a
// request, or "".
func standardUnsupported(tr *tokenRequest) string {
	f := tr.form
	switch {
	case f.Has("requested_subject"):
		return "Parameter 'requested_subject' is not supported for standard token exchange"
	case f.Has("requested_issuer"):
		return "Parameter 'requested_issuer' is not supported for standard token exchange"
	case f.Has("subject_issuer"):
		return "Parameter 'subject_issuer' is not supported for standard token exchange"
	case !tr.client.AttrBool(attrStandardExchange, false):
		return "Standard token exchange is not enabled for the requested client"
	case !f.Has("subject_token"): // Keycloak tests for null: an empty value goes on, to fail verification
		return "Parameter 'subject_token' required for standard token exchange"
	case !f.Has("subject_token_type"):
		return "Parameter 'subject_token_type' required for standard token exchange"
	case f.Get("subject_token_type") != tokenTypeAccess:
		return "Parameter 'subject_token' supports access tokens only"
	}
	return ""
}

// standardRefreshAllowed reads the client's refresh option as Keycloak does: an enum name,
// anything but SAME_SESSION (including "true") means NO.
func standardRefreshAllowed(c *scenarios.Client) bool {
	return c.AttrBool("use.refresh.tokens", true) && c.Attr(attrStandardExchangeRefresh) == "SAME_SESSION"
}
