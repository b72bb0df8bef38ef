package scenarios

import (
	"fmt"
	"strings"
)

// authorization reads fine-grained admin permissions (v1) from realm-management's
// authorization settings. Keycloak finds them by name (ClientPermissions, UserPermissions,
// IdentityProviderPermissions): a client's are enabled when the resource
// client.resource.<id> exists, and its token-exchange permission is the scope permission
// token-exchange.permission.client.<id>.
func (ri *realmImporter) authorization() {
	a := ri.authz
	if a == nil {
		return
	}
	for _, r := range a.objs("resources") {
		ri.enablePermissions(r.str("name"), r.path)
		r.done(nil, r.keys()...)
	}
	kept := map[string]bool{}
	policies := a.objs("policies")
	for _, p := range policies {
		switch typ, name := p.str("type"), p.str("name"); typ {
		case "scope", "resource":
		case "client", "role", "user":
			n := len(ri.doc.Policies)
			ri.mapPath(idx("policies", n), p.path)
			ri.doc.Policies = append(ri.doc.Policies, ri.policy(p, typ, idx("policies", n)))
			kept[name] = true
		default:
			ri.warn(p.path, "%s policy %q is not emulated; left out, and dropped from the permissions that apply it", typ, name)
			p.done(nil, p.keys()...)
		}
	}
	for _, p := range policies {
		if typ := p.str("type"); typ == "scope" || typ == "resource" {
			ri.permission(p, kept)
		}
	}
	a.done(nil, "allowRemoteResourceManagement", "policyEnforcementMode", "decisionStrategy", "scopes", "authorizationSchema")
	ri.fgap = len(ri.doc.Policies) > 0 || ri.doc.UserPermissions != nil
	for _, c := range ri.doc.Clients {
		ri.fgap = ri.fgap || c.Permissions != nil
	}
}

// permissionsOf finds the Permissions tab a resource or permission name belongs to: a client
// (by id), an identity provider (by internal id) or the Users.
func (ri *realmImporter) permissionsOf(kind, id string) (**permissionsDoc, string) {
	switch kind {
	case "client":
		if k, ok := ri.clientIndex[ri.clientByUUID[id]]; ok {
			return &ri.doc.Clients[k].Permissions, at(idx("clients", k), "permissions")
		}
	case "idp":
		if k, ok := ri.idpIndex[ri.idpByInternal[id]]; ok {
			return &ri.doc.IdentityProviders[k].Permissions, at(idx("identity_providers", k), "permissions")
		}
	case "users":
		return &ri.doc.UserPermissions, "user_permissions"
	}
	return nil, ""
}

func (ri *realmImporter) enablePermissions(resource, path string) {
	kind, id, ok := strings.Cut(resource, ".resource.")
	if resource == "Users" {
		kind, ok = "users", true
	}
	if !ok {
		return
	}
	if tab, tp := ri.permissionsOf(kind, id); tab != nil {
		t := true
		*tab = &permissionsDoc{Enabled: &t}
		ri.mapPath(tp, path)
	}
}

// permission attaches a scope permission to its Permissions tab. The permissions kcmock acts on
// are token-exchange (clients, identity providers) and the two impersonation ones (Users).
func (ri *realmImporter) permission(p *jsonObj, kept map[string]bool) {
	name := p.str("name")
	scope, target, _ := strings.Cut(name, ".permission.")
	kind, id, _ := strings.Cut(target, ".")
	key := map[string]string{"token-exchange": "token-exchange", "admin-impersonating": "impersonate", "user-impersonated": "user-impersonated"}[scope]
	cfg := p.obj("config")
	applied := ri.appliedPolicies(cfg)
	tab, tp := ri.permissionsOf(kind, id)
	switch {
	case key == "token-exchange" && tab == nil && (kind == "client" || kind == "idp"):
		ri.warn(p.path, "permission %q belongs to a %s that is not in the export; ignored", name, map[string]string{"client": "client", "idp": "identity provider"}[kind])
		p.done(nil, p.keys()...)
		return
	case tab == nil || key == "" || (kind == "users") == (key == "token-exchange"):
		if len(applied) > 0 {
			ri.warn(p.path, "permission %q is not emulated (kcmock acts on token-exchange and impersonation permissions only); ignored", name)
		}
		p.done(nil, p.keys()...)
		return
	case *tab == nil:
		// Keycloak ignores a permission whose resource is gone: permissions are off.
		f := false
		*tab = &permissionsDoc{Enabled: &f}
	}
	perm := &permissionDoc{DecisionStrategy: p.str("decisionStrategy")}
	pp := at(tp, key)
	ri.mapPath(pp, p.path)
	jp := at(at(p.path, "config"), "applyPolicies")
	ri.mapPath(at(pp, "policies"), jp)
	for i, pol := range applied {
		if !kept[pol] {
			ri.warn(jp, "policy %q is not emulated; %q is evaluated without it", pol, name)
			continue
		}
		ri.mapPath(idx(at(pp, "policies"), len(perm.Policies)), idx(jp, i))
		perm.Policies = append(perm.Policies, pol)
	}
	switch key {
	case "token-exchange":
		(*tab).TokenExchange = perm
	case "impersonate":
		(*tab).Impersonate = perm
	default:
		(*tab).UserImpersonated = perm
	}
	p.done(nil, "id", "description", "type", "logic")
}

// appliedPolicies reads config.applyPolicies, a JSON-encoded list of policy names.
func (ri *realmImporter) appliedPolicies(cfg *jsonObj) []string {
	if cfg == nil {
		return nil
	}
	cfg.skip("resources", "scopes", "defaultResourceType")
	var out []string
	for _, v := range ri.configList(cfg, "applyPolicies") {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	cfg.done(nil)
	return out
}

// configList decodes a config value holding a JSON-encoded list.
func (ri *realmImporter) configList(cfg *jsonObj, key string) []any {
	l, err := jsonStringList(cfg.str(key))
	if err != nil {
		ri.problem(at(cfg.path, key), "must hold a JSON-encoded array: %v", err)
	}
	return l
}

// policy reads a client, role or user policy. Exports name clients by clientId, client roles as
// "clientId/role" and users by username; imports also accept ids, as Keycloak's do.
func (ri *realmImporter) policy(p *jsonObj, typ, tp string) policyDoc {
	d := policyDoc{Name: p.str("name"), Description: p.str("description"), Type: typ, Logic: p.str("logic")}
	cfg := p.obj("config")
	if cfg == nil {
		p.done(nil, "id", "decisionStrategy")
		return d
	}
	key := typ + "s"
	jp := at(cfg.path, key)
	ri.mapPath(at(tp, key), jp)
	for i, v := range ri.configList(cfg, key) {
		ri.mapPath(idx(at(tp, key), i), idx(jp, i))
		switch typ {
		case "client":
			d.Clients = append(d.Clients, ri.clientRef(fmt.Sprint(v)))
		case "user":
			d.Users = append(d.Users, ri.userRef(fmt.Sprint(v)))
		case "role":
			m, _ := v.(map[string]any)
			role, _ := m["id"].(string)
			required, _ := m["required"].(bool)
			d.Roles = append(d.Roles, policyRoleDoc{Role: ri.roleRef(role), Required: required})
		}
	}
	cfg.done(map[string]any{"fetchRoles": "false"})
	p.done(nil, "id", "decisionStrategy")
	return d
}

func (ri *realmImporter) clientRef(v string) string {
	if c, ok := ri.clientByUUID[v]; ok {
		if _, byClientID := ri.clientIndex[v]; !byClientID {
			return c
		}
	}
	return v
}

func (ri *realmImporter) userRef(v string) string {
	if u, ok := ri.userByID[v]; ok && !ri.usernames[strings.ToLower(v)] {
		return u
	}
	return v
}

func (ri *realmImporter) roleRef(v string) string {
	if r, ok := ri.roleByID[v]; ok {
		return r
	}
	return v
}
