package gitrepo

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/odb"
	"github.com/git-model/git-model/pkg/internal/tagcache"
)

// within20s runs f and fails the test when it has not returned after 20 seconds: a read that
// blocks on a FIFO fails instead of hanging the test.
func within20s(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: still running after 20 seconds", what)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// TestReadWorkTreeFile reads files of the work tree through every kind of path and link: what
// stays inside the tree and outside .git is read, everything else is a *FileError naming the
// file, a missing file is fs.ErrNotExist, and no read blocks.
func TestReadWorkTreeFile(t *testing.T) {
	dir := newRepo(t) // artifacts.yaml committed
	outside := filepath.Join(filepath.Dir(dir), "outside.yaml")
	gittest.WriteFile(t, outside, "secret: {}\n")
	gittest.WriteFile(t, filepath.Join(dir, "conf", "real.yaml"), "inside: {}\n")
	symlink(t, "conf/real.yaml", filepath.Join(dir, "in-rel.yaml"))
	symlink(t, filepath.Join(dir, "conf", "real.yaml"), filepath.Join(dir, "in-abs.yaml"))
	symlink(t, "conf", filepath.Join(dir, "linked"))
	symlink(t, "../outside.yaml", filepath.Join(dir, "out-rel.yaml"))
	symlink(t, outside, filepath.Join(dir, "out-abs.yaml"))
	symlink(t, "..", filepath.Join(dir, "up"))
	symlink(t, ".git/config", filepath.Join(dir, "git-config.yaml"))
	symlink(t, "conf/../.git/HEAD", filepath.Join(dir, "git-head.yaml"))
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.yaml"))
	symlink(t, "nowhere.yaml", filepath.Join(dir, "dangling.yaml"))
	mkfifo(t, filepath.Join(dir, "fifo.yaml"))
	if err := os.Mkdir(filepath.Join(dir, "folder.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("#"), 16<<20+1)
	if err := os.WriteFile(filepath.Join(dir, "big.yaml"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	r := openRepo(t, dir)

	for path, want := range map[string]string{
		"artifacts.yaml":        "churn:\n  type: model\n",
		"./artifacts.yaml":      "churn:\n  type: model\n",
		"conf/../in-rel.yaml":   "inside: {}\n",
		"in-rel.yaml":           "inside: {}\n",
		"in-abs.yaml":           "inside: {}\n",
		"linked/real.yaml":      "inside: {}\n",
		"linked/../in-rel.yaml": "inside: {}\n",
	} {
		within20s(t, path, func() {
			data, err := r.ReadWorkTreeFile(path)
			if err != nil || string(data) != want {
				t.Errorf("ReadWorkTreeFile(%q) = %q, %v; want %q", path, data, err, want)
			}
		})
	}
	for path, want := range map[string]string{
		"../outside.yaml":     "'../outside.yaml' is outside the work tree or inside .git",
		"/etc/passwd":         "'/etc/passwd' is outside the work tree or inside .git",
		"a/../../x":           "'a/../../x' is outside the work tree or inside .git",
		".git/config":         "'.git/config' is outside the work tree or inside .git",
		"sub/.Git/config":     "'sub/.Git/config' is outside the work tree or inside .git",
		"":                    "'' is outside the work tree or inside .git",
		".":                   "'.' is outside the work tree or inside .git",
		"out-rel.yaml":        "'out-rel.yaml' leads outside the work tree (through a symbolic link)",
		"out-abs.yaml":        "'out-abs.yaml' leads outside the work tree (through a symbolic link)",
		"up/outside.yaml":     "'up/outside.yaml' leads outside the work tree (through a symbolic link)",
		"zero.yaml":           "'zero.yaml' leads outside the work tree (through a symbolic link)",
		"git-config.yaml":     "'git-config.yaml' leads into the git directory (through a symbolic link)",
		"git-head.yaml":       "'git-head.yaml' leads into the git directory (through a symbolic link)",
		"fifo.yaml":           "'fifo.yaml' is not a regular file",
		"folder.yaml":         "'folder.yaml' is a directory, not a file",
		"big.yaml":            "'big.yaml' is larger than 16 MiB",
		"linked/../big.yaml":  "'big.yaml' is larger than 16 MiB",
		"conf/./../fifo.yaml": "'fifo.yaml' is not a regular file",
	} {
		within20s(t, path, func() {
			data, err := r.ReadWorkTreeFile(path)
			var refused *FileError
			if !errors.As(err, &refused) || err.Error() != want {
				t.Errorf("ReadWorkTreeFile(%q) = %q, %v; want the error %q", path, data, err, want)
			}
		})
	}
	for _, path := range []string{"missing.yaml", "dangling.yaml", "conf/missing/x.yaml"} {
		if data, err := r.ReadWorkTreeFile(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadWorkTreeFile(%q) = %q, %v; want fs.ErrNotExist", path, data, err)
		}
	}
	if data, _ := os.ReadFile(outside); string(data) != "secret: {}\n" {
		t.Errorf("the file outside changed: %q", data)
	}
}

// TestWorkTreeFileToEdit: a file about to be replaced is reached through no symbolic link at
// all, even one that stays inside the tree, and is replaced with nothing left in the work tree.
func TestWorkTreeFileToEdit(t *testing.T) {
	dir := newRepo(t)
	gittest.WriteFile(t, filepath.Join(dir, "conf", "artifacts.yaml"), "inside: {}\n")
	symlink(t, "conf", filepath.Join(dir, "linked"))
	symlink(t, "conf/artifacts.yaml", filepath.Join(dir, "link.yaml"))
	r := openRepo(t, dir)

	for path, want := range map[string]string{
		"link.yaml":                 "'link.yaml' is a symbolic link, which git-model does not write through",
		"linked/artifacts.yaml":     "'linked/artifacts.yaml' is beyond a symbolic link ('linked')",
		"linked/new.yaml":           "'linked/new.yaml' is beyond a symbolic link ('linked')",
		"missing/artifacts.yaml":    "folder 'missing' does not exist",
		"artifacts.yaml/x.yaml":     "'artifacts.yaml' is not a folder",
		"conf/../../artifacts.yaml": "'conf/../../artifacts.yaml' is outside the work tree or inside .git",
	} {
		if data, err := r.ReadWorkTreeFileToEdit(path); err == nil || err.Error() != want {
			t.Errorf("ReadWorkTreeFileToEdit(%q) = %q, %v; want the error %q", path, data, err, want)
		}
		if err := r.ReplaceWorkTreeFile(path, []byte("x: {}\n")); err == nil || err.Error() != want {
			t.Errorf("ReplaceWorkTreeFile(%q) = %v; want the error %q", path, err, want)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "conf", "artifacts.yaml")); string(data) != "inside: {}\n" {
		t.Errorf("written through a link: %q", data)
	}

	if err := r.ReplaceWorkTreeFile("conf/artifacts.yaml", []byte("new: {}\n")); err != nil {
		t.Fatal(err)
	}
	if data, err := r.ReadWorkTreeFileToEdit("conf/artifacts.yaml"); err != nil || string(data) != "new: {}\n" {
		t.Errorf("after the write: %q, %v", data, err)
	}
	if err := r.ReplaceWorkTreeFile("conf/new.yaml", []byte("created: {}\n")); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadDir(filepath.Join(dir, "conf"))
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "artifacts.yaml new.yaml" {
		t.Errorf("conf holds %q", names)
	}
	if list, _ := os.ReadDir(filepath.Join(dir, ".git", "git-model", "tmp")); len(list) != 0 {
		t.Errorf("temporary files left: %v", list)
	}
}

// TestFileIDRefusesSymlinks: a symbolic link committed where a file is read is not a regular
// file; its target, a path, is never taken for the file's content.
func TestFileIDRefusesSymlinks(t *testing.T) {
	dir := newRepo(t)
	if err := os.Remove(filepath.Join(dir, "artifacts.yaml")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "../outside.yaml", filepath.Join(dir, "artifacts.yaml"))
	gittest.Git(t, dir, "add", "artifacts.yaml")
	gittest.Git(t, dir, "commit", "-q", "-m", "link")
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	r := openRepo(t, dir)
	want := "reading 'artifacts.yaml' at commit " + head[:7] + ": path is a symbolic link, not a regular file"
	if id, ok, err := r.FileID(head, "artifacts.yaml"); err == nil || err.Error() != want {
		t.Errorf("FileID of a symbolic link = %q, %v, %v; want the error %q", id, ok, err, want)
	}
	if data, ok, err := r.ReadFile(head, "artifacts.yaml"); err == nil || ok {
		t.Errorf("ReadFile of a symbolic link = %q, %v, %v; want an error", data, ok, err)
	}
}

// TestReadLooseRefusesHostileFiles: a loose object that is a FIFO or a folder, that declares a
// tag larger than maxObjectSize, or whose file is larger than its content could compress to,
// is corrupt, found at once, and never left to libgit2 (which would block, or read it whole).
// A blob declared larger than maxObjectSize, in a file of a plausible size, is left to libgit2.
func TestReadLooseRefusesHostileFiles(t *testing.T) {
	dir := newRepo(t)
	id, path, valid := gittest.LooseTag(t, dir)
	deflate := func(s string) []byte { return gittest.Deflate(t, []byte(s), zlib.DefaultCompression) }
	for name, c := range map[string]struct {
		make func()
		want string
	}{
		"fifo":   {func() { mkfifo(t, path) }, "loose object is not a regular file"},
		"folder": {func() { os.Mkdir(path, 0o755) }, "loose object is not a regular file"},
		"huge tag declared": {func() { gittest.WriteFile(t, path, string(deflate("tag 99999999999\x00object "))) },
			"loose tag object declares 99999999999 bytes"},
		"garbage after the stream": {func() { gittest.WriteFile(t, path, string(valid)+strings.Repeat("\x00", 1<<20)) },
			"loose object file is larger than its content could compress to"},
	} {
		t.Run(name, func(t *testing.T) {
			os.RemoveAll(path)
			c.make()
			within20s(t, name, func() {
				_, _, err := newReader(t, gittest.ObjectsDir(t, dir)).Read(id)
				var corrupt *odb.CorruptError
				if !errors.As(err, &corrupt) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("read = %v; want a corrupt object: %s", err, c.want)
				}
			})
			within20s(t, "Tags", func() {
				if _, err := openRepo(t, dir).Tags(); err == nil || !strings.Contains(err.Error(), "reading tag 'churn@v1.0.0'") {
					t.Errorf("Tags = %v; want an error naming the tag", err)
				}
			})
		})
	}

	os.RemoveAll(path)
	gittest.WriteFile(t, path, string(deflate("blob 100000000\x00"+strings.Repeat("x", 1000))))
	if _, _, err := newReader(t, gittest.ObjectsDir(t, dir)).Read(id); !errors.Is(err, odb.ErrUnsupported) {
		t.Errorf("a large blob: %v, want it left to libgit2", err)
	}
}

// TestTagCacheNotRegular: a tag cache that is a FIFO or a folder is not read (nor waited for):
// the tags are read from their objects, and a FIFO is replaced by a new cache.
func TestTagCacheNotRegular(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	cache := tagCachePath(t, dir)
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, make := range map[string]func(){
		"fifo":   func() { mkfifo(t, cache) },
		"folder": func() { os.MkdirAll(filepath.Join(cache, "inside"), 0o755) },
	} {
		t.Run(name, func(t *testing.T) {
			os.RemoveAll(cache)
			make()
			within20s(t, "tagcache.Load", func() {
				if tags, _, _ := tagcache.Load(cache); tags != nil {
					t.Errorf("tagcache.Load read %d tags", len(tags))
				}
			})
			within20s(t, "Tags", func() {
				tags, err := openRepo(t, dir).Tags()
				if err != nil || len(tags) != 1 || tags[0].Name != "churn@v1.0.0" {
					t.Errorf("Tags = %v, %v", tags, err)
				}
			})
		})
	}
	os.RemoveAll(cache)
	mkfifo(t, cache)
	within20s(t, "Tags", func() {
		r := openRepo(t, dir)
		r.Tags()
		r.Close() // the cache is written by the time the repository is closed
	})
	if info, err := os.Lstat(cache); err != nil || !info.Mode().IsRegular() {
		t.Errorf("the FIFO was not replaced by a cache: %v, %v", info, err)
	}
}

// TestLockIndexStale: a lock file that exists is git's error, names the file, and is left as
// it was; once it is gone, the lock is taken and released.
func TestLockIndexStale(t *testing.T) {
	dir := newRepo(t)
	lockPath := filepath.Join(dir, ".git", "index.lock")
	gittest.WriteFile(t, lockPath, "stale")
	r := openRepo(t, dir)
	_, err := r.LockIndex()
	var lockErr *LockError
	if !errors.As(err, &lockErr) || err.Error() != "Unable to create '"+realPath(t, lockPath)+"': File exists." && err.Error() != "Unable to create '"+lockPath+"': File exists." {
		t.Fatalf("LockIndex with a stale lock = %v", err)
	}
	if data, _ := os.ReadFile(lockPath); string(data) != "stale" {
		t.Errorf("the stale lock became %q", data)
	}
	os.Remove(lockPath)
	lock, err := r.LockIndex()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(lockPath); err != nil {
		t.Errorf("no lock file while the lock is held: %v", err)
	}
	lock.Unlock()
	lock.Unlock()
	if _, err := os.Stat(lockPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("lock file left after Unlock: %v", err)
	}
}
