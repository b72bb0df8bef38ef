package server

import (
	"strings"
	"testing"
)

func TestPKCEValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{strings.Repeat("a", 42), false},
		{strings.Repeat("a", 43), true},
		{strings.Repeat("Z9-._~", 21) + "ab", true}, // 128, every kind of character
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 42) + "+", false},
		{strings.Repeat("a", 42) + "/", false},
		{strings.Repeat("a", 42) + "=", false},
		{strings.Repeat("a", 42) + "é", false},
		{"", false},
	} {
		if got := pkceValid(tc.in); got != tc.want {
			t.Errorf("pkceValid(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
