package scenarios

import "crypto"

// Policy is a realm-management authorization policy (fine-grained admin permissions v1).
type Policy struct {
	Name     string
	Type     string // "client", "role" or "user"
	Negative bool   // logic NEGATIVE inverts the outcome
	Clients  []*Client
	Roles    []PolicyRole
	Users    []*User
}

// PolicyRole is one role of a role policy.
type PolicyRole struct {
	Role     *Role
	Required bool
}

// Decision strategies of a permission.
const (
	Unanimous   = "UNANIMOUS"
	Affirmative = "AFFIRMATIVE"
	Consensus   = "CONSENSUS"
)

// Permission is a scope permission with its policies. Keycloak creates permissions without
// policies when permissions are enabled on an object.
type Permission struct {
	Policies         []*Policy
	DecisionStrategy string
}

// Permissions is what a "Permissions" tab holds once enabled.
type Permissions struct {
	TokenExchange    Permission
	Impersonate      Permission
	UserImpersonated Permission
}

// IdentityProvider is an identity provider of the realm.
type IdentityProvider struct {
	Alias       string
	InternalID  string
	DisplayName string
	ProviderID  string
	Enabled     bool
	Config      map[string]string
	// Permissions is nil unless the provider's permissions are enabled.
	Permissions *Permissions
	// PublicKey is the parsed publicKeySignatureVerifier; JWKSRealm the realm of this scenario
	// whose certs endpoint jwksUrl names (kcmock fetches nothing from the network).
	PublicKey crypto.PublicKey
	JWKSRealm string
}

// FederatedIdentity links a user to an identity provider account.
type FederatedIdentity struct {
	Provider string // alias
	UserID   string
	UserName string
}

// IdentityProvider returns the provider with that alias, or nil.
func (r *Realm) IdentityProvider(alias string) *IdentityProvider { return r.idpsByAlias[alias] }

// UserByFederatedIdentity returns the user linked to an account of a provider, or nil.
func (r *Realm) UserByFederatedIdentity(alias, userID string) *User {
	return r.usersByFederation[alias+"\x00"+userID]
}
