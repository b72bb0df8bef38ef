package server

import "github.com/labstack/echo/v4"

// routesSessionEndpoints registers userinfo, introspection, revocation, logout and the
// session-status pages under /realms/:realm.
func (s *Server) routesSessionEndpoints(g *echo.Group, prefix string) {
	const oidc = "/protocol/openid-connect"
	g.GET(oidc+"/userinfo", s.withRealm(prefix, s.userinfo))
	g.POST(oidc+"/userinfo", s.withRealm(prefix, s.userinfo))
	g.OPTIONS(oidc+"/userinfo", s.withRealm(prefix, preflight("GET, HEAD, OPTIONS")))
	g.POST(oidc+"/token/introspect", s.withRealm(prefix, s.introspect))
	g.POST(oidc+"/revoke", s.withRealm(prefix, s.revoke))
	g.OPTIONS(oidc+"/revoke", s.withRealm(prefix, preflight("POST, OPTIONS")))
	g.GET(oidc+"/logout", s.withRealm(prefix, s.logoutGet))
	g.POST(oidc+"/logout", s.withRealm(prefix, s.logoutPost))
	g.OPTIONS(oidc+"/logout", s.withRealm(prefix, preflight("GET, HEAD, OPTIONS")))
	g.POST(oidc+"/logout/logout-confirm", s.withRealm(prefix, s.logoutConfirm))
	g.GET(oidc+"/login-status-iframe.html", s.withRealm(prefix, s.loginStatusIframe))
	g.GET(oidc+"/login-status-iframe.html/init", s.withRealm(prefix, s.loginStatusInit))
	g.GET(oidc+"/3p-cookies/step1.html", s.withRealm(prefix, s.thirdPartyCookiesStep1))
	g.GET(oidc+"/3p-cookies/step2.html", s.withRealm(prefix, s.thirdPartyCookiesStep2))
}
