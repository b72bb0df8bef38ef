package mint

import (
	"sort"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// ScopeOpenID is the OIDC scope value; it is not a client scope in Keycloak.
const ScopeOpenID = "openid"

// InvalidScopeError is Keycloak's invalid_scope refusal; Param is the raw scope parameter,
// which Keycloak echoes in "Invalid scopes: <param>".
type InvalidScopeError struct{ Param string }

func (e *InvalidScopeError) Error() string { return "Invalid scopes: " + e.Param }

// Scopes is what a request is granted: the client's default scopes plus the optional ones it
// asked for, and whether it asked for openid.
type Scopes struct {
	Granted []*scenarios.ClientScope
	OpenID  bool
}

// Has reports whether the named client scope is granted.
func (s Scopes) Has(name string) bool {
	for _, g := range s.Granted {
		if g.Name == name {
			return true
		}
	}
	return false
}

// RequestScopes validates a scope parameter against the client (TokenManager.isValidScope):
// every requested value other than openid must be one of the client's default or optional
// scopes. The grant is the defaults plus the requested optional scopes. An empty param asks
// for nothing; callers that read a request tell an empty scope parameter from an absent one.
//
// The parameter is split as Keycloak splits it (Java's String.split(" ")): on single spaces
// only, so a leading or doubled space makes an empty name and a tab is part of a name, both of
// which no client scope has; trailing spaces are dropped.
func RequestScopes(c *scenarios.Client, param string) (Scopes, error) {
	var s Scopes
	requested := map[string]bool{}
	for _, v := range SplitScope(param) {
		if v == ScopeOpenID {
			s.OpenID = true
			continue
		}
		if !hasScope(c.DefaultScopes, v) && !hasScope(c.OptionalScopes, v) {
			return Scopes{}, &InvalidScopeError{Param: param}
		}
		requested[v] = true
	}
	s.Granted = append(s.Granted, c.DefaultScopes...)
	for _, o := range c.OptionalScopes {
		if requested[o.Name] {
			s.Granted = append(s.Granted, o)
		}
	}
	return s, nil
}

func hasScope(list []*scenarios.ClientScope, name string) bool {
	for _, s := range list {
		if s.Name == name {
			return true
		}
	}
	return false
}

// builtinRank orders the built-in scopes. Keycloak keeps a session's client scopes in a set
// keyed by their random ids, so each real realm has its own order; kcmock uses the order of
// the captured tokens it is checked against ("openid email profile", refresh scope
// "openid email web-origins acr basic profile roles"), then other scopes by name.
var builtinRank = map[string]int{
	"email": 1, "web-origins": 2, "acr": 3, "basic": 4, "profile": 5, "roles": 6,
	"address": 7, "phone": 8, "offline_access": 9, "microprofile-jwt": 10, "organization": 11,
	"service_account": 12,
}

// Sorted returns the granted scopes in kcmock's stable order.
func (s Scopes) Sorted() []*scenarios.ClientScope {
	out := append([]*scenarios.ClientScope(nil), s.Granted...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := builtinRank[out[i].Name], builtinRank[out[j].Name]
		if ri == 0 {
			ri = len(builtinRank) + 1
		}
		if rj == 0 {
			rj = len(builtinRank) + 1
		}
		if ri != rj {
			return ri < rj
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// String is the scope claim: openid first when requested, then the granted scope names.
// tokenScopeOnly drops the scopes whose include.in.token.scope is off (access tokens and
// responses); refresh tokens list them all.
func (s Scopes) String(tokenScopeOnly bool) string {
	var b strings.Builder
	if s.OpenID {
		b.WriteString(ScopeOpenID)
	}
	for _, g := range s.Sorted() {
		if tokenScopeOnly && !g.IncludeInTokenScope {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.Name)
	}
	return b.String()
}

// SplitScope splits a scope parameter like Java's String.split(" "), which Keycloak's
// TokenManager.parseScopeParameter uses: on every single space, keeping the empty names
// before and between spaces and dropping the trailing ones. An empty param gives no names.
func SplitScope(param string) []string { return SplitJava(param, " ") }

// SplitJava splits s on every sep as Java's String.split does for a literal separator: the
// empty strings before and between separators stay, the trailing ones are dropped, so a string
// of separators gives none. Unlike Java ("".split gives [""]), "" gives none too: callers that
// must tell an empty parameter from an absent one test for it first.
func SplitJava(s, sep string) []string {
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}
