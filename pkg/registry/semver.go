package registry

import (
	"cmp"
	"fmt"
	"strings"
)

// SemVer is a SemVer 2.0.0 version written with the mandatory lowercase "v" prefix that
// registry tags use, such as v1.2.0 or v1.1.0-rc.1+build.5.
//
// MAJOR, MINOR and PATCH are decimal digits of any length, as the SemVer grammar allows and GTO
// reads them: "18446744073709551616" is a valid major version. Parsing and Bump give canonical
// digits ("0", never "00"); an empty part reads as 0, so the zero SemVer is v0.0.0.
type SemVer struct {
	Major, Minor, Patch string
	Pre                 []string // dot-separated pre-release identifiers, nil for a release
	Build               string   // build metadata after '+', ignored for precedence
}

// ParseSemVer parses "vMAJOR.MINOR.PATCH[-PRE][+BUILD]" by the official SemVer grammar.
func ParseSemVer(s string) (SemVer, error) {
	v, ok := parseSemVer(s)
	if !ok {
		if err := VersionWithoutV(s); err != nil {
			return v, err
		}
		return v, fmt.Errorf("invalid version '%s': write 'v' and a SemVer 2.0.0 version, such as v1.2.3 or v1.0.0-rc.1", s)
	}
	return v, nil
}

// VersionWithoutV is the error of a version written without its lowercase "v" (0.1.0, V0.1.0),
// which says how to write it; nil for anything else. Every command that takes a version words
// the mistake with it, whether it parses the version (ParseSemVer) or looks it up: a version
// that cannot exist would otherwise read as "no such version".
func VersionWithoutV(s string) error {
	fixed := "v" + strings.TrimPrefix(s, "V")
	if s == fixed || !IsSemVer(fixed) {
		return nil
	}
	return fmt.Errorf("invalid version '%s': write '%s' (versions start with a lowercase v)", s, fixed)
}

// IsSemVer reports whether s is a valid version string.
func IsSemVer(s string) bool {
	_, ok := parseSemVer(s)
	return ok
}

// parseSemVer does the work of ParseSemVer without building an error, since the tag parser
// calls it for every tag of the repository.
func parseSemVer(s string) (SemVer, bool) {
	var v SemVer
	if !strings.HasPrefix(s, "v") {
		return v, false
	}
	rest := s[1:]
	if i := strings.IndexByte(rest, '+'); i >= 0 {
		v.Build = rest[i+1:]
		if !validIdentifiers(v.Build, false) {
			return SemVer{}, false
		}
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '-'); i >= 0 {
		pre := rest[i+1:]
		if !validIdentifiers(pre, true) {
			return SemVer{}, false
		}
		v.Pre = strings.Split(pre, ".")
		rest = rest[:i]
	}
	nums := [3]*string{&v.Major, &v.Minor, &v.Patch}
	for i := range nums {
		p := rest
		if i < 2 {
			var found bool
			if p, rest, found = strings.Cut(rest, "."); !found {
				return SemVer{}, false
			}
		}
		if !isNumeric(p) || (len(p) > 1 && p[0] == '0') {
			return SemVer{}, false
		}
		*nums[i] = p
	}
	return v, true
}

// String formats the version back to its canonical text.
func (v SemVer) String() string {
	var b strings.Builder
	b.WriteByte('v')
	b.WriteString(canonicalDecimal(v.Major))
	b.WriteByte('.')
	b.WriteString(canonicalDecimal(v.Minor))
	b.WriteByte('.')
	b.WriteString(canonicalDecimal(v.Patch))
	if len(v.Pre) > 0 {
		b.WriteByte('-')
		b.WriteString(strings.Join(v.Pre, "."))
	}
	if v.Build != "" {
		b.WriteByte('+')
		b.WriteString(v.Build)
	}
	return b.String()
}

// Bump is the part of a version that an automatic version increments.
type Bump int

// The parts an automatic version can bump; BumpPatch is the default.
const (
	BumpPatch Bump = iota
	BumpMinor
	BumpMajor
)

// Bump returns the next version: the pre-release and build parts are dropped and the chosen
// part is incremented, resetting the parts below it to "0". The result has canonical digits.
func (v SemVer) Bump(part Bump) SemVer {
	major, minor, patch := canonicalDecimal(v.Major), canonicalDecimal(v.Minor), canonicalDecimal(v.Patch)
	switch part {
	case BumpMajor:
		return SemVer{Major: incrementDecimal(major), Minor: "0", Patch: "0"}
	case BumpMinor:
		return SemVer{Major: major, Minor: incrementDecimal(minor), Patch: "0"}
	default:
		return SemVer{Major: major, Minor: minor, Patch: incrementDecimal(patch)}
	}
}

// Compare returns -1, 0 or 1 by SemVer precedence; build metadata is ignored.
func (v SemVer) Compare(w SemVer) int {
	if c := compareDecimal(v.Major, w.Major); c != 0 {
		return c
	}
	if c := compareDecimal(v.Minor, w.Minor); c != 0 {
		return c
	}
	if c := compareDecimal(v.Patch, w.Patch); c != 0 {
		return c
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		if c := comparePre(v.Pre[i], w.Pre[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.Pre), len(w.Pre))
}

// comparePre compares two pre-release identifiers: numeric ones numerically and below
// alphanumeric ones, which compare in ASCII order.
func comparePre(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		return compareDecimal(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}

// validIdentifiers checks dot-separated SemVer identifiers of [0-9A-Za-z-]; pre-release
// numeric identifiers must not have leading zeros.
func validIdentifiers(s string, pre bool) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for i := 0; i < len(id); i++ {
			c := id[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
				return false
			}
		}
		if pre && isNumeric(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}
