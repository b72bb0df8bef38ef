package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzReadFile serves key and certificate files from the test key directories only: a fuzzed
// private_key_file of /dev/zero or /dev/stdin would otherwise block the fuzzer forever.
func fuzzReadFile(name string) ([]byte, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return nil, fs.ErrNotExist
	}
	for _, dir := range []string{"testdata", "../tokens/testdata"} {
		root, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(root, abs); err == nil && !strings.HasPrefix(rel, "..") {
			fi, err := os.Stat(abs)
			if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
				return nil, fs.ErrNotExist
			}
			return os.ReadFile(abs)
		}
	}
	return nil, fs.ErrNotExist
}

// pinnedKeys are the default scenario's keys, appended to seeds so that mutations of a valid
// scenario load in milliseconds instead of generating two RSA keys per realm.
func pinnedKeys(t testing.TB) string {
	t.Helper()
	text := string(defaultScenario)
	i := strings.Index(text, "[[realms.keys]]")
	if i < 0 {
		t.Fatal("default.toml has no [[realms.keys]]")
	}
	return "\n" + text[i:]
}

// FuzzLoad feeds arbitrary TOML to Load, as one source or as two loaded together: it must not
// panic or hang, and must return exactly one of a scenario and an error; a scenario must be
// usable (every realm indexed, with signing, encryption and HMAC keys and a JWKS), an error
// must say what is wrong.
func FuzzLoad(f *testing.F) {
	keys := pinnedKeys(f)
	seeds, _ := filepath.Glob("*.toml")
	more, _ := filepath.Glob("testdata/*.toml")
	for _, p := range append(seeds, more...) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte(nil))
		if !strings.Contains(string(b), "[[realms.keys]]") && strings.Count(string(b), "[[realms]]") == 1 {
			f.Add(append(b, keys...), []byte(nil))
		}
	}
	f.Add([]byte("[[realms]]\nrealm = \"a\"\n"+keys), []byte("[server]\nversion = \"26.4\"\n[[realms]]\nrealm = \"b\"\n"+keys))
	f.Add([]byte("[server]\nversion = \"26.0.1\"\n"), []byte("[server]\nversion = \"26.2\"\n[[realms]]\nrealm = \"b\"\n"+keys))
	f.Add([]byte("[[realms]]\nrealm = \"a\"\naccess_token_lifespan = 300\nsso_session_idle_timeout = \"5m\"\n"+keys), []byte(nil))
	f.Add([]byte("[[realms]]\nrealm = \"a\"\n[[realms.keys]]\nalgorithm = \"RS256\"\nprivate_key_file = \"../tokens/testdata/rsa2048.pem\"\n"), []byte(nil))
	f.Add([]byte("[[realms]]\nrealm = \"a\"\n[[realms.clients]]\nclientId = \"x\"\n"), []byte(nil))
	f.Add([]byte("[[realms]]\nrealm = \"a/b\"\n"), []byte(nil))
	f.Add([]byte("[[realms]\n"), []byte(nil))
	f.Add([]byte(""), []byte(nil))

	opts := Options{Now: func() time.Time { return time.Unix(1760000000, 0) }, ReadFile: fuzzReadFile}
	f.Fuzz(func(t *testing.T, data, extra []byte) {
		// Every realm that loads costs two RSA key generations unless its keys are pinned;
		// a realm needs a name, so counting the word bounds the work per input.
		if strings.Count(string(data)+string(extra), "realm") > 32 {
			t.Skip("too many realms to generate keys for")
		}
		srcs := []Source{{Name: "fuzz.toml", Data: data, Dir: "testdata"}}
		if len(extra) > 0 {
			srcs = append(srcs, Source{Name: "extra.toml", Data: extra, Dir: "testdata"})
		}
		type result struct {
			sc  *Scenario
			err error
		}
		done := make(chan result, 1)
		go func() {
			sc, err := Load(opts, srcs...)
			done <- result{sc, err}
		}()
		var res result
		select {
		case res = <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("Load did not return within 30 s on %q + %q", data, extra)
		}
		sc, err := res.sc, res.err
		switch {
		case sc == nil && err == nil:
			t.Fatal("Load returned neither a scenario nor an error")
		case sc != nil && err != nil:
			t.Fatalf("Load returned a scenario and an error: %v", err)
		case err != nil:
			checkLoadError(t, err)
		default:
			checkScenario(t, sc)
		}
	})
}

func checkLoadError(t *testing.T, err error) {
	t.Helper()
	if err.Error() == "" {
		t.Fatal("Load error has no message")
	}
	var le *LoadError
	if !errors.As(err, &le) {
		return
	}
	if len(le.Problems) == 0 {
		t.Fatal("LoadError lists no problem")
	}
	for _, p := range le.Problems {
		if p.Msg == "" || p.File == "" {
			t.Fatalf("problem without a file or message: %+v", p)
		}
	}
}

func checkScenario(t *testing.T, sc *Scenario) {
	t.Helper()
	if len(sc.Realms) == 0 {
		t.Fatal("scenario without realms")
	}
	if !sc.Server.Version.AtLeast(26, 0) {
		t.Fatalf("scenario serves version %v", sc.Server.Version)
	}
	for _, r := range sc.Realms {
		if sc.Realm(r.Name) != r {
			t.Fatalf("realm %q is not indexed by its name", r.Name)
		}
		ks := r.Keys
		if ks == nil || ks.Active == nil || ks.Enc == nil || ks.HMAC == nil || len(ks.HMAC.Secret) == 0 {
			t.Fatalf("realm %q lacks a key: %+v", r.Name, ks)
		}
		if _, err := ks.JWKS(); err != nil {
			t.Fatalf("realm %q: JWKS: %v", r.Name, err)
		}
		for _, c := range r.Clients {
			if c == nil || r.Client(c.ClientID) != c {
				t.Fatalf("realm %q: client %+v is not indexed by its client_id", r.Name, c)
			}
		}
		for _, u := range r.Users {
			if u == nil || r.UserByID(u.ID) != u {
				t.Fatalf("realm %q: user %+v is not indexed by its id", r.Name, u)
			}
		}
	}
}
