package scenarios

import (
	"slices"
	"sync"
)

// roles reads roles.realm and roles.client, remembering role ids for policies that name roles
// by id.
func (ri *realmImporter) roles(o *jsonObj) {
	ro := o.obj("roles")
	if ro == nil {
		return
	}
	rd := &rolesDoc{}
	for _, r := range ro.objs("realm") {
		ri.mapPath(idx(at("roles", "realm"), len(rd.Realm)), r.path)
		role := ri.role(r)
		ri.roleByID[role.ID] = role.Name
		rd.Realm = append(rd.Realm, role)
	}
	if co := ro.obj("client"); co != nil {
		for _, clientID := range sortedKeys(co.m) {
			if ri.droppedClients[clientID] {
				co.skip(clientID)
				continue
			}
			tp := at(at("roles", "client"), clientID)
			ri.mapPath(tp, at(co.path, clientID))
			var list []roleDoc
			for _, r := range co.objs(clientID) {
				ri.mapPath(idx(tp, len(list)), r.path)
				role := ri.role(r)
				ri.roleByID[role.ID] = clientID + "/" + role.Name
				list = append(list, role)
			}
			if len(list) > 0 {
				if rd.Client == nil {
					rd.Client = map[string][]roleDoc{}
				}
				rd.Client[clientID] = list
			}
		}
	}
	ro.done(nil)
	if len(rd.Realm) > 0 || len(rd.Client) > 0 {
		ri.doc.Roles = rd
	}
}

func (ri *realmImporter) role(r *jsonObj) roleDoc {
	d := roleDoc{ID: r.str("id"), Name: r.str("name"), Description: r.str("description"), Attributes: r.lists("attributes")}
	if c := r.obj("composites"); c != nil {
		refs := &roleRefsDoc{Realm: c.list("realm"), Client: ri.clientRoleMap(c, "client")}
		c.done(nil)
		if len(refs.Realm) > 0 || len(refs.Client) > 0 {
			d.Composites = refs
		}
	}
	r.done(nil, "composite", "clientRole", "containerId", "scopeParamRequired")
	return d
}

// scopeMappings reads scopeMappings (realm roles) and clientScopeMappings (client roles).
// Keycloak's own mappings, which kcmock gives every realm, are not repeated.
func (ri *realmImporter) scopeMappings(o *jsonObj) {
	builtin := builtinContent()
	for _, m := range o.objs("scopeMappings") {
		sm := ri.scopeMapping(m)
		if ri.droppedClients[sm.Client] || ri.droppedScopes[sm.ClientScope] || containsMapping(builtin.ScopeMappings, sm) {
			continue
		}
		ri.mapPath(idx("scope_mappings", len(ri.doc.ScopeMappings)), m.path)
		ri.doc.ScopeMappings = append(ri.doc.ScopeMappings, sm)
	}
	cm := o.obj("clientScopeMappings")
	if cm == nil {
		return
	}
	for _, clientID := range sortedKeys(cm.m) {
		cm.skip(clientID)
		if ri.droppedClients[clientID] {
			continue
		}
		tp := at("client_scope_mappings", clientID)
		var list []scopeMappingDoc
		for _, m := range cm.objs(clientID) {
			sm := ri.scopeMapping(m)
			if ri.droppedClients[sm.Client] || ri.droppedScopes[sm.ClientScope] || containsMapping(builtin.ClientScopeMappings[clientID], sm) {
				continue
			}
			ri.mapPath(idx(tp, len(list)), m.path)
			list = append(list, sm)
		}
		if len(list) > 0 {
			if ri.doc.ClientScopeMappings == nil {
				ri.doc.ClientScopeMappings = map[string][]scopeMappingDoc{}
			}
			ri.mapPath(tp, at(cm.path, clientID))
			ri.doc.ClientScopeMappings[clientID] = list
		}
	}
}

func (ri *realmImporter) scopeMapping(m *jsonObj) scopeMappingDoc {
	sm := scopeMappingDoc{Client: m.str("client"), ClientScope: m.str("clientScope"), Roles: m.list("roles")}
	if t := m.str("clientTemplate"); sm.ClientScope == "" {
		sm.ClientScope = t // the name before Keycloak 4
	}
	m.done(nil, "self")
	return sm
}

// containsMapping reports whether list has the same mapping (roles in any order).
func containsMapping(list []scopeMappingDoc, m scopeMappingDoc) bool {
	for _, b := range list {
		if b.Client == m.Client && b.ClientScope == m.ClientScope && sameSet(b.Roles, m.Roles) {
			return true
		}
	}
	return false
}

// sameSet reports whether two lists hold the same strings, in any order and number.
func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// builtinContent is the built-in realm content with every optional part, for checks that need
// names only (which client scopes exist, which scope mappings Keycloak creates).
var builtinContent = sync.OnceValue(func() *realmDoc {
	doc, err := builtinDoc("x")
	if err != nil {
		panic("scenarios: " + err.Error())
	}
	return doc
})

func builtinScopeNames() map[string]bool {
	out := map[string]bool{}
	for _, s := range builtinContent().ClientScopes {
		out[s.Name] = true
	}
	return out
}
