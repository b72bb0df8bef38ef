package scenarios

import (
	"fmt"
	"reflect"

	"github.com/BurntSushi/toml"
)

// assign fills a schema value from a generically decoded TOML value, so a scenario is parsed
// once, not twice (large scenarios load in a fraction of the time). Values checkShape refused
// (wrong type, unknown key) are left at their zero value: the problem is already reported, and
// the rest of the scenario can still be checked.
func assign(v any, rv reflect.Value) error {
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		return assign(v, rv.Elem())
	}
	if rv.CanAddr() && rv.Addr().Type().Implements(unmarshalerType) {
		_ = rv.Addr().Interface().(toml.Unmarshaler).UnmarshalTOML(v) // checkShape reported any error
		return nil
	}
	switch rv.Kind() {
	case reflect.Struct:
		m, _ := v.(map[string]any)
		fields := structFields(rv.Type())
		for k, val := range m {
			if i, ok := fields[k]; ok {
				if err := assign(val, rv.Field(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Map:
		m, _ := v.(map[string]any)
		out := reflect.MakeMapWithSize(rv.Type(), len(m))
		for k, val := range m {
			e := reflect.New(rv.Type().Elem()).Elem()
			if err := assign(val, e); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), e)
		}
		rv.Set(out)
	case reflect.Slice:
		src := reflect.ValueOf(v)
		if v == nil || src.Kind() != reflect.Slice {
			return nil
		}
		out := reflect.MakeSlice(rv.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			if err := assign(src.Index(i).Interface(), out.Index(i)); err != nil {
				return err
			}
		}
		rv.Set(out)
	case reflect.Interface:
		if v != nil {
			rv.Set(reflect.ValueOf(v))
		}
	case reflect.String:
		if x, ok := v.(string); ok {
			rv.SetString(x)
		}
	case reflect.Bool:
		if x, ok := v.(bool); ok {
			rv.SetBool(x)
		}
	case reflect.Int, reflect.Int64:
		if x, ok := v.(int64); ok {
			rv.SetInt(x)
		}
	default:
		return fmt.Errorf("scenarios: cannot assign to %s", rv.Type())
	}
	return nil
}
