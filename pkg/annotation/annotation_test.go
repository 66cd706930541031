package annotation

import (
	"reflect"
	"slices"
	"testing"
)

func TestFilePath(t *testing.T) {
	for _, c := range []struct {
		artifact, file, wantPath, wantKey string
	}{
		{"churn", FileName, "artifacts.yaml", "churn"},
		{"models/nlp:bert", FileName, "models/nlp/artifacts.yaml", "bert"},
		{"models/nlp/:bert", FileName, "models/nlp/artifacts.yaml", "bert"},
		{"nlp:bert", DVCFileName, "nlp/dvc.yaml", "bert"},
		{"churn", "registry/index.yaml", "registry/index.yaml", "churn"},
	} {
		p, k := FilePath(c.artifact, c.file)
		if p != c.wantPath || k != c.wantKey {
			t.Errorf("FilePath(%q, %q) = %q, %q; want %q, %q", c.artifact, c.file, p, k, c.wantPath, c.wantKey)
		}
	}
}

func TestCheckFolder(t *testing.T) {
	for _, ok := range []string{"churn", "models:churn", "models/nlp:bert", "a/./b:c", "my..dir:x", ".gitignore:x"} {
		if err := CheckFolder(ok); err != nil {
			t.Errorf("CheckFolder(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"..:x", "../up:x", "a/../../b:x", ".git:x", "a/.git/hooks:x", "a/../.git:x", ".GIT:x", "a/.Git/b:x", "/etc:x"} {
		if err := CheckFolder(bad); err == nil {
			t.Errorf("CheckFolder(%q) = nil, want an error", bad)
		}
	}
}

// TestGet reads every artifact of the golden input file.
func TestGet(t *testing.T) {
	f := mustParse(t, readFile(t, "testdata/artifacts.yaml"))
	if want := []string{"churn", "segment", "features", "placeholder"}; !slices.Equal(f.Names(), want) {
		t.Errorf("Names() = %q, want %q", f.Names(), want)
	}
	for _, c := range []struct {
		name string
		want Annotation
	}{
		{"churn", Annotation{Path: "s3://old-bucket/churn.pkl", Type: "model", Description: "Customer churn classifier",
			Labels: []string{"tabular", "production"}, Virtual: true, Source: FileName}},
		{"segment", Annotation{Path: "models/segment.pt", Type: "model", Labels: []string{"vision", "cnn"}, Virtual: false,
			Custom: map[string]any{"framework": "pytorch", "metrics": map[string]any{"accuracy": 0.93}}, Source: FileName}},
		{"features", Annotation{Path: "data/features.parquet", Type: "dataset", Labels: []string{"raw"}, Virtual: true, Source: FileName}},
		// An artifact named with nothing said of it: virtual, as GTO's default.
		{"placeholder", Annotation{Virtual: true, Source: FileName}},
	} {
		a, ok, err := f.Get(c.name)
		if err != nil || !ok || !reflect.DeepEqual(a, c.want) {
			t.Errorf("Get(%q) = %#v, %v, %v\nwant %#v", c.name, a, ok, err, c.want)
		}
	}
	if a, ok, err := f.Get("unknown"); ok || err != nil {
		t.Errorf("Get(unknown) = %+v, %v, %v; want not found", a, ok, err)
	}
	if string(f.Bytes()) != readFile(t, "testdata/artifacts.yaml") {
		t.Error("Bytes() is not the file")
	}
}

func TestGetValues(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     Annotation
	}{
		{"numbers and booleans read as text", "a:\n  path: 1.0\n  type: yes\n  description: null\n  labels: [1, true]\n",
			Annotation{Path: "1.0", Type: "yes", Labels: []string{"1", "true"}, Virtual: true}},
		{"virtual written as true", "a:\n  virtual: true\n", Annotation{Virtual: true}},
		{"custom is any YAML", "a:\n  custom: [1, {b: c}]\n", Annotation{Virtual: true, Custom: []any{1, map[string]any{"b": "c"}}}},
		{"unknown keys are ignored", "a:\n  requirements: [x]\n  owner: me\n  path: p\n", Annotation{Path: "p", Virtual: true}},
		{"aliases are followed", "a:\n  path: &p shared.pkl\nb:\n  path: *p\n", Annotation{Path: "shared.pkl", Virtual: true}},
		{"multi-line description", "a:\n  description: >\n    one\n    two\n", Annotation{Description: "one two\n", Virtual: true}},
		{"CRLF", "x:\r\n  path: p\r\na:\r\n  labels:\r\n    - l\r\n", Annotation{Labels: []string{"l"}, Virtual: true}},
		{"quoted name", "'a':\n  type: t\n", Annotation{Type: "t", Virtual: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := "a"
			if c.name == "aliases are followed" {
				name = "b"
			}
			c.want.Source = FileName
			a, ok, err := mustParse(t, c.in).Get(name)
			if err != nil || !ok || !reflect.DeepEqual(a, c.want) {
				t.Errorf("Get = %#v, %v, %v\nwant %#v", a, ok, err, c.want)
			}
		})
	}
}

// TestParseEmpty reads the files that annotate nothing.
func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "\n", "# nothing yet\n", "---\n", "~\n", "null\n", "\ufeff"} {
		f, err := Parse(FileName, []byte(in))
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		if len(f.Names()) != 0 {
			t.Errorf("Parse(%q).Names() = %q", in, f.Names())
		}
		if _, ok, err := f.Get("a"); ok || err != nil {
			t.Errorf("Parse(%q).Get(a) = %v, %v", in, ok, err)
		}
	}
}

const dvcYAML = `stages:
  train:
    cmd: python train.py
    deps:
      - data/features.parquet
    outs:
      - models/churn.pkl
artifacts:
  # The model DVC trains.
  churn:
    path: models/churn.pkl
    type: model
    desc: Customer churn classifier
    labels:
      - tabular
      - production
    meta:
      framework: sklearn
      metrics:
        auc: 0.91
  features:
    path: data/features.parquet
    type: dataset
    description: not DVC's key, so not read
plots:
  - metrics.json
`

func TestParseDVC(t *testing.T) {
	got, err := ParseDVC(DVCFileName, []byte(dvcYAML))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Annotation{
		"churn": {Path: "models/churn.pkl", Type: "model", Description: "Customer churn classifier",
			Labels: []string{"tabular", "production"}, Virtual: true,
			Custom: map[string]any{"framework": "sklearn", "metrics": map[string]any{"auc": 0.91}}, Source: DVCFileName},
		"features": {Path: "data/features.parquet", Type: "dataset", Virtual: true, Source: DVCFileName},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseDVC:\n got  %#v\n want %#v", got, want)
	}
	// The same file read as artifacts.yaml names its sections, not artifacts.
	if f := mustParse(t, dvcYAML); !slices.Equal(f.Names(), []string{"stages", "artifacts", "plots"}) {
		t.Errorf("Names() = %q", f.Names())
	}
}

func TestParseDVCNoArtifacts(t *testing.T) {
	for _, in := range []string{"", "# empty\n", "stages:\n  train:\n    cmd: python train.py\n", "artifacts:\n", "artifacts: {}\n"} {
		got, err := ParseDVC(DVCFileName, []byte(in))
		if err != nil || len(got) != 0 {
			t.Errorf("ParseDVC(%q) = %v, %v; want nothing", in, got, err)
		}
	}
}

func TestParseDVCErrors(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"malformed", "artifacts:\n  churn:\n    path: x\n    type: model: y\n", "dvc.yaml:4: mapping values are not allowed in this context"},
		// yaml.v3 names the Go type it decodes into; the line is right.
		{"artifact is a list", "artifacts:\n  churn:\n    - x\n", "dvc.yaml:3: cannot unmarshal !!seq into struct"},
		{"artifacts is a list", "stages: {}\nartifacts:\n  - churn\n", "dvc.yaml:3: cannot unmarshal !!seq into map[string]struct"},
		{"labels is a string", "artifacts:\n  churn:\n    labels: x\n", "dvc.yaml:3: cannot unmarshal !!str `x` into []string"},
		{"not UTF-8", "artifacts:\n  churn:\n    desc: \xff\n", "dvc.yaml: not UTF-8 text"},
		{"top level is a list", "- stage\n", "dvc.yaml:1: expected a mapping of artifact names"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseDVC(DVCFileName, []byte(c.in))
			if err == nil || !startsWith(err.Error(), c.want) {
				t.Errorf("ParseDVC = %v, %v\nwant error %s", got, err, c.want)
			}
		})
	}
}

func startsWith(s, prefix string) bool {
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}
