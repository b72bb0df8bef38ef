package tokens

import (
	"unicode/utf16"
	"unicode/utf8"
)

// java.util.HashMap constants (OpenJDK 8 and later).
const (
	javaInitialCapacity  = 16
	javaTreeifyThreshold = 8  // a bin holding more nodes than this asks for treeification...
	javaMinTreeifyCap    = 64 // ...which below this table size is a resize instead
)

// JavaHashOrder returns the iteration order of a java.util.HashMap/HashSet (default capacity 16,
// load factor 0.75, table doubling whenever size > 0.75*capacity) into which keys were inserted
// in the given order: indices into keys. Bucket index = (h ^ (h >>> 16)) & (n-1), h = Java
// String.hashCode over UTF-16 code units (int32 arithmetic); entries sharing a bucket keep
// insertion order. Duplicated keys: only the first occurrence counts.
//
// Keycloak serializes otherClaims (a HashMap), role sets (HashSets) and resource_access (a
// HashMap) in this order, so reproducing it is what makes kcmock's payloads byte-equal.
//
// Not modelled: a bin that grows past 8 entries in a table of 64 or more buckets becomes a red-black
// tree, after which later insertions into that one bin no longer append at its end. That needs nine
// keys colliding in one bucket of a large table, which claim names and role names do not produce.
func JavaHashOrder(keys []string) []int {
	idx := make([]int, 0, len(keys))
	hashes := make([]uint32, 0, len(keys))
	var seen map[string]struct{}
	if len(keys) > 1 {
		seen = make(map[string]struct{}, len(keys))
	}
	for i, k := range keys {
		if seen != nil {
			if _, dup := seen[k]; dup {
				continue // HashMap.put of an existing key keeps the entry where it is
			}
			seen[k] = struct{}{}
		}
		idx = append(idx, i)
		hashes = append(hashes, javaSpread(javaStringHash(k)))
	}
	n := javaTableSize(hashes)

	// A resize splits every bin into a low and a high half, each keeping its relative order, so
	// the final layout is simply: buckets of the final table, entries in insertion order.
	// A counting sort by bucket index keeps that (stable) order.
	starts := make([]int, n+1)
	for _, h := range hashes {
		starts[int(h&uint32(n-1))+1]++
	}
	for b := 1; b <= n; b++ {
		starts[b] += starts[b-1]
	}
	out := make([]int, len(idx))
	for j, h := range hashes {
		b := int(h & uint32(n-1))
		out[starts[b]] = idx[j]
		starts[b]++
	}
	return out
}

// javaTableSize replays the insertions to find the final table length: it doubles when the size
// passes the threshold, and also when one bin reaches nine entries while the table is smaller than
// 64 (HashMap.treeifyBin resizes instead of building a tree).
func javaTableSize(hashes []uint32) int {
	n := javaInitialCapacity
	counts := make([]int, n)
	for i, h := range hashes {
		b := h & uint32(n-1)
		counts[b]++
		grow := counts[b] > javaTreeifyThreshold && n < javaMinTreeifyCap
		if grow {
			n *= 2
			counts = javaBinCounts(hashes[:i+1], n)
		}
		if (i+1)*4 > n*3 /* load factor 0.75 */ {
			n *= 2
			counts = javaBinCounts(hashes[:i+1], n)
		}
	}
	return n
}

func javaBinCounts(hashes []uint32, n int) []int {
	counts := make([]int, n)
	for _, h := range hashes {
		counts[h&uint32(n-1)]++
	}
	return counts
}

// javaSpread is HashMap.hash: the high half is folded into the low half because the table index
// only looks at the low bits.
func javaSpread(h int32) uint32 {
	u := uint32(h)
	return u ^ (u >> 16)
}

// javaStringHash is java.lang.String.hashCode: s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code
// units with int32 overflow. Invalid UTF-8 counts as U+FFFD, which is what a Java decoder would
// have put in the string.
func javaStringHash(s string) int32 {
	var h int32
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			h = 31*h + int32(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:]) // invalid bytes decode as U+FFFD
		i += size
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			h = 31*h + int32(hi)
			h = 31*h + int32(lo)
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
