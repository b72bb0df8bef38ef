// Package server owns kcmock's HTTP surface: Keycloak's routes under /realms/{realm} (and the
// legacy /auth prefix), the token endpoint with its grants and client authentication, user
// sessions, and the rendering of Keycloak's error responses. Token contents come from
// tokens/mint, keys and signing from tokens, realms from scenarios; echo stays in this package.
package server
