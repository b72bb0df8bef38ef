// Package tokens owns realm keys, JWS signing and verification, JWKS/public-key documents and
// Keycloak-ordered JWT claim serialization; it knows nothing of HTTP.
//
// Everything here aims at byte compatibility with Keycloak 26: the JWS header is built by hand
// the way Keycloak's JWSBuilder does it, key ids are Keycloak's (SHA-256 over the SubjectPublicKeyInfo,
// not the RFC 7638 thumbprint), and token payloads follow Jackson's field order with the
// java.util.HashMap iteration order for mapper-made claims and role sets.
package tokens
