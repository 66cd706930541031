package registry

import (
	"cmp"
	"strings"
)

// The numbers of tag names (MAJOR, MINOR and PATCH of a version, the counter of a tag) have no
// upper bound in the grammar of docs/registry.md §2, and GTO reads them as Python ints. The registry
// keeps them as strings of decimal digits: exact at any size, compared without converting, and
// sliced out of the tag name without allocating, which matters when Build parses every tag of a
// large repository. Canonical digits have no leading zero ("0" is the only one that starts
// with '0'); the empty string reads as 0, so that zero values of SemVer and Tag mean 0.

// isNumeric reports whether s is a non-empty string of decimal digits.
func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalDecimal drops the leading zeros of decimal digits, keeping at least one digit:
// "0042" gives "42", and "000" and "" give "0". The result is a substring of d (or "0"), so it
// does not allocate.
func canonicalDecimal(d string) string {
	if d == "" {
		return "0"
	}
	i := 0
	for i < len(d)-1 && d[i] == '0' {
		i++
	}
	return d[i:]
}

// compareDecimal compares two decimal numbers by value and returns -1, 0 or 1. Without leading
// zeros the longer number is the larger, and numbers of one length compare as text.
func compareDecimal(a, b string) int {
	if a == b {
		return 0 // the usual case when events of one second are sorted
	}
	a, b = canonicalDecimal(a), canonicalDecimal(b)
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// incrementDecimal returns d + 1 in canonical digits.
func incrementDecimal(d string) string {
	b := []byte(canonicalDecimal(d))
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0' // carry
	}
	return "1" + string(b)
}
