package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// OAuthError is Keycloak's error response: {"error":…,"error_description":…} with a status.
// Cause is logged, never sent. Rule names the Keycloak check that refused the request.
type OAuthError struct {
	Status      int
	Code        string
	Description string
	Cause       error
	// Rule names the Keycloak check that refused; Why explains it in plain words. Both go to
	// the journal and the log, never to the client.
	Rule string
	Why  string
}

// because records which check refused and why.
func (e *OAuthError) because(rule, why string) *OAuthError {
	e.Rule, e.Why = rule, why
	return e
}

func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func (e *OAuthError) Unwrap() error { return e.Cause }

func oauthErr(status int, code, desc string) *OAuthError {
	return &OAuthError{Status: status, Code: code, Description: desc}
}

// Keycloak's refusals, named after what they say. Each call makes a fresh value.
func errInvalidRequest(desc string) *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_request", desc)
}
func errInvalidGrant(desc string) *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_grant", desc)
}
func errInvalidScope(desc string) *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_scope", desc)
}
func errInvalidClientCredentials() *OAuthError {
	return oauthErr(http.StatusUnauthorized, "invalid_client", "Invalid client or Invalid client credentials")
}
func errUnauthorizedClientCredentials() *OAuthError {
	return oauthErr(http.StatusUnauthorized, "unauthorized_client", "Invalid client or Invalid client credentials")
}
func errBearerOnly() *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_client", "Bearer-only not allowed")
}
func errUnsupportedGrant() *OAuthError {
	return oauthErr(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant_type")
}
func errDuplicated() *OAuthError { return errInvalidRequest("duplicated parameter") }
func errRealmDisabled() *OAuthError {
	return oauthErr(http.StatusForbidden, "access_denied", "Realm not enabled")
}

// handleError renders every error a handler returns. OAuth errors go out as Keycloak writes
// them; echo's HTTP errors (unknown route, wrong method) keep their status; anything else is a
// kcmock bug and becomes a bare 500 without internals.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var oe *OAuthError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &oe):
		writeOAuthError(c, oe)
	case errors.As(err, &he) && (he.Code == http.StatusNotFound || he.Code == http.StatusMethodNotAllowed):
		s.writeRoutingError(c, he.Code)
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		writeOAuthError(c, oauthErr(he.Code, "invalid_request", "Request entity too large"))
	case errors.As(err, &he):
		_ = c.JSONBlob(he.Code, appendErrorJSON(nil, http.StatusText(he.Code), ""))
	default:
		s.log.Error("internal error", "err", err, "path", c.Request().URL.Path)
		writeOAuthError(c, oauthErr(http.StatusInternalServerError, "unknown_error", "For more on this error consult the server log."))
	}
}

func writeOAuthError(c echo.Context, e *OAuthError) {
	b := appendErrorJSON(nil, e.Code, e.Description)
	_ = c.JSONBlob(e.Status, b)
}

func appendErrorJSON(dst []byte, code, desc string) []byte {
	dst = append(dst, `{"error":`...)
	dst = appendJSONString(dst, code)
	if desc != "" {
		dst = append(dst, `,"error_description":`...)
		dst = appendJSONString(dst, desc)
	}
	return append(dst, '}')
}
