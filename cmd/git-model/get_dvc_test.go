package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// git model get of DVC-tracked files and folders (a .dvc file or a dvc.lock committed at the
// version, the object on the DVC remote of .dvc/config: a local folder, HTTP, S3, or in the
// work tree's .dvc/cache), and of plain s3:// URLs, against a fake S3 server on loopback.
// The objects are laid out here by hand, as DVC 3 (files/md5/ab/cdef…) and DVC 2 (ab/cdef…)
// push them, so every test states the exact bytes and paths DVC would have.

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// dvcObjectPath is where DVC keeps an object on a remote or in a cache: files/md5/ab/cdef… for
// DVC 3, ab/cdef… for DVC 2 (legacy); a directory's manifest ends with .dir.
func dvcObjectPath(md5 string, legacy bool) string {
	p := md5[:2] + "/" + md5[2:]
	if !legacy {
		p = "files/md5/" + p
	}
	return p
}

// dvcManifest is the .dir object of a directory with these files (relpath → content): the
// JSON list DVC writes, sorted by relpath with Python's ", " and ": " separators.
func dvcManifest(files map[string]string) string {
	rels := make([]string, 0, len(files))
	for rel := range files {
		rels = append(rels, rel)
	}
	sort.Strings(rels)
	entries := make([]string, len(rels))
	for i, rel := range rels {
		entries[i] = fmt.Sprintf(`{"md5": "%s", "relpath": "%s"}`, md5Hex(files[rel]), rel)
	}
	return "[" + strings.Join(entries, ", ") + "]"
}

// dvcFileObjects returns the objects (path on the remote → bytes) of a file.
func dvcFileObjects(content string, legacy bool) map[string]string {
	return map[string]string{dvcObjectPath(md5Hex(content), legacy): content}
}

// dvcDirObjects returns the objects of a directory (its files and its manifest), and the md5
// of the manifest, which names the directory ("md5: X.dir").
func dvcDirObjects(files map[string]string, legacy bool) (objects map[string]string, dirMD5 string) {
	objects = map[string]string{}
	for _, content := range files {
		objects[dvcObjectPath(md5Hex(content), legacy)] = content
	}
	manifest := dvcManifest(files)
	dirMD5 = md5Hex(manifest)
	objects[dvcObjectPath(dirMD5, legacy)+".dir"] = manifest
	return objects, dirMD5
}

// writeObjects writes objects under a folder of the work directory.
func (e *remoteEnv) writeObjects(store string, objects map[string]string) {
	e.t.Helper()
	for p, content := range objects {
		e.writeFile(filepath.Join(store, filepath.FromSlash(p)), content, 0o644)
	}
}

// dvcFile is a .dvc file tracking one out, as `dvc add` writes it (DVC 3 with hash: md5; DVC 2
// without).
func dvcFile(out, md5 string, size int, legacy bool) string {
	hash := "  hash: md5\n"
	if legacy {
		hash = ""
	}
	return fmt.Sprintf("outs:\n- md5: %s\n  size: %d\n%s  path: %s\n", md5, size, hash, out)
}

// dvcDirFile is the .dvc file of a directory out.
func dvcDirFile(out, dirMD5 string, files map[string]string, legacy bool) string {
	size := 0
	for _, content := range files {
		size += len(content)
	}
	hash := "  hash: md5\n"
	if legacy {
		hash = ""
	}
	return fmt.Sprintf("outs:\n- md5: %s.dir\n  size: %d\n  nfiles: %d\n%s  path: %s\n", dirMD5, size, len(files), hash, out)
}

// dvcConfig is a .dvc/config whose default remote "storage" is at url, with extra lines in its
// section.
func dvcConfig(url string, extra ...string) string {
	s := "[core]\n    remote = storage\n['remote \"storage\"']\n    url = " + url + "\n"
	for _, line := range extra {
		s += "    " + line + "\n"
	}
	return s
}

// commitAll commits every file of the work tree of dir.
func (e *remoteEnv) commitAll(dir, message string) {
	e.t.Helper()
	e.git(dir, "add", "-A")
	e.git(dir, "commit", "-q", "-m", message)
}

// annotateRegister annotates each artifact with its path, commits, and registers it.
func (e *remoteEnv) annotateRegister(dir string, paths map[string]string) {
	e.t.Helper()
	names := make([]string, 0, len(paths))
	for name := range paths {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e.mustModel(dir, "annotate", name, "--path", paths[name], "--commit")
	}
	for _, name := range names {
		e.mustModel(dir, "register", name)
	}
}

// treeFiles returns the files under a folder of the work directory (slash path → content),
// failing on anything that is neither a file nor a folder.
func (e *remoteEnv) treeFiles(dir string) map[string]string {
	e.t.Helper()
	files := map[string]string{}
	root := e.path(dir)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		e.t.Fatalf("reading %s: %v", dir, err)
	}
	return files
}

// sameFiles fails unless have is exactly want.
func sameFiles(t *testing.T, what string, have, want map[string]string) {
	t.Helper()
	for rel, content := range want {
		if got, ok := have[rel]; !ok {
			t.Errorf("%s: %s missing", what, rel)
		} else if got != content {
			t.Errorf("%s: %s is %q, want %q", what, rel, got, content)
		}
	}
	for rel := range have {
		if _, ok := want[rel]; !ok {
			t.Errorf("%s: unexpected file %s", what, rel)
		}
	}
}

// emptyFolder fails unless the folder of the work directory exists and holds nothing: a failed
// get leaves no output and no temporary file in it.
func (e *remoteEnv) emptyFolder(dir string) {
	e.t.Helper()
	entries, err := os.ReadDir(e.path(dir))
	if err != nil {
		e.t.Fatal(err)
	}
	for _, entry := range entries {
		e.t.Errorf("a failed get left %s in %s", entry.Name(), dir)
	}
}

// freshCache is an extra environment with an empty download cache of its own.
func (e *remoteEnv) freshCache(name string) []string {
	return []string{"XDG_CACHE_HOME=" + e.path(name)}
}

// TestGetDVCLocal: a file tracked by a .dvc file, not committed, whose object is on a local
// DVC remote whose relative url is relative to the .dvc folder: the DVC 3 layout
// (files/md5/…, hash: md5) and the DVC 2 one (ab/cdef…, no hash key), each found only where
// its layout puts it.
func TestGetDVCLocal(t *testing.T) {
	e := newRemoteEnv(t)
	model := "pickled model \x00\x01\x02 v3\n"
	legacy := "pickled model, DVC 2 \xff\xfe\n"
	e.git("", "init", "-q", "repo")
	// ../../storage from repo/.dvc is the folder storage beside the repository; resolved from
	// the top of the work tree it would be outside the work directory.
	e.writeFile("repo/.dvc/config", dvcConfig("../../storage"), 0o644)
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.writeFile("repo/models/legacy.pkl.dvc", dvcFile("legacy.pkl", md5Hex(legacy), len(legacy), true), 0o644)
	e.commitAll("repo", "track with DVC")
	e.writeObjects("storage", dvcFileObjects(model, false))
	e.writeObjects("storage", dvcFileObjects(legacy, true))
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "legacy": "models/legacy.pkl"})
	if _, err := os.Lstat(e.path("repo/model.pkl")); err == nil {
		t.Fatal("model.pkl is in the work tree; the test must fetch it from the remote")
	}

	out := e.mustModel("repo", "get", "model@v0.0.1", "-o", "../out.pkl")
	if got := e.readFile("out.pkl"); got != model {
		t.Errorf("get of a DVC 3 out wrote %q, want %q", got, model)
	}
	want := fmt.Sprintf("Wrote model v0.0.1 to '../out.pkl' (%d B, sha256:%s)\n", len(model), sha256Hex(model))
	if out != want {
		t.Errorf("get: stdout %q, want %q", out, want)
	}

	r := e.getJSON("repo", e.freshCache("cache2"), "model@v0.0.1", "-o", "../json.pkl")
	if r.Source != "dvc" || r.Cached || r.Path != "model.pkl" || r.From != "model.pkl" || r.Files != 1 ||
		r.Size != int64(len(model)) || r.SHA256 == nil || *r.SHA256 != "sha256:"+sha256Hex(model) ||
		r.Version != "v0.0.1" || r.Artifact != "model" || r.Output != e.path("json.pkl") || len(r.Commit) != 40 {
		t.Errorf("get --json of a DVC out: %+v", r)
	}
	if got := e.readFile("json.pkl"); got != model {
		t.Errorf("get --json wrote %q", got)
	}
	// no -o: the out's name in the current folder
	e.mustModel("repo", "get", "model", "-q")
	if got := e.readFile("repo/model.pkl"); got != model {
		t.Errorf("get without -o wrote %q", got)
	}

	// DVC 2: the object is at ab/cdef…, not under files/md5/
	r = e.getJSON("repo", nil, "legacy", "-o", "../legacy.pkl")
	if r.Source != "dvc" || r.From != "models/legacy.pkl" || r.Size != int64(len(legacy)) || *r.SHA256 != "sha256:"+sha256Hex(legacy) {
		t.Errorf("get --json of a DVC 2 out: %+v", r)
	}
	if got := e.readFile("legacy.pkl"); got != legacy {
		t.Errorf("get of a DVC 2 out wrote %q, want %q", got, legacy)
	}
	// the layouts are not mixed up: with the object of each only at the other layout's place,
	// neither is found
	os.RemoveAll(e.path("storage"))
	e.writeFile(filepath.Join("storage", dvcObjectPath(md5Hex(model), true)), model, 0o644)
	e.writeFile(filepath.Join("storage", dvcObjectPath(md5Hex(legacy), false)), legacy, 0o644)
	empty := e.freshCache("cache3")
	e.failsOneLine("repo", empty, []string{"getting model (v0.0.1): ", "files/md5/" + md5Hex(model)[:2] + "/" + md5Hex(model)[2:],
		"is not in the DVC remote 'storage'", "; nothing written"}, "model", "-o", "../swapped.pkl")
	e.failsOneLine("repo", empty, []string{"getting legacy (v0.0.1): ", md5Hex(legacy)[:2] + "/" + md5Hex(legacy)[2:],
		"is not in the DVC remote", "; nothing written"}, "legacy", "-o", "../swapped.pkl")
	e.assertNothingAt("swapped.pkl")
}

// TestGetDVCDirectory: a directory out (md5 X.dir, its manifest on the remote) written as a
// folder with its subfolders; a file and a subfolder inside it (annotated data/sub/…, tracked
// by data.dvc); in the DVC 3 and the DVC 2 layout.
func TestGetDVCDirectory(t *testing.T) {
	e := newRemoteEnv(t)
	files := map[string]string{
		"a.txt":            "alpha\n",
		"sub/file.txt":     "the file inside\n",
		"sub/b.txt":        "beta\n",
		"sub/deeper/c.bin": "\x00gamma\xff",
		"z.csv":            "1,2,3\n",
	}
	legacyFiles := map[string]string{
		"labels.txt":    "cat\ndog\n",
		"nested/w.bin":  "weights, DVC 2",
		"nested/x/y.md": "# y\n",
	}
	objects, dirMD5 := dvcDirObjects(files, false)
	legacyObjects, legacyMD5 := dvcDirObjects(legacyFiles, true)
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", dvcConfig("../../storage"), 0o644)
	e.writeFile("repo/data.dvc", dvcDirFile("data", dirMD5, files, false), 0o644)
	e.writeFile("repo/old/tok.dvc", dvcDirFile("tok", legacyMD5, legacyFiles, true), 0o644)
	e.commitAll("repo", "track folders with DVC")
	e.writeObjects("storage", objects)
	e.writeObjects("storage", legacyObjects)
	e.annotateRegister("repo", map[string]string{
		"data": "data", "one": "data/sub/file.txt", "sub": "data/sub", "tok": "old/tok", "w": "old/tok/nested/w.bin",
	})

	out := e.mustModel("repo", "get", "data@v0.0.1", "-o", "../data")
	sameFiles(t, "get of a DVC directory", e.treeFiles("data"), files)
	size := 0
	for _, content := range files {
		size += len(content)
	}
	if want := fmt.Sprintf("Wrote data v0.0.1 to '../data/' (%d B, 5 files)\n", size); out != want {
		t.Errorf("get of a DVC directory: stdout %q, want %q", out, want)
	}
	r := e.getJSON("repo", e.freshCache("cache2"), "data", "-o", "../data-json")
	if r.Source != "dvc" || r.SHA256 != nil || r.Files != len(files) || r.Size != int64(size) || r.Path != "data" || r.Cached {
		t.Errorf("get --json of a DVC directory: %+v", r)
	}
	sameFiles(t, "get --json of a DVC directory", e.treeFiles("data-json"), files)

	// one file inside the directory: data.dvc tracks it
	r = e.getJSON("repo", nil, "one", "-o", "../file.txt")
	if r.Source != "dvc" || r.SHA256 == nil || *r.SHA256 != "sha256:"+sha256Hex(files["sub/file.txt"]) || r.Files != 1 || r.Path != "data/sub/file.txt" {
		t.Errorf("get --json of a file in a DVC directory: %+v", r)
	}
	if got := e.readFile("file.txt"); got != files["sub/file.txt"] {
		t.Errorf("get of a file in a DVC directory wrote %q", got)
	}
	// a subfolder of it, with its own subfolder
	e.mustModel("repo", "get", "sub", "-o", "../sub", "-q")
	sameFiles(t, "get of a folder in a DVC directory", e.treeFiles("sub"), map[string]string{
		"file.txt": files["sub/file.txt"], "b.txt": files["sub/b.txt"], "deeper/c.bin": files["sub/deeper/c.bin"],
	})

	// DVC 2: the manifest and the files at ab/cdef…
	e.mustModel("repo", "get", "tok", "-o", "../tok", "-q")
	sameFiles(t, "get of a DVC 2 directory", e.treeFiles("tok"), legacyFiles)
	e.mustModel("repo", "get", "w", "-o", "../w.bin", "-q")
	if got := e.readFile("w.bin"); got != legacyFiles["nested/w.bin"] {
		t.Errorf("get of a file in a DVC 2 directory wrote %q", got)
	}

	// a path inside the directory that it does not have
	e.mustModel("repo", "annotate", "none", "--path", "data/sub/none.txt", "--commit")
	e.mustModel("repo", "register", "none")
	e.failsOneLine("repo", nil, []string{"'data/sub/none.txt' is not in the DVC directory 'data'"}, "none", "-o", "../none.txt")
	e.assertNothingAt("none.txt")
}

// TestGetDVCLock: outs recorded in a dvc.lock (schema 2.0) rather than in a .dvc file: in the
// path's folder, and in a folder above the path's.
func TestGetDVCLock(t *testing.T) {
	e := newRemoteEnv(t)
	model := "model trained by the pipeline\n"
	nested := "nested pipeline output \x07\n"
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", dvcConfig("../../storage"), 0o644)
	e.writeFile("repo/train.py", "print('train')\n", 0o644)
	e.writeFile("repo/dvc.lock", fmt.Sprintf(`schema: '2.0'
stages:
  train:
    cmd: python train.py
    deps:
    - path: train.py
      hash: md5
      md5: %s
      size: 15
    outs:
    - path: model.pkl
      hash: md5
      md5: %s
      size: %d
`, md5Hex("print('train')\n"), md5Hex(model), len(model)), 0o644)
	e.writeFile("repo/pipelines/dvc.lock", fmt.Sprintf(`schema: '2.0'
stages:
  prepare:
    cmd: make
    outs:
    - path: out/model.bin
      hash: md5
      md5: %s
      size: %d
`, md5Hex(nested), len(nested)), 0o644)
	e.commitAll("repo", "pipeline")
	e.writeObjects("storage", dvcFileObjects(model, false))
	e.writeObjects("storage", dvcFileObjects(nested, false))
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "nested": "pipelines/out/model.bin"})

	r := e.getJSON("repo", nil, "model@v0.0.1", "-o", "../model.pkl")
	if r.Source != "dvc" || r.From != "model.pkl" || r.Size != int64(len(model)) || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json of a dvc.lock out: %+v", r)
	}
	if got := e.readFile("model.pkl"); got != model {
		t.Errorf("get of a dvc.lock out wrote %q", got)
	}
	e.mustModel("repo", "get", "nested", "-o", "../nested.bin", "-q")
	if got := e.readFile("nested.bin"); got != nested {
		t.Errorf("get of an out of pipelines/dvc.lock wrote %q", got)
	}
}

// TestGetDVCHTTP: a DVC remote over HTTP, serving the DVC 3 layout: a file and a directory;
// the second get of each is served from the download cache without a request.
func TestGetDVCHTTP(t *testing.T) {
	e := newRemoteEnv(t)
	srv := newModelServer(t)
	model := strings.Repeat("http model ", 500)
	files := map[string]string{"config.json": "{}\n", "weights/part-0": "w0", "weights/part-1": "w1"}
	objects, dirMD5 := dvcDirObjects(files, false)
	for p, content := range dvcFileObjects(model, false) {
		objects[p] = content
	}
	for p, content := range objects {
		srv.set("/dvc-store/"+p, content)
	}
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", dvcConfig(srv.URL+"/dvc-store"), 0o644)
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.writeFile("repo/bundle.dvc", dvcDirFile("bundle", dirMD5, files, false), 0o644)
	e.commitAll("repo", "track with DVC")
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "bundle": "bundle"})

	r := e.getJSON("repo", nil, "model@v0.0.1", "-o", "../model.pkl")
	if r.Source != "dvc" || r.Cached || r.Size != int64(len(model)) || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json from an HTTP DVC remote: %+v", r)
	}
	if got := e.readFile("model.pkl"); got != model {
		t.Error("get from an HTTP DVC remote wrote other bytes")
	}
	if srv.requests.Load() == 0 {
		t.Fatal("the HTTP DVC remote got no request")
	}
	before := srv.requests.Load()
	r = e.getJSON("repo", nil, "model@v0.0.1", "-o", "../again.pkl")
	if !r.Cached || srv.requests.Load() != before {
		t.Errorf("the second get: cached %v, %d requests", r.Cached, srv.requests.Load()-before)
	}
	if got := e.readFile("again.pkl"); got != model {
		t.Error("the second get wrote other bytes")
	}

	r = e.getJSON("repo", nil, "bundle", "-o", "../bundle")
	if r.Source != "dvc" || r.Cached || r.Files != 3 || r.SHA256 != nil {
		t.Errorf("get --json of a directory from an HTTP DVC remote: %+v", r)
	}
	sameFiles(t, "get of a directory over HTTP", e.treeFiles("bundle"), files)
	if got, want := srv.requests.Load()-before, int64(4); got != want { // the manifest and three files
		t.Errorf("get of a directory over HTTP sent %d requests, want %d", got, want)
	}
	before = srv.requests.Load()
	r = e.getJSON("repo", nil, "bundle", "-o", "../bundle-again")
	if !r.Cached || srv.requests.Load() != before {
		t.Errorf("the second get of a directory: cached %v, %d requests", r.Cached, srv.requests.Load()-before)
	}
	sameFiles(t, "the second get of a directory", e.treeFiles("bundle-again"), files)
}

// TestGetDVCIntegrity: bytes on the remote that are not the md5 DVC recorded, a manifest that
// is not its directory's, and objects missing from a local and an HTTP remote: exit 1, one
// line, nothing at -o and nothing left beside it; the bad bytes are not cached, so the get
// works once the remote is repaired.
func TestGetDVCIntegrity(t *testing.T) {
	e := newRemoteEnv(t)
	srv := newModelServer(t)
	model := "the genuine model\n"
	files := map[string]string{"a.txt": "aaa\n", "sub/b.txt": "bbb\n"}
	dirObjects, dirMD5 := dvcDirObjects(files, false)
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", "[core]\n    remote = local\n['remote \"local\"']\n    url = ../../storage\n"+
		"['remote \"web\"']\n    url = "+srv.URL+"/store\n", 0o644)
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.writeFile("repo/web.pkl.dvc", "outs:\n- md5: "+md5Hex(model)+"\n  size: "+fmt.Sprint(len(model))+"\n  hash: md5\n  path: web.pkl\n  remote: web\n", 0o644)
	e.writeFile("repo/data.dvc", dvcDirFile("data", dirMD5, files, false), 0o644)
	e.commitAll("repo", "track with DVC")
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "web": "web.pkl", "data": "data"})
	os.MkdirAll(e.path("outs"), 0o755)
	obj := dvcObjectPath(md5Hex(model), false)

	// other bytes at the object's place: of the same size, shorter, longer
	for _, bad := range []string{"the GENUINE model\n", "short", "the genuine model, and then some\n"} {
		e.writeFile(filepath.Join("storage", obj), bad, 0o644)
		e.failsOneLine("repo", nil, []string{"error: getting model (v0.0.1): ", "does not match", "md5:" + md5Hex(model), "; nothing written"},
			"model", "-o", "../outs/model.pkl")
		e.emptyFolder("outs")
	}
	// a file at -o stays as it was
	e.writeFile("outs/model.pkl", "previous", 0o644)
	e.failsOneLine("repo", nil, []string{"does not match", "nothing written"}, "model", "-o", "../outs/model.pkl")
	if got := e.readFile("outs/model.pkl"); got != "previous" {
		t.Errorf("a failed get changed the file at -o to %q", got)
	}
	os.Remove(e.path("outs/model.pkl"))
	// repaired: the tampered bytes were not kept
	e.writeFile(filepath.Join("storage", obj), model, 0o644)
	e.mustModel("repo", "get", "model", "-o", "../outs/model.pkl", "-q")
	if got := e.readFile("outs/model.pkl"); got != model {
		t.Errorf("get after the repair wrote %q", got)
	}
	os.Remove(e.path("outs/model.pkl"))

	// missing from the local remote
	empty := e.freshCache("cache-empty")
	os.Remove(e.path("storage", obj))
	e.failsOneLine("repo", empty, []string{"error: getting model (v0.0.1): ", obj, "is not in the DVC remote 'local'", "; nothing written"},
		"model", "-o", "../outs/model.pkl")
	e.emptyFolder("outs")

	// over HTTP (the out's own remote: web): 404, then other bytes
	e.failsOneLine("repo", empty, []string{"error: getting web (v0.0.1): ", "404", "; nothing written"}, "web", "-o", "../outs/web.pkl")
	e.emptyFolder("outs")
	for _, bad := range []string{"THE GENUINE MODEL\n", "served tampered\n"} {
		srv.set("/store/"+obj, bad)
		e.failsOneLine("repo", empty, []string{"error: getting web (v0.0.1): ", "does not match", "md5:" + md5Hex(model), "; nothing written"},
			"web", "-o", "../outs/web.pkl")
		e.emptyFolder("outs")
	}
	srv.set("/store/"+obj, model)
	e.mustModel("repo", "get", "web", "-o", "../outs/web.pkl", "-q")
	if got := e.readFile("outs/web.pkl"); got != model {
		t.Errorf("get from the out's remote wrote %q", got)
	}
	os.Remove(e.path("outs/web.pkl"))

	// a directory: a manifest whose md5 is not the out's; a file of it tampered; a file of it
	// missing. No folder is left at -o, not even a partial one.
	manifest := dvcObjectPath(dirMD5, false) + ".dir"
	e.writeObjects("storage", dirObjects)
	e.writeFile(filepath.Join("storage", manifest), dvcManifest(map[string]string{"a.txt": "aaa\n"}), 0o644)
	e.failsOneLine("repo", empty, []string{"error: getting data (v0.0.1): ", "does not match", "; nothing written"}, "data", "-o", "../outs/data")
	e.emptyFolder("outs")
	e.writeObjects("storage", dirObjects)
	e.writeFile(filepath.Join("storage", dvcObjectPath(md5Hex("bbb\n"), false)), "BBB\n", 0o644)
	e.failsOneLine("repo", empty, []string{"error: getting data (v0.0.1): ", "does not match", "md5:" + md5Hex("bbb\n"), "; nothing written"},
		"data", "-o", "../outs/data")
	e.emptyFolder("outs")
	os.Remove(e.path("storage", dvcObjectPath(md5Hex("bbb\n"), false)))
	e.failsOneLine("repo", empty, []string{"error: getting data (v0.0.1): ", "is not in the DVC remote", "; nothing written"},
		"data", "-o", "../outs/data")
	e.emptyFolder("outs")
	e.writeObjects("storage", dirObjects)
	e.mustModel("repo", "get", "data", "-o", "../outs/data", "-q")
	sameFiles(t, "get of the repaired directory", e.treeFiles("outs/data"), files)
}

// getS3Server is an in-memory S3 server on loopback that accepts only one access key, as S3
// refuses unknown keys (gofakes3 checks no signature), and counts the requests.
type getS3Server struct {
	URL      string
	backend  *s3mem.Backend
	requests atomic.Int64
}

const (
	getS3Key    = "AKIAGETTEST"
	getS3Secret = "get-s3-secret"
)

var getS3Credential = regexp.MustCompile(`Credential=([^/]+)/`)

func newGetS3Server(t *testing.T, buckets ...string) *getS3Server {
	t.Helper()
	s := &getS3Server{backend: s3mem.New()}
	for _, bucket := range buckets {
		if err := s.backend.CreateBucket(bucket); err != nil {
			t.Fatal(err)
		}
	}
	handler := gofakes3.New(s.backend).Server()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if m := getS3Credential.FindStringSubmatch(r.Header.Get("Authorization")); m == nil || m[1] != getS3Key {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidAccessKeyId</Code><Message>The AWS Access Key Id you provided does not exist in our records.</Message></Error>`)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	s.URL = server.URL
	return s
}

// put stores an object.
func (s *getS3Server) put(t *testing.T, bucket, key, content string) {
	t.Helper()
	meta := map[string]string{"Last-Modified": time.Now().UTC().Format(http.TimeFormat)}
	if _, err := s.backend.PutObject(bucket, key, meta, strings.NewReader(content), int64(len(content)), nil); err != nil {
		t.Fatal(err)
	}
}

// s3Env is the environment of a get from the fake server: its keys, and the endpoint unless
// "" (a DVC remote names its own).
func (s *getS3Server) env(endpoint string, extra ...string) []string {
	env := []string{"AWS_ACCESS_KEY_ID=" + getS3Key, "AWS_SECRET_ACCESS_KEY=" + getS3Secret, "AWS_REGION=us-east-1"}
	if endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+endpoint)
	}
	return append(env, extra...)
}

// TestGetS3 gets an annotated s3:// URL from a fake S3 server named by AWS_ENDPOINT_URL: the
// bytes, the cache (no request the second time), a missing key, refused credentials.
func TestGetS3(t *testing.T) {
	e := newRemoteEnv(t)
	s3 := newGetS3Server(t, "models")
	model := "churn model from S3 \x00\x01\n"
	s3.put(t, "models", "churn/model.pkl", model)
	e.newRepo("repo", 1)
	e.annotateRegister("repo", map[string]string{"churn": "s3://models/churn/model.pkl", "gone": "s3://models/churn/none.pkl"})
	env := s3.env(s3.URL)

	r := e.getJSON("repo", env, "churn@v0.0.1", "-o", "../model.pkl")
	if r.Source != "s3" || r.Cached || r.From != "s3://models/churn/model.pkl" || r.Path != "s3://models/churn/model.pkl" ||
		r.Size != int64(len(model)) || r.SHA256 == nil || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json of an s3:// URL: %+v", r)
	}
	if got := e.readFile("model.pkl"); got != model {
		t.Errorf("get of an s3:// URL wrote %q", got)
	}
	// no -o: the key's last name
	if res := e.run("repo", env, "git", "model", "get", "churn", "-q"); res.code != 0 || res.stderr != "" {
		t.Fatalf("get of an s3:// URL without -o: exit %d, stderr %q", res.code, res.stderr)
	}
	if got := e.readFile("repo/model.pkl"); got != model {
		t.Errorf("get of an s3:// URL without -o wrote %q", got)
	}
	before := s3.requests.Load()
	r = e.getJSON("repo", env, "churn", "-o", "../again.pkl")
	if !r.Cached || s3.requests.Load() != before || e.readFile("again.pkl") != model {
		t.Errorf("the second get of an s3:// URL: cached %v, %d requests", r.Cached, s3.requests.Load()-before)
	}

	e.failsOneLine("repo", env, []string{"error: getting gone (v0.0.1): ", "s3://models/churn/none.pkl: not found", "; nothing written"},
		"gone", "-o", "../gone.pkl")
	e.assertNothingAt("gone.pkl")
	// other keys: refused, with an empty cache so that the server is asked
	other := append(e.freshCache("cache-other"), "AWS_ACCESS_KEY_ID=AKIAOTHER", "AWS_SECRET_ACCESS_KEY=x", "AWS_ENDPOINT_URL="+s3.URL)
	e.failsOneLine("repo", other, []string{"access denied", "; nothing written"}, "churn", "-o", "../denied.pkl")
	e.assertNothingAt("denied.pkl")
}

// TestGetS3DVCRemote: a DVC remote url = s3://bucket/prefix with its own endpointurl (no
// AWS_ENDPOINT_URL): a file and a directory, a missing object.
func TestGetS3DVCRemote(t *testing.T) {
	e := newRemoteEnv(t)
	s3 := newGetS3Server(t, "dvc-bucket")
	model := "model in a DVC S3 remote\n"
	files := map[string]string{"a.txt": "a from s3\n", "sub/b.txt": "b from s3\n"}
	objects, dirMD5 := dvcDirObjects(files, false)
	for p, content := range dvcFileObjects(model, false) {
		objects[p] = content
	}
	for p, content := range objects {
		s3.put(t, "dvc-bucket", "prefix/"+p, content)
	}
	missing := "never pushed\n"
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", dvcConfig("s3://dvc-bucket/prefix", "endpointurl = "+s3.URL, "region = us-east-1"), 0o644)
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.writeFile("repo/data.dvc", dvcDirFile("data", dirMD5, files, false), 0o644)
	e.writeFile("repo/missing.pkl.dvc", dvcFile("missing.pkl", md5Hex(missing), len(missing), false), 0o644)
	e.commitAll("repo", "track with DVC")
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "data": "data", "missing": "missing.pkl"})
	env := s3.env("")

	r := e.getJSON("repo", env, "model@v0.0.1", "-o", "../model.pkl")
	if r.Source != "dvc" || r.Cached || r.Size != int64(len(model)) || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json from an S3 DVC remote: %+v", r)
	}
	if got := e.readFile("model.pkl"); got != model {
		t.Errorf("get from an S3 DVC remote wrote %q", got)
	}
	if res := e.run("repo", env, "git", "model", "get", "data", "-o", "../data", "-q"); res.code != 0 || res.stderr != "" {
		t.Fatalf("get of a directory from an S3 DVC remote: exit %d, stderr %q", res.code, res.stderr)
	}
	sameFiles(t, "get of a directory from an S3 DVC remote", e.treeFiles("data"), files)
	before := s3.requests.Load()
	if r := e.getJSON("repo", env, "model", "-o", "../again.pkl"); !r.Cached || s3.requests.Load() != before {
		t.Errorf("the second get from an S3 DVC remote: cached %v, %d requests", r.Cached, s3.requests.Load()-before)
	}
	e.failsOneLine("repo", env, []string{"error: getting missing (v0.0.1): ", "s3://dvc-bucket/prefix/files/md5/", "not found", "; nothing written"},
		"missing", "-o", "../missing.pkl")
	e.assertNothingAt("missing.pkl")
}

// TestGetDVCLocalCache: the work tree's DVC cache (.dvc/cache, as dvc pull leaves it) is read
// before the remote, which is empty here: DVC 3 and DVC 2 layouts, a file and a directory.
func TestGetDVCLocalCache(t *testing.T) {
	e := newRemoteEnv(t)
	model := "model in the local DVC cache\n"
	legacy := "legacy model in the local DVC cache\n"
	files := map[string]string{"x.txt": "x\n", "y/z.txt": "z\n"}
	dirObjects, dirMD5 := dvcDirObjects(files, false)
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/.dvc/config", dvcConfig("../../storage"), 0o644)
	e.writeFile("repo/.dvc/.gitignore", "/cache\n", 0o644)
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.writeFile("repo/legacy.pkl.dvc", dvcFile("legacy.pkl", md5Hex(legacy), len(legacy), true), 0o644)
	e.writeFile("repo/data.dvc", dvcDirFile("data", dirMD5, files, false), 0o644)
	e.commitAll("repo", "track with DVC")
	e.annotateRegister("repo", map[string]string{"model": "model.pkl", "legacy": "legacy.pkl", "data": "data"})
	os.MkdirAll(e.path("storage"), 0o755) // the remote, empty
	e.writeObjects("repo/.dvc/cache", dvcFileObjects(model, false))
	e.writeObjects("repo/.dvc/cache", dvcFileObjects(legacy, true))
	e.writeObjects("repo/.dvc/cache", dirObjects)

	r := e.getJSON("repo", nil, "model@v0.0.1", "-o", "../model.pkl")
	if r.Source != "dvc" || r.Size != int64(len(model)) || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json from the local DVC cache: %+v", r)
	}
	if got := e.readFile("model.pkl"); got != model {
		t.Errorf("get from the local DVC cache wrote %q", got)
	}
	e.mustModel("repo", "get", "legacy", "-o", "../legacy.pkl", "-q")
	if got := e.readFile("legacy.pkl"); got != legacy {
		t.Errorf("get of a DVC 2 out from the local DVC cache wrote %q", got)
	}
	// from a subfolder of the work tree too
	os.MkdirAll(e.path("repo/sub"), 0o755)
	e.mustModel("repo/sub", "get", "data", "-o", "../../data", "-q")
	sameFiles(t, "get of a directory from the local DVC cache", e.treeFiles("data"), files)

	// a damaged copy in the local cache (a DVC link cache whose file was edited in place) is
	// passed over for the remote's good one, of the same size or not
	for _, damaged := range []string{strings.ToUpper(model), "edited in place"} {
		e.writeObjects("repo/.dvc/cache", map[string]string{dvcObjectPath(md5Hex(model), false): damaged})
		e.writeObjects("storage", dvcFileObjects(model, false))
		if r := e.getJSON("repo", e.freshCache("cache-damaged-"+fmt.Sprint(len(damaged))), "model", "-o", "../repaired.pkl"); r.Cached || e.readFile("repaired.pkl") != model {
			t.Errorf("get with a damaged local DVC cache: %+v, wrote %q", r, e.readFile("repaired.pkl"))
		}
		os.RemoveAll(e.path("storage"))
		os.MkdirAll(e.path("storage"), 0o755)
	}

	// without the local cache (and with an empty download cache) the empty remote is asked
	os.RemoveAll(e.path("repo/.dvc/cache"))
	e.failsOneLine("repo", e.freshCache("cache-empty"), []string{"is not in the DVC remote 'storage'", "; nothing written"},
		"model", "-o", "../nothing.pkl")
	e.assertNothingAt("nothing.pkl")
}

// TestGetDVCUnsupportedRemote: DVC remotes get does not read (gs, azure, ssh) are an error
// naming the scheme; so are a missing .dvc/config and an unknown remote.
func TestGetDVCUnsupportedRemote(t *testing.T) {
	e := newRemoteEnv(t)
	model := "model on a remote get cannot read\n"
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/model.pkl.dvc", dvcFile("model.pkl", md5Hex(model), len(model), false), 0o644)
	e.commitAll("repo", "no DVC config")
	e.annotateRegister("repo", map[string]string{"model": "model.pkl"})
	os.MkdirAll(e.path("outs"), 0o755)
	e.failsOneLine("repo", nil, []string{"error: ", "no .dvc/config at commit"}, "model@v0.0.1", "-o", "../outs/model.pkl")
	for i, scheme := range []string{"gs", "azure", "ssh"} {
		e.writeFile("repo/.dvc/config", dvcConfig(scheme+"://bucket/path"), 0o644)
		e.commitAll("repo", scheme)
		e.mustModel("repo", "register", "model")
		version := fmt.Sprintf("v0.0.%d", i+2)
		e.failsOneLine("repo", nil, []string{"error: ", "DVC remote 'storage' is a " + scheme + ":// remote"}, "model@"+version, "-o", "../outs/model.pkl")
	}
	e.writeFile("repo/model.pkl.dvc", "outs:\n- md5: "+md5Hex(model)+"\n  hash: md5\n  path: model.pkl\n  remote: elsewhere\n", 0o644)
	e.commitAll("repo", "unknown remote")
	e.mustModel("repo", "register", "model")
	e.failsOneLine("repo", nil, []string{"error: ", "unknown DVC remote 'elsewhere'"}, "model@v0.0.5", "-o", "../outs/model.pkl")
	e.emptyFolder("outs")
}
