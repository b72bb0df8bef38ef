package scenarios

import (
	"fmt"

	"github.com/BurntSushi/toml"
)

// identityProviders reads the identity providers kcmock emulates (OpenID Connect ones).
func (ri *realmImporter) identityProviders(o *jsonObj) {
	for _, p := range o.objs("identityProviders") {
		alias, provider := p.str("alias"), p.str("providerId")
		if provider != "oidc" && provider != "keycloak-oidc" {
			ri.droppedIdPs[alias] = true
			ri.warn(p.path, "identity provider %q (%s) is not emulated (oidc and keycloak-oidc are); left out, with the accounts linked to it", alias, provider)
			p.done(nil, p.keys()...)
			continue
		}
		k := len(ri.doc.IdentityProviders)
		ri.mapPath(idx("identity_providers", k), p.path)
		cfg := p.attrs("config")
		if u := cfg["jwksUrl"]; cfg["useJwksUrl"] == "true" && u != "" {
			jp := at(at(p.path, "config"), "jwksUrl")
			if m := certsPath.FindStringSubmatch(u); m != nil {
				ri.jwks = append(ri.jwks, jwksRef{idp: k, realm: m[1], path: jp})
			} else {
				ri.warn(jp, "kcmock fetches no keys from the network: tokens of %q cannot be checked (point jwksUrl at a realm of the scenario to exchange them)", alias)
				cfg = withoutJWKS(cfg)
			}
		}
		ri.doc.IdentityProviders = append(ri.doc.IdentityProviders, identityProviderDoc{
			Alias: alias, DisplayName: p.str("displayName"), ProviderID: provider,
			Enabled: p.boolp("enabled"), Config: cfg,
		})
		ri.idpIndex[alias] = k
		if id := p.str("internalId"); id != "" {
			ri.idpByInternal[id] = alias
		}
		p.done(idpDefaults())
	}
}

// jwksRef is an identity provider whose jwksUrl names a realm, which must be in the scenario.
type jwksRef struct {
	idp   int
	realm string
	path  string
}

// withoutJWKS is an identity provider config whose keys kcmock cannot get: Keycloak then
// answers "Invalid server config" when a token of the provider is to be checked.
func withoutJWKS(cfg Attributes) Attributes {
	out := make(Attributes, len(cfg))
	for k, v := range cfg {
		out[k] = v
	}
	delete(out, "jwksUrl")
	out["useJwksUrl"] = "false"
	return out
}

// resolveJWKS checks that the realms imported identity providers take their keys from are in
// the scenario; kcmock fetches nothing from the network, so a provider of another server gets
// no keys (Keycloak answers "Invalid server config" when its tokens are to be checked).
func resolveJWKS(srcs []Source, imports []Source, byFile map[string]*Import) []Warning {
	names := map[string]bool{}
	for _, src := range srcs {
		var doc struct {
			Realms []struct {
				Realm string `toml:"realm"`
			} `toml:"realms"`
		}
		toml.Decode(string(src.Data), &doc) // Load reports what is wrong with it
		for _, r := range doc.Realms {
			names[r.Realm] = true
		}
	}
	for _, imp := range byFile {
		for _, n := range imp.Realms() {
			names[n] = true
		}
	}
	var out []Warning
	for _, src := range imports {
		imp := byFile[src.Name]
		for i := range imp.realms {
			r := &imp.realms[i]
			for _, ref := range r.jwks {
				if names[ref.realm] {
					continue
				}
				idp := &r.doc.IdentityProviders[ref.idp]
				out = append(out, Warning{File: imp.File, Path: ref.path,
					Msg: fmt.Sprintf("the scenario has no realm %q and kcmock fetches no keys from the network: tokens of %q cannot be checked", ref.realm, idp.Alias)})
				idp.Config = withoutJWKS(idp.Config)
			}
		}
	}
	return out
}
