package server

import (
	"crypto/rand"
	"fmt"

	"github.com/kcmock/kcmock/tokens"
)

// KeyInfo describes a realm signing key.
type KeyInfo struct {
	KID    string `json:"kid"`
	Alg    string `json:"alg"`
	Use    string `json:"use"`
	Active bool   `json:"active"`
}

// Keys lists a realm's published keys: the active signing key, the passive ones, the
// encryption key.
func (s *Server) Keys(realm string) ([]KeyInfo, error) {
	rs := s.state.Load().realms[realm]
	if rs == nil {
		return nil, fmt.Errorf("no realm %q", realm)
	}
	ks := rs.keys
	out := []KeyInfo{{KID: ks.Active.KID, Alg: ks.Active.Alg, Use: "sig", Active: true}}
	for _, k := range ks.Others {
		out = append(out, KeyInfo{KID: k.KID, Alg: k.Alg, Use: "sig"})
	}
	if ks.Enc != nil {
		out = append(out, KeyInfo{KID: ks.Enc.KID, Alg: ks.Enc.Alg, Use: "enc"})
	}
	return out, nil
}

// AddKey generates a signing key for a realm; active makes it sign from now on (the previous
// active key stays published and verifying, as a passive key).
func (s *Server) AddKey(realm, alg string, active bool) (string, error) {
	var kid string
	err := s.updateKeys(realm, func(rs *realmState, ks *tokens.KeySet) error {
		if alg == "" {
			alg = rs.model.DefaultSignatureAlgorithm
		}
		k, err := tokens.GenerateKey(alg, tokens.UseSig, rs.model.Name, rand.Reader, s.clock.Now())
		if err != nil {
			return err
		}
		kid = k.KID
		if active {
			ks.Others = append([]*tokens.Key{ks.Active}, ks.Others...)
			ks.Active = k
		} else {
			ks.Others = append(ks.Others, k)
		}
		return nil
	})
	return kid, err
}

// ActivateKey makes a published key the one that signs.
func (s *Server) ActivateKey(realm, kid string) error {
	return s.updateKeys(realm, func(_ *realmState, ks *tokens.KeySet) error {
		if ks.Active.KID == kid {
			return nil
		}
		for i, k := range ks.Others {
			if k.KID == kid {
				ks.Others = append(append([]*tokens.Key{ks.Active}, ks.Others[:i]...), ks.Others[i+1:]...)
				ks.Active = k
				return nil
			}
		}
		return fmt.Errorf("realm %q has no signing key %q", realm, kid)
	})
}

// RemoveKey takes a passive key out: it leaves the JWKS and tokens it signed no longer verify.
// (To retire a key with a grace period, activate another one first: the old key then stays
// published until removed.)
func (s *Server) RemoveKey(realm, kid string) error {
	return s.updateKeys(realm, func(_ *realmState, ks *tokens.KeySet) error {
		if ks.Active.KID == kid {
			return fmt.Errorf("key %q is the active key: activate another one first", kid)
		}
		for i, k := range ks.Others {
			if k.KID == kid {
				ks.Others = append(ks.Others[:i:i], ks.Others[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("realm %q has no passive signing key %q", realm, kid)
	})
}

// updateKeys changes a copy of a realm's key set and swaps in a new state, so requests in
// flight keep the keys they started with and the JWKS bytes are rebuilt once.
func (s *Server) updateKeys(realm string, change func(*realmState, *tokens.KeySet) error) error {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	old := s.state.Load()
	rs := old.realms[realm]
	if rs == nil {
		return fmt.Errorf("no realm %q", realm)
	}
	ks := &tokens.KeySet{Active: rs.keys.Active, Others: append([]*tokens.Key(nil), rs.keys.Others...), Enc: rs.keys.Enc, HMAC: rs.keys.HMAC}
	if err := change(rs, ks); err != nil {
		return err
	}
	nrs, err := newRealmState(rs.model, ks)
	if err != nil {
		return err
	}
	next := &state{scenario: old.scenario, realms: make(map[string]*realmState, len(old.realms))}
	for name, r := range old.realms {
		next.realms[name] = r
	}
	next.realms[realm] = nrs
	s.state.Store(next)
	return nil
}
