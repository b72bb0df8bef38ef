package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/client/tokenexchange"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// TestZitadelTokenExchange drives kcmock's standard token exchange (RFC 8693) with zitadel's
// client, github.com/zitadel/oidc/v3/pkg/client/tokenexchange, on the bundled
// scenarios/standard-exchange.toml: the SPA's token for alice is exchanged by api-gateway for
// one meant for orders-api alone. The exchanger finds the token endpoint through discovery.
func TestZitadelTokenExchange(t *testing.T) {
	sc, err := scenarios.LoadFiles(scenarios.Options{}, "../scenarios/standard-exchange.toml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	// Record the forms zitadel sends to the token endpoint, to show what it puts on the wire.
	var mu sync.Mutex
	var forms []url.Values
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/protocol/openid-connect/token") {
			body, err := io.ReadAll(r.Body)
			r.Body.Close()
			r.Body = io.NopCloser(bytes.NewReader(body))
			if f, perr := url.ParseQuery(string(body)); err == nil && perr == nil {
				mu.Lock()
				forms = append(forms, f)
				mu.Unlock()
			}
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer hs.Close()
	issuer := hs.URL + "/realms/acme"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	alice := zitadelLogin(t, hs, issuer, "alice")
	aliceClaims := zitadelClaims(t, alice)

	te, err := tokenexchange.NewTokenExchangerClientCredentials(ctx, issuer, "api-gateway", "gateway-secret",
		tokenexchange.WithHTTPClient(hs.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := te.TokenEndpoint(), issuer+"/protocol/openid-connect/token"; got != want {
		t.Fatalf("token endpoint from discovery = %q, want %q", got, want)
	}

	// A scope to send: zitadel sends an empty scope parameter otherwise, which Keycloak refuses
	// (see "empty parameters are values"). profile is one of api-gateway's default scopes, so
	// it changes nothing in the tokens.
	scope := []string{"profile"}

	t.Run("access token for orders-api", func(t *testing.T) {
		resp, err := tokenexchange.ExchangeToken(ctx, te, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, scope, oidc.AccessTokenType)
		if err != nil {
			t.Fatal(err)
		}
		if resp.IssuedTokenType != oidc.AccessTokenType || resp.TokenType != "Bearer" || resp.ExpiresIn != 300 || resp.RefreshToken != "" {
			t.Errorf("response = %+v", resp)
		}
		if !slices.Equal([]string(resp.Scopes), []string{"email", "profile"}) {
			t.Errorf("scope = %q, want email profile", resp.Scopes)
		}
		c := zitadelClaims(t, resp.AccessToken)
		want := map[string]any{
			"iss": issuer, "sub": aliceClaims["sub"], "azp": "api-gateway", "aud": "orders-api",
			"sid": aliceClaims["sid"], "typ": "Bearer", "preferred_username": "alice",
		}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("claim %s = %v, want %v", k, c[k], v)
			}
		}
		if jti, _ := c["jti"].(string); !strings.HasPrefix(jti, "ntrtte:") {
			t.Errorf("jti = %q, want the ntrtte: prefix", jti)
		}
		ra, _ := c["resource_access"].(map[string]any)
		if len(ra) != 1 || ra["orders-api"] == nil {
			t.Errorf("resource_access = %v, want orders-api only", c["resource_access"])
		}
	})

	t.Run("empty parameters are values", func(t *testing.T) {
		// zitadel writes every field of its request struct, the unset ones as empty parameters
		// ("requested_token_type=&scope=&actor_token=..."). Keycloak's form parser keeps empty
		// values, and neither "" as a token type nor a scope named "" passes its checks, so
		// with zitadel's client the type and at least one scope must be given (as above).
		_, err := tokenexchange.ExchangeToken(ctx, te, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api", "billing-api"}, nil, "")
		var oe *oidc.Error
		if !errors.As(err, &oe) || oe.ErrorType != oidc.InvalidRequest || oe.Description != "requested_token_type unsupported" {
			t.Errorf("empty requested_token_type: err = %v, want invalid_request requested_token_type unsupported", err)
		}
		mu.Lock()
		last := forms[len(forms)-1]
		mu.Unlock()
		for _, k := range []string{"requested_token_type", "scope", "actor_token", "actor_token_type"} {
			if v, ok := last[k]; !ok || len(v) != 1 || v[0] != "" {
				t.Errorf("zitadel sent %s = %q, expected one empty value (has the client changed?)", k, v)
			}
		}
		if got := last["audience"]; !slices.Equal(got, []string{"orders-api", "billing-api"}) {
			t.Errorf("audience parameters = %q", got)
		}
		_, err = tokenexchange.ExchangeToken(ctx, te, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, nil, oidc.AccessTokenType)
		if !errors.As(err, &oe) || oe.ErrorType != oidc.InvalidScope || oe.Description != "Invalid scopes: " {
			t.Errorf("empty scope: err = %v, want invalid_scope \"Invalid scopes: \"", err)
		}
	})

	t.Run("refresh token, same session", func(t *testing.T) {
		resp, err := tokenexchange.ExchangeToken(ctx, te, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, scope, oidc.RefreshTokenType)
		if err != nil {
			t.Fatal(err)
		}
		if resp.IssuedTokenType != oidc.RefreshTokenType || resp.RefreshToken == "" || resp.AccessToken == "" {
			t.Fatalf("response = %+v", resp)
		}
		if rt := zitadelClaims(t, resp.RefreshToken); rt["sid"] != aliceClaims["sid"] || rt["azp"] != "api-gateway" {
			t.Errorf("refresh token claims = %v", rt)
		}
	})

	t.Run("refusals reach the caller", func(t *testing.T) {
		bob := zitadelLogin(t, hs, issuer, "bob")
		_, err := tokenexchange.ExchangeToken(ctx, te, bob, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, scope, oidc.AccessTokenType)
		var oe *oidc.Error
		if !errors.As(err, &oe) || oe.ErrorType != oidc.InvalidRequest || oe.Description != "Requested audience not available: orders-api" {
			t.Errorf("bob's exchange: err = %v, want invalid_request Requested audience not available: orders-api", err)
		}

		reporting, err := tokenexchange.NewTokenExchangerClientCredentials(ctx, issuer, "reporting", "reporting-secret",
			tokenexchange.WithHTTPClient(hs.Client()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = tokenexchange.ExchangeToken(ctx, reporting, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, scope, oidc.AccessTokenType)
		if !errors.As(err, &oe) || oe.ErrorType != oidc.AccessDenied || oe.Description != "Client is not within the token audience" {
			t.Errorf("reporting's exchange: err = %v, want access_denied Client is not within the token audience", err)
		}

		// NewTokenExchanger sends no client authentication at all.
		anonymous, err := tokenexchange.NewTokenExchanger(ctx, issuer, tokenexchange.WithHTTPClient(hs.Client()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = tokenexchange.ExchangeToken(ctx, anonymous, alice, oidc.AccessTokenType, "", "", nil,
			[]string{"orders-api"}, scope, oidc.AccessTokenType)
		if !errors.As(err, &oe) || oe.ErrorType != oidc.InvalidClient {
			t.Errorf("unauthenticated exchange: err = %v, want invalid_client", err)
		}
	})
}

// zitadelLogin logs a user of scenarios/standard-exchange.toml in at the SPA (web-frontend).
func zitadelLogin(t *testing.T, hs *httptest.Server, issuer, user string) string {
	t.Helper()
	res, err := hs.Client().PostForm(issuer+"/protocol/openid-connect/token", url.Values{
		"grant_type": {"password"}, "client_id": {"web-frontend"}, "username": {user}, "password": {user},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != http.StatusOK || body.AccessToken == "" {
		t.Fatalf("password grant for %s: %d %v", user, res.StatusCode, err)
	}
	return body.AccessToken
}

// zitadelClaims decodes a JWT's payload without verifying it.
func zitadelClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
