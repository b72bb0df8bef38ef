package server

import (
	"strings"
	"testing"
)

// TestVerifyProfile: Keycloak 24+ realms have the Verify Profile required action on and a user
// profile requiring email, firstName and lastName of users; a login of a user whose profile
// misses one (or holds an email that is no address) stops there: "Account is not fully set
// up" for the password grant, the form's message in the browser. Off, or with fewer required
// attributes, the same users log in; service accounts never have a profile to verify.
func TestVerifyProfile(t *testing.T) {
	const users = `
[[realms.clients]]
client_id = "app"
secret = "s"
direct_access_grants_enabled = true
service_accounts_enabled = true
redirect_uris = ["http://localhost:3000/*"]
[[realms.users]]
username = "full"
password = "pw"
email = "full@example.com"
first_name = "Full"
last_name = "Profile"
[[realms.users]]
username = "bare"
password = "pw"
[[realms.users]]
username = "mailonly"
password = "pw"
email = "mailonly@example.com"
[[realms.users]]
username = "badmail"
password = "pw"
email = "not-an-address"
first_name = "Bad"
last_name = "Mail"
`
	realm := func(name, extra string) string { return "\n[[realms]]\nrealm = \"" + name + "\"\n" + extra + users }
	ts := newTestServer(t, realm("on", "")+realm("off", "verify_profile = false\n")+realm("emailonly", "user_profile_required = [\"email\"]\n")+
		realm("master", ""), Config{})
	const stop = `{"error":"invalid_grant","error_description":"Account is not fully set up"}`
	tests := []struct {
		realm, user string
		refused     bool
	}{
		{"on", "full", false},
		{"on", "bare", true},
		{"on", "mailonly", true},
		{"on", "badmail", true},
		{"off", "bare", false},
		{"off", "badmail", false},
		{"emailonly", "mailonly", false},
		{"emailonly", "bare", true},
		{"master", "bare", false}, // the master realm's profile requires nothing
	}
	for _, tt := range tests {
		t.Run(tt.realm+"/"+tt.user, func(t *testing.T) {
			res := ts.token(t, tt.realm, form("grant_type", "password", "username", tt.user, "password", "pw"), basic("app", "s"))
			switch {
			case tt.refused && (res.status != 400 || string(res.body) != stop):
				t.Errorf("password grant: %d %s; want 400 %s", res.status, res.body, stop)
			case !tt.refused && res.status != 200:
				t.Errorf("password grant: %d %s; want tokens", res.status, res.body)
			}
		})
	}
	// The journal says what is missing and how to change it.
	ts.token(t, "on", form("grant_type", "password", "username", "mailonly", "password", "pw"), basic("app", "s"))
	entries := ts.Journal().Entries(JournalFilter{Realm: "on", Outcome: "refused"})
	if why := entries[len(entries)-1].Explanation; !strings.Contains(why, "firstName, lastName") || !strings.Contains(why, "verify_profile = false") {
		t.Errorf("journal explanation %q", why)
	}
	// The service account of the same realm is unaffected.
	if res := ts.token(t, "on", form("grant_type", "client_credentials"), basic("app", "s")); res.status != 200 {
		t.Errorf("client_credentials: %d %s", res.status, res.body)
	}
	// The browser login stops with the form's message.
	b := newBrowser(t, ts)
	res, body := b.login("/realms/on/protocol/openid-connect/auth?client_id=app&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&response_type=code", "bare", "pw")
	if res.StatusCode != 200 || !strings.Contains(body, "Account is not fully set up") {
		t.Errorf("browser login of bare: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}
