package scenarios

import (
	"encoding/json"
	"strconv"
)

// jsonObj is one object of a realm export being read. Its getters take a key, mark it read and
// record a problem when the value has the wrong type; done then reports every key nobody read
// as not emulated, unless its value is the one that changes nothing.
type jsonObj struct {
	im   *importer
	path string
	m    map[string]any
	read map[string]bool
}

// object wraps a decoded JSON value that must be an object; nil (with a problem) otherwise.
func (im *importer) object(v any, path string) *jsonObj {
	m, ok := v.(map[string]any)
	if !ok {
		im.problem(path, "must be an object, got %s", jsonKind(v))
		return nil
	}
	return &jsonObj{im: im, path: path, m: m, read: map[string]bool{}}
}

// get returns a value and marks the key read; JSON null counts as absent, as in Jackson.
func (o *jsonObj) get(k string) (any, bool) {
	o.read[k] = true
	v, ok := o.m[k]
	return v, ok && v != nil
}

// skip marks keys read without using them: values that Keycloak derives from others.
func (o *jsonObj) skip(keys ...string) {
	for _, k := range keys {
		o.read[k] = true
	}
}

func (o *jsonObj) str(k string) string {
	if p := o.strp(k); p != nil {
		return *p
	}
	return ""
}

func (o *jsonObj) strp(k string) *string {
	v, ok := o.get(k)
	if !ok {
		return nil
	}
	s, err := jsonScalar(v)
	if err != nil {
		o.im.problem(at(o.path, k), "must be a string, got %s", jsonKind(v))
		return nil
	}
	return &s
}

// boolp accepts true/false and, as Jackson does, the strings "true" and "false".
func (o *jsonObj) boolp(k string) *bool {
	v, ok := o.get(k)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case bool:
		return &x
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return &b
		}
	}
	o.im.problem(at(o.path, k), "must be true or false, got %s", jsonKind(v))
	return nil
}

// int64p accepts integers and, as Jackson does, integer strings.
func (o *jsonObj) int64p(k string) *int64 {
	v, ok := o.get(k)
	if !ok {
		return nil
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		o.im.problem(at(o.path, k), "must be an integer, got %s", jsonKind(v))
		return nil
	}
	return &n
}

func (o *jsonObj) intp(k string) *int {
	p := o.int64p(k)
	if p == nil {
		return nil
	}
	n := int(*p)
	return &n
}

// seconds reads a lifespan: Keycloak's exports give them in seconds.
func (o *jsonObj) seconds(k string) *Duration {
	p := o.int64p(k)
	if p == nil {
		return nil
	}
	if *p < 0 {
		o.im.problem(at(o.path, k), "a lifespan cannot be negative, got %d", *p)
		return nil
	}
	d := Duration(*p * 1e9)
	return &d
}

// strs reads a list of strings; present is false when the key is absent or null.
func (o *jsonObj) strs(k string) (list []string, present bool) {
	v, ok := o.get(k)
	if !ok {
		return nil, false
	}
	a, ok := v.([]any)
	if !ok {
		o.im.problem(at(o.path, k), "must be an array of strings, got %s", jsonKind(v))
		return nil, false
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, err := jsonScalar(e)
		if err != nil {
			o.im.problem(idx(at(o.path, k), i), "must be a string, got %s", jsonKind(e))
			continue
		}
		out = append(out, s)
	}
	return out, true
}

func (o *jsonObj) list(k string) []string {
	l, _ := o.strs(k)
	if len(l) == 0 {
		return nil
	}
	return l
}

func (o *jsonObj) obj(k string) *jsonObj {
	v, ok := o.get(k)
	if !ok {
		return nil
	}
	return o.im.object(v, at(o.path, k))
}

// objs reads an array of objects; each element keeps its JSON path.
func (o *jsonObj) objs(k string) []*jsonObj {
	v, ok := o.get(k)
	if !ok {
		return nil
	}
	a, ok := v.([]any)
	if !ok {
		o.im.problem(at(o.path, k), "must be an array, got %s", jsonKind(v))
		return nil
	}
	var out []*jsonObj
	for i, e := range a {
		if eo := o.im.object(e, idx(at(o.path, k), i)); eo != nil {
			out = append(out, eo)
		}
	}
	return out
}

// attrs reads a string map (client attributes, mapper config); scalars are kept as Keycloak
// stores them, and a one-element list (component config style) is taken as its element.
func (o *jsonObj) attrs(k string) Attributes {
	sub := o.obj(k)
	if sub == nil || len(sub.m) == 0 {
		return nil
	}
	out := make(Attributes, len(sub.m))
	for _, key := range sortedKeys(sub.m) {
		v := sub.m[key]
		if l, ok := v.([]any); ok && len(l) == 1 {
			v = l[0]
		}
		if v == nil {
			out[key] = ""
			continue
		}
		s, err := jsonScalar(v)
		if err != nil {
			o.im.problem(at(sub.path, key), "must be a string, got %s", jsonKind(v))
			continue
		}
		out[key] = s
	}
	return out
}

// lists reads a map of string lists (role, group and user attributes, component config); a
// single string is taken as a one-element list.
func (o *jsonObj) lists(k string) map[string][]string {
	sub := o.obj(k)
	if sub == nil || len(sub.m) == 0 {
		return nil
	}
	out := make(map[string][]string, len(sub.m))
	for _, key := range sortedKeys(sub.m) {
		if _, isList := sub.m[key].([]any); !isList {
			if s := sub.strp(key); s != nil {
				out[key] = []string{*s}
			}
			continue
		}
		l, _ := sub.strs(key)
		out[key] = l
	}
	return out
}

// done warns about every key nobody read, except those whose value is Keycloak's default for
// a new realm (defaults) or that carry no behaviour at all (informational).
func (o *jsonObj) done(defaults map[string]any, informational ...string) {
	if o == nil {
		return
	}
	for _, k := range informational {
		o.read[k] = true
	}
	for _, k := range sortedKeys(o.m) {
		v := o.m[k]
		if o.read[k] || v == nil {
			continue
		}
		if def, ok := defaults[k]; ok && jsonDefault(v, def) {
			continue
		}
		msg := "not emulated; ignored"
		if why := notEmulated[k]; why != "" {
			msg += " (" + why + ")"
		}
		o.im.warn(at(o.path, k), "%s", msg)
	}
}
