package registry

import (
	"fmt"
	"sort"
	"strings"
)

// UnknownArtifactError is an artifact name that the registry does not know.
type UnknownArtifactError struct {
	Name string
}

func (e *UnknownArtifactError) Error() string {
	return fmt.Sprintf("unknown artifact '%s'", e.Name)
}

// maxTypo is how far a name may be from another to be taken for a typo of it: two edits
// (a letter added, dropped, changed, or two swapped), as git's "did you mean" allows for
// command names.
const maxTypo = 2

// Similar returns the candidates within two edits of name (and not name itself), closest
// first, then in alphabetical order: what the user may have meant. Families of names are not
// typos of each other: names shorter than five characters (x/a and x/b), names that differ in
// their digits only (churn-v1 and churn-v2), and names where the edits are half the letters or
// more.
func Similar(name string, candidates []string) []string {
	type match struct {
		name     string
		distance int
	}
	var matches []match
	seen := map[string]bool{name: true}
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		if min(len(name), len(c)) < 5 || digitsDropped(name) == digitsDropped(c) {
			continue
		}
		if d := editDistance(name, c, maxTypo); d <= maxTypo && 2*d < min(len(name), len(c)) {
			matches = append(matches, match{c, d})
		}
	}
	sort.Slice(matches, func(i, j int) bool {
		if matches[i].distance != matches[j].distance {
			return matches[i].distance < matches[j].distance
		}
		return matches[i].name < matches[j].name
	})
	out := make([]string, len(matches))
	for i, m := range matches {
		out[i] = m.name
	}
	return out
}

// editDistance is the optimal string alignment distance between a and b (insertions,
// deletions, substitutions and swaps of neighbours, on bytes), or more than limit when it is
// larger than limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
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
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// digitsDropped is s without its digits.
func digitsDropped(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, s)
}
