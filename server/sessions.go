package server

import (
	"maps"
	"sync"
	"time"

	"github.com/kcmock/kcmock/scenarios"
)

// idleWindow is Keycloak's SessionTimeoutHelper.IDLE_TIMEOUT_WINDOW_SECONDS: a session counts
// as idle-expired only this long after its idle deadline.
const idleWindow = 120 * time.Second

// userSession is a Keycloak user session (online or offline) with its client sessions.
type userSession struct {
	id          string
	realm       string
	userID      string
	offline     bool
	started     time.Time
	lastRefresh time.Time
	authTime    int64
	notes       map[string]string
	clients     map[string]*clientSession // by clientId
}

type clientSession struct {
	started     time.Time
	lastRefresh time.Time
	// exchangedFrom are the clients whose tokens the standard exchange turned into tokens of
	// this client session (Keycloak's TOKEN_EXCHANGE_SUBJECT_CLIENT notes, chains included):
	// revoking a token of one of them detaches this client session.
	exchangedFrom map[string]bool
	// sso: the client's last browser authentication was a single sign-on (the SSO_AUTH note),
	// which its later tokens keep as acr "0".
	sso bool
}

type sessionKey struct {
	realm, id string
	offline   bool
}

// sessionStore keeps user sessions in memory. Expired sessions are dropped when met and swept
// now and then, so the store stays bounded under load.
type sessionStore struct {
	mu      sync.Mutex
	now     func() time.Time
	byKey   map[sessionKey]*userSession
	inserts int
}

func newSessionStore(now func() time.Time) *sessionStore {
	return &sessionStore{now: now, byKey: map[sessionKey]*userSession{}}
}

const sweepEvery = 1024

func (st *sessionStore) put(r *scenarios.Realm, us *userSession) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.byKey[sessionKey{us.realm, us.id, us.offline}] = us
	st.inserts++
	if st.inserts%sweepEvery == 0 {
		st.sweepLocked(r)
	}
}

// get returns a live session, or nil when it is gone or expired.
func (st *sessionStore) get(r *scenarios.Realm, id string, offline bool) *userSession {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := sessionKey{r.Name, id, offline}
	us := st.byKey[k]
	if us == nil {
		return nil
	}
	if !sessionValid(r, us, st.now()) {
		delete(st.byKey, k)
		return nil
	}
	return us
}

func (st *sessionStore) remove(realm, id string, offline bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.byKey, sessionKey{realm, id, offline})
}

// touch records a refresh on a session and its client session.
func (st *sessionStore) touch(us *userSession, clientID string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	us.lastRefresh = now
	if cs := us.clients[clientID]; cs != nil {
		cs.lastRefresh = now
	}
}

// setSSO records whether the client's latest browser authentication was a single sign-on.
func (st *sessionStore) setSSO(us *userSession, clientID string, sso bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cs := us.clients[clientID]; cs != nil {
		cs.sso = sso
	}
}

// acr is the acr of a token of the client session: "0" after a single sign-on, else "1".
func (st *sessionStore) acr(us *userSession, clientID string) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cs := us.clients[clientID]; cs != nil && cs.sso {
		return "0"
	}
	return "1"
}

// hasClient reports whether the session has a client session for clientID.
func (st *sessionStore) hasClient(us *userSession, clientID string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return us.clients[clientID] != nil
}

// addClient gives the session a client session for clientID; false if it had one.
func (st *sessionStore) addClient(us *userSession, clientID string, now time.Time) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if us.clients[clientID] != nil {
		return false
	}
	us.clients[clientID] = &clientSession{started: now, lastRefresh: now}
	return true
}

// dropClient removes a client session (and the user session with its last one).
func (st *sessionStore) dropClient(us *userSession, clientID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(us.clients, clientID)
	if len(us.clients) == 0 {
		delete(st.byKey, sessionKey{us.realm, us.id, us.offline})
	}
}

// offlineCopy finds or creates, in one step, the offline session under an online session's id
// and gives it a client session for clientID.
func (st *sessionStore) offlineCopy(r *scenarios.Realm, online *userSession, clientID string, now time.Time) *userSession {
	st.mu.Lock()
	defer st.mu.Unlock()
	k := sessionKey{online.realm, online.id, true}
	off := st.byKey[k]
	if off == nil || !sessionValid(r, off, now) {
		off = &userSession{
			id: online.id, realm: online.realm, userID: online.userID, offline: true,
			started: now, lastRefresh: now, authTime: online.authTime, notes: maps.Clone(online.notes),
			clients: map[string]*clientSession{},
		}
		st.byKey[k] = off
	}
	if off.clients[clientID] == nil {
		off.clients[clientID] = &clientSession{started: now, lastRefresh: now}
	}
	return off
}

// detachClient removes a client session and keeps the user session, even with no client
// left (AuthenticatedClientSessionModel.detachFromUserSession, as a refused code does it).
func (st *sessionStore) detachClient(us *userSession, clientID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(us.clients, clientID)
}

// noteExchange records on clientID's client session that it received a token of subjectAzp
// by standard exchange; when that token was itself exchanged, the subject client's own notes
// come along, so that revocation follows the chain.
func (st *sessionStore) noteExchange(us *userSession, clientID, subjectAzp string, chained bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	cs := us.clients[clientID]
	if cs == nil {
		return
	}
	if cs.exchangedFrom == nil {
		cs.exchangedFrom = map[string]bool{}
	}
	if from := us.clients[subjectAzp]; chained && from != nil {
		for c := range from.exchangedFrom {
			cs.exchangedFrom[c] = true
		}
	}
	cs.exchangedFrom[subjectAzp] = true
}

// detachExchanged detaches every client session that received tokens of clientID by
// exchange (TokenRevocationEndpoint.revokeTokenExchangeSession).
func (st *sessionStore) detachExchanged(us *userSession, clientID string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for id, cs := range us.clients {
		if cs.exchangedFrom[clientID] {
			delete(us.clients, id)
		}
	}
}

// removeIfEmpty removes a user session that has no client session left.
func (st *sessionStore) removeIfEmpty(us *userSession) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(us.clients) == 0 {
		delete(st.byKey, sessionKey{us.realm, us.id, us.offline})
	}
}

func (st *sessionStore) count() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byKey)
}

// sweepLocked drops the expired sessions of a realm.
func (st *sessionStore) sweepLocked(r *scenarios.Realm) {
	now := st.now()
	for k, us := range st.byKey {
		if k.realm == r.Name && !sessionValid(r, us, now) {
			delete(st.byKey, k)
		}
	}
}

// sessionValid is AuthenticationManager.isSessionValid / isOfflineSessionValid.
func sessionValid(r *scenarios.Realm, us *userSession, now time.Time) bool {
	idle, max, hasMax := sessionLimits(r, us.offline)
	if now.After(us.lastRefresh.Add(idle + idleWindow)) {
		return false
	}
	return !hasMax || now.Before(us.started.Add(max))
}

// sessionLimits are the realm's session timeouts as SessionExpirationUtils reads them: a value
// of zero or less stands for Keycloak's default (SSO idle 30 min, SSO max 10 h, offline idle
// 30 days, offline max 60 days), never for "expire at once".
func sessionLimits(r *scenarios.Realm, offline bool) (idle, max time.Duration, hasMax bool) {
	if offline {
		return orDefault(r.OfflineSessionIdleTimeout, 30*24*time.Hour), orDefault(r.OfflineSessionMaxLifespan, 60*24*time.Hour),
			r.OfflineSessionMaxLifespanEnabled
	}
	return orDefault(r.SSOSessionIdleTimeout, 30*time.Minute), orDefault(r.SSOSessionMaxLifespan, 10*time.Hour), true
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// clientLimit applies a client-session override (0 inherits) to a session limit.
func clientLimit(session, client time.Duration) time.Duration {
	if client > 0 && client < session {
		return client
	}
	return session
}

// refreshExpiry is the exp of a refresh token issued now: the idle deadline, capped by the
// session's max lifespan. Offline tokens without a max lifespan have no exp (0).
func refreshExpiry(r *scenarios.Realm, us *userSession, now time.Time) int64 {
	idle, max, hasMax := sessionLimits(r, us.offline)
	if us.offline && !hasMax {
		return 0
	}
	if !us.offline {
		idle = clientLimit(idle, r.ClientSessionIdleTimeout)
		max = clientLimit(max, r.ClientSessionMaxLifespan)
	}
	exp := now.Add(idle)
	if hasMax {
		if end := us.started.Add(max); end.Before(exp) {
			exp = end
		}
	}
	return exp.Unix()
}

// accessCap is the latest exp an access token of the session may have.
func accessCap(r *scenarios.Realm, us *userSession) int64 {
	_, max, hasMax := sessionLimits(r, us.offline)
	if !hasMax {
		return 0
	}
	if !us.offline {
		max = clientLimit(max, r.ClientSessionMaxLifespan)
	}
	return us.started.Add(max).Unix()
}

// reauthenticate records a fresh login in an existing session (prompt=login, max_age).
func (st *sessionStore) reauthenticate(us *userSession, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	us.authTime = now.Unix()
	us.lastRefresh = now
}
