package server

import (
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// validRedirect is RedirectUtils.verifyRedirectUri: the requested URI must equal a registered
// one, or start with a registered wildcard (a pattern ending in "*" without "?"), compared with
// its query and fragment cut off. Relative patterns are resolved against the client's root URL
// (or the server's base). Loopback requests may use any port (RFC 8252). Paths with "..",
// percent-encoding or userinfo are refused, as hardened Keycloak 26 releases refuse them.
func validRedirect(c *scenarios.Client, base, requested string) bool {
	u, err := url.Parse(requested)
	if err != nil || u.Scheme == "" || u.User != nil || strings.Contains(u.Path, "..") || strings.Contains(u.EscapedPath(), "%") {
		return false
	}
	if try(c, base, requested) {
		return true
	}
	if (u.Scheme == "http") && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1") && u.Port() != "" {
		noPort := strings.Replace(requested, ":"+u.Port(), "", 1)
		return try(c, base, noPort)
	}
	return false
}

func try(c *scenarios.Client, base, requested string) bool {
	scheme, _, _ := strings.Cut(requested, ":")
	for _, p := range c.RedirectURIs {
		if strings.HasPrefix(p, "/") {
			root := c.RootURL
			if root == "" || strings.HasPrefix(root, "${") {
				root = base
			}
			p = strings.TrimSuffix(root, "/") + p
		}
		if scheme != "http" && scheme != "https" && !strings.HasPrefix(p, scheme+":") {
			continue
		}
		if strings.HasSuffix(p, "*") && !strings.Contains(p, "?") {
			prefix := strings.TrimSuffix(p, "*")
			bare := requested
			if i := strings.IndexAny(bare, "?#"); i >= 0 {
				bare = bare[:i]
			}
			if strings.HasPrefix(bare, prefix) || strings.HasSuffix(prefix, "/") && bare == strings.TrimSuffix(prefix, "/") {
				return true
			}
			continue
		}
		if p == requested {
			return true
		}
	}
	return false
}

// singleRedirect is the redirect URI Keycloak uses when the request names none: the client's
// only registered URI, cut at its first "/*".
func singleRedirect(c *scenarios.Client, base string) string {
	if len(c.RedirectURIs) != 1 {
		return ""
	}
	p := c.RedirectURIs[0]
	if i := strings.Index(p, "/*"); i >= 0 {
		p = p[:i]
	} else {
		p = strings.TrimSuffix(p, "*")
	}
	if strings.HasPrefix(p, "/") {
		p = strings.TrimSuffix(base, "/") + p
	}
	return p
}

// param is one key of an authorization response, in the order Keycloak writes them.
type param struct{ key, value string }

// respond delivers an authorization response (success or error) to the client as the response
// mode says: query (default), fragment, or an auto-submitting form_post page.
func respond(c *call, redirectURI, mode string, params []param) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store, must-revalidate, max-age=0")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Robots-Tag", "none")
	if mode == "form_post" {
		return c.HTMLBlob(http.StatusOK, formPost(redirectURI, params))
	}
	var q strings.Builder
	for i, p := range params {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(url.QueryEscape(p.key))
		q.WriteByte('=')
		q.WriteString(url.QueryEscape(p.value))
	}
	sep := "?"
	switch {
	case mode == "fragment" && strings.Contains(redirectURI, "#"):
		sep = "&"
	case mode == "fragment":
		sep = "#"
	case strings.Contains(redirectURI, "?"):
		sep = "&"
	}
	return c.Redirect(http.StatusFound, redirectURI+sep+q.String())
}

// formPost is the response_mode=form_post page: hidden inputs submitted on load.
func formPost(action string, params []param) []byte {
	var b strings.Builder
	b.WriteString(`<HTML>  <HEAD>    <TITLE>OIDC Form_Post Response</TITLE>  </HEAD>  <BODY Onload="document.forms[0].submit()">    <FORM METHOD="POST" ACTION="`)
	b.WriteString(html.EscapeString(action))
	b.WriteString(`">`)
	for _, p := range params {
		b.WriteString(`  <INPUT TYPE="HIDDEN" NAME="` + html.EscapeString(p.key) + `" VALUE="` + html.EscapeString(p.value) + `" />`)
	}
	b.WriteString(`      <NOSCRIPT>        <P>JavaScript is disabled. We strongly recommend to enable it. Click the button below to continue .</P>        <INPUT name="continue" TYPE="SUBMIT" VALUE="CONTINUE" />      </NOSCRIPT>    </FORM>  </BODY></HTML>`)
	return []byte(b.String())
}
