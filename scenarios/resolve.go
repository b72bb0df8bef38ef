package scenarios

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Keycloak's defaults for a new realm (RealmManager / RealmRepresentation defaults).
const (
	defaultAccessTokenLifespan         = 300 * time.Second
	defaultAccessTokenLifespanImplicit = 900 * time.Second
	defaultSSOSessionIdle              = 1800 * time.Second
	defaultSSOSessionMax               = 36000 * time.Second
	defaultOfflineSessionIdle          = 2592000 * time.Second
	defaultOfflineSessionMax           = 5184000 * time.Second
	defaultAccessCodeLifespan          = 60 * time.Second
	defaultAccessCodeUserAction        = 300 * time.Second
	defaultAccessCodeLogin             = 1800 * time.Second
)

// idNamespace makes generated ids stable: the same realm and name always give the same id, so
// a user's `sub` survives restarts and is the same on every kcmock instance.
var idNamespace = uuid.MustParse("6f1c7f0e-3d2a-4b5c-9e8f-0a1b2c3d4e5f")

func stableID(parts ...string) string {
	return uuid.NewSHA1(idNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// resolver turns one realm's documents (built-in content plus the scenario's) into a Realm.
type resolver struct {
	p     problems
	path  string // realms[i]
	realm *Realm
	doc   *realmDoc
}

func durationOr(d *Duration, def time.Duration) time.Duration {
	if d == nil {
		return def
	}
	return time.Duration(*d)
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func resolveRealm(doc *realmDoc, builtin *realmDoc, path string, p problems) *Realm {
	r := &Realm{
		ID:                                 doc.ID,
		Name:                               doc.Realm,
		DisplayName:                        doc.DisplayName,
		Enabled:                            boolOr(doc.Enabled, true),
		AccessTokenLifespan:                durationOr(doc.AccessTokenLifespan, defaultAccessTokenLifespan),
		AccessTokenLifespanForImplicitFlow: durationOr(doc.AccessTokenLifespanForImplicitFlow, defaultAccessTokenLifespanImplicit),
		SSOSessionIdleTimeout:              durationOr(doc.SSOSessionIdleTimeout, defaultSSOSessionIdle),
		SSOSessionMaxLifespan:              durationOr(doc.SSOSessionMaxLifespan, defaultSSOSessionMax),
		OfflineSessionIdleTimeout:          durationOr(doc.OfflineSessionIdleTimeout, defaultOfflineSessionIdle),
		OfflineSessionMaxLifespanEnabled:   boolOr(doc.OfflineSessionMaxLifespanEnabled, false),
		OfflineSessionMaxLifespan:          durationOr(doc.OfflineSessionMaxLifespan, defaultOfflineSessionMax),
		ClientSessionIdleTimeout:           durationOr(doc.ClientSessionIdleTimeout, 0),
		ClientSessionMaxLifespan:           durationOr(doc.ClientSessionMaxLifespan, 0),
		AccessCodeLifespan:                 durationOr(doc.AccessCodeLifespan, defaultAccessCodeLifespan),
		AccessCodeLifespanUserAction:       durationOr(doc.AccessCodeLifespanUserAction, defaultAccessCodeUserAction),
		AccessCodeLifespanLogin:            durationOr(doc.AccessCodeLifespanLogin, defaultAccessCodeLogin),
		RevokeRefreshToken:                 boolOr(doc.RevokeRefreshToken, false),
		DefaultSignatureAlgorithm:          doc.DefaultSignatureAlgorithm,
		NotBefore:                          doc.NotBefore,
		LoginWithEmailAllowed:              boolOr(doc.LoginWithEmailAllowed, true),
		DuplicateEmailsAllowed:             boolOr(doc.DuplicateEmailsAllowed, false),
		Attributes:                         doc.Attributes,
		VerifyProfile:                      boolOr(doc.VerifyProfile, true),
		realmRoles:                         map[string]*Role{},
		clientsByID:                        map[string]*Client{},
		clientsByUUID:                      map[string]*Client{},
		usersByName:                        map[string]*User{},
		usersByID:                          map[string]*User{},
		usersByEmail:                       map[string]*User{},
		scopesByName:                       map[string]*ClientScope{},
		groupsByPath:                       map[string]*Group{},
		serviceAccounts:                    map[*Client]*User{},
		idpsByAlias:                        map[string]*IdentityProvider{},
		usersByFederation:                  map[string]*User{},
		Policies:                           map[string]*Policy{},
	}
	if r.ID == "" {
		r.ID = stableID("realm", r.Name)
	}
	if doc.RefreshTokenMaxReuse != nil {
		r.RefreshTokenMaxReuse = *doc.RefreshTokenMaxReuse
	}
	switch {
	case doc.UserProfileRequired != nil:
		r.ProfileRequired = *doc.UserProfileRequired
	case r.Name != "master": // Keycloak's master realm profile requires nothing
		r.ProfileRequired = []string{"email", "firstName", "lastName"}
	}
	if r.DefaultSignatureAlgorithm == "" {
		r.DefaultSignatureAlgorithm = "RS256"
	} else if !supportedSigningAlg(r.DefaultSignatureAlgorithm) {
		p.add(at(path, "default_signature_algorithm"), "unsupported algorithm %q (supported: %s)", r.DefaultSignatureAlgorithm, strings.Join(signingAlgs, ", "))
	}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	res := &resolver{p: p, path: path, realm: r, doc: doc}
	res.run(builtin)
	return r
}

func (res *resolver) run(builtin *realmDoc) {
	// Built-in clients and roles first, then the scenario's; a scenario entry that reuses a
	// built-in name replaces the built-in one.
	clients := mergeClients(builtin.Clients, res.doc.Clients, res.path)
	res.createClients(clients)
	res.createRoles(builtin, res.doc)
	scopes := mergeScopes(builtin.ClientScopes, res.doc.ClientScopes, res.path)
	res.createScopes(scopes)
	res.realmDefaultScopes(builtin)
	res.completeClients(clients)
	res.scopeMappings(builtin.ScopeMappings, builtin.ClientScopeMappings, "")
	res.scopeMappings(res.doc.ScopeMappings, res.doc.ClientScopeMappings, res.path)
	res.createGroups(res.doc.Groups, nil, at(res.path, "groups"))
	res.createIdentityProviders()
	res.createUsers(clients)
	res.createAuthorization(clients)
}

// located is a document together with its TOML path ("" for built-in content).
type located[T any] struct {
	doc  *T
	path string
}

func mergeClients(builtin, user []clientDoc, realmPath string) []located[clientDoc] {
	out := make([]located[clientDoc], 0, len(builtin)+len(user))
	pos := map[string]int{}
	for i := range builtin {
		pos[builtin[i].ClientID] = len(out)
		out = append(out, located[clientDoc]{&builtin[i], ""})
	}
	for i := range user {
		l := located[clientDoc]{&user[i], idx(at(realmPath, "clients"), i)}
		if j, ok := pos[user[i].ClientID]; ok && out[j].path == "" {
			out[j] = l
			continue
		}
		out = append(out, l)
	}
	return out
}

func mergeScopes(builtin, user []clientScopeDoc, realmPath string) []located[clientScopeDoc] {
	out := make([]located[clientScopeDoc], 0, len(builtin)+len(user))
	pos := map[string]int{}
	for i := range builtin {
		pos[builtin[i].Name] = len(out)
		out = append(out, located[clientScopeDoc]{&builtin[i], ""})
	}
	for i := range user {
		l := located[clientScopeDoc]{&user[i], idx(at(realmPath, "client_scopes"), i)}
		if j, ok := pos[user[i].Name]; ok && out[j].path == "" {
			out[j] = l
			continue
		}
		out = append(out, l)
	}
	return out
}

func (res *resolver) realmDefaultScopes(builtin *realmDoc) {
	pick := func(names []string, path string) []*ClientScope {
		out := make([]*ClientScope, 0, len(names))
		for i, n := range names {
			s := res.realm.scopesByName[n]
			if s == nil {
				res.p.add(idx(path, i), "no client scope %q in realm %q", n, res.realm.Name)
				continue
			}
			out = append(out, s)
		}
		return out
	}
	def, defPath := builtin.DefaultDefaultClientScopes, ""
	if res.doc.DefaultDefaultClientScopes != nil {
		def, defPath = res.doc.DefaultDefaultClientScopes, at(res.path, "default_default_client_scopes")
	}
	opt, optPath := builtin.DefaultOptionalClientScopes, ""
	if res.doc.DefaultOptionalClientScopes != nil {
		opt, optPath = res.doc.DefaultOptionalClientScopes, at(res.path, "default_optional_client_scopes")
	}
	res.realm.DefaultDefaultScopes = pick(def, defPath)
	res.realm.DefaultOptionalScopes = pick(opt, optPath)
}
