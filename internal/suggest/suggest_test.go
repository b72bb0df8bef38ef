package suggest

import "testing"

func TestClosest(t *testing.T) {
	tests := []struct {
		k          string
		candidates []string
		want       string
		ok         bool
	}{
		{"client_idd", []string{"client_id", "secret"}, "client_id", true},
		{"scret", []string{"client_id", "secret"}, "secret", true},
		{"realmz", []string{"realm", "roles"}, "realm", true},
		{"nothing_like_it", []string{"realm", "roles"}, "", false},
		{"ab", []string{"cd", "ce"}, "cd", true}, // two at distance 2: the first alphabetically
		{"ab", []string{"ce", "cd"}, "cd", true}, // whatever the order
		{"", nil, "", false},
		{"x", []string{"x"}, "x", true},
	}
	for _, tt := range tests {
		got, ok := Closest(tt.k, tt.candidates)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Closest(%q, %q) = %q, %v; want %q, %v", tt.k, tt.candidates, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"same", "same", 0},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
