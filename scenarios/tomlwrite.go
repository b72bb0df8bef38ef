package scenarios

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxLine is the width up to which tables and arrays are written inline.
const maxLine = 100

// sectionKeys are always written as [sections] or [[arrays]], however small: the entries a
// reader looks for.
var sectionKeys = map[string]bool{
	"server": true, "realms": true, "clients": true, "users": true, "client_scopes": true, "groups": true,
	"identity_providers": true, "policies": true, "keys": true, "protocol_mappers": true,
}

// encodeTOML renders a scenario document as readable TOML: keys in schema order, empty values
// left out, small tables and arrays inline, larger ones as [sections] and [[arrays]]. The
// result decodes (strictly) into the same document. comment lines go first, prefixed by "# ".
func encodeTOML(doc *fileDoc, comment []string) []byte {
	w := &tomlWriter{}
	for _, c := range comment {
		w.b.WriteString(strings.TrimRight("# "+c, " ") + "\n")
	}
	w.table(nil, reflect.ValueOf(doc).Elem(), false)
	return w.b.Bytes()
}

type tomlWriter struct{ b bytes.Buffer }

type entry struct {
	key string
	v   reflect.Value
}

// entries lists a struct's non-empty fields (by TOML tag) or a map's entries (sorted).
func entries(v reflect.Value) []entry {
	var out []entry
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
			if name != "" && name != "-" && !emptyValue(v.Field(i)) {
				out = append(out, entry{name, v.Field(i)})
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			if e := v.MapIndex(k); !emptyValue(e) || e.Kind() == reflect.String {
				out = append(out, entry{k.String(), e})
			}
		}
	}
	return out
}

// emptyValue: nil pointers and slices, empty maps, zero scalars. A non-nil empty slice is kept:
// it can mean "none" where nil means "the default" (default_default_client_scopes).
func emptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice:
		return v.IsNil()
	case reflect.Map:
		return v.Len() == 0
	case reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int64:
		return v.Int() == 0
	}
	return false
}

// table writes the entries of a struct or map at path: inline ones first, then sections.
func (w *tomlWriter) table(path []string, v reflect.Value, arrayElem bool) {
	var later []entry
	header := false
	writeHeader := func() {
		if header || len(path) == 0 && !arrayElem {
			return
		}
		header = true
		if w.b.Len() > 0 {
			w.b.WriteString("\n")
		}
		if arrayElem {
			fmt.Fprintf(&w.b, "[[%s]]\n", keyPath(path))
		} else {
			fmt.Fprintf(&w.b, "[%s]\n", keyPath(path))
		}
	}
	if arrayElem {
		writeHeader()
	}
	for _, e := range entries(v) {
		ev := deref(e.v)
		k := tomlKey(e.key)
		switch {
		case sectionKeys[e.key] && (isTableLike(ev) || isTableArray(ev)):
			later = append(later, entry{e.key, ev})
		case isTableLike(ev) || isTableArray(ev):
			if s, ok := inlineFit(ev, maxLine-len(k)-3); ok {
				writeHeader()
				fmt.Fprintf(&w.b, "%s = %s\n", k, s)
			} else if isTableArray(ev) && allInline(ev, maxLine-4) {
				writeHeader()
				w.multiline(k, ev)
			} else {
				later = append(later, entry{e.key, ev})
			}
		default:
			writeHeader()
			if _, fits := inlineFit(ev, maxLine-len(k)-3); fits || ev.Kind() != reflect.Slice || ev.Len() < 2 {
				fmt.Fprintf(&w.b, "%s = %s\n", k, inline(ev))
			} else {
				w.multiline(k, ev)
			}
		}
	}
	for _, e := range later {
		sub := append(append([]string(nil), path...), e.key)
		if isTableArray(e.v) {
			for i := 0; i < e.v.Len(); i++ {
				w.table(sub, deref(e.v.Index(i)), true)
			}
		} else {
			w.table(sub, e.v, false)
		}
	}
}

// multiline writes an array with one element per line.
func (w *tomlWriter) multiline(k string, v reflect.Value) {
	fmt.Fprintf(&w.b, "%s = [\n", k)
	for i := 0; i < v.Len(); i++ {
		fmt.Fprintf(&w.b, "  %s,\n", inline(v.Index(i)))
	}
	w.b.WriteString("]\n")
}

func allInline(v reflect.Value, width int) bool {
	for i := 0; i < v.Len(); i++ {
		if _, ok := inlineFit(v.Index(i), width); !ok {
			return false
		}
	}
	return true
}

func deref(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	return v
}

var durationType = reflect.TypeOf(Duration(0))

func isTableLike(v reflect.Value) bool {
	return v.Kind() == reflect.Map || v.Kind() == reflect.Struct
}

func isTableArray(v reflect.Value) bool {
	return v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct
}

// inline renders any document value on one line.
func inline(v reflect.Value) string {
	s, _ := inlineFit(v, -1)
	return s
}

// inlineFit renders v on one line if that takes at most width bytes (any width when negative).
// It stops as soon as the line is too long, so that deciding the layout of a deep document
// costs no more than writing it.
func inlineFit(v reflect.Value, width int) (string, bool) {
	var b strings.Builder
	ok := writeInline(&b, v, width)
	return b.String(), ok
}

func writeInline(b *strings.Builder, v reflect.Value, width int) bool {
	fits := func() bool { return width < 0 || b.Len() <= width }
	v = deref(v)
	if v.Type() == durationType {
		d := time.Duration(v.Int())
		if d%time.Second == 0 {
			b.WriteString(strconv.FormatInt(int64(d/time.Second), 10))
		} else {
			b.WriteString(tomlString(d.String()))
		}
		return fits()
	}
	switch v.Kind() {
	case reflect.String:
		b.WriteString(tomlString(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			if !writeInline(b, v.Index(i), width) {
				return false
			}
		}
		b.WriteByte(']')
	case reflect.Map, reflect.Struct:
		es := entries(v)
		if len(es) == 0 {
			b.WriteString("{}")
			return fits()
		}
		b.WriteString("{ ")
		for i, e := range es {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tomlKey(e.key) + " = ")
			if !writeInline(b, e.v, width) {
				return false
			}
		}
		b.WriteString(" }")
	default:
		panic(fmt.Sprintf("scenarios: cannot write %s as TOML", v.Type()))
	}
	return fits()
}

func keyPath(path []string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = tomlKey(p)
	}
	return strings.Join(parts, ".")
}

func tomlKey(k string) string {
	if isBareKey(k) {
		return k
	}
	return tomlString(k)
}

// tomlString writes a TOML basic string; unlike strconv.Quote it uses only TOML's escapes.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		case r == utf8.RuneError && !utf8.ValidString(s[i:i+1]):
			b.WriteString(`\uFFFD`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
