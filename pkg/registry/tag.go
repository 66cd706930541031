package registry

import "strings"

// Action is what a registry tag does. The values are ordered by the priority that breaks ties
// between events of the same second (docs/registry.md §3).
type Action int

// The actions of registry tags. ActionNone is a tag that parses but means nothing (name@created).
const (
	ActionNone Action = iota
	ActionDeprecate
	ActionRegister
	ActionDeregister
	ActionAssign
	ActionUnassign
)

// String returns the name of the event an action creates, as GTO's JSON writes it.
func (a Action) String() string {
	switch a {
	case ActionDeprecate:
		return "deprecation"
	case ActionRegister:
		return "registration"
	case ActionDeregister:
		return "deregistration"
	case ActionAssign:
		return "assignment"
	case ActionUnassign:
		return "unassignment"
	}
	return "none"
}

// Tag is the parsed name of a registry tag.
type Tag struct {
	Artifact string // as the user types it: "DIR:NAME" or "NAME"
	Action   Action
	Version  string // registration and deregistration
	Stage    string // assignment and unassignment
	// Counter is the trailing "#N" when HasCounter, in canonical decimal digits of any length
	// ("42" for "#0042"; see decimal.go); "" when the tag has none, which counts as 0. It only
	// keeps tag names unique.
	Counter    string
	HasCounter bool
	// counterDigits keeps the counter as written ("0042"), so that formatting gives back the name.
	counterDigits string
}

// ParseTag parses a tag name (without "refs/tags/") by the grammar of docs/registry.md §2. It
// returns false for a name that is not a registry tag. Numbers have no upper bound.
func ParseTag(name string) (Tag, bool) {
	var t Tag
	i := strings.IndexAny(name, "@#")
	if i < 0 {
		return t, false
	}
	artifact, ok := artifactFromTag(name[:i])
	if !ok {
		return t, false
	}
	t.Artifact = artifact
	body, digits, hasCounter := cutCounter(name[i+1:])
	if hasCounter {
		if !isNumeric(digits) {
			return Tag{}, false
		}
		t.Counter, t.HasCounter, t.counterDigits = canonicalDecimal(digits), true, digits
	}
	negated := strings.HasSuffix(body, "!")
	if negated {
		body = body[:len(body)-1]
	}
	if name[i] == '#' {
		if !isShortName(body) {
			return Tag{}, false
		}
		t.Stage, t.Action = body, ActionAssign
		if negated {
			t.Action = ActionUnassign
		}
		return t, true
	}
	switch {
	case body == "deprecated" && !negated:
		t.Action = ActionDeprecate
	case body == "created" && !negated:
		t.Action = ActionNone
	case IsSemVer(body):
		t.Version, t.Action = body, ActionRegister
		if negated {
			t.Action = ActionDeregister
		}
	default:
		return Tag{}, false
	}
	return t, true
}

// ParseEvent parses a tag name that makes an event: a registry tag (ParseTag) with an action,
// which name@created is not.
func ParseEvent(name string) (Tag, bool) {
	t, ok := ParseTag(name)
	return t, ok && t.Action != ActionNone
}

// cutCounter splits "BODY#DIGITS" into its parts. Neither a stage nor a version holds '#', so
// the first '#' starts the counter.
func cutCounter(s string) (body, digits string, found bool) {
	return strings.Cut(s, "#")
}

// artifactFromTag turns the artifact part of a tag name, "(DIR=)?NAME", into the form the user
// types, "(DIR:)?NAME".
func artifactFromTag(s string) (string, bool) {
	dir, name, found := strings.Cut(s, "=")
	if !found {
		return s, isShortName(s)
	}
	if !isDir(dir) || !isShortName(name) {
		return "", false
	}
	return UserArtifact(s), true
}

// UserArtifact is the artifact part of a tag name as the user types it: "DIR:NAME" for
// "DIR=NAME" (the inverse of TagArtifact), whether or not the name is valid.
func UserArtifact(tagPart string) string {
	return strings.Replace(tagPart, "=", ":", 1)
}

// TagArtifact is an artifact's name as tag names write it: "DIR=NAME" for "DIR:NAME" (git
// refuses ':' in ref names).
func TagArtifact(artifact string) string {
	return strings.Replace(artifact, ":", "=", 1)
}

// String formats the tag name, writing ':' in the artifact name as '='.
func (t Tag) String() string {
	var b strings.Builder
	b.WriteString(TagArtifact(t.Artifact))
	switch t.Action {
	case ActionRegister, ActionDeregister:
		b.WriteString("@" + t.Version)
	case ActionAssign, ActionUnassign:
		b.WriteString("#" + t.Stage)
	case ActionDeprecate:
		b.WriteString("@deprecated")
	case ActionNone:
		b.WriteString("@created")
	}
	if t.Action == ActionDeregister || t.Action == ActionUnassign {
		b.WriteByte('!')
	}
	if t.HasCounter {
		b.WriteByte('#')
		// The digits as written, unless Counter was changed since parsing.
		if t.counterDigits != "" && canonicalDecimal(t.counterDigits) == t.Counter {
			b.WriteString(t.counterDigits)
		} else {
			b.WriteString(canonicalDecimal(t.Counter))
		}
	}
	return b.String()
}

// WithCounter returns the numbered form of the tag with counter n, decimal digits such as
// NextCounter returns. The counter is written without leading zeros, so that a new tag's name
// is canonical.
func (t Tag) WithCounter(n string) Tag {
	t.Counter, t.HasCounter, t.counterDigits = canonicalDecimal(n), true, ""
	return t
}
