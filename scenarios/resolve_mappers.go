package scenarios

// MapperTypes are the protocol mapper types kcmock implements, by Keycloak's provider id.
var MapperTypes = map[string]string{
	"oidc-usermodel-property-mapper":      "User Property",
	"oidc-usermodel-attribute-mapper":     "User Attribute",
	"oidc-hardcoded-claim-mapper":         "Hardcoded claim",
	"oidc-audience-mapper":                "Audience",
	"oidc-audience-resolve-mapper":        "Audience Resolve",
	"oidc-usermodel-realm-role-mapper":    "User Realm Role",
	"oidc-usermodel-client-role-mapper":   "User Client Role",
	"oidc-group-membership-mapper":        "Group Membership",
	"oidc-full-name-mapper":               "User's full name",
	"oidc-allowed-origins-mapper":         "Allowed Web Origins",
	"oidc-acr-mapper":                     "Authentication Context Class Reference (ACR)",
	"oidc-sub-mapper":                     "Subject (sub)",
	"oidc-usersessionmodel-note-mapper":   "User Session Note",
	"oidc-address-mapper":                 "User Address",
	"oidc-organization-membership-mapper": "Organization Membership",
}

func (res *resolver) mappers(docs []protocolMapperDoc, path, ownerKind, owner string) []*ProtocolMapper {
	out := make([]*ProtocolMapper, 0, len(docs))
	names := map[string]bool{}
	for i := range docs {
		d, p := &docs[i], pathIf(path, func() string { return idx(path, i) })
		if d.Name == "" {
			res.p.add(at(p, "name"), "a protocol mapper needs a name")
			continue
		}
		if names[d.Name] {
			res.p.add(at(p, "name"), "duplicate protocol mapper %q", d.Name)
			continue
		}
		names[d.Name] = true
		if _, ok := MapperTypes[d.ProtocolMapper]; !ok {
			res.p.add(at(p, "protocol_mapper"), "mapper type %q is not emulated (supported: %s)", d.ProtocolMapper, mapperTypeList())
			continue
		}
		switch d.Protocol {
		case "", "openid-connect":
		default:
			res.p.add(at(p, "protocol"), "kcmock emulates openid-connect mappers only, not %q", d.Protocol)
		}
		m := &ProtocolMapper{ID: d.ID, Name: d.Name, Type: d.ProtocolMapper, Config: d.Config}
		if m.ID == "" {
			m.ID = stableID(res.realm.Name, "mapper", ownerKind, owner, d.Name)
		}
		if m.Config == nil {
			m.Config = map[string]string{}
		}
		if path != "" {
			consoleDefaults(m)
		}
		res.checkMapper(m, at(p, "config"))
		out = append(out, m)
	}
	return out
}

// checkMapper validates the config a mapper type needs, so that a typo fails at load time
// rather than producing a token silently missing a claim.
func (res *resolver) checkMapper(m *ProtocolMapper, path string) {
	need := func(key string) {
		if m.Config[key] == "" {
			res.p.add(at(path, key), "mapper %q (%s) needs %q", m.Name, m.Type, key)
		}
	}
	switch m.Type {
	case "oidc-usermodel-property-mapper", "oidc-usermodel-attribute-mapper":
		need("user.attribute")
		need("claim.name")
	case "oidc-hardcoded-claim-mapper", "oidc-group-membership-mapper":
		need("claim.name")
	case "oidc-usersessionmodel-note-mapper":
		need("user.session.note")
		need("claim.name")
	case "oidc-audience-mapper":
		client, custom := m.Config["included.client.audience"], m.Config["included.custom.audience"]
		switch {
		case client == "" && custom == "":
			res.p.add(path, "mapper %q needs \"included.client.audience\" or \"included.custom.audience\"", m.Name)
		case client != "" && res.realm.clientsByID[client] == nil:
			res.p.add(at(path, "included.client.audience"), "no client %q in realm %q", client, res.realm.Name)
		}
	case "oidc-usermodel-client-role-mapper":
		if id := m.Config["usermodel.clientRoleMapping.clientId"]; id != "" && res.realm.clientsByID[id] == nil {
			res.p.add(at(path, "usermodel.clientRoleMapping.clientId"), "no client %q in realm %q", id, res.realm.Name)
		}
	}
	switch m.Config["jsonType.label"] {
	case "", "String", "long", "int", "boolean", "JSON":
	default:
		res.p.add(at(path, "jsonType.label"), "unknown claim JSON type %q (String, long, int, boolean, JSON)", m.Config["jsonType.label"])
	}
}

func mapperTypeList() string {
	keys := sortedMapKeys(MapperTypes)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += k
	}
	return out
}

var tokenFlags = []string{"access.token.claim", "id.token.claim", "userinfo.token.claim", "introspection.token.claim"}

// consoleDefaults gives a scenario mapper that names none of the token flags the flags the
// admin console switches on for a new mapper, so a three-line mapper does something. A mapper
// that names any flag is taken exactly as written (absent flags off, as in an import).
func consoleDefaults(m *ProtocolMapper) {
	for _, f := range tokenFlags {
		if _, ok := m.Config[f]; ok {
			return
		}
	}
	on := tokenFlags
	if m.Type == "oidc-audience-mapper" || m.Type == "oidc-audience-resolve-mapper" {
		on = []string{"access.token.claim", "introspection.token.claim"}
	}
	for _, f := range on {
		m.Config[f] = "true"
	}
}
