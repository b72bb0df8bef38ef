package scenarios

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a lifespan or timeout. It accepts Keycloak's integer seconds (300) and Go
// duration strings ("5m", "1h30m"). A bare TOML integer means seconds, not nanoseconds.
type Duration time.Duration

// UnmarshalTOML implements toml.Unmarshaler.
func (d *Duration) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return fmt.Errorf("a duration cannot be negative, got %d", x)
		}
		*d = Duration(time.Duration(x) * time.Second)
		return nil
	case string:
		if n, err := strconv.ParseInt(x, 10, 64); err == nil && n >= 0 {
			*d = Duration(time.Duration(n) * time.Second)
			return nil
		}
		p, err := time.ParseDuration(x)
		if err != nil {
			return fmt.Errorf("%q is not a duration: use seconds (300) or a string like \"5m\"", x)
		}
		if p < 0 {
			return fmt.Errorf("a duration cannot be negative, got %q", x)
		}
		*d = Duration(p)
		return nil
	default:
		return fmt.Errorf("a duration must be an integer number of seconds or a string like \"5m\", got %T", v)
	}
}

// Attributes is a Keycloak attribute or mapper-config map (string to string). Booleans and
// numbers are accepted and kept as Keycloak stores them ("true", "300").
type Attributes map[string]string

// UnmarshalTOML implements toml.Unmarshaler.
func (a *Attributes) UnmarshalTOML(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("must be a table of attribute names to values, got %T", v)
	}
	out := make(Attributes, len(m))
	var bad []string
	for k, val := range m {
		s, err := scalarString(val)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q: %v", k, err))
			continue
		}
		out[k] = s
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	*a = out
	return nil
}

// StringList is a user-attribute value: Keycloak stores a list, a single string is accepted.
type StringList []string

// UnmarshalTOML implements toml.Unmarshaler.
func (l *StringList) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case []any:
		out := make(StringList, 0, len(x))
		for _, e := range x {
			s, err := scalarString(e)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
		return nil
	default:
		s, err := scalarString(v)
		if err != nil {
			return err
		}
		*l = StringList{s}
		return nil
	}
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	default:
		return "", fmt.Errorf("must be a string, boolean or number, got %T", v)
	}
}
