package tokens

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestJavaStringHash(t *testing.T) {
	tests := []struct {
		in   string
		want int32
	}{
		{"", 0},
		{"a", 97},
		// "name": ((('n'*31 + 'a')*31 + 'm')*31 + 'e') = ((110*31+97)*31+109)*31+101 = 3373707
		{"name", 3373707},
		// "email": (((101*31+109)*31+97)*31+105)*31+108 = 96619420
		{"email", 96619420},
		// Long names overflow int32 exactly like Java: "email_verified".hashCode() == 1139299339,
		// "clientHost".hashCode() == 1102086163 (checked with OpenJDK 17).
		{"email_verified", 1139299339},
		{"clientHost", 1102086163},
		{"Aa", 2112}, {"BB", 2112}, // the classic collision
		{"é", 0xE9},               // one UTF-16 unit
		{"😀", 31*0xD83D + 0xDE00}, // a surrogate pair: two units
		{"\xff", 0xFFFD},          // invalid UTF-8 counts as U+FFFD
	}
	for _, tt := range tests {
		if got := javaStringHash(tt.in); got != tt.want {
			t.Errorf("javaStringHash(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

// The expectations below are the iteration order of java.util.HashSet after adding the inputs in
// order (OpenJDK 17; HashMap is the same in 8 through 21).
func TestJavaHashOrder(t *testing.T) {
	profile := []string{"email_verified", "name", "preferred_username", "given_name", "family_name", "email"}
	manyClaims := strings.Split("sub,auth_time,email_verified,name,preferred_username,given_name,family_name,email,"+
		"locale,zoneinfo,birthdate,gender,picture,website,profile,nickname,middle_name,updated_at,phone_number,"+
		"phone_number_verified,address,groups,upn,organization,clientHost,clientAddress,client_id", ",")
	roles40 := make([]string, 40)
	for i := range roles40 {
		roles40[i] = fmt.Sprintf("role-%d", i)
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"profile claims, mapper order", profile, profile},
		{"profile claims, reversed", reversed(profile), profile},
		{"realm roles", []string{"uma_authorization", "offline_access", "default-roles-myrealm"},
			[]string{"default-roles-myrealm", "offline_access", "uma_authorization"}},
		{"account roles", []string{"view-profile", "manage-account-links", "manage-account"},
			[]string{"manage-account", "manage-account-links", "view-profile"}},
		// email_verified and clientHost share bucket 11 of 16: insertion order decides.
		{"bucket collision, email_verified first",
			[]string{"email_verified", "clientHost", "preferred_username", "clientAddress", "client_id"},
			[]string{"email_verified", "clientHost", "preferred_username", "clientAddress", "client_id"}},
		{"bucket collision, clientHost first",
			[]string{"clientHost", "email_verified", "preferred_username", "clientAddress", "client_id"},
			[]string{"clientHost", "email_verified", "preferred_username", "clientAddress", "client_id"}},
		{"27 claims: resized to 64 buckets", manyClaims, strings.Split("sub,zoneinfo,birthdate,gender,"+
			"preferred_username,locale,clientAddress,client_id,updated_at,auth_time,nickname,email,website,"+
			"email_verified,address,clientHost,profile,phone_number_verified,groups,given_name,middle_name,"+
			"picture,upn,organization,name,phone_number,family_name", ",")},
		{"40 roles: resized to 64 buckets", roles40, strings.Split("role-30,role-31,role-10,role-32,role-11,"+
			"role-33,role-6,role-12,role-34,role-5,role-13,role-35,role-4,role-14,role-36,role-3,role-15,role-37,"+
			"role-2,role-16,role-38,role-1,role-17,role-39,role-0,role-18,role-19,role-20,role-21,role-22,"+
			"role-23,role-24,role-25,role-26,role-27,role-28,role-29,role-9,role-8,role-7", ",")},
		// Nine names in bucket 5 of 16: the ninth makes treeifyBin resize the table to 32.
		{"nine in one bin resize the table",
			strings.Split("claim6,claim30,claim41,claim52,claim63,claim309,claim408,claim419,claim507", ","),
			strings.Split("claim30,claim41,claim52,claim63,claim6,claim309,claim408,claim419,claim507", ",")},
		{"eight in one bin do not",
			strings.Split("claim6,claim30,claim41,claim52,claim63,claim309,claim408,claim419", ","),
			strings.Split("claim6,claim30,claim41,claim52,claim63,claim309,claim408,claim419", ",")},
		{"same hash stays in insertion order", []string{"AaBB", "BBAa", "AaAa", "BBBB"},
			[]string{"AaBB", "BBAa", "AaAa", "BBBB"}},
		{"duplicates count once, first position", []string{"name", "email", "name", "email_verified"},
			[]string{"email_verified", "name", "email"}},
		{"empty", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx := JavaHashOrder(tt.in)
			got := make([]string, len(idx))
			for i, j := range idx {
				got[i] = tt.in[j]
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestJavaHashOrderFirstOccurrenceIndex(t *testing.T) {
	got := JavaHashOrder([]string{"name", "email", "name"})
	want := []int{0, 1}
	if !slices.Equal(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
