package scenarios

import (
	"os"
	"testing"
)

// FuzzImportRealmJSON: any JSON either fails with problems or imports into documents whose
// TOML form parses back strictly (the TOML writer never writes what the reader refuses).
func FuzzImportRealmJSON(f *testing.F) {
	if b, err := os.ReadFile(txFixture); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"realm": "a", "clients": [{"clientId": "c\"\n", "attributes": {"": "\u0001", "a.b": "x"}}]}`))
	f.Add([]byte(`[{"realm": "a", "roles": {"client": {"x y": [{"name": "r"}]}}}, {"realm": "b"}]`))
	f.Add([]byte(`{"realm": "a", "users": [{"username": "u", "attributes": {"k": []}, "credentials": [{"type": "password", "hashedSaltedValue": "YQ==", "algorithm": "pbkdf2", "hashIterations": 1}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		imp, err := ImportRealmJSON("f.json", data)
		if err != nil {
			return
		}
		text := encodeTOML(imp.fileDoc(), []string{"fuzz"})
		var list []Problem
		if parse(Source{Name: "f.toml", Data: text}, problems{file: "f.toml", list: &list}) == nil || len(list) > 0 {
			t.Fatalf("the TOML form does not parse: %v\n%s", list, text)
		}
	})
}
