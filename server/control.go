package server

import (
	"bytes"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The control API lets tests drive kcmock over HTTP: move the clock, mint tokens, rotate keys,
// inject faults, read the journal, end sessions, reload the scenario. It lives under /_kcmock,
// a path Keycloak never serves (its paths start with /realms, /admin, /resources, /js or
// /auth), so it cannot shadow an emulated endpoint.
const controlPrefix = "/_kcmock"

//go:embed control_openapi.json
var controlOpenAPI []byte

// routesControl registers the control API when Config.ControlAPI is set. Without it, /_kcmock
// paths fall through to Keycloak's own 404.
func (s *Server) routesControl(e *echo.Echo) {
	if !s.cfg.ControlAPI {
		return
	}
	// A root middleware rather than a group one: echo applies group middleware only to the
	// group's routes, so the secret would not guard a 404 or 405 under /_kcmock.
	e.Use(s.controlGate)
	g := e.Group(controlPrefix)
	g.GET("/health", s.controlHealth)
	g.GET("/openapi.json", s.controlOpenAPIDoc)
	g.GET("/clock", s.controlClockGet)
	g.POST("/clock", s.controlClockPost)
	g.GET("/journal", s.controlJournalGet)
	g.DELETE("/journal", s.controlJournalDelete)
	g.GET("/faults", s.controlFaultsGet)
	g.POST("/faults", s.controlFaultsPost)
	g.DELETE("/faults", s.controlFaultsDeleteAll)
	g.DELETE("/faults/:id", s.controlFaultsDelete)
	g.POST("/reload", s.controlReload)
	g.POST("/realms/:realm/mint", s.controlMint)
	g.GET("/realms/:realm/keys", s.controlKeysGet)
	g.POST("/realms/:realm/keys", s.controlKeysPost)
	g.POST("/realms/:realm/keys/:kid/activate", s.controlKeyActivate)
	g.DELETE("/realms/:realm/keys/:kid", s.controlKeyDelete)
	g.GET("/realms/:realm/sessions", s.controlSessionsGet)
	g.DELETE("/realms/:realm/sessions/:id", s.controlSessionDelete)
	s.routesDebug(g)
}

// isControlPath reports whether a request is for the control API. The router matches on the
// raw path when it has one, so both the matched route and the decoded path are checked.
func isControlPath(c echo.Context) bool {
	under := func(p string) bool { return p == controlPrefix || strings.HasPrefix(p, controlPrefix+"/") }
	return under(c.Path()) || under(c.Request().URL.Path)
}

// controlGate checks the secret of every control request and renders the control API's
// errors, its own JSON shape rather than Keycloak's.
func (s *Server) controlGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isControlPath(c) {
			return next(c)
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		err := s.controlAuthorize(c)
		if err == nil {
			err = next(c)
		}
		if err == nil || c.Response().Committed {
			return err
		}
		return s.writeControlError(c, err)
	}
}

func (s *Server) controlAuthorize(c echo.Context) error {
	if s.cfg.ControlSecret == "" {
		return nil
	}
	got, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.ControlSecret)) == 1 {
		return nil
	}
	c.Response().Header().Set("WWW-Authenticate", `Bearer realm="kcmock control"`)
	return &controlError{Status: http.StatusUnauthorized, Message: "unauthorized"}
}

// controlError is a control API refusal: {"error": …} with a status, plus the details some
// refusals carry.
type controlError struct {
	Status   int      `json:"-"`
	Message  string   `json:"error"`
	Problems []string `json:"problems,omitempty"` // reload: every problem of the scenario
	Kinds    []string `json:"kinds,omitempty"`    // mint: the bad token kinds there are
}

func (e *controlError) Error() string { return e.Message }

func badRequest(format string, args ...any) *controlError {
	return &controlError{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *controlError {
	return &controlError{Status: http.StatusNotFound, Message: fmt.Sprintf(format, args...)}
}

func (s *Server) writeControlError(c echo.Context, err error) error {
	var ce *controlError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ce):
	case errors.As(err, &he) && he.Code == http.StatusNotFound:
		ce = notFound("no control endpoint %s %s", c.Request().Method, c.Request().URL.Path)
	case errors.As(err, &he) && he.Code == http.StatusMethodNotAllowed:
		ce = &controlError{Status: he.Code, Message: "method not allowed"}
	case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
		ce = &controlError{Status: he.Code, Message: "request body too large"}
	default:
		s.log.Error("control API", "err", err, "path", c.Request().URL.Path)
		ce = &controlError{Status: http.StatusInternalServerError, Message: "internal error (see the server log)"}
	}
	return reply(c, ce.Status, ce)
}

// reply encodes v before writing the status, so an encoding failure still becomes a 500.
func reply(c echo.Context, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(status, b)
}

// decodeBody reads a JSON request body into v. Unknown fields are refused, so a misspelt
// option fails loudly instead of doing nothing; an empty body leaves v as it is. The
// Content-Type is not checked: curl -d sends form-urlencoded by default.
func decodeBody(c echo.Context, v any) error {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) { // the body limit
			return err
		}
		return badRequest("reading the body: %v", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return badRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("invalid JSON body: more than one value")
	}
	return nil
}

// controlRealm resolves the {realm} of a control path.
func (s *Server) controlRealm(c echo.Context) (*realmState, error) {
	rs := s.state.Load().realms[c.Param("realm")]
	if rs == nil {
		return nil, notFound("no realm %q", c.Param("realm"))
	}
	return rs, nil
}

// controlHealth answers `kcmock health` and container health checks.
func (s *Server) controlHealth(c echo.Context) error {
	sc := s.state.Load().scenario
	realms := make([]string, 0, len(sc.Realms))
	for _, r := range sc.Realms {
		realms = append(realms, r.Name)
	}
	return reply(c, http.StatusOK, struct {
		Status string   `json:"status"`
		Realms []string `json:"realms"`
	}{"ok", realms})
}

func (s *Server) controlOpenAPIDoc(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, controlOpenAPI)
}
