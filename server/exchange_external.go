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

// Notes Keycloak puts on a session created by external token exchange.
const (
	noteExternalIdP     = "EXTERNAL_IDENTITY_PROVIDER"
	noteFederatedAccess = "FEDERATED_ACCESS_TOKEN"
	noteExchangeIdP     = "EXCHANGE_PROVIDER"
)

func errInvalidIssuer() *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_issuer", "Invalid subject_issuer parameter")
}

func errInvalidExternalToken(desc string) *OAuthError {
	return oauthErr(http.StatusBadRequest, "invalid_token", desc).because("legacy exchange X.3: external token validation", "the identity provider's token was refused: "+desc)
}

// externalExchange is stage X of the legacy exchange: a token of an identity provider
// exchanged for one of this realm. requested_subject and requested_issuer play no part.
func (s *Server) externalExchange(x *legacy, raw, issuer, typ string) error {
	tr := x.tr
	r := tr.realm.model
	idp := r.IdentityProvider(issuer)
	if idp == nil {
		if !tr.srv.Version.AtLeast(26, 1) {
			// Keycloak 26.0 dereferences the missing alias before looking providers up by
			// issuer (keycloak#34869): every non-alias subject_issuer is a server error.
			return oauthErr(http.StatusInternalServerError, "unknown_error", "For more on this error consult the server log.").
				because("legacy exchange X.1: find the provider (26.0)", "subject_issuer "+issuer+" is not an identity provider alias, which Keycloak 26.0 fails on")
		}
		idp = providerByIssuer(r, issuer)
	}
	if idp == nil {
		return errInvalidIssuer().because("legacy exchange X.1: find the provider", "no identity provider has alias or issuer "+issuer)
	}
	if !x.fg.canExchangeFromIdP(tr.client, idp) {
		return errNotAllowedToExchange().because("legacy exchange X.2: identity provider permission", tr.client.ClientID+" has no token-exchange permission for identity provider "+idp.Alias)
	}
	claims, oe := s.validateExternal(tr.call, idp, raw, typ)
	if oe != nil {
		return oe
	}
	user, oe := s.brokeredUser(tr, idp, claims)
	if oe != nil {
		return oe
	}
	x.user, x.external, x.holderCheck = user, idp, false
	x.externalToken = raw
	return s.legacyToClient(x)
}

// providerByIssuer finds a provider whose configured issuer (a comma-separated list) names
// the issuer (Keycloak 26.1+).
func providerByIssuer(r *scenarios.Realm, issuer string) *scenarios.IdentityProvider {
	for _, idp := range r.IdentityProviders {
		if issuerListed(idp, issuer) {
			return idp
		}
	}
	return nil
}

func issuerListed(idp *scenarios.IdentityProvider, issuer string) bool {
	list := idp.Config["issuer"]
	if list == "" {
		return false // a provider without an issuer is found by its alias only
	}
	// Java's split(","), as OIDCIdentityProvider.isIssuer splits: trailing empty elements are
	// dropped (so "a," lists only a), inner and blank ones stay and trim to "".
	for _, iss := range mint.SplitJava(list, ",") {
		if strings.TrimSpace(iss) == issuer {
			return true
		}
	}
	return false
}

// externalClaims are what Keycloak reads from an external token.
type externalClaims struct {
	Exp               int64   `json:"exp"`
	Nbf               int64   `json:"nbf"`
	Iss               *string `json:"iss"`
	Sub               string  `json:"sub"`
	Typ               string  `json:"typ"`
	PreferredUsername string  `json:"preferred_username"`
	Email             string  `json:"email"`
	GivenName         string  `json:"given_name"`
	FamilyName        string  `json:"family_name"`
}

// validateExternal is the OIDC identity provider's token validation. The generic oidc
// provider checks access tokens at the provider's userinfo endpoint, which kcmock cannot
// reach: they fail as a failed userinfo call does. JWTs (and every type for keycloak-oidc)
// are checked locally: signature, expiry with clock skew, issuer when configured, typ claim.
// The audience is not checked, as in Keycloak.
func (s *Server) validateExternal(c *call, idp *scenarios.IdentityProvider, raw, typ string) (*externalClaims, *OAuthError) {
	if idp.ProviderID == "oidc" {
		switch typ {
		case tokenTypeAccess:
			return nil, errInvalidExternalToken("invalid token")
		case tokenTypeJWT, tokenTypeID:
		default:
			return nil, errInvalidExternalToken("invalid token type")
		}
	}
	if idp.Config["validateSignature"] != "true" {
		return nil, errInvalidExternalToken("invalid token") // would need the userinfo endpoint
	}
	var v *tokens.Verified
	var err error
	switch {
	case idp.Config["useJwksUrl"] == "true":
		ext := s.state.Load().realms[idp.JWKSRealm]
		if idp.JWKSRealm == "" || ext == nil {
			return nil, oauthErr(http.StatusBadRequest, "invalid_config", "Invalid server config")
		}
		v, err = ext.keys.VerifyAccess(raw)
	case idp.PublicKey != nil:
		v, err = tokens.VerifyWithPublicKey(raw, idp.PublicKey, idp.Config["publicKeySignatureVerifierKeyId"])
	default:
		return nil, oauthErr(http.StatusBadRequest, "invalid_config", "Invalid server config")
	}
	if err != nil {
		return nil, errInvalidExternalToken("invalid token")
	}
	var ec externalClaims
	if json.Unmarshal(v.Payload, &ec) != nil || ec.Sub == "" {
		return nil, errInvalidExternalToken("invalid token")
	}
	skew, _ := strconv.ParseInt(idp.Config["allowedClockSkew"], 10, 64)
	now := c.now.Unix()
	if ec.Exp != 0 && now > ec.Exp+skew || ec.Nbf != 0 && now+skew < ec.Nbf {
		return nil, errInvalidExternalToken("invalid token")
	}
	if idp.Config["issuer"] != "" && (ec.Iss == nil || !issuerListed(idp, *ec.Iss)) {
		return nil, errInvalidExternalToken("invalid token")
	}
	// The provider option disableTypeClaimCheck (Boolean.parseBoolean) lifts the typ check.
	if !strings.EqualFold(idp.Config["disableTypeClaimCheck"], "true") && ec.Typ != "Bearer" && ec.Typ != "ID" {
		return nil, errInvalidExternalToken("token type not supported")
	}
	return &ec, nil
}

// brokeredUser finds the user linked to the external account, or prepares a new one as
// Keycloak imports it (registered only when the exchange succeeds).
func (s *Server) brokeredUser(tr *tokenRequest, idp *scenarios.IdentityProvider, ec *externalClaims) (*scenarios.User, *OAuthError) {
	r := tr.realm.model
	if u := s.linkedUser(r, idp.Alias, ec.Sub); u != nil {
		if !u.Enabled {
			return nil, errInvalidExternalToken("Invalid Token")
		}
		return u, nil
	}
	username := ec.PreferredUsername
	if username == "" {
		username = ec.Email
	}
	if username == "" {
		username = ec.Sub
	}
	if s.usernameOrEmailTaken(r, username, ec.Email) {
		return nil, errInvalidExternalToken("User already exists")
	}
	u := r.NewBrokeredUser(s.cfg.NewID(), username, ec.Email, ec.GivenName, ec.FamilyName,
		idp.Config["trustEmail"] == "true" && ec.Email != "",
		scenarios.FederatedIdentity{Provider: idp.Alias, UserID: ec.Sub, UserName: ec.PreferredUsername})
	u.CreatedTimestamp = tr.now.UnixMilli()
	tr.pendingUser = u
	return u, nil
}
