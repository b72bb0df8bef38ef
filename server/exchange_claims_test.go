package server

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2/clientcredentials"
)

func sortedStrings(v any) string {
	s := asStrings(v)
	sort.Strings(s)
	return strings.Join(s, ",")
}

func resourceKeys(m map[string]any) string {
	ra, _ := m["resource_access"].(map[string]any)
	keys := make([]string, 0, len(ra))
	for k := range ra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// TestStandardExchangeClaims checks the exchanged token of each success path: aud, scope,
// resource_access, azp, sid, exp and jti, for the audience filter and optional-scope
// combinations of several users.
func TestStandardExchangeClaims(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{})
	req := basic("requester", "s")
	john, _ := subjectToken(t, ts, "x", "john")
	mike, _ := subjectToken(t, ts, "x", "mike")
	johnSid := payload(t, john)["sid"]
	tests := []struct {
		name      string
		subject   string
		params    []string
		aud       string // sorted, comma-joined
		scope     string
		resources string
		jtiPrefix string
	}{
		{"no audience: every client the user has roles on", john, nil, "account,chain-requester,target-1,target-2", "email profile", "account,chain-requester,target-1,target-2", "ntrtte:"},
		{"audience narrows aud and resource_access", john, []string{"audience", "target-1"}, "target-1", "email profile", "target-1", "ntrtte:"},
		{"two audiences", john, []string{"audience", "target-1", "audience", "target-2"}, "target-1,target-2", "email profile", "target-1,target-2", "ntrtte:"},
		{"optional scope kept through the audience's role", john, []string{"audience", "target-2", "scope", "optional-scope2"}, "target-2", "email profile optional-scope2", "target-2", "ntrtte:"},
		{"optional scope dropped: its only role belongs to another client", john, []string{"audience", "target-1", "scope", "optional-scope2"}, "target-1", "email profile", "target-1", "ntrtte:"},
		{"optional scope kept through a realm role", mike, []string{"audience", "target-1", "scope", "optional-scope2"}, "target-1", "email profile optional-scope2", "target-1", "ntrtte:"},
		{"openid adds an ID token", john, []string{"scope", "openid phone", "audience", "target-1"}, "target-1", "openid email profile phone", "target-1", "ntrtte:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.token(t, "x", exchangeForm(tt.subject, tt.params...), req)
			if res.status != 200 {
				t.Fatalf("%d %s", res.status, res.body)
			}
			body := res.json(t)
			at := payload(t, body["access_token"].(string))
			sub := payload(t, tt.subject)
			if got := sortedStrings(at["aud"]); got != tt.aud {
				t.Errorf("aud = %s; want %s", got, tt.aud)
			}
			if at["scope"] != tt.scope || body["scope"] != tt.scope {
				t.Errorf("scope = %v (response %v); want %q", at["scope"], body["scope"], tt.scope)
			}
			if got := resourceKeys(at); got != tt.resources {
				t.Errorf("resource_access clients = %s; want %s", got, tt.resources)
			}
			if at["azp"] != "requester" || at["sid"] != sub["sid"] || at["sub"] != sub["sub"] || at["typ"] != "Bearer" || at["act"] != nil {
				t.Errorf("claims = %v", at)
			}
			if !strings.HasPrefix(at["jti"].(string), tt.jtiPrefix) {
				t.Errorf("jti = %v; want prefix %s", at["jti"], tt.jtiPrefix)
			}
			if at["exp"].(float64)-at["iat"].(float64) != 300 || body["expires_in"] != float64(300) {
				t.Errorf("lifespan = %v", at["exp"].(float64)-at["iat"].(float64))
			}
			if body["issued_token_type"] != tokenTypeAccess || body["token_type"] != "Bearer" || body["refresh_token"] != nil ||
				body["refresh_expires_in"] != float64(0) || body["session_state"] != johnSid && tt.subject == john {
				t.Errorf("response = %s", res.body)
			}
			wantID := strings.Contains(tt.scope, "openid")
			if _, ok := body["id_token"]; ok != wantID {
				t.Errorf("id_token present = %v; want %v", ok, wantID)
			}
			if keys := strings.Join(jsonKeys(t, res.body), ","); !strings.HasSuffix(keys, "session_state,scope,issued_token_type") {
				t.Errorf("response keys = %s", keys)
			}
		})
	}

	t.Run("id_token requested", func(t *testing.T) {
		res := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeID), req)
		body := res.json(t)
		id := payload(t, body["access_token"].(string))
		if res.status != 200 || body["token_type"] != "N_A" || body["issued_token_type"] != tokenTypeID || body["id_token"] != nil ||
			id["typ"] != "ID" || id["aud"] != "requester" || id["sid"] != johnSid {
			t.Errorf("%d %s / %v", res.status, res.body, id)
		}
	})

	t.Run("transient subject: service-account token", func(t *testing.T) {
		cc := ts.token(t, "x", form("grant_type", "client_credentials"), basic("subject-client", "s")).json(t)["access_token"].(string)
		res := ts.token(t, "x", exchangeForm(cc), req)
		body := res.json(t)
		at := payload(t, body["access_token"].(string))
		if res.status != 200 || at["sid"] != nil || !strings.HasPrefix(at["jti"].(string), "trrtte:") || body["session_state"] != nil {
			t.Errorf("%d %s / %v", res.status, res.body, at)
		}
	})

	t.Run("requester exchanging its own token reuses its client session", func(t *testing.T) {
		own := ts.token(t, "x", form("grant_type", "password", "username", "john", "password", "pw"), req).json(t)["access_token"].(string)
		res := ts.token(t, "x", exchangeForm(own, "audience", "target-1"), req)
		at := payload(t, res.json(t)["access_token"].(string))
		if res.status != 200 || !strings.HasPrefix(at["jti"].(string), "onrtte:") || at["sid"] != payload(t, own)["sid"] {
			t.Errorf("%d %s", res.status, res.body)
		}
	})

	t.Run("chain: an exchanged token exchanged again by a client in its audience", func(t *testing.T) {
		first := ts.token(t, "x", exchangeForm(john), req).json(t)["access_token"].(string)
		res := ts.token(t, "x", exchangeForm(first, "audience", "target-2"), basic("chain-requester", "s"))
		if res.status != 200 {
			t.Fatalf("%d %s", res.status, res.body)
		}
		at := payload(t, res.json(t)["access_token"].(string))
		if at["azp"] != "chain-requester" || at["aud"] != "target-2" || at["sid"] != johnSid {
			t.Errorf("chained = %v", at)
		}
	})

	t.Run("refresh token in the same session keeps the audience", func(t *testing.T) {
		res := ts.token(t, "x", exchangeForm(john, "requested_token_type", tokenTypeRefresh, "audience", "target-1"), req)
		body := res.json(t)
		if res.status != 200 || body["refresh_token"] == nil || body["issued_token_type"] != tokenTypeRefresh || body["refresh_expires_in"] != float64(1800) {
			t.Fatalf("%d %s", res.status, res.body)
		}
		at := payload(t, body["access_token"].(string))
		if !strings.HasPrefix(at["jti"].(string), "onrtte:") || at["aud"] != "target-1" {
			t.Errorf("access = %v", at)
		}
		rt := body["refresh_token"].(string)
		if got := sortedStrings(payload(t, rt)["req-aud"]); got != "target-1" {
			t.Errorf("req-aud = %v", got)
		}
		res = ts.token(t, "x", form("grant_type", "refresh_token", "refresh_token", rt), req)
		if res.status != 200 {
			t.Fatalf("refresh: %d %s", res.status, res.body)
		}
		if got := payload(t, res.json(t)["access_token"].(string)); got["aud"] != "target-1" || resourceKeys(got) != "target-1" {
			t.Errorf("refreshed access token lost the audience: %v", got)
		}
	})

	t.Run("a refused refresh exchange leaves no client session behind", func(t *testing.T) {
		sess, _ := subjectToken(t, ts, "x", "john")
		us := ts.sessions.get(ts.Scenario().Realm("x"), payload(t, sess)["sid"].(string), false)
		res := ts.token(t, "x", exchangeForm(sess, "requested_token_type", tokenTypeRefresh, "audience", "target-3"), req)
		if res.status != 400 || ts.sessions.hasClient(us, "requester") {
			t.Errorf("%d %s; client session kept = %v", res.status, res.body, ts.sessions.hasClient(us, "requester"))
		}
	})

	t.Run("consent granted", func(t *testing.T) {
		c, _ := subjectToken(t, ts, "x", "consenter")
		res := ts.token(t, "x", exchangeForm(c), basic("consent-requester", "s"))
		if res.status != 200 {
			t.Errorf("%d %s", res.status, res.body)
		}
	})

	t.Run("logout invalidates exchanged tokens as subjects", func(t *testing.T) {
		s, _ := subjectToken(t, ts, "x", "john")
		ex := ts.token(t, "x", exchangeForm(s), req).json(t)["access_token"].(string)
		ts.sessions.remove("x", payload(t, s)["sid"].(string), false)
		res := ts.token(t, "x", exchangeForm(ex), basic("chain-requester", "s"))
		if res.status != 400 || !strings.Contains(string(res.body), "Invalid token") {
			t.Errorf("%d %s", res.status, res.body)
		}
	})
}

// TestStandardExchangeWithRealClient performs the exchange with x/oauth2 (its client-credentials
// flow lets grant_type be overridden for RFC 8693) and verifies the result with go-oidc.
func TestStandardExchangeWithRealClient(t *testing.T) {
	ts := newTestServer(t, exchangeRealm, Config{Now: nil})
	ts.clock.t = nowReal()
	john, _ := subjectToken(t, ts, "x", "john")
	ctx := oidc.ClientContext(context.Background(), ts.http.Client())
	cfg := clientcredentials.Config{
		ClientID: "requester", ClientSecret: "s",
		TokenURL: ts.http.URL + "/realms/x/protocol/openid-connect/token",
		EndpointParams: url.Values{
			"grant_type":         {grantTokenExchange},
			"subject_token":      {john},
			"subject_token_type": {tokenTypeAccess},
			"audience":           {"target-1"},
		},
	}
	tok, err := cfg.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Extra("issued_token_type") != tokenTypeAccess {
		t.Errorf("issued_token_type = %v", tok.Extra("issued_token_type"))
	}
	provider, err := oidc.NewProvider(ctx, ts.http.URL+"/realms/x")
	if err != nil {
		t.Fatal(err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: "target-1"})
	at, err := v.Verify(ctx, tok.AccessToken)
	if err != nil {
		t.Fatalf("go-oidc rejects the exchanged token: %v", err)
	}
	var claims struct {
		Azp string `json:"azp"`
	}
	if err := at.Claims(&claims); err != nil || claims.Azp != "requester" || len(at.Audience) != 1 || at.Audience[0] != "target-1" {
		t.Errorf("verified token: aud %v azp %q (%v)", at.Audience, claims.Azp, err)
	}

	cfg.EndpointParams.Set("audience", "target-3")
	_, err = cfg.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "Requested audience not available: target-3") {
		t.Errorf("refusal through the library = %v", err)
	}
}
