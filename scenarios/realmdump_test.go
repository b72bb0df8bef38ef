package scenarios

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// dumpRealm writes what a realm model holds as sorted lines. minimal leaves out what the minimal
// conversion does not keep: internal ids of built-in clients, roles, scopes, groups and
// mappers, the front-channel logout flag of built-in clients, and attributes that say the
// default.
func dumpRealm(r *Realm, minimal bool) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	id := func(s string) string {
		if minimal {
			return ""
		}
		return s
	}
	add("realm %s %s %q enabled=%v %v %v %v %v %v %v %v %v %v %v %v %v %v %v %s %d %v %v", r.ID, r.Name, r.DisplayName, r.Enabled,
		r.AccessTokenLifespan, r.AccessTokenLifespanForImplicitFlow, r.SSOSessionIdleTimeout, r.SSOSessionMaxLifespan,
		r.OfflineSessionIdleTimeout, r.OfflineSessionMaxLifespanEnabled, r.OfflineSessionMaxLifespan, r.ClientSessionIdleTimeout,
		r.ClientSessionMaxLifespan, r.AccessCodeLifespan, r.AccessCodeLifespanUserAction, r.AccessCodeLifespanLogin,
		r.RevokeRefreshToken, r.RefreshTokenMaxReuse, r.DefaultSignatureAlgorithm, r.NotBefore, r.LoginWithEmailAllowed, r.DuplicateEmailsAllowed)
	attrs := maps.Clone(r.Attributes)
	if minimal {
		maps.DeleteFunc(attrs, func(k, v string) bool { return defaultRealmAttributes[k] == v })
	}
	add("realm attributes %v", attrs)
	add("default role %s", sorted(roleKeys(r.DefaultRole.Composites)))
	add("default scopes %s optional %s", sorted(scopeNameList(r.DefaultDefaultScopes)), sorted(scopeNameList(r.DefaultOptionalScopes)))
	builtin := builtinContent()
	for _, c := range r.Clients {
		isBuiltin := slices.ContainsFunc(builtin.Clients, func(b clientDoc) bool { return b.ClientID == c.ClientID })
		cid, fc := c.ID, fmt.Sprint(c.FrontchannelLogout)
		if minimal && isBuiltin {
			cid, fc = "", ""
		}
		add("client %s %s %q %q enabled=%v public=%v bearer=%v %s secret=%q consent=%v flows=%v/%v/%v/%v fc=%s full=%v %s %s %s %s %s attrs=%v",
			c.ClientID, cid, c.Name, c.Description, c.Enabled, c.PublicClient, c.BearerOnly, c.ClientAuthenticatorType, c.Secret,
			c.ConsentRequired, c.StandardFlowEnabled, c.ImplicitFlowEnabled, c.DirectAccessGrantsEnabled, c.ServiceAccountsEnabled,
			fc, c.FullScopeAllowed, c.RootURL, c.BaseURL, c.AdminURL, sorted(c.RedirectURIs), sorted(c.WebOrigins), clientAttributes(c.Attributes))
		add("client %s scopes %s optional %s scope mappings %s", c.ClientID, sorted(scopeNameList(c.DefaultScopes)), sorted(scopeNameList(c.OptionalScopes)), sorted(roleKeys(c.ScopeMappings)))
		for _, m := range c.ProtocolMappers {
			add("client %s mapper %s %s %s %v", c.ClientID, id(m.ID), m.Name, m.Type, m.Config)
		}
		for _, role := range c.Roles {
			add("client %s role %s %s %q composites %s %v", c.ClientID, id(role.ID), role.Name, role.Description, sorted(roleKeys(role.Composites)), role.Attributes)
		}
		add("client %s permissions %s", c.ClientID, dumpPermissions(c.Permissions))
	}
	for _, s := range r.ClientScopes {
		add("scope %s %s %q %s %v %v mappings %s", s.Name, id(s.ID), s.Description, s.Protocol, s.Attributes, s.IncludeInTokenScope, sorted(roleKeys(s.ScopeMappings)))
		for _, m := range s.ProtocolMappers {
			add("scope %s mapper %s %s %s %v", s.Name, id(m.ID), m.Name, m.Type, m.Config)
		}
	}
	for _, role := range r.RealmRoles() {
		add("realm role %s %s %q composites %s %v", id(role.ID), role.Name, role.Description, sorted(roleKeys(role.Composites)), role.Attributes)
	}
	var groups func([]*Group)
	groups = func(gs []*Group) {
		for _, g := range gs {
			add("group %s %s roles %s %v", id(g.ID), g.Path, sorted(roleKeys(g.Roles)), g.Attributes)
			groups(g.SubGroups)
		}
	}
	groups(r.Groups)
	for _, u := range r.Users {
		hash := "none"
		if h := u.PasswordHash; h != nil {
			hash = fmt.Sprintf("%s/%d/%x/%x/%v/%d/%d", h.Algorithm, h.Iterations, h.Salt, h.Hash, h.Argon2ID, h.Memory, h.Parallelism)
		}
		sa := ""
		if u.ServiceAccountClient != nil {
			sa = u.ServiceAccountClient.ClientID
		}
		var gs []string
		for _, g := range u.Groups {
			gs = append(gs, g.Path)
		}
		var eff []*Role
		for role := range u.EffectiveRoles() {
			eff = append(eff, role)
		}
		add("user %s %s enabled=%v %s %v %s %s pw=%q %s temp=%v actions=%v attrs=%v groups=%s roles=%s effective=%s sa=%s consents=%v fed=%v created=%d",
			u.ID, u.Username, u.Enabled, u.Email, u.EmailVerified, u.FirstName, u.LastName, u.Password, hash, u.PasswordTemporary,
			u.RequiredActions, u.Attributes, sorted(gs), sorted(roleKeys(u.RoleMappings)), sorted(roleKeys(eff)), sa, u.Consents,
			u.FederatedIdentities, u.CreatedTimestamp)
	}
	for _, name := range sortedMapKeys(r.Policies) {
		p := r.Policies[name]
		var roles []string
		for _, pr := range p.Roles {
			roles = append(roles, fmt.Sprintf("%s:%v", roleKeys([]*Role{pr.Role})[0], pr.Required))
		}
		var users []string
		for _, u := range p.Users {
			users = append(users, u.Username)
		}
		add("policy %s %s negative=%v clients=%s roles=%v users=%v", p.Name, p.Type, p.Negative, clientIDs(p.Clients), roles, users)
	}
	add("user permissions %s", dumpPermissions(r.UserPermissions))
	for _, idp := range r.IdentityProviders {
		add("idp %s %q %s %v %v %s", idp.Alias, idp.DisplayName, idp.ProviderID, idp.Enabled, idp.Config, dumpPermissions(idp.Permissions))
	}
	add("keys active %s %s hmac %s", r.Keys.Active.KID, r.Keys.Active.Alg, r.Keys.HMAC.KID)
	for _, k := range r.Keys.Others {
		add("key %s %s", k.KID, k.Alg)
	}
	return out
}

func dumpPermissions(p *Permissions) string {
	if p == nil {
		return "off"
	}
	f := func(perm Permission) string { return policyNames(perm.Policies) + "/" + perm.DecisionStrategy }
	return f(p.TokenExchange) + " " + f(p.Impersonate) + " " + f(p.UserImpersonated)
}

func sorted(l []string) string {
	l = slices.Clone(l)
	slices.Sort(l)
	return "[" + strings.Join(slices.Compact(l), " ") + "]"
}

func diffLines(a, b []string) []string {
	var out []string
	for _, l := range a {
		if !slices.Contains(b, l) {
			out = append(out, "only in the import: "+l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			out = append(out, "only in the converted scenario: "+l)
		}
	}
	return out
}
