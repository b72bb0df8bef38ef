package scenarios

import (
	"net/url"
	"sort"
	"strings"
)

// maskedSecret is what the admin console's partial export writes instead of a secret.
const maskedSecret = "**********"

// clientScopes reads the client scopes; SAML scopes are left out, with every reference to them.
func (ri *realmImporter) clientScopes(o *jsonObj) {
	for _, so := range o.objs("clientScopes") {
		name, proto := so.str("name"), so.str("protocol")
		if proto != "" && proto != "openid-connect" {
			ri.droppedScopes[name] = true
			ri.warn(so.path, "%s client scope %q is not emulated; left out, with every reference to it", proto, name)
			continue
		}
		tp := idx("client_scopes", len(ri.doc.ClientScopes))
		ri.mapPath(tp, so.path)
		sd := clientScopeDoc{
			ID: so.str("id"), Name: name, Description: so.str("description"), Protocol: proto,
			Attributes: so.attrs("attributes"),
		}
		sd.ProtocolMappers = ri.mappers(so, tp)
		so.done(nil)
		ri.scopes[name] = true
		ri.doc.ClientScopes = append(ri.doc.ClientScopes, sd)
	}
}

// clients reads the clients. SAML clients are left out, with their roles and every mapping to
// them. What Keycloak's import fills in (RepresentationToModel.createClient) is filled in here:
// fullScopeAllowed follows consentRequired, web origins follow the redirect URIs.
func (ri *realmImporter) clients(o *jsonObj) {
	for _, co := range o.objs("clients") {
		clientID, proto := co.str("clientId"), co.str("protocol")
		if proto != "" && proto != "openid-connect" {
			ri.droppedClients[clientID] = true
			ri.warn(co.path, "%s client %q is not emulated; left out, with its roles and every mapping to them", proto, clientID)
			continue
		}
		k := len(ri.doc.Clients)
		tp := idx("clients", k)
		ri.mapPath(tp, co.path)
		cd := clientDoc{
			ID: co.str("id"), ClientID: clientID, Name: co.str("name"), Description: co.str("description"),
			Enabled: co.boolp("enabled"), Protocol: proto,
			PublicClient: co.boolp("publicClient"), BearerOnly: co.boolp("bearerOnly"),
			ClientAuthenticatorType: co.str("clientAuthenticatorType"), Secret: co.strp("secret"),
			ConsentRequired:           co.boolp("consentRequired"),
			StandardFlowEnabled:       co.boolp("standardFlowEnabled"),
			ImplicitFlowEnabled:       co.boolp("implicitFlowEnabled"),
			DirectAccessGrantsEnabled: co.boolp("directAccessGrantsEnabled"),
			ServiceAccountsEnabled:    co.boolp("serviceAccountsEnabled"),
			FrontchannelLogout:        co.boolp("frontchannelLogout"),
			FullScopeAllowed:          co.boolp("fullScopeAllowed"),
			RootURL:                   co.str("rootUrl"), BaseURL: co.str("baseUrl"), AdminURL: co.str("adminUrl"),
			RedirectURIs: co.list("redirectUris"),
			Attributes:   co.attrs("attributes"),
		}
		if origins, present := co.strs("webOrigins"); present {
			cd.WebOrigins = nonEmpty(origins)
		} else {
			cd.WebOrigins = originsOf(cd.RedirectURIs)
		}
		if cd.FullScopeAllowed == nil {
			full := !boolOr(cd.ConsentRequired, false)
			cd.FullScopeAllowed = &full
		}
		// realm_client marks the clients Keycloak creates for realms; it does nothing here.
		delete(cd.Attributes, "realm_client")
		cd.DefaultClientScopes = ri.clientScopeList(co, "defaultClientScopes", at(tp, "default_client_scopes"))
		cd.OptionalClientScopes = ri.clientScopeList(co, "optionalClientScopes", at(tp, "optional_client_scopes"))
		cd.ProtocolMappers = ri.mappers(co, tp)
		ri.clientAuth(co, &cd)
		if as := co.obj("authorizationSettings"); as != nil {
			switch clientID {
			case "realm-management":
				ri.authz = as
				co.skip("authorizationServicesEnabled")
			case "admin-permissions":
				ri.warn(as.path, "fine-grained admin permissions v2 are not emulated (v1 are); ignored")
				co.skip("authorizationServicesEnabled")
			default:
				ri.warn(as.path, "Authorization Services (resources, UMA, policy enforcement) are not emulated; ignored")
			}
		}
		co.done(clientDefaults(), "alwaysDisplayInConsole", "access", "origin", "nodeReRegistrationTimeout")
		ri.clientByUUID[cd.ID] = clientID
		ri.clientIndex[clientID] = k
		ri.doc.Clients = append(ri.doc.Clients, cd)
	}
}

// clientAuth handles what kcmock cannot do with a client's credentials: other authenticators
// than client-secret, masked and missing secrets.
func (ri *realmImporter) clientAuth(co *jsonObj, cd *clientDoc) {
	switch cd.ClientAuthenticatorType {
	case "", "client-secret":
	default:
		ri.warn(at(co.path, "clientAuthenticatorType"), "client authenticator %q is not emulated; kcmock authenticates %q with its secret (client_secret_basic or client_secret_post)", cd.ClientAuthenticatorType, cd.ClientID)
		cd.ClientAuthenticatorType = ""
	}
	public, bearer := boolOr(cd.PublicClient, false), boolOr(cd.BearerOnly, false)
	switch {
	case public && cd.Secret != nil:
		ri.warn(at(co.path, "secret"), "a public client has no secret; ignored")
		cd.Secret = nil
	case cd.Secret != nil && *cd.Secret == maskedSecret:
		ri.warn(at(co.path, "secret"), "the secret is masked (the admin console's partial export hides secrets): %q is taken literally", maskedSecret)
	case cd.Secret == nil && !public && !bearer:
		ri.warn(co.path, "confidential client %q has no secret in the export (Keycloak would generate one); no request can authenticate as it", cd.ClientID)
	}
}

// clientScopeList reads a client's default or optional scopes. As Keycloak's import does, an
// unknown scope is ignored (with a warning here).
func (ri *realmImporter) clientScopeList(o *jsonObj, key, tomlPath string) *[]string {
	l, present := o.strs(key)
	if !present {
		return nil
	}
	out := []string{}
	for i, n := range l {
		jp := idx(at(o.path, key), i)
		switch {
		case ri.droppedScopes[n]:
		case !ri.scopes[n]:
			ri.warn(jp, "no client scope %q in the export; ignored, as Keycloak does", n)
		default:
			ri.mapPath(idx(tomlPath, len(out)), jp)
			out = append(out, n)
		}
	}
	return &out
}

// mappers reads the protocol mappers of a client or client scope; mapper types kcmock does not
// implement are left out.
func (ri *realmImporter) mappers(o *jsonObj, ownerPath string) []protocolMapperDoc {
	var out []protocolMapperDoc
	for _, mo := range o.objs("protocolMappers") {
		name, typ, proto := mo.str("name"), mo.str("protocolMapper"), mo.str("protocol")
		switch {
		case proto != "" && proto != "openid-connect":
			ri.warn(mo.path, "%s mapper %q is not emulated; left out", proto, name)
			continue
		case MapperTypes[typ] == "":
			ri.warn(at(mo.path, "protocolMapper"), "mapper type %q is not emulated; mapper %q left out", typ, name)
			continue
		}
		ri.mapPath(idx(at(ownerPath, "protocol_mappers"), len(out)), mo.path)
		out = append(out, protocolMapperDoc{ID: mo.str("id"), Name: name, Protocol: proto, ProtocolMapper: typ, Config: mo.attrs("config")})
		mo.done(nil, "consentRequired", "consentText")
	}
	return out
}

// originsOf is what Keycloak gives a client imported without webOrigins: the origins of its
// http(s) redirect URIs (UriUtils.getOrigin).
func originsOf(uris []string) []string {
	seen := map[string]bool{}
	for _, u := range uris {
		if !strings.HasPrefix(u, "http") {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || p.Host == "" {
			continue
		}
		seen[p.Scheme+"://"+p.Host] = true
	}
	out := make([]string, 0, len(seen))
	for o := range seen {
		out = append(out, o)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

func nonEmpty(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}
