package server

import (
	"net/http"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens/mint"
)

// Keycloak's Cors defaults (DefaultCors / Cors constants).
const (
	corsAllowHeaders = "Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers, DPoP"
	corsMaxAge       = "3600"
)

// corsEcho echoes the request's Origin, as Keycloak's allowAllOrigins() does (it never sends a
// literal "*"). expose adds the token endpoint's exposed header.
func corsEcho(c *call, credentials, expose bool) {
	origin := c.Request().Header.Get("Origin")
	if origin == "" {
		return
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if expose {
		h.Set("Access-Control-Expose-Headers", "Access-Control-Allow-Methods")
	}
	if credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Credentials", "false")
	}
}

// corsForClient adds CORS headers when the Origin is one of the client's web origins.
func corsForClient(c *call, client *scenarios.Client) {
	origin := c.Request().Header.Get("Origin")
	if origin == "" {
		return
	}
	for _, o := range mint.WebOrigins(client) {
		if o == "*" || o == origin {
			corsEcho(c, true, true)
			return
		}
	}
}

// preflight answers OPTIONS: any Origin is echoed (preflights skip the origin check).
func preflight(methods string) func(*call) error {
	return func(c *call) error {
		if origin := c.Request().Header.Get("Origin"); origin != "" {
			h := c.Response().Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", methods)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders+", Authorization")
			h.Set("Access-Control-Max-Age", corsMaxAge)
		}
		return c.NoContent(http.StatusOK)
	}
}
