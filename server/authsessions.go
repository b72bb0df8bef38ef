package server

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// authRequest is a validated authorization request waiting for the user to log in (Keycloak's
// authentication session), or the request a code was issued for.
type authRequest struct {
	realm         string
	clientID      string
	redirectURI   string // where the response goes
	redirectParam string // redirect_uri as sent; the code grant compares it when it was sent
	hasRedirect   bool   // redirect_uri was sent (Keycloak stores no note otherwise)
	responseMode  string
	responseType  string
	scope         string
	state         string
	hasState      bool
	nonce         *string // nil when the request had no nonce parameter; "" is a value
	challenge     string
	method        string
	loginHint     string
	reauth        bool // prompt=login, or max_age exceeded
	created       time.Time
}

// pendingLogin is an authentication session: the request, and the rotating session_code the
// login form must carry.
type pendingLogin struct {
	req         *authRequest
	sessionCode string
}

// issuedCode is an authorization code's server side.
type issuedCode struct {
	req     *authRequest
	sid     string
	acr     string
	expires time.Time
}

// flowStore holds authentication sessions (by tab_id) and codes. Both expire; the maps are swept
// as they grow.
type flowStore struct {
	mu     sync.Mutex
	logins map[string]*pendingLogin
	codes  map[string]*issuedCode
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *flowStore) init() {
	if f.logins == nil {
		f.logins, f.codes = map[string]*pendingLogin{}, map[string]*issuedCode{}
	}
}

// startLogin stores a request and returns its tab_id.
func (f *flowStore) startLogin(req *authRequest) (tabID string, p *pendingLogin) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if len(f.logins) > 4096 {
		for k, v := range f.logins {
			if time.Since(v.req.created) > 2*time.Hour || len(f.logins) > 65536 {
				delete(f.logins, k)
			}
		}
	}
	tabID = randomToken(8)[:11]
	p = &pendingLogin{req: req, sessionCode: randomToken(32)}
	f.logins[tabID] = p
	return tabID, p
}

func (f *flowStore) login(tabID string) *pendingLogin {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	return f.logins[tabID]
}

// rotate gives a pending login a new session_code (after a failed attempt).
func (f *flowStore) rotate(p *pendingLogin) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	p.sessionCode = randomToken(32)
	return p.sessionCode
}

func (f *flowStore) endLogin(tabID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.logins, tabID)
}

// addCode stores a code.
func (f *flowStore) addCode(code string, ic *issuedCode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if len(f.codes) > 4096 {
		now := ic.req.created
		for k, v := range f.codes {
			if now.After(v.expires) {
				delete(f.codes, k)
			}
		}
	}
	f.codes[code] = ic
}

// redeem takes a code out (single use): nil for a code that was never issued, was already
// redeemed, or has expired (Keycloak's single-use store forgets it at its lifespan).
func (f *flowStore) redeem(code string, now time.Time) *issuedCode {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	ic := f.codes[code]
	if ic == nil {
		return nil
	}
	delete(f.codes, code)
	if now.After(ic.expires) {
		return nil
	}
	return ic
}
