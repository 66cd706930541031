package registry

import (
	"fmt"
	"strings"
)

// nameRule and dirRule describe the grammar of docs/registry.md §2 in words, for error messages.
const (
	nameRule = "use letters, digits, '-', '_' and '/', starting and ending with a letter or a digit"
	dirRule  = "a folder uses letters, digits, '-', '_', '.' and '/'"
)

// isShortName reports whether s matches NAME = [a-zA-Z0-9]([a-zA-Z0-9_/-]*[a-zA-Z0-9])?, the
// grammar of an artifact's short name and of a stage.
func isShortName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '/' {
			return false
		}
	}
	return true
}

// isDir reports whether s matches DIR = [a-zA-Z0-9_./-]+, a monorepo folder.
func isDir(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '/' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// IsArtifactName reports whether s is a valid artifact name as a user types it: NAME or DIR:NAME.
func IsArtifactName(s string) bool {
	dir, name, found := strings.Cut(s, ":")
	if !found {
		return isShortName(s)
	}
	return isDir(dir) && isShortName(name)
}

// ValidateArtifactName returns an error naming the value and the rule when s is not a valid
// artifact name.
func ValidateArtifactName(s string) error {
	if IsArtifactName(s) {
		return nil
	}
	if dir, _, found := strings.Cut(s, ":"); found && !isDir(dir) {
		return fmt.Errorf("invalid artifact name '%s': %s, then ':'", s, dirRule)
	}
	return fmt.Errorf("invalid artifact name '%s': %s (a folder may come first, as in 'models/cv:segm-nn')", s, nameRule)
}

// ValidateStage returns an error naming the value and the rule when s is not a valid stage name.
func ValidateStage(s string) error {
	return ValidateName("stage", s)
}

// ValidateName checks a stage, type, label or key against the NAME rule of docs/registry.md §2;
// what says what the value is, for the error.
func ValidateName(what, s string) error {
	if isShortName(s) {
		return nil
	}
	return fmt.Errorf("invalid %s '%s': %s", what, s, nameRule)
}

// SplitArtifactName splits "DIR:NAME" into its folder and short name; dir is "" for a plain NAME.
func SplitArtifactName(s string) (dir, name string) {
	if dir, name, found := strings.Cut(s, ":"); found {
		return dir, name
	}
	return "", s
}
