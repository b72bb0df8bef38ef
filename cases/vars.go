package cases

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Built-in variables, set for every step: the step realm's issuer, the server's base URL and
// the server clock in epoch seconds (a number, comparable with iat and exp).
const (
	varIssuer = "issuer"
	varBase   = "base"
	varNow    = "now"
)

var builtins = map[string]bool{varIssuer: true, varBase: true, varNow: true}

// Template is a string that may name variables: ${name} is the saved value, ${name.claim} a
// claim of the JWT saved in name (${name.a.b} a nested one), and $${ a literal "${".
type Template struct {
	Raw   string
	parts []part
}

type part struct {
	lit string
	ref *ref // nil for a literal
}

// ref is one ${…} reference.
type ref struct {
	Var    string
	Path   []string // claims, outermost first
	Offset *int64   // ${now + 300}: a number plus or minus an integer
}

func (r ref) String() string {
	s := strings.Join(append([]string{r.Var}, r.Path...), ".")
	switch {
	case r.Offset == nil:
	case *r.Offset < 0:
		s += " - " + strconv.FormatInt(-*r.Offset, 10)
	default:
		s += " + " + strconv.FormatInt(*r.Offset, 10)
	}
	return "${" + s + "}"
}

// literal is a Template without variables.
func literal(s string) *Template { return &Template{Raw: s, parts: []part{{lit: s}}} }

// parseTemplate splits s into literals and references.
func parseTemplate(s string) (*Template, error) {
	t := &Template{Raw: s}
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$${"):
			lit.WriteString("${")
			i += 3
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed ${ in %q", s)
			}
			r, err := parseRef(s[i+2 : i+end])
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, part{lit: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, part{ref: r})
			i += end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	if lit.Len() > 0 || len(t.parts) == 0 {
		t.parts = append(t.parts, part{lit: lit.String()})
	}
	return t, nil
}

func parseRef(s string) (*ref, error) {
	var offset *int64
	for _, sign := range []string{" + ", " - "} {
		if i := strings.LastIndex(s, sign); i >= 0 {
			n, err := strconv.ParseInt(strings.TrimSpace(s[i+3:]), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("${%s}: want an integer after %q", s, strings.TrimSpace(sign))
			}
			if sign == " - " {
				n = -n
			}
			offset, s = &n, strings.TrimSpace(s[:i])
			break
		}
	}
	names := strings.Split(s, ".")
	for _, n := range names {
		if n == "" {
			return nil, fmt.Errorf("${%s}: empty name", s)
		}
	}
	if !validVarName(names[0]) {
		return nil, fmt.Errorf("${%s}: a variable name is letters, digits, _ and -, starting with a letter or _", s)
	}
	return &ref{Var: names[0], Path: names[1:], Offset: offset}, nil
}

func validVarName(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '-')) {
			return false
		}
	}
	return s != ""
}

// refs lists the template's references.
func (t *Template) refs() []ref {
	var out []ref
	for _, p := range t.parts {
		if p.ref != nil {
			out = append(out, *p.ref)
		}
	}
	return out
}

// whole returns the reference when the template is exactly one ${…} and nothing else.
func (t *Template) whole() *ref {
	if len(t.parts) == 1 {
		return t.parts[0].ref
	}
	return nil
}

// expand expands the template; non-string values are written as JSON.
func (t *Template) expand(e *env) (string, error) {
	var b strings.Builder
	for _, p := range t.parts {
		if p.ref == nil {
			b.WriteString(p.lit)
			continue
		}
		v, err := e.lookup(*p.ref)
		if err != nil {
			return "", err
		}
		b.WriteString(text(v))
	}
	return b.String(), nil
}

// value expands the template: a lone reference keeps its JSON type (a number stays a number).
func (t *Template) value(e *env) (any, error) {
	if r := t.whole(); r != nil {
		return e.lookup(*r)
	}
	return t.expand(e)
}

// text is a value as it appears inside a string: strings bare, the rest as JSON.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// env holds the variables of a running case.
type env struct {
	vars map[string]any
}

func newEnv() *env { return &env{vars: map[string]any{}} }

// lookup resolves a reference; a path reads claims of a saved JWT (or fields of a saved object).
func (e *env) lookup(r ref) (any, error) {
	v, err := e.value(r)
	if err != nil || r.Offset == nil {
		return v, err
	}
	n, ok := v.(float64)
	if !ok {
		return nil, fmt.Errorf("%s: %s is %s, not a number", r, ref{Var: r.Var, Path: r.Path}, show(v, true))
	}
	return n + float64(*r.Offset), nil
}

// value is lookup without the offset.
func (e *env) value(r ref) (any, error) {
	v, ok := e.vars[r.Var]
	if !ok {
		return nil, fmt.Errorf("%s: variable %s is not set", r, r.Var)
	}
	if len(r.Path) == 0 {
		return v, nil
	}
	if s, ok := v.(string); ok {
		claims, err := jwtClaims(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a JWT (%v)", r, r.Var, err)
		}
		v = claims
	}
	for i, name := range r.Path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not an object", r, strings.Join(append([]string{r.Var}, r.Path[:i]...), "."))
		}
		if v, ok = m[name]; !ok {
			return nil, fmt.Errorf("%s: no claim %q", r, strings.Join(r.Path[:i+1], "."))
		}
	}
	return v, nil
}

// jwtClaims decodes a JWS's payload without verifying it: cases check what kcmock sends, and
// kcmock's own endpoints verify signatures.
func jwtClaims(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%d parts, want 3", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		return nil, fmt.Errorf("payload: %v", err)
	}
	return claims, nil
}
