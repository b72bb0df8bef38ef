package server

import (
	"net/http"
	"testing"
	"time"
)

// TestSessionEndpointsJournal checks that the session endpoints record their decisions, with
// the reason in plain words for refusals and for inactive tokens.
func TestSessionEndpointsJournal(t *testing.T) {
	ts := newTestServer(t, sessRealm, Config{})
	app := basic("my-app", "my-secret")
	m := sessLogin(t, ts, "myrealm", app, "alice", "alice-pw", "scope", "openid")
	at, rt := jsonStr(m, "access_token"), jsonStr(m, "refresh_token")

	ts.userinfoGet(t, "myrealm", at)
	ts.revokeToken(t, "myrealm", form("token", at), app)
	ts.introspectReq(t, "myrealm", form("token", at), app)
	ts.userinfoGet(t, "myrealm", at)
	ts.do(t, http.MethodPost, "/realms/myrealm"+oidcPath+"/logout", form("refresh_token", rt), app)
	ts.do(t, http.MethodGet, "/realms/myrealm"+oidcPath+"/logout?"+form("client_id", "my-app", "post_logout_redirect_uri", "http://evil.test/").Encode(), nil, nil)

	got := ts.Journal().Entries(JournalFilter{Realm: "myrealm"})
	want := []Entry{
		{Endpoint: "userinfo", Client: "my-app", User: "alice", Status: 200, Outcome: "granted"},
		{Endpoint: "revoke", Client: "my-app", User: "alice", Status: 200, Outcome: "granted"},
		{Endpoint: "introspect", Client: "my-app", Status: 200, Outcome: "refused", Rule: "token inactive", Explanation: "the token was revoked"},
		{Endpoint: "userinfo", Client: "my-app", Status: 401, Outcome: "refused", Error: "invalid_token", Description: "Token verification failed",
			Rule: "Token verification failed", Explanation: "the token was revoked"},
		{Endpoint: "logout", Client: "my-app", User: "alice", Status: 200, Outcome: "granted"},
		{Endpoint: "logout", Client: "my-app", Status: 400, Outcome: "refused", Description: "Invalid redirect uri",
			Rule: "Invalid redirect uri", Explanation: "http://evil.test/ is not a post-logout redirect URI of the client"},
	}
	got = got[len(got)-len(want):] // after the login's token entry
	for i, w := range want {
		g := got[i]
		if g.Realm != "myrealm" || !g.Time.Equal(testNow) {
			t.Errorf("entry %d: realm %q, time %v", i, g.Realm, g.Time)
		}
		g.Seq, g.Time, g.Realm = 0, time.Time{}, ""
		if g != w {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
