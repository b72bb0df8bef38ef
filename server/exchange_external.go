package server

// externalExchange is stage X: an external token exchanged for an internal one.
func (s *Server) externalExchange(x *legacy, raw, issuer, typ string) error {
	return oauthErr(400, "invalid_issuer", "Invalid subject_issuer parameter")
}
