package cases

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mismatch is one difference between an expectation and the answer.
type Mismatch struct {
	Field string `json:"field"`          // body.error, claims.access_token.aud, status, …
	Want  string `json:"want,omitempty"` // the expectation, variables expanded
	Got   string `json:"got,omitempty"`  // what came, as JSON, or "absent"
	Note  string `json:"note,omitempty"` // instead of Want and Got: what went wrong
}

func (m Mismatch) String() string {
	if m.Note != "" {
		if m.Field == "" {
			return m.Note
		}
		return m.Field + ": " + m.Note
	}
	return fmt.Sprintf("%s: want %s, got %s", m.Field, m.Want, m.Got)
}

// describe renders the expectation for a diff, with variables expanded where possible.
func (m *Matcher) describe(e *env) string {
	switch m.op {
	case opPresent:
		return "present"
	case opNot:
		return "not " + m.inner.describe(e)
	case opEqual:
		if m.tmpl == nil {
			return show(m.lit, true)
		}
		v, err := m.tmpl.value(e)
		if err != nil {
			return m.tmpl.Raw
		}
		return show(v, true)
	case opRegex:
		src, err := m.regexSource(e)
		if err != nil {
			src = m.tmpl.Raw
		}
		return "a string matching " + show(src, true)
	case opSet:
		return describeList(m.elems, e) + " in any order"
	case opContains:
		return "containing " + describeList(m.elems, e)
	case opKeys:
		return "an object with exactly the keys " + show(toAny(m.keys), true)
	case opObject:
		parts := make([]string, len(m.fields))
		for i, f := range m.fields {
			parts[i] = show(f.Name, true) + ":" + f.M.describe(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return "?"
}

func describeList(ms []*Matcher, e *env) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.describe(e)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// maxShown bounds a value in a diff: tokens are long and say little to a reader.
const maxShown = 200

// show renders a value as compact JSON, "absent" when it is not there.
func show(v any, present bool) string {
	if !present {
		return "absent"
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return clip(strings.TrimSuffix(b.String(), "\n"), maxShown)
}

// clip shortens s to at most n bytes (on a rune boundary), marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
