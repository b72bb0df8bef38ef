package server

import (
	"errors"
	"net/http"
	"sync"
	"time"
)

// Entry is one decision of a Keycloak endpoint: who asked for what, and what came of it. For a
// refusal, Rule names the Keycloak check that failed and Explanation says why in plain words.
type Entry struct {
	Seq         int64     `json:"seq"`
	Time        time.Time `json:"time"`
	Realm       string    `json:"realm"`
	Endpoint    string    `json:"endpoint"` // token, auth, login, introspect, userinfo, revoke, logout
	Grant       string    `json:"grant,omitempty"`
	Client      string    `json:"client,omitempty"`
	User        string    `json:"user,omitempty"`
	Status      int       `json:"status"`
	Outcome     string    `json:"outcome"` // "granted" or "refused"
	Error       string    `json:"error,omitempty"`
	Description string    `json:"error_description,omitempty"`
	Rule        string    `json:"rule,omitempty"`
	Explanation string    `json:"explanation,omitempty"`
}

// JournalFilter selects entries; empty fields match everything.
type JournalFilter struct {
	Realm, Client, Grant, Outcome, Endpoint string
	Limit                                   int // most recent first when > 0
}

func (f JournalFilter) match(e *Entry) bool {
	return (f.Realm == "" || f.Realm == e.Realm) && (f.Client == "" || f.Client == e.Client) &&
		(f.Grant == "" || f.Grant == e.Grant) && (f.Outcome == "" || f.Outcome == e.Outcome) &&
		(f.Endpoint == "" || f.Endpoint == e.Endpoint)
}

// Journal keeps the most recent decisions (a bounded ring).
type Journal struct {
	mu      sync.Mutex
	entries []Entry
	next    int
	full    bool
	seq     int64
}

const journalSize = 2048

func (j *Journal) add(e Entry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.entries == nil {
		j.entries = make([]Entry, journalSize)
	}
	j.seq++
	e.Seq = j.seq
	j.entries[j.next] = e
	j.next = (j.next + 1) % journalSize
	if j.next == 0 {
		j.full = true
	}
}

// Entries returns the matching entries, oldest first (the newest Limit of them when Limit > 0).
func (j *Journal) Entries(f JournalFilter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var all []Entry
	if j.full {
		all = append(all, j.entries[j.next:]...)
	}
	all = append(all, j.entries[:j.next]...)
	out := make([]Entry, 0, len(all))
	for i := range all {
		if f.match(&all[i]) {
			out = append(out, all[i])
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Reset forgets every entry.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries, j.next, j.full = nil, 0, false
}

// record writes a decision to the journal and, for refusals, a log line with the reason.
func (s *Server) record(c *call, endpoint string, d *decision, err error) {
	e := Entry{Time: c.now, Realm: c.realm.model.Name, Endpoint: endpoint, Grant: d.grant, Client: d.client, User: d.user,
		Status: http.StatusOK, Outcome: "granted"}
	if err != nil {
		e.Outcome, e.Status = "refused", http.StatusInternalServerError
		var oe *OAuthError
		if errors.As(err, &oe) {
			e.Status, e.Error, e.Description, e.Rule, e.Explanation = oe.Status, oe.Code, oe.Description, oe.Rule, oe.Why
			if e.Rule == "" {
				e.Rule = oe.Description
			}
		}
		s.log.Info("refused", "realm", e.Realm, "endpoint", endpoint, "grant", e.Grant, "client", e.Client, "user", e.User,
			"status", e.Status, "error", e.Error, "error_description", e.Description, "rule", e.Rule, "why", e.Explanation)
	}
	s.journal.add(e)
}
