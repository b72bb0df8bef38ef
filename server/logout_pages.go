package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// htmlUTF8 is Keycloak's MediaType.TEXT_HTML_UTF_8, which the iframe endpoints produce.
const htmlUTF8 = "text/html; charset=utf-8"

// logoutRefusal is an RP-initiated logout refusal: Keycloak answers with its error page
// (ErrorPage.error, status 400) showing msg. why is for the journal only.
type logoutRefusal struct{ msg, why string }

func (e *logoutRefusal) Error() string { return "logout: " + e.msg }

// finishLogout records a browser logout's decision and renders a refusal as the error page.
func (s *Server) finishLogout(c *call, d *decision, err error) error {
	var lr *logoutRefusal
	if errors.As(err, &lr) {
		s.record(c, "logout", d, (&OAuthError{Status: http.StatusBadRequest, Description: lr.msg}).because(lr.msg, lr.why))
		return errorPage(c, http.StatusBadRequest, lr.msg)
	}
	s.record(c, "logout", d, err)
	return err
}

// logoutConfirmPage is logout-confirm.ftl: "Do you want to log out?" and a form that posts the
// pending logout back to …/logout/logout-confirm.
func (s *Server) logoutConfirmPage(c *call, p pendingLogout) error {
	code, err := signPendingLogout(c, p)
	if err != nil {
		return err
	}
	pg := c.page()
	pg.Heading, pg.Info, pg.Button = "Logging out", "Do you want to log out?", "Logout"
	pg.Action = c.issuer() + "/protocol/openid-connect/logout/logout-confirm"
	pg.Hidden = []hiddenField{{Name: "session_code", Value: code}}
	return renderPage(c, http.StatusOK, "info", pg)
}

// logoutDonePage is the info page after a logout without a redirect.
func logoutDonePage(c *call) error {
	pg := c.page()
	pg.Heading, pg.Info = "You are logged out", "You are logged out"
	return renderPage(c, http.StatusOK, "info", pg)
}

// postLogoutRedirectURIs is OIDCAdvancedConfigWrapper.getPostLogoutRedirectUris: the client
// attribute post.logout.redirect.uris split at "##"; unset means the valid redirect URIs, "-"
// first means none, a "+" among them adds the valid redirect URIs.
func postLogoutRedirectURIs(client *scenarios.Client) []string {
	attr := client.Attr("post.logout.redirect.uris")
	if attr == "" {
		return client.RedirectURIs
	}
	list := strings.Split(attr, "##")
	if list[0] == "-" {
		return nil
	}
	var out []string
	plus := false
	for _, u := range list {
		if u == "+" {
			plus = true
			continue
		}
		out = append(out, u)
	}
	if plus {
		out = append(out, client.RedirectURIs...)
	}
	return out
}

// verifyPostLogoutRedirect is RedirectUtils.verifyRedirectUri over the post-logout redirect
// URIs, with the same matching as for login redirects (validRedirect): exact, or a trailing
// "*" wildcard, relative entries against the client's root URL. It returns the redirect when
// valid, "" otherwise.
func verifyPostLogoutRedirect(c *call, client *scenarios.Client, redirect string) string {
	view := *client
	view.RedirectURIs = postLogoutRedirectURIs(client)
	if validRedirect(&view, c.base, redirect) {
		return redirect
	}
	return ""
}
