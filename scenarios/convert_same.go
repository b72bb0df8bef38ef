package scenarios

import (
	"maps"
	"slices"
)

// Equality of resolved entities, for leaving out built-in content that an export repeats.
// Internal ids are not compared: Keycloak gives every realm new ones. Client scopes of clients
// are not either: see inheritsScopes.

func sameClient(a, b *Client) bool {
	return a.Name == b.Name && a.Description == b.Description && a.Enabled == b.Enabled &&
		a.PublicClient == b.PublicClient && a.BearerOnly == b.BearerOnly &&
		a.ClientAuthenticatorType == b.ClientAuthenticatorType && a.Secret == b.Secret &&
		a.ConsentRequired == b.ConsentRequired && a.StandardFlowEnabled == b.StandardFlowEnabled &&
		a.ImplicitFlowEnabled == b.ImplicitFlowEnabled && a.DirectAccessGrantsEnabled == b.DirectAccessGrantsEnabled &&
		a.ServiceAccountsEnabled == b.ServiceAccountsEnabled && a.FullScopeAllowed == b.FullScopeAllowed &&
		a.RootURL == b.RootURL && a.BaseURL == b.BaseURL && a.AdminURL == b.AdminURL &&
		sameSet(a.RedirectURIs, b.RedirectURIs) && sameSet(a.WebOrigins, b.WebOrigins) &&
		maps.Equal(clientAttributes(a.Attributes), clientAttributes(b.Attributes)) &&
		sameMappers(a.ProtocolMappers, b.ProtocolMappers) &&
		sameSet(roleKeys(a.ScopeMappings), roleKeys(b.ScopeMappings)) &&
		a.Permissions == nil && b.Permissions == nil
}

func sameScope(a, b *ClientScope) bool {
	return a.Description == b.Description && a.Protocol == b.Protocol &&
		maps.Equal(a.Attributes, b.Attributes) && a.IncludeInTokenScope == b.IncludeInTokenScope &&
		sameMappers(a.ProtocolMappers, b.ProtocolMappers) &&
		sameSet(roleKeys(a.ScopeMappings), roleKeys(b.ScopeMappings))
}

func sameRole(a, b *Role) bool {
	return a.Description == b.Description && sameSet(roleKeys(a.Composites), roleKeys(b.Composites)) &&
		maps.EqualFunc(a.Attributes, b.Attributes, slices.Equal)
}

func sameMappers(a, b []*ProtocolMapper) bool {
	if len(a) != len(b) {
		return false
	}
	byName := map[string]*ProtocolMapper{}
	for _, m := range b {
		byName[m.Name] = m
	}
	for _, m := range a {
		o := byName[m.Name]
		if o == nil || o.Type != m.Type || !maps.Equal(o.Config, m.Config) {
			return false
		}
	}
	return true
}

// roleKeys names roles as policies do: "name" or "clientId/name".
func roleKeys(roles []*Role) []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = r.Name
		if r.Client != nil {
			out[i] = r.Client.ClientID + "/" + r.Name
		}
	}
	return out
}
