package server

// legacyExchange is the V1 provider; see exchange_v1*.go.
func (s *Server) legacyExchange(tr *tokenRequest) error {
	return errInvalidRequest("legacy token exchange is not emulated yet")
}
