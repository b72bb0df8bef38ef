package server_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/server"
)

// TestRealClients drives kcmock with go-oidc and x/oauth2 as an application would: discovery,
// password and client-credentials tokens, refresh, and signature verification against the
// JWKS, for every signing algorithm a realm can use.
func TestRealClients(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			sc, err := scenarios.Load(scenarios.Options{}, scenarios.Source{Name: alg + ".toml", Data: []byte(`
[[realms]]
realm = "apps"
default_signature_algorithm = "` + alg + `"
[[realms.clients]]
client_id = "web"
secret = "web-secret"
direct_access_grants_enabled = true
service_accounts_enabled = true
[[realms.users]]
username = "alice"
password = "alice-pw"
email = "alice@example.com"
first_name = "Alice"
last_name = "Liddell"
`)})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := server.New(server.Config{Scenario: sc})
			if err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ctx = oidc.ClientContext(ctx, hs.Client())

			provider, err := oidc.NewProvider(ctx, hs.URL+"/realms/apps")
			if err != nil {
				t.Fatal(err)
			}
			algs := []string{alg}
			idVerifier := provider.Verifier(&oidc.Config{ClientID: "web", SupportedSigningAlgs: algs})
			accessVerifier := provider.Verifier(&oidc.Config{SkipClientIDCheck: true, SupportedSigningAlgs: algs})

			conf := oauth2.Config{ClientID: "web", ClientSecret: "web-secret", Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID}}
			tok, err := conf.PasswordCredentialsToken(ctx, "alice", "alice-pw")
			if err != nil {
				t.Fatal(err)
			}
			rawID, _ := tok.Extra("id_token").(string)
			idt, err := idVerifier.Verify(ctx, rawID)
			if err != nil {
				t.Fatalf("id token: %v", err)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var claims struct {
				Email             string `json:"email"`
				PreferredUsername string `json:"preferred_username"`
			}
			if err := idt.Claims(&claims); err != nil || claims.PreferredUsername != "alice" || claims.Email != "alice@example.com" {
				t.Errorf("id token claims = %+v, %v", claims, err)
			}
			at, err := accessVerifier.Verify(ctx, tok.AccessToken)
			if err != nil {
				t.Fatalf("access token: %v", err)
			}
			if at.Subject != idt.Subject {
				t.Errorf("sub differs: %q vs %q", at.Subject, idt.Subject)
			}

			// Refresh through the token source once the access token has expired.
			tok.Expiry = time.Now().Add(-time.Minute)
			refreshed, err := conf.TokenSource(ctx, tok).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if refreshed.AccessToken == tok.AccessToken {
				t.Error("refresh returned the same access token")
			}
			if _, err := accessVerifier.Verify(ctx, refreshed.AccessToken); err != nil {
				t.Errorf("refreshed access token: %v", err)
			}

			cc := clientcredentials.Config{ClientID: "web", ClientSecret: "web-secret", TokenURL: provider.Endpoint().TokenURL}
			sat, err := cc.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sa, err := accessVerifier.Verify(ctx, sat.AccessToken)
			if err != nil {
				t.Fatalf("service-account token: %v", err)
			}
			var saClaims struct {
				PreferredUsername string `json:"preferred_username"`
				ClientID          string `json:"client_id"`
			}
			_ = sa.Claims(&saClaims)
			if saClaims.PreferredUsername != "service-account-web" || saClaims.ClientID != "web" {
				t.Errorf("service-account claims = %+v", saClaims)
			}

			// A wrong password surfaces as Keycloak's error through the library.
			_, err = conf.PasswordCredentialsToken(ctx, "alice", "nope")
			var re *oauth2.RetrieveError
			if !asRetrieveError(err, &re) || re.ErrorCode != "invalid_grant" || re.ErrorDescription != "Invalid user credentials" || re.Response.StatusCode != 401 {
				t.Errorf("wrong password error = %v", err)
			}
		})
	}
}

func asRetrieveError(err error, target **oauth2.RetrieveError) bool {
	re, ok := err.(*oauth2.RetrieveError)
	if ok {
		*target = re
	}
	return ok
}
