package server

import "github.com/labstack/echo/v4"

// routesLogin registers the authorization endpoint and the login pages under /realms/:realm.
func (s *Server) routesLogin(g *echo.Group, prefix string) {}
