package server

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"sync"

	"github.com/kcmock/kcmock/tokens/mint"
)

// SeededIDs returns an id generator for Config.NewID that makes the same sequence of ids for
// the same seed: kcmock's deterministic mode, where a fixed clock, a seed and the same requests
// in the same order give byte-identical tokens. The ids have the shape of mint.NewRandomID's
// (all 128 bits drawn, as Keycloak 26.4's SecretGenerator does), from a ChaCha8 stream whose
// key is SHA-256 of a label and the seed. It is safe for concurrent use; concurrent requests
// then take ids in whatever order they arrive.
func SeededIDs(seed int64) func() string {
	h := sha256.New()
	h.Write([]byte("kcmock ids v1"))
	h.Write(SeedBytes(seed))
	var key [32]byte
	h.Sum(key[:0])
	stream := rand.NewChaCha8(key)
	var mu sync.Mutex
	return func() string {
		var b [16]byte
		mu.Lock()
		_, _ = stream.Read(b[:]) // ChaCha8.Read never fails
		mu.Unlock()
		return mint.FormatUUID(b)
	}
}

// SeedBytes is the scenarios.Options.Seed that goes with SeededIDs(seed): the seed's eight
// bytes, big-endian. `kcmock --seed N` and kcmock.WithSeed(N) both use it, so they derive the
// same realm keys.
func SeedBytes(seed int64) []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(seed))
}
