package scenarios

import (
	"slices"
	"strings"
)

// users reads the users. Keycloak's import (DefaultExportImportManager.createUser) creates a
// user without "enabled" disabled and grants only the roles listed, so both are kept or
// reported here.
func (ri *realmImporter) users(o *jsonObj) {
	defaultRole := "default-roles-" + lowerASCII(ri.name)
	for _, u := range o.objs("users") {
		sa := u.str("serviceAccountClientId")
		if ri.droppedClients[sa] {
			u.done(nil, u.keys()...)
			continue
		}
		tp := idx("users", len(ri.doc.Users))
		ri.mapPath(tp, u.path)
		d := userDoc{
			ID: u.str("id"), Username: u.str("username"), Email: u.str("email"),
			EmailVerified: u.boolp("emailVerified"), FirstName: u.str("firstName"), LastName: u.str("lastName"),
			RealmRoles: u.list("realmRoles"), ClientRoles: ri.clientRoleMap(u, "clientRoles"),
			Groups: u.list("groups"), ServiceAccountClientID: sa,
		}
		if d.Enabled = u.boolp("enabled"); d.Enabled == nil {
			d.Enabled = new(bool)
		}
		if ts := u.int64p("createdTimestamp"); ts != nil {
			d.CreatedTimestamp = *ts
		}
		for k, v := range u.lists("attributes") {
			if d.Attributes == nil {
				d.Attributes = map[string]StringList{}
			}
			d.Attributes[k] = v
		}
		for i, a := range u.list("requiredActions") {
			if knownRequiredActions[a] {
				d.RequiredActions = append(d.RequiredActions, a)
				continue
			}
			ri.warn(idx(at(u.path, "requiredActions"), i), "required action %q is not emulated; left out (Keycloak refuses the password grant while a required action is pending)", a)
		}
		if !slices.Contains(d.RealmRoles, defaultRole) {
			ri.warn(u.path, "Keycloak's import grants %q only the roles listed, without %s; kcmock gives it to every user", d.Username, defaultRole)
		}
		d.Credentials = ri.credentials(u, tp)
		d.ClientConsents = ri.consents(u, tp)
		for _, f := range u.objs("federatedIdentities") {
			fd := federatedDoc{IdentityProvider: f.str("identityProvider"), UserID: f.str("userId"), UserName: f.str("userName")}
			f.done(nil)
			if ri.droppedIdPs[fd.IdentityProvider] {
				continue
			}
			ri.mapPath(idx(at(tp, "federated_identities"), len(d.FederatedIdentities)), f.path)
			d.FederatedIdentities = append(d.FederatedIdentities, fd)
		}
		u.done(userDefaults(), "totp", "disableableCredentialTypes", "access", "origin", "self")
		ri.userByID[d.ID] = strings.ToLower(d.Username)
		ri.usernames[strings.ToLower(d.Username)] = true
		ri.doc.Users = append(ri.doc.Users, d)
	}
}

// keys lists an object's keys, for marking them all read.
func (o *jsonObj) keys() []string { return sortedKeys(o.m) }

func (ri *realmImporter) consents(u *jsonObj, tp string) []consentDoc {
	var out []consentDoc
	for _, c := range u.objs("clientConsents") {
		cd := consentDoc{ClientID: c.str("clientId")}
		for _, s := range c.list("grantedClientScopes") {
			if !ri.droppedScopes[s] {
				cd.GrantedClientScopes = append(cd.GrantedClientScopes, s)
			}
		}
		c.done(nil, "createdDate", "lastUpdatedDate")
		if ri.droppedClients[cd.ClientID] {
			continue
		}
		ri.mapPath(idx(at(tp, "client_consents"), len(out)), c.path)
		out = append(out, cd)
	}
	return out
}

// credentials reads a user's password: a plain value, or the hash Keycloak stores. Other
// credential types (OTP, WebAuthn…) are left out; so is a hash kcmock cannot check.
func (ri *realmImporter) credentials(u *jsonObj, tp string) []credentialDoc {
	var out []credentialDoc
	for _, c := range u.objs("credentials") {
		typ := c.str("type")
		switch typ {
		case "password":
		case "password-history": // earlier passwords: they only stop their reuse
			c.done(nil, c.keys()...)
			continue
		default:
			ri.warn(c.path, "%s credentials are not emulated; left out", typ)
			c.done(nil, c.keys()...)
			continue
		}
		if len(out) > 0 {
			ri.warn(c.path, "a second password credential; kcmock keeps the first")
			c.done(nil, c.keys()...)
			continue
		}
		cp := idx(at(tp, "credentials"), len(out))
		cd, ok := ri.password(c, cp)
		c.done(nil, "id", "userLabel", "createdDate", "priority")
		if ok {
			ri.mapPath(cp, c.path)
			out = append(out, cd)
		}
	}
	return out
}

func (ri *realmImporter) password(c *jsonObj, cp string) (credentialDoc, bool) {
	cd := credentialDoc{Type: "password"}
	if t := c.boolp("temporary"); t != nil {
		cd.Temporary = *t
	}
	if v := c.strp("value"); v != nil {
		cd.Value = *v
		return cd, true
	}
	secretPath, credPath := at(c.path, "secretData"), at(c.path, "credentialData")
	secret, cred := ri.embedded(c, "secretData"), ri.embedded(c, "credentialData")
	if secret == nil && cred == nil {
		// The credential form before Keycloak 11 kept the hash in the credential itself.
		secretPath, credPath = c.path, c.path
		cd.HashedValue, cd.Salt, cd.Algorithm = c.str("hashedSaltedValue"), c.str("salt"), c.str("algorithm")
		if n := c.intp("hashIterations"); n != nil {
			cd.HashIterations = *n
		}
		if cd.HashedValue == "" {
			ri.warn(c.path, "a password credential with neither value nor hash; left out")
			return cd, false
		}
	}
	if secret != nil {
		cd.HashedValue, cd.Salt = secret.str("value"), secret.str("salt")
		secret.done(nil, "additionalParameters")
	}
	if cred != nil {
		cd.Algorithm = cred.str("algorithm")
		if n := cred.intp("hashIterations"); n != nil {
			cd.HashIterations = *n
		}
		for k, v := range cred.lists("additionalParameters") {
			if cd.AdditionalParameters == nil {
				cd.AdditionalParameters = Attributes{}
			}
			cd.AdditionalParameters[k] = strings.Join(v, ",")
		}
		cred.done(nil)
	}
	if _, _, err := newPasswordHash(cd.Algorithm, cd.HashIterations, cd.Salt, cd.HashedValue, cd.AdditionalParameters); err != nil {
		ri.warn(c.path, "password hash left out, the user has no password: %v", err)
		return cd, false
	}
	for _, f := range []struct{ toml, json string }{
		{"hashed_value", secretPath}, {"salt", secretPath},
		{"algorithm", credPath}, {"hash_iterations", credPath}, {"additional_parameters", credPath},
	} {
		ri.mapPath(at(cp, f.toml), f.json)
	}
	return cd, true
}

// embedded reads a JSON document stored in a string, as Keycloak stores credential data.
func (ri *realmImporter) embedded(c *jsonObj, key string) *jsonObj {
	s := c.str(key)
	if s == "" {
		return nil
	}
	v, err := decodeJSON([]byte(s))
	if err != nil {
		ri.problem(at(c.path, key), "must hold a JSON object: %v", err)
		return nil
	}
	return ri.object(v, at(c.path, key))
}
