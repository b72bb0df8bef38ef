package scenarios

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

var update = flag.Bool("update", false, "rewrite the pre-parsed forms of builtin.toml and default.toml")

// TestPreparsed holds the embedded pre-parsed documents to their TOML sources: each must be
// exactly what encoding the TOML gives (with -update it is rewritten), and must decode back
// to the TOML decoder's tree.
func TestPreparsed(t *testing.T) {
	for _, tc := range []struct{ toml, bin, embedded string }{
		{"builtin.toml", "preparsed/builtin.bin", builtinPreparsed},
		{"default.toml", "preparsed/default.bin", defaultPreparsed},
	} {
		t.Run(tc.toml, func(t *testing.T) {
			src, err := os.ReadFile(tc.toml)
			if err != nil {
				t.Fatal(err)
			}
			var tree map[string]any
			if _, err := toml.Decode(string(src), &tree); err != nil {
				t.Fatal(err)
			}
			want, err := encodePreparsed(tree)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(tc.bin, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal([]byte(tc.embedded), want) {
				t.Fatalf("%s is out of date with %s: run go test ./scenarios -run TestPreparsed -update", tc.bin, tc.toml)
			}
			got, err := decodePreparsed(tc.embedded, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tree) {
				t.Fatalf("decoding %s does not give the TOML decoder's tree", tc.bin)
			}
		})
	}
}

// TestBuiltinDocMatchesTOML checks the pre-parsed built-in content against decoding
// builtin.toml with the realm name written into its text, for names that need escaping in TOML.
func TestBuiltinDocMatchesTOML(t *testing.T) {
	src, err := os.ReadFile("builtin.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"demo", "Demo-Realm", `quo"te\back`, "ünïcode Realm", "{realm}"} {
		esc := func(s string) string { q := strconv.Quote(s); return q[1 : len(q)-1] }
		text := strings.NewReplacer("{realm_lower}", esc(lowerASCII(name)), "{realm}", esc(name)).Replace(string(src))
		want := &realmDoc{}
		if _, err := toml.Decode(text, want); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		got, err := builtinDoc(name)
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: the pre-parsed built-in content differs from the TOML's", name)
		}
	}
}

// TestDecodePreparsedRefusesCorruptInput: a damaged file is an error, never a panic or a huge
// allocation.
func TestDecodePreparsedRefusesCorruptInput(t *testing.T) {
	good := builtinPreparsed
	for _, in := range []string{"", "m", "x", "s\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", good[:len(good)/2], good + "s\x00", "a\x01i", "f\x01",
		strings.Repeat("a\xff\x70", 5000), strings.Repeat("m\xff\x70\x00", 5000), strings.Repeat("l\x01", 100)} {
		allocs := testing.AllocsPerRun(1, func() {
			if _, err := decodePreparsed(in, nil); err == nil {
				t.Errorf("%q: no error", in[:min(len(in), 20)])
			}
		})
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		_, _ = decodePreparsed(in, nil)
		runtime.ReadMemStats(&ms)
		if grew := ms.TotalAlloc - before; grew > 64*uint64(len(in))+1<<16 {
			t.Errorf("%q: %d bytes allocated (%.0f allocations) for %d bytes of input", in[:min(len(in), 20)], grew, allocs, len(in))
		}
	}
}
