package dvc

import (
	"crypto/md5"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func TestObjectPath(t *testing.T) {
	tests := []struct {
		md5         string
		dir, legacy bool
		want        string
	}{
		{md5A, false, false, "files/md5/a3/04afb96060aad90176268345e10355"},
		{md5A, false, true, "a3/04afb96060aad90176268345e10355"},
		{md5B, true, false, "files/md5/38/63d0e317dee0a55c4e59d2ec0eef33.dir"},
		{md5B, true, true, "38/63d0e317dee0a55c4e59d2ec0eef33.dir"},
		{md5B + ".dir", false, true, "38/63d0e317dee0a55c4e59d2ec0eef33.dir"},
		{"", false, false, ""},
		{"a", true, true, ""},
		{strings.ToUpper(md5A), false, false, ""},
		{"../../../../../../etc/passwd0000", false, false, ""},
	}
	for _, tt := range tests {
		if got := ObjectPath(tt.md5, tt.dir, tt.legacy); got != tt.want {
			t.Errorf("ObjectPath(%q, %v, %v) = %q, want %q", tt.md5, tt.dir, tt.legacy, got, tt.want)
		}
	}
}

// TestDirMD5Known checks DirMD5 against directories whose md5 DVC's own tests assert.
func TestDirMD5Known(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		want     string
	}{
		// dvc-data tests/hashfile/test_build.py, test_build_directory: files foo ("foo") and
		// bar ("bar") make 5ea40360f5b4ec688df672a4db9c17d1.dir.
		{"dvc-data test_build_directory",
			`[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]`,
			"5ea40360f5b4ec688df672a4db9c17d1"},
		// dvc-data tests/index/conftest.py: bar ("bar\n") and baz ("baz\n") stored as
		// 1f69c66028c35037e8bf67e5bc4ceb6a.dir.
		{"dvc-data index conftest",
			`[{"md5": "c157a79031e1c40f85931829bc5fc552", "relpath": "bar"}, {"md5": "258622b1688250cb619f3c9ccaefb7eb", "relpath": "baz"}]`,
			"1f69c66028c35037e8bf67e5bc4ceb6a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := ParseDirManifest([]byte(tt.manifest))
			if err != nil {
				t.Fatal(err)
			}
			if got := DirMD5(entries); got != tt.want {
				t.Errorf("DirMD5 = %s, want %s", got, tt.want)
			}
			// The manifest is exactly DVC's serialization, so its own md5 agrees.
			if sum := md5.Sum([]byte(tt.manifest)); hex.EncodeToString(sum[:]) != tt.want {
				t.Errorf("md5 of the manifest bytes is not %s", tt.want)
			}
		})
	}
}

func TestDirMD5PythonEscapes(t *testing.T) {
	// Out of order, with a name where Python's sort on the joined relpath differs from a sort
	// on path parts ("a-b" < "a/b"), and non-ASCII, quote, backslash, tab, DEL and an emoji.
	entries := []DirEntry{
		{MD5: "d3b07384d113edec49eaa6238ad5ff00", RelPath: "modèle/模型 \"q\"\\\t\x7f😀.pkl"},
		{MD5: "37b51d194a7513e45b56f6524f2d51f2", RelPath: "a/b"},
		{MD5: "acbd18db4cc2f85cedef654fccc4a4d8", RelPath: "a-b"},
	}
	// The bytes and md5 printed by Python 3's
	// json.dumps(sorted(entries, key=relpath), sort_keys=True).encode().
	python := `[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "a-b"}, ` +
		`{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "a/b"}, ` +
		`{"md5": "d3b07384d113edec49eaa6238ad5ff00", "relpath": "mod\u00e8le/\u6a21\u578b \"q\"\\\t\u007f\ud83d\ude00.pkl"}]`
	const want = "8e97f61b1f0e7c91cc4e08e5cda10c74"
	if sum := md5.Sum([]byte(python)); hex.EncodeToString(sum[:]) != want {
		t.Fatalf("fixture: md5 of Python's bytes is not %s", want)
	}
	if got := DirMD5(entries); got != want {
		t.Errorf("DirMD5 = %s, want %s", got, want)
	}
	// Parsing Python's bytes gives back the same entries.
	parsed, err := ParseDirManifest([]byte(python))
	if err != nil {
		t.Fatal(err)
	}
	if got := DirMD5(parsed); got != want {
		t.Errorf("DirMD5 of the parsed manifest = %s, want %s", got, want)
	}
	if got := DirMD5(nil); got != "d751713988987e9331980363e24189ce" { // md5("[]")
		t.Errorf("DirMD5(nil) = %s", got)
	}
}

func TestParseDirManifest(t *testing.T) {
	// A manifest written for a cloud-versioned remote: more keys per entry, given unsorted.
	data := `[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo", "size": 3, "isexec": false},
	  {"relpath": "sub/bar", "md5": "37b51d194a7513e45b56f6524f2d51f2", "version_id": "x"}]`
	got, err := ParseDirManifest([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []DirEntry{
		{MD5: "acbd18db4cc2f85cedef654fccc4a4d8", RelPath: "foo"},
		{MD5: "37b51d194a7513e45b56f6524f2d51f2", RelPath: "sub/bar"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// Named after the two-key form, not after the bytes fetched.
	canonical := `[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}, {"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "sub/bar"}]`
	if sum := md5.Sum([]byte(canonical)); DirMD5(got) != hex.EncodeToString(sum[:]) {
		t.Errorf("DirMD5 = %s, want the md5 of %s", DirMD5(got), canonical)
	}
	if got, err := ParseDirManifest([]byte("[]")); err != nil || len(got) != 0 {
		t.Errorf("empty manifest: %v, %v", got, err)
	}
}

func TestParseDirManifestRefuses(t *testing.T) {
	entry := func(md5, rel string) string { return `{"md5": "` + md5 + `", "relpath": "` + rel + `"}` }
	tests := []struct{ name, data, wantErr string }{
		{"not a list", `{"md5": "x"}`, "invalid directory manifest"},
		{"not JSON", `[{`, "invalid directory manifest"},
		{"absolute", "[" + entry(md5A, "/etc/passwd") + "]", "entry '/etc/passwd': absolute path"},
		{"dot-dot", "[" + entry(md5A, "../x") + "]", "entry '../x': path outside the directory"},
		{"dot-dot inside", "[" + entry(md5A, "a/../../x") + "]", "path not clean"},
		{"not clean", "[" + entry(md5A, "a//b") + "]", "entry 'a//b': path not clean"},
		{"dot", "[" + entry(md5A, ".") + "]", "path not clean"},
		{"windows drive", "[" + entry(md5A, `C:\\x`) + "]", "absolute path"},
		{"NUL", "[" + entry(md5A, `a\u0000b`) + "]", "NUL"},
		{"duplicate", "[" + entry(md5A, "a") + ", " + entry(md5B, "a") + "]", "entry 'a' appears twice"},
		{"file and folder", "[" + entry(md5A, "a") + ", " + entry(md5B, "a/b") + "]", "'a' is both a file and a folder"},
		{"bad md5", "[" + entry("nope", "a") + "]", "entry 'a': invalid md5"},
		{"nested dir md5", "[" + entry(md5A+".dir", "a") + "]", "invalid md5"},
		{"no relpath", `[{"md5": "` + md5A + `"}]`, "entry 1: no relpath"},
		{"null entry", `[null]`, "entry 1: no relpath"},
		{"relpath a number", `[{"md5": "` + md5A + `", "relpath": 3}]`, "entry 1: no relpath"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDirManifest([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParseDirManifest(f *testing.F) {
	for _, seed := range []string{
		"[]", `[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]`,
		`[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "../x"}]`, "null", `[null]`, `[{"relpath": "\ud800"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ParseDirManifest(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		for _, e := range entries {
			if !isMD5(e.MD5) || checkRelPath(e.RelPath) != nil {
				t.Fatalf("unsafe entry %+v", e)
			}
		}
		_ = DirMD5(entries)
	})
}
