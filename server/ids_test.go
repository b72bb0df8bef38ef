package server

import (
	"regexp"
	"sync"
	"testing"
)

var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestSeededIDs(t *testing.T) {
	a, b, c := SeededIDs(1), SeededIDs(1), SeededIDs(2)
	seen := map[string]bool{}
	for i := range 100 {
		x, y, z := a(), b(), c()
		if x != y {
			t.Fatalf("id %d: %q and %q from the same seed", i, x, y)
		}
		if x == z {
			t.Fatalf("id %d: %q from seeds 1 and 2", i, x)
		}
		if !uuidShape.MatchString(x) {
			t.Fatalf("id %q is not UUID-shaped", x)
		}
		if seen[x] {
			t.Fatalf("id %q repeated", x)
		}
		seen[x] = true
	}
}

// TestSeededIDsConcurrent draws from many goroutines: every id is distinct, and the set is
// the sequence a single goroutine would draw.
func TestSeededIDsConcurrent(t *testing.T) {
	const n, workers = 1000, 8
	next := SeededIDs(9)
	var mu sync.Mutex
	got := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range n / workers {
				id := next()
				mu.Lock()
				got[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	ref := SeededIDs(9)
	for range n {
		if id := ref(); !got[id] {
			t.Fatalf("id %q of the sequence was not drawn", id)
		}
	}
}

func TestSeedBytes(t *testing.T) {
	if got := SeedBytes(258); string(got) != "\x00\x00\x00\x00\x00\x00\x01\x02" {
		t.Errorf("SeedBytes(258) = %x", got)
	}
}
