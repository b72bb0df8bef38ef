package server

import (
	"encoding/json"
	"strings"

	"github.com/kcmock/kcmock/tokens/mint"
)

// refreshClaims are the refresh-token claims the refresh grant reads.
type refreshClaims struct {
	Exp   int64  `json:"exp"`
	Nbf   int64  `json:"nbf"`
	Iat   int64  `json:"iat"`
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Typ   string `json:"typ"`
	Azp   string `json:"azp"`
	Sid   string `json:"sid"`
	Scope string `json:"scope"`
	// ReqAud is the audience a standard token exchange was restricted to; refreshing keeps it.
	ReqAud []string `json:"req-aud"`
}

// refreshGrant is RefreshTokenGrantType / TokenManager.refreshAccessToken, checks in its
// order: token present, scope parameter, signature and type, issuer, not-before, expiry,
// client, session, user, client session.
//
// A scope parameter narrows, it never refuses a scope the token lacks: it must name scopes of
// the client (checked before the token is even read), and the new access token keeps those of
// the old refresh token's scopes it names, plus the client's defaults. openid stays when the
// login asked for it, and the new refresh token keeps the old one's scope whole.
func (s *Server) refreshGrant(tr *tokenRequest) error {
	raw := tr.form.Get("refresh_token")
	if !tr.form.Has("refresh_token") { // an empty one is a token that does not verify
		return errInvalidRequest("No refresh token")
	}
	if _, err := requestScopes(tr.client, tr.form); err != nil {
		return err
	}
	rt, oe := s.verifyRefresh(tr.call, raw)
	if oe != nil {
		return oe
	}
	if rt.Azp != tr.client.ClientID {
		return errInvalidGrant("Invalid refresh token. Token client and authorized client don't match")
	}
	r := tr.realm.model
	offline := rt.Typ == "Offline"
	us := s.sessions.get(r, rt.Sid, offline)
	if us == nil {
		if offline {
			return errInvalidGrant("Offline user session not found")
		}
		return errInvalidGrant("Session not active")
	}
	// TokenManager.validateToken's order after the session.
	u := s.userByID(r, us.userID)
	if u == nil || u.ID != rt.Sub {
		return errInvalidGrant("Invalid refresh token")
	}
	if !u.Enabled {
		return errInvalidGrant("User disabled")
	}
	if rt.Iat < us.started.Unix() {
		return errInvalidGrant("Refresh token issued before the user session started")
	}
	if !s.sessions.hasClient(us, tr.client.ClientID) {
		return errInvalidGrant("Session doesn't have required client")
	}
	old := mint.SplitScope(rt.Scope)
	names := old
	if p := tr.form.Get("scope"); p != "" {
		asked := map[string]bool{}
		for _, n := range mint.SplitScope(p) {
			asked[n] = true
		}
		names = nil
		for _, n := range old {
			if asked[n] {
				names = append(names, n)
			}
		}
	}
	// Keycloak rebuilds the grant from the scope string: every default scope of the client plus
	// the optional ones named, so a narrower scope can only drop optional scopes. Whether the
	// grant is an OpenID one follows the login's scope, which the old token's scope records.
	scopes, _ := mint.RequestScopes(tr.client, strings.Join(optionalNames(tr, names), " "))
	scopes.OpenID = containsString(old, mint.ScopeOpenID)
	s.sessions.touch(us, tr.client.ClientID, tr.now)
	req := s.mintRequest(tr, u, scopes, us, mint.GrantRefresh)
	req.Audience = rt.ReqAud
	req.RefreshScope = &rt.Scope
	return s.issue(tr, req, true)
}

// optionalNames keeps the names that are optional scopes of the client, so that re-requesting
// them rebuilds the original grant (defaults are always granted).
func optionalNames(tr *tokenRequest, names []string) []string {
	var out []string
	for _, n := range names {
		for _, o := range tr.client.OptionalScopes {
			if o.Name == n {
				out = append(out, n)
			}
		}
	}
	return out
}

// verifyRefresh decodes and checks a refresh token up to its expiry (TokenManager.verifyRefreshToken).
func (s *Server) verifyRefresh(c *call, raw string) (*refreshClaims, *OAuthError) {
	v, err := c.realm.keys.VerifyHMAC(raw)
	if err != nil {
		return nil, errInvalidGrant("Invalid refresh token")
	}
	var rt refreshClaims
	if err := json.Unmarshal(v.Payload, &rt); err != nil {
		return nil, errInvalidGrant("Invalid refresh token")
	}
	if rt.Typ != "Refresh" && rt.Typ != "Offline" {
		return nil, errInvalidGrant("Invalid refresh token")
	}
	if rt.Iss != c.issuer() {
		return nil, errInvalidGrant("Invalid token issuer. Expected '" + c.issuer() + "'")
	}
	if nb := c.realm.model.NotBefore; nb > 0 && rt.Iat < nb {
		return nil, errInvalidGrant("Stale token")
	}
	// TokenVerifier.IS_ACTIVE: not expired (now > exp) and not before nbf.
	if rt.Exp > 0 && c.now.Unix() > rt.Exp || rt.Nbf > 0 && c.now.Unix() < rt.Nbf {
		return nil, errInvalidGrant("Token is not active")
	}
	return &rt, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
