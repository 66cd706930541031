package annotation

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestParseErrors gives a clear error, with the line where yaml.v3 knows it, for every file
// that cannot be read.
func TestParseErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"malformed", "churn:\n  path: x\n  type: model: x\n", "artifacts.yaml:3: mapping values are not allowed in this context"},
		// yaml.v3 leaves out the line of a fault on the first line: Parse puts it in.
		{"malformed first line", "churn: model: x\n", "artifacts.yaml:1: mapping values are not allowed in this context"},
		{"malformed first line, flow", "churn: [a, b]]\n", "artifacts.yaml:1: did not find expected key"},
		{"unknown escape", "churn:\n  path: \"\\q\"\n", "artifacts.yaml:2: found unknown escape character"},
		{"unclosed quote", "churn:\n  path: 'x\n", "artifacts.yaml:2: found unexpected end of stream"},
		{"block in flow", "a:\n- b\n  c: d\n", "artifacts.yaml:3: mapping values are not allowed in this context"},
		// yaml.v3 gives no line for a control character either.
		{"control character", "churn:\n  path: x\n  type: \x01\n", "artifacts.yaml:3: control characters are not allowed"},
		{"control character first", "\x07", "artifacts.yaml:1: control characters are not allowed"},
		{"not UTF-8", "churn:\n  path: caf\xe9\n", "artifacts.yaml: not UTF-8 text"},
		{"UTF-16", "\xff\xfea\x00:\x00\n\x00", "artifacts.yaml: not UTF-8 text"},
		{"top level is a list", "- churn\n- segment\n", "artifacts.yaml:1: expected a mapping of artifact names"},
		{"top level is a list after a comment", "# artifacts\n\n- churn\n", "artifacts.yaml:3: expected a mapping of artifact names"},
		{"top level is text", "churn\n", "artifacts.yaml:1: expected a mapping of artifact names"},
		{"two documents", "churn:\n  path: x\n---\nsegment:\n", "artifacts.yaml:3: more than one YAML document"},
		{"second document empty", "churn:\n---\n", "artifacts.yaml:2: more than one YAML document"},
		{"second document malformed", "churn:\n---\n- a\n[\n", "artifacts.yaml:4: could not find expected ':'"},
		{"artifact twice", "churn:\n  path: x\nsegment:\nchurn:\n  path: y\n", "artifacts.yaml:4: 'churn' appears twice (first at line 1)"},
		// yaml.v3 gives no line for an alias to nothing either.
		{"unknown anchor", "churn:\n  path: *p\n", "artifacts.yaml:2: unknown anchor 'p' referenced"},
		{"unknown anchor after others", "churn:\n  path: &q x\n  type: *q\nsegment:\n  path: *p\n", "artifacts.yaml:5: unknown anchor 'p' referenced"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(FileName, []byte(c.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %q, no error", c.in, f.Names())
			}
			if err.Error() != c.want {
				t.Errorf("Parse(%q):\n got  %v\n want %s", c.in, err, c.want)
			}
			if _, err := ParseDVC(DVCFileName, []byte(c.in)); err == nil || !strings.HasPrefix(err.Error(), "dvc.yaml") {
				t.Errorf("ParseDVC(%q) = %v, want an error naming dvc.yaml", c.in, err)
			}
		})
	}
}

// TestParseErrorsHaveLines checks the form of the errors for malformed files where yaml.v3's
// line is that of the construct the fault is in, which may be a line above the fault.
func TestParseErrorsHaveLines(t *testing.T) {
	withLine := regexp.MustCompile(`^artifacts\.yaml:(\d+): \S`)
	for _, in := range []string{
		"churn:\n  labels: [a, b\nsegment:\n",
		"churn:\n  path: x\n bad: indent\n",
		"churn:\n  path: x\n\tlabels: [a]\n",
		"churn:\n  path: x\n  - item\n",
		"churn:\n  description: |\n  x\n y\n",
		"churn: {path: x\n",
		"churn:\n  path: x\n  : y\n",
		"? [a\n",
	} {
		_, err := Parse(FileName, []byte(in))
		if err == nil || !withLine.MatchString(err.Error()) {
			t.Errorf("Parse(%q) = %v, want artifacts.yaml:LINE: …", in, err)
			continue
		}
		if line := withLine.FindStringSubmatch(err.Error())[1]; line == "0" || len(line) > 1 {
			t.Errorf("Parse(%q) = %v: no such line", in, err)
		}
	}
}

// TestGetErrors gives a clear error for an annotation that is not of the form GTO reads.
func TestGetErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, artifact, want string
	}{
		{"a list", "other:\nchurn:\n  - a\n  - b\n", "churn", "artifacts.yaml:3: the annotation of 'churn' is not a mapping"},
		{"a string", "churn: s3://bucket/churn.pkl\n", "churn", "artifacts.yaml:1: the annotation of 'churn' is not a mapping"},
		{"labels a string", "churn:\n  labels: a\n", "churn", "artifacts.yaml:2: cannot unmarshal !!str `a` into []string"},
		{"path a list", "churn:\n  path: [a]\n", "churn", "artifacts.yaml:2: cannot unmarshal !!seq into string"},
		{"field twice", "churn:\n  path: x\n  path: y\n", "churn", `artifacts.yaml:3: mapping key "path" already defined at line 2`},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, ok, err := mustParse(t, c.in).Get(c.artifact)
			if err == nil || err.Error() != c.want {
				t.Errorf("Get = %+v, %v, %v; want error %s", a, ok, err, c.want)
			}
		})
	}
}

// TestApplyErrors refuses edits that cannot be made line by line, and says where.
func TestApplyErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, artifact string
		edit               Edit
		want               string
	}{
		{"artifact is a list", "churn:\n  - a\n", "churn", Edit{Path: ptr("x")}, "artifacts.yaml:2: expected a mapping"},
		{"artifact is a list, labels", "churn:\n  - a\n", "churn", Edit{AddLabels: []string{"x"}}, "artifacts.yaml:2: expected a mapping"},
		{"artifact is a string", "churn: model.pkl\n", "churn", Edit{Type: ptr("model")}, "artifacts.yaml:1: expected a mapping"},
		{"labels is a string", "churn:\n  labels: a\n", "churn", Edit{AddLabels: []string{"x"}}, "artifacts.yaml:2: 'labels' must be a list"},
		{"labels is a mapping", "churn:\n  labels:\n    a: b\n", "churn", Edit{RemoveLabels: []string{"a"}}, "artifacts.yaml:3: 'labels' must be a list"},
		{"label is an alias", "churn:\n  labels: [&p prod, b]\nsegment:\n  labels: [*p]\n", "segment", Edit{AddLabels: []string{"x"}},
			"artifacts.yaml:4: 'labels' must be a list of strings"},
		{"label is a list", "churn:\n  labels:\n    - [a, b]\n", "churn", Edit{AddLabels: []string{"x"}}, "artifacts.yaml:3: 'labels' must be a list of strings"},
		{"custom is a string", "churn:\n  custom: x\n", "churn", Edit{Custom: []KeyValue{{"k", "v"}}}, "artifacts.yaml:2: expected a mapping"},
		{"custom is a list", "churn:\n  custom:\n    - x\n", "churn", Edit{Custom: []KeyValue{{"k", "v"}}}, "artifacts.yaml:3: expected a mapping"},
		{"top level in flow style, new artifact", "{churn: {path: x}}\n", "segment", Edit{Path: ptr("y")},
			"artifacts.yaml: cannot add to a mapping written in flow style ({...})"},
		{"top level in flow style, existing artifact", "{churn: {path: x}}\n", "churn", Edit{Path: ptr("y")},
			"artifacts.yaml:1: cannot edit a mapping written in flow style ({...}); write it as a block"},
		{"artifact in flow style", "churn: {path: x}\n", "churn", Edit{Type: ptr("model")},
			"artifacts.yaml:1: cannot edit a mapping written in flow style ({...}); write it as a block"},
		{"custom in flow style", "churn:\n  custom: {a: b}\n", "churn", Edit{Custom: []KeyValue{{"k", "v"}}},
			"artifacts.yaml:2: cannot edit a mapping written in flow style ({...}); write it as a block"},
		{"carriage return alone", "churn:\r  path: x\n", "churn", Edit{Path: ptr("y")},
			"artifacts.yaml:1: cannot edit a line broken by a carriage return alone or by U+0085, U+2028 or U+2029"},
		{"line separator in a quoted value", "churn:\n  description: \"a\u2028b\"\n  path: x\n", "churn", Edit{Path: ptr("y")},
			"artifacts.yaml:2: cannot edit a line broken by a carriage return alone or by U+0085, U+2028 or U+2029"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.in)
			g, err := f.Apply(c.artifact, c.edit)
			if err == nil || err.Error() != c.want {
				t.Errorf("Apply = %q, %v; want error %s", bytesOf(g), err, c.want)
			}
			if string(f.Bytes()) != c.in {
				t.Errorf("the file changed: %q", f.Bytes())
			}
		})
	}
}

// TestRemoveErrors refuses to remove what the file does not annotate, or cannot be removed
// line by line.
func TestRemoveErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, artifact, want string
	}{
		{"unknown artifact", "churn:\n  path: x\n", "segment", "artifacts.yaml: 'segment' is not annotated"},
		{"empty file", "", "churn", "artifacts.yaml: 'churn' is not annotated"},
		{"only comments", "# nothing\n", "churn", "artifacts.yaml: 'churn' is not annotated"},
		{"a field is not an artifact", "churn:\n  path: x\n", "path", "artifacts.yaml: 'path' is not annotated"},
		{"top level in flow style", "{churn: 1, segment: 2}\n", "segment", "artifacts.yaml: cannot remove from a mapping written in flow style ({...})"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.in)
			g, err := f.Remove(c.artifact)
			if err == nil || err.Error() != c.want {
				t.Fatalf("Remove = %q, %v; want error %s", bytesOf(g), err, c.want)
			}
			if strings.Contains(c.want, "not annotated") && !errors.Is(err, errNotFound) {
				t.Errorf("error %v is not errNotFound", err)
			}
		})
	}
}

// laughs returns the lines of a billion laughs: nine levels of anchors, each nine aliases of
// the one before, in a list (or a mapping), indented by indent.
func laughs(indent string, mapping bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n", indent)
	for i := 1; i <= 8; i++ {
		var items []string
		for j := range 9 {
			if mapping {
				items = append(items, fmt.Sprintf("k%d: *l%d", j, i-1))
			} else {
				items = append(items, fmt.Sprintf("*l%d", i-1))
			}
		}
		open, end := "[", "]"
		if mapping {
			open, end = "{", "}"
		}
		fmt.Fprintf(&b, "%sl%d: &l%d %s%s%s\n", indent, i, i, open, strings.Join(items, ", "), end)
	}
	return b.String()
}

// within fails the test when f does not return within d. A bomb that hangs leaves its
// goroutine behind, but the test ends.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("did not finish within %v", d)
	}
}

// TestAliasBombs reads and edits files with billion laughs in custom: and labels:, and in
// dvc.yaml's meta:. Each call returns, an error or a small result, instead of expanding nine
// to the ninth nodes.
func TestAliasBombs(t *testing.T) {
	for _, mapping := range []bool{false, true} {
		bombs := "bombs:\n  custom:\n" + laughs("    ", mapping)
		for _, c := range []struct {
			name, in string
		}{
			{"custom is the bomb", bombs + "churn:\n  custom: *l8\n"},
			{"in custom", bombs + "churn:\n  custom:\n    big: *l8\n"},
			{"labels is the bomb", bombs + "churn:\n  labels: *l8\n"},
			{"in labels", bombs + "churn:\n  labels: [*l8, *l8]\n"},
			{"the whole annotation", bombs + "churn: *l8\n"},
		} {
			t.Run(fmt.Sprintf("%s/mapping=%v", c.name, mapping), func(t *testing.T) {
				within(t, 20*time.Second, func() {
					f := mustParse(t, c.in)
					if names := f.Names(); len(names) != 2 {
						t.Errorf("Names() = %q", names)
					}
					for _, name := range []string{"bombs", "churn"} {
						if a, ok, err := f.Get(name); err == nil && len(fmt.Sprint(a)) > 1<<20 {
							t.Errorf("Get(%q) expanded the aliases: %d bytes", name, len(fmt.Sprint(a)))
						} else if !ok {
							t.Errorf("Get(%q): not found", name)
						}
					}
					for _, e := range []Edit{
						{AddLabels: []string{"x"}},
						{RemoveLabels: []string{"lol"}},
						{Custom: []KeyValue{{"k", "v"}}},
						{Path: ptr("p")},
					} {
						g, err := f.Apply("churn", e)
						if err == nil {
							if _, _, err := g.Get("churn"); err == nil && len(g.Bytes()) > 2*len(c.in) {
								t.Errorf("Apply(%+v) grew the file to %d bytes", e, len(g.Bytes()))
							}
						}
					}
					if _, err := f.Apply("new", Edit{Path: ptr("p")}); err != nil {
						t.Errorf("Apply of another artifact: %v", err)
					}
					if g, err := f.Remove("churn"); err != nil || len(g.Names()) != 1 {
						t.Errorf("Remove: %v", err)
					}
				})
			})
		}
		t.Run(fmt.Sprintf("dvc meta/mapping=%v", mapping), func(t *testing.T) {
			dvc := "vars:\n" + laughs("  ", mapping) + "artifacts:\n  churn:\n    path: m.pkl\n    meta: *l8\n    labels: *l8\n"
			within(t, 20*time.Second, func() {
				got, err := ParseDVC(DVCFileName, []byte(dvc))
				if err == nil && len(fmt.Sprint(got)) > 1<<20 {
					t.Errorf("ParseDVC expanded the aliases: %d bytes", len(fmt.Sprint(got)))
				}
			})
		})
	}
}

// TestAliasBombError checks what the bomb in custom: gives: yaml.v3's error, with the file
// name, and nothing expanded.
func TestAliasBombError(t *testing.T) {
	in := "bombs:\n  custom:\n" + laughs("    ", false) + "churn:\n  custom: *l8\n"
	within(t, 20*time.Second, func() {
		_, ok, err := mustParse(t, in).Get("churn")
		if !ok || err == nil || !strings.HasPrefix(err.Error(), "artifacts.yaml:") || !strings.Contains(err.Error(), "excessive aliasing") {
			t.Errorf("Get = %v, %v; want artifacts.yaml: … excessive aliasing", ok, err)
		}
	})
}
