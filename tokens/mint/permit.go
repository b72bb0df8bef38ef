package mint

import "github.com/kcmock/kcmock/scenarios"

// Permitted is DefaultClientSessionContext's scope permission check: a client scope with role
// scope mappings applies only if the user holds at least one of its (expanded) roles; a scope
// without role mappings always applies.
//
// With audience (standard token exchange), client roles of clients outside the requested
// audience are first taken out of each scope's role set, so a scope that is only reachable
// through another client's roles is dropped; realm roles stay.
func (s Scopes) Permitted(u *scenarios.User, audience []string) Scopes {
	var inAudience map[string]bool
	if len(audience) > 0 {
		inAudience = make(map[string]bool, len(audience))
		for _, a := range audience {
			inAudience[a] = true
		}
	}
	out := Scopes{OpenID: s.OpenID, Granted: make([]*scenarios.ClientScope, 0, len(s.Granted))}
	for _, sc := range s.Granted {
		if permitted(u, sc, inAudience) {
			out.Granted = append(out.Granted, sc)
		}
	}
	return out
}

func permitted(u *scenarios.User, sc *scenarios.ClientScope, inAudience map[string]bool) bool {
	if len(sc.ScopeMappings) == 0 {
		return true
	}
	for _, r := range sc.ScopeMappings {
		for _, e := range r.Expanded() {
			if inAudience != nil && e.Client != nil && !inAudience[e.Client.ClientID] {
				continue
			}
			if u.HasRole(e) {
				return true
			}
		}
	}
	return false
}
