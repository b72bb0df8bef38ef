package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens/mint"
)

// passwordGrant is ResourceOwnerPasswordCredentialsGrantType: direct grants enabled, no
// consent required, valid scope, then the direct-grant flow (username, user, enabled,
// password), required actions, and the offline check.
func (s *Server) passwordGrant(tr *tokenRequest) error {
	c, r := tr.client, tr.realm.model
	if !c.DirectAccessGrantsEnabled {
		return oauthErr(http.StatusBadRequest, "unauthorized_client", "Client not allowed for direct access grants").
			because("password grant: direct access grants", "client "+c.ClientID+" has direct_access_grants_enabled off")
	}
	if c.ConsentRequired {
		return oauthErr(http.StatusBadRequest, "invalid_client", "Client requires user consent").
			because("password grant: consent", "client "+c.ClientID+" requires consent, which the password grant cannot ask for")
	}
	scopes, err := requestScopes(c, tr.form)
	if err != nil {
		return err
	}
	if tr.decision != nil {
		tr.decision.user = tr.form.Get("username")
	}
	u, oe := directGrantUser(r, tr.srv.Version, tr.form)
	if oe != nil {
		return oe
	}
	// The offline session, and its check, come with the refresh token (generateRefreshToken):
	// a client without refresh tokens gets an online access token whatever it asks.
	useRefresh := c.AttrBool("use.refresh.tokens", true)
	offline := useRefresh && scopes.Has("offline_access")
	if offline && !offlineAllowed(r, c, u, scopes) {
		return errOfflineNotAllowed()
	}
	us := s.newSession(tr, u, offline, 0)
	req := s.mintRequest(tr, u, scopes, us, mint.GrantPassword)
	return s.issue(tr, req, useRefresh)
}

// directGrantUser runs the direct-grant authenticators (ValidateUsername, ValidatePassword)
// and the required-action check that follows them.
func directGrantUser(r *scenarios.Realm, version scenarios.Version, form url.Values) (*scenarios.User, *OAuthError) {
	// ValidateUsername tests for null: "username=" is a name no user has.
	if !form.Has("username") {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_request", "Missing parameter: username")
	}
	username, password := form.Get("username"), form.Get("password")
	// Up to 26.5 the authenticators answer a credentials failure with 401; 26.6 made these
	// invalid_grant answers 400 as RFC 6749 §5.2 asks (keycloak#46528, 26.6.0 upgrade notes).
	credentialsStatus := http.StatusUnauthorized
	if version.AtLeast(26, 6) {
		credentialsStatus = http.StatusBadRequest
	}
	invalid := func(why string) *OAuthError {
		return oauthErr(credentialsStatus, "invalid_grant", "Invalid user credentials").because("password grant: credentials", why)
	}
	u := r.User(username)
	if u == nil && r.LoginWithEmailAllowed {
		u = r.UserByEmail(username)
	}
	switch {
	case u == nil:
		return nil, invalid("realm " + r.Name + " has no user " + username)
	case u.ServiceAccountClient != nil:
		return nil, invalid(username + " is a service-account user, which cannot log in with a password")
	case !u.Enabled:
		return nil, errInvalidGrantStatus(http.StatusBadRequest, "Account disabled").because("password grant: user enabled", "user "+u.Username+" is disabled")
	case !u.CheckPassword(password):
		return nil, invalid("wrong password for user " + u.Username)
	case len(u.RequiredActions) > 0 || u.PasswordTemporary:
		return nil, errInvalidGrant("Account is not fully set up").because("password grant: required actions",
			"user "+u.Username+" has required actions "+strings.Join(u.RequiredActions, ", ")+" (a temporary password means UPDATE_PASSWORD)")
	}
	if gaps := r.ProfileGaps(u); len(gaps) > 0 {
		return nil, errInvalidGrant("Account is not fully set up").because("password grant: required actions (Verify Profile)", profileWhy(r, u, gaps))
	}
	return u, nil
}

// profileWhy explains a Verify Profile stop, and the two ways out.
func profileWhy(r *scenarios.Realm, u *scenarios.User, gaps []string) string {
	return "user " + u.Username + " lacks " + strings.Join(gaps, ", ") + ", which realm " + r.Name +
		"'s user profile requires (Keycloak 24+ turns that into the Verify Profile required action at every login); give the user these attributes, or set verify_profile = false on the realm"
}

func errInvalidGrantStatus(status int, desc string) *OAuthError {
	return oauthErr(status, "invalid_grant", desc)
}

// requestScopes is OAuth2GrantTypeBase.getRequestedScopes: no scope parameter asks for the
// client's defaults; a given one is checked by mint.RequestScopes. A given but empty one
// ("scope=") is refused as Keycloak refuses it: its form parser keeps the empty value, and
// splitting "" yields one scope named "", which no client has.
func requestScopes(c *scenarios.Client, form url.Values) (mint.Scopes, error) {
	param := form.Get("scope")
	if param == "" && form.Has("scope") {
		return mint.Scopes{}, errInvalidScope("Invalid scopes: ")
	}
	scopes, err := mint.RequestScopes(c, param)
	var ise *mint.InvalidScopeError
	if errors.As(err, &ise) {
		return mint.Scopes{}, errInvalidScope(ise.Error())
	}
	return scopes, err
}

// errOfflineNotAllowed is createOrUpdateOfflineSession's refusal.
func errOfflineNotAllowed() *OAuthError {
	return oauthErr(http.StatusBadRequest, "not_allowed", "Offline tokens not allowed for the user or client")
}

// offlineAllowed is TokenManager.isOfflineTokenAllowed: the offline_access realm role must be
// among the user's roles in the client's scope.
func offlineAllowed(r *scenarios.Realm, c *scenarios.Client, u *scenarios.User, scopes mint.Scopes) bool {
	role := r.RealmRole("offline_access")
	return role != nil && mint.ScopedRoles(u, c, scopes.Granted)[role]
}

// newSession starts a user session (and its client session) for a login, or an offline
// session, which Keycloak keeps under the same id.
func (s *Server) newSession(tr *tokenRequest, u *scenarios.User, offline bool, authTime int64) *userSession {
	now := tr.now
	us := &userSession{
		id: s.cfg.NewID(), realm: tr.realm.model.Name, userID: u.ID, offline: offline,
		started: now, lastRefresh: now, authTime: authTime,
		clients: map[string]*clientSession{tr.client.ClientID: {started: now, lastRefresh: now}},
	}
	s.sessions.put(tr.realm.model, us)
	return us
}

// offlineCopy is UserSessionManager.createOrUpdateOfflineSession: the offline session under the
// online session's id, created on first use, with a client session for the client the
// refresh token is for (the requesting client, unless named).
func (s *Server) offlineCopy(tr *tokenRequest, online *userSession, clientID ...string) *userSession {
	id := tr.client.ClientID
	if len(clientID) > 0 {
		id = clientID[0]
	}
	return s.sessions.offlineCopy(tr.realm.model, online, id, tr.now)
}

// mintRequest assembles what the token builder needs for a session-bound grant.
func (s *Server) mintRequest(tr *tokenRequest, u *scenarios.User, scopes mint.Scopes, us *userSession, grant string) *mint.Request {
	r := tr.realm.model
	if tr.decision != nil {
		tr.decision.user = u.Username
	}
	kind := mint.Online
	if us.offline {
		kind = mint.Offline
	}
	return &mint.Request{
		Realm: r, Client: tr.client, User: u, Scopes: scopes.Permitted(u, nil), Issuer: tr.issuer(), Now: tr.now, Grant: grant, PlainJTI: tr.plainJTI(),
		Session: mint.Session{
			ID: us.id, Kind: kind, AuthTime: us.authTime, Acr: s.sessions.acr(us, tr.client.ClientID), Notes: us.notes,
			AccessCap: accessCap(r, us), RefreshExp: refreshExpiry(r, us, tr.now),
			OfflineRequested: scopes.Has("offline_access"),
		},
	}
}
