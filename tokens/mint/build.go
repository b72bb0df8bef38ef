package mint

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
)

// SessionKind is the kind of user session a token belongs to; it is encoded in the access
// token's jti (Keycloak 26.2+).
type SessionKind int

// Session kinds and their two-letter jti codes.
const (
	Online    SessionKind = iota // "on"
	Offline                      // "of"
	Transient                    // "tr": client_credentials without refresh tokens
	// OnlineTransientClient is an online user session used by a client that has no client
	// session in it (standard token exchange); OfflineTransientClient the same for offline.
	OnlineTransientClient  // "nt"
	OfflineTransientClient // "ft"
)

var sessionCodes = [...]string{Online: "on", Offline: "of", Transient: "tr", OnlineTransientClient: "nt", OfflineTransientClient: "ft"}

// Grant shortcuts of Keycloak's access-token context (jti prefix).
const (
	GrantPassword          = "ro"
	GrantClientCredentials = "cc"
	GrantAuthorizationCode = "ac"
	GrantRefresh           = "rt"
	GrantTokenExchange     = "te"
)

// Session is what the mappers and expiry rules need from the user session.
type Session struct {
	ID       string // sid; empty for transient sessions (no sid claim)
	Kind     SessionKind
	AuthTime int64             // set by browser logins only; password grants have none
	Acr      string            // "1" fresh authentication, "0" SSO re-authentication
	Notes    map[string]string // user-session notes (clientHost, clientAddress, client_id)
	// AccessCap caps access-token exp (session max lifespan), 0 for none.
	AccessCap int64
	// RefreshExp is the refresh token's exp; 0 means the token has none (offline, no max).
	RefreshExp int64
	// OfflineRequested: the request named offline_access (permitted or not). An online
	// session's access token is then "of" too (DefaultTokenContextEncoderProvider reads
	// isOfflineTokenRequested), as when a client without refresh tokens asks for it.
	OfflineRequested bool
}

// Request is one token issuance.
type Request struct {
	Realm   *scenarios.Realm
	Client  *scenarios.Client
	User    *scenarios.User
	Scopes  Scopes
	Issuer  string
	Now     time.Time
	Session Session
	Grant   string  // one of the Grant* shortcuts
	Nonce   *string // the authorization request's nonce; nil when it had none
	// Audience, when set, narrows aud and resource_access to these client ids (the standard
	// token exchange's audience parameter, kept in refresh tokens as req-aud).
	Audience []string
	// IssuedFor, when set, replaces azp in access and refresh tokens: the legacy exchange
	// builds tokens for its target client and issues them to the requester.
	IssuedFor string
	// RefreshScope, when set, is the refresh token's scope instead of the granted scopes': a
	// refresh keeps the old refresh token's scope however it narrowed the access token.
	RefreshScope *string
	// PlainJTI makes access-token ids plain, as before Keycloak 26.2 encoded the session and
	// grant in them.
	PlainJTI bool
}

func (req *Request) azp() string {
	if req.IssuedFor != "" {
		return req.IssuedFor
	}
	return req.Client.ClientID
}

// Builder builds claims. NewID makes the random part of token ids.
type Builder struct {
	NewID func() string
}

// NewRandomID returns a UUID-shaped random id as Keycloak 26.4's SecretGenerator makes them
// (all 128 bits random, so the version nibble is random too).
func NewRandomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return FormatUUID(b)
}

// FormatUUID writes 16 bytes in the 8-4-4-4-12 hex form, as they are, without setting RFC 4122
// version bits (Keycloak 26.4's ids have random version nibbles).
func FormatUUID(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

func (b *Builder) id() string {
	if b.NewID != nil {
		return b.NewID()
	}
	return NewRandomID()
}

// AccessLifespan is the client's access.token.lifespan attribute when set, else the realm's.
func AccessLifespan(r *scenarios.Realm, c *scenarios.Client) time.Duration {
	if v := c.Attr("access.token.lifespan"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return r.AccessTokenLifespan
}

// Access builds the access-token claims.
func (b *Builder) Access(req *Request) *tokens.Claims {
	now := req.Now.Unix()
	exp := now + int64(AccessLifespan(req.Realm, req.Client)/time.Second)
	if req.Session.AccessCap > 0 && exp > req.Session.AccessCap {
		exp = req.Session.AccessCap
	}
	jti := b.id()
	if !req.PlainJTI {
		code := sessionCodes[req.Session.Kind]
		if req.Session.Kind == Online && req.Session.OfflineRequested {
			code = sessionCodes[Offline]
		}
		jti = code + "rt" + req.Grant + ":" + jti
	}
	c := &tokens.Claims{
		Exp: exp,
		Iat: now,
		JTI: jti,
		Iss: req.Issuer,
		Typ: "Bearer",
		Azp: req.azp(),
		Sid: req.Session.ID,
	}
	switch req.Session.Kind {
	case Transient, OnlineTransientClient, OfflineTransientClient:
		// initToken names the user of a transient user session itself, whatever the mappers
		// do; tokens of transient client sessions are built on a transient copy of the session.
		c.Sub = req.User.ID
	}
	if !req.Realm.StepUpAuthentication {
		// initToken's behaviour before step-up authentication: "0" after an SSO login, else "1".
		c.Acr = req.Session.Acr
		if c.Acr == "" {
			c.Acr = "1"
		}
	}
	scope := req.Scopes.String(true)
	c.Scope = &scope
	fill(req, TargetAccess, c)
	if len(req.Audience) > 0 {
		restrictAudience(c, req.Audience)
	}
	return c
}

// restrictAudience is TokenManager.restrictRequestedAudience: aud keeps only requested client
// ids, and resource_access only the entries of the clients left in aud. realm_access stays.
// A token without aud is left alone (the exchange then refuses the missing audience).
func restrictAudience(c *tokens.Claims, requested []string) {
	if len(c.Aud) == 0 {
		return
	}
	want := make(map[string]bool, len(requested))
	for _, a := range requested {
		want[a] = true
	}
	kept := c.Aud[:0:0]
	for _, a := range c.Aud {
		if want[a] {
			kept = append(kept, a)
		}
	}
	c.Aud = kept
	inAud := make(map[string]bool, len(kept))
	for _, a := range kept {
		inAud[a] = true
	}
	ra := c.ResourceAccess[:0:0]
	for _, e := range c.ResourceAccess {
		if inAud[e.Client] {
			ra = append(ra, e)
		}
	}
	c.ResourceAccess = ra
}

// ID builds the ID-token claims to go with an access token (its exp, and at_hash of its bytes).
func (b *Builder) ID(req *Request, access *tokens.Claims, accessToken string, alg string) *tokens.Claims {
	c := &tokens.Claims{
		Exp:   access.Exp,
		Iat:   access.Iat,
		JTI:   b.id(),
		Iss:   req.Issuer,
		Aud:   []string{req.Client.ClientID},
		Sub:   req.User.ID, // ID tokens always carry sub, whatever the scopes
		Typ:   "ID",
		Azp:   req.Client.ClientID,
		Nonce: req.Nonce,
		Sid:   req.Session.ID,
	}
	if accessToken != "" {
		c.AtHash = HalfHash(alg, accessToken)
	}
	if !req.Realm.StepUpAuthentication {
		c.Acr = access.Acr // generateIDToken copies it when the feature is off
	}
	fill(req, TargetID, c)
	c.Sub = req.User.ID
	return c
}

// Refresh builds refresh-token (or offline-token) claims: aud is the issuer, scope lists every
// granted client scope.
func (b *Builder) Refresh(req *Request) *tokens.Claims {
	typ := "Refresh"
	if req.Session.Kind == Offline {
		typ = "Offline"
	}
	scope := req.Scopes.String(false)
	if req.RefreshScope != nil {
		scope = *req.RefreshScope
	}
	c := &tokens.Claims{
		Exp:   req.Session.RefreshExp,
		Iat:   req.Now.Unix(),
		JTI:   b.id(),
		Iss:   req.Issuer,
		Aud:   []string{req.Issuer},
		Sub:   req.User.ID,
		Typ:   typ,
		Azp:   req.azp(),
		Sid:   req.Session.ID,
		Scope: &scope,
	}
	if len(req.Audience) > 0 {
		// A set of client ids (Collectors.toSet()): each once, in HashSet order.
		order := tokens.JavaHashOrder(req.Audience)
		aud := make([]string, 0, len(order))
		for _, i := range order {
			aud = append(aud, req.Audience[i])
		}
		c.Other = []tokens.Claim{{Name: "req-aud", Value: aud}}
	}
	return c
}

// Mapped runs the mappers for userinfo or introspection (sub and the mapped claims only; the
// caller adds what those endpoints add).
func Mapped(req *Request, t Target) *tokens.Claims {
	c := &tokens.Claims{}
	fill(req, t, c)
	return c
}
