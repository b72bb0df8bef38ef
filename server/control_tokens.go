package server

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
)

// mintRequest asks for one token: arbitrary claims signed as they are, a valid access token of
// a user and a client, or (with Bad) one of the broken tokens of BadTokenKinds.
type mintRequest struct {
	Claims map[string]any `json:"claims"`
	User   string         `json:"user"`
	Client string         `json:"client"`
	Scope  string         `json:"scope"`
	Bad    string         `json:"bad"`
}

func (s *Server) controlMint(c echo.Context) error {
	rs, err := s.controlRealm(c)
	if err != nil {
		return err
	}
	var req mintRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	realm := rs.model.Name
	var token string
	switch {
	case req.Claims != nil:
		if req.User != "" || req.Client != "" || req.Scope != "" || req.Bad != "" {
			return badRequest("claims cannot be combined with user, client, scope or bad")
		}
		token, err = s.Mint(realm, req.Claims)
	case req.User == "" || req.Client == "":
		return badRequest(`want {"claims": {...}} or {"user": ..., "client": ...}`)
	case req.Bad != "":
		// Checked here: MintBad opens the good token's session before it looks at the kind.
		if !slices.Contains(BadTokenKinds, req.Bad) {
			ce := badRequest("unknown bad token kind %q", req.Bad)
			ce.Kinds = BadTokenKinds
			return ce
		}
		if req.Scope != "" {
			return badRequest("scope cannot be combined with bad")
		}
		token, err = s.MintBad(s.baseURL(c.Request(), ""), realm, req.User, req.Client, req.Bad)
	default:
		token, err = s.MintToken(s.baseURL(c.Request(), ""), realm, req.User, req.Client, req.Scope)
	}
	if err != nil {
		return badRequest("%v", err)
	}
	return reply(c, http.StatusOK, map[string]string{"token": token})
}

// keyRequest asks for a new signing key. An empty algorithm means the realm's default
// signature algorithm.
type keyRequest struct {
	Algorithm string `json:"algorithm"`
	Active    bool   `json:"active"`
}

func (s *Server) controlKeysGet(c echo.Context) error {
	rs, err := s.controlRealm(c)
	if err != nil {
		return err
	}
	return s.replyKeys(c, http.StatusOK, rs.model.Name)
}

func (s *Server) controlKeysPost(c echo.Context) error {
	rs, err := s.controlRealm(c)
	if err != nil {
		return err
	}
	var req keyRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	kid, err := s.AddKey(rs.model.Name, req.Algorithm, req.Active)
	if err != nil {
		return badRequest("%v", err)
	}
	return reply(c, http.StatusCreated, map[string]string{"kid": kid})
}

func (s *Server) controlKeyActivate(c echo.Context) error {
	realm, err := s.controlKey(c)
	if err != nil {
		return err
	}
	if err := s.ActivateKey(realm, c.Param("kid")); err != nil {
		return badRequest("%v", err)
	}
	return s.replyKeys(c, http.StatusOK, realm)
}

func (s *Server) controlKeyDelete(c echo.Context) error {
	realm, err := s.controlKey(c)
	if err != nil {
		return err
	}
	if err := s.RemoveKey(realm, c.Param("kid")); err != nil {
		return badRequest("%v", err)
	}
	return s.replyKeys(c, http.StatusOK, realm)
}

// controlKey resolves the {realm} and {kid} of a key path: 404 unless the realm publishes
// that key.
func (s *Server) controlKey(c echo.Context) (string, error) {
	rs, err := s.controlRealm(c)
	if err != nil {
		return "", err
	}
	keys, err := s.Keys(rs.model.Name)
	if err != nil {
		return "", notFound("%v", err)
	}
	kid := c.Param("kid")
	if !slices.ContainsFunc(keys, func(k KeyInfo) bool { return k.KID == kid }) {
		return "", notFound("realm %q has no key %q", rs.model.Name, kid)
	}
	return rs.model.Name, nil
}

func (s *Server) replyKeys(c echo.Context, status int, realm string) error {
	keys, err := s.Keys(realm)
	if err != nil {
		return notFound("%v", err)
	}
	return reply(c, status, map[string]any{"keys": keys})
}
