package scenarios

import "strings"

// NewBrokeredUser makes a user the way Keycloak imports one from an identity provider at run
// time (external token exchange): enabled, the realm's default roles, linked to the provider
// account. It is not added to the realm (the model stays immutable); the caller keeps it.
func (r *Realm) NewBrokeredUser(id, username, email, firstName, lastName string, emailVerified bool, link FederatedIdentity) *User {
	u := &User{
		ID:                  id,
		Username:            strings.ToLower(strings.TrimSpace(username)),
		Enabled:             true,
		Email:               email,
		EmailVerified:       emailVerified,
		FirstName:           firstName,
		LastName:            lastName,
		Attributes:          map[string][]string{},
		Consents:            map[string][]string{},
		FederatedIdentities: []FederatedIdentity{link},
	}
	if r.DefaultRole != nil {
		u.RoleMappings = []*Role{r.DefaultRole}
	}
	u.effective = effectiveRoles(u)
	return u
}
