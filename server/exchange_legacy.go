package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// Impersonation user-session notes (Keycloak's ImpersonationSessionNote names).
const (
	noteImpersonatorID       = "IMPERSONATOR_ID"
	noteImpersonatorUsername = "IMPERSONATOR_USERNAME"
	noteImpersonatorClient   = "IMPERSONATOR_CLIENT"
)

func errNotAllowedToExchange() *OAuthError {
	return oauthErr(http.StatusForbidden, "access_denied", "Client not allowed to exchange")
}

// legacyExchange is the legacy token exchange (V1, preview feature token-exchange with
// fine-grained admin permissions v1), in Keycloak 26.0's check order: the subject token
// (stage 1), requested_subject (stage 2), requested_issuer (stage 3), then the exchange to a
// client (stage 4).
func (s *Server) legacyExchange(tr *tokenRequest) error {
	f, r, requester := tr.form, tr.realm.model, tr.client
	fg := fgap{on: tr.srv.Feature("admin-fine-grained-authz"), realm: r}
	x := &legacy{tr: tr, fg: fg, holderCheck: true}

	// Stage 1: the subject token, internal or external. Keycloak tests its parameters for
	// null, so a parameter sent empty counts as given: an empty subject_token is a token that
	// fails verification, not a naked impersonation; an empty subject_issuer names no provider.
	if f.Has("subject_token") {
		raw := f.Get("subject_token")
		issuer, hasIssuer, typ := f.Get("subject_issuer"), f.Has("subject_issuer"), f.Get("subject_token_type")
		if !hasIssuer && typ == tokenTypeJWT {
			_, payload, err := tokens.Peek(raw)
			var claims struct {
				Iss *string `json:"iss"`
			}
			if err != nil || json.Unmarshal(payload, &claims) != nil {
				return errInvalidRequest("Invalid token type, must be access token").because("legacy exchange 1.1: jwt subject token", "subject_token_type is jwt but the token is not a readable JWT")
			}
			if claims.Iss != nil {
				issuer, hasIssuer = *claims.Iss, true
			}
		}
		if hasIssuer && issuer != tr.issuer() {
			extTyp := typ
			if !f.Has("subject_token_type") {
				extTyp = tokenTypeAccess // the provider defaults a missing type, not an empty one
			}
			return s.externalExchange(x, raw, issuer, extTyp)
		}
		if f.Has("subject_token_type") && typ != tokenTypeAccess {
			return errInvalidRequest("Invalid token type, must be access token").because("legacy exchange 1.3: subject token type", "subject_token_type "+typ+" is not the access-token type")
		}
		subject, reason := s.verifyAccessToken(tr.call, raw)
		if subject == nil {
			return errInvalidRequest("Invalid token").because("legacy exchange 1.4: subject token verification", "the subject token is not a live access token of realm "+r.Name+": "+reason)
		}
		x.subject, x.user = subject, subject.user
	}

	// Stage 2: impersonation.
	if f.Has("requested_subject") {
		name := f.Get("requested_subject")
		target := s.userByName(r, name) // users imported by external exchange too
		if target == nil {
			target = s.userByID(r, name)
		}
		if target == nil {
			return errNotAllowedToExchange().because("legacy exchange 2.1: requested_subject exists", "realm "+r.Name+" has no user "+name+" (Keycloak answers vaguely on purpose)")
		}
		if x.subject != nil {
			if !fg.canImpersonate(x.tokenIdentity(), x.tokenHasImpersonationRole(), target, requester) {
				return errNotAllowedToExchange().because("legacy exchange 2.2: impersonation with a subject token",
					"the subject token carries no realm-management impersonation role and no Users impersonate permission grants its client "+x.subject.claims.Azp+", or "+target.Username+" may not be impersonated by "+requester.ClientID)
			}
		} else {
			if requester.PublicClient {
				return errNotAllowedToExchange().because("legacy exchange 2.3: naked impersonation by a public client", requester.ClientID+" is public")
			}
			if !fg.canClientImpersonate(requester, target) {
				return errNotAllowedToExchange().because("legacy exchange 2.4: direct naked impersonation",
					"no Users impersonate permission grants "+requester.ClientID+" (the admin role gives no shortcut here), or user-impersonated refuses "+target.Username)
			}
			x.holderCheck = false
		}
		x.impersonate, x.user = true, target
	}

	// Stage 3: to an external identity provider.
	if f.Has("requested_issuer") {
		return s.exchangeToIdP(x, f.Get("requested_issuer"))
	}
	return s.legacyToClient(x)
}

// legacy is the state of one legacy exchange.
type legacy struct {
	tr          *tokenRequest
	fg          fgap
	subject     *verifiedAccess // nil for naked impersonation and external tokens
	user        *scenarios.User
	impersonate bool
	holderCheck bool
	// external is set by the external-to-internal flow: a new session for that provider.
	external      *scenarios.IdentityProvider
	externalToken string
}

// tokenRoles reads the roles of the subject token's claims (the token identity's roles).
func (x *legacy) tokenRoles() (map[string]bool, map[string]map[string]bool) {
	var claims struct {
		RealmAccess struct {
			Roles []string `json:"roles"`
		} `json:"realm_access"`
		ResourceAccess map[string]struct {
			Roles []string `json:"roles"`
		} `json:"resource_access"`
	}
	_ = json.Unmarshal(x.subject.raw, &claims)
	realm := map[string]bool{}
	for _, r := range claims.RealmAccess.Roles {
		realm[r] = true
	}
	clients := map[string]map[string]bool{}
	for c, a := range claims.ResourceAccess {
		clients[c] = map[string]bool{}
		for _, r := range a.Roles {
			clients[c][r] = true
		}
	}
	return realm, clients
}

func (x *legacy) tokenIdentity() identity {
	realm, clients := x.tokenRoles()
	id := tokenIdentity(x.subject.claims, realm, clients)
	// KeycloakIdentity: a token of its azp client's own service account identifies that client
	// (a resource server), so user policies never match it.
	if sa := x.tr.realm.model.ServiceAccount(x.subject.client); sa != nil && x.subject.user != nil && sa.ID == x.subject.user.ID {
		id.id = x.subject.client.ID
	}
	return id
}

// tokenHasImpersonationRole: the realm-management impersonation role must be in the token.
func (x *legacy) tokenHasImpersonationRole() bool {
	_, clients := x.tokenRoles()
	return clients["realm-management"]["impersonation"]
}

// legacyToClient is stage 4: the exchange to a client (the audience, or the requester).
func (s *Server) legacyToClient(x *legacy) error {
	tr := x.tr
	f, r, requester, version := tr.form, tr.realm.model, tr.client, tr.srv.Version

	requested := f.Get("requested_token_type")
	if !f.Has("requested_token_type") {
		requested = tokenTypeRefresh // absent; an empty value is refused below, as in Keycloak
	}
	switch requested {
	case tokenTypeAccess, tokenTypeRefresh, tokenTypeSAML2:
	default:
		return errInvalidRequest("requested_token_type unsupported").because("legacy exchange 4.1: requested token type", strconv.Quote(requested)+" is not an access, refresh or SAML token type")
	}
	audience := f["audience"]
	targets := []*scenarios.Client{requester}
	if len(audience) > 0 {
		targets = targets[:0]
		for _, a := range audience {
			c := r.Client(a)
			if c == nil {
				return oauthErr(http.StatusBadRequest, "invalid_client", "Audience not found").because("legacy exchange 4.2: audience exists", "realm "+r.Name+" has no client "+a)
			}
			targets = append(targets, c)
		}
	}
	// validateAudience runs every check for every audience (Keycloak 26.1+ accepts several and
	// issues the token for the first): one forbidden audience refuses the whole request.
	holderMismatch := x.holderCheck && (x.subject == nil || x.subject.claims.Azp != requester.ClientID)
	for _, target := range targets {
		if target.ConsentRequired {
			return oauthErr(http.StatusBadRequest, "invalid_client", "Client requires user consent").because("legacy exchange 4.3: target consent", "target client "+target.ClientID+" requires consent")
		}
		if version.AtLeast(26, 2) && !target.Enabled {
			return oauthErr(http.StatusBadRequest, "invalid_client", "Client disabled").because("legacy exchange 4.4: target enabled", "target client "+target.ClientID+" is disabled")
		}
		if target == requester {
			if requester.PublicClient && holderMismatch {
				return oauthErr(http.StatusForbidden, "access_denied", "Client is not the holder of the token").because("legacy exchange 4.5a: public requester holds the token", "public client "+requester.ClientID+" may exchange only its own tokens")
			}
			if !requester.PublicClient && x.subject != nil && x.subject.claims.Azp != requester.ClientID &&
				!containsString(x.subject.claims.audiences(), requester.ClientID) {
				return oauthErr(http.StatusForbidden, "access_denied", "Client is not within the token audience").because("legacy exchange 4.5b: requester in the token audience",
					requester.ClientID+" is neither the subject token's azp ("+x.subject.claims.Azp+") nor in its aud")
			}
			continue
		}
		if requester.PublicClient && holderMismatch {
			return oauthErr(http.StatusForbidden, "access_denied", "Client is not the holder of the token").because("legacy exchange 4.6a: public requester holds the token", "public client "+requester.ClientID+" may exchange only its own tokens")
		}
		if !x.fg.canExchangeTo(requester, target) {
			return errNotAllowedToExchange().because("legacy exchange 4.6b: token-exchange permission on the target",
				requester.ClientID+" has no token-exchange permission for client "+target.ClientID+explainExchangePermission(x.fg, target))
		}
	}
	target := targets[0]
	if requested == tokenTypeSAML2 {
		// kcmock's clients are OpenID Connect clients: none has an assertion consumer URL.
		return oauthErr(http.StatusBadRequest, "invalid_client", "Client requires assertion consumer url set up").because("legacy exchange 4.7: SAML target", "target "+target.ClientID+" is an OpenID Connect client with no assertion consumer URL")
	}
	if x.user == nil {
		// Neither a subject token nor a requested subject: Keycloak fails building a token for
		// no user.
		return oauthErr(http.StatusInternalServerError, "unknown_error", "For more on this error consult the server log.").because("legacy exchange: no user", "neither subject_token nor requested_subject: Keycloak fails building a token for no user")
	}
	return s.issueLegacy(x, target, requested, audience)
}

// issueLegacy builds the token as a login of the target client in the chosen session, issued to
// the requester.
func (s *Server) issueLegacy(x *legacy, target *scenarios.Client, requested string, audience []string) error {
	tr := x.tr
	r, requester := tr.realm.model, tr.client
	asked, _ := mint.RequestScopes(target, legacyScope(x, target, tr.form.Get("scope"), tr.form.Has("scope")))
	scopes := asked.Permitted(x.user, nil)

	// A refresh token for a request naming offline_access is an offline one, after the offline
	// check (generateRefreshToken); V1, unlike the standard exchange, does not refuse it. The
	// check runs before any session is made, as Keycloak's failed request leaves none.
	// A subject token of a transient client session ("nt", "ft": standard exchange results) is
	// verified against a transient copy of its session (UserSessionUtil.findValidSession): the
	// result lives in that copy, without sid, client sessions or refresh token.
	transientCopy := x.subject != nil && !x.impersonate && x.external == nil &&
		(x.subject.claims.sessionCode() == "nt" || x.subject.claims.sessionCode() == "ft")
	persistent := x.impersonate || x.external != nil || x.subject != nil && x.subject.session != nil && !transientCopy
	refresh := requested == tokenTypeRefresh && requester.AttrBool("use.refresh.tokens", true) && persistent
	offline := refresh && asked.Has("offline_access")
	if offline && !offlineAllowed(r, target, x.user, asked) {
		return errOfflineNotAllowed().
			because("legacy exchange: offline tokens", "user "+x.user.Username+" lacks the offline_access role in "+target.ClientID+"'s scope")
	}

	var us *userSession
	switch {
	case x.impersonate || x.external != nil:
		// Impersonation and external tokens get a new persistent session for the user.
		if tr.pendingUser != nil {
			s.addBrokered(r, tr.pendingUser)
		}
		us = s.newSession(tr, x.user, false, 0) // no AUTH_TIME note: no authentication flow ran
		us.notes = map[string]string{}
		if x.external != nil {
			us.notes[noteExternalIdP] = x.external.Alias
			us.notes[noteExchangeIdP] = x.external.Alias
			us.notes[noteFederatedAccess] = x.externalToken
		}
		if x.impersonate {
			us.notes[noteImpersonatorClient] = requester.ID
			if x.subject != nil {
				us.notes[noteImpersonatorID] = x.subject.user.ID
				us.notes[noteImpersonatorUsername] = x.subject.user.Username
			}
		}
	case x.subject != nil && x.subject.session != nil && !transientCopy:
		us = x.subject.session
	}
	session := mint.Session{Kind: mint.Transient, Acr: "1"}
	if transientCopy && x.subject.session != nil {
		session.Kind = mint.OnlineTransientClient
		if x.subject.session.offline {
			session.Kind = mint.OfflineTransientClient
		}
	}
	if us != nil {
		s.sessions.addClient(us, target.ClientID, tr.now)
		s.sessions.addClient(us, requester.ClientID, tr.now)
		if offline && !us.offline {
			us = s.offlineCopy(tr, us, target.ClientID)
		}
		kind := mint.Online
		if us.offline {
			kind = mint.Offline
		}
		session = mint.Session{
			ID: us.id, Kind: kind, AuthTime: us.authTime, Acr: "1", Notes: us.notes,
			AccessCap: accessCap(r, us), RefreshExp: refreshExpiry(r, us, tr.now),
			OfflineRequested: asked.Has("offline_access"),
		}
	}
	req := &mint.Request{
		Realm: r, Client: target, User: x.user, Scopes: scopes, Issuer: tr.issuer(), Now: tr.now,
		Grant: mint.GrantTokenExchange, Session: session, IssuedFor: requester.ClientID, PlainJTI: tr.plainJTI(),
	}
	access := s.builder.Access(req)
	// The audience parameter's value is added to aud (from 26.1 only when it is not the
	// requester itself).
	if len(audience) > 0 && (!tr.srv.Version.AtLeast(26, 1) || target != requester) && !containsString(access.Aud, audience[0]) {
		access.Aud = append(access.Aud, audience[0])
	}
	issued := tokenTypeAccess
	if refresh {
		issued = tokenTypeRefresh
	}
	sg, err := s.sign(tr, req, access, refresh, idIf(scopes.OpenID))
	if err != nil {
		return err
	}
	res := tr.response(req, sg)
	res.issuedTokenType = issued
	return tr.JSONBlob(http.StatusOK, res.json())
}

// legacyScope is the 26.0 scope computation: the subject token's scopes (narrowed by the scope
// parameter when given), else the parameter; then only openid and the target's client scopes.
func legacyScope(x *legacy, target *scenarios.Client, param string, given bool) string {
	names := mint.SplitScope(param)
	if x.subject != nil && x.subject.hasScopeClaim() { // even "": Keycloak tests the claim for null
		have := mint.SplitScope(x.subject.claims.Scope)
		if given { // even empty: Keycloak intersects a non-null param, and "" keeps nothing
			var both []string
			for _, n := range names {
				if containsString(have, n) {
					both = append(both, n)
				}
			}
			have = both
		}
		names = have
	}
	var out []string
	for _, n := range names {
		if n == mint.ScopeOpenID || clientHasScope(target, n) {
			out = append(out, n)
		}
	}
	return strings.Join(out, " ")
}

func clientHasScope(c *scenarios.Client, name string) bool {
	for _, list := range [][]*scenarios.ClientScope{c.DefaultScopes, c.OptionalScopes} {
		for _, s := range list {
			if s.Name == name {
				return true
			}
		}
	}
	return false
}

// exchangeToIdP is stage 3 (internal to external): kcmock checks the provider and the
// permission as Keycloak does; it cannot fetch a token from a real external provider.
func (s *Server) exchangeToIdP(x *legacy, alias string) error {
	idp := x.tr.realm.model.IdentityProvider(alias)
	if idp == nil {
		return errInvalidRequest("Invalid issuer").because("legacy exchange 3.1: requested_issuer", "realm has no identity provider "+alias)
	}
	if !x.fg.canExchangeFromIdP(x.tr.client, idp) {
		return errNotAllowedToExchange().because("legacy exchange 3.3: identity provider permission", x.tr.client.ClientID+" has no token-exchange permission for identity provider "+alias)
	}
	// Keycloak's OIDC provider hands out the external token stored at login; kcmock has none.
	return oauthErr(http.StatusBadRequest, "not_linked", "User is not linked with identity provider").because("legacy exchange 3.4: internal to external", "kcmock holds no external token to hand out")
}

// explainExchangePermission says what is missing in a target's token-exchange permission.
func explainExchangePermission(f fgap, target *scenarios.Client) string {
	switch {
	case !f.on:
		return " (feature admin-fine-grained-authz:v1 is off)"
	case target.Permissions == nil:
		return " (permissions are not enabled on " + target.ClientID + ")"
	case len(target.Permissions.TokenExchange.Policies) == 0:
		return " (its token-exchange permission has no policy)"
	}
	return " (no policy of its token-exchange permission grants it)"
}
