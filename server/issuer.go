package server

import (
	"net"
	"net/http"
	"strings"
)

// baseURL is the server's front-end URL for a request, the way Keycloak's hostname options
// make it: the configured hostname if any, else the request's own scheme and host (from
// X-Forwarded-* / Forwarded only when the proxy is trusted). prefix is "/auth" for requests
// that came through the legacy path.
func (s *Server) baseURL(r *http.Request, prefix string) string {
	if s.cfg.Hostname != "" {
		if strings.Contains(s.cfg.Hostname, "://") {
			return strings.TrimSuffix(s.cfg.Hostname, "/") + prefix
		}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if s.cfg.TrustProxy {
		if p, h := forwarded(r); p != "" || h != "" {
			if p != "" {
				scheme = p
			}
			if h != "" {
				host = h
			}
		}
	}
	if s.cfg.Hostname != "" {
		_, port, err := net.SplitHostPort(host)
		host = s.cfg.Hostname
		if err == nil && port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
			host = net.JoinHostPort(host, port)
		}
	}
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host + prefix
}

// forwarded reads the proxy headers: RFC 7239 Forwarded first, then X-Forwarded-Proto/Host/Port.
func forwarded(r *http.Request) (proto, host string) {
	if f := r.Header.Get("Forwarded"); f != "" {
		first, _, _ := strings.Cut(f, ",")
		for _, kv := range strings.Split(first, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			v = strings.Trim(v, `"`)
			switch strings.ToLower(k) {
			case "proto":
				proto = v
			case "host":
				host = v
			}
		}
		if proto != "" || host != "" {
			return proto, host
		}
	}
	proto = firstValue(r.Header.Get("X-Forwarded-Proto"))
	host = firstValue(r.Header.Get("X-Forwarded-Host"))
	if port := firstValue(r.Header.Get("X-Forwarded-Port")); port != "" && host != "" {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !(port == "80" && proto != "https" || port == "443" && proto == "https") {
			host = net.JoinHostPort(host, port)
		}
	}
	return proto, host
}

func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
