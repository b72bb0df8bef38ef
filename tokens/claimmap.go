package tokens

// appendClaims writes claims as members of the object being built in dst, in HashMap order.
// A name given twice behaves like HashMap.put twice: the entry keeps its first slot and takes the
// last value. A nil value is skipped, as Keycloak's mappers skip attributes that have no value.
func appendClaims(dst []byte, claims []Claim) ([]byte, error) {
	if len(claims) == 0 {
		return dst, nil
	}
	names := make([]string, len(claims))
	for i := range claims {
		names[i] = claims[i].Name
	}
	order := JavaHashOrder(names)
	var last map[string]int
	if len(order) < len(claims) {
		last = make(map[string]int, len(claims))
		for i := range claims {
			last[claims[i].Name] = i
		}
	}
	for _, i := range order {
		c := &claims[i]
		if last != nil {
			c = &claims[last[c.Name]]
		}
		if c.Value == nil {
			continue
		}
		var err error
		if dst, err = appendValue(appendKey(dst, c.Name), c.Value); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// appendClaimObject writes claims as a JSON object of their own (a nested HashMap).
func appendClaimObject(dst []byte, claims []Claim) ([]byte, error) {
	dst = append(dst, '{')
	dst, err := appendClaims(dst, claims)
	if err != nil {
		return dst, err
	}
	return append(dst, '}'), nil
}

// appendResourceAccess writes resource_access: a HashMap from client id to Access. A client
// listed twice is merged, as AccessToken.addAccess returns the existing Access to add roles to.
func appendResourceAccess(dst []byte, entries []ClientAccess) []byte {
	names := make([]string, len(entries))
	for i := range entries {
		names[i] = entries[i].Client
	}
	order := JavaHashOrder(names)
	dst = append(dst, '{')
	for _, i := range order {
		access := entries[i].Access
		if len(order) < len(entries) {
			access = mergedAccess(entries, entries[i].Client)
		}
		dst = access.appendJSON(appendKey(dst, entries[i].Client))
	}
	return append(dst, '}')
}

func mergedAccess(entries []ClientAccess, client string) Access {
	var a Access
	for _, e := range entries {
		if e.Client == client && e.Access.Roles != nil {
			a.Roles = append(a.Roles, e.Access.Roles...)
		}
	}
	return a
}
