package tokens

import (
	"encoding/json"
	"math"
	"testing"
)

func TestAppendJSONString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"plain", `"plain"`},
		{`quote " and \ backslash`, `"quote \" and \\ backslash"`},
		{"\b\t\n\f\r", `"\b\t\n\f\r"`},
		{"\x00\x1f", `"\u0000\u001F"`}, // Jackson writes upper-case hex
		{"\x7f", "\"\x7f\""},           // DEL is not a control character for JSON
		{"<script>&amp;", `"<script>&amp;"`},
		{"/path", `"/path"`},
		{"Grüße, 世界 😀", `"Grüße, 世界 😀"`},
		{"\u2028\u2029", "\"\u2028\u2029\""}, // encoding/json would escape these
		{"bad\xffbyte", "\"bad\uFFFDbyte\""},
	}
	for _, tt := range tests {
		if got := string(appendJSONString(nil, tt.in)); got != tt.want {
			t.Errorf("appendJSONString(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestAppendValue(t *testing.T) {
	type custom struct {
		A string `json:"a"`
	}
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `null`},
		{"bool", false, `false`},
		{"int", 42, `42`},
		{"int64", int64(-7), `-7`},
		{"integral float from JSON", float64(1760000000), `1760000000`},
		{"fraction", 1.5, `1.5`},
		{"json.Number", json.Number("12.50"), `12.50`},
		{"raw is compacted", json.RawMessage(`{ "a" : [1, 2] }`), `{"a":[1,2]}`},
		{"string slice keeps list order", []string{"b", "a"}, `["b","a"]`},
		{"any slice", []any{"x", 1, true, nil}, `["x",1,true,null]`},
		{"map in HashMap order", map[string]any{"email": "e", "name": "n", "email_verified": true},
			`{"email_verified":true,"name":"n","email":"e"}`},
		{"string map", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{"nested claims in HashMap order", []Claim{{"email", "e"}, {"name", "n"}}, `{"name":"n","email":"e"}`},
		{"access", Access{Roles: []string{"uma_authorization", "offline_access"}},
			`{"roles":["offline_access","uma_authorization"]}`},
		{"resource access", []ClientAccess{{"account", Access{[]string{"view-profile"}}}},
			`{"account":{"roles":["view-profile"]}}`},
		{"fallback keeps HTML characters", custom{A: "<&>"}, `{"a":"<&>"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendValue(nil, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestAppendValueErrors(t *testing.T) {
	tests := []struct {
		name string
		in   any
	}{
		{"NaN", math.NaN()},
		{"Inf", math.Inf(1)},
		{"bad raw", json.RawMessage(`{`)},
		{"channel", make(chan int)},
	}
	for _, tt := range tests {
		if _, err := appendValue(nil, tt.in); err == nil {
			t.Errorf("%s: got nil error; want an error", tt.name)
		}
	}
}
