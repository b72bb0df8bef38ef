package tokens

import "strconv"

// Claim is one claim of the "other claims" map.
type Claim struct {
	Name  string
	Value any // written by appendValue: strings, numbers, bools, []string, []any, maps, json.RawMessage, ...
}

// Access is Keycloak's AccessToken.Access: serialized {"roles":[...]} with roles in JavaHashOrder of
// the given order, because Keycloak keeps them in a HashSet.
type Access struct {
	Roles []string
}

// ClientAccess is one entry of resource_access: a client id and the client roles granted.
type ClientAccess struct {
	Client string
	Access Access
}

// Confirmation is the "cnf" claim of a sender-constrained token (AccessToken.Confirmation).
type Confirmation struct {
	X5tS256 string // "x5t#S256": mTLS certificate thumbprint
	JKT     string // "jkt": DPoP key thumbprint
}

// Claims is a Keycloak JWT payload (access, ID, refresh, logout...). Zero values are omitted
// (Jackson NON_NULL); Exp 0 means no exp (offline tokens).
type Claims struct {
	// Time claims, seconds since the epoch (JsonWebToken; auth_time from IDToken).
	Exp, Nbf, Iat, AuthTime int64

	JTI, Iss string
	Aud      []string // one value → JSON string; several → array; none → omitted

	// String claims of JsonWebToken and IDToken, in their serialization order.
	Sub, Typ, Azp                  string
	Nonce                          *string // nil → omitted; "" is sent (an empty nonce parameter)
	Sid, AtHash, CHash, Acr, SHash string

	// AccessToken members.
	AllowedOrigins []string       // nil → omitted; non-nil empty → []; HashSet order like roles
	RealmAccess    *Access        // nil → omitted
	ResourceAccess []ClientAccess // nil/empty → omitted; keys in JavaHashOrder of the given order
	Cnf            *Confirmation  // nil → omitted
	Scope          *string        // nil → omitted (Keycloak sends "" when set but empty)

	Other []Claim // the otherClaims HashMap: JavaHashOrder of Name; nil values are skipped
}

// AppendJSON appends the compact JSON payload in Keycloak's field order: exp, nbf, iat, auth_time,
// jti, iss, aud, sub, typ, azp, nonce, sid, at_hash, c_hash, acr, s_hash, allowed-origins,
// realm_access, resource_access, cnf, scope, then Other.
//
// The order is Jackson's: JsonWebToken's un-annotated fields first, then annotated fields by
// class (JsonWebToken, IDToken, AccessToken) in declaration order, then the @JsonAnyGetter map.
func (c *Claims) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, '{')
	dst = appendIntField(dst, "exp", c.Exp)
	dst = appendIntField(dst, "nbf", c.Nbf)
	dst = appendIntField(dst, "iat", c.Iat)
	dst = appendIntField(dst, "auth_time", c.AuthTime)
	dst = appendStringField(dst, "jti", c.JTI)
	dst = appendStringField(dst, "iss", c.Iss)
	switch len(c.Aud) {
	case 0:
	case 1: // Keycloak's StringOrArraySerializer
		dst = appendStringField(dst, "aud", c.Aud[0])
	default:
		dst = appendStringArray(appendKey(dst, "aud"), c.Aud)
	}
	dst = appendStringField(dst, "sub", c.Sub)
	dst = appendStringField(dst, "typ", c.Typ)
	dst = appendStringField(dst, "azp", c.Azp)
	if c.Nonce != nil {
		dst = appendJSONString(appendKey(dst, "nonce"), *c.Nonce)
	}
	dst = appendStringField(dst, "sid", c.Sid)
	dst = appendStringField(dst, "at_hash", c.AtHash)
	dst = appendStringField(dst, "c_hash", c.CHash)
	dst = appendStringField(dst, "acr", c.Acr)
	dst = appendStringField(dst, "s_hash", c.SHash)
	if c.AllowedOrigins != nil {
		dst = appendHashSet(appendKey(dst, "allowed-origins"), c.AllowedOrigins)
	}
	if c.RealmAccess != nil {
		dst = c.RealmAccess.appendJSON(appendKey(dst, "realm_access"))
	}
	if len(c.ResourceAccess) > 0 {
		dst = appendResourceAccess(appendKey(dst, "resource_access"), c.ResourceAccess)
	}
	if c.Cnf != nil {
		dst = c.Cnf.appendJSON(appendKey(dst, "cnf"))
	}
	if c.Scope != nil {
		dst = appendJSONString(appendKey(dst, "scope"), *c.Scope)
	}
	var err error
	dst, err = appendClaims(dst, c.Other)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// MarshalJSON implements json.Marshaler with AppendJSON. To sign, call AppendJSON or MarshalJSON
// directly: json.Marshal(&c) would re-escape <, > and & in the result as \u003c..., which Keycloak
// does not.
func (c *Claims) MarshalJSON() ([]byte, error) {
	return c.AppendJSON(make([]byte, 0, 1024))
}

// appendKey writes `"name":`, preceded by a comma unless it opens the object. Every value ends
// in '"', ']', '}', a digit or a letter, so a trailing '{' can only be the object's own brace.
func appendKey(dst []byte, name string) []byte {
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = appendJSONString(dst, name)
	return append(dst, ':')
}

func appendStringField(dst []byte, name, v string) []byte {
	if v == "" {
		return dst
	}
	return appendJSONString(appendKey(dst, name), v)
}

func appendIntField(dst []byte, name string, v int64) []byte {
	if v == 0 {
		return dst
	}
	return strconv.AppendInt(appendKey(dst, name), v, 10)
}

func (a *Access) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	if a != nil && a.Roles != nil {
		dst = appendHashSet(appendKey(dst, "roles"), a.Roles)
	}
	return append(dst, '}')
}

func (c *Confirmation) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	dst = appendStringField(dst, "x5t#S256", c.X5tS256)
	dst = appendStringField(dst, "jkt", c.JKT)
	return append(dst, '}')
}
