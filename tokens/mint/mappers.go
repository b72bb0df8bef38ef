package mint

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
)

// Target is the document a mapper writes to; each mapper has a flag per target.
type Target int

// The targets of Keycloak's OIDC protocol mappers.
const (
	TargetAccess Target = iota
	TargetID
	TargetUserInfo
	TargetIntrospection
)

var flagKeys = [...]string{
	TargetAccess:        "access.token.claim",
	TargetID:            "id.token.claim",
	TargetUserInfo:      "userinfo.token.claim",
	TargetIntrospection: "introspection.token.claim",
}

// applies reads a mapper's flag for a target as OIDCAttributeMapperHelper does: absent means
// off, except that introspection falls back to the access-token flag and userinfo to the
// ID-token flag, for mappers older than those flags.
func applies(m *scenarios.ProtocolMapper, t Target) bool {
	v, ok := m.Config[flagKeys[t]]
	if !ok {
		switch t {
		case TargetIntrospection:
			v = m.Config[flagKeys[TargetAccess]]
		case TargetUserInfo:
			v = m.Config[flagKeys[TargetID]]
		}
	}
	return v == "true" // Keycloak compares with "true" exactly
}

// mappers returns the protocol mappers of the granted client scopes, then the client's own.
// The service_account scope's session-note mappers run first: in captured service-account
// tokens clientHost precedes email_verified, which share a HashMap bucket.
func mappers(c *scenarios.Client, s Scopes) []*scenarios.ProtocolMapper {
	var out []*scenarios.ProtocolMapper
	sorted := s.Sorted()
	for _, sc := range sorted {
		if sc.Name == "service_account" {
			out = append(out, sc.ProtocolMappers...)
		}
	}
	for _, sc := range sorted {
		if sc.Name != "service_account" {
			out = append(out, sc.ProtocolMappers...)
		}
	}
	return append(out, c.ProtocolMappers...)
}

// sink collects what the mappers produce for one target.
type sink struct {
	c     *tokens.Claims
	other map[string]any
	order []string
	aud   []string
}

func newSink(c *tokens.Claims) *sink { return &sink{c: c, other: map[string]any{}} }

func (s *sink) addAud(a string) {
	for _, x := range s.aud {
		if x == a {
			return
		}
	}
	s.aud = append(s.aud, a)
}

// put stores a claim at a Keycloak claim path ("a.b.c" nests; "a\.b" is a literal dot).
func (s *sink) put(path string, v any) {
	parts := splitClaimPath(path)
	if len(parts) == 0 || v == nil {
		return
	}
	if len(parts) == 1 {
		if _, seen := s.other[parts[0]]; !seen {
			s.order = append(s.order, parts[0])
		}
		s.other[parts[0]] = v
		return
	}
	top, ok := s.other[parts[0]].(map[string]any)
	if !ok {
		top = map[string]any{}
		if _, seen := s.other[parts[0]]; !seen {
			s.order = append(s.order, parts[0])
		}
		s.other[parts[0]] = top
	}
	m := top
	for _, p := range parts[1 : len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

func (s *sink) finish() {
	for _, name := range s.order {
		s.c.Other = append(s.c.Other, tokens.Claim{Name: name, Value: s.other[name]})
	}
}

func splitClaimPath(p string) []string {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && p[i+1] == '.':
			cur.WriteByte('.')
			i++
		case p[i] == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(p[i])
		}
	}
	return append(parts, cur.String())
}

// convert turns a string value into the claim's JSON type (jsonType.label); a value that does
// not convert is dropped, as Keycloak drops it.
func convert(v, jsonType string) (any, bool) {
	switch jsonType {
	case "long", "int":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n, err == nil
	case "boolean":
		return strings.EqualFold(v, "true"), true
	case "JSON":
		var raw json.RawMessage
		if err := json.Unmarshal([]byte(v), &raw); err != nil {
			return nil, false
		}
		return raw, true
	default:
		return v, true
	}
}

func convertAll(vals []string, m *scenarios.ProtocolMapper) any {
	jt := m.Config["jsonType.label"]
	if m.ConfigBool("multivalued", false) {
		out := make([]any, 0, len(vals))
		for _, v := range vals {
			if c, ok := convert(v, jt); ok {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	if len(vals) == 0 {
		return nil
	}
	c, ok := convert(vals[0], jt)
	if !ok {
		return nil
	}
	return c
}

// userValues reads a user attribute; Keycloak 24+ exposes the core profile fields as attributes.
func userValues(u *scenarios.User, attr string) []string {
	switch attr {
	case "username":
		return []string{u.Username}
	case "email":
		return nonEmpty(u.Email)
	case "firstName":
		return nonEmpty(u.FirstName)
	case "lastName":
		return nonEmpty(u.LastName)
	case "emailVerified":
		return []string{strconv.FormatBool(u.EmailVerified)}
	case "enabled":
		return []string{strconv.FormatBool(u.Enabled)}
	case "id":
		return []string{u.ID}
	case "createdTimestamp":
		if u.CreatedTimestamp == 0 {
			return nil
		}
		return []string{strconv.FormatInt(u.CreatedTimestamp, 10)}
	}
	return u.Attributes[attr]
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
