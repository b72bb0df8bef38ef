package server

import (
	"fmt"
	"net/http"

	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// issue signs the tokens of a grant and writes Keycloak's AccessTokenResponse:
// access_token, expires_in, refresh_expires_in, refresh_token, token_type, id_token,
// not-before-policy, session_state, scope (in that order, absent ones omitted).
func (s *Server) issue(tr *tokenRequest, req *mint.Request, withRefresh bool) error {
	keys := tr.realm.keys
	access := s.builder.Access(req)
	accessJWT, err := signClaims(keys.Active, access)
	if err != nil {
		return err
	}
	var refreshJWT string
	var refreshExp int64
	if withRefresh {
		rc := s.builder.Refresh(req)
		refreshExp = rc.Exp
		payload, err := rc.MarshalJSON()
		if err != nil {
			return err
		}
		if refreshJWT, err = keys.HMAC.Sign(payload); err != nil {
			return fmt.Errorf("signing refresh token: %w", err)
		}
	}
	var idJWT string
	if req.Scopes.OpenID {
		idc := s.builder.ID(req, access, accessJWT, keys.Active.Alg)
		if idJWT, err = signClaims(keys.Active, idc); err != nil {
			return err
		}
	}
	now := req.Now.Unix()
	o := newObj().
		str("access_token", accessJWT).
		num("expires_in", access.Exp-now)
	if refreshJWT != "" && refreshExp > 0 {
		o.num("refresh_expires_in", refreshExp-now)
	} else {
		o.num("refresh_expires_in", 0)
	}
	o.strOpt("refresh_token", refreshJWT)
	tokenType := "Bearer"
	if tr.client.AttrBool("token.response.type.bearer.lower-case", false) {
		tokenType = "bearer"
	}
	o.str("token_type", tokenType).
		strOpt("id_token", idJWT).
		num("not-before-policy", tr.realm.model.NotBefore).
		strOpt("session_state", req.Session.ID).
		str("scope", *access.Scope)
	h := tr.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	return tr.JSONBlob(http.StatusOK, o.bytes())
}

func signClaims(k *tokens.Key, c *tokens.Claims) (string, error) {
	payload, err := c.MarshalJSON()
	if err != nil {
		return "", err
	}
	jwt, err := k.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("signing %s token: %w", c.Typ, err)
	}
	return jwt, nil
}
