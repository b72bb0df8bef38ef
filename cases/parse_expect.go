package cases

// parseExpect reads a step's expectations:
//
//	expect.status = 400
//	expect.error = "invalid_request"                 # shorthand for body.error
//	expect.error_description = "Invalid token"       # shorthand for body.error_description
//	expect.body = { issued_token_type = "…" }        # top-level JSON fields
//	expect.header."WWW-Authenticate" = "~invalid_token"
//	expect.claims.access_token = { azp = "api-gateway" }   # the JWT in that response field
//	expect.absent.access_token = ["act"]             # claims that must not be there
//	expect.absent.body = ["refresh_token"]           # response fields that must not be there
func (p *parser) parseExpect(v any, path string) *Expect {
	m, ok := p.table(v, path)
	if !ok {
		return nil
	}
	p.known(m, path, nil, "status", "error", "error_description", "body", "header", "claims", "absent")
	e := &Expect{}
	if v, ok := m["status"]; ok {
		n, isInt := v.(int64)
		switch {
		case !isInt:
			p.add(at(path, "status"), "must be an integer, got %s", kindOf(v))
		case n < 100 || n > 599:
			p.add(at(path, "status"), "%d is not an HTTP status", n)
		default:
			e.Status = int(n)
		}
	}
	if v, ok := m["error"]; ok {
		e.Error = compileMatcher(v, at(path, "error"), p)
	}
	if v, ok := m["error_description"]; ok {
		e.ErrorDescription = compileMatcher(v, at(path, "error_description"), p)
	}
	if v, ok := m["body"]; ok {
		e.Body = p.namedMatchers(v, at(path, "body"))
		for _, n := range e.Body {
			if (n.Name == "error" && e.Error != nil) || (n.Name == "error_description" && e.ErrorDescription != nil) {
				p.add(at(at(path, "body"), n.Name), "given twice: also expect.%s", n.Name)
			}
		}
	}
	if v, ok := m["header"]; ok {
		e.Header = p.namedMatchers(v, at(path, "header"))
	}
	if v, ok := m["claims"]; ok {
		if cm, ok := p.table(v, at(path, "claims")); ok {
			e.Claims = map[string][]Named{}
			for _, field := range sortedKeys(cm) {
				e.ClaimsOrder = append(e.ClaimsOrder, field)
				e.Claims[field] = p.namedMatchers(cm[field], at(at(path, "claims"), field))
			}
		}
	}
	if v, ok := m["absent"]; ok {
		if am, ok := p.table(v, at(path, "absent")); ok {
			e.Absent = map[string][]string{}
			for _, field := range sortedKeys(am) {
				if names, ok := p.strings(am[field], at(at(path, "absent"), field)); ok {
					e.AbsentOrder = append(e.AbsentOrder, field)
					e.Absent[field] = names
				}
			}
		}
	}
	return e
}

// namedMatchers reads a table of name → matcher, sorted by name.
func (p *parser) namedMatchers(v any, path string) []Named {
	m, ok := p.table(v, path)
	if !ok {
		return nil
	}
	out := make([]Named, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, Named{Name: k, M: compileMatcher(m[k], at(path, k), p)})
	}
	return out
}
