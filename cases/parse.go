package cases

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/kcmock/kcmock/scenarios"
)

// Parse reads the [[cases]] of one scenario file. name is the file's name in problems. Every
// problem is reported at once, as a *scenarios.LoadError whose paths read like
// cases[2].steps[0].expect.status. A file without cases gives none and no error.
func Parse(name string, data []byte) ([]Case, error) {
	cs, probs, _ := parse(name, data)
	if len(probs) > 0 {
		return nil, &scenarios.LoadError{Problems: probs}
	}
	return cs, nil
}

// parse is Parse that also tells whether the TOML itself is broken (which the scenario
// loader reports too).
func parse(name string, data []byte) (cs []Case, probs []scenarios.Problem, syntax bool) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, []scenarios.Problem{{File: name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: pe.Message}}, true
		}
		return nil, []scenarios.Problem{{File: name, Msg: err.Error()}}, true
	}
	p := &parser{file: name}
	v, ok := raw["cases"]
	if !ok {
		return nil, nil, false
	}
	list, ok := v.([]map[string]any)
	if !ok {
		p.add("cases", "must be an array of tables ([[cases]]), got %s", kindOf(v))
		return nil, p.probs, false
	}
	names := map[string]string{}
	for i, m := range list {
		c := p.parseCase(m, idx("cases", i))
		if c.Name != "" {
			if prev, dup := names[c.Name]; dup {
				p.add(at(c.Path, "name"), "duplicate case name %q (also %s)", c.Name, prev)
			}
			names[c.Name] = c.Path
		}
		cs = append(cs, c)
	}
	return cs, p.probs, false
}

// parser collects the problems of one file.
type parser struct {
	file  string
	probs []scenarios.Problem
	saved map[string]bool // variables saved by the steps read so far in the current case
}

func (p *parser) add(path, format string, args ...any) {
	p.probs = append(p.probs, scenarios.Problem{File: p.file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) parseCase(m map[string]any, path string) Case {
	p.known(m, path, nil, "name", "realm", "steps")
	c := Case{Path: path}
	if v, ok := m["name"]; ok {
		c.Name, _ = p.str(v, at(path, "name"))
	}
	if c.Name == "" {
		p.add(at(path, "name"), "a case needs a name")
	}
	if v, ok := m["realm"]; ok {
		c.Realm, _ = p.str(v, at(path, "realm"))
	}
	v, ok := m["steps"]
	if !ok {
		p.add(at(path, "steps"), "a case needs steps ([[cases.steps]])")
		return c
	}
	steps, ok := v.([]map[string]any)
	if !ok || len(steps) == 0 {
		p.add(at(path, "steps"), "must be a non-empty array of tables ([[cases.steps]]), got %s", kindOf(v))
		return c
	}
	p.saved = map[string]bool{}
	for j, sm := range steps {
		c.Steps = append(c.Steps, p.parseStep(sm, idx(at(path, "steps"), j)))
	}
	return c
}

// stepKeys are the keys each kind of step takes besides name, request and realm.
var stepKeys = map[Kind][]string{
	Token:      {"client", "form", "headers", "save", "expect"},
	Introspect: {"client", "form", "headers", "save", "expect"},
	Revoke:     {"client", "form", "headers", "save", "expect"},
	Userinfo:   {"bearer", "form", "headers", "save", "expect"},
	Certs:      {"headers", "save", "expect"},
	Discovery:  {"headers", "save", "expect"},
	ClockStep:  {"advance", "set", "freeze"},
	EndSession: {"session"},
}

// parseStep reads one step. References to variables that no earlier step saves are
// problems, so that a typo is found before anything runs.
func (p *parser) parseStep(m map[string]any, path string) Step {
	st := Step{Path: path}
	if v, ok := m["name"]; ok {
		st.Name, _ = p.str(v, at(path, "name"))
	}
	if v, ok := m["realm"]; ok {
		st.Realm, _ = p.str(v, at(path, "realm"))
	}
	v, ok := m["request"]
	if !ok {
		p.add(at(path, "request"), "a step needs a request: %s", kindList())
		p.known(m, path, nil, "name", "request", "realm")
		return st
	}
	s, _ := p.str(v, at(path, "request"))
	st.Kind = Kind(s)
	if _, ok := stepKeys[st.Kind]; !ok {
		if s != "" {
			p.add(at(path, "request"), "unknown request %q: want %s", s, kindList())
		}
		return st
	}
	p.known(m, path, otherKinds(st.Kind), append([]string{"name", "request", "realm"}, stepKeys[st.Kind]...)...)
	if v, ok := m["client"]; ok {
		st.Client = p.parseClient(v, at(path, "client"))
	}
	if v, ok := m["form"]; ok {
		st.Form = p.parseForm(v, at(path, "form"))
	}
	if v, ok := m["bearer"]; ok {
		st.Bearer = p.value(v, at(path, "bearer"))
	}
	if v, ok := m["headers"]; ok {
		if hm, ok := p.table(v, at(path, "headers")); ok {
			for _, k := range sortedKeys(hm) {
				st.Headers = append(st.Headers, Header{Name: k, Value: p.value(hm[k], at(at(path, "headers"), k))})
			}
		}
	}
	if v, ok := m["expect"]; ok {
		st.Expect = p.parseExpect(v, at(path, "expect"))
	}
	if st.Kind == ClockStep {
		st.Clock = p.parseClock(m, path)
	}
	if st.Kind == EndSession {
		if v, ok := m["session"]; ok {
			st.Session = p.value(v, at(path, "session"))
		} else {
			p.add(at(path, "session"), `an end_session step needs the session id, e.g. "${alice.sid}"`)
		}
	}
	if v, ok := m["save"]; ok {
		st.Save = p.parseSave(v, at(path, "save"))
	}
	return st
}

func (p *parser) parseClient(v any, path string) *Client {
	m, ok := p.table(v, path)
	if !ok {
		return nil
	}
	p.known(m, path, nil, "id", "secret", "auth")
	c := &Client{}
	if v, ok := m["id"]; ok {
		c.ID = p.value(v, at(path, "id"))
	} else {
		p.add(at(path, "id"), "a client needs an id (its client_id)")
	}
	if v, ok := m["secret"]; ok {
		c.Secret = p.value(v, at(path, "secret"))
	}
	if v, ok := m["auth"]; ok {
		switch s, _ := p.str(v, at(path, "auth")); s {
		case "basic":
		case "post":
			c.Post = true
		case "":
		default:
			p.add(at(path, "auth"), `want "basic" (HTTP Basic, the default) or "post" (client_id and client_secret in the form), got %q`, s)
		}
		if _, ok := m["secret"]; !ok {
			p.add(at(path, "auth"), "only for a client with a secret (a public client sends its client_id in the form)")
		}
	}
	return c
}

// parseForm reads form parameters; an array value repeats its key (audience = ["a", "b"]).
func (p *parser) parseForm(v any, path string) []Field {
	m, ok := p.table(v, path)
	if !ok {
		return nil
	}
	var out []Field
	for _, k := range sortedKeys(m) {
		kp := at(path, k)
		if arr, ok := asArray(m[k]); ok {
			for i, x := range arr {
				if t := p.value(x, idx(kp, i)); t != nil {
					out = append(out, Field{Key: k, Value: t})
				}
			}
			continue
		}
		if t := p.value(m[k], kp); t != nil {
			out = append(out, Field{Key: k, Value: t})
		}
	}
	return out
}

func (p *parser) parseSave(v any, path string) []Save {
	m, ok := p.table(v, path)
	if !ok {
		return nil
	}
	var out []Save
	for _, name := range sortedKeys(m) {
		np := at(path, name)
		field, ok := p.str(m[name], np)
		if !ok {
			continue
		}
		switch {
		case !validVarName(name):
			p.add(np, "a variable name is letters, digits, _ and -, starting with a letter or _")
		case builtins[name]:
			p.add(np, "%s is a built-in variable", name)
		case field == "":
			p.add(np, "name the response field to save, e.g. \"access_token\"")
		default:
			out = append(out, Save{Var: name, Field: field})
		}
	}
	// Saved only now: a step's expectations see the variables of earlier steps.
	for _, s := range out {
		p.saved[s.Var] = true
	}
	return out
}

func (p *parser) parseClock(m map[string]any, path string) *ClockMove {
	c := &ClockMove{}
	if v, ok := m["freeze"]; ok {
		if b, ok := v.(bool); ok {
			c.Freeze = &b
		} else {
			p.add(at(path, "freeze"), "must be true or false, got %s", kindOf(v))
		}
	}
	if v, ok := m["set"]; ok {
		switch t := v.(type) {
		case time.Time:
			c.Set = &t
		case string:
			if tt, err := time.Parse(time.RFC3339, t); err == nil {
				c.Set = &tt
			} else {
				p.add(at(path, "set"), "want an RFC 3339 time such as \"2026-01-01T12:00:00Z\", got %q", t)
			}
		default:
			p.add(at(path, "set"), "want an RFC 3339 time such as \"2026-01-01T12:00:00Z\", got %s", kindOf(v))
		}
	}
	if v, ok := m["advance"]; ok {
		s, isStr := v.(string)
		d, err := time.ParseDuration(s)
		switch {
		case !isStr:
			p.add(at(path, "advance"), "want a duration string such as \"301s\" or \"30m\", got %s", kindOf(v))
		case err != nil:
			p.add(at(path, "advance"), "want a duration such as \"301s\" or \"30m\", got %q", s)
		default:
			c.Advance = d
		}
	}
	if c.Freeze == nil && c.Set == nil && c.Advance == 0 && !hasAny(m, "freeze", "set", "advance") {
		p.add(path, "a clock step needs advance, set or freeze")
	}
	return c
}

func hasAny(m map[string]any, keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func kindList() string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// otherKinds maps each key of other kinds of step to a kind that takes it, for messages.
func otherKinds(k Kind) map[string]Kind {
	out := map[string]Kind{}
	for _, other := range kinds {
		if other == k {
			continue
		}
		for _, key := range stepKeys[other] {
			if _, seen := out[key]; !seen {
				out[key] = other
			}
		}
	}
	return out
}
