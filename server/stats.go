package server

// SessionCount is the number of user sessions (online and offline, all realms) the server
// holds, expired ones not yet swept included. Soak tests read it to show the store stays
// bounded under load.
func (s *Server) SessionCount() int { return s.sessions.count() }
