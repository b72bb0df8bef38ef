package cases

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Matcher is an expectation on one JSON value, compiled from its TOML form:
//
//	"text"              that exact string; ${…} variables are expanded, and a lone "${x}" keeps
//	                    x's JSON type (a number or an array compares as such)
//	"~regexp"           a string matching the regular expression (unanchored; variables in it
//	                    match literally)
//	"*"                 present, any value
//	"=text"             exactly text, for strings that start with ~, * or =
//	300, 1.5, true      that number or boolean
//	["a", "b"]          an array holding exactly these, in any order (each element a matcher);
//	                    a string of space-separated words, such as scope, counts as an array
//	{ contains = [...] } an array (or word string) holding at least these
//	{ not = m }         anything m does not match (absent included)
//	{ keys = [...] }    an object with exactly these keys
//	{ k = m, ... }      an object whose named fields match; other fields are not checked
type Matcher struct {
	op     op
	lit    any       // opEqual without variables: string, float64 or bool
	tmpl   *Template // opEqual with variables; opRegex's source
	re     *regexp.Regexp
	elems  []*Matcher // opSet, opContains
	fields []Named    // opObject
	keys   []string   // opKeys
	inner  *Matcher   // opNot
}

type op int

const (
	opEqual op = iota
	opRegex
	opPresent
	opSet
	opContains
	opNot
	opKeys
	opObject
)

// compileMatcher turns a TOML value into a Matcher, reporting problems at path.
func compileMatcher(v any, path string, p *parser) *Matcher {
	switch v := v.(type) {
	case string:
		return compileString(v, path, p)
	case int64:
		return &Matcher{op: opEqual, lit: float64(v)}
	case float64:
		return &Matcher{op: opEqual, lit: v}
	case bool:
		return &Matcher{op: opEqual, lit: v}
	case []any, []map[string]any:
		return &Matcher{op: opSet, elems: compileElems(v, path, p)}
	case map[string]any:
		if len(v) == 1 {
			for k, x := range v {
				switch k {
				case "contains":
					arr, ok := asArray(x)
					if !ok {
						p.add(at(path, k), "must be an array, got %s", kindOf(x))
						return nil
					}
					return &Matcher{op: opContains, elems: compileElems(arr, at(path, k), p)}
				case "not":
					return &Matcher{op: opNot, inner: compileMatcher(x, at(path, k), p)}
				case "keys":
					keys, ok := p.strings(x, at(path, k))
					if !ok {
						return nil
					}
					return &Matcher{op: opKeys, keys: keys}
				}
			}
		}
		m := &Matcher{op: opObject}
		for _, k := range sortedKeys(v) {
			m.fields = append(m.fields, Named{Name: k, M: compileMatcher(v[k], at(path, k), p)})
		}
		return m
	}
	p.add(path, "must be a string, number, boolean, array or table, got %s", kindOf(v))
	return nil
}

func compileString(s, path string, p *parser) *Matcher {
	switch {
	case s == "*":
		return &Matcher{op: opPresent}
	case strings.HasPrefix(s, "="):
		return &Matcher{op: opEqual, lit: s[1:]}
	case strings.HasPrefix(s, "~"):
		t := p.template(s[1:], path)
		if t == nil {
			return nil
		}
		m := &Matcher{op: opRegex, tmpl: t}
		if len(t.refs()) == 0 {
			re, err := regexp.Compile(s[1:])
			if err != nil {
				p.add(path, "bad regular expression: %v", err)
				return nil
			}
			m.re = re
		}
		return m
	}
	t := p.template(s, path)
	if t == nil {
		return nil
	}
	if len(t.refs()) == 0 {
		s, _ := t.expand(nil)
		return &Matcher{op: opEqual, lit: s}
	}
	return &Matcher{op: opEqual, tmpl: t}
}

func compileElems(v any, path string, p *parser) []*Matcher {
	arr, _ := asArray(v)
	out := make([]*Matcher, len(arr))
	for i, x := range arr {
		out[i] = compileMatcher(x, idx(path, i), p)
	}
	return out
}

// asArray accepts both shapes BurntSushi/toml decodes arrays into.
func asArray(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []map[string]any:
		out := make([]any, len(v))
		for i, m := range v {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// check compares got (present tells absent from null) and appends what differs. Objects are
// compared field by field so that a diff names the innermost field that differs.
func (m *Matcher) check(field string, got any, present bool, e *env, out *[]Mismatch) {
	if m.op == opObject && present {
		if obj, ok := got.(map[string]any); ok {
			for _, f := range m.fields {
				v, ok := obj[f.Name]
				f.M.check(field+"."+f.Name, v, ok, e, out)
			}
			return
		}
	}
	ok, err := m.matches(got, present, e)
	if err != nil {
		*out = append(*out, Mismatch{Field: field, Note: err.Error()})
		return
	}
	if !ok {
		*out = append(*out, Mismatch{Field: field, Want: m.describe(e), Got: show(got, present)})
	}
}

// matches reports whether got satisfies m; an error is a variable that cannot be resolved.
func (m *Matcher) matches(got any, present bool, e *env) (bool, error) {
	switch m.op {
	case opPresent:
		return present && got != nil, nil
	case opNot:
		ok, err := m.inner.matches(got, present, e)
		return !ok, err
	}
	if !present {
		return false, nil
	}
	switch m.op {
	case opEqual:
		want := m.lit
		if m.tmpl != nil {
			var err error
			if want, err = m.tmpl.value(e); err != nil {
				return false, err
			}
		}
		return equal(want, got), nil
	case opRegex:
		s, ok := got.(string)
		if !ok {
			return false, nil
		}
		re := m.re
		if re == nil {
			src, err := m.regexSource(e)
			if err != nil {
				return false, err
			}
			if re, err = regexp.Compile(src); err != nil {
				return false, fmt.Errorf("bad regular expression %q: %v", src, err)
			}
		}
		return re.MatchString(s), nil
	case opSet, opContains:
		items, ok := elements(got)
		if !ok || m.op == opSet && len(items) != len(m.elems) {
			return false, nil
		}
		return matchAll(m.elems, items, e)
	case opKeys:
		obj, ok := got.(map[string]any)
		if !ok || len(obj) != len(m.keys) {
			return false, nil
		}
		for _, k := range m.keys {
			if _, ok := obj[k]; !ok {
				return false, nil
			}
		}
		return true, nil
	case opObject:
		obj, ok := got.(map[string]any)
		if !ok {
			return false, nil
		}
		for _, f := range m.fields {
			v, present := obj[f.Name]
			if ok, err := f.M.matches(v, present, e); !ok || err != nil {
				return false, err
			}
		}
		return true, nil
	}
	return false, nil
}

// regexSource expands a regular expression's variables as literal text.
func (m *Matcher) regexSource(e *env) (string, error) {
	var b strings.Builder
	for _, pt := range m.tmpl.parts {
		if pt.ref == nil {
			b.WriteString(pt.lit)
			continue
		}
		v, err := e.lookup(*pt.ref)
		if err != nil {
			return "", err
		}
		b.WriteString(regexp.QuoteMeta(text(v)))
	}
	return b.String(), nil
}

// elements is got as a list: an array, or the words of a space-separated string (scope).
func elements(got any) ([]any, bool) {
	switch g := got.(type) {
	case []any:
		return g, true
	case string:
		words := strings.Fields(g)
		out := make([]any, len(words))
		for i, w := range words {
			out[i] = w
		}
		return out, true
	}
	return nil, false
}

// matchAll finds a distinct item for every matcher (bipartite matching, Kuhn's algorithm), so
// that ["a", "~^a"] needs two items even though "a" matches both.
func matchAll(ms []*Matcher, items []any, e *env) (bool, error) {
	fits := make([][]bool, len(ms))
	for i, m := range ms {
		fits[i] = make([]bool, len(items))
		for j, it := range items {
			ok, err := m.matches(it, true, e)
			if err != nil {
				return false, err
			}
			fits[i][j] = ok
		}
	}
	owner := make([]int, len(items))
	for j := range owner {
		owner[j] = -1
	}
	var try func(i int, seen []bool) bool
	try = func(i int, seen []bool) bool {
		for j := range items {
			if fits[i][j] && !seen[j] {
				seen[j] = true
				if owner[j] < 0 || try(owner[j], seen) {
					owner[j] = i
					return true
				}
			}
		}
		return false
	}
	for i := range ms {
		if !try(i, make([]bool, len(items))) {
			return false, nil
		}
	}
	return true, nil
}

// equal compares JSON values, numbers by value.
func equal(want, got any) bool {
	switch w := want.(type) {
	case int64:
		want = float64(w)
	case json.Number:
		f, _ := w.Float64()
		want = f
	}
	return reflect.DeepEqual(want, got)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
