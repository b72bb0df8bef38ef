package server

import (
	"sort"

	"github.com/kcmock/kcmock/scenarios"
)

// Algorithm lists as Keycloak 26 advertises them (provider registration order).
var (
	sigAlgs     = []string{"PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"}
	asymAlgs    = []string{"PS384", "RS384", "EdDSA", "ES384", "ES256", "RS256", "ES512", "PS256", "PS512", "RS512"}
	encAlgs     = []string{"ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "RSA1_5", "ECDH-ES"}
	encEncs     = []string{"A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"}
	authMethods = []string{"private_key_jwt", "client_secret_basic", "client_secret_post", "tls_client_auth", "client_secret_jwt"}
)

// scopeMetadataRank is the order captured 26.x discovery documents list built-in scopes in.
var scopeMetadataRank = map[string]int{
	"organization": 1, "offline_access": 2, "address": 3, "basic": 4, "email": 5, "profile": 6,
	"acr": 7, "roles": 8, "service_account": 9, "web-origins": 10, "phone": 11, "microprofile-jwt": 12,
}

// Grant type URNs.
const (
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"
	grantAuthorizationCode = "authorization_code"
	grantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantUMATicket         = "urn:ietf:params:oauth:grant-type:uma-ticket"
	grantCIBA              = "urn:openid:params:grant-type:ciba"
)

// grantTypesSupported is built like Keycloak's: the registered grant providers plus implicit,
// sorted. The exchange grant exists when either exchange feature is on.
func grantTypesSupported(srv scenarios.Server) []string {
	g := []string{grantAuthorizationCode, grantClientCredentials, "implicit", grantPassword, grantRefreshToken, grantUMATicket}
	if srv.Feature("device-flow") {
		g = append(g, grantDeviceCode)
	}
	if srv.Feature("ciba") {
		g = append(g, grantCIBA)
	}
	if exchangeEnabled(srv) {
		g = append(g, grantTokenExchange)
	}
	sort.Strings(g)
	return g
}

func exchangeEnabled(srv scenarios.Server) bool {
	return srv.Feature("token-exchange") || srv.Feature("token-exchange-standard")
}

// discoveryJSON is OIDCWellKnownProvider's document, fields in OIDCConfigurationRepresentation
// order, for a realm reached at base (the server's front-end URL).
func discoveryJSON(srv scenarios.Server, r *scenarios.Realm, base string) []byte {
	iss := base + "/realms/" + r.Name
	oc := iss + "/protocol/openid-connect"
	o := newObj().
		str("issuer", iss).
		str("authorization_endpoint", oc+"/auth").
		str("token_endpoint", oc+"/token").
		str("introspection_endpoint", oc+"/token/introspect").
		str("userinfo_endpoint", oc+"/userinfo").
		str("end_session_endpoint", oc+"/logout").
		boolean("frontchannel_logout_session_supported", true).
		boolean("frontchannel_logout_supported", true).
		str("jwks_uri", oc+"/certs").
		str("check_session_iframe", oc+"/login-status-iframe.html").
		strs("grant_types_supported", grantTypesSupported(srv)).
		strs("acr_values_supported", []string{"0", "1"}).
		strs("response_types_supported", []string{"code", "none", "id_token", "token", "id_token token", "code id_token", "code token", "code id_token token"}).
		strs("subject_types_supported", []string{"public", "pairwise"}).
		strs("prompt_values_supported", []string{"none", "login", "consent"}).
		strs("id_token_signing_alg_values_supported", sigAlgs).
		strs("id_token_encryption_alg_values_supported", encAlgs).
		strs("id_token_encryption_enc_values_supported", encEncs).
		strs("userinfo_signing_alg_values_supported", append(append([]string(nil), sigAlgs...), "none")).
		strs("userinfo_encryption_alg_values_supported", encAlgs).
		strs("userinfo_encryption_enc_values_supported", encEncs).
		strs("request_object_signing_alg_values_supported", append(append([]string(nil), sigAlgs...), "none")).
		strs("request_object_encryption_alg_values_supported", encAlgs).
		strs("request_object_encryption_enc_values_supported", encEncs).
		strs("response_modes_supported", []string{"query", "fragment", "form_post", "query.jwt", "fragment.jwt", "form_post.jwt", "jwt"}).
		str("registration_endpoint", iss+"/clients-registrations/openid-connect").
		strs("token_endpoint_auth_methods_supported", authMethods).
		strs("token_endpoint_auth_signing_alg_values_supported", sigAlgs).
		strs("introspection_endpoint_auth_methods_supported", authMethods).
		strs("introspection_endpoint_auth_signing_alg_values_supported", sigAlgs).
		strs("authorization_signing_alg_values_supported", sigAlgs).
		strs("authorization_encryption_alg_values_supported", encAlgs).
		strs("authorization_encryption_enc_values_supported", encEncs).
		strs("claims_supported", []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "name", "given_name", "family_name", "preferred_username", "email", "acr", "azp", "nonce"}).
		strs("claim_types_supported", []string{"normal"}).
		boolean("claims_parameter_supported", true).
		strs("scopes_supported", scopesSupported(r)).
		boolean("request_parameter_supported", true).
		boolean("request_uri_parameter_supported", true).
		boolean("require_request_uri_registration", true).
		strs("code_challenge_methods_supported", []string{"plain", "S256"}).
		boolean("tls_client_certificate_bound_access_tokens", true).
		strs("dpop_signing_alg_values_supported", asymAlgs).
		str("revocation_endpoint", oc+"/revoke").
		strs("revocation_endpoint_auth_methods_supported", authMethods).
		strs("revocation_endpoint_auth_signing_alg_values_supported", sigAlgs).
		boolean("backchannel_logout_supported", true).
		boolean("backchannel_logout_session_supported", true)
	if srv.Feature("device-flow") {
		o.str("device_authorization_endpoint", oc+"/auth/device")
	}
	if srv.Feature("ciba") {
		o.strs("backchannel_token_delivery_modes_supported", []string{"poll", "ping"}).
			str("backchannel_authentication_endpoint", oc+"/ext/ciba/auth").
			strs("backchannel_authentication_request_signing_alg_values_supported", asymAlgs)
	}
	o.boolean("require_pushed_authorization_requests", false)
	if srv.Feature("par") {
		o.str("pushed_authorization_request_endpoint", oc+"/ext/par/request")
	}
	aliases := newObj().
		str("token_endpoint", oc+"/token").
		str("revocation_endpoint", oc+"/revoke").
		str("introspection_endpoint", oc+"/token/introspect")
	if srv.Feature("device-flow") {
		aliases.str("device_authorization_endpoint", oc+"/auth/device")
	}
	aliases.str("registration_endpoint", iss+"/clients-registrations/openid-connect").
		str("userinfo_endpoint", oc+"/userinfo")
	if srv.Feature("par") {
		aliases.str("pushed_authorization_request_endpoint", oc+"/ext/par/request")
	}
	if srv.Feature("ciba") {
		aliases.str("backchannel_authentication_endpoint", oc+"/ext/ciba/auth")
	}
	o.raw("mtls_endpoint_aliases", aliases.bytes())
	o.boolean("authorization_response_iss_parameter_supported", true)
	return o.bytes()
}

// scopesSupported is openid then every client scope included in the provider metadata.
func scopesSupported(r *scenarios.Realm) []string {
	var names []string
	for _, s := range r.ClientScopes {
		if s.Attributes["include.in.openid.provider.metadata"] == "false" {
			continue
		}
		names = append(names, s.Name)
	}
	rank := func(n string) int {
		if v, ok := scopeMetadataRank[n]; ok {
			return v
		}
		return len(scopeMetadataRank) + 1
	}
	sort.SliceStable(names, func(i, j int) bool { return rank(names[i]) < rank(names[j]) })
	return append([]string{"openid"}, names...)
}

// realmInfoJSON is PublishedRealmRepresentation.
func realmInfoJSON(r *scenarios.Realm, publicKey, base string) []byte {
	iss := base + "/realms/" + r.Name
	return newObj().
		str("realm", r.Name).
		str("public_key", publicKey).
		str("token-service", iss+"/protocol/openid-connect").
		str("account-service", iss+"/account").
		num("tokens-not-before", r.NotBefore).
		bytes()
}
