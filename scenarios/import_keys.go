package scenarios

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const keyProviderType = "org.keycloak.keys.KeyProvider"

// components reads the realm's components: key providers become keys; the others are not
// emulated.
func (ri *realmImporter) components(o *jsonObj) {
	co := o.obj("components")
	if co == nil {
		return
	}
	for _, typ := range co.keys() {
		list := co.objs(typ)
		for _, c := range list {
			switch {
			case typ == keyProviderType:
				continue
			case typ == userProfileType:
				ri.userProfile(c)
			case typ == "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy":
				if !defaultRegistrationPolicies[c.str("providerId")] {
					ri.warn(c.path, "client registration policy %q is not emulated (kcmock has no client registration)", c.str("name"))
				}
			default:
				why := notEmulated[typ]
				if why == "" {
					why = "not emulated; ignored"
				}
				ri.warn(c.path, "component %q (%s): %s", c.str("name"), c.str("providerId"), why)
			}
			c.done(nil, c.keys()...)
		}
		if typ == keyProviderType {
			ri.keys(list)
		}
	}
}

type importedKey struct {
	doc      keyDoc
	priority int64
	path     string
	fields   map[string]string // keyDoc key → config key, for problem paths
}

// keys reads key providers that carry their key material (a full export does; the admin
// console's partial export does not). kcmock signs with the first active key of the realm's
// algorithm, so keys are ordered by Keycloak's priority.
func (ri *realmImporter) keys(list []*jsonObj) {
	var keys []importedKey
	for _, c := range list {
		if k, ok := ri.key(c); ok {
			keys = append(keys, k)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].priority > keys[j].priority })
	hmac := false
	for _, k := range keys {
		if k.doc.Algorithm == "HS512" {
			if hmac {
				ri.warn(k.path, "kcmock keeps one HS512 key per realm, the one of highest priority; left out")
				continue
			}
			hmac = true
		}
		kp := idx("keys", len(ri.doc.Keys))
		ri.mapPath(kp, k.path)
		for tk, ck := range k.fields {
			ri.mapPath(at(kp, tk), at(at(k.path, "config"), ck))
		}
		ri.doc.Keys = append(ri.doc.Keys, k.doc)
	}
}

func (ri *realmImporter) key(c *jsonObj) (importedKey, bool) {
	provider, name := c.str("providerId"), c.str("name")
	cfg := c.lists("config")
	c.done(nil, c.keys()...)
	first := func(k string) string {
		if v := cfg[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	k := importedKey{path: c.path, fields: map[string]string{"algorithm": "algorithm", "certificate": "certificate"}}
	k.priority, _ = strconv.ParseInt(first("priority"), 10, 64)
	if first("enabled") == "false" {
		ri.warn(c.path, "key %q is disabled; left out", name)
		return k, false
	}
	if first("active") == "false" {
		f := false
		k.doc.Active = &f
	}
	alg := first("algorithm")
	switch provider {
	case "rsa-generated", "rsa", "rsa-enc-generated", "rsa-enc":
		if alg == "" {
			alg = map[bool]string{true: "RSA-OAEP", false: "RS256"}[provider == "rsa-enc-generated" || provider == "rsa-enc"]
		}
		k.doc.PrivateKey, k.doc.Certificate = first("privateKey"), first("certificate")
		k.fields["private_key"] = "privateKey"
	case "ecdsa-generated", "ecdsa":
		curve := first("ecdsaEllipticCurveKey")
		alg = map[string]string{"": "ES256", "P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[curve]
		k.doc.PrivateKey, k.doc.Certificate = first("ecPrivateKey"), first("certificate")
		k.fields["private_key"] = "ecPrivateKey"
		k.fields["algorithm"] = "ecdsaEllipticCurveKey"
	case "eddsa-generated":
		if curve := first("eddsaEllipticCurveKey"); curve == "" || curve == "Ed25519" {
			alg = "EdDSA"
		}
		k.doc.PrivateKey = first("eddsaPrivateKey")
		k.fields["private_key"] = "eddsaPrivateKey"
	case "hmac-generated", "hmac":
		if alg != "HS512" {
			ri.warn(c.path, "kcmock signs refresh tokens with HS512 only; the %s key %q is left out", alg, name)
			return k, false
		}
		k.doc.Secret, k.doc.Kid = first("secret"), first("kid")
		k.fields["secret"], k.fields["kid"] = "secret", "kid"
		if k.doc.Secret != "" {
			ri.warn(c.path, "kcmock uses the HS512 secret's text as the key where Keycloak uses its base64url-decoded bytes: refresh tokens of the real Keycloak do not verify in kcmock, and the other way round")
		}
	case "aes-generated":
		ri.warn(c.path, "AES keys are not used by kcmock; %q left out", name)
		return k, false
	default:
		ri.warn(c.path, "key provider %q is not emulated; %q left out", provider, name)
		return k, false
	}
	if alg == "" {
		ri.warn(c.path, "key %q has a curve kcmock does not support; left out", name)
		return k, false
	}
	k.doc.Algorithm = alg
	if k.doc.PrivateKey == "" && k.doc.Secret == "" {
		ri.warn(c.path, "the export holds no key material for %q (partial exports leave it out); kcmock generates the realm's %s key", name, alg)
		return k, false
	}
	return k, true
}

const userProfileType = "org.keycloak.userprofile.UserProfileProvider"

// userProfile reads the attributes the realm's user profile requires of users at login, as
// DeclarativeUserProfileProvider decides: required with no roles and no scopes ("always"), or
// with the user role among its roles (whatever its scopes). What the Verify Profile required
// action asks for; an attribute required only when some scope is requested is not counted, and
// the rest of the profile is not emulated.
func (ri *realmImporter) userProfile(c *jsonObj) {
	raw := c.lists("config")["kc.user.profile.config"]
	if len(raw) == 0 {
		return
	}
	var profile struct {
		Attributes []struct {
			Name     string `json:"name"`
			Required *struct {
				Roles  []string `json:"roles"`
				Scopes []string `json:"scopes"`
			} `json:"required"`
		} `json:"attributes"`
	}
	path := at(at(c.path, "config"), "kc.user.profile.config")
	if err := json.Unmarshal([]byte(strings.Join(raw, "")), &profile); err != nil {
		ri.warn(path, "the user profile configuration is not JSON (%v); Keycloak's default requirements apply", err)
		return
	}
	required := []string{}
	for _, a := range profile.Attributes {
		r := a.Required
		if r == nil {
			continue
		}
		if len(r.Roles) == 0 && len(r.Scopes) == 0 || slices.Contains(r.Roles, "user") {
			required = append(required, a.Name)
		}
	}
	ri.doc.UserProfileRequired = &required
	ri.warn(path, "the user profile acts only through the attributes it requires of users (%s), checked at login as the Verify Profile required action does; its validators, permissions and annotations are not emulated", strings.Join(required, ", "))
}
