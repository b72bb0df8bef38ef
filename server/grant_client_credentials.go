package server

import (
	"net"
	"net/http"

	"github.com/kcmock/kcmock/tokens/mint"
)

// clientCredentialsGrant is ClientCredentialsGrantType: the client's service-account user gets
// a token in a transient session (no sid, no refresh token) unless the client's
// "client_credentials.use_refresh_token" attribute asks for a refresh token.
func (s *Server) clientCredentialsGrant(tr *tokenRequest) error {
	c, r := tr.client, tr.realm.model
	if c.PublicClient {
		return oauthErr(http.StatusUnauthorized, "unauthorized_client", "Public client not allowed to retrieve service account")
	}
	if !c.ServiceAccountsEnabled {
		return oauthErr(http.StatusUnauthorized, "unauthorized_client", "Client not enabled to retrieve service account")
	}
	u := r.ServiceAccount(c)
	if u == nil {
		return oauthErr(http.StatusUnauthorized, "invalid_request", "The associated service account for the client does not exist")
	}
	if !u.Enabled {
		return oauthErr(http.StatusUnauthorized, "invalid_request", "User '"+u.Username+"' disabled")
	}
	scopes, err := requestScopes(c, tr.form)
	if err != nil {
		return err
	}
	host := remoteIP(tr.Request())
	// clientId too, "for backwards compatibility": mappers of realms exported before 26 read it.
	notes := map[string]string{"clientHost": host, "clientAddress": host, "client_id": c.ClientID, "clientId": c.ClientID}
	if c.AttrBool("client_credentials.use_refresh_token", false) {
		us := s.newSession(tr, u, false, 0)
		us.notes = notes
		// As for any refresh token: offline_access moves it to an offline copy of the session,
		// after the offline check (generateRefreshToken).
		if scopes.Has("offline_access") {
			if !offlineAllowed(r, c, u, scopes) {
				return errOfflineNotAllowed()
			}
			us = s.offlineCopy(tr, us)
		}
		return s.issue(tr, s.mintRequest(tr, u, scopes, us, mint.GrantClientCredentials), true)
	}
	req := &mint.Request{
		Realm: r, Client: c, User: u, Scopes: scopes.Permitted(u, nil), Issuer: tr.issuer(), Now: tr.now, Grant: mint.GrantClientCredentials, PlainJTI: tr.plainJTI(),
		Session: mint.Session{Kind: mint.Transient, Acr: "1", Notes: notes},
	}
	return s.issue(tr, req, false)
}

// remoteIP is the caller's address as Keycloak records it in clientHost/clientAddress.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
