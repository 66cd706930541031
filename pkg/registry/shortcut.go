package registry

import "strings"

// Shortcut is an artifact reference as commands take it: NAME, NAME@latest (or @greatest),
// NAME@vX.Y.Z or NAME#STAGE.
type Shortcut struct {
	Artifact string
	Version  string
	Stage    string
	Latest   bool
	// IsShortcut is false for a plain NAME, and for any string that is not a well-formed
	// shortcut, which is then taken whole as an artifact name.
	IsShortcut bool
}

// ParseShortcut parses an artifact reference (docs/tag-vectors.md V3).
func ParseShortcut(s string) Shortcut {
	plain := Shortcut{Artifact: s}
	i := strings.IndexAny(s, "@#")
	if i < 0 || !IsArtifactName(s[:i]) {
		return plain
	}
	sc := Shortcut{Artifact: s[:i], IsShortcut: true}
	rest := s[i+1:]
	switch {
	case s[i] == '#' && isShortName(rest):
		sc.Stage = rest
	case s[i] == '@' && (rest == "latest" || rest == "greatest"):
		sc.Latest = true
	case s[i] == '@' && IsSemVer(rest):
		sc.Version = rest
	default:
		return plain
	}
	return sc
}

// ShortcutVersionError is the error of a shortcut whose version lacks its lowercase "v"
// (nn@0.1.0): VersionWithoutV's message, rather than reading the whole as an artifact name. It
// is nil for anything else, which ParseShortcut takes as it always did.
func ShortcutVersionError(s string) error {
	i := strings.IndexByte(s, '@')
	if i < 0 || !IsArtifactName(s[:i]) {
		return nil
	}
	return VersionWithoutV(s[i+1:])
}
