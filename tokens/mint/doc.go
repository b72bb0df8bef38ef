// Package mint builds Keycloak-shaped token claims from the realm model: it resolves the
// client scopes a request is granted, scopes the user's roles to the client the way Keycloak's
// TokenManager does, runs the protocol mappers, and fills access, ID, refresh, userinfo and
// introspection claims. Signing and serialization belong to package tokens; sessions and HTTP
// belong to package server.
package mint
