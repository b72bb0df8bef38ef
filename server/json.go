package server

import (
	"strconv"
	"unicode/utf8"
)

// obj writes a compact JSON object with keys in the order they are added, the way Keycloak's
// Jackson-serialized representations come out (declaration order, nulls omitted).
type obj struct{ b []byte }

func newObj() *obj { return &obj{b: append(make([]byte, 0, 512), '{')} }

func (o *obj) key(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *obj) str(k, v string) *obj { o.key(k); o.b = appendJSONString(o.b, v); return o }

// strOpt writes k only when v is not empty (Jackson NON_NULL for unset strings).
func (o *obj) strOpt(k, v string) *obj {
	if v != "" {
		o.str(k, v)
	}
	return o
}

func (o *obj) num(k string, v int64) *obj { o.key(k); o.b = strconv.AppendInt(o.b, v, 10); return o }

func (o *obj) boolean(k string, v bool) *obj { o.key(k); o.b = strconv.AppendBool(o.b, v); return o }

func (o *obj) strs(k string, vs []string) *obj {
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, v)
	}
	o.b = append(o.b, ']')
	return o
}

func (o *obj) raw(k string, v []byte) *obj { o.key(k); o.b = append(o.b, v...); return o }

func (o *obj) bytes() []byte { return append(o.b, '}') }

// appendJSONString escapes like Jackson: quotes, backslashes and control characters only;
// non-ASCII and <>& stay as they are.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		case c < utf8.RuneSelf:
			dst = append(dst, c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, s[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	return append(dst, '"')
}
