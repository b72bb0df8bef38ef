package cases

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// defaultStart is the server clock's time when a case begins, unless Options says otherwise.
func defaultStart() time.Time { return time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC) }

// Options tunes a run. The zero value is what `kcmock check` uses.
type Options struct {
	// Start is the frozen clock's time at the start of every case. Default
	// 2026-01-01T12:00:00Z.
	Start time.Time
	// StepTimeout bounds each request. Default 10 s.
	StepTimeout time.Duration
}

// Result is the outcome of one case.
type Result struct {
	Name    string   `json:"name"`
	Passed  bool     `json:"passed"`
	Steps   int      `json:"steps"`             // how many steps ran, the failing one included
	Failure *Failure `json:"failure,omitempty"` // the step that failed
}

// Failure is the step that did not meet its expectations, and how.
type Failure struct {
	Step       int        `json:"step"` // 1-based
	StepName   string     `json:"step_name,omitempty"`
	Request    Kind       `json:"request"`
	Path       string     `json:"path"` // cases[i].steps[j]
	Mismatches []Mismatch `json:"mismatches"`
	// Answer is the HTTP answer: status and the start of the body.
	Answer string `json:"answer,omitempty"`
	// Reason is kcmock's own account of a refusal (its decision journal): the Keycloak rule
	// and why it applied. It explains what kcmock did, not what the case wanted.
	Reason string `json:"kcmock_reason,omitempty"`
}

// Run runs every case of the suite, each against a fresh server.
func (s *Suite) Run(ctx context.Context, opts Options) []Result {
	out := make([]Result, 0, len(s.Cases))
	for i := range s.Cases {
		out = append(out, runCase(ctx, s.Scenario, &s.Cases[i], opts))
	}
	return out
}

// runCase starts kcmock for one case on a loopback listener (so issuers are real URLs), with
// the clock frozen at the start and sequential ids, and runs the steps until one fails.
func runCase(ctx context.Context, sc *scenarios.Scenario, c *Case, opts Options) Result {
	res := Result{Name: c.Name}
	fail := func(f *Failure) Result { res.Failure = f; return res }
	srv, err := server.New(server.Config{Scenario: sc, NewID: sequentialIDs()})
	if err != nil {
		return fail(&Failure{Path: c.Path, Mismatches: []Mismatch{{Note: "starting kcmock: " + err.Error()}}})
	}
	start := opts.Start
	if start.IsZero() {
		start = defaultStart()
	}
	srv.Clock().Freeze()
	srv.Clock().Set(start)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(&Failure{Path: c.Path, Mismatches: []Mismatch{{Note: "listening on 127.0.0.1: " + err.Error()}}})
	}
	ts := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv.Handler()}}
	ts.Start()
	defer ts.Close()

	// The server's own client: its connections close with the server. Redirects are answers.
	hc := ts.Client()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r := &runner{ctx: ctx, srv: srv, base: ts.URL, env: newEnv(), timeout: opts.StepTimeout, http: hc}
	if r.timeout == 0 {
		r.timeout = 10 * time.Second
	}
	for i := range c.Steps {
		st := &c.Steps[i]
		res.Steps++
		realm := st.Realm
		if realm == "" {
			realm = c.Realm
		}
		if f := r.step(st, realm); f != nil {
			f.Step, f.StepName, f.Request, f.Path = i+1, st.Name, st.Kind, st.Path
			return fail(f)
		}
	}
	res.Passed = true
	return res
}

// runner runs the steps of one case.
type runner struct {
	ctx     context.Context
	srv     *server.Server
	base    string
	env     *env
	http    *http.Client
	timeout time.Duration
}

func (r *runner) step(st *Step, realm string) *Failure {
	r.env.vars[varBase] = r.base
	r.env.vars[varIssuer] = r.base + "/realms/" + realm
	r.env.vars[varNow] = float64(r.srv.Clock().Now().Unix())
	switch st.Kind {
	case ClockStep:
		r.moveClock(st.Clock)
		return nil
	case EndSession:
		id, err := st.Session.expand(r.env)
		if err != nil {
			return noteFailure("session", err.Error())
		}
		if !r.srv.EndSession(realm, id) {
			return noteFailure("session", fmt.Sprintf("no session %q in realm %q to end", id, realm))
		}
		return nil
	}
	return r.httpStep(st, realm)
}

func (r *runner) moveClock(m *ClockMove) {
	clock := r.srv.Clock()
	if m.Freeze != nil {
		if *m.Freeze {
			clock.Freeze()
		} else {
			clock.Unfreeze()
		}
	}
	if m.Set != nil {
		clock.Set(*m.Set)
	}
	if m.Advance != 0 {
		clock.Advance(m.Advance)
	}
}

func noteFailure(field, note string) *Failure {
	return &Failure{Mismatches: []Mismatch{{Field: field, Note: note}}}
}

// sequentialIDs makes UUID-shaped ids 00000000-0000-4000-8000-000000000001, …: unique within
// a server and the same on every run, so that reports do not change between runs.
func sequentialIDs() func() string {
	var next atomic.Uint64
	return func() string {
		n := next.Add(1)
		return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(n>>48), n&0xffffffffffff)
	}
}
