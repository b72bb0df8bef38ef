package tokens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendJSONString appends s as a JSON string escaped the way Jackson's default generator does:
// only '"', '\\' and control characters are escaped (\b \t \n \f \r short forms, otherwise
// \u00XX with upper-case hex). encoding/json would also escape <, >, &, U+2028 and U+2029, which
// would change the bytes of a token. Invalid UTF-8 becomes U+FFFD, as a Java decoder would make it.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = utf8.AppendRune(dst, utf8.RuneError)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendStringArray appends ss as a JSON array of strings in the given order.
func appendStringArray(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendHashSet appends ss as a JSON array in java.util.HashSet order (ss is the insertion order).
func appendHashSet(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, j := range JavaHashOrder(ss) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, ss[j])
	}
	return append(dst, ']')
}

// appendValue appends the JSON form of one claim value. The common shapes are written by hand so
// that strings get Jackson's escaping and maps get HashMap order; anything else falls back to
// encoding/json with HTML escaping off.
func appendValue(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSONString(dst, v), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case float64:
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
	case json.Number:
		return appendRaw(dst, []byte(v))
	case json.RawMessage:
		return appendRaw(dst, v)
	case []string:
		return appendStringArray(dst, v), nil
	case []any:
		return appendArray(dst, v)
	case map[string]any:
		return appendMap(dst, v)
	case map[string]string:
		m := make(map[string]any, len(v))
		for k, s := range v {
			m[k] = s
		}
		return appendMap(dst, m)
	case []Claim:
		return appendClaimObject(dst, v)
	case Access:
		return v.appendJSON(dst), nil
	case *Access:
		return v.appendJSON(dst), nil
	case []ClientAccess:
		return appendResourceAccess(dst, v), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, fmt.Errorf("tokens: encode claim value of type %T: %w", v, err)
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// appendFloat writes the shortest decimal form, like encoding/json. Jackson would print a Java
// Double as "1.0", but claim values decoded from JSON arrive in Go as float64 even when they were
// integers, and those must stay integers.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, fmt.Errorf("tokens: claim value %v is not representable in JSON", f)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, bits), nil
}

// appendRaw appends already-encoded JSON compacted, as Jackson re-serializes a JsonNode.
func appendRaw(dst, raw []byte) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, raw); err != nil {
		return dst, fmt.Errorf("tokens: raw claim value: %w", err)
	}
	return buf.Bytes(), nil
}

func appendArray(dst []byte, vs []any) ([]byte, error) {
	dst = append(dst, '[')
	for i, v := range vs {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendValue(dst, v); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// appendMap writes a Go map as the HashMap Keycloak's mappers build for nested claims
// (OIDCAttributeMapperHelper). Go maps carry no insertion order, so keys are taken in sorted order,
// which only matters for keys that share a bucket.
func appendMap(dst []byte, m map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	claims := make([]Claim, len(keys))
	for i, k := range keys {
		claims[i] = Claim{Name: k, Value: m[k]}
	}
	return appendClaimObject(dst, claims)
}
