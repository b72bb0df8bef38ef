package server

import (
	"html/template"
	"sync"
)

// The login theme's pages, in Keycloak's spirit: the element ids and names Keycloak's
// keycloak.v2 theme uses (so browser tests written for Keycloak find them), no external assets,
// working without JavaScript.
var pages = sync.OnceValue(func() *template.Template { return template.Must(template.New("pages").Parse(pagesText)) })

// pagesText is parsed on first use, not at every start-up.
const pagesText = `
{{define "head"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
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
</style></head>
<body><div id="kc-header">{{.Realm}}</div><div class="card">{{end}}

{{define "login"}}{{template "head" .}}
<h1 id="kc-page-title">Sign in to your account</h1>
{{if .Error}}<div class="alert" id="input-error" aria-live="polite">{{.Error}}</div>{{end}}
{{if .Info}}<div class="info">{{.Info}}</div>{{end}}
<form id="kc-form-login" action="{{.Action}}" method="post" novalidate="novalidate">
<label for="username">Username or email</label>
<input id="username" name="username" value="{{.Username}}" type="text" autocomplete="username" autofocus{{if .ReadOnly}} readonly{{end}}>
<label for="password">Password</label>
<input id="password" name="password" value="" type="password" autocomplete="current-password">
<input type="hidden" id="id-hidden-input" name="credentialId">
<button name="login" id="kc-login" type="submit">Sign In</button>
</form></div></body></html>
{{end}}

{{define "error"}}{{template "head" .}}
<h1 id="kc-page-title">We are sorry...</h1>
<p id="kc-error-message" class="instruction">{{.Error}}</p>
{{if .BackURL}}<p><a id="backToApplication" href="{{.BackURL}}">« Back to Application</a></p>{{end}}
</div></body></html>
{{end}}

{{define "info"}}{{template "head" .}}
<h1 id="kc-page-title">{{.Heading}}</h1>
<p class="instruction">{{.Info}}</p>
{{if .Action}}<form action="{{.Action}}" method="post">{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
<button name="confirmLogout" id="kc-logout" type="submit">{{.Button}}</button></form>{{end}}
{{if .BackURL}}<p><a id="backToApplication" href="{{.BackURL}}">« Back to Application</a></p>{{end}}
</div></body></html>
{{end}}
`

// page is what the templates read.
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
	return pages().ExecuteTemplate(c.Response(), name, p)
}

// errorPage is Keycloak's "We are sorry..." page.
func errorPage(c *call, status int, msg string) error {
	p := c.page()
	p.Error = msg
	return renderPage(c, status, "error", p)
}
