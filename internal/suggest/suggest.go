// Package suggest owns the "did you mean" guess shared by the scenario and case loaders: the
// known name closest to a misspelt one.
package suggest

// Closest returns the candidate nearest to k by edit distance, if one is within two edits; ties go
// to the alphabetically first candidate so the guess does not depend on the candidates' order.
func Closest(k string, candidates []string) (string, bool) {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(k, c); d < bestD || d == bestD && c < best {
			best, bestD = c, d
		}
	}
	return best, best != ""
}

// distance is the Levenshtein distance between a and b, byte-wise.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
