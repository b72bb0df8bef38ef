package server

import (
	_ "embed"
	"strconv"
	"strings"
)

// debugHead is the debug page's head: its title and inline style sheet.
//
//go:embed debug_head.html
var debugHead string

// html writes the debug page.
func (v *debugView) html() string {
	var w htmlWriter
	w.raw(debugHead, "<body>\n<header>\n<h1>kcmock</h1>\n<span class=\"clock\">Keycloak ")
	w.text(v.Version)
	w.wrap(` · server clock <time id="clock">`, v.Now, "</time>")
	w.rawIf(v.Frozen, " (frozen)")
	w.raw("</span>\n<nav>")
	for _, r := range v.Realms {
		w.raw(`<a href="#realm-`)
		w.urlPart(r.Name)
		w.wrap(`">`, r.Name, "</a>")
	}
	w.raw(`<a href="#journal">Journal</a><a href="#decoder">Token decoder</a></nav>`, "\n</header>\n<main>\n\n",
		"<section id=\"realms-summary\">\n<h2>Realms</h2>\n<ul id=\"realm-list\">")
	for _, r := range v.Realms {
		w.raw(`<li><a href="#realm-`)
		w.urlPart(r.Name)
		w.wrap(`">`, r.Name, "</a>")
		w.with(r.DisplayName, ` <span class="small">(`, ")</span>")
		w.rawIf(!r.Enabled, ` <span class="tag bad">disabled</span>`)
		w.raw(": ")
		w.int(int64(len(r.Clients)))
		w.raw(" clients (+")
		w.int(int64(len(r.BuiltinClients)))
		w.raw(" built-in), ")
		w.int(int64(len(r.Users)))
		w.raw(" users, ")
		w.int(int64(r.Sessions))
		w.raw(" live session")
		w.rawIf(r.Sessions != 1, "s")
		w.raw("</li>")
	}
	w.rawIf(len(v.Realms) == 0, `<li class="none">no realms</li>`)
	w.raw("</ul>\n</section>\n")
	for i := range v.Realms {
		v.Realms[i].html(&w)
	}
	v.journalHTML(&w)
	v.decoderHTML(&w)
	w.raw("</main>\n", `<footer>kcmock debug page · the same as JSON: <a href="/_kcmock/journal">/_kcmock/journal</a>, <a href="/_kcmock/openapi.json">OpenAPI</a></footer>`,
		"\n</body></html>\n")
	return w.String()
}

// html writes a realm's section.
func (r *realmView) html(w *htmlWriter) {
	w.raw("\n", `<section class="realm" id="realm-`)
	w.text(r.Name)
	w.wrap("\">\n<h2>Realm ", r.Name, " ")
	w.with(r.DisplayName, "<small>", "</small>")
	w.rawIf(!r.Enabled, ` <span class="tag bad">disabled</span>`)
	w.raw("</h2>\n", `<p class="meta">Issuer <code>`)
	w.text(r.Issuer)
	w.raw("</code> · ")
	w.int(int64(r.Sessions))
	w.raw(" live session")
	w.rawIf(r.Sessions != 1, "s")
	w.raw("</p>\n", `<p class="meta">Keys: `)
	for _, k := range r.Keys {
		w.wrap("<code>", k.KID, "</code> ")
		w.text(k.Alg)
		w.raw(" ")
		w.text(k.Use)
		w.rawIf(k.Active, ` <span class="tag ok">active</span>`)
		w.raw(" · ")
	}
	w.wrap("refresh tokens: HS512 <code>", r.HMACKid, "</code></p>\n\n<h3>Clients</h3>\n")
	if len(r.Clients) > 0 {
		clientsHTML(w, r.Clients)
	} else {
		w.raw(`<p class="none">No clients besides the built-in ones.</p>`)
	}
	w.raw("\n")
	if len(r.BuiltinClients) > 0 {
		w.raw("<details><summary>")
		w.int(int64(len(r.BuiltinClients)))
		w.raw(" built-in clients (Keycloak creates them in every realm)</summary>")
		clientsHTML(w, r.BuiltinClients)
		w.raw("</details>")
	}
	w.raw("\n\n<h3>Users</h3>\n")
	r.usersHTML(w)
	w.raw("\n\n<h3>Roles</h3>\n<h4>Realm roles</h4>\n")
	rolesHTML(w, r.RealmRoles)
	w.raw("\n")
	clientRoles := func(builtin bool) {
		for _, cr := range r.ClientRoles {
			if cr.Builtin == builtin {
				w.wrap("<h4>Client roles of <code>", cr.Client, "</code></h4>")
				rolesHTML(w, cr.Roles)
			}
		}
	}
	clientRoles(false)
	w.raw("\n<details><summary>Client roles of the built-in clients</summary>\n")
	clientRoles(true)
	w.raw("\n</details>\n\n<h3>Client scopes</h3>\n", `<div class="scroll"><table class="scopes">`,
		"\n<thead><tr><th>Name</th><th>Protocol</th><th>Realm default type</th><th>In token scope</th><th>Mappers</th></tr></thead>\n<tbody>")
	for _, sc := range r.Scopes {
		w.wrap("<tr><td><code>", sc.Name, "</code></td><td>")
		w.text(sc.Protocol)
		w.raw("</td>\n<td>")
		if sc.Type != "" {
			w.wrap(`<span class="tag">`, sc.Type, "</span>")
		} else {
			w.raw(`<span class="none">none</span>`)
		}
		w.raw("</td>\n<td>", yesNo(sc.InTokenScope), "</td><td>")
		w.int(int64(sc.Mappers))
		w.raw("</td></tr>")
	}
	w.raw("</tbody>\n</table></div>\n\n<h3>Identity providers</h3>\n")
	if len(r.IdPs) > 0 {
		w.raw(`<table class="idps">`, "\n<thead><tr><th>Alias</th><th>Provider</th><th>Enabled</th><th>Issuer</th><th>Signature keys</th></tr></thead>\n<tbody>")
		for _, idp := range r.IdPs {
			w.wrap("<tr><td><code>", idp.Alias, "</code>")
			w.with(idp.DisplayName, `<div class="sub">`, "</div>")
			w.raw("</td><td>")
			w.text(idp.ProviderID)
			w.raw("</td>\n<td>", yesNo(idp.Enabled), "</td><td><code>")
			w.text(idp.Issuer)
			w.wrap("</code></td><td>", idp.Keys, "</td></tr>")
		}
		w.raw("</tbody>\n</table>")
	} else {
		w.raw(`<p class="none">None.</p>`)
	}
	w.raw("\n</section>\n")
}

func (r *realmView) usersHTML(w *htmlWriter) {
	if len(r.Users) == 0 {
		w.raw(`<p class="none">No users.</p>`)
		return
	}
	w.raw(`<div class="scroll"><table class="users">`,
		"\n<thead><tr><th>Username</th><th>ID</th><th>Enabled</th><th>Email</th><th>Realm roles (effective)</th><th>Client roles (effective)</th><th>Groups</th></tr></thead>\n<tbody>")
	for _, u := range r.Users {
		w.raw("<tr")
		w.rawIf(!u.Enabled, ` class="off"`)
		w.raw(">\n", `<td><code class="username">`)
		w.text(u.Username)
		w.raw("</code>")
		w.with(u.ServiceAccountOf, `<div class="sub">service account of `, "</div>")
		w.rawIf(u.Brokered, `<div class="sub">imported at run time</div>`)
		w.raw("</td>\n", `<td><code class="small">`)
		w.text(u.ID)
		w.raw("</code></td>\n<td>")
		if u.Enabled {
			w.raw(`<span class="tag ok">yes</span>`)
		} else {
			w.raw(`<span class="tag bad">no</span>`)
		}
		w.wrap("</td>\n<td>", u.Email, "</td>\n<td>")
		roleListHTML(w, u.RealmRoles)
		w.raw("</td>\n<td>")
		roleListHTML(w, u.ClientRoles)
		w.raw("</td>\n<td>")
		for _, g := range u.Groups {
			w.wrap("<code>", g, "</code> ")
		}
		w.rawIf(len(u.Groups) == 0, noneDash)
		w.raw("</td>\n</tr>")
	}
	w.raw("</tbody></table></div>\n",
		`<p class="small">Grey roles are held through a group, the default role or a composite; the others are mapped directly.</p>`, "\n")
}

// noneDash marks an empty list in a table cell.
const noneDash = `<span class="none">–</span>`

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// roleHTML writes a role as a chip, grey when it is held indirectly.
func roleHTML(w *htmlWriter, r roleRef) {
	w.raw(`<span class="chip`)
	w.rawIf(r.Inherited, " inherited")
	w.raw(`"`)
	w.rawIf(r.Inherited, ` title="held through a group, the default role or a composite"`)
	w.raw(">")
	w.with(r.Client, `<span class="client">`, "</span> ")
	w.text(r.Name)
	w.raw("</span>")
}

// roleListHTML writes chips separated by spaces, or a dash for none.
func roleListHTML(w *htmlWriter, roles []roleRef) {
	for _, r := range roles {
		roleHTML(w, r)
		w.raw(" ")
	}
	w.rawIf(len(roles) == 0, noneDash)
}

func clientsHTML(w *htmlWriter, clients []clientView) {
	w.raw(`<div class="scroll"><table class="clients">`,
		"\n<thead><tr><th>Client ID</th><th>Type</th><th>Flows</th><th>Redirect URIs</th><th>Standard exchange</th><th>Default scopes</th><th>Optional scopes</th></tr></thead>\n<tbody>")
	for _, c := range clients {
		w.raw("<tr")
		w.rawIf(!c.Enabled, ` class="off"`)
		w.raw(">\n", `<td><code class="client-id">`)
		w.text(c.ClientID)
		w.raw("</code>")
		w.with(c.Name, `<div class="sub">`, "</div>")
		w.rawIf(!c.Enabled, ` <span class="tag bad">disabled</span>`)
		w.raw("</td>\n", `<td><span class="tag `)
		w.text(c.Type)
		w.wrap(`">`, c.Type, "</span></td>\n<td>")
		chips(w, c.Flows, `<span class="chip">`, "</span> ")
		w.raw("</td>\n<td>")
		chips(w, c.RedirectURIs, `<code class="uri">`, "</code> ")
		w.raw("</td>\n<td>")
		if c.StandardExchange {
			w.raw(`<span class="tag ok">on</span>`)
		} else {
			w.raw(`<span class="none">off</span>`)
		}
		w.raw("</td>\n", `<td class="small">`)
		w.text(strings.Join(c.DefaultScopes, ", "))
		w.raw("</td>\n", `<td class="small">`)
		w.text(strings.Join(c.OptionalScopes, ", "))
		w.raw("</td>\n</tr>")
	}
	w.raw("</tbody></table></div>")
}

// chips writes each value between open and close, or "none".
func chips(w *htmlWriter, values []string, open, close string) {
	for _, v := range values {
		w.raw(open)
		w.text(v)
		w.raw(close)
	}
	w.rawIf(len(values) == 0, `<span class="none">none</span>`)
}

func rolesHTML(w *htmlWriter, roles []roleView) {
	w.raw(`<table class="roles">`, "\n<thead><tr><th>Role</th><th>Description</th><th>Composites</th></tr></thead>\n<tbody>")
	for _, r := range roles {
		w.wrap("<tr><td><code>", r.Name, `</code></td><td class="small">`)
		w.text(r.Description)
		w.raw("</td>\n<td>")
		roleListHTML(w, r.Composites)
		w.raw("</td></tr>")
	}
	w.raw("</tbody>\n</table>")
}

func (v *debugView) journalHTML(w *htmlWriter) {
	w.raw("\n<section id=\"journal\">\n<h2>Journal <small>the ")
	w.int(int64(len(v.Journal)))
	w.raw(" most recent decisions, newest first</small></h2>\n")
	if len(v.Journal) == 0 {
		w.raw(`<p class="none">Nothing yet: the journal fills as Keycloak's endpoints answer.</p>`)
	} else {
		w.raw(`<div class="scroll"><table>`,
			"\n<thead><tr><th>#</th><th>Time (UTC)</th><th>Realm</th><th>Endpoint</th><th>Grant</th><th>Client</th><th>User</th><th>Outcome</th><th>Error</th><th>Rule</th><th>Explanation</th></tr></thead>\n<tbody>")
		for _, e := range v.Journal {
			if e.Refused {
				w.raw(`<tr class="refused">`)
			} else {
				w.raw(`<tr class="granted">`)
			}
			w.raw("\n<td>")
			w.int(e.Seq)
			w.wrap("</td><td><code>", e.When, "</code></td><td>")
			w.text(e.Realm)
			w.wrap("</td><td>", e.Endpoint, `</td><td class="small">`)
			w.text(e.Grant)
			w.wrap("</td>\n<td>", e.Client, "</td><td>")
			w.text(e.User)
			w.raw(`</td><td class="outcome">`)
			w.text(e.Outcome)
			w.raw(" ", strconv.Itoa(e.Status), "</td>\n<td>")
			w.with(e.Error, "<code>", "</code>")
			w.with(e.Description, `<div class="sub">`, "</div>")
			w.raw("</td>\n", `<td class="rule">`)
			w.text(e.Rule)
			w.wrap(`</td><td class="small">`, e.Explanation, "</td>\n</tr>")
		}
		w.raw("</tbody></table></div>")
	}
	w.raw("\n</section>\n")
}

func (v *debugView) decoderHTML(w *htmlWriter) {
	w.raw("\n<section id=\"decoder\">\n<h2>Token decoder</h2>\n",
		`<p class="meta">Paste an access, ID or refresh token: kcmock shows its header and claims and checks it with the realms' keys and the server clock. The token is decoded on the server; nothing is stored.</p>`,
		"\n", `<form method="post" action="/_kcmock/decode#decoder">`, "\n",
		`<textarea name="token" id="token" rows="5" spellcheck="false" autocomplete="off" placeholder="eyJhbGciOi...">`)
	w.text(v.Token)
	w.raw("</textarea>\n", `<button type="submit" id="decode">Decode and verify</button>`, "\n</form>\n")
	w.with(v.DecodeError, `<div class="result bad" id="decode-result"><strong>error</strong> `, "</div>")
	w.raw("\n")
	if d := v.Decoded; d != nil {
		class := "bad"
		switch {
		case d.Verified:
			class = "ok"
		case d.Signature:
			class = "warn"
		}
		w.raw(`<div class="result `, class, `" id="decode-result">`, "\n", `<strong id="decode-status">`)
		w.text(d.Status)
		w.wrap(`</strong> · <span id="decode-message">`, d.Message, "</span>\n")
		if d.Realm != "" || d.Kid != "" || d.Alg != "" {
			w.raw(`<dl class="facts">`, "\n")
			fact := func(name, value, open, close string) {
				if value != "" {
					w.raw("<dt>", name, "</dt><dd>", open)
					w.text(value)
					w.raw(close, "</dd>\n")
				}
			}
			fact("Realm", d.Realm, "", "")
			fact("kid", d.Kid, "<code>", "</code>")
			fact("alg", d.Alg, "", "")
			fact("Key", d.Key, "", "")
			w.raw("</dl>\n")
		}
		if len(d.Notes) > 0 {
			w.raw(`<ul id="decode-notes">`)
			for _, n := range d.Notes {
				w.wrap("<li>", n, "</li>")
			}
			w.raw("</ul>\n")
		}
		w.raw("</div>\n")
		if d.HeaderJSON != "" || d.ClaimsJSON != "" {
			w.raw(`<div class="cols">`, "\n", `<div><h3>Header</h3><pre id="decode-header">`)
			w.text(d.HeaderJSON)
			w.raw("</pre></div>\n<div><h3>Claims</h3>\n")
			if len(d.Times) > 0 {
				w.raw(`<table class="times"><tbody>`)
				for _, t := range d.Times {
					w.wrap("<tr><td><code>", t.Name, "</code></td><td>")
					w.text(t.At)
					w.wrap(`</td><td class="small">`, t.Relative, " (server clock)</td></tr>")
				}
				w.raw("</tbody></table>\n")
			}
			w.wrap(`<pre id="decode-claims">`, d.ClaimsJSON, "</pre></div>\n</div>\n")
		}
	}
	w.raw("</section>\n")
}
