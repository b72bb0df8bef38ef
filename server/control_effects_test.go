package server

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kcmock/kcmock/scenarios"
)

func TestControlKeys(t *testing.T) {
	ts := newControlServer(t, Config{})
	exchange := func(subject string) response {
		return ts.token(t, "x", exchangeForm(subject), basic("requester", "s"))
	}
	jwks := func() string {
		return string(ts.do(t, "GET", "/realms/x/protocol/openid-connect/certs", nil, nil).body)
	}
	var list struct{ Keys []KeyInfo }
	ts.ctl(t, "GET", "/_kcmock/realms/x/keys", "").want(t, 200, &list)
	if len(list.Keys) != 2 || !list.Keys[0].Active || list.Keys[0].Alg != "RS256" || list.Keys[1].Use != "enc" {
		t.Fatalf("keys = %+v; want the active RS256 key and the encryption key", list.Keys)
	}
	oldKid := list.Keys[0].KID
	old, _ := subjectToken(t, ts, "x", "john")

	// Grace period: a new active key signs; the old one stays published and verifying.
	var added struct{ Kid string }
	ts.ctl(t, "POST", "/_kcmock/realms/x/keys", `{"algorithm":"RS256","active":true}`).want(t, 201, &added)
	if added.Kid == "" || !strings.Contains(jwks(), added.Kid) || !strings.Contains(jwks(), oldKid) {
		t.Fatalf("JWKS after adding %q: %s", added.Kid, jwks())
	}
	fresh, _ := subjectToken(t, ts, "x", "john")
	if kid := header(t, fresh)["kid"]; kid != added.Kid {
		t.Errorf("new tokens are signed by %v; want %s", kid, added.Kid)
	}
	if r := exchange(old); r.status != 200 {
		t.Errorf("a token of the passive key: %d %s", r.status, r.body)
	}

	// Removal: the key leaves the JWKS and its tokens are refused as subject tokens.
	ts.ctl(t, "DELETE", "/_kcmock/realms/x/keys/"+oldKid, "").want(t, 200, &list)
	if strings.Contains(jwks(), oldKid) || slices.ContainsFunc(list.Keys, func(k KeyInfo) bool { return k.KID == oldKid }) {
		t.Errorf("removed key %s still published: %s", oldKid, jwks())
	}
	if r := exchange(old); r.status != 400 || !strings.Contains(string(r.body), "Invalid token") {
		t.Errorf("a token of the removed key: %d %s", r.status, r.body)
	}
	if r := exchange(fresh); r.status != 200 {
		t.Errorf("a token of the new key: %d %s", r.status, r.body)
	}

	// A passive key, then activated.
	ts.ctl(t, "POST", "/_kcmock/realms/x/keys", `{"algorithm":"ES256"}`).want(t, 201, &added)
	if kid := header(t, mustToken(t, ts))["kid"]; kid == added.Kid {
		t.Error("a passive key signs")
	}
	ts.ctl(t, "POST", "/_kcmock/realms/x/keys/"+added.Kid+"/activate", "").want(t, 200, &list)
	if !list.Keys[0].Active || list.Keys[0].KID != added.Kid || list.Keys[0].Alg != "ES256" {
		t.Errorf("keys after activation = %+v", list.Keys)
	}
	if h := header(t, mustToken(t, ts)); h["kid"] != added.Kid || h["alg"] != "ES256" {
		t.Errorf("after activation tokens are signed with %v", h)
	}

	for _, tt := range []struct {
		name, method, path, body string
		wantStatus               int
	}{
		{"remove the active key", "DELETE", "/_kcmock/realms/x/keys/" + added.Kid, "", 400},
		{"remove an unknown key", "DELETE", "/_kcmock/realms/x/keys/nope", "", 404},
		{"activate an unknown key", "POST", "/_kcmock/realms/x/keys/nope/activate", "", 404},
		{"activate the encryption key", "POST", "/_kcmock/realms/x/keys/" + list.Keys[len(list.Keys)-1].KID + "/activate", "", 400},
		{"an unknown algorithm", "POST", "/_kcmock/realms/x/keys", `{"algorithm":"RS257"}`, 400},
		{"an HMAC algorithm", "POST", "/_kcmock/realms/x/keys", `{"algorithm":"HS256"}`, 400},
		{"an unknown realm", "POST", "/_kcmock/realms/nope/keys", `{}`, 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts.ctl(t, tt.method, tt.path, tt.body).want(t, tt.wantStatus, nil)
		})
	}
}

func mustToken(t testing.TB, ts *testServer) string {
	t.Helper()
	at, _ := subjectToken(t, ts, "x", "john")
	return at
}

func header(t *testing.T, jwt string) map[string]any {
	t.Helper()
	var h map[string]any
	if err := json.Unmarshal(mustB64(t, strings.Split(jwt, ".")[0]), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestControlFaults(t *testing.T) {
	ts := newControlServer(t, Config{})
	cc := func() response {
		return ts.token(t, "x", form("grant_type", "client_credentials"), basic("subject-client", "s"))
	}
	var id struct{ ID string }
	ts.ctl(t, "POST", "/_kcmock/faults", `{"realm":"x","endpoint":"token","grant":"client_credentials","count":2,"status":503,"body":"{\"error\":\"temporarily_unavailable\"}"}`).want(t, 201, &id)
	var list struct{ Faults []map[string]any }
	ts.ctl(t, "GET", "/_kcmock/faults", "").want(t, 200, &list)
	if len(list.Faults) != 1 || list.Faults[0]["id"] != id.ID || list.Faults[0]["count"] != 2.0 {
		t.Fatalf("faults = %v", list.Faults)
	}
	for i, want := range []int{503, 503, 200} {
		if r := cc(); r.status != want {
			t.Errorf("request %d: %d %s; want %d", i+1, r.status, r.body, want)
		}
	}
	ts.ctl(t, "GET", "/_kcmock/faults", "").want(t, 200, &list)
	if len(list.Faults) != 0 {
		t.Errorf("a spent fault is still listed: %v", list.Faults)
	}

	t.Run("delay as a string or milliseconds", func(t *testing.T) {
		ts.ctl(t, "POST", "/_kcmock/faults", `{"endpoint":"certs","delay":"250ms"}`).want(t, 201, &id)
		ts.ctl(t, "POST", "/_kcmock/faults", `{"endpoint":"discovery","delay":100,"status":500}`).want(t, 201, nil)
		ts.ctl(t, "GET", "/_kcmock/faults", "").want(t, 200, &list)
		if len(list.Faults) != 2 || list.Faults[0]["delay"] != "250ms" || list.Faults[1]["delay"] != "100ms" {
			t.Fatalf("faults = %v", list.Faults)
		}
		start := time.Now()
		ts.do(t, "GET", "/realms/x/protocol/openid-connect/certs", nil, nil)
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("certs answered after %v; want at least 250ms", d)
		}
		ts.ctl(t, "DELETE", "/_kcmock/faults/"+id.ID, "").want(t, 200, &list)
		if len(list.Faults) != 1 {
			t.Errorf("after removing %s: %v", id.ID, list.Faults)
		}
		ts.ctl(t, "DELETE", "/_kcmock/faults/"+id.ID, "").want(t, 404, nil)
		ts.ctl(t, "DELETE", "/_kcmock/faults", "").want(t, 200, &list)
		if len(list.Faults) != 0 {
			t.Errorf("after removing all: %v", list.Faults)
		}
	})

	for _, bad := range []string{
		`{"endpoint":"tokn","status":500}`,
		`{"realm":"nope","status":500}`,
		`{"count":-1,"status":500}`,
		`{"status":99}`,
		`{"delay":"-1s"}`,
		`{"delay":"soon"}`,
		`{"endpoint":"token"}`,
		`{"body":"x","delay":"1s"}`,
		`{"id":"f1","status":500}`,
		`{"status":"500"}`,
	} {
		t.Run("refused "+bad, func(t *testing.T) {
			ts.ctl(t, "POST", "/_kcmock/faults", bad).want(t, 400, nil)
		})
	}
}

func TestControlJournal(t *testing.T) {
	ts := newControlServer(t, Config{})
	john, _ := subjectToken(t, ts, "x", "john")
	ts.token(t, "x", exchangeForm(john), basic("not-in-audience", "s"))
	var got struct{ Entries []Entry }
	ts.ctl(t, "GET", "/_kcmock/journal?realm=x&outcome=refused&client=not-in-audience&endpoint=token&grant="+grantTokenExchange, "").want(t, 200, &got)
	if len(got.Entries) != 1 {
		t.Fatalf("entries = %+v; want the one refusal", got.Entries)
	}
	if e := got.Entries[0]; e.Rule != "standard exchange P7: requester holds the token or is in its audience" || e.Status != 403 || e.Outcome != "refused" || e.Explanation == "" {
		t.Errorf("entry = %+v", e)
	}
	ts.ctl(t, "GET", "/_kcmock/journal?limit=1", "").want(t, 200, &got)
	if len(got.Entries) != 1 || got.Entries[0].Client != "not-in-audience" {
		t.Errorf("limit=1: %+v; want the newest entry", got.Entries)
	}
	ts.ctl(t, "GET", "/_kcmock/journal", "").want(t, 200, &got)
	if len(got.Entries) != 2 || got.Entries[0].Outcome != "granted" {
		t.Errorf("all: %+v; want the login then the refusal", got.Entries)
	}
	ts.ctl(t, "GET", "/_kcmock/journal?limit=some", "").want(t, 400, nil)
	ts.ctl(t, "DELETE", "/_kcmock/journal", "").want(t, 200, nil)
	if r := ts.ctl(t, "GET", "/_kcmock/journal", ""); string(r.body) != `{"entries":[]}` {
		t.Errorf("after DELETE: %s", r.body)
	}
}

func TestControlSessions(t *testing.T) {
	ts := newControlServer(t, Config{})
	_, rt := subjectToken(t, ts, "x", "mike")
	sid := payload(t, rt)["sid"].(string)
	var got struct{ Sessions []SessionInfo }
	ts.ctl(t, "GET", "/_kcmock/realms/x/sessions", "").want(t, 200, &got)
	if len(got.Sessions) != 1 || got.Sessions[0].ID != sid || got.Sessions[0].Username != "mike" || !slices.Equal(got.Sessions[0].Clients, []string{"subject-client"}) {
		t.Fatalf("sessions = %+v; want mike's %s", got.Sessions, sid)
	}
	ts.ctl(t, "DELETE", "/_kcmock/realms/x/sessions/"+sid, "").want(t, 200, &got)
	if len(got.Sessions) != 0 {
		t.Errorf("after ending it: %+v", got.Sessions)
	}
	r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), basic("subject-client", "s"))
	if string(r.body) != `{"error":"invalid_grant","error_description":"Session not active"}` {
		t.Errorf("refresh after the session ended: %d %s", r.status, r.body)
	}
	ts.ctl(t, "DELETE", "/_kcmock/realms/x/sessions/"+sid, "").want(t, 404, nil)
	ts.ctl(t, "GET", "/_kcmock/realms/nope/sessions", "").want(t, 404, nil)
	if r := ts.ctl(t, "GET", "/_kcmock/realms/y/sessions", ""); string(r.body) != `{"sessions":[]}` {
		t.Errorf("no sessions: %s", r.body)
	}
}

// TestControlMint verifies minted tokens with go-oidc, as a resource server would.
func TestControlMint(t *testing.T) {
	ts := newControlServer(t, Config{})
	ctx := oidc.ClientContext(context.Background(), ts.http.Client())
	provider, err := oidc.NewProvider(ctx, ts.http.URL+"/realms/x")
	if err != nil {
		t.Fatal(err)
	}
	// Access tokens of subject-client name "requester" in their audience (an audience mapper).
	verifier := provider.Verifier(&oidc.Config{ClientID: "requester", SupportedSigningAlgs: []string{"RS256"}, Now: ts.Clock().Now})
	mint := func(t *testing.T, body string) string {
		t.Helper()
		var got struct{ Token string }
		ts.ctl(t, "POST", "/_kcmock/realms/x/mint", body).want(t, 200, &got)
		return got.Token
	}

	t.Run("user and client", func(t *testing.T) {
		tok, err := verifier.Verify(ctx, mint(t, `{"user":"john","client":"subject-client","scope":"openid email"}`))
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Azp, Scope, Email string
			Sid               string `json:"sid"`
		}
		if err := tok.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if claims.Azp != "subject-client" || !strings.Contains(claims.Scope, "openid") || claims.Email != "john@x.test" || claims.Sid == "" {
			t.Errorf("claims = %+v", claims)
		}
		if !slices.ContainsFunc(ts.Sessions("x"), func(s SessionInfo) bool { return s.ID == claims.Sid }) {
			t.Errorf("the minted token's session %s is not live", claims.Sid)
		}
	})

	t.Run("arbitrary claims", func(t *testing.T) {
		now := ts.Clock().Now().Unix()
		raw := mint(t, `{"claims":{"iss":"`+ts.http.URL+`/realms/x","aud":"requester","sub":"robot","exp":`+itoa(int(now+60))+`,"custom":{"n":12345678901234}}}`)
		if got := rawPayload(t, raw); !strings.Contains(got, `"custom":{"n":12345678901234}`) {
			t.Errorf("claims changed on the way: %s", got)
		}
		tok, err := verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Subject != "robot" {
			t.Errorf("sub = %q", tok.Subject)
		}
	})

	t.Run("bad kinds", func(t *testing.T) {
		for _, kind := range BadTokenKinds {
			raw := mint(t, `{"user":"john","client":"subject-client","bad":"`+kind+`"}`)
			switch kind {
			case "wrong-typ", "not-yet-valid":
				// go-oidc reads no typ claim and allows 5 minutes of nbf leeway, which covers
				// MintBad's nbf of now+300 s: Keycloak's own check refuses both.
				r := ts.token(t, "x", exchangeForm(raw), basic("requester", "s"))
				if r.status != 400 || !strings.Contains(string(r.body), "Invalid token") {
					t.Errorf("%s: the exchange answered %d %s", kind, r.status, r.body)
				}
			default:
				if _, err := verifier.Verify(ctx, raw); err == nil {
					t.Errorf("%s: go-oidc accepted it", kind)
				}
			}
		}
	})

	for _, tt := range []struct {
		name, realm, body string
		wantStatus        int
		wantError         string
	}{
		{"unknown kind", "x", `{"user":"john","client":"subject-client","bad":"stale"}`, 400, `unknown bad token kind "stale"`},
		{"unknown user", "x", `{"user":"nobody","client":"subject-client"}`, 400, `no user "nobody"`},
		{"unknown client", "x", `{"user":"john","client":"nope"}`, 400, `no client "nope"`},
		{"claims and user", "x", `{"claims":{},"user":"john"}`, 400, "cannot be combined"},
		{"nothing", "x", `{}`, 400, "want"},
		{"unknown realm", "nope", `{"claims":{}}`, 404, `no realm "nope"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.Sessions("x"))
			var got controlError
			ts.ctl(t, "POST", "/_kcmock/realms/"+tt.realm+"/mint", tt.body).want(t, tt.wantStatus, &got)
			if !strings.Contains(got.Message, tt.wantError) {
				t.Errorf("error %q; want it to contain %q", got.Message, tt.wantError)
			}
			if tt.name == "unknown kind" && !slices.Equal(got.Kinds, BadTokenKinds) {
				t.Errorf("kinds = %v; want %v", got.Kinds, BadTokenKinds)
			}
			if after := len(ts.Sessions("x")); after != before {
				t.Errorf("a refused mint opened a session (%d → %d)", before, after)
			}
		})
	}
}

func TestControlReload(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.toml")
	write := func(text string) {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	load := func() (*scenarios.Scenario, error) {
		return scenarios.LoadFiles(scenarios.Options{Now: func() time.Time { return testNow }}, file)
	}
	ts := newControlServer(t, Config{Reload: load})
	_, rt := subjectToken(t, ts, "x", "john")

	// Two problems in one file: a misspelt key and a wrong type.
	write(withKeys(t, exchangeRealm) + "\n[[realms]]\nrealm = \"z\"\n[[realms.clients]]\nclient_id = \"c\"\nsecrett = \"s\"\n[[realms.users]]\nusername = \"u\"\nenabled = \"no\"\n")
	_, loadErr := load()
	var le *scenarios.LoadError
	if !errors.As(loadErr, &le) || len(le.Problems) < 2 {
		t.Fatalf("the broken file loads with %v; want at least 2 problems", loadErr)
	}
	var got controlError
	ts.ctl(t, "POST", "/_kcmock/reload", "").want(t, 400, &got)
	if len(got.Problems) != len(le.Problems) {
		t.Errorf("problems = %q; want all %d", got.Problems, len(le.Problems))
	}
	for i, p := range le.Problems {
		if i < len(got.Problems) && got.Problems[i] != p.String() {
			t.Errorf("problem %d = %q; want %q", i, got.Problems[i], p.String())
		}
	}
	if r := ts.token(t, "y", form("grant_type", "password", "username", "john", "password", "pw"), basic("subject-client", "s")); r.status != 200 {
		t.Errorf("the old scenario stopped serving: %d %s", r.status, r.body)
	}

	// A good file: realm y goes, x keeps its sessions.
	write(withKeys(t, strings.Split(exchangeRealm, "[[realms]]\nrealm = \"y\"")[0]))
	var health struct{ Realms []string }
	ts.ctl(t, "POST", "/_kcmock/reload", "").want(t, 200, &health)
	if !slices.Equal(health.Realms, []string{"x"}) {
		t.Errorf("realms after reload = %v; want [x]", health.Realms)
	}
	if r := ts.token(t, "y", form("grant_type", "client_credentials"), basic("subject-client", "s")); r.status != 404 {
		t.Errorf("realm y after reload: %d %s", r.status, r.body)
	}
	if r := ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), basic("subject-client", "s")); r.status != 200 {
		t.Errorf("a session of realm x after reload: %d %s", r.status, r.body)
	}
}
