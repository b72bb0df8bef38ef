package mint

import (
	"sort"

	"github.com/kcmock/kcmock/scenarios"
)

// ScopedRoles is TokenManager.getAccess: the user's deep role mappings, and unless the client
// has full scope allowed, only those also reachable from the client's own roles, its scope
// mappings and the scope mappings of the granted client scopes (composites expanded).
func ScopedRoles(u *scenarios.User, c *scenarios.Client, granted []*scenarios.ClientScope) map[*scenarios.Role]bool {
	all := u.EffectiveRoles()
	if c.FullScopeAllowed {
		return all
	}
	allowed := map[*scenarios.Role]bool{}
	add := func(roles []*scenarios.Role) {
		for _, r := range roles {
			for _, e := range r.Expanded() {
				allowed[e] = true
			}
		}
	}
	add(c.Roles)
	add(c.ScopeMappings)
	for _, s := range granted {
		add(s.ScopeMappings)
	}
	out := make(map[*scenarios.Role]bool, len(all))
	for r := range all {
		if allowed[r] {
			out[r] = true
		}
	}
	return out
}

// splitRoles sorts scoped roles into realm role names and client role names per clientId, each
// sorted by name so that the HashSet order built from them is stable.
func splitRoles(roles map[*scenarios.Role]bool) (realm []string, clients map[string][]string, clientOrder []string) {
	clients = map[string][]string{}
	for r := range roles {
		if r.Client == nil {
			realm = append(realm, r.Name)
			continue
		}
		id := r.Client.ClientID
		if _, ok := clients[id]; !ok {
			clientOrder = append(clientOrder, id)
		}
		clients[id] = append(clients[id], r.Name)
	}
	sort.Strings(realm)
	sort.Strings(clientOrder)
	for _, names := range clients {
		sort.Strings(names)
	}
	return realm, clients, clientOrder
}
