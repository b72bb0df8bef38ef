package scenarios

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"strings"
)

// certsPath is a realm's JWKS path, which an identity provider's jwksUrl may name.
var certsPath = regexp.MustCompile(`/realms/([^/]+)/protocol/openid-connect/certs$`)

// idpKeys resolves the keys an identity provider's tokens are checked with. kcmock fetches
// nothing: a jwksUrl must name a realm of the scenario, and a static key must parse.
func (res *resolver) idpKeys(idp *IdentityProvider, p string) {
	if idp.Config["useJwksUrl"] == "true" {
		if u := idp.Config["jwksUrl"]; u != "" {
			m := certsPath.FindStringSubmatch(u)
			if m == nil {
				res.p.add(at(p, "jwksUrl"), "kcmock fetches no keys from the network: point jwksUrl at a realm of the scenario (…/realms/<realm>/protocol/openid-connect/certs) or use publicKeySignatureVerifier")
				return
			}
			idp.JWKSRealm = m[1]
		}
		return
	}
	raw := strings.TrimSpace(idp.Config["publicKeySignatureVerifier"])
	if raw == "" {
		return // Keycloak answers "Invalid server config" when the key is needed
	}
	der := []byte(nil)
	if b, _ := pem.Decode([]byte(raw)); b != nil {
		der = b.Bytes
	} else if d, err := base64.StdEncoding.DecodeString(raw); err == nil {
		der = d
	}
	if pub, err := x509.ParsePKIXPublicKey(der); err == nil {
		idp.PublicKey = pub
		return
	}
	if cert, err := x509.ParseCertificate(der); err == nil {
		idp.PublicKey = cert.PublicKey
		return
	}
	res.p.add(at(p, "publicKeySignatureVerifier"), "not a PEM or base64 public key or certificate")
}

// createIdentityProviders makes the realm's identity providers.
func (res *resolver) createIdentityProviders() {
	r := res.realm
	for i := range res.doc.IdentityProviders {
		d, p := &res.doc.IdentityProviders[i], idx(at(res.path, "identity_providers"), i)
		if d.Alias == "" {
			res.p.add(at(p, "alias"), "an identity provider needs an alias")
			continue
		}
		if r.idpsByAlias[d.Alias] != nil {
			res.p.add(at(p, "alias"), "duplicate identity provider %q", d.Alias)
			continue
		}
		switch d.ProviderID {
		case "oidc", "keycloak-oidc":
		case "":
			res.p.add(at(p, "provider_id"), "an identity provider needs a provider_id (\"oidc\" or \"keycloak-oidc\")")
			continue
		default:
			res.p.add(at(p, "provider_id"), "provider %q is not emulated (\"oidc\" or \"keycloak-oidc\")", d.ProviderID)
			continue
		}
		idp := &IdentityProvider{
			Alias: d.Alias, InternalID: stableID(r.Name, "idp", d.Alias), DisplayName: d.DisplayName,
			ProviderID: d.ProviderID, Enabled: boolOr(d.Enabled, true), Config: d.Config,
		}
		if idp.Config == nil {
			idp.Config = map[string]string{}
		}
		res.idpKeys(idp, at(p, "config"))
		r.idpsByAlias[idp.Alias] = idp
		r.IdentityProviders = append(r.IdentityProviders, idp)
	}
}

// createAuthorization resolves the policies, then the permissions that use them.
func (res *resolver) createAuthorization(clients []located[clientDoc]) {
	r := res.realm
	for i := range res.doc.Policies {
		d, p := &res.doc.Policies[i], idx(at(res.path, "policies"), i)
		pol := res.policy(d, p)
		if pol == nil {
			continue
		}
		if r.Policies[pol.Name] != nil {
			res.p.add(at(p, "name"), "duplicate policy %q", pol.Name)
			continue
		}
		r.Policies[pol.Name] = pol
	}
	for _, l := range clients {
		if l.doc.Permissions == nil {
			continue
		}
		c := r.clientsByID[l.doc.ClientID]
		if c == nil || c.ClientID != l.doc.ClientID {
			continue // the client was refused (no client_id, or a duplicate): already reported
		}
		pp := at(l.path, "permissions")
		if l.doc.Permissions.Impersonate != nil || l.doc.Permissions.UserImpersonated != nil {
			res.p.add(pp, "a client's permissions hold token-exchange only (impersonate and user-impersonated belong to user_permissions)")
		}
		c.Permissions = res.permissions(l.doc.Permissions, pp)
	}
	if d := res.doc.UserPermissions; d != nil {
		pp := at(res.path, "user_permissions")
		if d.TokenExchange != nil {
			res.p.add(at(pp, "token-exchange"), "Users permissions hold impersonate and user-impersonated, not token-exchange")
		}
		r.UserPermissions = res.permissions(d, pp)
	}
	for i, idp := range r.IdentityProviders {
		d := res.doc.IdentityProviders[i].Permissions
		if d == nil {
			continue
		}
		pp := at(idx(at(res.path, "identity_providers"), i), "permissions")
		if d.Impersonate != nil || d.UserImpersonated != nil {
			res.p.add(pp, "an identity provider's permissions hold token-exchange only")
		}
		idp.Permissions = res.permissions(d, pp)
	}
}

func (res *resolver) policy(d *policyDoc, p string) *Policy {
	r := res.realm
	if d.Name == "" {
		res.p.add(at(p, "name"), "a policy needs a name")
		return nil
	}
	pol := &Policy{Name: d.Name, Type: d.Type}
	switch strings.ToUpper(d.Logic) {
	case "", "POSITIVE":
	case "NEGATIVE":
		pol.Negative = true
	default:
		res.p.add(at(p, "logic"), "logic must be POSITIVE or NEGATIVE, not %q", d.Logic)
	}
	want := map[string]bool{"clients": len(d.Clients) > 0, "roles": len(d.Roles) > 0, "users": len(d.Users) > 0}
	need := map[string]string{"client": "clients", "role": "roles", "user": "users"}[d.Type]
	if need == "" {
		res.p.add(at(p, "type"), "policy type %q is not emulated (client, role or user)", d.Type)
		return nil
	}
	for key, set := range want {
		if set && key != need {
			res.p.add(at(p, key), "a %s policy has no %s", d.Type, key)
		}
	}
	if !want[need] {
		res.p.add(at(p, need), "a %s policy needs %s", d.Type, need)
	}
	for i, id := range d.Clients {
		c := r.clientsByID[id]
		if c == nil {
			res.p.add(idx(at(p, "clients"), i), "no client %q in realm %q", id, r.Name)
			continue
		}
		pol.Clients = append(pol.Clients, c)
	}
	for i, rd := range d.Roles {
		rp := at(idx(at(p, "roles"), i), "role")
		var role *Role
		if clientID, name, ok := strings.Cut(rd.Role, "/"); ok {
			if c := r.clientsByID[clientID]; c != nil {
				role = c.roles[name]
			}
		} else {
			role = r.realmRoles[rd.Role]
		}
		if role == nil {
			res.p.add(rp, "no role %q in realm %q (realm roles by name, client roles as \"clientId/role\")", rd.Role, r.Name)
			continue
		}
		pol.Roles = append(pol.Roles, PolicyRole{Role: role, Required: rd.Required})
	}
	for i, name := range d.Users {
		u := r.User(name)
		if u == nil {
			res.p.add(idx(at(p, "users"), i), "no user %q in realm %q", name, r.Name)
			continue
		}
		pol.Users = append(pol.Users, u)
	}
	return pol
}

// permissions resolves an enabled Permissions tab; nil when it is switched off.
func (res *resolver) permissions(d *permissionsDoc, p string) *Permissions {
	if !boolOr(d.Enabled, true) {
		return nil
	}
	return &Permissions{
		TokenExchange:    res.permission(d.TokenExchange, at(p, "token-exchange")),
		Impersonate:      res.permission(d.Impersonate, at(p, "impersonate")),
		UserImpersonated: res.permission(d.UserImpersonated, at(p, "user-impersonated")),
	}
}

func (res *resolver) permission(d *permissionDoc, p string) Permission {
	perm := Permission{DecisionStrategy: Unanimous}
	if d == nil {
		return perm
	}
	switch strings.ToUpper(d.DecisionStrategy) {
	case "", Unanimous:
	case Affirmative, Consensus:
		perm.DecisionStrategy = strings.ToUpper(d.DecisionStrategy)
	default:
		res.p.add(at(p, "decision_strategy"), "decision strategy must be UNANIMOUS, AFFIRMATIVE or CONSENSUS, not %q", d.DecisionStrategy)
	}
	for i, name := range d.Policies {
		pol := res.realm.Policies[name]
		if pol == nil {
			res.p.add(idx(at(p, "policies"), i), "no policy %q in realm %q", name, res.realm.Name)
			continue
		}
		perm.Policies = append(perm.Policies, pol)
	}
	return perm
}
