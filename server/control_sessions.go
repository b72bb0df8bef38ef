package server

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/kcmock/kcmock/scenarios"
)

func (s *Server) controlSessionsGet(c echo.Context) error {
	rs, err := s.controlRealm(c)
	if err != nil {
		return err
	}
	return s.replySessions(c, rs.model.Name)
}

// controlSessionDelete ends a session as an admin's "Sign out" does: its refresh tokens fail
// with "Session not active".
func (s *Server) controlSessionDelete(c echo.Context) error {
	rs, err := s.controlRealm(c)
	if err != nil {
		return err
	}
	if !s.EndSession(rs.model.Name, c.Param("id")) {
		return notFound("realm %q has no session %q", rs.model.Name, c.Param("id"))
	}
	return s.replySessions(c, rs.model.Name)
}

func (s *Server) replySessions(c echo.Context, realm string) error {
	sessions := s.Sessions(realm)
	if sessions == nil {
		sessions = []SessionInfo{}
	}
	return reply(c, http.StatusOK, map[string]any{"sessions": sessions})
}

// controlReload reads the scenario files again through Config.Reload. A scenario with
// problems is refused whole, with every problem, and the running one keeps serving.
func (s *Server) controlReload(c echo.Context) error {
	if s.cfg.Reload == nil {
		return &controlError{Status: http.StatusNotImplemented, Message: "reload is not configured"}
	}
	sc, err := s.cfg.Reload()
	if err == nil && sc == nil {
		err = errors.New("the loader returned no scenario")
	}
	if err == nil {
		err = s.Reload(sc)
	}
	if err != nil {
		ce := badRequest("reload failed, the previous scenario keeps serving: %v", err)
		var le *scenarios.LoadError
		if errors.As(err, &le) {
			ce.Message = "reload failed, the previous scenario keeps serving"
			ce.Problems = make([]string, len(le.Problems))
			for i, p := range le.Problems {
				ce.Problems[i] = p.String()
			}
		}
		return ce
	}
	s.log.Info("scenario reloaded", "realms", len(sc.Realms))
	return s.controlHealth(c)
}
