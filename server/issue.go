package server

import (
	"fmt"
	"net/http"
	"runtime"

	"github.com/kcmock/kcmock/tokens"
	"github.com/kcmock/kcmock/tokens/mint"
)

// tokenResponse is Keycloak's AccessTokenResponse. Its JSON keys come in the class's field
// order (access_token, expires_in, refresh_expires_in, refresh_token, token_type, id_token,
// not-before-policy, session_state, scope), then the "other claims" map (issued_token_type).
type tokenResponse struct {
	accessToken     string
	expiresIn       int64
	refreshExpires  int64
	refreshToken    string
	tokenType       string
	idToken         string
	notBefore       int64
	sessionState    string
	scope           string
	issuedTokenType string
}

func (t *tokenResponse) json() []byte {
	o := newObj().
		str("access_token", t.accessToken).
		num("expires_in", t.expiresIn).
		num("refresh_expires_in", t.refreshExpires).
		strOpt("refresh_token", t.refreshToken).
		str("token_type", t.tokenType).
		strOpt("id_token", t.idToken).
		num("not-before-policy", t.notBefore).
		strOpt("session_state", t.sessionState).
		str("scope", t.scope)
	return o.strOpt("issued_token_type", t.issuedTokenType).bytes()
}

// signed is what a grant hands out, signed.
type signed struct {
	access     *tokens.Claims
	accessJWT  string
	refreshJWT string
	refreshExp int64
	idJWT      string
}

// sign signs the access token (already built), a refresh token when asked, and an ID token
// when asked; the ID token's at_hash covers the access token's bytes.
// idMode says whether sign makes an ID token, and whether it carries at_hash: Keycloak adds
// the access token's hash to an ID token issued beside it, not to one issued alone (the
// standard exchange's requested_token_type=id_token).
type idMode int

const (
	noIDToken idMode = iota
	idTokenWithAtHash
	idTokenAlone
)

// idIf is idTokenWithAtHash when openid was granted.
func idIf(openid bool) idMode {
	if openid {
		return idTokenWithAtHash
	}
	return noIDToken
}

func (s *Server) sign(tr *tokenRequest, req *mint.Request, access *tokens.Claims, withRefresh bool, id idMode) (*signed, error) {
	// Signing is the CPU-bound part of every token response. Admitting at most one request
	// per core at a time, in arrival order, keeps the latency tail short under load: without
	// it, dozens of half-signed responses share the cores and all finish late.
	s.signSlots <- struct{}{}
	defer func() { <-s.signSlots }()
	// A slot is handed straight to the next waiter on the same P, so under load a P goes
	// from signature to signature and never looks at its global run queue, where the
	// connections the runtime found readable wait (up to 61 scheduling rounds, about 40 ms
	// of RSA signing). Yielding once here lets those requests be read and queued in their
	// turn: at 32 connections p99 fell from 42 to 23 ms at the same rate (README). The slot
	// idles only while those few requests are parsed; yielding before taking it instead does
	// not help (p99 41-47 ms), since the P must visit its queues between two signatures.
	runtime.Gosched()
	keys := tr.realm.keys
	out := &signed{access: access}
	var err error
	if out.accessJWT, err = signClaims(keys.Active, access); err != nil {
		return nil, err
	}
	if withRefresh {
		rc := s.builder.Refresh(req)
		out.refreshExp = rc.Exp
		payload, err := rc.MarshalJSON()
		if err != nil {
			return nil, err
		}
		if out.refreshJWT, err = keys.HMAC.Sign(payload); err != nil {
			return nil, fmt.Errorf("signing refresh token: %w", err)
		}
	}
	if id != noIDToken {
		hashed := out.accessJWT
		if id == idTokenAlone {
			hashed = ""
		}
		idc := s.builder.ID(req, access, hashed, keys.Active.Alg)
		if out.idJWT, err = signClaims(keys.Active, idc); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// response fills the common fields of a token response.
func (tr *tokenRequest) response(req *mint.Request, sg *signed) *tokenResponse {
	now := req.Now.Unix()
	res := &tokenResponse{
		accessToken:  sg.accessJWT,
		expiresIn:    sg.access.Exp - now,
		refreshToken: sg.refreshJWT,
		tokenType:    "Bearer",
		idToken:      sg.idJWT,
		notBefore:    tr.realm.model.NotBefore,
		sessionState: req.Session.ID,
		scope:        *sg.access.Scope,
	}
	if sg.refreshJWT != "" && sg.refreshExp > 0 {
		res.refreshExpires = sg.refreshExp - now
	}
	if tr.client.AttrBool("token.response.type.bearer.lower-case", false) {
		res.tokenType = "bearer"
	}
	return res
}

// issue builds, signs and writes the tokens of a login-style grant: an ID token when openid
// was asked for, a refresh token when withRefresh.
func (s *Server) issue(tr *tokenRequest, req *mint.Request, withRefresh bool) error {
	sg, err := s.sign(tr, req, s.builder.Access(req), withRefresh, idIf(req.Scopes.OpenID))
	if err != nil {
		return err
	}
	return tr.JSONBlob(http.StatusOK, tr.response(req, sg).json())
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
