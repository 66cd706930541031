package annotation

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestApplyText edits files of every shape the golden file does not have, and compares the
// whole output.
func TestApplyText(t *testing.T) {
	for _, c := range []struct {
		name, in, artifact string
		edit               Edit
		want               string
	}{
		{
			name: "empty file", in: "", artifact: "churn", edit: Edit{Path: ptr("s3://bucket/churn.pkl")},
			want: "churn:\n  path: s3://bucket/churn.pkl\n",
		},
		{
			name: "empty file, every field", in: "", artifact: "churn",
			edit: Edit{Type: ptr("model"), Path: ptr("m.pkl"), Virtual: ptr(false), AddLabels: []string{"a", "b"},
				Description: ptr("Churn"), Custom: []KeyValue{{"k", "v"}}},
			want: "churn:\n  type: model\n  path: m.pkl\n  virtual: false\n  labels: [a, b]\n  description: Churn\n  custom:\n    k: v\n",
		},
		{
			name: "only comments", in: "# Artifacts of this repository.\n\n# None yet.\n", artifact: "churn", edit: Edit{Type: ptr("model")},
			want: "# Artifacts of this repository.\n\n# None yet.\nchurn:\n  type: model\n",
		},
		{
			name: "only a comment, no final newline", in: "# None yet.", artifact: "churn", edit: Edit{Type: ptr("model")},
			want: "# None yet.\nchurn:\n  type: model",
		},
		{
			name: "document start marker", in: "---\n", artifact: "churn", edit: Edit{Type: ptr("model")},
			want: "---\nchurn:\n  type: model\n",
		},
		{
			name: "no final newline, edit in the middle", in: "a:\n  path: x\n  type: model", artifact: "a", edit: Edit{Path: ptr("y")},
			want: "a:\n  path: y\n  type: model",
		},
		{
			name: "no final newline, edit of the last line", in: "a:\n  path: x", artifact: "a", edit: Edit{Path: ptr("y")},
			want: "a:\n  path: y",
		},
		{
			name: "no final newline, new field", in: "a:\n  path: x", artifact: "a", edit: Edit{Type: ptr("model")},
			want: "a:\n  path: x\n  type: model",
		},
		{
			name: "CRLF", in: "a:\r\n  path: x  # where\r\n", artifact: "a", edit: Edit{Path: ptr("y"), AddLabels: []string{"l"}},
			want: "a:\r\n  path: y  # where\r\n  labels: [l]\r\n",
		},
		{
			name: "mixed line ends are kept", in: "a:\r\n  path: x\n  type: t\r\n# end\n", artifact: "a", edit: Edit{Type: ptr("model")},
			want: "a:\r\n  path: x\n  type: model\r\n# end\n",
		},
		{
			name: "four-space indentation", in: "a:\n    path: x\n", artifact: "a", edit: Edit{Custom: []KeyValue{{"k", "v"}}},
			want: "a:\n    path: x\n    custom:\n        k: v\n",
		},
		{
			name: "indentation of the first artifact for a new one", in: "a:\n    path: x\n", artifact: "b", edit: Edit{Path: ptr("y")},
			want: "a:\n    path: x\nb:\n    path: y\n",
		},
		{
			name: "block list at the key's indentation", in: "a:\n  labels:\n  - x\n  type: m\n", artifact: "a", edit: Edit{AddLabels: []string{"y"}},
			want: "a:\n  labels:\n  - x\n  - y\n  type: m\n",
		},
		{
			name: "block list with comments", in: "a:\n  labels:\n    - x  # first\n    - y\n    # more to come\n  type: m\n", artifact: "a",
			edit: Edit{AddLabels: []string{"z"}, RemoveLabels: []string{"y"}},
			want: "a:\n  labels:\n    - x  # first\n    - z\n  type: m\n",
		},
		{
			name: "quoted labels in a block list", in: "a:\n  labels:\n    - \"x\"\n    - 'y'\n", artifact: "a", edit: Edit{RemoveLabels: []string{"x"}},
			want: "a:\n  labels:\n    - 'y'\n",
		},
		{
			name: "empty labels", in: "a:\n  labels:\n  type: m\n", artifact: "a", edit: Edit{AddLabels: []string{"x"}},
			want: "a:\n  labels: [x]\n  type: m\n",
		},
		{
			name: "empty flow list", in: "a:\n  labels: []  # none yet\n", artifact: "a", edit: Edit{AddLabels: []string{"x"}},
			want: "a:\n  labels: [x]  # none yet\n",
		},
		{
			name: "flow list over two lines", in: "a:\n  labels: [x,\n    y]\n  type: m\n", artifact: "a", edit: Edit{AddLabels: []string{"z"}},
			want: "a:\n  labels: [x, y, z]\n  type: m\n",
		},
		{
			name: "multi-line plain description", in: "a:\n  description: one\n    two\n  type: m\n", artifact: "a", edit: Edit{Description: ptr("three")},
			want: "a:\n  description: three\n  type: m\n",
		},
		{
			name: "literal block description", in: "a:\n  description: |\n    one\n    two\n\n  type: m\n", artifact: "a", edit: Edit{Description: ptr("three")},
			want: "a:\n  description: three\n\n  type: m\n",
		},
		{
			name: "empty value with a comment", in: "a:\n  path:   # fill in\n", artifact: "a", edit: Edit{Path: ptr("x")},
			want: "a:\n  path: x   # fill in\n",
		},
		{
			name: "explicit null value", in: "a:\n  path: ~\n  type: null\n", artifact: "a", edit: Edit{Path: ptr("x"), Type: ptr("model")},
			want: "a:\n  path: x\n  type: model\n",
		},
		{
			name: "comment under a value, indented deeper", in: "a:\n  path: x\n    # the old bucket is gone\n  type: m\n", artifact: "a",
			edit: Edit{Path: ptr("y")},
			want: "a:\n  path: y\n    # the old bucket is gone\n  type: m\n",
		},
		{
			name: "comments and blank lines after the last field", in: "a:\n  path: x\n  # trailing note\n\n# about b\nb:\n", artifact: "a",
			edit: Edit{Path: ptr("y"), Type: ptr("m")},
			want: "a:\n  path: y\n  # trailing note\n  type: m\n\n# about b\nb:\n",
		},
		{
			name: "custom mapping that is empty", in: "a:\n  custom:\n  type: m\n", artifact: "a", edit: Edit{Custom: []KeyValue{{"k", "v"}}},
			want: "a:\n  custom:\n    k: v\n  type: m\n",
		},
		{
			name: "nested custom value replaced by a scalar", in: "a:\n  custom:\n    k:\n      deep: 1\n    z: 2\n", artifact: "a",
			edit: Edit{Custom: []KeyValue{{"k", "v"}}},
			want: "a:\n  custom:\n    k: v\n    z: 2\n",
		},
		{
			name: "quoted keys", in: "'a':\n  \"path\": x\n", artifact: "a", edit: Edit{Path: ptr("y")},
			want: "'a':\n  \"path\": y\n",
		},
		{
			name: "unicode before the value", in: "modèle:\n  custom:\n    ключ: значение  # комментарий\n", artifact: "modèle",
			edit: Edit{Custom: []KeyValue{{"ключ", "новое"}}},
			want: "modèle:\n  custom:\n    ключ: новое  # комментарий\n",
		},
		{
			name: "unicode in a flow list", in: "a:\n  labels: [é, ü]  # ß\n", artifact: "a", edit: Edit{RemoveLabels: []string{"é"}},
			want: "a:\n  labels: [ü]  # ß\n",
		},
		{
			name: "tab before a comment", in: "a:\n  path: x\t# c\n", artifact: "a", edit: Edit{Path: ptr("y")},
			want: "a:\n  path: y\t# c\n",
		},
		{
			name: "document end marker", in: "a:\n  path: x\n...\n", artifact: "a", edit: Edit{Path: ptr("y")},
			want: "a:\n  path: y\n...\n",
		},
		{
			name: "document end marker, new artifact", in: "a:\n  path: x\n...\n# the end\n", artifact: "b", edit: Edit{Path: ptr("y")},
			want: "a:\n  path: x\nb:\n  path: y\n...\n# the end\n",
		},
		{
			name: "artifact that is null", in: "a: ~\nb:\n", artifact: "a", edit: Edit{Path: ptr("x")},
			want: "a:\n  path: x\nb:\n",
		},
		{
			name: "artifact that is null, with a comment", in: "a: null  # to do\n", artifact: "a", edit: Edit{AddLabels: []string{"x"}},
			want: "a:  # to do\n  labels: [x]\n",
		},
		{
			name: "artifact with no fields, as GTO writes it", in: "a: {}\nb:\n  path: y\n", artifact: "a", edit: Edit{Type: ptr("model")},
			want: "a:\n  type: model\nb:\n  path: y\n",
		},
		{
			name: "no artifacts, as GTO writes it", in: "{}\n", artifact: "a", edit: Edit{Type: ptr("model")},
			want: "a:\n  type: model\n",
		},
		{
			name: "custom that is null", in: "a:\n  custom: ~\n  type: m\n", artifact: "a", edit: Edit{Custom: []KeyValue{{"k", "v"}}},
			want: "a:\n  custom:\n    k: v\n  type: m\n",
		},
		{
			name: "custom that is empty in flow style", in: "a:\n  custom: {}\n", artifact: "a", edit: Edit{Custom: []KeyValue{{"k", "v"}}},
			want: "a:\n  custom:\n    k: v\n",
		},
		{
			name: "labels that are null", in: "a:\n  labels: ~  # none\n", artifact: "a", edit: Edit{AddLabels: []string{"x"}},
			want: "a:\n  labels: [x]  # none\n",
		},
		{
			name: "GTO's own layout", in: "churn:\n  description: Churn\n  labels:\n  - a\n  - c\n  path: m.pkl\n  type: model\n",
			artifact: "churn", edit: Edit{AddLabels: []string{"b"}, Path: ptr("n.pkl"), Virtual: ptr(false)},
			want: "churn:\n  description: Churn\n  labels:\n  - a\n  - c\n  - b\n  path: n.pkl\n  type: model\n  virtual: false\n",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.in)
			before, _, _ := f.Get(c.artifact)
			got, err := f.Apply(c.artifact, c.edit)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Bytes()) != c.want {
				t.Errorf("got  %q\nwant %q", got.Bytes(), c.want)
			}
			a, ok, err := got.Get(c.artifact)
			if err != nil || !ok {
				t.Fatalf("Get after the edit: %v, %v", ok, err)
			}
			if before.Source == "" {
				before.Virtual = true
			}
			checkEdited(t, a, before, c.edit)
		})
	}
}

// TestRemoveText removes artifacts from files of shapes the golden file does not have.
func TestRemoveText(t *testing.T) {
	for _, c := range []struct {
		name, in, artifact, want string
	}{
		{"only artifact", "a:\n  path: x\n", "a", ""},
		{"only artifact, with comments", "# header\n\n# about a\na:\n  path: x\n", "a", "# header\n"},
		{"no blank lines", "a:\n  path: x\nb:\n  path: y\nc:\n", "b", "a:\n  path: x\nc:\n"},
		{"empty value", "a:\nb:\nc:\n", "b", "a:\nc:\n"},
		{"indented comment stays with the entry", "a:\n  path: x\n  # about x\nb:\n", "a", "b:\n"},
		{"comment of the next entry stays", "a:\n  path: x\n# about b\nb:\n", "a", "# about b\nb:\n"},
		{"no final newline", "a:\n  path: x\nb:\n  path: y", "a", "b:\n  path: y"},
		{"no final newline, last entry", "a:\n  path: x\nb:\n  path: y", "b", "a:\n  path: x"},
		{"CRLF", "a:\r\n  path: x\r\n\r\nb:\r\n  path: y\r\n", "a", "b:\r\n  path: y\r\n"},
		{"quoted name", "\"a b\":\n  path: x\nc:\n", "a b", "c:\n"},
		{"blank lines on both sides, more than one", "a:\n\n\nb:\n\n\nc:\n", "b", "a:\n\n\nc:\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := mustParse(t, c.in)
			got, err := f.Remove(c.artifact)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Bytes()) != c.want {
				t.Errorf("got  %q\nwant %q", got.Bytes(), c.want)
			}
			if slices.Contains(got.Names(), c.artifact) {
				t.Errorf("Names() = %q after Remove(%q)", got.Names(), c.artifact)
			}
		})
	}
}

// valuesToQuote are strings YAML would read as something else, or not at all, if they were
// written as they are.
var valuesToQuote = []string{
	": colon", "a: b", "#hash", "a #b", "*star", "&amp", "!bang", "%pct", "@at", "`tick",
	"yes", "no", "on", "off", "true", "False", "null", "Null", "~", "1.0", "1", "0x1F", "1e3", ".inf", "-.5",
	"2024-01-02", "", " lead", "trail ", "- dash", "-", "?", "? q", "|", ">", "[x", "{x", "x]", "a,b", "a, b",
	"'single", "\"double", "it's", "ünïcødé 模型", "emoji 🚀", "tab\there", "line\nbreak", "cr\rhere",
	"a\u2028b", "a\u0085b", "\ufeffbom", "del\x7f", "nul\x00", "<<", "=", "a:b", ":x", "?0", "a?b", "a\\b", "\\", "...", "---",
}

// TestQuotedValuesReadBack writes each value that needs quoting in every place an edit can
// write a string, and reads it back.
func TestQuotedValuesReadBack(t *testing.T) {
	input := readFile(t, "testdata/artifacts.yaml")
	for _, v := range valuesToQuote {
		t.Run(v, func(t *testing.T) {
			f := mustParse(t, input)
			var err error
			// An existing scalar with a line comment, a new field, a flow list, a block list,
			// a new custom key and its value.
			if f, err = f.Apply("churn", Edit{Path: &v, AddLabels: []string{v}}); err != nil {
				t.Fatal(err)
			}
			if f, err = f.Apply("segment", Edit{Description: &v, AddLabels: []string{v}, Custom: []KeyValue{{v, v}}}); err != nil {
				t.Fatal(err)
			}
			if f, err = f.Apply("features", Edit{Type: &v}); err != nil {
				t.Fatal(err)
			}
			if f, err = f.Apply(v, Edit{Path: &v, Custom: []KeyValue{{"k", v}}}); err != nil {
				t.Fatal(err)
			}
			churn, _, err := f.Get("churn")
			if err != nil {
				t.Fatal(err)
			}
			if churn.Path != v || !slices.Equal(churn.Labels, []string{"tabular", "production", v}) {
				t.Errorf("churn: path %q, labels %q", churn.Path, churn.Labels)
			}
			segment, _, err := f.Get("segment")
			if err != nil {
				t.Fatal(err)
			}
			custom, _ := segment.Custom.(map[string]any)
			if segment.Description != v || !slices.Equal(segment.Labels, []string{"vision", "cnn", v}) || !reflect.DeepEqual(custom[v], customValue(v)) {
				t.Errorf("segment: description %q, labels %q, custom %#v", segment.Description, segment.Labels, segment.Custom)
			}
			features, _, err := f.Get("features")
			if err != nil || features.Type != v {
				t.Errorf("features: type %q, %v", features.Type, err)
			}
			a, ok, err := f.Get(v)
			if err != nil || !ok || a.Path != v || !reflect.DeepEqual(a.Custom, map[string]any{"k": customValue(v)}) {
				t.Errorf("Get(%q) = %#v, %v, %v", v, a, ok, err)
			}
			if names := f.Names(); names[len(names)-1] != v {
				t.Errorf("Names() = %q", names)
			}
			// And the values come out again.
			if f, err = f.Apply("churn", Edit{RemoveLabels: []string{v}}); err != nil {
				t.Fatal(err)
			}
			if f, err = f.Apply("segment", Edit{RemoveLabels: []string{v}}); err != nil {
				t.Fatal(err)
			}
			if f, err = f.Remove(v); err != nil {
				t.Fatal(err)
			}
			churn, _, _ = f.Get("churn")
			segment, _, _ = f.Get("segment")
			if !slices.Equal(churn.Labels, []string{"tabular", "production"}) || !slices.Equal(segment.Labels, []string{"vision", "cnn"}) {
				t.Errorf("after removing the labels: %q, %q", churn.Labels, segment.Labels)
			}
			if slices.Contains(f.Names(), v) {
				t.Errorf("Names() = %q after Remove", f.Names())
			}
		})
	}
}

// TestApplyNotUTF8 refuses values that are not UTF-8, which YAML cannot hold and which would
// otherwise be read back as other characters.
func TestApplyNotUTF8(t *testing.T) {
	f := mustParse(t, "a:\n  path: x\n")
	for _, e := range []Edit{
		{Path: ptr("\xff")},
		{Description: ptr("line\n\xfe")},
		{AddLabels: []string{"l\xc3"}},
		{Custom: []KeyValue{{"k\xff", "v"}}},
		{Custom: []KeyValue{{"k", "\xff"}}},
	} {
		if g, err := f.Apply("a", e); err == nil || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("Apply(%+v) = %q, %v; want an error about UTF-8", e, bytesOf(g), err)
		}
	}
	if g, err := f.Apply("b\xff", Edit{}); err == nil {
		t.Errorf("Apply of a name that is not UTF-8 = %q", g.Bytes())
	}
}

func bytesOf(f *File) []byte {
	if f == nil {
		return nil
	}
	return f.Bytes()
}
