package cases

import "time"

// Case is one named test: steps run in order against a fresh kcmock; the first step that does
// not meet its expectations fails the case (later steps would only repeat the failure).
type Case struct {
	Name  string
	Realm string // the realm of every step that names none; resolved by LoadFile
	Path  string // cases[i], for messages
	Steps []Step
}

// Kind is what a step does.
type Kind string

// The step kinds. The HTTP kinds send one request to the realm's endpoint of that name; the
// others act on the server directly.
const (
	Token      Kind = "token"       // POST …/protocol/openid-connect/token
	Introspect Kind = "introspect"  // POST …/protocol/openid-connect/token/introspect
	Userinfo   Kind = "userinfo"    // GET …/protocol/openid-connect/userinfo (POST with a form)
	Revoke     Kind = "revoke"      // POST …/protocol/openid-connect/revoke
	Certs      Kind = "certs"       // GET …/protocol/openid-connect/certs
	Discovery  Kind = "discovery"   // GET …/.well-known/openid-configuration
	ClockStep  Kind = "clock"       // moves or freezes the server clock
	EndSession Kind = "end_session" // ends a user session, as an admin's "Sign out" does
)

// kinds lists every Kind, in the order messages name them.
var kinds = []Kind{Token, Introspect, Userinfo, Revoke, Certs, Discovery, ClockStep, EndSession}

// isHTTP reports whether a step of this kind sends a request (and so may have expectations).
func (k Kind) isHTTP() bool { return k != ClockStep && k != EndSession }

// Step is one action of a case.
type Step struct {
	Name    string
	Kind    Kind
	Realm   string // overrides the case's realm
	Path    string // cases[i].steps[j], for messages
	Client  *Client
	Form    []Field    // sorted by key (TOML tables have no order); an array repeats its key
	Bearer  *Template  // Authorization: Bearer …
	Headers []Header   // extra request headers
	Save    []Save     // response field → variable
	Expect  *Expect    // nil: a 2xx answer
	Clock   *ClockMove // kind clock
	Session *Template  // kind end_session
}

// Client authenticates an HTTP step as a client.
type Client struct {
	ID     *Template
	Secret *Template // nil: a public client, whose id goes in the form as client_id
	Post   bool      // client_secret_post (client_id and client_secret in the form) instead of HTTP Basic
}

// Field is one form parameter; a key given as an array becomes several Fields.
type Field struct {
	Key   string
	Value *Template
}

// Header is one request header.
type Header struct {
	Name  string
	Value *Template
}

// Save stores a top-level field of the JSON answer in a variable.
type Save struct {
	Var, Field string
}

// ClockMove changes the server clock: Freeze first, then Set, then Advance.
type ClockMove struct {
	Freeze  *bool
	Set     *time.Time
	Advance time.Duration
}

// Expect is what an HTTP step's answer must show. Only what is named is checked.
type Expect struct {
	Status           int // 0: any 2xx, or any status when Error is named
	Error            *Matcher
	ErrorDescription *Matcher
	Body             []Named            // top-level fields of the JSON body
	Header           []Named            // response headers
	Claims           map[string][]Named // response field holding a JWT → claims of its payload
	ClaimsOrder      []string           // keys of Claims in order
	Absent           map[string][]string
	AbsentOrder      []string // keys of Absent in order; "body" means the body's own fields
}

// Named is a matcher for one named field, claim or header.
type Named struct {
	Name string
	M    *Matcher
}
