package server

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault makes the next matching requests fail on purpose: a given status and body, a delay, or a
// dropped connection. Empty match fields match everything; Count 0 means until removed.
type Fault struct {
	ID          string        `json:"id"`
	Realm       string        `json:"realm,omitempty"`
	Endpoint    string        `json:"endpoint,omitempty"` // token, auth, certs, discovery, realm, userinfo, introspect, revoke, logout
	Grant       string        `json:"grant,omitempty"`
	Client      string        `json:"client,omitempty"`
	Count       int           `json:"count"`
	Status      int           `json:"status,omitempty"`
	Body        string        `json:"body,omitempty"`
	ContentType string        `json:"content_type,omitempty"`
	Delay       time.Duration `json:"delay,omitempty"` // added before answering (or before the real answer when Status is 0)
	Drop        bool          `json:"drop,omitempty"`  // close the connection without answering
}

type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
	seq    int
	count  atomic.Int32 // len(faults), for the lock-free check of the fast path
}

// AddFault arms a fault and returns its id.
func (s *Server) AddFault(f Fault) string {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.seq++
	f.ID = "f" + itoa(s.faults.seq)
	s.faults.faults = append(s.faults.faults, &f)
	s.faults.count.Store(int32(len(s.faults.faults)))
	return f.ID
}

// Faults lists the armed faults.
func (s *Server) Faults() []Fault {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make([]Fault, len(s.faults.faults))
	for i, f := range s.faults.faults {
		out[i] = *f
	}
	return out
}

// ClearFaults disarms every fault (or the one with that id).
func (s *Server) ClearFaults(id string) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	keep := s.faults.faults[:0]
	for _, f := range s.faults.faults {
		if id != "" && f.ID != id {
			keep = append(keep, f)
		}
	}
	s.faults.faults = keep
	s.faults.count.Store(int32(len(keep)))
}

// armed reports whether any fault waits for a request (without taking the lock).
func (fs *faultSet) armed() bool { return fs.count.Load() > 0 }

// endpointOf names the Keycloak endpoint of a request path.
func endpointOf(path string) string {
	i := strings.Index(path, "/realms/")
	if i < 0 {
		return ""
	}
	rest := path[i+len("/realms/"):]
	_, rest, ok := strings.Cut(rest, "/")
	switch {
	case !ok || rest == "":
		return "realm"
	case strings.HasPrefix(rest, ".well-known/"):
		return "discovery"
	case strings.HasPrefix(rest, "login-actions/"):
		return "login"
	}
	rest = strings.TrimPrefix(rest, "protocol/openid-connect/")
	switch rest {
	case "token":
		return "token"
	case "token/introspect":
		return "introspect"
	case "auth":
		return "auth"
	}
	first, _, _ := strings.Cut(rest, "/")
	return first
}

// take returns the first armed fault matching the request, counting it down.
func (fs *faultSet) take(c *call) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.faults) == 0 {
		return nil
	}
	r := c.Request()
	endpoint := endpointOf(r.URL.Path)
	for i, f := range fs.faults {
		if f.Realm != "" && f.Realm != c.realm.model.Name || f.Endpoint != "" && f.Endpoint != endpoint {
			continue
		}
		if f.Grant != "" || f.Client != "" {
			_ = r.ParseForm()
			client := r.PostForm.Get("client_id")
			if id, _, ok := parseBasic(r.Header.Get("Authorization")); ok && client == "" && unescapeBasic(&id) {
				client = id
			}
			if f.Grant != "" && f.Grant != r.PostForm.Get("grant_type") || f.Client != "" && f.Client != client {
				continue
			}
		}
		hit := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				fs.faults = append(fs.faults[:i], fs.faults[i+1:]...)
				fs.count.Store(int32(len(fs.faults)))
			}
		}
		return &hit
	}
	return nil
}

// inject applies a fault: after its delay it answers for the server (handled true), or lets the
// real handler answer late (a delay-only fault).
func (s *Server) inject(c *call, f *Fault) (handled bool, err error) {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-c.Request().Context().Done():
			return true, nil
		}
	}
	if f.Drop {
		if hj, ok := c.Response().Writer.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				return true, conn.Close()
			}
		}
		panic(http.ErrAbortHandler) // no hijacking (HTTP/2): abort the response
	}
	if f.Status == 0 {
		return false, nil
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	return true, c.Blob(f.Status, ct, []byte(f.Body))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
