package scenarios

// The types in this file are the TOML form of a scenario, decoded strictly. Field names are
// Keycloak's realm-export (RealmRepresentation) names turned into snake_case, so an admin who
// knows the export can guess every key. They are resolved into the model (model.go) by resolve.go.

type fileDoc struct {
	Server *serverDoc `toml:"server"`
	Realms []realmDoc `toml:"realms"`
	// Cases are test cases for `kcmock check`; package cases owns their schema and checks them.
	Cases []map[string]any `toml:"cases"`
}

// serverDoc holds what Keycloak sets per server, not per realm.
type serverDoc struct {
	Version          string   `toml:"version"`           // emulated Keycloak version, e.g. "26.4"
	Features         []string `toml:"features"`          // like KC_FEATURES
	FeaturesDisabled []string `toml:"features_disabled"` // like KC_FEATURES_DISABLED
}

type realmDoc struct {
	ID                                 string    `toml:"id"`
	Realm                              string    `toml:"realm"`
	DisplayName                        string    `toml:"display_name"`
	Enabled                            *bool     `toml:"enabled"`
	AccessTokenLifespan                *Duration `toml:"access_token_lifespan"`
	AccessTokenLifespanForImplicitFlow *Duration `toml:"access_token_lifespan_for_implicit_flow"`
	SSOSessionIdleTimeout              *Duration `toml:"sso_session_idle_timeout"`
	SSOSessionMaxLifespan              *Duration `toml:"sso_session_max_lifespan"`
	OfflineSessionIdleTimeout          *Duration `toml:"offline_session_idle_timeout"`
	OfflineSessionMaxLifespanEnabled   *bool     `toml:"offline_session_max_lifespan_enabled"`
	OfflineSessionMaxLifespan          *Duration `toml:"offline_session_max_lifespan"`
	ClientSessionIdleTimeout           *Duration `toml:"client_session_idle_timeout"`
	ClientSessionMaxLifespan           *Duration `toml:"client_session_max_lifespan"`
	AccessCodeLifespan                 *Duration `toml:"access_code_lifespan"`
	AccessCodeLifespanUserAction       *Duration `toml:"access_code_lifespan_user_action"`
	AccessCodeLifespanLogin            *Duration `toml:"access_code_lifespan_login"`
	RevokeRefreshToken                 *bool     `toml:"revoke_refresh_token"`
	RefreshTokenMaxReuse               *int      `toml:"refresh_token_max_reuse"`
	DefaultSignatureAlgorithm          string    `toml:"default_signature_algorithm"`
	NotBefore                          int64     `toml:"not_before"`
	LoginWithEmailAllowed              *bool     `toml:"login_with_email_allowed"`
	DuplicateEmailsAllowed             *bool     `toml:"duplicate_emails_allowed"`
	// VerifyProfile is the Verify Profile required action (on in new realms since Keycloak 24);
	// UserProfileRequired the attributes the user profile requires of users (default email,
	// firstName and lastName; none in the master realm).
	VerifyProfile               *bool                        `toml:"verify_profile"`
	UserProfileRequired         *[]string                    `toml:"user_profile_required"`
	DefaultRoles                []string                     `toml:"default_roles"`
	DefaultDefaultClientScopes  []string                     `toml:"default_default_client_scopes"`
	DefaultOptionalClientScopes []string                     `toml:"default_optional_client_scopes"`
	Attributes                  Attributes                   `toml:"attributes"`
	Roles                       *rolesDoc                    `toml:"roles"`
	Groups                      []groupDoc                   `toml:"groups"`
	ClientScopes                []clientScopeDoc             `toml:"client_scopes"`
	Clients                     []clientDoc                  `toml:"clients"`
	Users                       []userDoc                    `toml:"users"`
	ScopeMappings               []scopeMappingDoc            `toml:"scope_mappings"`
	ClientScopeMappings         map[string][]scopeMappingDoc `toml:"client_scope_mappings"`
	Keys                        []keyDoc                     `toml:"keys"`
	// Fine-grained admin permissions v1: the policies of realm-management's authorization
	// settings and the Users permissions (admin console: Users → Permissions).
	Policies          []policyDoc           `toml:"policies"`
	UserPermissions   *permissionsDoc       `toml:"user_permissions"`
	IdentityProviders []identityProviderDoc `toml:"identity_providers"`
}

// policyDoc is an authorization policy of realm-management (admin console: Clients →
// realm-management → Authorization → Policies): a client, role or user policy.
type policyDoc struct {
	Name        string          `toml:"name"`
	Description string          `toml:"description"`
	Type        string          `toml:"type"`  // "client", "role" or "user"
	Logic       string          `toml:"logic"` // "POSITIVE" (default) or "NEGATIVE"
	Clients     []string        `toml:"clients"`
	Roles       []policyRoleDoc `toml:"roles"`
	Users       []string        `toml:"users"`
}

// policyRoleDoc names a role as Keycloak's exports do: "role" for a realm role,
// "clientId/role" for a client role.
type policyRoleDoc struct {
	Role     string `toml:"role"`
	Required bool   `toml:"required"`
}

// permissionsDoc is a "Permissions" tab: enabled, and the scope permissions with the policies
// attached to them. A permission not listed exists with no policy, as Keycloak creates it.
type permissionsDoc struct {
	Enabled          *bool          `toml:"enabled"`
	TokenExchange    *permissionDoc `toml:"token-exchange"`
	Impersonate      *permissionDoc `toml:"impersonate"`
	UserImpersonated *permissionDoc `toml:"user-impersonated"`
}

type permissionDoc struct {
	Policies         []string `toml:"policies"`
	DecisionStrategy string   `toml:"decision_strategy"` // UNANIMOUS (default), AFFIRMATIVE, CONSENSUS
}

// identityProviderDoc is an identity provider whose tokens can be exchanged (external to
// internal token exchange).
type identityProviderDoc struct {
	Alias       string          `toml:"alias"`
	DisplayName string          `toml:"display_name"`
	ProviderID  string          `toml:"provider_id"` // "oidc" or "keycloak-oidc"
	Enabled     *bool           `toml:"enabled"`
	Config      Attributes      `toml:"config"`
	Permissions *permissionsDoc `toml:"permissions"`
}

type rolesDoc struct {
	Realm  []roleDoc            `toml:"realm"`
	Client map[string][]roleDoc `toml:"client"`
}

type roleDoc struct {
	ID          string              `toml:"id"`
	Name        string              `toml:"name"`
	Description string              `toml:"description"`
	Composite   *bool               `toml:"composite"` // informative in exports; derived from composites
	Composites  *roleRefsDoc        `toml:"composites"`
	Attributes  map[string][]string `toml:"attributes"`
}

// roleRefsDoc names realm roles and client roles (by clientId), as Keycloak's composites and
// the scope-mapping shorthand do.
type roleRefsDoc struct {
	Realm  []string            `toml:"realm"`
	Client map[string][]string `toml:"client"`
}

type groupDoc struct {
	ID          string              `toml:"id"`
	Name        string              `toml:"name"`
	Path        string              `toml:"path"`
	RealmRoles  []string            `toml:"realm_roles"`
	ClientRoles map[string][]string `toml:"client_roles"`
	Attributes  map[string][]string `toml:"attributes"`
	SubGroups   []groupDoc          `toml:"sub_groups"`
}

type clientScopeDoc struct {
	ID              string              `toml:"id"`
	Name            string              `toml:"name"`
	Description     string              `toml:"description"`
	Protocol        string              `toml:"protocol"`
	Attributes      Attributes          `toml:"attributes"`
	ProtocolMappers []protocolMapperDoc `toml:"protocol_mappers"`
	ScopeMappings   *roleRefsDoc        `toml:"scope_mappings"` // shorthand for the realm-level scope mappings
}

type clientDoc struct {
	ID                        string              `toml:"id"`
	ClientID                  string              `toml:"client_id"`
	Name                      string              `toml:"name"`
	Description               string              `toml:"description"`
	Enabled                   *bool               `toml:"enabled"`
	Protocol                  string              `toml:"protocol"`
	PublicClient              *bool               `toml:"public_client"`
	BearerOnly                *bool               `toml:"bearer_only"`
	ClientAuthenticatorType   string              `toml:"client_authenticator_type"`
	Secret                    *string             `toml:"secret"`
	ConsentRequired           *bool               `toml:"consent_required"`
	StandardFlowEnabled       *bool               `toml:"standard_flow_enabled"`
	ImplicitFlowEnabled       *bool               `toml:"implicit_flow_enabled"`
	DirectAccessGrantsEnabled *bool               `toml:"direct_access_grants_enabled"`
	ServiceAccountsEnabled    *bool               `toml:"service_accounts_enabled"`
	FrontchannelLogout        *bool               `toml:"frontchannel_logout"`
	FullScopeAllowed          *bool               `toml:"full_scope_allowed"`
	RootURL                   string              `toml:"root_url"`
	BaseURL                   string              `toml:"base_url"`
	AdminURL                  string              `toml:"admin_url"`
	RedirectURIs              []string            `toml:"redirect_uris"`
	WebOrigins                []string            `toml:"web_origins"`
	DefaultClientScopes       *[]string           `toml:"default_client_scopes"`
	OptionalClientScopes      *[]string           `toml:"optional_client_scopes"`
	Attributes                Attributes          `toml:"attributes"`
	ProtocolMappers           []protocolMapperDoc `toml:"protocol_mappers"`
	ScopeMappings             *roleRefsDoc        `toml:"scope_mappings"` // shorthand for the realm-level scope mappings
	Permissions               *permissionsDoc     `toml:"permissions"`    // admin console: the client's Permissions tab
}

type protocolMapperDoc struct {
	ID             string     `toml:"id"`
	Name           string     `toml:"name"`
	Protocol       string     `toml:"protocol"`
	ProtocolMapper string     `toml:"protocol_mapper"`
	Config         Attributes `toml:"config"`
}

type userDoc struct {
	ID                     string                `toml:"id"`
	Username               string                `toml:"username"`
	Enabled                *bool                 `toml:"enabled"`
	Email                  string                `toml:"email"`
	EmailVerified          *bool                 `toml:"email_verified"`
	FirstName              string                `toml:"first_name"`
	LastName               string                `toml:"last_name"`
	Password               *string               `toml:"password"` // shorthand for one non-temporary password credential
	Credentials            []credentialDoc       `toml:"credentials"`
	RequiredActions        []string              `toml:"required_actions"`
	RealmRoles             []string              `toml:"realm_roles"`
	ClientRoles            map[string][]string   `toml:"client_roles"`
	Groups                 []string              `toml:"groups"`
	Attributes             map[string]StringList `toml:"attributes"`
	ServiceAccountClientID string                `toml:"service_account_client_id"`
	ClientConsents         []consentDoc          `toml:"client_consents"`
	FederatedIdentities    []federatedDoc        `toml:"federated_identities"`
	CreatedTimestamp       int64                 `toml:"created_timestamp"`
}

// federatedDoc links a user to an identity provider account.
type federatedDoc struct {
	IdentityProvider string `toml:"identity_provider"`
	UserID           string `toml:"user_id"`
	UserName         string `toml:"user_name"`
}

type credentialDoc struct {
	Type      string `toml:"type"`
	Value     string `toml:"value"`
	Temporary bool   `toml:"temporary"`
	// A hashed password as Keycloak stores it (an export's credentialData and secretData):
	// instead of value.
	Algorithm            string     `toml:"algorithm"` // pbkdf2-sha256, pbkdf2-sha512, pbkdf2, argon2…
	HashIterations       int        `toml:"hash_iterations"`
	Salt                 string     `toml:"salt"`                  // standard base64
	HashedValue          string     `toml:"hashed_value"`          // standard base64
	AdditionalParameters Attributes `toml:"additional_parameters"` // argon2: type, version, memory, parallelism, hashLength
}

type consentDoc struct {
	ClientID            string   `toml:"client_id"`
	GrantedClientScopes []string `toml:"granted_client_scopes"`
}

// scopeMappingDoc is Keycloak's export form of a scope mapping: realm-level `scope_mappings`
// name a client or a client scope and realm roles; `client_scope_mappings.<clientId>` name
// roles of that client.
type scopeMappingDoc struct {
	Client      string   `toml:"client"`
	ClientScope string   `toml:"client_scope"`
	Roles       []string `toml:"roles"`
}

// keyDoc pins a realm key so that tokens stay valid across restarts and instances.
type keyDoc struct {
	Algorithm       string `toml:"algorithm"` // RS256…, ES256…, EdDSA, RSA-OAEP (encryption), HS512 (refresh tokens)
	PrivateKey      string `toml:"private_key"`
	PrivateKeyFile  string `toml:"private_key_file"`
	Certificate     string `toml:"certificate"`
	CertificateFile string `toml:"certificate_file"`
	Secret          string `toml:"secret"` // HS512 only
	Kid             string `toml:"kid"`    // HS512 only; asymmetric kids are derived from the key
	Active          *bool  `toml:"active"`
}
