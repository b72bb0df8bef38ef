package kcmock

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kcmock/kcmock/server"
)

// Grant is a token request: one of PasswordGrant, ClientCredentialsGrant, RefreshGrant or
// FormGrant.
type Grant interface {
	// request returns the client's credentials and the form without them.
	request() (client, secret string, form url.Values)
}

// PasswordGrant is the resource owner password credentials grant (RFC 6749 §4.3). An empty
// Secret makes a public client's request (client_id in the form).
type PasswordGrant struct {
	Client, Secret     string
	Username, Password string
	Scope              string // optional, e.g. "openid"
}

// ClientCredentialsGrant is the client credentials grant (RFC 6749 §4.4).
type ClientCredentialsGrant struct {
	Client, Secret string
	Scope          string
}

// RefreshGrant refreshes a token (RFC 6749 §6).
type RefreshGrant struct {
	Client, Secret string
	RefreshToken   string
	Scope          string
}

// FormGrant is any other token request, e.g. a token exchange: Form is sent as it is, with
// grant_type in it.
type FormGrant struct {
	Client, Secret string
	Form           url.Values
}

func (g PasswordGrant) request() (string, string, url.Values) {
	f := url.Values{"grant_type": {"password"}, "username": {g.Username}, "password": {g.Password}}
	return g.Client, g.Secret, withScope(f, g.Scope)
}

func (g ClientCredentialsGrant) request() (string, string, url.Values) {
	return g.Client, g.Secret, withScope(url.Values{"grant_type": {"client_credentials"}}, g.Scope)
}

func (g RefreshGrant) request() (string, string, url.Values) {
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {g.RefreshToken}}
	return g.Client, g.Secret, withScope(f, g.Scope)
}

func (g FormGrant) request() (string, string, url.Values) {
	f := url.Values{}
	for k, v := range g.Form {
		f[k] = append([]string(nil), v...)
	}
	return g.Client, g.Secret, f
}

func withScope(f url.Values, scope string) url.Values {
	if scope != "" {
		f.Set("scope", scope)
	}
	return f
}

// TokenResponse is the token endpoint's answer, in Keycloak's fields.
type TokenResponse struct {
	AccessToken      string `json:"access_token"`
	ExpiresIn        int    `json:"expires_in"`
	RefreshExpiresIn int    `json:"refresh_expires_in"`
	RefreshToken     string `json:"refresh_token,omitempty"`
	TokenType        string `json:"token_type"`
	IDToken          string `json:"id_token,omitempty"`
	NotBeforePolicy  int    `json:"not-before-policy"`
	SessionState     string `json:"session_state,omitempty"`
	Scope            string `json:"scope,omitempty"`
	IssuedTokenType  string `json:"issued_token_type,omitempty"`
	// Raw is the response body as sent, for golden files.
	Raw []byte `json:"-"`
}

// TokenError is a refusal of the token endpoint: Keycloak's status, error and
// error_description. Server.Journal tells which check refused.
type TokenError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description"`
	// Why is the journal's explanation of the refusal, when it has one (Keycloak's answer is
	// deliberately vague; this says which rule refused and how to change the outcome).
	Why string `json:"-"`
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("kcmock: token endpoint: %d %s: %s", e.Status, e.Code, e.Description)
	if e.Why != "" {
		msg += " (" + e.Why + ")"
	}
	return msg
}

// Token sends a token request to a realm's token endpoint. A refusal is a *TokenError.
// Confidential clients authenticate with HTTP Basic (client_secret_basic, form-encoded as RFC
// 6749 §2.3.1 asks); an empty secret sends client_id in the form, as public clients do.
func (s *Server) Token(ctx context.Context, realm string, g Grant) (*TokenResponse, error) {
	client, secret, form := g.request()
	if secret == "" && client != "" {
		form.Set("client_id", client)
	}
	endpoint := s.url + "/realms/" + url.PathEscape(realm) + "/protocol/openid-connect/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(client), url.QueryEscape(secret))
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		te := &TokenError{Status: res.StatusCode}
		if json.Unmarshal(body, te) != nil || te.Code == "" {
			te.Code, te.Description = "", strings.TrimSpace(string(body))
		}
		// The most recent refusal of this realm's token endpoint for this grant with the same
		// answer, naming this client or none (refusals before client authentication name none).
		// Concurrent requests alike in all of these may swap explanations.
		entries := s.Journal(server.JournalFilter{Realm: realm, Endpoint: "token", Outcome: "refused", Grant: form.Get("grant_type"), Limit: 16})
		for i := len(entries) - 1; i >= 0; i-- {
			if e := entries[i]; e.Status == te.Status && e.Description == te.Description && (e.Client == client || e.Client == "") {
				te.Why = e.Explanation
				break
			}
		}
		return nil, te
	}
	tr := &TokenResponse{Raw: body}
	if err := json.Unmarshal(body, tr); err != nil {
		return nil, fmt.Errorf("kcmock: token response: %w", err)
	}
	return tr, nil
}

// ClientCredentials gets a service-account token for a confidential client.
func (s *Server) ClientCredentials(ctx context.Context, realm, client, secret string) (*TokenResponse, error) {
	return s.Token(ctx, realm, ClientCredentialsGrant{Client: client, Secret: secret})
}

// MustToken returns the access token of a password grant, or fails the test. An empty
// secret is a public client's request.
func (s *Server) MustToken(tb testing.TB, realm, client, secret, user, password string) string {
	tb.Helper()
	tr, err := s.Token(tb.Context(), realm, PasswordGrant{Client: client, Secret: secret, Username: user, Password: password})
	if err != nil {
		tb.Fatalf("token for %s at %s/%s: %v", user, realm, client, err)
	}
	return tr.AccessToken
}
