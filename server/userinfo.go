package server

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// bearerError is a userinfo refusal. Since Keycloak 19.0.2 userinfo answers as RFC 6750 §3
// asks: the error goes in WWW-Authenticate and the body is empty (OAuth2Error.json(false)).
type bearerError struct {
	status int
	code   string // "" for a request without any token: just the challenge
	desc   string
	why    string // for the journal only
}

func (e *bearerError) Error() string { return "userinfo: " + e.code + ": " + e.desc }

func errBearerInvalidToken(desc, why string) *bearerError {
	return &bearerError{status: http.StatusUnauthorized, code: "invalid_token", desc: desc, why: why}
}

func errBearerInvalidRequest(desc string) *bearerError {
	return &bearerError{status: http.StatusBadRequest, code: "invalid_request", desc: desc}
}

// journal is the refusal as the decision journal records it.
func (e *bearerError) journal() *OAuthError {
	oe := &OAuthError{Status: e.status, Code: e.code, Description: e.desc, Why: e.why}
	if e.code == "" {
		oe.Rule = "access token required"
	}
	return oe
}

// write renders the challenge: Bearer realm="R", error="…", error_description="…".
func (e *bearerError) write(c *call) error {
	v := `Bearer realm="` + c.realm.model.Name + `"`
	if e.code != "" {
		v += `, error="` + e.code + `", error_description="` + e.desc + `"`
	}
	c.Response().Header().Set("WWW-Authenticate", v)
	return c.Blob(e.status, "text/plain; charset=utf-8", nil)
}

// userinfo is GET|POST /protocol/openid-connect/userinfo (UserInfoEndpoint). CORS allows any
// origin until the token names its client, then that client's web origins. Every outcome goes
// to the journal.
func (s *Server) userinfo(c *call) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	d := &decision{}
	body, client, err := s.userinfoClaims(c, d)
	if client != nil {
		corsForClient(c, client)
	} else {
		corsEcho(c, true, true)
	}
	var be *bearerError
	if errors.As(err, &be) {
		s.record(c, "userinfo", d, be.journal())
		return be.write(c)
	}
	s.record(c, "userinfo", d, err)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, body)
}

// userinfoClaims runs UserInfoEndpoint.issueUserInfo's checks in its order and builds the
// claims; client is set once the token's azp names a known client.
func (s *Server) userinfoClaims(c *call, d *decision) (body []byte, client *scenarios.Client, err error) {
	raw, present, err := userinfoToken(c)
	if err != nil {
		return nil, nil, err
	}
	if !present {
		return nil, nil, &bearerError{status: http.StatusUnauthorized, why: "no Bearer header and no access_token form parameter"}
	}
	const failed = "Token verification failed"
	r := c.realm.model
	pc, why := decodePresented(c, raw)
	if pc == nil {
		return nil, nil, errBearerInvalidToken(failed, why)
	}
	d.client = pc.Azp
	// TokenVerifier.withDefaultChecks: realm URL, subject, type Bearer, active.
	switch {
	case pc.Iss != c.issuer():
		return nil, nil, errBearerInvalidToken(failed, "issuer "+pc.Iss+" is not "+c.issuer())
	case pc.Sub == "":
		return nil, nil, errBearerInvalidToken(failed, "the token has no sub")
	case pc.Typ != "Bearer":
		return nil, nil, errBearerInvalidToken(failed, "token type "+pc.Typ+" is not Bearer")
	}
	if why := pc.inactiveWhy(c.now); why != "" {
		return nil, nil, errBearerInvalidToken(failed, why)
	}
	if !containsString(strings.Fields(pc.Scope), mint.ScopeOpenID) {
		return nil, nil, &bearerError{status: http.StatusForbidden, code: "insufficient_scope", desc: "Missing openid scope",
			why: "the token's scope " + strconv.Quote(pc.Scope) + " lacks openid"}
	}
	if client = r.Client(pc.Azp); client == nil {
		return nil, nil, errBearerInvalidToken("Client not found", "realm "+r.Name+" has no client "+pc.Azp)
	}
	if r.NotBefore > 0 && pc.Iat < r.NotBefore {
		return nil, client, errBearerInvalidToken(failed, "the token was issued before the realm's not-before")
	}
	if s.revoked.has(pc.JTI, c.now) {
		return nil, client, errBearerInvalidToken(failed, "the token was revoked")
	}
	if !client.Enabled {
		return nil, client, errBearerInvalidToken("Client disabled", "client "+client.ClientID+" is disabled")
	}
	ts, code := s.findValidSession(c, pc, accessSessionType(pc), client.ClientID)
	if code != "" {
		// Keycloak hands the event error code over as the description.
		return nil, client, errBearerInvalidToken(code, "session "+pc.Sid+": "+code)
	}
	switch {
	case ts.user == nil:
		return nil, client, errBearerInvalidToken("User not found", "the session's user no longer exists")
	case !ts.user.Enabled:
		return nil, client, errBearerInvalidToken("User disabled", "user "+ts.user.Username+" is disabled")
	}
	d.user = ts.user.Username
	body, err = userinfoJSON(rebuildRequest(c, pc, client, ts))
	return body, client, err
}

// userinfoToken finds the access token: the Authorization header (Bearer or DPoP scheme), and
// for a form POST the access_token parameter; using both is refused. present is false when
// neither carries one.
func userinfoToken(c *call) (raw string, present bool, err error) {
	req := c.Request()
	raw, present = bearerHeader(req.Header.Get("Authorization"))
	if req.Method != http.MethodPost {
		return raw, present, nil
	}
	ct, _, perr := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if perr != nil || ct != "application/x-www-form-urlencoded" {
		return raw, present, nil // Keycloak ignores bodies of other types
	}
	form, err := readForm(req)
	if err != nil {
		return "", false, err
	}
	vals, ok := form["access_token"]
	switch {
	case len(vals) > 1:
		return "", false, errBearerInvalidRequest("Duplicate parameter")
	case ok && present:
		return "", false, errBearerInvalidRequest("More than one method used for including an access token")
	case ok:
		return vals[0], true, nil
	}
	return raw, present, nil
}

// bearerHeader is AppAuthManager.extractAuthorizationHeaderTokenOrReturnNull: exactly two
// whitespace-separated parts, the scheme Bearer or DPoP in any case.
func bearerHeader(h string) (string, bool) {
	parts := strings.Fields(h)
	if len(parts) != 2 || !strings.EqualFold(parts[0], "Bearer") && !strings.EqualFold(parts[0], "DPoP") {
		return "", false
	}
	return parts[1], true
}

// userinfoJSON is TokenManager.generateUserInfoClaims: a HashMap filled with sub, aud (a
// list), the mapped claims (putAll iterates their own HashMap), then realm_access and
// resource_access. Typed token fields other than these (acr, auth_time, allowed-origins) are
// not part of userinfo.
func userinfoJSON(req *mint.Request) ([]byte, error) {
	m := mint.Mapped(req, mint.TargetUserInfo)
	sub := m.Sub
	if sub == "" {
		sub = req.User.ID
	}
	claims := []tokens.Claim{{Name: "sub", Value: sub}}
	if len(m.Aud) > 0 {
		claims = append(claims, tokens.Claim{Name: "aud", Value: m.Aud})
	}
	names := make([]string, len(m.Other))
	for i, o := range m.Other {
		names[i] = o.Name
	}
	for _, i := range tokens.JavaHashOrder(names) {
		claims = append(claims, m.Other[i])
	}
	if m.RealmAccess != nil {
		claims = append(claims, tokens.Claim{Name: "realm_access", Value: m.RealmAccess})
	}
	if len(m.ResourceAccess) > 0 {
		claims = append(claims, tokens.Claim{Name: "resource_access", Value: m.ResourceAccess})
	}
	return (&tokens.Claims{Other: claims}).MarshalJSON()
}
