package server

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Keycloak's exception mapper (KeycloakErrorHandler) writes {"error":<message>} for 4xx
// exceptions, without error_description in 26.x. These are its messages.
const (
	msgRealmNotFound    = "Realm does not exist"
	msgNoResourceMethod = "Unable to find matching target resource method"
	msgNotFound         = "HTTP 404 Not Found"
	msgProtocolNotFound = "Protocol not found"
	msgMethodNotAllowed = "HTTP 405 Method Not Allowed"
	msgBadContentType   = "The content-type header value did not match the value in @Consumes"
)

func errRealmNotFound() *OAuthError {
	return &OAuthError{Status: http.StatusNotFound, Code: msgRealmNotFound}
}

func errUnsupportedMediaType() *OAuthError {
	return &OAuthError{Status: http.StatusUnsupportedMediaType, Code: msgBadContentType}
}

// writeRoutingError answers a request no route took, the way Keycloak's resource locators do:
// the realm is resolved first (so an unknown realm wins over an unknown path or a wrong
// method), then the protocol, then RESTEasy's own 404/405.
func (s *Server) writeRoutingError(c echo.Context, status int) {
	path := strings.TrimPrefix(c.Request().URL.Path, "/auth")
	msg := msgNoResourceMethod
	if rest, ok := strings.CutPrefix(path, "/realms/"); ok {
		segs := strings.Split(rest, "/")
		switch {
		case s.state.Load().realms[segs[0]] == nil:
			status, msg = http.StatusNotFound, msgRealmNotFound
		case status == http.StatusMethodNotAllowed:
			msg = msgMethodNotAllowed
		case len(segs) == 2 || len(segs) == 3 && segs[1] == ".well-known":
			msg = msgNotFound
		case len(segs) >= 3 && segs[1] == "protocol" && segs[2] != "openid-connect":
			msg = msgProtocolNotFound
		}
	} else if status == http.StatusMethodNotAllowed {
		msg = msgMethodNotAllowed
	}
	if status != http.StatusMethodNotAllowed {
		status = http.StatusNotFound
	}
	_ = c.JSONBlob(status, appendErrorJSON(nil, msg, ""))
}
