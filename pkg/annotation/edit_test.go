package annotation

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the output of the edits")

func ptr[T any](v T) *T { return &v }

// goldenCase is one edit of testdata/artifacts.yaml: its output is testdata/NAME.golden, and
// diff is the line diff between input and output ("-" removed, "+" added, in file order).
type goldenCase struct {
	name     string
	artifact string
	edit     *Edit // nil: Remove(artifact)
	diff     string
}

var goldenCases = []goldenCase{
	{
		name: "set-path", artifact: "churn", edit: &Edit{Path: ptr("s3://new-bucket/churn.pkl")},
		diff: "-  path: s3://old-bucket/churn.pkl  # moved in 2024\n" +
			"+  path: s3://new-bucket/churn.pkl  # moved in 2024",
	},
	{
		name: "set-path-quoted", artifact: "segment", edit: &Edit{Path: ptr("models/segment-v2.pt")},
		diff: "-  path: \"models/segment.pt\"\n" +
			"+  path: models/segment-v2.pt",
	},
	{
		name: "set-path-empty-artifact", artifact: "placeholder", edit: &Edit{Path: ptr("s3://models/next.pt")},
		diff: "+  path: s3://models/next.pt",
	},
	{
		name: "set-type", artifact: "features", edit: &Edit{Type: ptr("model")},
		diff: "-  type: dataset\n" +
			"+  type: model",
	},
	{
		name: "add-description", artifact: "segment", edit: &Edit{Description: ptr("Customer segments from photos")},
		diff: "+  description: Customer segments from photos",
	},
	{
		name: "replace-description", artifact: "churn", edit: &Edit{Description: ptr("Churn classifier: gradient boosting")},
		diff: "-  description: Customer churn classifier\n" +
			"+  description: 'Churn classifier: gradient boosting'",
	},
	{
		name: "add-label-block", artifact: "churn", edit: &Edit{AddLabels: []string{"nightly"}},
		diff: "+    - nightly",
	},
	{
		name: "add-label-flow", artifact: "segment", edit: &Edit{AddLabels: []string{"resnet"}},
		diff: "-  labels: [vision, cnn]  # as in the paper\n" +
			"+  labels: [vision, cnn, resnet]  # as in the paper",
	},
	{
		name: "add-label-new-list", artifact: "placeholder", edit: &Edit{AddLabels: []string{"draft"}},
		diff: "+  labels: [draft]",
	},
	{
		name: "add-label-present", artifact: "churn", edit: &Edit{AddLabels: []string{"tabular"}},
		diff: "",
	},
	{
		name: "remove-label-block", artifact: "churn", edit: &Edit{RemoveLabels: []string{"tabular"}},
		diff: "-    - tabular",
	},
	{
		name: "remove-label-flow", artifact: "segment", edit: &Edit{RemoveLabels: []string{"cnn"}},
		diff: "-  labels: [vision, cnn]  # as in the paper\n" +
			"+  labels: [vision]  # as in the paper",
	},
	{
		name: "remove-last-label-flow", artifact: "features", edit: &Edit{RemoveLabels: []string{"raw"}},
		diff: "-  labels: [raw]\n" +
			"+  labels: []",
	},
	{
		name: "remove-last-labels-block", artifact: "churn", edit: &Edit{RemoveLabels: []string{"tabular", "production"}},
		diff: "-  labels:\n" +
			"-    - tabular\n" +
			"-    - production\n" +
			"+  labels: []",
	},
	{
		name: "remove-label-absent", artifact: "features", edit: &Edit{RemoveLabels: []string{"curated"}},
		diff: "",
	},
	{
		name: "custom-new-mapping", artifact: "churn", edit: &Edit{Custom: []KeyValue{{"threshold", "0.5"}}},
		diff: "+  custom:\n" +
			"+    threshold: 0.5",
	},
	{
		name: "custom-new-key", artifact: "segment", edit: &Edit{Custom: []KeyValue{{"dataset", "photos-v3"}}},
		diff: "+    dataset: photos-v3",
	},
	{
		name: "custom-existing-key", artifact: "segment", edit: &Edit{Custom: []KeyValue{{"framework", "jax"}}},
		diff: "-    framework: pytorch\n" +
			"+    framework: jax",
	},
	{
		name: "custom-replace-mapping", artifact: "segment", edit: &Edit{Custom: []KeyValue{{"metrics", "none"}}},
		diff: "-    metrics:\n" +
			"-      accuracy: 0.93\n" +
			"+    metrics: none",
	},
	{
		name: "custom-in-empty-artifact", artifact: "placeholder", edit: &Edit{Custom: []KeyValue{{"stage", "draft"}}},
		diff: "+  custom:\n" +
			"+    stage: draft",
	},
	{
		name: "virtual-false", artifact: "churn", edit: &Edit{Virtual: ptr(false)},
		diff: "+  virtual: false",
	},
	{
		name: "virtual-true", artifact: "segment", edit: &Edit{Virtual: ptr(true)},
		diff: "-  virtual: false\n" +
			"+  virtual: true",
	},
	{
		name: "new-artifact", artifact: "ranker",
		edit: &Edit{
			Type: ptr("model"), Path: ptr("models/ranker.onnx"), Description: ptr("Ranks search results"),
			AddLabels: []string{"search", "onnx"}, Custom: []KeyValue{{"team", "search"}},
		},
		diff: "+ranker:\n" +
			"+  type: model\n" +
			"+  path: models/ranker.onnx\n" +
			"+  labels: [search, onnx]\n" +
			"+  description: Ranks search results\n" +
			"+  custom:\n" +
			"+    team: search",
	},
	{
		name: "new-artifact-bare", artifact: "empty", edit: &Edit{},
		diff: "+empty:",
	},
	{
		name: "several-options", artifact: "churn",
		edit: &Edit{
			Path: ptr("s3://new-bucket/churn.pkl"), Type: ptr("classifier"), Description: ptr("Churn, v2"),
			Virtual: ptr(false), AddLabels: []string{"nightly"}, RemoveLabels: []string{"tabular"},
			Custom: []KeyValue{{"threshold", "0.5"}, {"retrain", "nightly"}},
		},
		diff: "-  type: model\n" +
			"-  path: s3://old-bucket/churn.pkl  # moved in 2024\n" +
			"+  type: classifier\n" +
			"+  path: s3://new-bucket/churn.pkl  # moved in 2024\n" +
			"-    - tabular\n" +
			"-  description: Customer churn classifier\n" +
			"+    - nightly\n" +
			"+  description: Churn, v2\n" +
			"+  virtual: false\n" +
			"+  custom:\n" +
			"+    threshold: 0.5\n" +
			"+    retrain: nightly",
	},
	{
		name: "remove-middle", artifact: "segment",
		diff: "-segment:\n" +
			"-  type: model\n" +
			"-  path: \"models/segment.pt\"\n" +
			"-  virtual: false\n" +
			"-  labels: [vision, cnn]  # as in the paper\n" +
			"-  custom:\n" +
			"-    framework: pytorch\n" +
			"-    metrics:\n" +
			"-      accuracy: 0.93\n" +
			"-  requirements:\n" +
			"-    - torch>=2.0\n" +
			"-",
	},
	{
		name: "remove-first", artifact: "churn",
		diff: "-# The churn model, retrained every night.\n" +
			"-churn:\n" +
			"-  type: model\n" +
			"-  path: s3://old-bucket/churn.pkl  # moved in 2024\n" +
			"-  labels:\n" +
			"-    - tabular\n" +
			"-    - production\n" +
			"-  description: Customer churn classifier\n" +
			"-  owner: data-team@example.com\n" +
			"-",
	},
	{
		name: "remove-last", artifact: "placeholder",
		diff: "-\n" +
			"-# Reserved for the next model.\n" +
			"-placeholder:",
	},
}

// TestGolden edits testdata/artifacts.yaml with every option of `git model annotate` and with
// `git model remove`, and compares the output with its golden file byte for byte, and the lines
// that changed with those the edit is meant to change.
func TestGolden(t *testing.T) {
	input := readFile(t, "testdata/artifacts.yaml")
	seen := map[string]bool{}
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			if seen[c.name] {
				t.Fatalf("two cases named %s", c.name)
			}
			seen[c.name] = true
			got := edit(t, input, c.artifact, c.edit)
			golden := filepath.Join("testdata", c.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, golden); got != want {
				t.Errorf("output differs from %s:\n%s\ngot:\n%s", golden, lineDiff(want, got), got)
			}
			if d := lineDiff(input, got); d != c.diff {
				t.Errorf("lines changed:\n%s\nwant:\n%s", d, c.diff)
			}
		})
	}
}

// TestGoldenRoundTrip reads every golden output back: the edited artifact says what the edit
// set, and every other artifact says exactly what it said before.
func TestGoldenRoundTrip(t *testing.T) {
	input := readFile(t, "testdata/artifacts.yaml")
	before := mustParse(t, input)
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			after := mustParse(t, edit(t, input, c.artifact, c.edit))
			old, _, err := before.Get(c.artifact)
			if err != nil {
				t.Fatal(err)
			}
			a, ok, err := after.Get(c.artifact)
			if err != nil {
				t.Fatal(err)
			}
			wantNames := slices.DeleteFunc(before.Names(), func(n string) bool { return n == c.artifact })
			if c.edit == nil {
				if ok {
					t.Errorf("Get(%q) after Remove = %+v, want no annotation", c.artifact, a)
				}
			} else {
				if !ok {
					t.Fatalf("Get(%q) after Apply: no annotation", c.artifact)
				}
				checkEdited(t, a, old, *c.edit)
				wantNames = before.Names()
				if !slices.Contains(wantNames, c.artifact) {
					wantNames = append(wantNames, c.artifact)
				}
			}
			if !slices.Equal(after.Names(), wantNames) {
				t.Errorf("Names() = %q, want %q", after.Names(), wantNames)
			}
			for _, other := range before.Names() {
				if other == c.artifact {
					continue
				}
				was, _, err := before.Get(other)
				if err != nil {
					t.Fatal(err)
				}
				is, ok, err := after.Get(other)
				if err != nil || !ok || !sameAnnotation(is, was) {
					t.Errorf("Get(%q) = %+v, %v, %v; want it unchanged: %+v", other, is, ok, err, was)
				}
			}
		})
	}
}

// TestGoldenCRLF runs every golden case on the input with CRLF line ends: the output is the
// golden file with CRLF line ends, new lines included.
func TestGoldenCRLF(t *testing.T) {
	input := crlf(readFile(t, "testdata/artifacts.yaml"))
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got := edit(t, input, c.artifact, c.edit)
			if want := crlf(readFile(t, filepath.Join("testdata", c.name+".golden"))); got != want {
				t.Errorf("got %q\nwant %q", got, want)
			}
		})
	}
}

// TestGoldenNoFinalNewline runs every golden case on the input without its final newline: the
// output is the golden file, without a final newline either.
func TestGoldenNoFinalNewline(t *testing.T) {
	input := strings.TrimSuffix(readFile(t, "testdata/artifacts.yaml"), "\n")
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			got := edit(t, input, c.artifact, c.edit)
			if want := strings.TrimSuffix(readFile(t, filepath.Join("testdata", c.name+".golden")), "\n"); got != want {
				t.Errorf("got %q\nwant %q", got, want)
			}
		})
	}
}

// TestApplySequence makes several edits one after the other, as several runs of the command
// would, and checks the file after the last one.
func TestApplySequence(t *testing.T) {
	f := mustParse(t, readFile(t, "testdata/artifacts.yaml"))
	steps := []struct {
		artifact string
		edit     *Edit
	}{
		{"churn", &Edit{Path: ptr("s3://new-bucket/churn.pkl")}},
		{"segment", nil},
		{"ranker", &Edit{Type: ptr("model"), AddLabels: []string{"search"}}},
		{"ranker", &Edit{AddLabels: []string{"onnx"}, Custom: []KeyValue{{"team", "search"}}}},
		{"placeholder", nil},
		{"features", &Edit{RemoveLabels: []string{"raw"}, Description: ptr("Features of customers")}},
	}
	for _, s := range steps {
		var err error
		if s.edit == nil {
			f, err = f.Remove(s.artifact)
		} else {
			f, err = f.Apply(s.artifact, *s.edit)
		}
		if err != nil {
			t.Fatalf("%s: %v", s.artifact, err)
		}
	}
	want := `# Annotations of the artifacts in this repository, read by git-model and GTO.
# Edit with ` + "`git model annotate`" + `; comments and the order of keys are kept.

# The churn model, retrained every night.
churn:
  type: model
  path: s3://new-bucket/churn.pkl  # moved in 2024
  labels:
    - tabular
    - production
  description: Customer churn classifier
  owner: data-team@example.com

# A data set, tracked by DVC.
features:
  type: dataset
  path: data/features.parquet
  labels: []
  description: Features of customers

ranker:
  type: model
  labels: [search, onnx]
  custom:
    team: search
`
	if got := string(f.Bytes()); got != want {
		t.Errorf("after the edits:\n%s\nwant:\n%s\ndiff:\n%s", got, want, lineDiff(want, got))
	}
}

// checkEdited checks that the annotation after an edit has what the edit set, and what the
// annotation had before everywhere else.
func checkEdited(t *testing.T, got, old Annotation, e Edit) {
	t.Helper()
	want := old
	want.Source = got.Source
	if old.Source == "" { // a new artifact
		want.Virtual = true
	}
	if e.Path != nil {
		want.Path = *e.Path
	}
	if e.Type != nil {
		want.Type = *e.Type
	}
	if e.Description != nil {
		want.Description = *e.Description
	}
	if e.Virtual != nil {
		want.Virtual = *e.Virtual
	}
	want.Labels = slices.DeleteFunc(slices.Clone(old.Labels), func(l string) bool { return slices.Contains(e.RemoveLabels, l) })
	for _, l := range e.AddLabels {
		if !slices.Contains(want.Labels, l) {
			want.Labels = append(want.Labels, l)
		}
	}
	if len(e.Custom) > 0 {
		custom := map[string]any{}
		if m, ok := old.Custom.(map[string]any); ok {
			custom = maps.Clone(m)
		}
		for _, kv := range e.Custom {
			custom[kv.Key] = customValue(kv.Value)
		}
		want.Custom = custom
	}
	if !sameAnnotation(got, want) {
		t.Errorf("after the edit:\n got  %#v\n want %#v", got, want)
	}
}

// sameAnnotation compares annotations, with no labels and an empty list of labels the same.
func sameAnnotation(a, b Annotation) bool {
	if len(a.Labels) == 0 && len(b.Labels) == 0 {
		a.Labels, b.Labels = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// edit applies an edit (or Remove when e is nil) to a file's text and returns the new text.
func edit(t *testing.T, text, artifact string, e *Edit) string {
	t.Helper()
	f := mustParse(t, text)
	var err error
	if e == nil {
		f, err = f.Remove(artifact)
	} else {
		f, err = f.Apply(artifact, *e)
	}
	if err != nil {
		t.Fatalf("editing %s: %v", artifact, err)
	}
	return string(f.Bytes())
}

func mustParse(t *testing.T, text string) *File {
	t.Helper()
	f, err := Parse(FileName, []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func crlf(s string) string {
	return strings.ReplaceAll(s, "\n", "\r\n")
}

// lineDiff returns the lines only in a ("-") and only in b ("+"), in order, from a longest
// common subsequence of their lines; "" when they are the same. A missing final newline counts
// as a change of the last line.
func lineDiff(a, b string) string {
	x, y := strings.SplitAfter(a, "\n"), strings.SplitAfter(b, "\n")
	// lcs[i][j] is the length of a longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	show := func(sign, line string) {
		switch {
		case line == "": // SplitAfter's empty last piece after a final newline
		case !strings.HasSuffix(line, "\n"):
			out = append(out, sign+line, `\ No newline at end of file`)
		default:
			out = append(out, sign+strings.TrimSuffix(line, "\n"))
		}
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case j == len(y) || (i < len(x) && lcs[i+1][j] >= lcs[i][j+1]):
			show("-", x[i])
			i++
		default:
			show("+", y[j])
			j++
		}
	}
	return strings.Join(out, "\n")
}

func TestLineDiff(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"", "", ""},
		{"a\nb\n", "a\nb\n", ""},
		{"a\nb\nc\n", "a\nc\n", "-b"},
		{"a\nc\n", "a\nb\nc\n", "+b"},
		{"a\nb\nc\n", "a\nB\nc\n", "-b\n+B"},
		{"a\n", "", "-a"},
		{"a\nb", "a\nb\n", "-b\n\\ No newline at end of file\n+b"},
		{"a\r\nb\r\n", "a\r\nB\r\n", "-b\r\n+B\r"},
	} {
		if got := lineDiff(c.a, c.b); got != c.want {
			t.Errorf("lineDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestCustomValuesKeepTheirYAMLType(t *testing.T) {
	f, err := Parse("artifacts.yaml", []byte("m:\n  custom:\n    rows: 1200\n"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.Apply("m", Edit{Custom: []KeyValue{{"rows", "1500"}, {"ratio", "0.5"}, {"gpu", "true"},
		{"note", "hello world"}, {"id", "007"}, {"tricky", "a: b"}, {"version", "1.0.0"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "m:\n  custom:\n    rows: 1500\n    ratio: 0.5\n    gpu: true\n    note: hello world\n    id: \"007\"\n    tricky: 'a: b'\n    version: 1.0.0\n"
	if string(g.Bytes()) != want {
		t.Errorf("custom values written as\n%s\nwant\n%s", g.Bytes(), want)
	}
	a, _, err := g.Get("m")
	if err != nil {
		t.Fatal(err)
	}
	custom := a.Custom.(map[string]any)
	if custom["rows"] != 1500 || custom["gpu"] != true || custom["id"] != "007" || custom["version"] != "1.0.0" {
		t.Errorf("custom read back as %#v", custom)
	}
}

// customValue is what Get reads back for a custom value given as text: what YAML makes of it
// when customText writes it plain, else the text itself.
func customValue(text string) any {
	if customText(text) != text {
		return text
	}
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		return text
	}
	return v
}
