package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func errRealmNotFound() *OAuthError {
	return &OAuthError{Status: http.StatusNotFound, Code: "Realm does not exist"}
}

// writeKeycloakHTTPError renders routing errors the way Keycloak's error handler does.
func writeKeycloakHTTPError(c echo.Context, status int) {
	desc := "For more on this error consult the server log."
	code := "unknown_error"
	switch status {
	case http.StatusNotFound:
		code = "Unable to find matching target resource method"
	case http.StatusMethodNotAllowed:
		code = "HTTP 405 Method Not Allowed"
	case http.StatusRequestEntityTooLarge:
		code, desc = "invalid_request", "Request entity too large"
	}
	_ = c.JSONBlob(status, appendErrorJSON(nil, code, desc))
}
