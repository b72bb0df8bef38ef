package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// SessionInfo describes a user session.
type SessionInfo struct {
	ID          string    `json:"id"`
	Realm       string    `json:"realm"`
	UserID      string    `json:"user_id"`
	Username    string    `json:"username,omitempty"`
	Offline     bool      `json:"offline"`
	Started     time.Time `json:"started"`
	LastRefresh time.Time `json:"last_refresh"`
	Clients     []string  `json:"clients"`
}

// Sessions lists a realm's live user sessions.
func (s *Server) Sessions(realm string) []SessionInfo {
	st := s.state.Load()
	rs := st.realms[realm]
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	var out []SessionInfo
	now := s.clock.Now()
	for k, us := range s.sessions.byKey {
		if k.realm != realm || rs != nil && !sessionValid(rs.model, us, now) {
			continue
		}
		info := SessionInfo{ID: us.id, Realm: realm, UserID: us.userID, Offline: us.offline, Started: us.started, LastRefresh: us.lastRefresh}
		if rs != nil {
			if u := rs.model.UserByID(us.userID); u != nil {
				info.Username = u.Username
			}
		}
		for c := range us.clients {
			info.Clients = append(info.Clients, c)
		}
		sort.Strings(info.Clients)
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Started.Before(out[j].Started) || out[i].Started.Equal(out[j].Started) && out[i].ID < out[j].ID
	})
	return out
}

// EndSession ends a user session (and the offline session of the same id): its tokens stop
// working, as after an admin's "Sign out".
func (s *Server) EndSession(realm, id string) bool {
	s.sessions.mu.Lock()
	defer s.sessions.mu.Unlock()
	found := false
	for _, off := range []bool{false, true} {
		k := sessionKey{realm, id, off}
		if _, ok := s.sessions.byKey[k]; ok {
			delete(s.sessions.byKey, k)
			found = true
		}
	}
	return found
}

// Reload serves another scenario. Sessions of realms that still exist survive; the others end.
func (s *Server) Reload(sc *scenarios.Scenario) error {
	next, err := newState(sc)
	if err != nil {
		return err
	}
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	s.state.Store(next)
	s.sessions.mu.Lock()
	for k := range s.sessions.byKey {
		if next.realms[k.realm] == nil {
			delete(s.sessions.byKey, k)
		}
	}
	s.sessions.mu.Unlock()
	return nil
}

// Mint signs arbitrary claims with a realm's active key, in Keycloak's JWS form.
func (s *Server) Mint(realm string, claims map[string]any) (string, error) {
	rs := s.state.Load().realms[realm]
	if rs == nil {
		return "", fmt.Errorf("no realm %q", realm)
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	return rs.keys.Active.Sign(b)
}

// MintToken builds a valid access token for a user and a client as Keycloak would issue it, in
// a session of its own (so it passes every check until it expires or the session ends). The
// scope parameter works as in a login. base is the front-end base URL, e.g.
// "http://localhost:8080".
func (s *Server) MintToken(base, realm, username, clientID, scope string) (string, error) {
	claims, rs, err := s.mintClaims(base, realm, username, clientID, scope, true)
	if err != nil {
		return "", err
	}
	return signClaims(rs.keys.Active, claims)
}

// mintClaims builds the access-token claims of a login; persist gives it a live session.
func (s *Server) mintClaims(base, realm, username, clientID, scope string, persist bool) (*tokens.Claims, *realmState, error) {
	rs := s.state.Load().realms[realm]
	if rs == nil {
		return nil, nil, fmt.Errorf("no realm %q", realm)
	}
	r := rs.model
	c := r.Client(clientID)
	if c == nil {
		return nil, nil, fmt.Errorf("realm %q has no client %q", realm, clientID)
	}
	u := r.User(username)
	if u == nil {
		return nil, nil, fmt.Errorf("realm %q has no user %q", realm, username)
	}
	scopes, err := mint.RequestScopes(c, scope)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	us := &userSession{id: s.cfg.NewID(), realm: r.Name, userID: u.ID, started: now, lastRefresh: now,
		clients: map[string]*clientSession{c.ClientID: {started: now, lastRefresh: now}}}
	if persist {
		s.sessions.put(r, us)
	}
	session := mint.Session{ID: us.id, Kind: mint.Online, Acr: "1", AccessCap: accessCap(r, us)}
	if !persist {
		session = mint.Session{Kind: mint.Transient, Acr: "1"} // sessionless: only the defect refuses it
	}
	req := &mint.Request{Realm: r, Client: c, User: u, Scopes: scopes.Permitted(u, nil), Issuer: base + "/realms/" + r.Name, Now: now,
		Grant: mint.GrantPassword, PlainJTI: !s.state.Load().scenario.Server.Version.AtLeast(26, 2), Session: session}
	return s.builder.Access(req), rs, nil
}

// BadTokenKinds are the deliberately broken tokens MintBad makes.
var BadTokenKinds = []string{"expired", "not-yet-valid", "wrong-issuer", "wrong-audience", "unknown-kid", "bad-signature", "alg-none", "wrong-typ"}

// MintBad makes a token that resource servers must refuse, starting from a valid one (which
// gets no session: nothing is left behind).
func (s *Server) MintBad(base, realm, username, clientID, kind string) (string, error) {
	if !validBadKind(kind) {
		return "", fmt.Errorf("unknown kind %q (one of %v)", kind, BadTokenKinds)
	}
	c, rs, err := s.mintClaims(base, realm, username, clientID, "", false)
	if err != nil {
		return "", err
	}
	good, err := signClaims(rs.keys.Active, c)
	if err != nil {
		return "", err
	}
	var claims map[string]any
	b, _ := c.MarshalJSON()
	if err := json.Unmarshal(b, &claims); err != nil {
		return "", err
	}
	now := s.clock.Now().Unix()
	switch kind {
	case "expired":
		claims["iat"], claims["exp"] = now-600, now-300
	case "not-yet-valid":
		// An hour ahead: libraries allow a few minutes of clock skew.
		claims["nbf"], claims["iat"], claims["exp"] = now+3600, now+3600, now+3900
	case "wrong-issuer":
		claims["iss"] = "https://attacker.example/realms/" + realm
	case "wrong-audience":
		claims["aud"] = "someone-else"
	case "wrong-typ":
		claims["typ"] = "Refresh"
	case "bad-signature":
		return tamper(good), nil
	case "unknown-kid":
		k, err := tokens.GenerateKey("ES256", tokens.UseSig, realm, rand.Reader, s.clock.Now())
		if err != nil {
			return "", err
		}
		b, _ := json.Marshal(claims)
		return k.Sign(b)
	case "alg-none":
		b, _ := json.Marshal(claims)
		return "eyJhbGciOiJub25lIiwidHlwIiA6ICJKV1QifQ." + b64(b) + ".", nil
	}
	return s.Mint(realm, claims)
}

func validBadKind(kind string) bool {
	for _, k := range BadTokenKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// tamper changes one signature character well inside the signature (the last ones may carry
// unused bits): a token with the realm's kid whose signature does not verify.
func tamper(jwt string) string {
	i := len(jwt) - 10
	repl := byte('A')
	if jwt[i] == 'A' {
		repl = 'B'
	}
	return jwt[:i] + string(repl) + jwt[i+1:]
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func base64RawURL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
