package server

import (
	"strings"
	"sync"

	"github.com/kcmock/kcmock/scenarios"
)

// brokeredUsers keeps the users imported at run time by external token exchange, next to the
// scenario's immutable users.
type brokeredUsers struct {
	mu     sync.Mutex
	byID   map[string]*scenarios.User // realm + "\x00" + id
	byLink map[string]*scenarios.User // realm + alias + provider user id
	byName map[string]*scenarios.User // realm + lower-cased username
	byMail map[string]*scenarios.User // realm + lower-cased e-mail
}

func key(parts ...string) string { return strings.Join(parts, "\x00") }

// userByID finds a scenario user or a user imported at run time.
func (s *Server) userByID(r *scenarios.Realm, id string) *scenarios.User {
	if u := r.UserByID(id); u != nil {
		return u
	}
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	return s.brokered.byID[key(r.Name, id)]
}

// userByName finds a scenario user or a user imported at run time by username (any case).
func (s *Server) userByName(r *scenarios.Realm, name string) *scenarios.User {
	if u := r.User(name); u != nil {
		return u
	}
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	return s.brokered.byName[key(r.Name, strings.ToLower(name))]
}

// linkedUser finds the user linked to a provider account.
func (s *Server) linkedUser(r *scenarios.Realm, alias, providerUserID string) *scenarios.User {
	if u := r.UserByFederatedIdentity(alias, providerUserID); u != nil {
		return u
	}
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	return s.brokered.byLink[key(r.Name, alias, providerUserID)]
}

// usernameOrEmailTaken reports a clash Keycloak refuses when importing a brokered user.
func (s *Server) usernameOrEmailTaken(r *scenarios.Realm, username, email string) bool {
	if r.User(username) != nil || email != "" && !r.DuplicateEmailsAllowed && r.UserByEmail(email) != nil {
		return true
	}
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	if s.brokered.byName[key(r.Name, strings.ToLower(username))] != nil {
		return true
	}
	return email != "" && !r.DuplicateEmailsAllowed && s.brokered.byMail[key(r.Name, strings.ToLower(email))] != nil
}

// addBrokered registers an imported user.
func (s *Server) addBrokered(r *scenarios.Realm, u *scenarios.User) {
	s.brokered.mu.Lock()
	defer s.brokered.mu.Unlock()
	b := &s.brokered
	if b.byID == nil {
		b.byID, b.byLink, b.byName, b.byMail = map[string]*scenarios.User{}, map[string]*scenarios.User{}, map[string]*scenarios.User{}, map[string]*scenarios.User{}
	}
	b.byID[key(r.Name, u.ID)] = u
	b.byName[key(r.Name, strings.ToLower(u.Username))] = u
	if u.Email != "" {
		b.byMail[key(r.Name, strings.ToLower(u.Email))] = u
	}
	for _, f := range u.FederatedIdentities {
		b.byLink[key(r.Name, f.Provider, f.UserID)] = u
	}
}
