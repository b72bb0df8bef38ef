package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"

	"github.com/kcmock/kcmock/tokens/mint"
)

// codeGrant is AuthorizationCodeGrantType, in the order Keycloak 26 checks. A code is
// <id>.<user session>.<client uuid> (OAuth2CodeParser): without a live user session it is
// "Code not valid"; a code that cannot be redeemed (already used, expired, or never issued)
// is "Code not valid" too, and detaches the client session it names, RFC 6749's answer to a
// replay (the user session stays). Then: the client session, the user, redirect_uri as sent
// to /auth, the code's client, the standard flow, PKCE. A refusal after the lookup still
// spends the code.
func (s *Server) codeGrant(tr *tokenRequest) error {
	raw, ok := tr.form["code"]
	if !ok {
		return errInvalidRequest("Missing parameter: code")
	}
	r := tr.realm.model
	ic := s.flows.redeem(raw[0], tr.now)
	parts := strings.SplitN(raw[0], ".", 3)
	var us *userSession
	if len(parts) == 3 {
		us = s.sessions.get(r, parts[1], false)
	}
	if us == nil {
		return errInvalidGrant("Code not valid")
	}
	codeClient := r.ClientByUUID(parts[2])
	if ic == nil || ic.sid != us.id {
		if codeClient != nil {
			s.sessions.detachClient(us, codeClient.ClientID)
		}
		return errInvalidGrant("Code not valid")
	}
	if codeClient == nil || !s.sessions.hasClient(us, codeClient.ClientID) {
		return errInvalidGrant("User session not found")
	}
	u := s.userByID(r, us.userID)
	if u == nil {
		return errInvalidGrant("User not found")
	}
	if !u.Enabled {
		return errInvalidGrant("User disabled")
	}
	if ic.req.hasRedirect && redirectForCompare(tr.form.Get("redirect_uri"), ic.req.redirectParam) != ic.req.redirectParam {
		return errInvalidGrant("Incorrect redirect_uri")
	}
	if codeClient.ClientID != tr.client.ClientID {
		return errInvalidGrant("Auth error: Found different client_id in clientSession")
	}
	if !tr.client.StandardFlowEnabled {
		return errInvalidGrant("Client not allowed to exchange code")
	}
	if oe := verifyPKCE(ic.req, tr.form); oe != nil {
		return oe
	}
	scopes, _ := mint.RequestScopes(tr.client, ic.req.scope)
	// offline_access makes the refresh token an offline one, in an offline copy of the browser
	// session (generateRefreshToken → createOrUpdateOfflineSession), after its check.
	useRefresh := tr.client.AttrBool("use.refresh.tokens", true)
	session := us
	if useRefresh && scopes.Has("offline_access") {
		if !offlineAllowed(r, tr.client, u, scopes) {
			return errOfflineNotAllowed().
				because("code grant: offline tokens", "user "+u.Username+" lacks the offline_access role in "+tr.client.ClientID+"'s scope")
		}
		session = s.offlineCopy(tr, us)
	}
	req := s.mintRequest(tr, u, scopes, session, mint.GrantAuthorizationCode)
	req.Nonce = ic.req.nonce
	req.Session.Acr = ic.acr
	return s.issue(tr, req, useRefresh)
}

// redirectForCompare is the token request's redirect_uri as Keycloak compares it: adapters
// older than 3.4.2 sent it back with session_state added, so a session_state query parameter
// the authorization request did not have is removed first (KEYCLOAK-4478).
func redirectForCompare(sent, saved string) string {
	if !strings.Contains(sent, "session_state=") || strings.Contains(saved, "session_state=") {
		return sent
	}
	base, frag, hasFrag := strings.Cut(sent, "#")
	path, query, _ := strings.Cut(base, "?")
	var kept []string
	for _, p := range strings.Split(query, "&") {
		if name, _, _ := strings.Cut(p, "="); name != "session_state" {
			kept = append(kept, p)
		}
	}
	out := path
	if len(kept) > 0 {
		out += "?" + strings.Join(kept, "&")
	}
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// verifyPKCE is RFC 7636 verification with Keycloak's messages.
func verifyPKCE(req *authRequest, form map[string][]string) *OAuthError {
	verifier, sent := "", false
	if v, ok := form["code_verifier"]; ok {
		verifier, sent = v[0], true
	}
	switch {
	case req.challenge == "" && !sent:
		return nil
	case req.challenge != "" && !sent:
		return errInvalidGrant("PKCE code verifier not specified")
	case req.challenge == "":
		return errInvalidGrant("PKCE code verifier specified but challenge not present in authorization")
	case !pkceValid(verifier):
		return errInvalidGrant("PKCE verification failed: Invalid code verifier")
	}
	want := verifier
	if req.method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(req.challenge)) != 1 {
		return errInvalidGrant("PKCE verification failed: Code mismatch")
	}
	return nil
}
