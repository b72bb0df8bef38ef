package scenarios

import (
	"reflect"
	"strconv"
	"strings"
)

// jsonPath turns a problem's document path (realms[0].clients[2].protocol_mappers[0].config)
// into the path of the export (clients[3].protocolMappers[0].config): entries the importer
// recorded map directly, other keys are Keycloak's camelCase names of the TOML keys.
func (imp *Import) jsonPath(p string) string {
	segs, ok := splitPath(p)
	if !ok || len(segs) == 0 || segs[0].key != "realms" || len(segs[0].index) != 1 || segs[0].index[0] >= len(imp.realms) {
		return p
	}
	r := imp.realms[segs[0].index[0]]
	out, rel := r.prefix, ""
	t := reflect.TypeOf(realmDoc{})
	for _, s := range segs[1:] {
		var name string
		t, name = step(t, s.key)
		rel, out = at(rel, s.key), at(out, name)
		if j, ok := r.paths[rel]; ok {
			out = j
		}
		for _, n := range s.index {
			rel, out = idx(rel, n), idx(out, n)
			if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
				t = t.Elem()
			}
			if j, ok := r.paths[rel]; ok {
				out = j
			}
		}
	}
	return out
}

// step follows a TOML key into a document type: a struct field becomes its export name, a map
// key stays as it is.
func step(t reflect.Type, key string) (reflect.Type, string) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nil:
		return nil, key
	case t.Kind() == reflect.Map:
		return t.Elem(), key
	case t.Kind() == reflect.Struct:
		if f, ok := structFields(t)[key]; ok {
			return t.Field(f).Type, camelCase(key)
		}
	}
	return nil, key
}

func camelCase(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

type pathSeg struct {
	key   string
	index []int
}

// splitPath parses a path written by at and idx: keys (quoted when not bare) joined by dots,
// each followed by any number of [n].
func splitPath(p string) ([]pathSeg, bool) {
	var out []pathSeg
	for len(p) > 0 {
		var s pathSeg
		if p[0] == '"' {
			end := 1
			for end < len(p) && p[end] != '"' {
				if p[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(p) {
				return nil, false
			}
			k, err := strconv.Unquote(p[:end+1])
			if err != nil {
				return nil, false
			}
			s.key, p = k, p[end+1:]
		} else {
			end := strings.IndexAny(p, ".[")
			if end < 0 {
				end = len(p)
			}
			s.key, p = p[:end], p[end:]
		}
		for strings.HasPrefix(p, "[") {
			end := strings.IndexByte(p, ']')
			n, err := strconv.Atoi(p[1:max(end, 1)])
			if end < 0 || err != nil {
				return nil, false
			}
			s.index, p = append(s.index, n), p[end+1:]
		}
		out = append(out, s)
		if strings.HasPrefix(p, ".") {
			p = p[1:]
		} else if p != "" {
			return nil, false
		}
	}
	return out, true
}
