package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Decoding export values: JSON numbers stay json.Number, so that 300 and "300" compare and
// print as Keycloak stores them.

// jsonDefault reports whether v is the default def; an object is default when every key it has
// holds the default value (exports of other versions have more or fewer keys).
func jsonDefault(v, def any) bool {
	vm, ok1 := v.(map[string]any)
	dm, ok2 := def.(map[string]any)
	if ok1 && ok2 {
		for k, x := range vm {
			d, ok := dm[k]
			if !ok || !jsonDefault(x, d) {
				return false
			}
		}
		return true
	}
	if va, ok := v.([]any); ok && len(va) == 0 {
		da, ok := def.([]any)
		return ok && len(da) == 0
	}
	return reflect.DeepEqual(v, def)
}

// mustJSON decodes a defaults table written as JSON, the way exports are decoded.
// lazyJSON parses a defaults table on first use: only realm imports need them, and parsing
// them when the package loads cost every start-up.
func lazyJSON(text string) func() map[string]any {
	return sync.OnceValue(func() map[string]any { return mustJSON(text) })
}

func mustJSON(text string) map[string]any {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(fmt.Sprintf("scenarios: bad defaults table: %v", err))
	}
	return m
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

// jsonScalar renders a JSON string, number or boolean as Keycloak stores it in a string.
func jsonScalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("not a scalar")
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case nil:
		return "null"
	}
	return fmt.Sprintf("a %T", v)
}

// jsonStringList decodes a config value holding a JSON-encoded list, as authorization policies
// keep theirs ("[\"a\",\"b\"]").
func jsonStringList(s string) ([]any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		return nil, err
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("not a JSON array")
	}
	return l, nil
}
