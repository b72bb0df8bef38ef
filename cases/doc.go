// Package cases owns the schema and the running of scenario test cases: the `[[cases]]` of a
// scenario file, each a named sequence of steps (requests to kcmock's endpoints, clock moves,
// session ends) with expectations on the answers. A scenario thus documents Keycloak's
// behaviour and proves that kcmock follows it; `kcmock check` runs them.
//
// A case in TOML:
//
//	[[cases]]
//	name = "the gateway exchanges alice's token for orders-api"
//	realm = "acme"                  # default: the scenario's only realm
//
//	[[cases.steps]]
//	request = "token"
//	form = { grant_type = "password", client_id = "web-frontend", username = "alice", password = "alice" }
//	save = { alice = "access_token" }
//
//	[[cases.steps]]
//	request = "token"
//	client = { id = "api-gateway", secret = "gateway-secret" }
//	form = { grant_type = "urn:ietf:params:oauth:grant-type:token-exchange", subject_token = "${alice}", audience = "orders-api" }
//	expect.status = 200
//	expect.claims.access_token = { azp = "api-gateway", aud = "orders-api", sid = "${alice.sid}" }
//	expect.absent.access_token = ["act"]
//
// Parsing is strict, like scenario loading: unknown keys, wrong types, unknown variables and
// bad regular expressions are reported all at once with their paths
// (cases[2].steps[0].expect.status). Run starts a fresh in-process kcmock for every case, on a
// real loopback listener so that issuers are real URLs, with a frozen clock at a fixed start
// and sequential ids, so that a report is the same on every run.
//
// The full schema and the matcher rules are in README.md ("Scenario cases and kcmock check").
package cases
