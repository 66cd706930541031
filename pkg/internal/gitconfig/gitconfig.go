// Package gitconfig reads values the way git's configuration and environment spell them, in
// pure Go.
package gitconfig

import (
	"strconv"
	"strings"
)

// ParseBool reads a boolean as git does (git_parse_maybe_bool): true, yes, on, false, no, off
// in any case, or an integer (non-zero is true); ok is false for anything else. An empty
// value is false.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off", "":
		return false, true
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(s), 0, 64); err == nil {
		return n != 0, true
	}
	return false, false
}
