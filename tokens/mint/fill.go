package mint

import (
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
)

// fill runs the mappers of a request for one target.
func fill(req *Request, t Target, c *tokens.Claims) {
	roles := ScopedRoles(req.User, req.Client, req.Scopes.Granted)
	realmRoles, clientRoles, clientOrder := splitRoles(roles)
	s := newSink(c)
	for _, m := range mappers(req.Client, req.Scopes) {
		if !applies(m, t) {
			continue
		}
		switch m.Type {
		case "oidc-sub-mapper":
			c.Sub = req.User.ID
		case "oidc-acr-mapper":
			c.Acr = req.Session.Acr
			if c.Acr == "" {
				c.Acr = "1"
			}
		case "oidc-allowed-origins-mapper":
			if o := WebOrigins(req.Client); len(o) > 0 {
				c.AllowedOrigins = o
			}
		case "oidc-audience-resolve-mapper":
			for _, i := range tokens.JavaHashOrder(clientOrder) {
				if id := clientOrder[i]; id != req.Client.ClientID {
					s.addAud(id)
				}
			}
		case "oidc-audience-mapper":
			if a := m.Config["included.client.audience"]; a != "" {
				s.addAud(a)
			} else if a := m.Config["included.custom.audience"]; a != "" {
				s.addAud(a)
			}
		case "oidc-usermodel-realm-role-mapper":
			names := prefixed(realmRoles, m.Config["usermodel.realmRoleMapping.rolePrefix"])
			roleClaim(s, m, m.Config["claim.name"], names)
		case "oidc-usermodel-client-role-mapper":
			only := m.Config["usermodel.clientRoleMapping.clientId"]
			prefix := m.Config["usermodel.clientRoleMapping.rolePrefix"]
			for _, id := range clientOrder {
				if only != "" && id != only {
					continue
				}
				claim := strings.ReplaceAll(m.Config["claim.name"], "${client_id}", id)
				roleClaim(s, m, claim, prefixed(clientRoles[id], prefix))
			}
		case "oidc-usermodel-attribute-mapper", "oidc-usermodel-property-mapper":
			vals := userValues(req.User, m.Config["user.attribute"])
			if m.Type == "oidc-usermodel-attribute-mapper" && m.ConfigBool("aggregate.attrs", false) {
				vals = dedupe(vals)
			}
			s.put(m.Config["claim.name"], convertAll(vals, m))
		case "oidc-hardcoded-claim-mapper":
			if v, ok := convert(m.Config["claim.value"], m.Config["jsonType.label"]); ok {
				s.put(m.Config["claim.name"], v)
			}
		case "oidc-full-name-mapper":
			if n := strings.TrimSpace(req.User.FirstName + " " + req.User.LastName); n != "" {
				s.put("name", n)
			}
		case "oidc-usersessionmodel-note-mapper":
			v, ok := req.Session.Notes[m.Config["user.session.note"]]
			if m.Config["user.session.note"] == "AUTH_TIME" && req.Session.AuthTime > 0 {
				v, ok = strconv.FormatInt(req.Session.AuthTime, 10), true
			}
			if !ok {
				continue
			}
			if m.Config["claim.name"] == "auth_time" {
				c.AuthTime, _ = strconv.ParseInt(v, 10, 64)
				continue
			}
			if cv, ok := convert(v, m.Config["jsonType.label"]); ok {
				s.put(m.Config["claim.name"], cv)
			}
		case "oidc-group-membership-mapper":
			groupClaim(s, m, req.User)
		case "oidc-address-mapper":
			s.put("address", address(req.User, m))
		case "oidc-organization-membership-mapper":
			// kcmock has no organizations; Keycloak omits the claim for non-members.
		}
	}
	if len(s.aud) > 0 && t != TargetID {
		c.Aud = s.aud
	} else if t == TargetID {
		for _, a := range s.aud {
			if a != c.Aud[0] {
				c.Aud = append(c.Aud, a)
			}
		}
	}
	s.finish()
}

// roleClaim writes roles either to the typed realm_access/resource_access members (which
// Keycloak serializes before the other claims) or to an ordinary claim.
func roleClaim(s *sink, m *scenarios.ProtocolMapper, claim string, names []string) {
	if len(names) == 0 {
		return
	}
	if claim == "realm_access.roles" {
		s.c.RealmAccess = &tokens.Access{Roles: names}
		return
	}
	if strings.HasPrefix(claim, "resource_access.") && strings.HasSuffix(claim, ".roles") {
		id := strings.TrimSuffix(strings.TrimPrefix(claim, "resource_access."), ".roles")
		for i := range s.c.ResourceAccess {
			if s.c.ResourceAccess[i].Client == id {
				s.c.ResourceAccess[i].Access.Roles = append(s.c.ResourceAccess[i].Access.Roles, names...)
				return
			}
		}
		s.c.ResourceAccess = append(s.c.ResourceAccess, tokens.ClientAccess{Client: id, Access: tokens.Access{Roles: names}})
		return
	}
	s.put(claim, convertAll(names, m))
}

func prefixed(names []string, prefix string) []string {
	if prefix == "" {
		return names
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

func dedupe(vals []string) []string {
	seen := map[string]bool{}
	out := vals[:0:0]
	for _, v := range vals {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func groupClaim(s *sink, m *scenarios.ProtocolMapper, u *scenarios.User) {
	full := m.ConfigBool("full.path", true)
	var names []string
	for _, g := range u.Groups {
		if full {
			names = append(names, g.Path)
		} else {
			names = append(names, g.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	if m.ConfigBool("multivalued", true) {
		s.put(m.Config["claim.name"], names)
		return
	}
	s.put(m.Config["claim.name"], names[0])
}

func address(u *scenarios.User, m *scenarios.ProtocolMapper) map[string]any {
	out := map[string]any{}
	for _, f := range []string{"formatted", "street_address", "locality", "region", "postal_code", "country"} {
		key := "user.attribute." + f
		if f == "street_address" {
			key = "user.attribute.street"
		}
		attr := m.Config[key]
		if attr == "" {
			continue
		}
		if v := u.Attributes[attr]; len(v) > 0 {
			out[f] = v[0]
		}
	}
	return out
}

// WebOrigins resolves a client's web origins as Keycloak does: "+" stands for the origins of
// the valid redirect URIs, anything else is kept.
func WebOrigins(c *scenarios.Client) []string {
	var out []string
	seen := map[string]bool{}
	add := func(o string) {
		if o != "" && !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	for _, o := range c.WebOrigins {
		if o != "+" {
			add(o)
			continue
		}
		for _, r := range c.RedirectURIs {
			add(originOf(r, c.RootURL))
		}
	}
	return out
}

func originOf(uri, root string) string {
	if strings.HasPrefix(uri, "/") {
		uri = root + uri
	}
	scheme, rest, ok := strings.Cut(uri, "://")
	if !ok || (scheme != "http" && scheme != "https") {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(host, "*") {
		return ""
	}
	return scheme + "://" + host
}
