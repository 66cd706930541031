package registry

import (
	"reflect"
	"testing"
)

// FuzzParseTag checks that the tag parser never panics and that every name it accepts formats
// back to itself and parses again to the same tag.
func FuzzParseTag(f *testing.F) {
	for _, tc := range tagVectors {
		f.Add(tc.name)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, ok := ParseTag(s)
		if !ok {
			if tag != (Tag{}) {
				t.Fatalf("ParseTag(%q) = %+v with ok false", s, tag)
			}
			return
		}
		if got := tag.String(); got != s {
			t.Fatalf("ParseTag(%q).String() = %q", s, got)
		}
		again, ok := ParseTag(tag.String())
		if !ok || again != tag {
			t.Fatalf("ParseTag(%q) = %+v, %v; want %+v", tag.String(), again, ok, tag)
		}
		if !IsArtifactName(tag.Artifact) {
			t.Fatalf("ParseTag(%q) gave artifact %q, which IsArtifactName refuses", s, tag.Artifact)
		}
		switch tag.Action {
		case ActionRegister, ActionDeregister:
			if !IsSemVer(tag.Version) || tag.Stage != "" {
				t.Fatalf("ParseTag(%q) = %+v: bad version or stray stage", s, tag)
			}
		case ActionAssign, ActionUnassign:
			if ValidateStage(tag.Stage) != nil || tag.Version != "" {
				t.Fatalf("ParseTag(%q) = %+v: bad stage or stray version", s, tag)
			}
		case ActionDeprecate, ActionNone:
			if tag.Stage != "" || tag.Version != "" {
				t.Fatalf("ParseTag(%q) = %+v: stray stage or version", s, tag)
			}
		default:
			t.Fatalf("ParseTag(%q) = %+v: unknown action", s, tag)
		}
		// A counter is canonical digits, and only there when the tag has one.
		if tag.HasCounter != (tag.Counter != "") ||
			(tag.HasCounter && (!isNumeric(tag.Counter) || canonicalDecimal(tag.Counter) != tag.Counter)) {
			t.Fatalf("ParseTag(%q) = %+v: bad counter", s, tag)
		}
		// A writer's tag (no leading zeros) parses back the same way.
		if tag.HasCounter {
			w := tag.WithCounter(tag.Counter)
			back, ok := ParseTag(w.String())
			if !ok || withoutDigits(back) != w {
				t.Fatalf("ParseTag(%q) = %+v, %v; want %+v", w.String(), back, ok, w)
			}
		}
	})
}

// withoutDigits forgets how a counter was written, which a tag built by WithCounter does not
// know.
func withoutDigits(t Tag) Tag {
	t.counterDigits = ""
	return t
}

// FuzzParseSemVer checks that the version parser never panics, that every version it accepts
// formats back to itself, and that Compare is consistent with itself.
func FuzzParseSemVer(f *testing.F) {
	for _, s := range descendingVersions {
		f.Add(s)
	}
	for _, s := range []string{"v0.1.2", "v3.4.5-pre.2+build.4", "v3.4.5-pre.2-build.4", "1", "v1", "v1.2",
		"0.1.2", "V1.0.0", "v01.0.0", "v1.0.0-01", "v1.0.0--", "v1.0.0+001", "v1.0.0-rc..1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseSemVer(s)
		if (err == nil) != IsSemVer(s) {
			t.Fatalf("ParseSemVer(%q) error %v, but IsSemVer says %v", s, err, IsSemVer(s))
		}
		if err != nil {
			return
		}
		if got := v.String(); got != s {
			t.Fatalf("ParseSemVer(%q).String() = %q", s, got)
		}
		again, err := ParseSemVer(v.String())
		if err != nil || !reflect.DeepEqual(again, v) {
			t.Fatalf("ParseSemVer(%q) = %#v, %v; want %#v", v.String(), again, err, v)
		}
		if c := v.Compare(v); c != 0 {
			t.Fatalf("%s.Compare(itself) = %d", s, c)
		}
		for _, part := range []Bump{BumpPatch, BumpMinor, BumpMajor} {
			// Numbers have no upper bound, so a bump never wraps around.
			next := v.Bump(part)
			if next.Compare(v) <= 0 {
				t.Fatalf("%s.Bump(%d) = %s, not greater", s, part, next)
			}
			if again, err := ParseSemVer(next.String()); err != nil || !reflect.DeepEqual(again, next) {
				t.Fatalf("%s.Bump(%d) = %#v, which parses back to %#v, %v", s, part, next, again, err)
			}
		}
	})
}

// FuzzParseShortcut checks that shortcuts never panic and that a shortcut's parts are valid.
func FuzzParseShortcut(f *testing.F) {
	for _, s := range []string{"rf", "rf@latest", "rf@greatest", "rf#prod", "rf@v1.2.3", "rf@v1.2.3-rc.1",
		"dir/x:rf#prod", "dir/x:rf@latest", "rf@1.2.3", "rf@foo", "rf#prod#1", "rf#", "rf#-x", "rf@LATEST", "rf@v1.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc := ParseShortcut(s)
		if !sc.IsShortcut {
			if sc != (Shortcut{Artifact: s}) {
				t.Fatalf("ParseShortcut(%q) = %+v: not a shortcut, so the whole string is the artifact", s, sc)
			}
			return
		}
		if !IsArtifactName(sc.Artifact) {
			t.Fatalf("ParseShortcut(%q) = %+v: invalid artifact", s, sc)
		}
		n := 0
		var rebuilt string
		if sc.Latest {
			n++
			rebuilt = sc.Artifact + s[len(sc.Artifact):]
		}
		if sc.Version != "" {
			n++
			rebuilt = sc.Artifact + "@" + sc.Version
		}
		if sc.Stage != "" {
			n++
			rebuilt = sc.Artifact + "#" + sc.Stage
		}
		if n != 1 || rebuilt != s {
			t.Fatalf("ParseShortcut(%q) = %+v: want exactly one of latest, version, stage, rebuilding %q", s, sc, s)
		}
	})
}
