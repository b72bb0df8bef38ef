package scenarios

import (
	"strings"
)

// realmImporter reads one RealmRepresentation into a realmDoc, remembering where each document
// entry came from so that problems found later can name the JSON path.
type realmImporter struct {
	*importer
	doc   *realmDoc
	paths map[string]string // TOML path under the realm → JSON path
	name  string

	clientByUUID   map[string]string // client id → clientId
	clientIndex    map[string]int    // clientId → index in doc.Clients
	droppedClients map[string]bool   // clientIds left out (SAML clients)
	scopes         map[string]bool   // client scope names that exist (export and built-in)
	droppedScopes  map[string]bool
	roleByID       map[string]string // role id → "name" (realm role) or "clientId/name"
	userByID       map[string]string // user id → username
	usernames      map[string]bool   // lower-cased
	idpIndex       map[string]int    // alias → index in doc.IdentityProviders
	idpByInternal  map[string]string // internalId → alias
	droppedIdPs    map[string]bool
	authz          *jsonObj // realm-management's authorizationSettings: FGAP v1
	fgap           bool
	jwks           []jwksRef
}

func (ri *realmImporter) mapPath(tomlPath, jsonPath string) { ri.paths[tomlPath] = jsonPath }

// realm reads one realm; prefix is its JSON path.
func (im *importer) realm(m map[string]any, prefix string) importedRealm {
	o := im.object(m, prefix)
	ri := &realmImporter{
		importer: im, doc: &realmDoc{}, paths: map[string]string{},
		clientByUUID: map[string]string{}, clientIndex: map[string]int{}, droppedClients: map[string]bool{},
		scopes: builtinScopeNames(), droppedScopes: map[string]bool{}, roleByID: map[string]string{},
		userByID: map[string]string{}, usernames: map[string]bool{}, idpIndex: map[string]int{},
		idpByInternal: map[string]string{}, droppedIdPs: map[string]bool{},
	}
	d := ri.doc
	d.ID = o.str("id")
	d.Realm = o.str("realm")
	ri.name = d.Realm
	d.DisplayName = o.str("displayName")
	d.Enabled = o.boolp("enabled")
	d.AccessTokenLifespan = o.seconds("accessTokenLifespan")
	d.AccessTokenLifespanForImplicitFlow = o.seconds("accessTokenLifespanForImplicitFlow")
	d.SSOSessionIdleTimeout = o.seconds("ssoSessionIdleTimeout")
	d.SSOSessionMaxLifespan = o.seconds("ssoSessionMaxLifespan")
	d.OfflineSessionIdleTimeout = o.seconds("offlineSessionIdleTimeout")
	d.OfflineSessionMaxLifespanEnabled = o.boolp("offlineSessionMaxLifespanEnabled")
	d.OfflineSessionMaxLifespan = o.seconds("offlineSessionMaxLifespan")
	d.ClientSessionIdleTimeout = o.seconds("clientSessionIdleTimeout")
	d.ClientSessionMaxLifespan = o.seconds("clientSessionMaxLifespan")
	d.AccessCodeLifespan = o.seconds("accessCodeLifespan")
	d.AccessCodeLifespanUserAction = o.seconds("accessCodeLifespanUserAction")
	d.AccessCodeLifespanLogin = o.seconds("accessCodeLifespanLogin")
	d.RevokeRefreshToken = o.boolp("revokeRefreshToken")
	d.RefreshTokenMaxReuse = o.intp("refreshTokenMaxReuse")
	d.DefaultSignatureAlgorithm = o.str("defaultSignatureAlgorithm")
	if nb := o.int64p("notBefore"); nb != nil {
		d.NotBefore = *nb
	}
	d.LoginWithEmailAllowed = o.boolp("loginWithEmailAllowed")
	d.DuplicateEmailsAllowed = o.boolp("duplicateEmailsAllowed")
	d.Attributes = o.attrs("attributes")
	if u := d.Attributes["frontendUrl"]; u != "" {
		ri.warn(at(at(o.path, "attributes"), "frontendUrl"), "a realm front-end URL is not emulated; start kcmock with --hostname %s instead", u)
	}
	version := o.str("keycloakVersion")

	ri.clientScopes(o)
	ri.clients(o)
	d.DefaultDefaultClientScopes = ri.realmScopeList(o, "defaultDefaultClientScopes", "default_default_client_scopes")
	d.DefaultOptionalClientScopes = ri.realmScopeList(o, "defaultOptionalClientScopes", "default_optional_client_scopes")
	ri.roles(o)
	ri.defaultRole(o)
	d.Groups = ri.groups(o, "groups", "groups")
	ri.identityProviders(o)
	ri.users(o)
	ri.scopeMappings(o)
	ri.authorization()
	ri.components(o)
	ri.unemulated(o)
	for k := range o.m {
		// OTP and WebAuthn policies act only through OTP and WebAuthn credentials or flows
		// that require them, and those are reported where they appear.
		if strings.HasPrefix(k, "otp") || strings.HasPrefix(k, "webAuthnPolicy") {
			o.skip(k)
		}
	}
	o.done(realmDefaults(), "keycloakVersion", "id")
	return importedRealm{doc: *d, prefix: prefix, paths: ri.paths, version: version, fgap: ri.fgap, jwks: ri.jwks}
}

// realmScopeList reads the realm's default client scope lists, with the same rules as a
// client's lists (an unknown name is ignored as Keycloak ignores it; SAML scopes are dropped).
func (ri *realmImporter) realmScopeList(o *jsonObj, key, tomlKey string) []string {
	if l := ri.clientScopeList(o, key, tomlKey); l != nil {
		return *l
	}
	return nil
}

// defaultRole checks that the realm's default role is the one kcmock knows (Keycloak names it
// default-roles-<realm>); the legacy defaultRoles list adds realm roles to it.
func (ri *realmImporter) defaultRole(o *jsonObj) {
	if dr := o.obj("defaultRole"); dr != nil {
		if n, want := dr.str("name"), "default-roles-"+lowerASCII(ri.name); n != "" && n != want {
			ri.warn(at(dr.path, "name"), "kcmock's default role is %q, as Keycloak names it in a new realm; %q is imported as an ordinary role", want, n)
		}
		dr.done(nil, "id", "description", "composite", "clientRole", "containerId", "attributes")
	}
	for i, n := range o.list("defaultRoles") {
		ri.mapPath(idx("default_roles", len(ri.doc.DefaultRoles)), idx(at(o.path, "defaultRoles"), i))
		ri.doc.DefaultRoles = append(ri.doc.DefaultRoles, n)
	}
}

// groups reads groups and their sub-groups.
func (ri *realmImporter) groups(o *jsonObj, key, tomlPath string) []groupDoc {
	var out []groupDoc
	for _, g := range o.objs(key) {
		tp := idx(tomlPath, len(out))
		ri.mapPath(tp, g.path)
		gd := groupDoc{
			ID: g.str("id"), Name: g.str("name"), Path: g.str("path"),
			RealmRoles:  g.list("realmRoles"),
			ClientRoles: ri.clientRoleMap(g, "clientRoles"),
			Attributes:  g.lists("attributes"),
		}
		gd.SubGroups = ri.groups(g, "subGroups", at(tp, "sub_groups"))
		g.done(nil, "access", "subGroupCount", "parentId")
		out = append(out, gd)
	}
	return out
}

// clientRoleMap reads a clientId → role names map, leaving out the roles of clients that were
// left out.
func (ri *realmImporter) clientRoleMap(o *jsonObj, key string) map[string][]string {
	out := map[string][]string{}
	for k, v := range o.lists(key) {
		if !ri.droppedClients[k] && len(v) > 0 {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
