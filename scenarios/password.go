package scenarios

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"

	"golang.org/x/crypto/argon2"
)

// PasswordHash is a password credential as Keycloak stores it: a salted hash, never the
// password. Realm exports carry it as secretData ({"value","salt"}) and credentialData
// ({"hashIterations","algorithm","additionalParameters"}).
type PasswordHash struct {
	Algorithm  string // Keycloak's provider id: pbkdf2-sha256, pbkdf2-sha512, pbkdf2, argon2…
	Iterations int    // PBKDF2 iterations, or Argon2 passes
	Salt       []byte
	Hash       []byte
	// Argon2 only (Argon2PasswordHashProvider's additionalParameters).
	Argon2ID    bool // type "id"; false is Argon2i
	Memory      uint32
	Parallelism uint8
}

// Limits that keep one login from stalling kcmock. Keycloak's own defaults are far below them
// (27,500 to 210,000 PBKDF2 iterations; Argon2 with 7 MiB and 5 passes).
const (
	maxPBKDF2Iterations = 10_000_000
	maxArgon2Passes     = 100
	maxArgon2MemoryKiB  = 1 << 20
)

// pbkdf2Hashes are Keycloak's PBKDF2 providers and the HMAC each one uses.
var pbkdf2Hashes = map[string]func() hash.Hash{
	"pbkdf2":        sha1.New, // Pbkdf2PasswordHashProviderFactory: PBKDF2WithHmacSHA1
	"pbkdf2-sha224": sha256.New224,
	"pbkdf2-sha256": sha256.New,
	"pbkdf2-sha384": sha512.New384,
	"pbkdf2-sha512": sha512.New,
}

// newPasswordHash checks a stored credential and decodes it. On error it also names the field
// at fault (a credentialDoc key), so that the problem can point at it.
func newPasswordHash(alg string, iterations int, salt, value string, params map[string]string) (*PasswordHash, string, error) {
	h := &PasswordHash{Algorithm: alg, Iterations: iterations}
	if _, ok := pbkdf2Hashes[alg]; !ok && alg != "argon2" {
		return nil, "algorithm", fmt.Errorf("password hash algorithm %q is not emulated (pbkdf2, pbkdf2-sha224, pbkdf2-sha256, pbkdf2-sha384, pbkdf2-sha512, argon2)", alg)
	}
	var err error
	if h.Salt, err = base64.StdEncoding.DecodeString(salt); err != nil {
		return nil, "salt", fmt.Errorf("salt must be standard base64: %v", err)
	}
	if h.Hash, err = base64.StdEncoding.DecodeString(value); err != nil || len(h.Hash) == 0 {
		return nil, "hashed_value", fmt.Errorf("hashed_value must be non-empty standard base64")
	}
	if _, ok := pbkdf2Hashes[alg]; ok {
		if iterations < 1 || iterations > maxPBKDF2Iterations {
			return nil, "hash_iterations", fmt.Errorf("hash_iterations must be between 1 and %d, got %d", maxPBKDF2Iterations, iterations)
		}
		if len(params) > 0 {
			return nil, "additional_parameters", fmt.Errorf("%s takes no additional_parameters", alg)
		}
		return h, "", nil
	}
	if iterations < 1 || iterations > maxArgon2Passes {
		return nil, "hash_iterations", fmt.Errorf("argon2 hash_iterations must be between 1 and %d, got %d", maxArgon2Passes, iterations)
	}
	if err := h.argon2Params(params); err != nil {
		return nil, "additional_parameters", err
	}
	return h, "", nil
}

// argon2Params reads Keycloak's Argon2 parameters. golang.org/x/crypto implements Argon2id and
// Argon2i of version 1.3 (Keycloak's default: id, 1.3, 7168 KiB, parallelism 1).
func (h *PasswordHash) argon2Params(p map[string]string) error {
	for k := range p {
		switch k {
		case "type", "version", "memory", "parallelism", "hashLength":
		default:
			return fmt.Errorf("unknown argon2 parameter %q (type, version, memory, parallelism, hashLength)", k)
		}
	}
	switch p["type"] {
	case "id", "":
		h.Argon2ID = true
	case "i":
	default:
		return fmt.Errorf("argon2 type %q is not emulated (id or i)", p["type"])
	}
	if v := p["version"]; v != "" && v != "1.3" {
		return fmt.Errorf("argon2 version %q is not emulated (1.3)", v)
	}
	mem, err := strconv.ParseUint(p["memory"], 10, 32)
	if err != nil || mem < 8 || mem > maxArgon2MemoryKiB {
		return fmt.Errorf("argon2 memory must be a number of KiB between 8 and %d, got %q", maxArgon2MemoryKiB, p["memory"])
	}
	par, err := strconv.ParseUint(p["parallelism"], 10, 8)
	if err != nil || par < 1 {
		return fmt.Errorf("argon2 parallelism must be between 1 and 255, got %q", p["parallelism"])
	}
	if l := p["hashLength"]; l != "" && l != strconv.Itoa(len(h.Hash)) {
		return fmt.Errorf("argon2 hashLength %s does not match the %d-byte hashed_value", l, len(h.Hash))
	}
	h.Memory, h.Parallelism = uint32(mem), uint8(par)
	return nil
}

// Verify reports whether pw hashes to the stored value. Like Keycloak's providers, the derived
// key is as long as the stored one (PBKDF2: 512 bits by default; older versions stored 256).
func (h *PasswordHash) Verify(pw string) bool {
	var got []byte
	if newHash, ok := pbkdf2Hashes[h.Algorithm]; ok {
		k, err := pbkdf2.Key(newHash, pw, h.Salt, h.Iterations, len(h.Hash))
		if err != nil {
			return false
		}
		got = k
	} else if h.Argon2ID {
		got = argon2.IDKey([]byte(pw), h.Salt, uint32(h.Iterations), h.Memory, h.Parallelism, uint32(len(h.Hash)))
	} else {
		got = argon2.Key([]byte(pw), h.Salt, uint32(h.Iterations), h.Memory, h.Parallelism, uint32(len(h.Hash)))
	}
	return subtle.ConstantTimeCompare(got, h.Hash) == 1
}

// CheckPassword reports whether pw is the user's password: compared in constant time with a
// plain password, or hashed the way the stored credential says. A user without a password
// credential has no password that matches.
func (u *User) CheckPassword(pw string) bool {
	switch {
	case u.PasswordHash != nil:
		return u.PasswordHash.Verify(pw)
	case u.Password != "":
		return subtle.ConstantTimeCompare([]byte(pw), []byte(u.Password)) == 1
	}
	return false
}

// HasPassword reports whether the user has a password credential, plain or hashed.
func (u *User) HasPassword() bool { return u.Password != "" || u.PasswordHash != nil }
