package scenarios

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"

	"github.com/kcmock/kcmock/internal/suggest"
)

// checkShape walks a generically decoded TOML document against the schema type and reports
// every unknown key and every value of the wrong type with its full path, indexes included.
// BurntSushi/toml's own Undecoded() loses array indexes, which users need to find the entry.
func checkShape(v any, t reflect.Type, path string, ps problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		u := reflect.New(t).Interface().(toml.Unmarshaler)
		if err := u.UnmarshalTOML(v); err != nil {
			ps.add(path, "%v", err)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			ps.add(path, "must be a table, got %s", tomlKind(v))
			return
		}
		fields := structFields(t)
		for _, k := range sortedKeys(m) {
			f, ok := fields[k]
			if !ok {
				ps.add(at(path, k), "unknown key%s", didYouMean(k, fields))
				continue
			}
			checkShape(m[k], t.Field(f).Type, at(path, k), ps)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			ps.add(path, "must be a table, got %s", tomlKind(v))
			return
		}
		for _, k := range sortedKeys(m) {
			checkShape(m[k], t.Elem(), at(path, k), ps)
		}
	case reflect.Slice:
		rv := reflect.ValueOf(v)
		if v == nil || rv.Kind() != reflect.Slice {
			ps.add(path, "must be an array, got %s", tomlKind(v))
			return
		}
		for i := 0; i < rv.Len(); i++ {
			checkShape(rv.Index(i).Interface(), t.Elem(), idx(path, i), ps)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			ps.add(path, "must be a string, got %s", tomlKind(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			ps.add(path, "must be true or false, got %s", tomlKind(v))
		}
	case reflect.Int, reflect.Int64:
		if _, ok := v.(int64); !ok {
			ps.add(path, "must be an integer, got %s", tomlKind(v))
		}
	}
}

var unmarshalerType = reflect.TypeOf((*toml.Unmarshaler)(nil)).Elem()

var fieldCache sync.Map // reflect.Type → map[string]int

func structFields(t reflect.Type) map[string]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]int)
	}
	m := make(map[string]int, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	fieldCache.Store(t, m)
	return m
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func tomlKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "an array"
	case nil:
		return "nothing"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// didYouMean names the known key closest to a misspelt one, or a camelCase key's snake_case form.
func didYouMean(k string, fields map[string]int) string {
	if s := snakeCase(k); s != k {
		if _, ok := fields[s]; ok {
			return fmt.Sprintf(" (did you mean %q? scenario keys are Keycloak's export names in snake_case)", s)
		}
	}
	if best, ok := suggest.Closest(k, slices.Collect(maps.Keys(fields))); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
