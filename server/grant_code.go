package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"

	"github.com/kcmock/kcmock/tokens/mint"
)

// codeGrant is AuthorizationCodeGrantType, in the order Keycloak 26 checks: code present, code
// redeemable (unknown, replayed or expired codes are all "Code not valid"; a replay also ends
// the client session), redirect_uri as sent to /auth, the code's client, then PKCE. Any refusal
// from the code lookup on spends the code.
func (s *Server) codeGrant(tr *tokenRequest) error {
	raw, ok := tr.form["code"]
	if !ok {
		return errInvalidRequest("Missing parameter: code")
	}
	ic, replay := s.flows.redeem(raw[0], tr.now)
	r := tr.realm.model
	if ic == nil {
		if replay {
			if us := s.sessions.get(r, sidOfCode(raw[0]), false); us != nil {
				s.sessions.dropClient(us, tr.client.ClientID)
			}
		}
		return errInvalidGrant("Code not valid")
	}
	us := s.sessions.get(r, ic.sid, false)
	if us == nil {
		return errInvalidGrant("Code not valid")
	}
	if ic.req.hasRedirect && tr.form.Get("redirect_uri") != ic.req.redirectParam {
		return errInvalidGrant("Incorrect redirect_uri")
	}
	if ic.req.clientID != tr.client.ClientID {
		return errInvalidGrant("Auth error: Found different client_id in clientSession")
	}
	if oe := verifyPKCE(ic.req, tr.form); oe != nil {
		return oe
	}
	u := s.userByID(r, us.userID)
	if u == nil || !u.Enabled {
		return errInvalidGrant("Code not valid")
	}
	scopes, _ := mint.RequestScopes(tr.client, ic.req.scope)
	req := s.mintRequest(tr, u, scopes, us, mint.GrantAuthorizationCode)
	req.Nonce = ic.req.nonce
	req.Session.Acr = ic.acr
	return s.issue(tr, req, tr.client.AttrBool("use.refresh.tokens", true))
}

func sidOfCode(code string) string {
	parts := splitDots(code)
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

func splitDots(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
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
