package cases

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/kcmock/kcmock/server"
)

// endpoints are the paths of the HTTP kinds under /realms/{realm}.
var endpoints = map[Kind]string{
	Token:      "/protocol/openid-connect/token",
	Introspect: "/protocol/openid-connect/token/introspect",
	Userinfo:   "/protocol/openid-connect/userinfo",
	Revoke:     "/protocol/openid-connect/revoke",
	Certs:      "/protocol/openid-connect/certs",
	Discovery:  "/.well-known/openid-configuration",
}

// maxBody bounds what a step reads of an answer.
const maxBody = 1 << 20

// answer is an HTTP answer as the expectations see it.
type answer struct {
	status int
	header http.Header
	raw    []byte
	json   any // the decoded body; nil when it is not JSON
}

func (r *runner) httpStep(st *Step, realm string) *Failure {
	req, err := r.request(st, realm)
	if err != nil {
		return noteFailure("", err.Error())
	}
	before := lastSeq(r.srv)
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout)
	defer cancel()
	res, err := r.http.Do(req.WithContext(ctx))
	if err != nil {
		return noteFailure("", "request failed: "+err.Error())
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	if err != nil {
		return noteFailure("", "reading the answer: "+err.Error())
	}
	a := &answer{status: res.StatusCode, header: res.Header, raw: raw}
	if len(bytes.TrimSpace(raw)) > 0 {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			a.json = v
		}
	}
	mm := st.Expect.check(a, r.env)
	if len(mm) == 0 {
		mm = r.save(st.Save, a)
	}
	if len(mm) == 0 {
		return nil
	}
	return &Failure{Mismatches: mm, Answer: a.summary(), Reason: reason(r.srv, before)}
}

// request builds the step's HTTP request: form parameters, client authentication (HTTP Basic
// with form-url-encoded id and secret, as RFC 6749 §2.3.1 asks, or client_secret_post, or a
// public client's client_id), the bearer token and extra headers.
func (r *runner) request(st *Step, realm string) (*http.Request, error) {
	form := url.Values{}
	for _, f := range st.Form {
		v, err := f.Value.expand(r.env)
		if err != nil {
			return nil, fmt.Errorf("form.%s: %v", f.Key, err)
		}
		form.Add(f.Key, v)
	}
	var basicID, basicSecret string
	basic := false
	if c := st.Client; c != nil {
		id, err := c.ID.expand(r.env)
		if err != nil {
			return nil, fmt.Errorf("client.id: %v", err)
		}
		switch {
		case c.Secret == nil:
			form.Set("client_id", id)
		default:
			secret, err := c.Secret.expand(r.env)
			if err != nil {
				return nil, fmt.Errorf("client.secret: %v", err)
			}
			if c.Post {
				form.Set("client_id", id)
				form.Set("client_secret", secret)
			} else {
				basic, basicID, basicSecret = true, id, secret
			}
		}
	}
	method := http.MethodGet
	if st.Kind == Token || st.Kind == Introspect || st.Kind == Revoke || st.Kind == Userinfo && len(st.Form) > 0 {
		method = http.MethodPost
	}
	u := r.base + "/realms/" + url.PathEscape(realm) + endpoints[st.Kind]
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		return nil, err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if basic {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	if st.Bearer != nil {
		tok, err := st.Bearer.expand(r.env)
		if err != nil {
			return nil, fmt.Errorf("bearer: %v", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, h := range st.Headers {
		v, err := h.Value.expand(r.env)
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %v", h.Name, err)
		}
		if strings.EqualFold(h.Name, "Host") {
			req.Host = v
		} else {
			req.Header.Set(h.Name, v)
		}
	}
	return req, nil
}

// save stores response fields in variables; a missing field fails the step.
func (r *runner) save(saves []Save, a *answer) []Mismatch {
	var mm []Mismatch
	obj, _ := a.json.(map[string]any)
	for _, s := range saves {
		v, ok := obj[s.Field]
		if !ok {
			mm = append(mm, Mismatch{Field: "save." + s.Var, Note: fmt.Sprintf("the answer has no field %q to save", s.Field)})
			continue
		}
		r.env.vars[s.Var] = v
	}
	return mm
}

// jwtPattern finds compact JWS tokens, which a failure shows shortened: their claims are
// what expectations check, and the whole token only hides the rest of the answer.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// maxAnswer bounds the body shown with a failure.
const maxAnswer = 300

// summary is the answer as a failure shows it: status and the start of the body.
func (a *answer) summary() string {
	s := fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
	body := jwtPattern.ReplaceAllStringFunc(strings.TrimSpace(string(a.raw)), func(t string) string { return t[:12] + "…" })
	body = clip(body, maxAnswer)
	if body != "" {
		s += " " + body
	}
	if w := a.header.Get("WWW-Authenticate"); w != "" {
		s += " (WWW-Authenticate: " + w + ")"
	}
	return s
}

func lastSeq(srv *server.Server) int64 {
	if e := srv.Journal().Entries(server.JournalFilter{Limit: 1}); len(e) > 0 {
		return e[0].Seq
	}
	return 0
}

// reason is kcmock's journal entry for the step's request, when it refused it.
func reason(srv *server.Server, after int64) string {
	entries := srv.Journal().Entries(server.JournalFilter{Limit: 1})
	if len(entries) == 0 || entries[0].Seq <= after || entries[0].Outcome != "refused" {
		return ""
	}
	e := entries[0]
	s := e.Rule
	if e.Explanation != "" {
		if s != "" {
			s += ": "
		}
		s += e.Explanation
	}
	return s
}
