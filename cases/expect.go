package cases

import (
	"fmt"
	"net/http"
	"strconv"
)

// check compares an answer with the expectations and returns every difference, in the order
// status, error, error_description, body, header, claims, absent. A nil Expect wants a 2xx.
func (e *Expect) check(a *answer, env *env) []Mismatch {
	var mm []Mismatch
	switch {
	case e != nil && e.Status != 0:
		if a.status != e.Status {
			mm = append(mm, Mismatch{Field: "status", Want: strconv.Itoa(e.Status), Got: strconv.Itoa(a.status)})
		}
	case e != nil && e.Error != nil:
		// A refusal may come with any status (revocation answers invalid_token with 200).
	default:
		if a.status < 200 || a.status > 299 {
			mm = append(mm, Mismatch{Field: "status", Want: "2xx (no expect.status given)", Got: strconv.Itoa(a.status)})
		}
	}
	if e == nil {
		return mm
	}
	obj, isObj := a.json.(map[string]any)
	field := func(name string, m *Matcher) {
		if !isObj {
			mm = append(mm, Mismatch{Field: name, Want: m.describe(env), Got: "a body that is not a JSON object"})
			return
		}
		v, ok := obj[name]
		m.check(name, v, ok, env, &mm)
	}
	if e.Error != nil {
		field("error", e.Error)
	}
	if e.ErrorDescription != nil {
		field("error_description", e.ErrorDescription)
	}
	for _, n := range e.Body {
		if !isObj {
			mm = append(mm, Mismatch{Field: "body", Note: "the body is not a JSON object"})
			break
		}
		v, ok := obj[n.Name]
		n.M.check("body."+n.Name, v, ok, env, &mm)
	}
	for _, n := range e.Header {
		vals, ok := a.header[http.CanonicalHeaderKey(n.Name)]
		var v any
		if ok {
			v = vals[0]
		}
		n.M.check("header."+n.Name, v, ok && len(vals) > 0, env, &mm)
	}
	for _, f := range e.ClaimsOrder {
		claims, bad := tokenClaims(obj, f)
		if bad != nil {
			mm = append(mm, *bad)
			continue
		}
		for _, n := range e.Claims[f] {
			v, ok := claims[n.Name]
			n.M.check("claims."+f+"."+n.Name, v, ok, env, &mm)
		}
	}
	for _, f := range e.AbsentOrder {
		var in map[string]any
		prefix := "body."
		if f == "body" {
			if !isObj {
				mm = append(mm, Mismatch{Field: "body", Note: "the body is not a JSON object"})
				continue
			}
			in = obj
		} else {
			claims, bad := tokenClaims(obj, f)
			if bad != nil {
				mm = append(mm, *bad)
				continue
			}
			in, prefix = claims, "claims."+f+"."
		}
		for _, name := range e.Absent[f] {
			if v, ok := in[name]; ok {
				mm = append(mm, Mismatch{Field: prefix + name, Want: "absent", Got: show(v, true)})
			}
		}
	}
	return mm
}

// tokenClaims decodes the JWT in a response field.
func tokenClaims(body map[string]any, field string) (map[string]any, *Mismatch) {
	v, ok := body[field]
	if !ok {
		return nil, &Mismatch{Field: "claims." + field, Note: fmt.Sprintf("the answer has no %s", field)}
	}
	s, ok := v.(string)
	if !ok {
		return nil, &Mismatch{Field: "claims." + field, Note: fmt.Sprintf("%s is %s, not a JWT", field, show(v, true))}
	}
	claims, err := jwtClaims(s)
	if err != nil {
		return nil, &Mismatch{Field: "claims." + field, Note: fmt.Sprintf("%s is not a JWT: %v", field, err)}
	}
	return claims, nil
}
