package scenarios

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// The two TOML documents kcmock carries (the content of a new realm and the default scenario)
// are also embedded pre-parsed: parsing their 34 KB of TOML was 2 of the 2.5 ms it took to load
// the default scenario, and every start-up paid it. The TOML files stay the only source: the
// pre-parsed forms are generated from them by
//
//	go test ./scenarios -run TestPreparsed -update
//
// and the same test, without -update, fails when they no longer match.
//
// The format is a tree of tagged values, as the TOML decoder returns them into an any:
// 'm' table (count, then key and value pairs in key order), 'l' array of tables, 'a' array,
// 's' string, 'i' integer, 'f' float, 't' true, 'F' false. Counts and lengths are uvarints,
// integers varints, floats their IEEE 754 bits.

//go:embed preparsed/builtin.bin
var builtinPreparsed string

//go:embed preparsed/default.bin
var defaultPreparsed string

// encodePreparsed writes a decoded TOML tree. It refuses what the format does not hold (TOML
// dates and times, which neither document uses).
func encodePreparsed(v any) ([]byte, error) {
	var b []byte
	var enc func(v any) error
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	enc = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			b = append(b, 'm')
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, k := range sortedKeys(v) {
				str(k)
				if err := enc(v[k]); err != nil {
					return fmt.Errorf("%s: %w", k, err)
				}
			}
		case []map[string]any:
			b = append(b, 'l')
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, e := range v {
				if err := enc(e); err != nil {
					return err
				}
			}
		case []any:
			b = append(b, 'a')
			b = binary.AppendUvarint(b, uint64(len(v)))
			for _, e := range v {
				if err := enc(e); err != nil {
					return err
				}
			}
		case string:
			b = append(b, 's')
			str(v)
		case int64:
			b = append(b, 'i')
			b = binary.AppendVarint(b, v)
		case float64:
			b = append(b, 'f')
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		case bool:
			if v {
				b = append(b, 't')
			} else {
				b = append(b, 'F')
			}
		case time.Time:
			return errors.New("TOML dates are not pre-parsed")
		default:
			return fmt.Errorf("unexpected %T", v)
		}
		return nil
	}
	err := enc(v)
	return b, err
}

// decodePreparsed reads a tree written by encodePreparsed. Strings share the input's memory;
// subst, when not nil, rewrites those that contain '{' (the built-in content's placeholders).
func decodePreparsed(data string, subst *strings.Replacer) (map[string]any, error) {
	d := preparsedDecoder{data: data, subst: subst}
	v := d.value()
	m, ok := v.(map[string]any)
	if d.err == nil && (!ok || d.pos != len(data)) {
		d.err = errors.New("not one table")
	}
	if d.err != nil {
		return nil, fmt.Errorf("pre-parsed scenario at byte %d: %w", d.pos, d.err)
	}
	return m, nil
}

type preparsedDecoder struct {
	data  string
	pos   int
	depth int
	subst *strings.Replacer
	err   error
}

// Bounds that keep a damaged input from costing more than its size: how deep tables and
// arrays may nest, and how many entries a count may reserve before they are read.
const (
	preparsedMaxDepth = 32
	preparsedMaxHint  = 64
)

func (d *preparsedDecoder) uvarint() int {
	n, w := binary.Uvarint([]byte(d.data[d.pos:min(len(d.data), d.pos+binary.MaxVarintLen64)]))
	if w <= 0 || n > uint64(len(d.data)) {
		d.fail()
		return 0
	}
	d.pos += w
	return int(n)
}

func (d *preparsedDecoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > len(d.data)-d.pos {
		d.fail()
		return ""
	}
	s := d.data[d.pos : d.pos+n]
	d.pos += n
	if d.subst != nil && strings.IndexByte(s, '{') >= 0 {
		s = d.subst.Replace(s)
	}
	return s
}

func (d *preparsedDecoder) fail() {
	if d.err == nil {
		d.err = errors.New("truncated or corrupt")
	}
}

func (d *preparsedDecoder) value() any {
	if d.err != nil || d.pos >= len(d.data) {
		d.fail()
		return nil
	}
	tag := d.data[d.pos]
	d.pos++
	if tag == 'm' || tag == 'l' || tag == 'a' {
		if d.depth++; d.depth > preparsedMaxDepth {
			d.err = errors.New("nested too deep")
			return nil
		}
		defer func() { d.depth-- }()
	}
	switch tag {
	case 'm':
		n := d.uvarint()
		m := make(map[string]any, min(n, preparsedMaxHint))
		for i := 0; i < n && d.err == nil; i++ {
			k := d.str()
			m[k] = d.value()
		}
		return m
	case 'l':
		n := d.uvarint()
		l := make([]map[string]any, 0, min(n, preparsedMaxHint))
		for i := 0; i < n && d.err == nil; i++ {
			m, ok := d.value().(map[string]any)
			if !ok {
				d.fail()
			}
			l = append(l, m)
		}
		return l
	case 'a':
		n := d.uvarint()
		a := make([]any, 0, min(n, preparsedMaxHint))
		for i := 0; i < n && d.err == nil; i++ {
			a = append(a, d.value())
		}
		return a
	case 's':
		return d.str()
	case 'i':
		v, w := binary.Varint([]byte(d.data[d.pos:min(len(d.data), d.pos+binary.MaxVarintLen64)]))
		if w <= 0 {
			d.fail()
			return nil
		}
		d.pos += w
		return v
	case 'f':
		if len(d.data)-d.pos < 8 {
			d.fail()
			return nil
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64([]byte(d.data[d.pos : d.pos+8])))
		d.pos += 8
		return v
	case 't':
		return true
	case 'F':
		return false
	}
	d.err = fmt.Errorf("unknown tag %q", tag)
	return nil
}
