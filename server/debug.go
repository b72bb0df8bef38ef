package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// The debug page is the control API for people: what the scenario holds (realms, clients,
// users, roles, scopes, providers, keys), what the endpoints decided lately, and a token
// decoder. It sits behind the same switch and secret as the rest of /_kcmock. It needs no
// JavaScript and loads nothing from elsewhere, so it works in any browser, offline.

// debugJournalSize is how many journal entries the page shows, newest first.
const debugJournalSize = 50

// routesDebug registers the page and the decoder on the control API's group.
func (s *Server) routesDebug(g *echo.Group) {
	// The page is /_kcmock/; the bare prefix, which is what people type, redirects there.
	g.GET("", func(c echo.Context) error { return c.Redirect(http.StatusFound, controlPrefix+"/") })
	g.GET("/", s.debugPage)
	g.POST("/decode", s.debugDecode)
}

// debugView is what the debug page shows.
type debugView struct {
	Version string
	Now     string
	Frozen  bool
	Realms  []realmView
	Journal []journalView
	// Decoder: the token as pasted, the result (nil before a decode), a refusal of the input.
	Token       string
	Decoded     *decodeView
	DecodeError string
}

// journalView is one journal entry as the page shows it.
type journalView struct {
	Entry
	When    string
	Refused bool
}

func (s *Server) debugPage(c echo.Context) error {
	return s.renderDebug(c, http.StatusOK, debugView{})
}

// debugDecode decodes a token given as a form field (the page's form) or a JSON body
// {"token": "..."}, and answers the page again with the result for a browser (Accept:
// text/html), JSON for anyone else.
func (s *Server) debugDecode(c echo.Context) error {
	raw, err := decodeInput(c)
	html := acceptsHTML(c.Request())
	if err != nil {
		var ce *controlError
		if html && errors.As(err, &ce) {
			return s.renderDebug(c, ce.Status, debugView{DecodeError: ce.Message})
		}
		return err
	}
	res := s.decodeToken(raw)
	if html {
		return s.renderDebug(c, http.StatusOK, debugView{Token: raw, Decoded: s.decodeView(res)})
	}
	return reply(c, http.StatusOK, res)
}

// decodeInput reads the token to decode. A body that starts with "{" is JSON (whatever the
// Content-Type, as everywhere in the control API); otherwise a form body is read for its token
// field.
func decodeInput(c echo.Context) (string, error) {
	req := c.Request()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		req.Body = io.NopCloser(bytes.NewReader(nil))
		return "", err // the body limit, rendered by the control gate
	}
	var token string
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' {
		req.Body = io.NopCloser(bytes.NewReader(b))
		var in struct {
			Token string `json:"token"`
		}
		if err := decodeBody(c, &in); err != nil {
			return "", err
		}
		token = in.Token
	} else {
		ct, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
		if ct != "application/x-www-form-urlencoded" {
			return "", badRequest(`send {"token": "..."} as JSON or token=... as a form`)
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return "", badRequest("invalid form body: %v", err)
		}
		token = form.Get("token")
	}
	token = strings.TrimSpace(token)
	// People paste whole Authorization headers.
	if t, ok := strings.CutPrefix(token, "Bearer "); ok {
		token = strings.TrimSpace(t)
	}
	if token == "" {
		return "", badRequest("token: required")
	}
	return token, nil
}

// acceptsHTML reports whether the client asked for a page: browsers put text/html in Accept
// on form submissions; curl and fetch send */* or nothing.
func acceptsHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			return true
		}
	}
	return false
}

// renderDebug fills in the scenario and the journal and writes the page.
func (s *Server) renderDebug(c echo.Context, status int, v debugView) error {
	st := s.state.Load()
	now := s.clock.Now()
	v.Version = st.scenario.Server.Version.String()
	v.Now = now.UTC().Format(time.RFC3339)
	v.Frozen = s.clock.Frozen()
	base := s.baseURL(c.Request(), "")
	for _, r := range st.scenario.Realms {
		if rs := st.realms[r.Name]; rs != nil {
			v.Realms = append(v.Realms, s.realmView(rs, base))
		}
	}
	entries := s.journal.Entries(JournalFilter{Limit: debugJournalSize})
	slices.Reverse(entries)
	for _, e := range entries {
		v.Journal = append(v.Journal, journalView{Entry: e, When: e.Time.UTC().Format("2006-01-02 15:04:05"), Refused: e.Outcome == "refused"})
	}
	page := v.html()
	h := c.Response().Header()
	// Inline styles only: no script, no outside resource, no framing.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	return c.HTMLBlob(status, []byte(page))
}

// decodeView is a decoder result as the page shows it.
type decodeView struct {
	decodeResult
	HeaderJSON, ClaimsJSON string
	Times                  []timeClaim
}

// timeClaim is a NumericDate claim read against the server clock.
type timeClaim struct{ Name, At, Relative string }

func (s *Server) decodeView(res decodeResult) *decodeView {
	v := &decodeView{decodeResult: res, HeaderJSON: indentJSON(res.Header), ClaimsJSON: indentJSON(res.Claims)}
	var claims map[string]any
	if json.Unmarshal(res.Claims, &claims) != nil {
		return v
	}
	for _, name := range []string{"exp", "nbf", "iat", "auth_time"} {
		f, ok := claims[name].(float64)
		if !ok {
			continue
		}
		d := time.Duration(int64(f)-res.Now) * time.Second
		rel := "in " + d.String()
		if d < 0 {
			rel = (-d).String() + " ago"
		}
		v.Times = append(v.Times, timeClaim{Name: name, At: unixUTC(int64(f)), Relative: rel})
	}
	return v
}

// indentJSON pretty-prints JSON keeping the token's member order.
func indentJSON(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return string(b)
	}
	return out.String()
}
