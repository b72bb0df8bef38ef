package server

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/kcmock/kcmock/scenarios"
)

// clientCredentials is what a request presents to identify its client.
type clientCredentials struct {
	clientID  string
	secret    string
	hasSecret bool
	// badEscape: a Basic credential had a malformed %-escape, which Java's URLDecoder throws
	// on; Keycloak's client authentication then fails as an unexpected error.
	badEscape bool
}

// readClientCredentials follows ClientIdAndSecretAuthenticator: the `Authorization: Basic`
// header is read first (its parts form-url-decoded as RFC 6749 §2.3.1 asks), then the form's
// client_id and client_secret, when present, override it; present includes sent empty
// ("client_id=" names no client, whatever the header says).
func readClientCredentials(header string, form url.Values) clientCredentials {
	var cc clientCredentials
	if id, secret, ok := parseBasic(header); ok {
		cc = clientCredentials{clientID: id, secret: secret, hasSecret: true}
		idOK, secretOK := unescapeBasic(&cc.clientID), unescapeBasic(&cc.secret)
		cc.badEscape = !idOK || !secretOK
	}
	if v, ok := form["client_id"]; ok {
		cc.clientID = v[0]
	}
	if v, ok := form["client_secret"]; ok {
		cc.secret, cc.hasSecret = v[0], true
	}
	return cc
}

// parseBasic reads the raw id and secret of an `Authorization: Basic` header, not yet
// form-url-decoded.
func parseBasic(header string) (id, secret string, ok bool) {
	const prefix = "basic "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// unescapeBasic form-url-decodes a Basic credential part in place (BasicAuthHelper.RFC6749);
// false for a malformed %-escape.
func unescapeBasic(s *string) bool {
	d, err := url.QueryUnescape(*s)
	if err != nil {
		return false
	}
	*s = d
	return true
}

// authenticateClient is Keycloak's client authentication for the token endpoint: unknown or
// disabled clients are invalid_client, a confidential client's wrong or missing secret is
// unauthorized_client, public clients need only their client_id.
func authenticateClient(r *scenarios.Realm, cc clientCredentials) (*scenarios.Client, *OAuthError) {
	if cc.badEscape {
		return nil, oauthErr(http.StatusBadRequest, "unauthorized_client", "Unexpected error when authenticating client").
			because("client authentication", "the Basic credentials hold a malformed %-escape, which Java's URLDecoder refuses")
	}
	if cc.clientID == "" {
		return nil, errInvalidClientCredentials().because("client authentication", "the request names no client (no client_id, no Basic credentials)")
	}
	c := r.Client(cc.clientID)
	if c == nil {
		return nil, errInvalidClientCredentials().because("client authentication", "realm "+r.Name+" has no client "+cc.clientID)
	}
	if !c.Enabled {
		return nil, errInvalidClientCredentials().because("client authentication", "client "+c.ClientID+" is disabled")
	}
	if c.PublicClient {
		return c, nil
	}
	switch {
	case c.Secret == "":
		return nil, errUnauthorizedClientCredentials().because("client authentication", "confidential client "+c.ClientID+" has no secret configured")
	case !cc.hasSecret:
		return nil, errUnauthorizedClientCredentials().because("client authentication", "confidential client "+c.ClientID+" sent no secret")
	case subtle.ConstantTimeCompare([]byte(cc.secret), []byte(c.Secret)) != 1:
		return nil, errUnauthorizedClientCredentials().because("client authentication", "wrong secret for client "+c.ClientID)
	}
	return c, nil
}

// authorizeClient is AuthorizeClientUtil.authorizeClient, shared by the token, revocation and
// logout endpoints: client authentication (any Origin is echoed on failure, as Keycloak allows
// all origins then), the client's own CORS origins, then the refusal of bearer-only clients.
func authorizeClient(c *call, d *decision, form url.Values) (*scenarios.Client, *OAuthError) {
	creds := readClientCredentials(c.Request().Header.Get("Authorization"), form)
	d.client = creds.clientID
	client, oe := authenticateClient(c.realm.model, creds)
	if oe != nil {
		corsEcho(c, true, true)
		return nil, oe
	}
	corsForClient(c, client)
	if client.BearerOnly {
		return nil, errBearerOnly().because("bearer-only client", client.ClientID+" is bearer-only and cannot ask for or hand back tokens")
	}
	return client, nil
}
