package scenarios

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/kcmock/kcmock/tokens"
)

var signingAlgs = tokens.SupportedAlgorithms()

func supportedSigningAlg(alg string) bool {
	for _, a := range signingAlgs {
		if a == alg {
			return true
		}
	}
	return false
}

// keyPlan is what a realm's keys will be: pinned keys parsed now, the rest generated later (in
// parallel across realms, since RSA generation takes tens of milliseconds).
type keyPlan struct {
	realm   *Realm
	set     *tokens.KeySet
	needSig bool
	needEnc bool
}

func planKeys(r *Realm, docs []keyDoc, path, dir string, opts *Options, now time.Time, pinned parsedPinnedKeys, p problems) *keyPlan {
	plan := &keyPlan{realm: r, set: &tokens.KeySet{}}
	for i := range docs {
		d, kp := &docs[i], idx(at(path, "keys"), i)
		active := boolOr(d.Active, true)
		if d.Algorithm == "HS512" {
			if d.Secret == "" {
				p.add(at(kp, "secret"), "an HS512 key needs a secret")
				continue
			}
			if len(d.Secret) < 32 {
				p.add(at(kp, "secret"), "an HS512 secret must be at least 32 bytes")
				continue
			}
			kid := d.Kid
			if kid == "" {
				kid = stableID(r.Name, "hmac-key", d.Secret)
			}
			if plan.set.HMAC != nil {
				p.add(kp, "only one HS512 key per realm")
				continue
			}
			plan.set.HMAC = &tokens.HMACKey{KID: kid, Secret: []byte(d.Secret)}
			continue
		}
		if d.Kid != "" {
			p.add(at(kp, "kid"), "the kid of an asymmetric key is derived from the key, as Keycloak does")
		}
		use, ok := keyUse(d.Algorithm)
		if !ok {
			p.add(at(kp, "algorithm"), "unsupported algorithm %q (supported: %v, RSA-OAEP, HS512)", d.Algorithm, signingAlgs)
			continue
		}
		keyPEM := readPEM(d.PrivateKey, d.PrivateKeyFile, dir, at(kp, "private_key"), opts, p)
		certPEM := readPEM(d.Certificate, d.CertificateFile, dir, at(kp, "certificate"), opts, p)
		if keyPEM == nil {
			if d.PrivateKey == "" && d.PrivateKeyFile == "" {
				p.add(at(kp, "private_key"), "a pinned key needs private_key or private_key_file")
			}
			continue
		}
		k, err := pinned.parse(d.Algorithm, use, r.Name, keyPEM, certPEM, now)
		if err != nil {
			p.add(at(kp, "private_key"), "%v", err)
			continue
		}
		switch {
		case use == "enc":
			plan.set.Enc = k
		case active && d.Algorithm == r.DefaultSignatureAlgorithm && plan.set.Active == nil:
			plan.set.Active = k
		default:
			plan.set.Others = append(plan.set.Others, k)
		}
	}
	plan.needSig = plan.set.Active == nil
	// Keycloak publishes an RSA-OAEP encryption key in every new realm.
	plan.needEnc = plan.set.Enc == nil
	if plan.set.HMAC == nil {
		h, err := opts.hmacKey(r.Name)
		if err != nil {
			p.add(path, "generating the HS512 key: %v", err)
		}
		plan.set.HMAC = h
	}
	return plan
}

// keyUse is what an asymmetric key of that algorithm is for: "sig" or "enc" (RSA-OAEP).
func keyUse(alg string) (string, bool) {
	if alg == "RSA-OAEP" {
		return "enc", true
	}
	return "sig", supportedSigningAlg(alg)
}

// parsedPinnedKeys are the scenario's inline pinned keys, parsed in the background (one goroutine a
// key) while the realms are resolved: validating an RSA key takes about 0.15 ms, and the
// default scenario pins two.
type parsedPinnedKeys map[pinnedKey]*pinnedResult

type pinnedKey struct{ alg, use, realm, key, cert string }

type pinnedResult struct {
	done chan struct{}
	key  *tokens.Key
	err  error
}

// parsePinnedKeys starts parsing every inline asymmetric key of the documents.
func parsePinnedKeys(docs []*fileDoc, now time.Time) parsedPinnedKeys {
	out := parsedPinnedKeys{}
	for _, d := range docs {
		for _, rd := range d.Realms {
			for _, kd := range rd.Keys {
				use, ok := keyUse(kd.Algorithm)
				if !ok || kd.PrivateKey == "" || kd.PrivateKeyFile != "" || kd.CertificateFile != "" {
					continue // planKeys reports or reads these itself
				}
				job := pinnedKey{kd.Algorithm, use, rd.Realm, kd.PrivateKey, kd.Certificate}
				if out[job] != nil {
					continue
				}
				res := &pinnedResult{done: make(chan struct{})}
				out[job] = res
				go func() {
					defer close(res.done)
					res.key, res.err = tokens.ParseKey(job.alg, job.use, job.realm, []byte(job.key), []byte(job.cert), now)
				}()
			}
		}
	}
	return out
}

// parse is tokens.ParseKey, answered from the background parse when there is one (each
// result is handed out once, so a key given twice still makes two Keys, as before).
func (p parsedPinnedKeys) parse(alg, use, realm string, keyPEM, certPEM []byte, now time.Time) (*tokens.Key, error) {
	job := pinnedKey{alg, use, realm, string(keyPEM), string(certPEM)}
	if res := p[job]; res != nil {
		delete(p, job)
		<-res.done
		return res.key, res.err
	}
	return tokens.ParseKey(alg, use, realm, keyPEM, certPEM, now)
}

func readPEM(inline, file, dir, path string, opts *Options, p problems) []byte {
	switch {
	case inline != "" && file != "":
		p.add(path, "give the PEM inline or as a file, not both")
		return nil
	case inline != "":
		return []byte(inline)
	case file != "":
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		b, err := opts.readFile(file)
		if err != nil {
			p.add(path+"_file", "%v", err)
			return nil
		}
		return b
	}
	return nil
}

// generate creates the keys the plans still need, one goroutine per key.
func generate(plans []*keyPlan, opts *Options) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	now := opts.now()
	// A caller-supplied random source is read sequentially so that the same stream always
	// yields the same keys. Derived keys (Options.Seed) depend on nothing shared.
	sequential := opts.Rand != nil && opts.Seed == nil
	run := func(f func()) {
		if sequential {
			f()
			return
		}
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	for _, pl := range plans {
		pl := pl
		if pl.needSig {
			run(func() {
				k, err := opts.key(pl.realm.DefaultSignatureAlgorithm, "sig", pl.realm.Name, now)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && first == nil {
					first = fmt.Errorf("realm %q: generating %s key: %w", pl.realm.Name, pl.realm.DefaultSignatureAlgorithm, err)
				}
				pl.set.Active = k
			})
		}
		if pl.needEnc {
			run(func() {
				k, err := opts.key("RSA-OAEP", "enc", pl.realm.Name, now)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && first == nil {
					first = fmt.Errorf("realm %q: generating RSA-OAEP key: %w", pl.realm.Name, err)
				}
				pl.set.Enc = k
			})
		}
	}
	wg.Wait()
	for _, pl := range plans {
		pl.realm.Keys = pl.set
	}
	return first
}

// Options controls loading. The zero value uses the real clock, crypto/rand and the file system.
type Options struct {
	Now      func() time.Time             // certificate validity of generated keys
	Rand     io.Reader                    // key generation (only Ed25519 and HS512 keys read it since Go 1.26)
	ReadFile func(string) ([]byte, error) // key and certificate files
	// Seed, when set, derives every key a realm does not pin from the seed, the realm's name,
	// the algorithm and the use (tokens.DeriveKey) instead of generating it: with a fixed Now,
	// the same seed gives byte-identical keys, certificates and JWKS on every load.
	Seed []byte
}

// key generates, or derives from Seed, a key the realm does not pin.
func (o *Options) key(alg, use, realm string, now time.Time) (*tokens.Key, error) {
	if o.Seed != nil {
		return tokens.DeriveKey(alg, use, realm, o.Seed, now)
	}
	return tokens.GenerateKey(alg, use, realm, o.rand(), now)
}

// hmacKey generates, or derives from Seed, the realm's HS512 key.
func (o *Options) hmacKey(realm string) (*tokens.HMACKey, error) {
	if o.Seed != nil {
		return tokens.DeriveHMACKey(realm, o.Seed)
	}
	return tokens.GenerateHMACKey(o.rand())
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) rand() io.Reader {
	if o.Rand != nil {
		return o.Rand
	}
	return rand.Reader
}

func (o *Options) readFile(name string) ([]byte, error) {
	if o.ReadFile != nil {
		return o.ReadFile(name)
	}
	return os.ReadFile(name)
}
