package main

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	answer := func(status int, body string) *http.Response {
		return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader(body))}
	}
	for _, tc := range []struct {
		name, want string
		res        *http.Response
		err        error
		ok         bool
	}{
		{"discovery", "issuer", answer(200, `{"issuer":"http://x/realms/demo","jwks_uri":"y"}`), nil, true},
		{"jwks", "keys", answer(200, `{"keys":[{"kid":"k"}]}`), nil, true},
		{"introspection active", "active", answer(200, `{"exp":1,"active":true}`), nil, true},
		{"introspection inactive", "active", answer(200, `{"active":false}`), nil, false},
		{"empty string", "issuer", answer(200, `{"issuer":""}`), nil, false},
		{"null", "issuer", answer(200, `{"issuer":null}`), nil, false},
		{"no keys", "keys", answer(200, `{"keys":[]}`), nil, false},
		{"member missing", "issuer", answer(200, `{"error":"x"}`), nil, false},
		{"not 200", "issuer", answer(404, `{"issuer":"x"}`), nil, false},
		{"transport error", "issuer", nil, errors.New("connection refused"), false},
	} {
		if err := check(tc.res, tc.err, tc.want); (err == nil) != tc.ok {
			t.Errorf("%s: check = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
