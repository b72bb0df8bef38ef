package mint

import (
	"slices"
	"testing"
)

// TestSplitScope holds SplitScope to Java's String.split(" "), which Keycloak applies to the
// scope parameter (the right column is what Java returns, except for "", see SplitScope).
func TestSplitScope(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"email", []string{"email"}},
		{"openid email", []string{"openid", "email"}},
		{" email", []string{"", "email"}},
		{"email  profile", []string{"email", "", "profile"}},
		{"email ", []string{"email"}},
		{"email   ", []string{"email"}},
		{" ", nil},
		{"   ", nil},
		{"email\tprofile", []string{"email\tprofile"}},
	} {
		if got := SplitScope(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("SplitScope(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
