package tokens

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// scanObject checks that data is exactly one JSON object whose top-level member names are all
// different, and hands each member to member, which must consume the value from dec (nil means
// skip every value).
//
// Duplicate names are refused because JSON parsers disagree on which copy wins (RFC 7519 §4:
// "MUST either reject ... or use a JSON parser that returns only the lexically last"), and a
// token that means one thing to kcmock and another to a client is a forgery vector.
func scanObject(data []byte, member func(name string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	seen := make(map[string]struct{}, 16)
	var scratch json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string) // the decoder only yields strings in name position
		if _, dup := seen[name]; dup {
			return fmt.Errorf("duplicate member %q", name)
		}
		seen[name] = struct{}{}
		if member != nil {
			err = member(name, dec)
		} else {
			err = skipValue(dec, &scratch)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON object")
	}
	return nil
}

// skipValue consumes one value into scratch, which is reused so that skipping does not allocate
// a copy per member.
func skipValue(dec *json.Decoder, scratch *json.RawMessage) error {
	return dec.Decode(scratch)
}

// decodeString reads one value that must be a JSON string.
func decodeString(dec *json.Decoder, name string, dst *string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	s, ok := tok.(string)
	if !ok {
		return fmt.Errorf("%q is not a string", name)
	}
	*dst = s
	return nil
}

// parseHeader reads the JOSE header members kcmock looks at; any other member (jwk, jku, x5u,
// ...) is skipped and never used to find a key. hasCrit reports a "crit" member even if null.
// Names are matched exactly: encoding/json's case-insensitive matching would let "ALG" stand in
// for "alg".
func parseHeader(data []byte) (h Header, hasCrit bool, err error) {
	err = scanObject(data, func(name string, dec *json.Decoder) error {
		switch name {
		case "alg":
			return decodeString(dec, name, &h.Alg)
		case "typ":
			return decodeString(dec, name, &h.Typ)
		case "kid":
			return decodeString(dec, name, &h.Kid)
		case "cty":
			return decodeString(dec, name, &h.Cty)
		case "crit":
			hasCrit = true
			return dec.Decode(&h.Crit)
		}
		var scratch json.RawMessage
		return skipValue(dec, &scratch)
	})
	return h, hasCrit, err
}
