package scenarios

import (
	"strings"
)

func (res *resolver) createGroups(docs []groupDoc, parent *Group, path string) {
	r := res.realm
	for i := range docs {
		d, p := &docs[i], idx(path, i)
		if d.Name == "" {
			res.p.add(at(p, "name"), "a group needs a name")
			continue
		}
		g := &Group{ID: d.ID, Name: d.Name, Parent: parent, Attributes: d.Attributes}
		g.Path = "/" + d.Name
		if parent != nil {
			g.Path = parent.Path + "/" + d.Name
		}
		if d.Path != "" && d.Path != g.Path {
			res.p.add(at(p, "path"), "path %q does not match the group's place %q", d.Path, g.Path)
		}
		if _, dup := r.groupsByPath[g.Path]; dup {
			res.p.add(at(p, "name"), "duplicate group %q", g.Path)
			continue
		}
		if g.ID == "" {
			g.ID = stableID(r.Name, "group", g.Path)
		}
		g.Roles = res.realmRoleRefs(d.RealmRoles, at(p, "realm_roles"))
		for _, clientID := range sortedMapKeys(d.ClientRoles) {
			g.Roles = append(g.Roles, res.clientRoleRefs(clientID, d.ClientRoles[clientID], at(at(p, "client_roles"), clientID))...)
		}
		r.groupsByPath[g.Path] = g
		if parent == nil {
			r.Groups = append(r.Groups, g)
		} else {
			parent.SubGroups = append(parent.SubGroups, g)
		}
		res.createGroups(d.SubGroups, g, at(p, "sub_groups"))
	}
}

// knownRequiredActions are Keycloak's built-in required actions.
var knownRequiredActions = map[string]bool{
	"CONFIGURE_TOTP": true, "TERMS_AND_CONDITIONS": true, "UPDATE_PASSWORD": true, "UPDATE_PROFILE": true,
	"VERIFY_EMAIL": true, "delete_account": true, "webauthn-register": true, "webauthn-register-passwordless": true,
	"VERIFY_PROFILE": true, "delete_credential": true, "update_user_locale": true, "CONFIGURE_RECOVERY_AUTHN_CODES": true,
	"UPDATE_EMAIL": true,
}

// createUsers makes the declared users and a service-account user for every client with
// service accounts enabled (declared ones take their place, as in a Keycloak export).
func (res *resolver) createUsers(clients []located[clientDoc]) {
	r := res.realm
	for i := range res.doc.Users {
		res.createUser(&res.doc.Users[i], idx(at(res.path, "users"), i))
	}
	for _, c := range r.Clients {
		if !c.ServiceAccountsEnabled || r.serviceAccounts[c] != nil {
			continue
		}
		res.createUser(&userDoc{ServiceAccountClientID: c.ClientID}, "")
	}
	for _, u := range r.Users {
		u.effective = effectiveRoles(u)
	}
}

func (res *resolver) createUser(d *userDoc, path string) {
	r := res.realm
	u := &User{
		ID:               d.ID,
		Username:         strings.ToLower(d.Username),
		Enabled:          boolOr(d.Enabled, true),
		Email:            d.Email,
		EmailVerified:    boolOr(d.EmailVerified, false),
		FirstName:        d.FirstName,
		LastName:         d.LastName,
		RequiredActions:  d.RequiredActions,
		CreatedTimestamp: d.CreatedTimestamp,
		Attributes:       map[string][]string{},
	}
	for k, v := range d.Attributes {
		u.Attributes[k] = v
	}
	if d.ServiceAccountClientID != "" {
		c := r.clientsByID[d.ServiceAccountClientID]
		switch {
		case c == nil:
			res.p.add(at(path, "service_account_client_id"), "no client %q in realm %q", d.ServiceAccountClientID, r.Name)
			return
		case !c.ServiceAccountsEnabled:
			res.p.add(at(path, "service_account_client_id"), "client %q does not have service_accounts_enabled", c.ClientID)
			return
		case r.serviceAccounts[c] != nil:
			res.p.add(at(path, "service_account_client_id"), "client %q already has a service-account user", c.ClientID)
			return
		}
		u.ServiceAccountClient = c
		want := "service-account-" + strings.ToLower(c.ClientID)
		if u.Username == "" {
			u.Username = want
		} else if u.Username != want {
			res.p.add(at(path, "username"), "a service-account user of %q is named %q", c.ClientID, want)
		}
		if d.ID == "" {
			u.ID = stableID(r.Name, "service-account", c.ClientID)
		}
		r.serviceAccounts[c] = u
	}
	if u.Username == "" {
		res.p.add(at(path, "username"), "a user needs a username")
		return
	}
	if u.ID == "" {
		u.ID = stableID(r.Name, "user", u.Username)
	}
	if _, dup := r.usersByName[u.Username]; dup {
		res.p.add(at(path, "username"), "duplicate username %q (usernames are case-insensitive)", u.Username)
		return
	}
	if _, dup := r.usersByID[u.ID]; dup {
		res.p.add(at(path, "id"), "duplicate user id %q", u.ID)
		return
	}
	if u.Email != "" {
		key := strings.ToLower(u.Email)
		if other, dup := r.usersByEmail[key]; dup && !r.DuplicateEmailsAllowed {
			res.p.add(at(path, "email"), "e-mail %q is already used by %q (duplicate_emails_allowed is off)", u.Email, other.Username)
		} else if !dup {
			r.usersByEmail[key] = u
		}
	}
	res.credentials(u, d, path)
	for i, a := range d.RequiredActions {
		if !knownRequiredActions[a] {
			res.p.add(idx(at(path, "required_actions"), i), "unknown required action %q", a)
		}
	}
	if r.DefaultRole != nil {
		u.RoleMappings = append(u.RoleMappings, r.DefaultRole)
	}
	u.RoleMappings = append(u.RoleMappings, res.realmRoleRefs(d.RealmRoles, at(path, "realm_roles"))...)
	for _, clientID := range sortedMapKeys(d.ClientRoles) {
		u.RoleMappings = append(u.RoleMappings, res.clientRoleRefs(clientID, d.ClientRoles[clientID], at(at(path, "client_roles"), clientID))...)
	}
	for i, name := range d.Groups {
		g := r.groupsByPath[name]
		if g == nil && !strings.HasPrefix(name, "/") {
			g = r.groupsByPath["/"+name]
		}
		if g == nil {
			res.p.add(idx(at(path, "groups"), i), "no group %q in realm %q", name, r.Name)
			continue
		}
		u.Groups = append(u.Groups, g)
	}
	u.Consents = map[string][]string{}
	for i, cd := range d.ClientConsents {
		cp := idx(at(path, "client_consents"), i)
		if r.clientsByID[cd.ClientID] == nil {
			res.p.add(at(cp, "client_id"), "no client %q in realm %q", cd.ClientID, r.Name)
			continue
		}
		for j, s := range cd.GrantedClientScopes {
			if r.scopesByName[s] == nil {
				res.p.add(idx(at(cp, "granted_client_scopes"), j), "no client scope %q in realm %q", s, r.Name)
			}
		}
		u.Consents[cd.ClientID] = append(u.Consents[cd.ClientID], cd.GrantedClientScopes...)
	}
	for i, f := range d.FederatedIdentities {
		fp := idx(at(path, "federated_identities"), i)
		if r.idpsByAlias[f.IdentityProvider] == nil {
			res.p.add(at(fp, "identity_provider"), "no identity provider %q in realm %q", f.IdentityProvider, r.Name)
			continue
		}
		if f.UserID == "" {
			res.p.add(at(fp, "user_id"), "a federated identity needs the provider's user_id")
			continue
		}
		key := f.IdentityProvider + "\x00" + f.UserID
		if other := r.usersByFederation[key]; other != nil {
			res.p.add(at(fp, "user_id"), "account %q of %q is already linked to %q", f.UserID, f.IdentityProvider, other.Username)
			continue
		}
		r.usersByFederation[key] = u
		u.FederatedIdentities = append(u.FederatedIdentities, FederatedIdentity{Provider: f.IdentityProvider, UserID: f.UserID, UserName: f.UserName})
	}
	r.usersByName[u.Username] = u
	r.usersByID[u.ID] = u
	r.Users = append(r.Users, u)
}

func (res *resolver) credentials(u *User, d *userDoc, path string) {
	if d.Password != nil && len(d.Credentials) > 0 {
		res.p.add(at(path, "password"), "give either password or credentials, not both")
		return
	}
	if d.Password != nil {
		u.Password = *d.Password
		return
	}
	seen := false
	for i, c := range d.Credentials {
		cp := idx(at(path, "credentials"), i)
		if c.Type != "password" {
			res.p.add(at(cp, "type"), "credential type %q is not emulated (only \"password\")", c.Type)
			continue
		}
		if seen {
			res.p.add(cp, "a user has at most one password")
			continue
		}
		seen = true
		hashed := c.Algorithm != "" || c.HashedValue != "" || c.Salt != "" || c.HashIterations != 0 || len(c.AdditionalParameters) > 0
		if !hashed {
			u.Password, u.PasswordTemporary = c.Value, c.Temporary
			continue
		}
		if c.Value != "" {
			res.p.add(at(cp, "value"), "give either value or a hashed password (algorithm, hash_iterations, salt, hashed_value), not both")
			continue
		}
		h, field, err := newPasswordHash(c.Algorithm, c.HashIterations, c.Salt, c.HashedValue, c.AdditionalParameters)
		if err != nil {
			res.p.add(at(cp, field), "%v", err)
			continue
		}
		u.PasswordHash, u.PasswordTemporary = h, c.Temporary
	}
}

// effectiveRoles is Keycloak's deep user role mapping: direct roles, group roles (with parent
// groups), expanded through composites.
func effectiveRoles(u *User) map[*Role]bool {
	out := map[*Role]bool{}
	addAll := func(roles []*Role) {
		for _, r := range roles {
			for _, e := range r.expanded {
				out[e] = true
			}
		}
	}
	addAll(u.RoleMappings)
	for _, g := range u.Groups {
		for ; g != nil; g = g.Parent {
			addAll(g.Roles)
		}
	}
	return out
}
