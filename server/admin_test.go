package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

func TestClock(t *testing.T) {
	base := time.Unix(1000, 0)
	c := NewClock(func() time.Time { return base })
	c.Advance(time.Minute)
	if got := c.Now(); !got.Equal(time.Unix(1060, 0)) {
		t.Errorf("advanced: %v", got)
	}
	c.Freeze()
	base = base.Add(time.Hour)
	if got := c.Now(); !got.Equal(time.Unix(1060, 0)) || !c.Frozen() {
		t.Errorf("frozen clock moved: %v", got)
	}
	c.Set(time.Unix(5000, 0))
	c.Unfreeze()
	base = base.Add(time.Second)
	if got := c.Now(); !got.Equal(time.Unix(5001, 0)) {
		t.Errorf("after set and unfreeze: %v", got)
	}
}

// TestControlEffects checks each control operation through Keycloak's own endpoints.
func TestControlEffects(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	req := basic("requester", "s")
	exchange := func(subject string) response { return ts.token(t, "x", exchangeForm(subject), req) }

	t.Run("an advanced clock expires a token", func(t *testing.T) {
		john, _ := subjectToken(t, ts, "x", "john")
		if r := exchange(john); r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		ts.clock.Advance(301 * time.Second)
		if r := exchange(john); r.status != 400 || !strings.Contains(string(r.body), "Invalid token") {
			t.Errorf("after 301 s: %d %s", r.status, r.body)
		}
	})

	t.Run("key rotation: new kid signs, old tokens verify until the key is removed", func(t *testing.T) {
		old, _ := subjectToken(t, ts, "x", "john")
		oldKid := ts.state.Load().realms["x"].keys.Active.KID
		kid, err := ts.AddKey("x", "RS256", true)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := subjectToken(t, ts, "x", "john")
		if h := strings.Split(fresh, ".")[0]; !strings.Contains(string(mustB64(t, h)), kid) {
			t.Errorf("new tokens are not signed with the new key %s", kid)
		}
		jwks := ts.do(t, http.MethodGet, "/realms/x/protocol/openid-connect/certs", nil, nil)
		if !strings.Contains(string(jwks.body), kid) || !strings.Contains(string(jwks.body), oldKid) {
			t.Errorf("JWKS lacks a key: %s", jwks.body)
		}
		if r := exchange(old); r.status != 200 {
			t.Errorf("a token of the passive key: %d %s", r.status, r.body)
		}
		if err := ts.RemoveKey("x", oldKid); err != nil {
			t.Fatal(err)
		}
		if r := exchange(old); r.status != 400 {
			t.Errorf("a token of a removed key: %d %s", r.status, r.body)
		}
		if jwks := ts.do(t, http.MethodGet, "/realms/x/protocol/openid-connect/certs", nil, nil); strings.Contains(string(jwks.body), oldKid) {
			t.Error("a removed key is still published")
		}
		if err := ts.RemoveKey("x", kid); err == nil {
			t.Error("the active key cannot be removed")
		}
	})

	t.Run("a fault answers N times then stops", func(t *testing.T) {
		ts.AddFault(Fault{Realm: "x", Endpoint: "token", Grant: "client_credentials", Count: 2, Status: 503, Body: `{"error":"temporarily_unavailable"}`})
		for i := 0; i < 3; i++ {
			r := ts.token(t, "x", form("grant_type", "client_credentials"), basic("subject-client", "s"))
			want := 503
			if i == 2 {
				want = 200
			}
			if r.status != want {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}
		if r := ts.token(t, "x", form("grant_type", "password", "username", "john", "password", "pw"), basic("subject-client", "s")); r.status != 200 {
			t.Errorf("another grant must not match: %d", r.status)
		}
		if len(ts.Faults()) != 0 {
			t.Errorf("spent fault still armed: %v", ts.Faults())
		}
	})

	t.Run("a dropped connection", func(t *testing.T) {
		id := ts.AddFault(Fault{Endpoint: "certs", Drop: true})
		if _, err := http.Get(ts.http.URL + "/realms/x/protocol/openid-connect/certs"); err == nil {
			t.Error("the connection was not dropped")
		}
		ts.ClearFaults(id)
		if res, err := http.Get(ts.http.URL + "/realms/x/protocol/openid-connect/certs"); err != nil || res.StatusCode != 200 {
			t.Errorf("after clearing: %v", err)
		}
	})

	t.Run("sessions: list and end", func(t *testing.T) {
		_, rt := subjectToken(t, ts, "x", "mike")
		sid := payload(t, rt)["sid"].(string)
		found := false
		for _, s := range ts.Sessions("x") {
			if s.ID == sid && s.Username == "mike" && len(s.Clients) == 1 && s.Clients[0] == "subject-client" {
				found = true
			}
		}
		if !found {
			t.Fatalf("session %s not listed: %+v", sid, ts.Sessions("x"))
		}
		if !ts.EndSession("x", sid) {
			t.Fatal("EndSession found nothing")
		}
		r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), basic("subject-client", "s"))
		if string(r.body) != `{"error":"invalid_grant","error_description":"Session not active"}` {
			t.Errorf("refresh after the session ended: %s", r.body)
		}
	})

	t.Run("the journal names the failing rule", func(t *testing.T) {
		ts.Journal().Reset()
		john, _ := subjectToken(t, ts, "x", "john")
		ts.token(t, "x", exchangeForm(john), basic("not-in-audience", "s"))
		ts.token(t, "x", exchangeForm(john, "audience", "target-3"), req)
		refused := ts.Journal().Entries(JournalFilter{Outcome: "refused"})
		if len(refused) != 2 {
			t.Fatalf("refused entries: %+v", refused)
		}
		if e := refused[0]; e.Rule != "standard exchange P7: requester holds the token or is in its audience" || e.Client != "not-in-audience" ||
			!strings.Contains(e.Explanation, "not-in-audience is neither the subject token's azp (subject-client)") || e.Status != 403 {
			t.Errorf("P7 entry = %+v", e)
		}
		if e := refused[1]; !strings.Contains(e.Explanation, "user john has no role of target-3") {
			t.Errorf("P13 entry = %+v", e)
		}
		granted := ts.Journal().Entries(JournalFilter{Outcome: "granted", Grant: "password"})
		if len(granted) != 1 || granted[0].User != "john" || granted[0].Client != "subject-client" {
			t.Errorf("granted entries = %+v", granted)
		}
	})

	t.Run("minted tokens", func(t *testing.T) {
		good, err := ts.MintToken(ts.http.URL, "x", "john", "subject-client", "")
		if err != nil {
			t.Fatal(err)
		}
		if r := exchange(good); r.status != 200 {
			t.Errorf("a minted valid token: %d %s", r.status, r.body)
		}
		for _, kind := range BadTokenKinds {
			bad, err := ts.MintBad(ts.http.URL, "x", "john", "subject-client", kind)
			if err != nil {
				t.Fatal(kind, err)
			}
			r := exchange(bad)
			refused := r.status == 400 && strings.Contains(string(r.body), "Invalid token")
			// The exchange does not check aud (P7 is about the requester), so a wrong
			// audience is refused there for another reason.
			if kind == "wrong-audience" {
				refused = r.status == 403
			}
			if !refused {
				t.Errorf("%s: %d %s", kind, r.status, r.body)
			}
		}
	})

	t.Run("reload keeps the sessions of realms that remain", func(t *testing.T) {
		_, rt := subjectToken(t, ts, "x", "john")
		_, yrt := subjectToken(t, ts, "y", "john")
		sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: "r.toml", Data: []byte(withKeys(t, strings.Split(exchangeRealm, "[[realms]]\nrealm = \"y\"")[0]))})
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.Reload(sc); err != nil {
			t.Fatal(err)
		}
		if r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), basic("subject-client", "s")); r.status != 200 {
			t.Errorf("session of a kept realm: %d %s", r.status, r.body)
		}
		if r := ts.token(t, "y", form("grant_type", "refresh_token", "refresh_token", yrt), basic("subject-client", "s")); r.status != 404 {
			t.Errorf("removed realm: %d %s", r.status, r.body)
		}
	})
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	var v json.RawMessage
	b, err := base64RawURL(s)
	if err != nil {
		t.Fatal(err)
	}
	_ = v
	return b
}
