package server

import "github.com/labstack/echo/v4"

// routesSessionEndpoints registers userinfo, introspection, revocation, logout and the
// session-status pages under /realms/:realm.
func (s *Server) routesSessionEndpoints(g *echo.Group, prefix string) {}
