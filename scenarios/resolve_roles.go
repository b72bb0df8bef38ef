package scenarios

import "sort"

// createRoles makes every realm and client role, then links composites once all exist.
func (res *resolver) createRoles(builtin, doc *realmDoc) {
	r := res.realm
	type pending struct {
		role *Role
		refs *roleRefsDoc
		path string
	}
	var links []pending
	fromBuiltin := map[*Role]bool{}
	add := func(rd *roleDoc, client *Client, path string) {
		if rd.Name == "" {
			res.p.add(at(path, "name"), "a role needs a name")
			return
		}
		owner := r.realmRoles
		if client != nil {
			owner = client.roles
		}
		if old, ok := owner[rd.Name]; ok && !fromBuiltin[old] {
			res.p.add(at(path, "name"), "duplicate role %q", rd.Name)
			return
		}
		role := &Role{ID: rd.ID, Name: rd.Name, Description: rd.Description, Client: client, Attributes: rd.Attributes}
		if role.ID == "" {
			owner := ""
			if client != nil {
				owner = client.ClientID
			}
			role.ID = stableID(r.Name, "role", owner, rd.Name)
		}
		owner[rd.Name] = role
		fromBuiltin[role] = path == ""
		if rd.Composites != nil {
			links = append(links, pending{role, rd.Composites, at(path, "composites")})
		}
	}
	addAll := func(d *realmDoc, builtinDoc bool) {
		if d.Roles == nil {
			return
		}
		base := ""
		if !builtinDoc {
			base = at(res.path, "roles")
		}
		for i := range d.Roles.Realm {
			add(&d.Roles.Realm[i], nil, pathIf(base, func() string { return idx(at(base, "realm"), i) }))
		}
		for _, clientID := range sortedMapKeys(d.Roles.Client) {
			list := d.Roles.Client[clientID]
			cpath := pathIf(base, func() string { return at(at(base, "client"), clientID) })
			c := r.clientsByID[clientID]
			if c == nil {
				res.p.add(cpath, "roles for client %q, which is not defined in realm %q", clientID, r.Name)
				continue
			}
			for i := range list {
				add(&list[i], c, pathIf(cpath, func() string { return idx(cpath, i) }))
			}
		}
	}
	addAll(builtin, true)
	addAll(doc, false)
	for _, l := range links {
		l.role.Composites = res.roleRefs(l.refs, l.path)
	}
	r.DefaultRole = r.realmRoles["default-roles-"+lowerASCII(r.Name)]
	if len(res.doc.DefaultRoles) > 0 && r.DefaultRole != nil {
		r.DefaultRole.Composites = append(r.DefaultRole.Composites, res.realmRoleRefs(res.doc.DefaultRoles, at(res.path, "default_roles"))...)
	}
	// Role order inside a client and expansion of composites, once everything is linked.
	for _, c := range r.Clients {
		c.Roles = sortedRoles(c.roles)
	}
	for _, role := range r.realmRoles {
		role.expanded = expand(role)
	}
	for _, c := range r.Clients {
		for _, role := range c.Roles {
			role.expanded = expand(role)
		}
	}
}

// roleRefs resolves role names to roles, reporting each unknown one at its path.
func (res *resolver) roleRefs(refs *roleRefsDoc, path string) []*Role {
	if refs == nil {
		return nil
	}
	out := res.realmRoleRefs(refs.Realm, at(path, "realm"))
	for _, clientID := range sortedMapKeys(refs.Client) {
		out = append(out, res.clientRoleRefs(clientID, refs.Client[clientID], at(at(path, "client"), clientID))...)
	}
	return out
}

// realmRoleRefs resolves a list of realm role names found at path.
func (res *resolver) realmRoleRefs(names []string, path string) []*Role {
	var out []*Role
	for i, name := range names {
		role := res.realm.realmRoles[name]
		if role == nil {
			res.p.add(idx(path, i), "no realm role %q in realm %q", name, res.realm.Name)
			continue
		}
		out = append(out, role)
	}
	return out
}

func (res *resolver) clientRoleRefs(clientID string, names []string, path string) []*Role {
	c := res.realm.clientsByID[clientID]
	if c == nil {
		res.p.add(path, "no client %q in realm %q", clientID, res.realm.Name)
		return nil
	}
	var out []*Role
	for i, name := range names {
		role := c.roles[name]
		if role == nil {
			res.p.add(idx(path, i), "no role %q in client %q", name, clientID)
			continue
		}
		out = append(out, role)
	}
	return out
}

// expand returns the role and all roles reachable through composites; cycles are tolerated
// as Keycloak tolerates them.
func expand(root *Role) []*Role {
	seen := map[*Role]bool{root: true}
	out := []*Role{root}
	for i := 0; i < len(out); i++ {
		for _, c := range out[i].Composites {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

func sortedRoles(m map[string]*Role) []*Role {
	out := make([]*Role, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RealmRoles returns the realm roles sorted by name.
func (r *Realm) RealmRoles() []*Role { return sortedRoles(r.realmRoles) }

func sortedMapKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pathIf builds a path only for scenario content; built-in content has none.
func pathIf(base string, f func() string) string {
	if base == "" {
		return ""
	}
	return f()
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
