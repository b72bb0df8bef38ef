package scenarios

import (
	"strings"
)

// createClients makes the clients (built-in first) so that roles can be attached to them.
func (res *resolver) createClients(clients []located[clientDoc]) {
	r := res.realm
	for _, l := range clients {
		d, path := l.doc, l.path
		if d.ClientID == "" {
			res.p.add(at(path, "client_id"), "a client needs a client_id")
			continue
		}
		if _, dup := r.clientsByID[d.ClientID]; dup {
			res.p.add(at(path, "client_id"), "duplicate client %q", d.ClientID)
			continue
		}
		c := &Client{
			ID:                        d.ID,
			ClientID:                  d.ClientID,
			Name:                      d.Name,
			Description:               d.Description,
			Enabled:                   boolOr(d.Enabled, true),
			PublicClient:              boolOr(d.PublicClient, false),
			BearerOnly:                boolOr(d.BearerOnly, false),
			ClientAuthenticatorType:   d.ClientAuthenticatorType,
			ConsentRequired:           boolOr(d.ConsentRequired, false),
			StandardFlowEnabled:       boolOr(d.StandardFlowEnabled, true),
			ImplicitFlowEnabled:       boolOr(d.ImplicitFlowEnabled, false),
			DirectAccessGrantsEnabled: boolOr(d.DirectAccessGrantsEnabled, false),
			ServiceAccountsEnabled:    boolOr(d.ServiceAccountsEnabled, false),
			FrontchannelLogout:        boolOr(d.FrontchannelLogout, true),
			FullScopeAllowed:          boolOr(d.FullScopeAllowed, true),
			RootURL:                   d.RootURL,
			BaseURL:                   d.BaseURL,
			AdminURL:                  d.AdminURL,
			RedirectURIs:              d.RedirectURIs,
			WebOrigins:                d.WebOrigins,
			Attributes:                d.Attributes,
			roles:                     map[string]*Role{},
		}
		if c.ID == "" {
			c.ID = stableID(r.Name, "client", c.ClientID)
		}
		if d.Secret != nil {
			c.Secret = *d.Secret
		}
		if c.Attributes == nil {
			c.Attributes = map[string]string{}
		}
		switch d.Protocol {
		case "", "openid-connect":
		default:
			res.p.add(at(path, "protocol"), "kcmock emulates openid-connect clients only, not %q", d.Protocol)
		}
		switch c.ClientAuthenticatorType {
		case "":
			c.ClientAuthenticatorType = "client-secret"
		case "client-secret":
		default:
			res.p.add(at(path, "client_authenticator_type"), "%q is not emulated; kcmock supports \"client-secret\" (client_secret_basic and client_secret_post)", c.ClientAuthenticatorType)
		}
		if c.PublicClient && c.BearerOnly {
			res.p.add(at(path, "bearer_only"), "a client cannot be both public and bearer-only")
		}
		if c.PublicClient && c.ServiceAccountsEnabled {
			res.p.add(at(path, "service_accounts_enabled"), "Keycloak does not allow service accounts on a public client")
		}
		if c.PublicClient && d.Secret != nil {
			res.p.add(at(path, "secret"), "a public client has no secret")
		}
		if _, dup := r.clientsByUUID[c.ID]; dup {
			res.p.add(at(path, "id"), "duplicate client id %q", c.ID)
		}
		r.clientsByID[c.ClientID] = c
		r.clientsByUUID[c.ID] = c
		r.Clients = append(r.Clients, c)
	}
}

// createScopes makes the client scopes with their mappers.
func (res *resolver) createScopes(scopes []located[clientScopeDoc]) {
	r := res.realm
	for _, l := range scopes {
		d, path := l.doc, l.path
		if d.Name == "" {
			res.p.add(at(path, "name"), "a client scope needs a name")
			continue
		}
		if _, dup := r.scopesByName[d.Name]; dup {
			res.p.add(at(path, "name"), "duplicate client scope %q", d.Name)
			continue
		}
		if strings.ContainsAny(d.Name, " \t") {
			res.p.add(at(path, "name"), "a client scope name cannot contain spaces: %q", d.Name)
		}
		switch d.Protocol {
		case "", "openid-connect":
		default:
			res.p.add(at(path, "protocol"), "kcmock emulates openid-connect client scopes only, not %q", d.Protocol)
		}
		s := &ClientScope{ID: d.ID, Name: d.Name, Description: d.Description, Protocol: "openid-connect", Attributes: d.Attributes}
		if s.ID == "" {
			s.ID = stableID(r.Name, "client-scope", d.Name)
		}
		if s.Attributes == nil {
			s.Attributes = map[string]string{}
		}
		// Keycloak treats a missing include.in.token.scope as true.
		s.IncludeInTokenScope = !strings.EqualFold(s.Attributes["include.in.token.scope"], "false")
		s.ProtocolMappers = res.mappers(d.ProtocolMappers, at(path, "protocol_mappers"), "client-scope", d.Name)
		if d.ScopeMappings != nil {
			s.ScopeMappings = res.roleRefs(d.ScopeMappings, at(path, "scope_mappings"))
		}
		r.scopesByName[s.Name] = s
		r.ClientScopes = append(r.ClientScopes, s)
	}
}

// completeClients attaches client scopes, mappers and scope mappings once scopes exist.
func (res *resolver) completeClients(clients []located[clientDoc]) {
	r := res.realm
	for _, l := range clients {
		d, path := l.doc, l.path
		c := r.clientsByID[d.ClientID]
		if c == nil || c.ClientID != d.ClientID {
			continue
		}
		if d.DefaultClientScopes != nil {
			c.DefaultScopes = res.scopeRefs(*d.DefaultClientScopes, at(path, "default_client_scopes"))
		} else {
			c.DefaultScopes = append([]*ClientScope(nil), r.DefaultDefaultScopes...)
			// Keycloak (26.1+) attaches service_account as a default scope when service
			// accounts are enabled on a client.
			if sa := r.scopesByName["service_account"]; sa != nil && c.ServiceAccountsEnabled {
				c.DefaultScopes = append(c.DefaultScopes, sa)
			}
		}
		if d.OptionalClientScopes != nil {
			c.OptionalScopes = res.scopeRefs(*d.OptionalClientScopes, at(path, "optional_client_scopes"))
		} else {
			c.OptionalScopes = append([]*ClientScope(nil), r.DefaultOptionalScopes...)
		}
		for _, s := range c.DefaultScopes {
			for _, o := range c.OptionalScopes {
				if s == o {
					res.p.add(at(path, "optional_client_scopes"), "client scope %q is both default and optional", s.Name)
				}
			}
		}
		c.ProtocolMappers = res.mappers(d.ProtocolMappers, at(path, "protocol_mappers"), "client", c.ClientID)
		if d.ScopeMappings != nil {
			c.ScopeMappings = append(c.ScopeMappings, res.roleRefs(d.ScopeMappings, at(path, "scope_mappings"))...)
		}
	}
}

func (res *resolver) scopeRefs(names []string, path string) []*ClientScope {
	out := make([]*ClientScope, 0, len(names))
	seen := map[string]bool{}
	for i, n := range names {
		s := res.realm.scopesByName[n]
		switch {
		case s == nil:
			res.p.add(idx(path, i), "no client scope %q in realm %q", n, res.realm.Name)
		case seen[n]:
			res.p.add(idx(path, i), "client scope %q listed twice", n)
		default:
			seen[n] = true
			out = append(out, s)
		}
	}
	return out
}

// scopeMappings applies Keycloak's export form: realm roles in `scope_mappings`, client roles in
// `client_scope_mappings.<clientId>`, each naming a client or a client scope.
func (res *resolver) scopeMappings(realmLevel []scopeMappingDoc, clientLevel map[string][]scopeMappingDoc, base string) {
	attach := func(m *scopeMappingDoc, path string, roles []*Role) {
		switch {
		case m.Client != "" && m.ClientScope != "":
			res.p.add(path, "a scope mapping names either client or client_scope, not both")
		case m.Client != "":
			c := res.realm.clientsByID[m.Client]
			if c == nil {
				res.p.add(at(path, "client"), "no client %q in realm %q", m.Client, res.realm.Name)
				return
			}
			c.ScopeMappings = append(c.ScopeMappings, roles...)
		case m.ClientScope != "":
			s := res.realm.scopesByName[m.ClientScope]
			if s == nil {
				res.p.add(at(path, "client_scope"), "no client scope %q in realm %q", m.ClientScope, res.realm.Name)
				return
			}
			s.ScopeMappings = append(s.ScopeMappings, roles...)
		default:
			res.p.add(path, "a scope mapping needs a client or a client_scope")
		}
	}
	for i := range realmLevel {
		path := pathIf(base, func() string { return idx(at(base, "scope_mappings"), i) })
		roles := res.realmRoleRefs(realmLevel[i].Roles, at(path, "roles"))
		attach(&realmLevel[i], path, roles)
	}
	for _, clientID := range sortedMapKeys(clientLevel) {
		list := clientLevel[clientID]
		cpath := pathIf(base, func() string { return at(at(base, "client_scope_mappings"), clientID) })
		for i := range list {
			path := pathIf(cpath, func() string { return idx(cpath, i) })
			roles := res.clientRoleRefs(clientID, list[i].Roles, at(path, "roles"))
			attach(&list[i], path, roles)
		}
	}
}
