// Package scenarios owns kcmock's scenario files: the TOML schema (keys mirror Keycloak's realm
// export JSON in snake_case), strict loading with every problem reported at once, the built-in
// content of a freshly created Keycloak 26 realm, and the immutable, indexed realm model that the
// rest of kcmock reads. It knows nothing of HTTP.
package scenarios
