package server

// The login theme's pages, in Keycloak's spirit: the element ids and names Keycloak's
// keycloak.v2 theme uses (so browser tests written for Keycloak find them), no external assets,
// working without JavaScript.

// pageStyle is the theme's inline style sheet.
const pageStyle = `<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f0f0f0;margin:0}
#kc-header{background:#1b1d21;color:#fff;padding:1.2rem 2rem;font-size:1.4rem;letter-spacing:.05em}
.card{background:#fff;max-width:26rem;margin:3rem auto;padding:2rem 2.5rem;border-top:4px solid #06c;box-shadow:0 1px 4px rgba(0,0,0,.2)}
h1{font-size:1.5rem;font-weight:400;margin:0 0 1.5rem}
label{display:block;margin:.8rem 0 .3rem;font-size:.9rem}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #8a8d90;font-size:1rem}
button{margin-top:1.5rem;width:100%;padding:.6rem;background:#06c;color:#fff;border:0;font-size:1rem;cursor:pointer}
.alert{background:#faeae8;border-left:3px solid #c9190b;padding:.6rem .8rem;margin-bottom:1rem;color:#7d1007}
.info{background:#e7f1fa;border-left:3px solid #2b9af3;padding:.6rem .8rem;margin-bottom:1rem}
a{color:#06c}
</style>`

// html writes the page of that kind: "login", "error" or "info".
func (p *page) html(kind string) string {
	var w htmlWriter
	w.raw("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"robots\" content=\"noindex, nofollow\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	w.text(p.Title)
	w.raw("</title>\n", pageStyle, "</head>\n<body><div id=\"kc-header\">")
	w.text(p.Realm)
	w.raw("</div><div class=\"card\">\n")
	switch kind {
	case "login":
		w.raw("<h1 id=\"kc-page-title\">Sign in to your account</h1>\n")
		w.with(p.Error, `<div class="alert" id="input-error" aria-live="polite">`, "</div>\n")
		w.with(p.Info, `<div class="info">`, "</div>\n")
		w.raw(`<form id="kc-form-login" action="`)
		w.url(p.Action)
		w.raw("\" method=\"post\" novalidate=\"novalidate\">\n<label for=\"username\">Username or email</label>\n",
			`<input id="username" name="username" value="`)
		w.text(p.Username)
		w.raw(`" type="text" autocomplete="username" autofocus`)
		w.rawIf(p.ReadOnly, " readonly")
		w.raw(">\n<label for=\"password\">Password</label>\n",
			"<input id=\"password\" name=\"password\" value=\"\" type=\"password\" autocomplete=\"current-password\">\n",
			"<input type=\"hidden\" id=\"id-hidden-input\" name=\"credentialId\">\n",
			"<button name=\"login\" id=\"kc-login\" type=\"submit\">Sign In</button>\n</form></div></body></html>\n")
		return w.String()
	case "error":
		w.wrap("<h1 id=\"kc-page-title\">We are sorry...</h1>\n<p id=\"kc-error-message\" class=\"instruction\">", p.Error, "</p>\n")
	default: // info
		w.wrap(`<h1 id="kc-page-title">`, p.Heading, "</h1>\n<p class=\"instruction\">")
		w.text(p.Info)
		w.raw("</p>\n")
		if p.Action != "" {
			w.raw(`<form action="`)
			w.url(p.Action)
			w.raw(`" method="post">`)
			for _, h := range p.Hidden {
				w.wrap(`<input type="hidden" name="`, h.Name, `" value="`)
				w.text(h.Value)
				w.raw(`">`)
			}
			w.wrap("\n<button name=\"confirmLogout\" id=\"kc-logout\" type=\"submit\">", p.Button, "</button></form>\n")
		}
	}
	if p.BackURL != "" {
		w.raw(`<p><a id="backToApplication" href="`)
		w.url(p.BackURL)
		w.raw("\">« Back to Application</a></p>\n")
	}
	w.raw("</div></body></html>\n")
	return w.String()
}

// page is what the pages show.
type page struct {
	Title, Realm    string
	Error, Info     string
	Heading, Button string
	Action, BackURL string
	Username        string
	ReadOnly        bool
	Hidden          []hiddenField
}

type hiddenField struct{ Name, Value string }

func (c *call) page() page {
	name := c.realm.model.DisplayName
	if name == "" {
		name = c.realm.model.Name
	}
	return page{Title: "Sign in to " + name, Realm: name}
}

// renderPage writes a login-theme page with Keycloak's page headers.
func renderPage(c *call, status int, name string, p page) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html;charset=utf-8")
	h.Set("Content-Language", "en")
	h.Set("Content-Security-Policy", "frame-src 'self'; frame-ancestors 'self'; object-src 'none';")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "none")
	c.Response().WriteHeader(status)
	_, err := c.Response().Write([]byte(p.html(name)))
	return err
}

// errorPage is Keycloak's "We are sorry..." page.
func errorPage(c *call, status int, msg string) error {
	p := c.page()
	p.Error = msg
	return renderPage(c, status, "error", p)
}
