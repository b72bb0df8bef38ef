package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// Test vectors. The pbkdf2-sha256 and argon2 ones come from a Keycloak realm export published
// with its users' password ("password"); the others were made with Python's
// hashlib.pbkdf2_hmac, an implementation independent of Go's.
var passwordVectors = []struct {
	name, alg  string
	iterations int
	salt, hash string
	params     map[string]string
	password   string
}{
	{"keycloak pbkdf2-sha256 (256-bit key)", "pbkdf2-sha256", 27500, "P5rtFkGtPfoaryJ6PizUJw==", "JsfNbCOIdZUbyBJ+BT+VoGI91Ec2rWLOvkLPDaX8e9k=", nil, "password"},
	{"keycloak pbkdf2-sha256, another salt", "pbkdf2-sha256", 27500, "drB9e5Smf3cbfUfF3FUerw==", "RITBVPdh5pvXOa4JzJ5pZTE0rG96zhnQNmSsKCf83aU=", nil, "password"},
	{"keycloak argon2id", "argon2", 5, "Cf9AYCE5pAbb4CKEF0GUTA==", "BruFLfFkjH/8erZ26NnrbkOrWiZuQyDRCHD9o0R6Scg=",
		map[string]string{"hashLength": "32", "memory": "7168", "type": "id", "version": "1.3", "parallelism": "1"}, "password"},
	{"pbkdf2-sha512 (512-bit key)", "pbkdf2-sha512", 210000, "a2Ntb2NrLXRlc3Qtc2FsdA==",
		"YFwMq+gAFq9PEqKk0f+v3F5rtVRTAYx5Ej9/ddjs13iGZ83HIfZa8C1tFU5DLtJ03VkF27e77npTfZsmaCweLg==", nil, "carol-pw"},
	{"pbkdf2 (SHA-1)", "pbkdf2", 20000, "a2Ntb2NrLXRlc3Qtc2FsdA==",
		"aebWlgpfiAfAe3TIKWp8cHNtxUYBbHeGqZT723vQgIjIRpnNoYsT0I4jnlNnzD7BabUXVEjSaQoVDc2xIl5VgA==", nil, "dave-pw"},
}

func TestPasswordHashVectors(t *testing.T) {
	for _, v := range passwordVectors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			h, field, err := newPasswordHash(v.alg, v.iterations, v.salt, v.hash, v.params)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			if !h.Verify(v.password) {
				t.Errorf("Verify(%q) = false; want true", v.password)
			}
			for _, wrong := range []string{"", "Password", v.password + "x", strings.ToUpper(v.password)} {
				if h.Verify(wrong) {
					t.Errorf("Verify(%q) = true; want false", wrong)
				}
			}
			// HMAC pads short keys with zero bytes, so PBKDF2 cannot tell trailing NULs apart:
			// Keycloak's max-padding-length option (AbstractPbkdf2PasswordHashProviderFactory)
			// relies on it, and kcmock behaves the same.
			if v.alg != "argon2" && !h.Verify(v.password+"\x00") {
				t.Errorf("Verify(%q) = false; PBKDF2 ignores NUL padding", v.password+"\x00")
			}
		})
	}
}

func TestPasswordHashRefusals(t *testing.T) {
	salt, hash := "a2Ntb2NrLXRlc3Qtc2FsdA==", "YWJj"
	argon := func(k, v string) map[string]string {
		p := map[string]string{"type": "id", "version": "1.3", "memory": "7168", "parallelism": "1"}
		p[k] = v
		return p
	}
	tests := []struct {
		name, alg  string
		iterations int
		salt, hash string
		params     map[string]string
		field, msg string
	}{
		{"unknown algorithm", "bcrypt", 10, salt, hash, nil, "algorithm", `"bcrypt" is not emulated`},
		{"bad salt", "pbkdf2-sha256", 1, "%%%", hash, nil, "salt", "standard base64"},
		{"empty hash", "pbkdf2-sha256", 1, salt, "", nil, "hashed_value", "non-empty"},
		{"no iterations", "pbkdf2-sha256", 0, salt, hash, nil, "hash_iterations", "between 1 and"},
		{"pbkdf2 with parameters", "pbkdf2-sha512", 1, salt, hash, map[string]string{"memory": "1"}, "additional_parameters", "takes no"},
		{"argon2d", "argon2", 3, salt, hash, argon("type", "d"), "additional_parameters", `type "d" is not emulated`},
		{"argon2 1.0", "argon2", 3, salt, hash, argon("version", "1.0"), "additional_parameters", `version "1.0"`},
		{"argon2 without memory", "argon2", 3, salt, hash, argon("memory", ""), "additional_parameters", "memory"},
		{"argon2 too many passes", "argon2", 101, salt, hash, argon("memory", "8"), "hash_iterations", "between 1 and 100"},
		{"argon2 hash length", "argon2", 3, salt, hash, argon("hashLength", "32"), "additional_parameters", "does not match"},
		{"argon2 unknown parameter", "argon2", 3, salt, hash, argon("salt", "x"), "additional_parameters", `unknown argon2 parameter "salt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, field, err := newPasswordHash(tt.alg, tt.iterations, tt.salt, tt.hash, tt.params)
			if err == nil || field != tt.field || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("got %s: %v; want %s: …%s…", field, err, tt.field, tt.msg)
			}
		})
	}
}

func TestCheckPassword(t *testing.T) {
	plain := &User{Password: "s3cret"}
	if !plain.CheckPassword("s3cret") || plain.CheckPassword("s3cre") || plain.CheckPassword("") || !plain.HasPassword() {
		t.Error("plain password comparison is wrong")
	}
	none := &User{}
	if none.CheckPassword("") || none.HasPassword() {
		t.Error("a user without a password credential matches no password")
	}
}

// TestHashedPasswordInTOML: the TOML form of a hashed credential, and its problems.
func TestHashedPasswordInTOML(t *testing.T) {
	sc := mustLoad(t, "h.toml", `[[realms]]
realm = "h"
[[realms.users]]
username = "u"
[[realms.users.credentials]]
type = "password"
algorithm = "pbkdf2-sha256"
hash_iterations = 27500
salt = "P5rtFkGtPfoaryJ6PizUJw=="
hashed_value = "JsfNbCOIdZUbyBJ+BT+VoGI91Ec2rWLOvkLPDaX8e9k="
[[realms.users]]
username = "v"
credentials = [{ type = "password", algorithm = "argon2", hash_iterations = 5, salt = "Cf9AYCE5pAbb4CKEF0GUTA==", hashed_value = "BruFLfFkjH/8erZ26NnrbkOrWiZuQyDRCHD9o0R6Scg=", temporary = true, additional_parameters = { type = "id", version = "1.3", memory = 7168, parallelism = 1 } }]
`)
	r := sc.Realm("h")
	if u := r.User("u"); !u.CheckPassword("password") || u.Password != "" {
		t.Errorf("u: %+v", u)
	}
	if v := r.User("v"); !v.CheckPassword("password") || !v.PasswordTemporary {
		t.Errorf("v: %+v", v)
	}

	_, err := Load(testOpts, Source{Name: "bad.toml", Data: []byte(`[[realms]]
realm = "h"
[[realms.users]]
username = "u"
credentials = [{ type = "password", value = "pw", algorithm = "pbkdf2-sha256", hash_iterations = 1, salt = "", hashed_value = "YWJj" }]
[[realms.users]]
username = "v"
credentials = [{ type = "password", algorithm = "md5", hashed_value = "YWJj" }]
[[realms.users]]
username = "w"
credentials = [{ type = "password", algorithm = "pbkdf2-sha256", hash_iterations = "many" }]
`)})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v", err)
	}
	want := []string{
		`realms[0].users[2].credentials[0].hash_iterations: must be an integer, got a string`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	_, err = Load(testOpts, Source{Name: "bad.toml", Data: []byte(`[[realms]]
realm = "h"
[[realms.users]]
username = "u"
credentials = [{ type = "password", value = "pw", algorithm = "pbkdf2-sha256", hash_iterations = 1, salt = "", hashed_value = "YWJj" }]
[[realms.users]]
username = "v"
credentials = [{ type = "password", algorithm = "md5", hashed_value = "YWJj" }]
`)})
	for _, w := range []string{
		`realms[0].users[0].credentials[0].value: give either value or a hashed password`,
		`realms[0].users[1].credentials[0].algorithm: password hash algorithm "md5" is not emulated`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
