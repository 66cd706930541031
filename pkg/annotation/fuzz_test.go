package annotation

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzApply edits arbitrary files that Parse accepts with edits made of arbitrary strings.
// Apply never panics; when it succeeds, the result parses, the edited artifact says what the
// edit set, the other artifacts say what they said, and Remove takes the artifact out again.
//
// fields picks the fields the edit sets, one bit each: path, type, description, virtual,
// virtual's value, a label to add, a label to remove, a custom key.
func FuzzApply(f *testing.F) {
	golden, err := os.ReadFile("testdata/artifacts.yaml")
	if err != nil {
		f.Fatal(err)
	}
	seeds := []string{
		string(golden),
		strings.ReplaceAll(string(golden), "\n", "\r\n"),
		strings.TrimSuffix(string(golden), "\n"),
		"", "# only a comment\n", "{}\n", "a: ~\n", "a:\n  labels:\n  - x\n", "a:\n  custom: {}\n",
		"a:\n  description: |\n    text\n  labels: [x,\n    y]\n...\n",
	}
	for i, s := range seeds {
		f.Add(s, "churn", "s3://new/churn.pkl", "model", "A model: new", "nightly", "tabular", "threshold", "0.5", uint8(i*37))
		f.Add(s, "segment", "p", "t", "d", "l", "cnn", "framework", "jax", uint8(0xff))
		f.Add(s, "new", "#p", "yes", "", "a,b", "vision", "<<", "~", uint8(0xa5))
	}
	f.Fuzz(func(t *testing.T, text, name, path, typ, desc, addLabel, removeLabel, key, value string, fields uint8) {
		file, err := Parse(FileName, []byte(text))
		if err != nil {
			return
		}
		var e Edit
		if fields&1 != 0 {
			e.Path = &path
		}
		if fields&2 != 0 {
			e.Type = &typ
		}
		if fields&4 != 0 {
			e.Description = &desc
		}
		if fields&8 != 0 {
			virtual := fields&16 != 0
			e.Virtual = &virtual
		}
		if fields&32 != 0 {
			e.AddLabels = []string{addLabel}
		}
		if fields&64 != 0 {
			e.RemoveLabels = []string{removeLabel}
		}
		if fields&128 != 0 {
			e.Custom = []KeyValue{{key, value}}
		}
		old, _, oldErr := file.Get(name)
		edited, err := file.Apply(name, e)
		if string(file.Bytes()) != text {
			t.Fatalf("Apply changed the file it was called on")
		}
		if !allValid(name, e) {
			if err == nil {
				t.Fatalf("Apply accepted a value that is not UTF-8: %q", edited.Bytes())
			}
			return
		}
		if err != nil {
			return
		}
		reparsed, err := Parse(FileName, edited.Bytes())
		if err != nil {
			t.Fatalf("the edited file does not parse: %v\n%q", err, edited.Bytes())
		}
		if !slices.Contains(reparsed.Names(), name) {
			t.Fatalf("Names() = %q after Apply(%q)\n%q", reparsed.Names(), name, edited.Bytes())
		}
		if oldErr != nil {
			return // the annotation could not be read before the edit either
		}
		a, ok, err := reparsed.Get(name)
		if err != nil || !ok {
			t.Fatalf("Get(%q) after the edit: %v, %v\n%q", name, ok, err, edited.Bytes())
		}
		checkFuzzEdit(t, a, old, e, edited.Bytes())
		// Aliases and merge keys let one artifact say what another says: skip the others.
		if !strings.ContainsAny(text, "*<") {
			checkOthers(t, file, reparsed, name)
		}
		removed, err := reparsed.Remove(name)
		if err != nil && strings.Contains(err.Error(), "flow style") {
			return // {…} at the top level, which Apply edits only when the artifact is there
		}
		if err != nil {
			t.Fatalf("Remove(%q) after Apply: %v\n%q", name, err, edited.Bytes())
		}
		if slices.Contains(removed.Names(), name) {
			t.Fatalf("Names() = %q after Remove(%q)\n%q", removed.Names(), name, removed.Bytes())
		}
		if !strings.ContainsAny(text, "*<") {
			checkOthers(t, reparsed, removed, name)
		}
	})
}

// allValid reports whether every string an edit writes is UTF-8 (the fuzzer's strings that
// the edit does not use may be anything).
func allValid(name string, e Edit) bool {
	values := slices.Concat([]string{name}, e.AddLabels, e.RemoveLabels)
	for _, v := range []*string{e.Path, e.Type, e.Description} {
		if v != nil {
			values = append(values, *v)
		}
	}
	for _, kv := range e.Custom {
		values = append(values, kv.Key, kv.Value)
	}
	return !slices.ContainsFunc(values, func(s string) bool { return !utf8.ValidString(s) })
}

// checkFuzzEdit checks the fields an edit sets.
func checkFuzzEdit(t *testing.T, a, old Annotation, e Edit, text []byte) {
	t.Helper()
	fail := func(what string, got, want any) {
		t.Fatalf("%s = %#v after the edit, want %#v\n%q", what, got, want, text)
	}
	if e.Path != nil && a.Path != *e.Path {
		fail("path", a.Path, *e.Path)
	}
	if e.Type != nil && a.Type != *e.Type {
		fail("type", a.Type, *e.Type)
	}
	if e.Description != nil && a.Description != *e.Description {
		fail("description", a.Description, *e.Description)
	}
	if e.Virtual != nil && a.Virtual != *e.Virtual {
		fail("virtual", a.Virtual, *e.Virtual)
	}
	if len(e.AddLabels)+len(e.RemoveLabels) > 0 {
		want := slices.DeleteFunc(slices.Clone(old.Labels), func(l string) bool { return slices.Contains(e.RemoveLabels, l) })
		for _, l := range e.AddLabels {
			if !slices.Contains(want, l) {
				want = append(want, l)
			}
		}
		if !slices.Equal(a.Labels, want) {
			fail("labels", a.Labels, want)
		}
	}
	for _, kv := range e.Custom {
		custom, _ := a.Custom.(map[string]any)
		if got, ok := custom[kv.Key]; !ok || !reflect.DeepEqual(got, customValue(kv.Value)) {
			fail("custom["+kv.Key+"]", a.Custom, customValue(kv.Value))
		}
	}
}

// checkOthers checks that every artifact but one says the same in two files.
func checkOthers(t *testing.T, before, after *File, name string) {
	t.Helper()
	for _, other := range before.Names() {
		if other == name {
			continue
		}
		was, _, errBefore := before.Get(other)
		is, ok, errAfter := after.Get(other)
		if errBefore != nil {
			continue
		}
		if errAfter != nil || !ok || !sameAnnotation(is, was) {
			t.Fatalf("Get(%q) = %#v, %v, %v after editing %q, want %#v\nbefore %q\nafter  %q",
				other, is, ok, errAfter, name, was, before.Bytes(), after.Bytes())
		}
	}
}
