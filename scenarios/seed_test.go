package scenarios

import (
	"bytes"
	"testing"
	"time"
)

const seedScenario = `
[[realms]]
realm = "a"

[[realms]]
realm = "b"
default_signature_algorithm = "ES256"

[[realms]]
realm = "pinned"
[[realms.keys]]
algorithm = "HS512"
kid = "fixed"
secret = "a-secret-of-at-least-thirty-two-bytes!"
`

// TestSeedDerivesKeys loads a scenario twice with one seed and once with another: with the
// seed, every key the scenario does not pin is the same on both loads (and the certificates
// too, the clock being fixed); another seed gives other keys; pinned keys stay pinned.
func TestSeedDerivesKeys(t *testing.T) {
	at := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
	load := func(seed string) *Scenario {
		t.Helper()
		sc, err := Load(Options{Seed: []byte(seed), Now: func() time.Time { return at }}, Source{Name: "seed.toml", Data: []byte(seedScenario), Dir: "."})
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	x, y, z := load("one"), load("one"), load("two")
	for _, name := range []string{"a", "b", "pinned"} {
		kx, ky, kz := x.Realm(name).Keys, y.Realm(name).Keys, z.Realm(name).Keys
		if kx.Active.KID != ky.Active.KID || !bytes.Equal(kx.Active.CertDER, ky.Active.CertDER) ||
			kx.Enc.KID != ky.Enc.KID || !bytes.Equal(kx.Enc.CertDER, ky.Enc.CertDER) ||
			kx.HMAC.KID != ky.HMAC.KID || !bytes.Equal(kx.HMAC.Secret, ky.HMAC.Secret) {
			t.Errorf("realm %s: keys differ between two loads with the same seed", name)
		}
		if kx.Active.KID == kz.Active.KID || kx.Enc.KID == kz.Enc.KID {
			t.Errorf("realm %s: seeds one and two derive the same asymmetric keys", name)
		}
	}
	if x.Realm("a").Keys.Active.KID == x.Realm("b").Keys.Active.KID || x.Realm("a").Keys.Enc.KID == x.Realm("b").Keys.Enc.KID {
		t.Error("realms a and b share a key")
	}
	if got := x.Realm("b").Keys.Active.Alg; got != "ES256" {
		t.Errorf("realm b signs with %s; want ES256", got)
	}
	if h := z.Realm("pinned").Keys.HMAC; h.KID != "fixed" || string(h.Secret) != "a-secret-of-at-least-thirty-two-bytes!" {
		t.Errorf("pinned HS512 key was replaced: %q", h.KID)
	}
	if x.Realm("a").Keys.HMAC.KID == z.Realm("a").Keys.HMAC.KID {
		t.Error("seeds one and two derive the same HS512 key")
	}
}
