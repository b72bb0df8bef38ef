package scenarios

import (
	"maps"
	"slices"
	"time"
)

// Values Keycloak writes into every new realm's and client's attributes that mean what their
// absence means, to kcmock and to Keycloak alike.
var (
	defaultRealmAttributes = map[string]string{
		"cibaBackchannelTokenDeliveryMode": "poll", "cibaExpiresIn": "120", "cibaInterval": "5",
		"cibaAuthRequestedUserHint": "login_hint", "oauth2DeviceCodeLifespan": "600",
		"oauth2DevicePollingInterval": "5", "parRequestUriLifespan": "60", "realmReusableOtpCode": "false",
		"frontendUrl": "", "acr.loa.map": "{}", "clientSessionIdleTimeout": "0", "clientSessionMaxLifespan": "0",
		"clientOfflineSessionIdleTimeout": "0", "clientOfflineSessionMaxLifespan": "0",
	}
	falseClientAttributes = map[string]bool{
		"oidc.ciba.grant.enabled": true, "oauth2.device.authorization.grant.enabled": true,
		"standard.token.exchange.enabled": true, "display.on.consent.screen": true,
		"backchannel.logout.revoke.offline.tokens": true, "dpop.bound.access.tokens": true,
		"exclude.session.state.from.auth.response": true, "exclude.issuer.from.auth.response": true,
		"tls.client.certificate.bound.access.tokens": true, "require.pushed.authorization.requests": true,
	}
)

// clientAttributes are a client's attributes without the ones that say "false" where absent
// means false.
func clientAttributes(a map[string]string) map[string]string {
	out := maps.Clone(a)
	maps.DeleteFunc(out, func(k, v string) bool { return falseClientAttributes[k] && v == "false" })
	return out
}

// minimize leaves out of an imported realm what kcmock would create the same way: built-in
// clients, client scopes and roles equal to the built-in ones (compared resolved: got is the
// imported realm, base a new realm of that name), settings at their defaults, and the internal
// ids nothing refers to.
func minimize(d *realmDoc, got, base *Realm) {
	zero(&d.Enabled, true)
	for _, f := range []struct {
		p   **Duration
		def time.Duration
	}{
		{&d.AccessTokenLifespan, defaultAccessTokenLifespan}, {&d.AccessTokenLifespanForImplicitFlow, defaultAccessTokenLifespanImplicit},
		{&d.SSOSessionIdleTimeout, defaultSSOSessionIdle}, {&d.SSOSessionMaxLifespan, defaultSSOSessionMax},
		{&d.OfflineSessionIdleTimeout, defaultOfflineSessionIdle}, {&d.OfflineSessionMaxLifespan, defaultOfflineSessionMax},
		{&d.ClientSessionIdleTimeout, 0}, {&d.ClientSessionMaxLifespan, 0},
		{&d.AccessCodeLifespan, defaultAccessCodeLifespan}, {&d.AccessCodeLifespanUserAction, defaultAccessCodeUserAction},
		{&d.AccessCodeLifespanLogin, defaultAccessCodeLogin},
	} {
		if *f.p != nil && time.Duration(**f.p) == f.def {
			*f.p = nil
		}
	}
	zero(&d.OfflineSessionMaxLifespanEnabled, false)
	zero(&d.RevokeRefreshToken, false)
	zero(&d.RefreshTokenMaxReuse, 0)
	zero(&d.LoginWithEmailAllowed, true)
	zero(&d.DuplicateEmailsAllowed, false)
	zero(&d.VerifyProfile, true)
	if d.UserProfileRequired != nil && slices.Equal(*d.UserProfileRequired, base.ProfileRequired) {
		d.UserProfileRequired = nil
	}
	if d.DefaultSignatureAlgorithm == "RS256" {
		d.DefaultSignatureAlgorithm = ""
	}
	maps.DeleteFunc(d.Attributes, func(k, v string) bool { dv, ok := defaultRealmAttributes[k]; return ok && dv == v })
	if d.DefaultDefaultClientScopes != nil && sameSet(d.DefaultDefaultClientScopes, scopeNameList(base.DefaultDefaultScopes)) {
		d.DefaultDefaultClientScopes = nil
	}
	if d.DefaultOptionalClientScopes != nil && sameSet(d.DefaultOptionalClientScopes, scopeNameList(base.DefaultOptionalScopes)) {
		d.DefaultOptionalClientScopes = nil
	}
	d.ClientScopes = slices.DeleteFunc(d.ClientScopes, func(s clientScopeDoc) bool {
		b := base.ClientScope(s.Name)
		return b != nil && sameScope(got.ClientScope(s.Name), b)
	})
	for i := range d.ClientScopes {
		s := &d.ClientScopes[i]
		s.ID = ""
		if s.Protocol == "openid-connect" {
			s.Protocol = ""
		}
		minimizeMappers(s.ProtocolMappers)
	}
	d.Clients = slices.DeleteFunc(d.Clients, func(c clientDoc) bool {
		g, b := got.Client(c.ClientID), base.Client(c.ClientID)
		return b != nil && g != nil && sameClient(g, b) && inheritsScopes(g, got)
	})
	for i := range d.Clients {
		minimizeClient(&d.Clients[i], got)
	}
	minimizeRoles(d, got, base)
	minimizeGroups(d.Groups)
	for i := range d.Users {
		u := &d.Users[i]
		zero(&u.Enabled, true)
		zero(&u.EmailVerified, false)
	}
	for i := range d.IdentityProviders {
		zero(&d.IdentityProviders[i].Enabled, true)
		minimizePermissions(d.IdentityProviders[i].Permissions)
	}
	for i := range d.Policies {
		if d.Policies[i].Logic == "POSITIVE" {
			d.Policies[i].Logic = ""
		}
	}
	minimizePermissions(d.UserPermissions)
}

func minimizeClient(c *clientDoc, got *Realm) {
	zero(&c.Enabled, true)
	zero(&c.PublicClient, false)
	zero(&c.BearerOnly, false)
	zero(&c.ConsentRequired, false)
	zero(&c.StandardFlowEnabled, true)
	zero(&c.ImplicitFlowEnabled, false)
	zero(&c.DirectAccessGrantsEnabled, false)
	zero(&c.ServiceAccountsEnabled, false)
	zero(&c.FrontchannelLogout, true)
	zero(&c.FullScopeAllowed, true)
	if c.Protocol == "openid-connect" {
		c.Protocol = ""
	}
	if c.ClientAuthenticatorType == "client-secret" {
		c.ClientAuthenticatorType = ""
	}
	c.Attributes = clientAttributes(c.Attributes)
	if g := got.Client(c.ClientID); g != nil {
		def, opt := inheritedScopes(g, got)
		if sameSet(scopeNameList(g.DefaultScopes), def) {
			c.DefaultClientScopes = nil
		}
		if sameSet(scopeNameList(g.OptionalScopes), opt) {
			c.OptionalClientScopes = nil
		}
	}
	minimizeMappers(c.ProtocolMappers)
	minimizePermissions(c.Permissions)
}

func minimizeMappers(ms []protocolMapperDoc) {
	for i := range ms {
		ms[i].ID = ""
		if ms[i].Protocol == "openid-connect" {
			ms[i].Protocol = ""
		}
	}
}

func minimizePermissions(p *permissionsDoc) {
	if p == nil {
		return
	}
	for _, perm := range []*permissionDoc{p.TokenExchange, p.Impersonate, p.UserImpersonated} {
		if perm != nil && perm.DecisionStrategy == Unanimous {
			perm.DecisionStrategy = ""
		}
	}
}

// minimizeRoles leaves out built-in roles equal to the built-in ones, and role ids.
func minimizeRoles(d *realmDoc, got, base *Realm) {
	if d.Roles == nil {
		return
	}
	keep := func(list []roleDoc, g, b func(string) *Role) []roleDoc {
		list = slices.DeleteFunc(list, func(r roleDoc) bool {
			return b(r.Name) != nil && g(r.Name) != nil && sameRole(g(r.Name), b(r.Name))
		})
		for i := range list {
			list[i].ID = ""
		}
		return list
	}
	d.Roles.Realm = keep(d.Roles.Realm, got.RealmRole, base.RealmRole)
	for id, list := range d.Roles.Client {
		gc, bc := got.Client(id), base.Client(id)
		if gc == nil || bc == nil {
			gc, bc = &Client{}, &Client{} // not built-in: every role is kept
		}
		if list = keep(list, gc.Role, bc.Role); len(list) > 0 {
			d.Roles.Client[id] = list
		} else {
			delete(d.Roles.Client, id)
		}
	}
	if len(d.Roles.Realm) == 0 && len(d.Roles.Client) == 0 {
		d.Roles = nil
	}
}

func minimizeGroups(gs []groupDoc) {
	for i := range gs {
		gs[i].ID = ""
		minimizeGroups(gs[i].SubGroups)
	}
}

// zero clears an optional value that holds its default.
func zero[T comparable](p **T, def T) {
	if *p != nil && **p == def {
		*p = nil
	}
}

func scopeNameList(ss []*ClientScope) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Name
	}
	return out
}

// inheritsScopes reports whether a client's scopes are what it gets without listing any: the
// realm's defaults, and the service_account scope with service accounts (completeClients).
func inheritsScopes(c *Client, r *Realm) bool {
	def, opt := inheritedScopes(c, r)
	return sameSet(scopeNameList(c.DefaultScopes), def) && sameSet(scopeNameList(c.OptionalScopes), opt)
}

func inheritedScopes(c *Client, r *Realm) (def, opt []string) {
	def = scopeNameList(r.DefaultDefaultScopes)
	if sa := r.ClientScope("service_account"); sa != nil && c.ServiceAccountsEnabled {
		def = append(def, sa.Name)
	}
	return def, scopeNameList(r.DefaultOptionalScopes)
}
