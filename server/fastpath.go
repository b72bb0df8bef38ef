package server

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// ServeHTTP serves the two documents clients fetch most (discovery and JWKS) without the router
// and middleware when nothing would observe the difference: no request log line wanted and no
// fault armed. Everything else, and every unusual case, goes through echo.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// JAX-RS answers HEAD with the GET resource; net/http drops the body of a HEAD answer.
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	if r.Method == http.MethodGet && !s.log.Enabled(context.Background(), slog.LevelInfo) && !s.faults.armed() {
		if s.fastDocument(w, r) {
			return
		}
	}
	s.echo.ServeHTTP(w, r)
}

const (
	discoverySuffix = "/.well-known/openid-configuration"
	certsSuffix     = "/protocol/openid-connect/certs"
)

func (s *Server) fastDocument(w http.ResponseWriter, r *http.Request) bool {
	path, prefix := r.URL.Path, ""
	if strings.HasPrefix(path, "/auth/") {
		path, prefix = path[len("/auth"):], "/auth"
	}
	rest, ok := strings.CutPrefix(path, "/realms/")
	if !ok {
		return false
	}
	var suffix string
	switch {
	case strings.HasSuffix(rest, discoverySuffix):
		suffix = discoverySuffix
	case strings.HasSuffix(rest, certsSuffix):
		suffix = certsSuffix
	default:
		return false
	}
	name := rest[:len(rest)-len(suffix)]
	if strings.ContainsRune(name, '/') || r.URL.RawPath != "" {
		return false
	}
	st := s.state.Load()
	rs := st.realms[name]
	if rs == nil {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	var body []byte
	if suffix == certsSuffix {
		fastCORS(h, r, false)
		body = rs.jwks
	} else {
		fastCORS(h, r, true)
		body = s.documents(rs, s.baseURL(r, prefix)).discovery
	}
	// An explicit length spares the 8 KB discovery document chunked encoding.
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	return true
}

// fastCORS is corsEcho for the fast path.
func fastCORS(h http.Header, r *http.Request, credentials bool) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
	if credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Credentials", "false")
	}
}
