package server

import (
	"sort"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// realmView is one realm as the debug page shows it. The model is immutable, so the page
// reads it directly; the view only flattens and sorts.
type realmView struct {
	Name, DisplayName, Issuer string
	Enabled                   bool
	Sessions                  int
	Keys                      []KeyInfo
	HMACKid                   string
	Clients                   []clientView
	BuiltinClients            []clientView
	Users                     []userView
	RealmRoles                []roleView
	ClientRoles               []clientRolesView
	Scopes                    []scopeView
	IdPs                      []idpView
}

type clientView struct {
	ClientID, Name, Type string
	Enabled              bool
	Flows                []string
	RedirectURIs         []string
	StandardExchange     bool
	DefaultScopes        []string
	OptionalScopes       []string
}

type userView struct {
	Username, ID, Email string
	Enabled             bool
	ServiceAccountOf    string
	Brokered            bool // imported at run time by an external token exchange
	RealmRoles          []roleRef
	ClientRoles         []roleRef
	Groups              []string
}

// roleRef names a role; Inherited marks one held through a group, the default role or a
// composite rather than mapped directly.
type roleRef struct {
	Client, Name string
	Inherited    bool
}

type roleView struct {
	Name, Description string
	Composites        []roleRef
}

type clientRolesView struct {
	Client  string
	Builtin bool
	Roles   []roleView
}

type scopeView struct {
	Name, Protocol, Type string // Type: the realm's "default", "optional" or ""
	InTokenScope         bool
	Mappers              int
}

type idpView struct {
	Alias, DisplayName, ProviderID string
	Enabled                        bool
	Issuer, Keys                   string
}

// builtinClient reports whether Keycloak creates a client of that id in every realm.
func builtinClient(id string) bool {
	switch id {
	case "account", "account-console", "admin-cli", "broker", "realm-management", "security-admin-console":
		return true
	}
	return false
}

func (s *Server) realmView(rs *realmState, base string) realmView {
	r := rs.model
	v := realmView{Name: r.Name, DisplayName: r.DisplayName, Issuer: base + "/realms/" + r.Name, Enabled: r.Enabled,
		Sessions: len(s.Sessions(r.Name))}
	v.Keys, _ = s.Keys(r.Name)
	if rs.keys.HMAC != nil {
		v.HMACKid = rs.keys.HMAC.KID
	}
	for _, c := range r.Clients {
		cv := clientView{ClientID: c.ClientID, Name: c.Name, Type: clientType(c), Enabled: c.Enabled,
			Flows: clientFlows(c), RedirectURIs: c.RedirectURIs, StandardExchange: c.AttrBool(attrStandardExchange, false),
			DefaultScopes: scopeNames(c.DefaultScopes), OptionalScopes: scopeNames(c.OptionalScopes)}
		if builtinClient(c.ClientID) {
			v.BuiltinClients = append(v.BuiltinClients, cv)
		} else {
			v.Clients = append(v.Clients, cv)
		}
		if len(c.Roles) > 0 {
			v.ClientRoles = append(v.ClientRoles, clientRolesView{Client: c.ClientID, Builtin: builtinClient(c.ClientID), Roles: roleViews(c.Roles)})
		}
	}
	for _, u := range r.Users {
		v.Users = append(v.Users, userViewOf(u, false))
	}
	for _, u := range s.brokeredIn(r.Name) {
		v.Users = append(v.Users, userViewOf(u, true))
	}
	v.RealmRoles = roleViews(r.RealmRoles())
	kind := map[*scenarios.ClientScope]string{}
	for _, sc := range r.DefaultDefaultScopes {
		kind[sc] = "default"
	}
	for _, sc := range r.DefaultOptionalScopes {
		kind[sc] = "optional"
	}
	for _, sc := range r.ClientScopes {
		v.Scopes = append(v.Scopes, scopeView{Name: sc.Name, Protocol: sc.Protocol, Type: kind[sc],
			InTokenScope: sc.IncludeInTokenScope, Mappers: len(sc.ProtocolMappers)})
	}
	for _, idp := range r.IdentityProviders {
		iv := idpView{Alias: idp.Alias, DisplayName: idp.DisplayName, ProviderID: idp.ProviderID, Enabled: idp.Enabled,
			Issuer: idp.Config["issuer"]}
		switch {
		case idp.Config["validateSignature"] != "true":
			iv.Keys = "signatures not validated"
		case idp.Config["useJwksUrl"] == "true" && idp.JWKSRealm != "":
			iv.Keys = "JWKS of realm " + idp.JWKSRealm
		case idp.Config["useJwksUrl"] == "true":
			iv.Keys = "JWKS URL outside the scenario: " + idp.Config["jwksUrl"]
		case idp.PublicKey != nil:
			iv.Keys = "public key"
		}
		v.IdPs = append(v.IdPs, iv)
	}
	return v
}

// clientType is the access type the admin console showed before Keycloak 19.
func clientType(c *scenarios.Client) string {
	switch {
	case c.BearerOnly:
		return "bearer-only"
	case c.PublicClient:
		return "public"
	}
	return "confidential"
}

// clientFlows names the capability-config switches that are on.
func clientFlows(c *scenarios.Client) []string {
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{
		{c.StandardFlowEnabled, "standard"},
		{c.ImplicitFlowEnabled, "implicit"},
		{c.DirectAccessGrantsEnabled, "direct access grants"},
		{c.ServiceAccountsEnabled, "service accounts"},
		{c.AttrBool("oauth2.device.authorization.grant.enabled", false), "device"},
		{c.AttrBool("oidc.ciba.grant.enabled", false), "CIBA"},
	} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}

func scopeNames(scopes []*scenarios.ClientScope) []string {
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		out = append(out, sc.Name)
	}
	return out
}

func refOf(r *scenarios.Role) roleRef {
	ref := roleRef{Name: r.Name}
	if r.Client != nil {
		ref.Client = r.Client.ClientID
	}
	return ref
}

func roleViews(roles []*scenarios.Role) []roleView {
	out := make([]roleView, 0, len(roles))
	for _, r := range roles {
		rv := roleView{Name: r.Name, Description: r.Description}
		for _, comp := range r.Composites {
			rv.Composites = append(rv.Composites, refOf(comp))
		}
		sortRefs(rv.Composites)
		out = append(out, rv)
	}
	return out
}

// userViewOf lists the user's effective roles, realm and client roles apart.
func userViewOf(u *scenarios.User, brokered bool) userView {
	uv := userView{Username: u.Username, ID: u.ID, Email: u.Email, Enabled: u.Enabled, Brokered: brokered}
	if u.ServiceAccountClient != nil {
		uv.ServiceAccountOf = u.ServiceAccountClient.ClientID
	}
	direct := map[*scenarios.Role]bool{}
	for _, r := range u.RoleMappings {
		direct[r] = true
	}
	for r := range u.EffectiveRoles() {
		ref := refOf(r)
		ref.Inherited = !direct[r]
		if r.Client == nil {
			uv.RealmRoles = append(uv.RealmRoles, ref)
		} else {
			uv.ClientRoles = append(uv.ClientRoles, ref)
		}
	}
	sortRefs(uv.RealmRoles)
	sortRefs(uv.ClientRoles)
	for _, g := range u.Groups {
		uv.Groups = append(uv.Groups, g.Path)
	}
	return uv
}

func sortRefs(refs []roleRef) {
	sort.Slice(refs, func(i, j int) bool {
		if refs[i].Client != refs[j].Client {
			return refs[i].Client < refs[j].Client
		}
		return refs[i].Name < refs[j].Name
	})
}

// brokeredIn lists the users a realm imported at run time, by username.
func (s *Server) brokeredIn(realm string) []*scenarios.User {
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	var out []*scenarios.User
	for k, u := range s.brokered.byID {
		if strings.HasPrefix(k, realm+"\x00") {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}
