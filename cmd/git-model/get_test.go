package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// git model get against real sources: files and folders committed in the repository, Git LFS
// objects made by the git lfs client and served by an LFS batch API on loopback, and plain
// URLs served by a Go HTTP server. The DVC and S3 sources are in get_dvc_test.go.

// getResult is what `get --json` prints.
type getResult struct {
	Artifact string  `json:"artifact"`
	Cached   bool    `json:"cached"`
	Commit   string  `json:"commit"`
	Files    int     `json:"files"`
	From     string  `json:"from"`
	Output   string  `json:"output"`
	Path     string  `json:"path"`
	SHA256   *string `json:"sha256"`
	Size     int64   `json:"size"`
	Source   string  `json:"source"`
	Version  string  `json:"version"`
}

// getJSON runs `git model get ARGS… --json` in dir and decodes its answer.
func (e *remoteEnv) getJSON(dir string, extra []string, args ...string) getResult {
	e.t.Helper()
	res := e.run(dir, extra, "git", append([]string{"model", "get", "--json"}, args...)...)
	if res.code != 0 || res.stderr != "" {
		e.t.Fatalf("get %s: exit %d, stderr %q", strings.Join(args, " "), res.code, res.stderr)
	}
	var r getResult
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		e.t.Fatalf("get --json: %v: %q", err, res.stdout)
	}
	return r
}

// readFile returns the content of a file of the work directory, failing the test without one.
func (e *remoteEnv) readFile(name string) string {
	e.t.Helper()
	data, err := os.ReadFile(e.path(name))
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// assertNothingAt fails when a failed get left anything at name, or a temporary file beside it.
func (e *remoteEnv) assertNothingAt(name string) {
	e.t.Helper()
	if _, err := os.Lstat(e.path(name)); err == nil {
		e.t.Errorf("a failed get left %s", name)
	}
	entries, _ := os.ReadDir(filepath.Dir(e.path(name)))
	for _, entry := range entries {
		if strings.Contains(entry.Name(), ".tmp-") {
			e.t.Errorf("a failed get left the temporary file %s", entry.Name())
		}
	}
}

// failsOneLine runs a get that must fail with exit 1 and one line containing each of want.
func (e *remoteEnv) failsOneLine(dir string, extra []string, want []string, args ...string) {
	e.t.Helper()
	res := e.run(dir, extra, "git", append([]string{"model", "get"}, args...)...)
	if res.code != 1 {
		e.t.Errorf("get %s: exit %d, want 1 (stderr %q)", strings.Join(args, " "), res.code, res.stderr)
	}
	oneLine(e.t, "get "+strings.Join(args, " "), res.stderr)
	for _, w := range want {
		if !strings.Contains(res.stderr, w) {
			e.t.Errorf("get %s: stderr %q does not say %q", strings.Join(args, " "), res.stderr, w)
		}
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestGetCommitted writes a committed file and folder of a version: the bytes of the
// version's commit, not of the work tree; -o as a file, a folder, standard output; a plain
// NAME is the latest version; through a --repo mirror too.
func TestGetCommitted(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "repo")
	e.writeFile("repo/models/segm.pt", "weights v1\n", 0o644)
	e.writeFile("repo/models/tok/vocab.txt", "a b c\n", 0o644)
	e.writeFile("repo/models/tok/sub/merges.txt", "ab\n", 0o644)
	e.git("repo", "add", ".")
	e.git("repo", "commit", "-q", "-m", "models")
	e.mustModel("repo", "annotate", "segm", "--path", "models/segm.pt", "--commit")
	e.mustModel("repo", "annotate", "tok", "--path", "models/tok", "--commit")
	e.mustModel("repo", "register", "segm")
	e.mustModel("repo", "register", "tok")
	e.mustModel("repo", "promote", "segm", "prod", "--version", "v0.0.1")
	e.writeFile("repo/models/segm.pt", "weights v2\n", 0o644)
	e.git("repo", "commit", "-q", "-am", "v2")
	e.mustModel("repo", "register", "segm")

	out := e.mustModel("repo", "get", "segm#prod", "-o", "../prod.pt")
	if got := e.readFile("prod.pt"); got != "weights v1\n" {
		t.Errorf("get segm#prod wrote %q", got)
	}
	if want := "Wrote segm v0.0.1 to '../prod.pt' (11 B, sha256:" + sha256Hex("weights v1\n") + ")\n"; out != want {
		t.Errorf("get: stdout %q, want %q", out, want)
	}
	// plain NAME: the latest version, to the path's name in the current folder
	r := e.getJSON("repo", nil, "segm")
	if r.Version != "v0.0.2" || r.Source != "git" || r.Path != "models/segm.pt" || r.Output != e.path("repo", "segm.pt") ||
		r.SHA256 == nil || *r.SHA256 != "sha256:"+sha256Hex("weights v2\n") || r.Size != 11 || r.Files != 1 {
		t.Errorf("get segm --json: %+v", r)
	}
	if got := e.readFile("repo/segm.pt"); got != "weights v2\n" {
		t.Errorf("get segm wrote %q", got)
	}
	// -o an existing folder: the file goes in it; a second get replaces the file
	os.MkdirAll(e.path("deploy"), 0o755)
	e.mustModel("repo", "get", "segm@v0.0.1", "-o", "../deploy")
	e.mustModel("repo", "get", "segm@v0.0.2", "-o", "../deploy", "-q")
	if got := e.readFile("deploy/segm.pt"); got != "weights v2\n" {
		t.Errorf("get -o FOLDER wrote %q", got)
	}
	// -o -: the bytes on standard output, the summary on standard error
	res := e.model("repo", "get", "segm@v0.0.1", "-o", "-")
	if res.code != 0 || res.stdout != "weights v1\n" || !strings.HasPrefix(res.stderr, "Wrote segm v0.0.1 to standard output") {
		t.Errorf("get -o -: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	// a folder, with its subfolders
	r = e.getJSON("repo", nil, "tok@v0.0.1", "-o", "../tok")
	if r.Files != 2 || r.SHA256 != nil || r.Size != 9 {
		t.Errorf("get tok --json: %+v", r)
	}
	if e.readFile("tok/vocab.txt") != "a b c\n" || e.readFile("tok/sub/merges.txt") != "ab\n" {
		t.Error("get of a folder wrote other files")
	}
	// a folder that exists and is not empty is kept as it is
	e.failsOneLine("repo", nil, []string{"tok"}, "tok@v0.0.1", "-o", "../tok")
	if e.readFile("tok/vocab.txt") != "a b c\n" {
		t.Error("a refused get changed the folder")
	}

	// through the mirror of a git:// URL, from anywhere
	e.git("", "clone", "-q", "--bare", "repo", "srv/repo.git")
	url := e.startGitDaemon(e.path("srv")) + "/repo.git"
	os.MkdirAll(e.path("elsewhere"), 0o755)
	e.mustModel("elsewhere", "-R", url, "get", "segm#prod", "-o", "m.pt", "-q")
	if got := e.readFile("elsewhere/m.pt"); got != "weights v1\n" {
		t.Errorf("get -R URL wrote %q", got)
	}
}

// TestGetErrors: what get refuses, with one line and exit 1, leaving nothing behind.
func TestGetErrors(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	e.mustModel("repo", "annotate", "nopath", "--type", "model", "--commit")
	e.mustModel("repo", "annotate", "gcs", "--path", "gs://bucket/model.pt", "--commit")
	e.mustModel("repo", "annotate", "gone", "--path", "models/missing.pt", "--commit")
	e.mustModel("repo", "annotate", "escape", "--path", "../outside.pt", "--commit")
	for _, a := range []string{"nopath", "gcs", "gone", "escape"} {
		e.mustModel("repo", "register", a)
	}
	res := e.model("repo", "get", "nopath", "-o", "../x")
	if res.code != 1 || !strings.HasPrefix(res.stderr, "error: nopath (v0.0.1) has no path annotated in artifacts.yaml") ||
		!strings.Contains(res.stderr, "\nhint: annotate it and commit: git model annotate nopath --path PATH --commit\n") {
		t.Errorf("get of an artifact without a path: exit %d, stderr %q", res.code, res.stderr)
	}
	e.failsOneLine("repo", nil, []string{"unknown scheme 'gs'"}, "gcs", "-o", "../x")
	e.failsOneLine("repo", nil, []string{"models/missing.pt", "no .dvc file or dvc.lock"}, "gone", "-o", "../x")
	e.failsOneLine("repo", nil, []string{"leads out"}, "escape", "-o", "../x")
	e.failsOneLine("repo", nil, []string{"names no version"}, "gone@v9.0.0", "-o", "../x")
	e.failsOneLine("repo", nil, []string{"unknown artifact"}, "nothing", "-o", "../x")
	e.assertNothingAt("x")
	if res = e.model("repo", "get"); res.code != 129 {
		t.Errorf("get without NAME: exit %d, want 129", res.code)
	}
}

// modelServer is a Go HTTP server of model files on loopback, counting the requests.
type modelServer struct {
	*httptest.Server
	mu       sync.Mutex
	files    map[string]string
	requests atomic.Int64
}

func newModelServer(t *testing.T) *modelServer {
	s := &modelServer{files: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		body, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		switch {
		case r.URL.Path == "/private/model.pt" && r.Header.Get("Authorization") == "":
			w.WriteHeader(http.StatusUnauthorized)
		case strings.HasPrefix(r.URL.Path, "/slow/") && ok:
			// in 64 KiB pieces, 5 ms apart: long enough for a progress line to be drawn
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			for i := 0; i < len(body); i += 64 << 10 {
				io.WriteString(w, body[i:min(len(body), i+64<<10)])
				w.(http.Flusher).Flush()
				time.Sleep(5 * time.Millisecond)
			}
		case r.URL.Path == "/hang.pt":
			// half the body, then nothing until the client goes away
			w.Header().Set("Content-Length", "2000000")
			io.WriteString(w, strings.Repeat("x", 1000000))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case r.URL.Path == "/truncated.pt":
			w.Header().Set("Content-Length", "100000")
			io.WriteString(w, strings.Repeat("x", 1000)) // then the connection closes early
		case !ok:
			http.NotFound(w, r)
		default:
			io.WriteString(w, body)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *modelServer) set(path, body string) {
	s.mu.Lock()
	s.files[path] = body
	s.mu.Unlock()
}

// TestGetURL downloads an https-style URL: the bytes, the cache (the second get sends no
// request; --refresh does), the annotated checksum, and the failures that must leave nothing
// at -o: 404, a body cut short, a digest that does not match, credentials refused.
func TestGetURL(t *testing.T) {
	e := newRemoteEnv(t)
	srv := newModelServer(t)
	model := strings.Repeat("model bytes ", 1000)
	srv.set("/models/segm.pt", model)
	e.newRepo("repo", 1)
	e.mustModel("repo", "annotate", "segm", "--path", srv.URL+"/models/segm.pt", "--commit")
	e.mustModel("repo", "register", "segm")

	r := e.getJSON("repo", nil, "segm@v0.0.1", "-o", "../model.pt")
	if r.Source != "http" || r.Cached || r.Size != int64(len(model)) || *r.SHA256 != "sha256:"+sha256Hex(model) {
		t.Errorf("get --json of a URL: %+v", r)
	}
	if e.readFile("model.pt") != model {
		t.Error("get of a URL wrote other bytes")
	}
	before := srv.requests.Load()
	r = e.getJSON("repo", nil, "segm@v0.0.1", "-o", "../again.pt")
	if !r.Cached || srv.requests.Load() != before || e.readFile("again.pt") != model {
		t.Errorf("the second get: cached %v, %d requests", r.Cached, srv.requests.Load()-before)
	}
	srv.set("/models/segm.pt", "retrained")
	r = e.getJSON("repo", nil, "segm@v0.0.1", "-o", "../again.pt", "--refresh")
	if r.Cached || srv.requests.Load() != before+1 || e.readFile("again.pt") != "retrained" {
		t.Errorf("get --refresh: cached %v, %d requests, wrote %q", r.Cached, srv.requests.Load()-before, e.readFile("again.pt"))
	}

	// an annotated checksum: the cache has those bytes, so no request; with an empty cache,
	// the server's other bytes are refused
	e.mustModel("repo", "annotate", "segm", "--checksum", "sha256:"+sha256Hex(model), "--commit")
	e.mustModel("repo", "register", "segm")
	before = srv.requests.Load()
	if r := e.getJSON("repo", nil, "segm@v0.0.2", "-o", "../checked.pt"); !r.Cached || srv.requests.Load() != before || e.readFile("checked.pt") != model {
		t.Errorf("get of a checked URL whose bytes are cached: %+v, %d requests", r, srv.requests.Load()-before)
	}
	empty := []string{"XDG_CACHE_HOME=" + e.path("cache-empty")}
	e.failsOneLine("repo", empty, []string{"getting segm@v0.0.2 (v0.0.2)", "does not match", "sha256:" + sha256Hex(model), "nothing written"},
		"segm@v0.0.2", "-o", "../mismatch.pt")
	e.assertNothingAt("mismatch.pt")

	// 404, cut short, refused
	for _, tt := range []struct{ path, want string }{
		{"/models/none.pt", "404 Not Found"},
		{"/truncated.pt", "cut short"},
		{"/private/model.pt", "401 Unauthorized"},
	} {
		e.mustModel("repo", "annotate", "bad", "--path", srv.URL+tt.path, "--commit")
		e.mustModel("repo", "register", "bad")
		e.failsOneLine("repo", nil, []string{tt.want, "nothing written"}, "bad", "-o", "../bad.pt")
		e.assertNothingAt("bad.pt")
	}
	// a file at -o is kept as it was when the get fails
	e.writeFile("bad.pt", "previous model", 0o644)
	e.failsOneLine("repo", nil, []string{"401"}, "bad", "-o", "../bad.pt")
	if e.readFile("bad.pt") != "previous model" {
		t.Error("a failed get changed the file at -o")
	}
}

// TestAnnotateChecksum: --checksum alone hashes the file at the path in the work tree; the
// digest lands in custom.checksum, where GTO reads custom data.
func TestAnnotateChecksum(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	e.writeFile("repo/sub/model.bin", "0123456789", 0o644)
	e.mustModel("repo", "annotate", "sub:m", "--path", "model.bin", "--checksum")
	want := "sha256:" + sha256Hex("0123456789")
	if got := e.readFile("repo/sub/artifacts.yaml"); !strings.Contains(got, "custom:\n    checksum: "+want+"\n") {
		t.Errorf("sub/artifacts.yaml after --checksum:\n%s", got)
	}
	upper := "SHA256:" + strings.ToUpper(sha256Hex("other"))
	e.mustModel("repo", "annotate", "sub:m", "--checksum", upper)
	if got := e.readFile("repo/sub/artifacts.yaml"); !strings.Contains(got, "checksum: sha256:"+sha256Hex("other")+"\n") {
		t.Errorf("--checksum SHA256:HEX with a space:\n%s", got)
	}
	for _, args := range [][]string{
		{"annotate", "m", "--checksum=sha256:abc"},
		{"annotate", "m", "--checksum=crc32:00000000"},
	} {
		if res := e.model("repo", args...); res.code != 129 || !strings.Contains(res.stderr, "--checksum") {
			t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
		}
	}
	res := e.model("repo", "annotate", "u", "--path", "https://example.com/m.pt", "--checksum")
	if res.code != 1 || !strings.Contains(res.stderr, "not the URL") {
		t.Errorf("--checksum alone for a URL: exit %d, stderr %q", res.code, res.stderr)
	}
	res = e.model("repo", "annotate", "n", "--path", "none.bin", "--checksum")
	if res.code != 1 || !strings.Contains(res.stderr, "none.bin") {
		t.Errorf("--checksum alone without the file: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(e.path("repo/artifacts.yaml")); err == nil {
		t.Error("a refused annotate wrote artifacts.yaml")
	}
}

// lfsServer is a Git LFS server on loopback: the batch API at /repo.git/info/lfs (basic
// authentication as user:password) and the objects at /objects/OID (with the header the
// batch answer hands out), serving what objects holds.
type lfsServer struct {
	*httptest.Server
	password string
	objects  map[string]string
	batches  atomic.Int64
	gets     atomic.Int64
}

func newLFSServer(t *testing.T, password string, objects map[string]string) *lfsServer {
	s := &lfsServer{password: password, objects: objects}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/repo.git/info/lfs/objects/batch":
			s.batches.Add(1)
			if user, pw, ok := r.BasicAuth(); !ok || user != "user" || pw != s.password {
				w.Header().Set("LFS-Authenticate", `Basic realm="lfs"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			var req struct {
				Objects []struct {
					OID  string `json:"oid"`
					Size int64  `json:"size"`
				} `json:"objects"`
			}
			json.NewDecoder(r.Body).Decode(&req)
			var objs []map[string]any
			for _, o := range req.Objects {
				if _, ok := s.objects[o.OID]; !ok {
					objs = append(objs, map[string]any{"oid": o.OID, "size": o.Size, "error": map[string]any{"code": 404, "message": "Object does not exist"}})
					continue
				}
				objs = append(objs, map[string]any{"oid": o.OID, "size": o.Size, "actions": map[string]any{
					"download": map[string]any{"href": s.URL + "/objects/" + o.OID, "header": map[string]string{"Authorization": "RemoteAuth token-" + o.OID[:8]}},
				}})
			}
			w.Header().Set("Content-Type", "application/vnd.git-lfs+json")
			json.NewEncoder(w).Encode(map[string]any{"transfer": "basic", "objects": objs, "hash_algo": "sha256"})
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/objects/"):
			s.gets.Add(1)
			oid := strings.TrimPrefix(r.URL.Path, "/objects/")
			if len(oid) < 8 || r.Header.Get("Authorization") != "RemoteAuth token-"+oid[:8] {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			body, ok := s.objects[oid]
			if !ok {
				http.NotFound(w, r)
				return
			}
			io.WriteString(w, body)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestGetLFS gets a file committed with the git lfs client: from the local LFS store, from a
// local remote's store, and through the batch API of an HTTP remote with the password of
// Git's credential helper; checked against the pointer's sha256, cached, and refused with one
// line when the server refuses the credentials or serves other bytes.
func TestGetLFS(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "repo")
	e.git("repo", "lfs", "install", "--local")
	e.git("repo", "lfs", "track", "*.bin")
	model := strings.Repeat("\x00\x01lfs model ", 5000)
	e.writeFile("repo/models/model.bin", model, 0o644)
	e.git("repo", "add", ".")
	e.git("repo", "commit", "-q", "-m", "lfs model")
	pointer := e.git("repo", "cat-file", "-p", "HEAD:models/model.bin")
	if !strings.HasPrefix(pointer, "version https://git-lfs.github.com/spec/v1\n") {
		t.Fatalf("git lfs did not commit a pointer: %q", pointer)
	}
	oid := sha256Hex(model)
	e.mustModel("repo", "annotate", "segm", "--path", "models/model.bin", "--commit")
	e.mustModel("repo", "register", "segm")

	// the local store of the repository (each step has a cache of its own)
	r := e.getJSON("repo", []string{"XDG_CACHE_HOME=" + e.path("cache-local")}, "segm", "-o", "../local.bin")
	if r.Source != "git-lfs" || *r.SHA256 != "sha256:"+oid || e.readFile("local.bin") != model {
		t.Errorf("get from the local LFS store: %+v", r)
	}

	// a clone without the objects, whose remote is the local repository: its store
	e.run("", []string{"GIT_LFS_SKIP_SMUDGE=1"}, "git", "clone", "-q", "repo", "clone")
	e.git("clone", "fetch", "-q", "origin", "refs/tags/*:refs/tags/*")
	if _, err := os.Stat(e.path("clone/.git/lfs/objects", oid[:2], oid[2:4], oid)); err == nil {
		t.Fatal("the clone has the LFS object: the test tests nothing")
	}
	cacheless := []string{"XDG_CACHE_HOME=" + e.path("cache-local-remote")}
	if r := e.getJSON("clone", cacheless, "segm", "-o", "../from-remote-store.bin"); r.Cached || e.readFile("from-remote-store.bin") != model {
		t.Errorf("get from a local remote's LFS store: %+v", r)
	}

	// a damaged object in the clone's own store is passed over for the remote's
	e.writeFile(e.path("clone/.git/lfs/objects", oid[:2], oid[2:4], oid), strings.ToUpper(model), 0o644)
	if r := e.getJSON("clone", []string{"XDG_CACHE_HOME=" + e.path("cache-damaged")}, "segm", "-o", "../repaired.bin"); e.readFile("repaired.bin") != model {
		t.Errorf("get with a damaged local LFS object: %+v", r)
	}
	os.Remove(e.path("clone/.git/lfs/objects", oid[:2], oid[2:4], oid))

	// an HTTP remote: the batch API, with the credential helper's password
	srv := newLFSServer(t, "secret", map[string]string{oid: model})
	e.git("clone", "remote", "set-url", "origin", srv.URL+"/repo.git")
	e.git("", "config", "--global", "credential.helper", credentialHelper("secret"))
	r = e.getJSON("clone", nil, "segm", "-o", "../from-server.bin")
	if r.Cached || e.readFile("from-server.bin") != model || srv.gets.Load() != 1 {
		t.Errorf("get through the batch API: %+v, %d downloads", r, srv.gets.Load())
	}
	batches, gets := srv.batches.Load(), srv.gets.Load()
	if r := e.getJSON("clone", nil, "segm", "-o", "../again.bin"); !r.Cached || srv.batches.Load() != batches || srv.gets.Load() != gets {
		t.Errorf("the second get asked the server again: %+v", r)
	}

	// a fresh cache: refused credentials, then other bytes, leave nothing
	fresh := []string{"XDG_CACHE_HOME=" + e.path("cache2"), "GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=credential.helper", "GIT_CONFIG_VALUE_1=" + credentialHelper("wrong")}
	e.failsOneLine("clone", fresh, []string{"refused credentials", "nothing written"}, "segm", "-o", "../refused.bin")
	e.assertNothingAt("refused.bin")
	if strings.Contains(e.readFile("clone/.git/config"), "wrong") {
		t.Error("the refused password was written to the config")
	}
	srv.objects[oid] = strings.Replace(model, "lfs", "LFS", 1)
	e.failsOneLine("clone", fresh[:1], []string{"nothing written"}, "segm", "-o", "../tampered.bin")
	e.assertNothingAt("tampered.bin")
	delete(srv.objects, oid)
	e.failsOneLine("clone", fresh[:1], []string{"not found", "nothing written"}, "segm", "-o", "../missing.bin")
	e.assertNothingAt("missing.bin")

	// lfs.url names the server whatever the remote
	e.git("clone", "remote", "set-url", "origin", "https://git.invalid/repo.git")
	srv.objects[oid] = model
	e.git("clone", "config", "lfs.url", srv.URL+"/repo.git/info/lfs")
	if r := e.getJSON("clone", fresh[:1], "segm", "-o", "../lfsurl.bin"); r.Cached || e.readFile("lfsurl.bin") != model {
		t.Errorf("get with lfs.url: %+v", r)
	}
}

// TestGetProgress: a download of several megabytes draws a progress line on a terminal (a real
// pseudo-terminal, through util-linux script), and nothing when stderr is a pipe or with
// --quiet.
func TestGetProgress(t *testing.T) {
	e := newRemoteEnv(t)
	srv := newModelServer(t)
	big := strings.Repeat("0123456789abcdef", 6<<16) // 6 MiB
	srv.set("/slow/big.bin", big)
	e.newRepo("repo", 1)
	e.mustModel("repo", "annotate", "big", "--path", srv.URL+"/slow/big.bin", "--commit")
	e.mustModel("repo", "register", "big")

	onTerminal := func(name string, args ...string) string {
		t.Helper()
		cmdline := "git model get big -o " + name + " " + strings.Join(args, " ")
		res := e.run("repo", []string{"TERM=xterm", "XDG_CACHE_HOME=" + e.path("cache-"+name)}, "script", "-qec", cmdline, "/dev/null")
		if res.code != 0 {
			t.Fatalf("%s on a terminal: exit %d\n%s%s", cmdline, res.code, res.stdout, res.stderr)
		}
		if e.readFile("repo/"+name) != big {
			t.Errorf("%s on a terminal wrote other bytes", cmdline)
		}
		return strings.ReplaceAll(res.stdout, "\r\n", "\n")
	}
	shown := onTerminal("a.bin")
	if !strings.Contains(shown, "\rbig.bin: ") || !strings.Contains(shown, "/ 6.0 MiB  100%") || !strings.Contains(shown, ", done.\n") {
		t.Errorf("no progress line on a terminal: %q", shown)
	}
	if !strings.Contains(shown, "Wrote big v0.0.1 to 'a.bin'") {
		t.Errorf("no summary on a terminal: %q", shown)
	}
	if shown := onTerminal("b.bin", "--quiet"); shown != "" {
		t.Errorf("get --quiet on a terminal showed %q", shown)
	}
	res := e.run("repo", []string{"XDG_CACHE_HOME=" + e.path("cache-piped")}, "git", "model", "get", "big", "-o", "c.bin")
	if res.code != 0 || res.stderr != "" {
		t.Errorf("get piped: exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestGetInterrupted: Ctrl-C (SIGINT) or SIGTERM during a download ends get with exit 130 and
// leaves nothing behind: no output, no temporary file beside it, nothing half-kept in the cache.
func TestGetInterrupted(t *testing.T) {
	e := newRemoteEnv(t)
	srv := newModelServer(t)
	e.newRepo("repo", 1)
	e.mustModel("repo", "annotate", "stuck", "--path", srv.URL+"/hang.pt", "--commit")
	e.mustModel("repo", "register", "stuck")
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd := exec.Command(filepath.Join(binDir, "git-model"), "get", "stuck", "-o", "out/model.pt")
		cmd.Dir = e.path("repo")
		cmd.Env = e.vars
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		for _, dir := range []string{"repo/out", "cache"} {
			if err := os.MkdirAll(e.path(dir), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := srv.requests.Load()
		for deadline := time.Now().Add(time.Minute); srv.requests.Load() == before && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // the first half of the body on its way
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			t.Fatalf("get did not stop on %v", sig)
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("get stopped by %v: exit %d, want 130; stderr %q", sig, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "goroutine") || strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 {
			t.Errorf("get stopped by %v: stderr is not one line: %q", sig, stderr.String())
		}
		if left := e.treeFiles("repo/out"); len(left) != 0 {
			t.Errorf("get stopped by %v left %v in the output folder", sig, left)
		}
		if left := e.treeFiles("cache"); len(left) != 0 {
			t.Errorf("get stopped by %v left %v in the cache", sig, left)
		}
	}
}
