package server

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// faultRequest is a Fault as the control API takes it: delay as a duration string ("250ms")
// or a number of milliseconds.
type faultRequest struct {
	Realm       string          `json:"realm"`
	Endpoint    string          `json:"endpoint"`
	Grant       string          `json:"grant"`
	Client      string          `json:"client"`
	Count       int             `json:"count"`
	Status      int             `json:"status"`
	Body        string          `json:"body"`
	ContentType string          `json:"content_type"`
	Delay       json.RawMessage `json:"delay"`
	Drop        bool            `json:"drop"`
}

// faultView is a Fault as the control API shows it: its delay as a duration string, the form
// POST /_kcmock/faults takes.
type faultView struct {
	Fault
	Delay string `json:"delay,omitempty"` // shadows Fault.Delay (nanoseconds) in the JSON
}

// faultEndpoints are the names endpointOf gives the endpoints a fault can target.
var faultEndpoints = []string{"realm", "discovery", "certs", "token", "auth", "login", "userinfo", "introspect", "revoke", "logout"}

func (s *Server) controlFaultsGet(c echo.Context) error { return s.replyFaults(c) }

func (s *Server) controlFaultsPost(c echo.Context) error {
	var req faultRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	f := Fault{Realm: req.Realm, Endpoint: req.Endpoint, Grant: req.Grant, Client: req.Client, Count: req.Count,
		Status: req.Status, Body: req.Body, ContentType: req.ContentType, Drop: req.Drop}
	if given(req.Delay) {
		d, err := parseSpan(req.Delay, time.Millisecond, "delay")
		if err != nil {
			return err
		}
		f.Delay = d
	}
	if err := s.checkFault(f); err != nil {
		return err
	}
	return reply(c, http.StatusCreated, map[string]string{"id": s.AddFault(f)})
}

// checkFault refuses a fault that could never match or would do nothing, so a typo does not
// leave a test waiting for a failure that never comes.
func (s *Server) checkFault(f Fault) error {
	switch {
	case f.Realm != "" && s.state.Load().realms[f.Realm] == nil:
		return badRequest("realm: no realm %q", f.Realm)
	case f.Endpoint != "" && !slices.Contains(faultEndpoints, f.Endpoint):
		return badRequest("endpoint: %q is not one of %s", f.Endpoint, strings.Join(faultEndpoints, ", "))
	case f.Count < 0:
		return badRequest("count: want 0 (until removed) or more, got %d", f.Count)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return badRequest("status: %d is not an HTTP status", f.Status)
	case f.Delay < 0:
		return badRequest("delay: %v is negative", f.Delay)
	case f.Status == 0 && f.Delay == 0 && !f.Drop:
		return badRequest("a fault needs a status, a delay or drop")
	case f.Status == 0 && (f.Body != "" || f.ContentType != ""):
		return badRequest("body and content_type need a status")
	}
	return nil
}

func (s *Server) controlFaultsDeleteAll(c echo.Context) error {
	s.ClearFaults("")
	return s.replyFaults(c)
}

func (s *Server) controlFaultsDelete(c echo.Context) error {
	id := c.Param("id")
	if !slices.ContainsFunc(s.Faults(), func(f Fault) bool { return f.ID == id }) {
		return notFound("no fault %q (spent faults disarm themselves)", id)
	}
	s.ClearFaults(id)
	return s.replyFaults(c)
}

func (s *Server) replyFaults(c echo.Context) error {
	faults := s.Faults()
	out := make([]faultView, len(faults))
	for i, f := range faults {
		out[i] = faultView{Fault: f}
		if f.Delay > 0 {
			out[i].Delay = f.Delay.String()
		}
	}
	return reply(c, http.StatusOK, map[string]any{"faults": out})
}
