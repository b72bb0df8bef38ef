package cases

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kcmock/kcmock/internal/suggest"
)

// known reports every key of m that is not allowed, suggesting the key meant; elsewhere names
// keys that belong to another kind of step.
func (p *parser) known(m map[string]any, path string, elsewhere map[string]Kind, allowed ...string) {
	ok := map[string]bool{}
	for _, k := range allowed {
		ok[k] = true
	}
	for _, k := range sortedKeys(m) {
		if ok[k] {
			continue
		}
		if kind, found := elsewhere[k]; found {
			p.add(at(path, k), "unknown key for this request (it belongs to request = %q)", kind)
			continue
		}
		p.add(at(path, k), "unknown key%s", didYouMean(k, allowed))
	}
}

func (p *parser) table(v any, path string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		p.add(path, "must be a table, got %s", kindOf(v))
	}
	return m, ok
}

func (p *parser) str(v any, path string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.add(path, "must be a string, got %s", kindOf(v))
	}
	return s, ok
}

func (p *parser) strings(v any, path string) ([]string, bool) {
	arr, ok := asArray(v)
	if !ok {
		p.add(path, "must be an array of strings, got %s", kindOf(v))
		return nil, false
	}
	out := make([]string, 0, len(arr))
	for i, x := range arr {
		s, ok := p.str(x, idx(path, i))
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// template parses a string with variables and checks that each is built in or saved by an
// earlier step of the case.
func (p *parser) template(s, path string) *Template {
	t, err := parseTemplate(s)
	if err != nil {
		p.add(path, "%v", err)
		return nil
	}
	for _, r := range t.refs() {
		if !builtins[r.Var] && !p.saved[r.Var] {
			p.add(path, "%s: no earlier step saves %s%s", r, r.Var, savedHint(p.saved))
		}
	}
	return t
}

func savedHint(saved map[string]bool) string {
	if len(saved) == 0 {
		return " (no step before this one saves anything)"
	}
	return " (saved so far: " + strings.Join(sortedKeys(saved), ", ") + ")"
}

// value reads a request value: a string (with variables), or a number or boolean written as
// the form would carry it.
func (p *parser) value(v any, path string) *Template {
	switch v := v.(type) {
	case string:
		return p.template(v, path)
	case int64:
		return literal(strconv.FormatInt(v, 10))
	case float64:
		return literal(strconv.FormatFloat(v, 'f', -1, 64))
	case bool:
		return literal(strconv.FormatBool(v))
	}
	p.add(path, "must be a string, number or boolean, got %s", kindOf(v))
	return nil
}

// at joins a path and a key, quoting keys that are not bare, as scenario problems do.
func at(path, key string) string {
	if !isBareKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func idx(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func isBareKey(k string) bool {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return k != ""
}

// kindOf names a decoded TOML value's type for messages.
func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date-time"
	case nil:
		return "nothing"
	}
	return fmt.Sprintf("%T", v)
}

// didYouMean names the allowed key closest to a misspelt one.
func didYouMean(k string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	for _, a := range allowed {
		if norm(a) == norm(k) {
			return fmt.Sprintf(" (did you mean %q?)", a)
		}
	}
	if best, ok := suggest.Closest(k, allowed); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	sorted := append([]string(nil), allowed...)
	sort.Strings(sorted)
	return " (known keys: " + strings.Join(sorted, ", ") + ")"
}
