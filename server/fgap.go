package server

import (
	"github.com/kcmock/kcmock/scenarios"
)

// identity is who an authorization policy is evaluated for (Keycloak's Identity plus the
// kc.client.id context attribute): a client (its service account's roles), a token (the
// roles in its claims) or a user (the user's roles).
type identity struct {
	id       string // user id, or the client's internal id for a client identity
	clientID string // the kc.client.id context attribute; "" when the evaluation has none
	hasRole  func(*scenarios.Role) bool
}

// clientIdentity is ClientModelIdentity: role checks see the client's service-account user.
func clientIdentity(r *scenarios.Realm, c *scenarios.Client) identity {
	sa := r.ServiceAccount(c)
	return identity{id: c.ID, clientID: c.ClientID, hasRole: func(role *scenarios.Role) bool {
		return sa != nil && sa.HasRole(role)
	}}
}

// tokenIdentity is KeycloakIdentity over an access token: roles come from its claims.
func tokenIdentity(ac *accessClaims, realmRoles map[string]bool, clientRoles map[string]map[string]bool) identity {
	return identity{id: ac.Sub, clientID: ac.Azp, hasRole: func(role *scenarios.Role) bool {
		if role.Client == nil {
			return realmRoles[role.Name]
		}
		return clientRoles[role.Client.ClientID][role.Name]
	}}
}

// userIdentity is UserModelIdentity with an optional requesting client.
func userIdentity(u *scenarios.User, clientID string) identity {
	return identity{id: u.ID, clientID: clientID, hasRole: u.HasRole}
}

// grants evaluates a permission's policies with its decision strategy. A permission without
// policies grants nothing (callers decide what an empty permission means).
func grants(p scenarios.Permission, who identity) bool {
	if len(p.Policies) == 0 {
		return false
	}
	granted, denied := 0, 0
	for _, pol := range p.Policies {
		if policyGrants(pol, who) {
			granted++
		} else {
			denied++
		}
	}
	switch p.DecisionStrategy {
	case scenarios.Affirmative:
		return granted > 0
	case scenarios.Consensus:
		return granted > denied
	default:
		return denied == 0
	}
}

// policyGrants is one policy's outcome: client policies match kc.client.id, role policies need
// every required role and at least one listed role, user policies match the identity's id.
func policyGrants(p *scenarios.Policy, who identity) bool {
	ok := false
	switch p.Type {
	case "client":
		for _, c := range p.Clients {
			if who.clientID != "" && c.ClientID == who.clientID {
				ok = true
			}
		}
	case "role":
		ok = true
		hasAny := false
		for _, pr := range p.Roles {
			has := who.hasRole(pr.Role)
			if !has && pr.Required {
				ok = false
				break
			}
			hasAny = hasAny || has
		}
		ok = ok && hasAny
	case "user":
		for _, u := range p.Users {
			if u.ID == who.id {
				ok = true
			}
		}
	}
	return ok != p.Negative
}

// fgap answers the fine-grained admin permission (v1) questions of the legacy exchange.
type fgap struct {
	on    bool // feature admin-fine-grained-authz (v1)
	realm *scenarios.Realm
}

// canExchangeTo is ClientPermissions.canExchangeTo: the target's token-exchange permission must
// exist with at least one policy and grant the requester.
func (f fgap) canExchangeTo(requester, target *scenarios.Client) bool {
	return f.on && target.Permissions != nil && grants(target.Permissions.TokenExchange, clientIdentity(f.realm, requester))
}

// canExchangeFromIdP is IdentityProviderPermissions.canExchangeTo.
func (f fgap) canExchangeFromIdP(requester *scenarios.Client, idp *scenarios.IdentityProvider) bool {
	return f.on && idp.Permissions != nil && grants(idp.Permissions.TokenExchange, clientIdentity(f.realm, requester))
}

// canImpersonate is UserPermissions.canImpersonate for a subject token: the realm-management
// impersonation role in the token, or the Users impersonate permission for the token's
// identity; and the user must be impersonatable by the requester.
func (f fgap) canImpersonate(token identity, hasImpersonationRole bool, user *scenarios.User, requester *scenarios.Client) bool {
	allowed := hasImpersonationRole
	if !allowed && f.on && f.realm.UserPermissions != nil {
		allowed = grants(f.realm.UserPermissions.Impersonate, token)
	}
	return allowed && f.impersonatable(user, requester)
}

// canClientImpersonate is UserPermissions.canClientImpersonate (direct naked impersonation):
// only the impersonate permission, for the client's identity; no admin-role shortcut.
func (f fgap) canClientImpersonate(requester *scenarios.Client, user *scenarios.User) bool {
	if !f.on || f.realm.UserPermissions == nil {
		return false
	}
	return grants(f.realm.UserPermissions.Impersonate, clientIdentity(f.realm, requester)) && f.impersonatable(user, nil)
}

// impersonatable is UserPermissions.isImpersonatable: allowed unless a user-impersonated
// permission with policies refuses; naked impersonation evaluates it without kc.client.id.
func (f fgap) impersonatable(u *scenarios.User, requester *scenarios.Client) bool {
	if !f.on || f.realm.UserPermissions == nil || len(f.realm.UserPermissions.UserImpersonated.Policies) == 0 {
		return true
	}
	clientID := ""
	if requester != nil {
		clientID = requester.ClientID
	}
	return grants(f.realm.UserPermissions.UserImpersonated, userIdentity(u, clientID))
}
