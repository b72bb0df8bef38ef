package scenarios

import (
	"strings"
	"time"

	"github.com/kcmock/kcmock/tokens"
)

// Scenario is a loaded, validated set of realms plus the server settings they run under.
// It is immutable after Load: share it freely between goroutines.
type Scenario struct {
	Server Server
	Realms []*Realm // in file order
	byName map[string]*Realm
}

// Realm returns the realm with that exact (case-sensitive) name, or nil.
func (s *Scenario) Realm(name string) *Realm { return s.byName[name] }

// Server is what Keycloak configures per server rather than per realm.
type Server struct {
	Version  Version
	features map[string]bool
}

// Feature reports whether a server feature (Keycloak's name, e.g. "token-exchange-standard")
// is enabled under the emulated version.
func (s Server) Feature(name string) bool { return s.features[name] }

// Realm is one realm with everything a request needs, indexed by the keys requests use.
type Realm struct {
	ID          string
	Name        string
	DisplayName string
	Enabled     bool

	AccessTokenLifespan                time.Duration
	AccessTokenLifespanForImplicitFlow time.Duration
	SSOSessionIdleTimeout              time.Duration
	SSOSessionMaxLifespan              time.Duration
	OfflineSessionIdleTimeout          time.Duration
	OfflineSessionMaxLifespanEnabled   bool
	OfflineSessionMaxLifespan          time.Duration
	ClientSessionIdleTimeout           time.Duration // 0 inherits the SSO value
	ClientSessionMaxLifespan           time.Duration // 0 inherits the SSO value
	AccessCodeLifespan                 time.Duration
	AccessCodeLifespanUserAction       time.Duration
	AccessCodeLifespanLogin            time.Duration
	RevokeRefreshToken                 bool
	RefreshTokenMaxReuse               int
	DefaultSignatureAlgorithm          string
	NotBefore                          int64
	LoginWithEmailAllowed              bool
	DuplicateEmailsAllowed             bool
	Attributes                         map[string]string
	// VerifyProfile: logins of users whose profile misses a ProfileRequired attribute (or has
	// an invalid email) stop at the Verify Profile required action (ProfileGaps).
	VerifyProfile   bool
	ProfileRequired []string
	// StepUpAuthentication is the server feature (on by default): with it, acr comes from the
	// acr client scope's mapper; without it, every token carries it from initToken.
	StepUpAuthentication bool

	// Keys are the realm's keys as loaded: pinned ones from the scenario, the rest generated.
	Keys *tokens.KeySet

	DefaultRole           *Role
	DefaultDefaultScopes  []*ClientScope
	DefaultOptionalScopes []*ClientScope

	Clients      []*Client // in declaration order, built-in clients first
	Users        []*User
	ClientScopes []*ClientScope
	Groups       []*Group // top-level groups

	// Fine-grained admin permissions v1. UserPermissions is nil unless Users → Permissions is
	// enabled; Policies by name.
	Policies          map[string]*Policy
	UserPermissions   *Permissions
	IdentityProviders []*IdentityProvider

	realmRoles      map[string]*Role
	clientsByID     map[string]*Client // by clientId
	clientsByUUID   map[string]*Client
	usersByName     map[string]*User // lower-cased username
	usersByID       map[string]*User
	usersByEmail    map[string]*User // lower-cased; only when emails are unique
	scopesByName    map[string]*ClientScope
	groupsByPath    map[string]*Group
	serviceAccounts map[*Client]*User

	idpsByAlias       map[string]*IdentityProvider
	usersByFederation map[string]*User
}

// Client returns the client with that clientId, or nil.
func (r *Realm) Client(clientID string) *Client { return r.clientsByID[clientID] }

// ClientByUUID returns the client with that internal id, or nil.
func (r *Realm) ClientByUUID(id string) *Client { return r.clientsByUUID[id] }

// User returns the user with that username (case-insensitive, as Keycloak stores usernames
// lower-cased), or nil.
func (r *Realm) User(username string) *User { return r.usersByName[strings.ToLower(username)] }

// UserByID returns the user with that id, or nil.
func (r *Realm) UserByID(id string) *User { return r.usersByID[id] }

// UserByEmail returns the user with that e-mail address (case-insensitive), or nil.
func (r *Realm) UserByEmail(email string) *User { return r.usersByEmail[strings.ToLower(email)] }

// ClientScope returns the client scope with that name, or nil.
func (r *Realm) ClientScope(name string) *ClientScope { return r.scopesByName[name] }

// RealmRole returns the realm role with that name, or nil.
func (r *Realm) RealmRole(name string) *Role { return r.realmRoles[name] }

// Group returns the group with that path ("/parent/child"), or nil.
func (r *Realm) Group(path string) *Group { return r.groupsByPath[path] }

// ServiceAccount returns the service-account user of a client, or nil.
func (r *Realm) ServiceAccount(c *Client) *User { return r.serviceAccounts[c] }

// Role is a realm role (Client nil) or a client role.
type Role struct {
	ID          string
	Name        string
	Description string
	Client      *Client
	Composites  []*Role
	Attributes  map[string][]string

	expanded []*Role // the role and every role it contains, transitively
}

// Expanded returns the role itself and every role it contains through composites.
func (r *Role) Expanded() []*Role { return r.expanded }

// Group is a group with its role mappings; members get its roles and its parents' roles.
type Group struct {
	ID         string
	Name       string
	Path       string
	Parent     *Group
	Roles      []*Role
	Attributes map[string][]string
	SubGroups  []*Group
}

// Client is an OIDC client.
type Client struct {
	ID                        string // internal id (UUID)
	ClientID                  string
	Name                      string
	Description               string
	Enabled                   bool
	PublicClient              bool
	BearerOnly                bool
	ClientAuthenticatorType   string
	Secret                    string
	ConsentRequired           bool
	StandardFlowEnabled       bool
	ImplicitFlowEnabled       bool
	DirectAccessGrantsEnabled bool
	ServiceAccountsEnabled    bool
	FrontchannelLogout        bool
	FullScopeAllowed          bool
	RootURL                   string
	BaseURL                   string
	AdminURL                  string
	RedirectURIs              []string
	WebOrigins                []string
	Attributes                map[string]string
	DefaultScopes             []*ClientScope
	OptionalScopes            []*ClientScope
	ProtocolMappers           []*ProtocolMapper
	// ScopeMappings are the roles this client's own scope allows when full scope is off.
	ScopeMappings []*Role
	Roles         []*Role
	// Permissions is nil unless the client's permissions are enabled.
	Permissions *Permissions

	roles map[string]*Role
}

// Role returns the client role with that name, or nil.
func (c *Client) Role(name string) *Role { return c.roles[name] }

// Attr returns a client attribute ("" when unset).
func (c *Client) Attr(name string) string { return c.Attributes[name] }

// AttrBool reads a boolean client attribute the way Keycloak does: "true" (any case) is true,
// an unset attribute takes def, anything else is false.
func (c *Client) AttrBool(name string, def bool) bool {
	v, ok := c.Attributes[name]
	if !ok || v == "" {
		return def
	}
	return strings.EqualFold(v, "true")
}

// ClientScope is a client scope with its mappers and role scope mappings.
type ClientScope struct {
	ID                  string
	Name                string
	Description         string
	Protocol            string
	Attributes          map[string]string
	IncludeInTokenScope bool
	ProtocolMappers     []*ProtocolMapper
	ScopeMappings       []*Role
}

// ProtocolMapper is a protocol mapper with Keycloak's config keys.
type ProtocolMapper struct {
	ID     string
	Name   string
	Type   string // Keycloak's protocolMapper id, e.g. "oidc-usermodel-attribute-mapper"
	Config map[string]string
}

// ConfigBool reads a "true"/"false" mapper config value with a default.
func (m *ProtocolMapper) ConfigBool(key string, def bool) bool {
	v, ok := m.Config[key]
	if !ok || v == "" {
		return def
	}
	return strings.EqualFold(v, "true")
}

// User is a realm user, including service-account users.
type User struct {
	ID                   string
	Username             string // lower-cased, as Keycloak stores it
	Enabled              bool
	Email                string
	EmailVerified        bool
	FirstName            string
	LastName             string
	Password             string        // a plain password; "" when none (see CheckPassword)
	PasswordHash         *PasswordHash // a hashed password credential instead, as Keycloak stores it
	PasswordTemporary    bool
	RequiredActions      []string
	Attributes           map[string][]string
	Groups               []*Group
	RoleMappings         []*Role // direct role mappings, default role included
	ServiceAccountClient *Client
	Consents             map[string][]string // clientId → granted client scope names
	FederatedIdentities  []FederatedIdentity
	CreatedTimestamp     int64

	effective map[*Role]bool
}

// HasRole reports whether the user holds the role directly, through a group, through the
// default role, or through composites.
func (u *User) HasRole(r *Role) bool { return u.effective[r] }

// EffectiveRoles returns every role the user holds (deep role mappings), in a stable order.
func (u *User) EffectiveRoles() map[*Role]bool { return u.effective }

// ProfileGaps lists what the Verify Profile required action would ask the user to fix at a
// login: each required attribute that is empty, and an email that is not an address. Service
// accounts have no profile to verify; a realm with the action off asks nothing.
func (r *Realm) ProfileGaps(u *User) []string {
	if !r.VerifyProfile || u.ServiceAccountClient != nil {
		return nil
	}
	var gaps []string
	for _, name := range r.ProfileRequired {
		if u.profileValue(name) == "" {
			gaps = append(gaps, name)
		}
	}
	if u.Email != "" && !plausibleEmail(u.Email) {
		gaps = append(gaps, "email (not an address)")
	}
	return gaps
}

func (u *User) profileValue(name string) string {
	switch name {
	case "username":
		return u.Username
	case "email":
		return u.Email
	case "firstName":
		return u.FirstName
	case "lastName":
		return u.LastName
	}
	for _, v := range u.Attributes[name] {
		if v != "" {
			return v
		}
	}
	return ""
}

// plausibleEmail is the shape Keycloak's email validator asks for at least: one @ between a
// non-empty local part and a domain without spaces.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t") && strings.Count(s, "@") == 1
}
