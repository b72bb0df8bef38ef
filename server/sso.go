package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Keycloak's SSO cookies. KEYCLOAK_IDENTITY carries the signed session reference the login
// flow reads back; KEYCLOAK_SESSION is what the session-status iframe compares with
// session_state (a hash of the session id, readable by JavaScript).
const (
	cookieIdentity = "KEYCLOAK_IDENTITY"
	cookieSession  = "KEYCLOAK_SESSION"
)

// cookiePath is where Keycloak scopes a realm's cookies: /realms/{realm}/ (with /auth first
// when the request came through the legacy prefix).
func (c *call) cookiePath() string {
	p := "/realms/" + c.realm.model.Name + "/"
	if strings.HasPrefix(c.Request().URL.Path, "/auth/") {
		p = "/auth" + p
	}
	return p
}

// sessionCookieValue is the KEYCLOAK_SESSION value of a session.
func sessionCookieValue(sid string) string {
	sum := sha256.Sum256([]byte(sid))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type identityClaims struct {
	Exp int64  `json:"exp"`
	Iat int64  `json:"iat"`
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Typ string `json:"typ"`
	Sid string `json:"sid"`
}

// setSSOCookies remembers a browser login so that later authorization requests skip the form.
func (s *Server) setSSOCookies(c *call, us *userSession) error {
	r := c.realm.model
	claims := identityClaims{Iat: c.now.Unix(), Iss: c.issuer(), Sub: us.userID, Typ: "Serialized-ID", Sid: us.id}
	_, max, _ := sessionLimits(r, false)
	claims.Exp = us.started.Add(max).Unix()
	b, err := json.Marshal(claims)
	if err != nil {
		return err
	}
	jwt, err := c.realm.keys.HMAC.Sign(b)
	if err != nil {
		return err
	}
	secure := c.Request().TLS != nil
	maxAge := int(time.Unix(claims.Exp, 0).Sub(c.now) / time.Second)
	c.SetCookie(&http.Cookie{Name: cookieIdentity, Value: jwt, Path: c.cookiePath(), MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: sameSite(secure)})
	c.SetCookie(&http.Cookie{Name: cookieSession, Value: sessionCookieValue(us.id), Path: c.cookiePath(), MaxAge: maxAge, Secure: secure, SameSite: sameSite(secure)})
	return nil
}

// sameSite is what Keycloak sends: None over HTTPS (third-party iframes need it), Lax otherwise
// because browsers refuse None without Secure.
func sameSite(secure bool) http.SameSite {
	if secure {
		return http.SameSiteNoneMode
	}
	return http.SameSiteLaxMode
}

// clearSSOCookies ends the browser's SSO (logout).
func (s *Server) clearSSOCookies(c *call) {
	for _, name := range []string{cookieIdentity, cookieSession} {
		c.SetCookie(&http.Cookie{Name: name, Value: "", Path: c.cookiePath(), MaxAge: -1, Expires: time.Unix(0, 0)})
	}
}

// ssoSession returns the live user session the browser's SSO cookie points at, or nil.
func (s *Server) ssoSession(c *call) *userSession {
	ck, err := c.Cookie(cookieIdentity)
	if err != nil || ck.Value == "" {
		return nil
	}
	v, err := c.realm.keys.VerifyHMAC(ck.Value)
	if err != nil {
		return nil
	}
	var claims identityClaims
	if json.Unmarshal(v.Payload, &claims) != nil || claims.Typ != "Serialized-ID" || claims.Iss != c.issuer() || c.now.Unix() > claims.Exp {
		return nil
	}
	us := s.sessions.get(c.realm.model, claims.Sid, false)
	if us == nil || us.userID != claims.Sub {
		return nil
	}
	return us
}
