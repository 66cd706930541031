package dvc

import (
	"reflect"
	"strings"
	"testing"
)

const (
	md5A = "a304afb96060aad90176268345e10355"
	md5B = "3863d0e317dee0a55c4e59d2ec0eef33"
	md5C = "0b6d2a3b8bc1f2a6c7a9b1a0c3d4e5f6"
)

// dvc3File is what `dvc add models/model.pkl` writes with DVC 3.
const dvc3File = `outs:
- md5: a304afb96060aad90176268345e10355
  size: 12
  hash: md5
  path: model.pkl
`

// dvc2Dir is what `dvc add data` wrote with DVC 2.
const dvc2Dir = `outs:
- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
  size: 37891850
  nfiles: 2
  path: data
`

func TestParseDVCFile(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []Out
	}{
		{"DVC 3 file", dvc3File, []Out{{Path: "model.pkl", MD5: md5A, Size: 12}}},
		{"DVC 2 directory", dvc2Dir, []Out{{Path: "data", MD5: md5B, Dir: true, Size: 37891850, NFiles: 2, Legacy: true}}},
		{"DVC 3 directory with its own remote", `outs:
- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
  size: 37891850
  nfiles: 2
  hash: md5
  path: data/
  remote: Backup
`, []Out{{Path: "data", MD5: md5B, Dir: true, Size: 37891850, NFiles: 2, Remote: "Backup"}}},
		{"DVC 1 with wdir, no size, digits-only md5 unquoted", `md5: fd75c91bb60baf9bf36e4f64f0c1c7e0
wdir: models
outs:
- md5: 12345678901234567890123456789012
  path: ./model.pkl
  cache: true
  metric: false
  persist: false
`, []Out{{Path: "models/model.pkl", MD5: "12345678901234567890123456789012", Size: -1, Legacy: true}}},
		{"cache: false is left out", `outs:
- md5: a304afb96060aad90176268345e10355
  path: metrics.json
  cache: false
- md5: a304afb96060aad90176268345e10355
  path: model.pkl
  hash: md5
`, []Out{{Path: "model.pkl", MD5: md5A, Size: -1}}},
		{"no md5 recorded", "outs:\n- path: model.pkl\n", []Out{{Path: "model.pkl", Size: -1, Legacy: true}}},
		{"import: deps ignored", `md5: fd75c91bb60baf9bf36e4f64f0c1c7e0
frozen: true
deps:
- path: data/model.pkl
  repo:
    url: https://github.com/iterative/example
    rev_lock: f91b9cdf4fb1a8b2d7c3a8e0f2e1cbb7e0d6e6b8
outs:
- md5: a304afb96060aad90176268345e10355
  size: 12
  hash: md5
  path: model.pkl
`, []Out{{Path: "model.pkl", MD5: md5A, Size: 12}}},
		{"empty file", "", nil},
		{"no outs", "outs:\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDVCFile([]byte(tt.data))
			if err != nil {
				t.Fatalf("ParseDVCFile: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseDVCFileRefuses(t *testing.T) {
	tests := []struct {
		name, data, wantErr string
	}{
		{"absolute path", "outs:\n- md5: " + md5A + "\n  path: /etc/passwd\n", "out '/etc/passwd': absolute path"},
		{"dot-dot", "outs:\n- md5: " + md5A + "\n  path: ../secret\n", "out '../secret': path outside the repository"},
		{"dot-dot after cleaning", "outs:\n- md5: " + md5A + "\n  path: a/../../secret\n", "out 'a/../../secret': path outside the repository"},
		{"windows drive", "outs:\n- md5: " + md5A + "\n  path: 'C:\\data'\n", "absolute path"},
		{"the repository itself", "outs:\n- md5: " + md5A + "\n  path: .\n", "path is the repository itself"},
		{"short md5", "outs:\n- md5: abc\n  path: model.pkl\n", "out 'model.pkl': invalid md5 'abc'"},
		{"upper-case md5", "outs:\n- md5: " + strings.ToUpper(md5A) + "\n  path: model.pkl\n", "invalid md5"},
		{"md5 with a bad suffix", "outs:\n- md5: " + md5A + ".tar\n  path: model.pkl\n", "invalid md5"},
		{"unknown hash", "outs:\n- md5: " + md5A + "\n  hash: sha256\n  path: model.pkl\n", "out 'model.pkl': unsupported hash 'sha256'"},
		{"negative size", "outs:\n- md5: " + md5A + "\n  size: -3\n  path: model.pkl\n", "invalid size '-3'"},
		{"no path", "outs:\n- md5: " + md5A + "\n", "out 1: no path"},
		{"path is a list", "outs:\n- md5: " + md5A + "\n  path: [a]\n", "out 1: path: not a string"},
		{"outs is a mapping", "outs:\n  path: model.pkl\n", "outs: not a list"},
		{"not a mapping", "- a\n- b\n", "the .dvc file: not a mapping"},
		{"alias", "x: &x\n  - md5: " + md5A + "\n    path: a\nouts: *x\n", "YAML aliases are not supported"},
		{"duplicate key", "outs:\n- md5: " + md5A + "\n  path: a\n  path: b\n", "key 'path' appears twice"},
		{"invalid YAML", "outs: [\n", "invalid YAML"},
		{"newline in values stays escaped", "outs:\n- md5: \"a\\nb\"\n  path: \"x\\ny\"\n", `out 'x\ny': invalid md5 'a\nb'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDVCFile([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

// dvcLock3 is a dvc.lock of DVC 3 with a plain stage, foreach stages and an out that a DVC 2
// run left unchanged (no hash field).
const dvcLock3 = `schema: '2.0'
stages:
  train:
    cmd: python train.py
    deps:
    - path: data
      hash: md5
      md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
      size: 37891850
      nfiles: 2
    params:
      params.yaml:
        train.epochs: 10
    outs:
    - path: models/model.pkl
      hash: md5
      md5: a304afb96060aad90176268345e10355
      size: 1024
    - path: metrics.json
      md5: 0b6d2a3b8bc1f2a6c7a9b1a0c3d4e5f6
      size: 80
  prepare@us:
    cmd: python prepare.py us
    outs:
    - path: prepared/us
      hash: md5
      md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
      size: 100
      nfiles: 3
  prepare@eu:
    cmd: python prepare.py eu
    outs:
    - path: prepared/eu
      md5: 0b6d2a3b8bc1f2a6c7a9b1a0c3d4e5f6.dir
      size: 200
      nfiles: 4
  evaluate:
    cmd: python evaluate.py
`

// dvcLock1 is a dvc.lock of DVC 1.
const dvcLock1 = `train:
  cmd: python train.py
  deps:
  - path: data
    md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir
  outs:
  - path: model.pkl
    md5: a304afb96060aad90176268345e10355
prepare:
  cmd: python prepare.py
  outs:
  - path: prepared
    md5: 0b6d2a3b8bc1f2a6c7a9b1a0c3d4e5f6.dir
`

func TestParseLock(t *testing.T) {
	got, err := ParseLock([]byte(dvcLock3))
	if err != nil {
		t.Fatalf("ParseLock: %v", err)
	}
	want := []Out{
		{Path: "prepared/eu", MD5: md5C, Dir: true, Size: 200, NFiles: 4, Legacy: true},
		{Path: "prepared/us", MD5: md5B, Dir: true, Size: 100, NFiles: 3},
		{Path: "models/model.pkl", MD5: md5A, Size: 1024},
		{Path: "metrics.json", MD5: md5C, Size: 80, Legacy: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DVC 3 lock:\ngot  %+v\nwant %+v", got, want)
	}

	got, err = ParseLock([]byte(dvcLock1))
	if err != nil {
		t.Fatalf("ParseLock: %v", err)
	}
	want = []Out{
		{Path: "prepared", MD5: md5C, Dir: true, Size: -1, Legacy: true},
		{Path: "model.pkl", MD5: md5A, Size: -1, Legacy: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DVC 1 lock:\ngot  %+v\nwant %+v", got, want)
	}

	for _, empty := range []string{"", "schema: '2.0'\n", "schema: '2.0'\nstages:\n"} {
		if got, err := ParseLock([]byte(empty)); err != nil || len(got) != 0 {
			t.Errorf("ParseLock(%q) = %v, %v; want no outs", empty, got, err)
		}
	}
}

func TestParseLockRefuses(t *testing.T) {
	tests := []struct {
		name, data, wantErr string
	}{
		{"unknown schema", "schema: '3.0'\nstages: {}\n", "unsupported dvc.lock schema '3.0'"},
		{"stages is a list", "schema: '2.0'\nstages: [a]\n", "stages: not a mapping"},
		{"bad out names its stage", "schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: ../../x\n      md5: " + md5A + "\n",
			"stage 'train': out '../../x': path outside the repository"},
		{"bad md5 in a foreach stage", "schema: '2.0'\nstages:\n  build@1:\n    outs:\n    - path: x\n      md5: nope\n",
			"stage 'build@1': out 'x': invalid md5 'nope'"},
		{"stage not a mapping", "schema: '2.0'\nstages:\n  train: 3\n", "stage 'train': not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLock([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFind(t *testing.T) {
	outs := []Out{
		{Path: "models/model.pkl", MD5: md5A},
		{Path: "data", MD5: md5B, Dir: true},
		{Path: "data/raw", MD5: md5C, Dir: true}, // nested: DVC refuses it, Find takes the deepest
		{Path: "data2.csv", MD5: md5C},
	}
	tests := []struct {
		path       string
		wantPath   string
		wantInside string
		wantOK     bool
	}{
		{"models/model.pkl", "models/model.pkl", "", true},
		{"./models//model.pkl", "models/model.pkl", "", true},
		{"data", "data", "", true},
		{"data/", "data", "", true},
		{"data/train/x.csv", "data", "train/x.csv", true},
		{"data/raw/y.csv", "data/raw", "y.csv", true},
		{"data2.csv", "data2.csv", "", true},
		{"data2", "", "", false},
		{"datax/a", "", "", false},
		{"models", "", "", false},
		{"models/model.pkl/x", "", "", false},
	}
	for _, tt := range tests {
		out, inside, ok := Find(outs, tt.path)
		if ok != tt.wantOK || out.Path != tt.wantPath || inside != tt.wantInside {
			t.Errorf("Find(%q) = %q, %q, %v; want %q, %q, %v", tt.path, out.Path, inside, ok, tt.wantPath, tt.wantInside, tt.wantOK)
		}
	}
}

// checkOuts asserts what every parsed out must satisfy, whatever the input.
func checkOuts(t *testing.T, outs []Out) {
	t.Helper()
	for _, o := range outs {
		if o.MD5 != "" && !isMD5(o.MD5) {
			t.Fatalf("out %+v: md5 not 32 lowercase hex", o)
		}
		if _, err := cleanPath(o.Path); err != nil || o.Path == "" {
			t.Fatalf("out %+v: unsafe path", o)
		}
		if o.MD5 != "" && ObjectPath(o.MD5, o.Dir, o.Legacy) == "" {
			t.Fatalf("out %+v: no object path", o)
		}
	}
}

func FuzzParseDVCFile(f *testing.F) {
	for _, seed := range []string{
		"", dvc3File, dvc2Dir, "outs:\n- path: ../x\n  md5: " + md5A + "\n",
		"outs: &a [*a]\n", "outs:\n- {path: a, md5: " + md5A + ".dir, nfiles: x}\n",
		"wdir: a\nouts:\n- path: ../../b\n", "- 1\n", "outs: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		outs, err := ParseDVCFile(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		checkOuts(t, outs)
	})
}

func FuzzParseLock(f *testing.F) {
	for _, seed := range []string{
		"", dvcLock3, dvcLock1, "schema: '2.0'\nstages:\n  a:\n    outs:\n    - path: /x\n",
		"schema: 2.0\n", "schema: [2.0]\n", "a: &a {outs: [*a]}\n", "stages: null\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		outs, err := ParseLock(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		checkOuts(t, outs)
	})
}
