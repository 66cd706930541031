package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestInTree(t *testing.T) {
	for _, p := range []string{"artifacts.yaml", "models/artifacts.yaml", "a/./b", "a/../b", ".", "./x",
		".gitignore", "my..dir/x", "x.git/y", ".github/ci.yml", "..x"} {
		if !InTree(p) {
			t.Errorf("InTree(%q) = false", p)
		}
	}
	for _, p := range []string{"", "..", "../x", "a/../../x", "/etc/passwd", "/", ".git", ".git/config",
		"a/.git/b", "a/.GIT/b", ".Git", "./.git/x", "a/../.git", "sub/../../x"} {
		if InTree(p) {
			t.Errorf("InTree(%q) = true", p)
		}
	}
}

// readWithin20s calls Read, failing the test if it blocks.
func readWithin20s(t *testing.T, path string, max int64) ([]byte, error) {
	t.Helper()
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := Read(path, max)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("Read(%q) blocked", path)
		return nil, nil
	}
}

func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, dir, "/dev/null"} {
		if _, err := readWithin20s(t, path, 0); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Read(%q) = %v, want ErrNotRegular", path, err)
		}
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	var tooLarge *TooLargeError
	if _, err := readWithin20s(t, big, 100); !errors.As(err, &tooLarge) || tooLarge.Max != 100 {
		t.Errorf("Read of 101 bytes capped at 100 = %v", err)
	}
	if data, err := readWithin20s(t, big, 101); err != nil || len(data) != 101 {
		t.Errorf("Read of 101 bytes capped at 101 = %d bytes, %v", len(data), err)
	}
}

func TestOpenInRoot(t *testing.T) {
	dir := t.TempDir()
	top := filepath.Join(dir, "top")
	if err := os.MkdirAll(filepath.Join(top, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "outside"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "sub", "inside"), []byte("inside"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"out": "../outside", "in": "sub/inside", "abs": filepath.Join(dir, "outside")} {
		if err := os.Symlink(target, filepath.Join(top, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(top, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(top)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if f, err := OpenInRoot(root, "in"); err != nil {
		t.Errorf("OpenInRoot(in) = %v", err)
	} else {
		f.Close()
	}
	for _, name := range []string{"out", "abs", "../outside", "sub/../../outside"} {
		if f, err := OpenInRoot(root, name); err == nil {
			f.Close()
			t.Errorf("OpenInRoot(%q) opened a file outside the root", name)
		}
	}
	if _, err := OpenInRoot(root, "fifo"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenInRoot(fifo) = %v, want ErrNotRegular", err)
	}
}

// entries lists a folder, to check that no temporary file is left in it.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list {
		names = append(names, e.Name())
	}
	return names
}

func readString(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestReplaceInOtherFolder(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "artifacts.yaml")
	if err := os.WriteFile(path, []byte("old: content that is longer than the new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := Replace(path, []byte("new:\n"), 0o644, tmp); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, path); got != "new:\n" {
		t.Errorf("content %q", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after the write, want the old file's 0640", info.Mode().Perm())
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"artifacts.yaml"}) {
		t.Errorf("folder holds %q", got)
	}
	if got := entries(t, tmp); len(got) != 0 {
		t.Errorf("temporary folder holds %q", got)
	}

	created := filepath.Join(dir, "new.yaml")
	if err := Replace(created, []byte("x:\n"), 0o644, tmp); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(created); info.Mode().Perm() != 0o644 {
		t.Errorf("new file's mode %v, want 0644", info.Mode().Perm())
	}
}

// TestReplaceLink: a symbolic link is replaced by the file, never written through.
func TestReplaceLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("target\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Replace(link, []byte("new\n"), 0o644, ""); err != nil {
		t.Fatal(err)
	}
	if got := readString(t, target); got != "target\n" {
		t.Errorf("written through the link: %q", got)
	}
	if info, err := os.Lstat(link); err != nil || !info.Mode().IsRegular() {
		t.Errorf("the link is not a file now: %v, %v", info, err)
	}
}

// TestReplaceFails: over a folder, or in a folder that does not exist, Replace fails and
// leaves no temporary file.
func TestReplaceFails(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	folder := filepath.Join(dir, "artifacts.yaml")
	if err := os.MkdirAll(filepath.Join(folder, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tmpDir := range []string{"", tmp} {
		if err := Replace(folder, []byte("new:\n"), 0o644, tmpDir); err == nil {
			t.Fatal("Replace over a folder: no error")
		}
		if got := entries(t, dir); !slices.Equal(got, []string{"artifacts.yaml"}) {
			t.Errorf("folder holds %q after the failed write", got)
		}
		if got := entries(t, tmp); len(got) != 0 {
			t.Errorf("temporary folder holds %q after the failed write", got)
		}
		missing := filepath.Join(dir, "missing", "artifacts.yaml")
		if err := Replace(missing, []byte("new:\n"), 0o644, tmpDir); err == nil {
			t.Fatal("Replace in a missing folder: no error")
		}
		if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
			t.Errorf("the missing folder was made: %v", err)
		}
	}
}

// TestReplaceReadersSeeWholeFiles reads the file while it is replaced again and again, with
// the temporary file in another folder: every read finds the old content or the new.
func TestReplaceReadersSeeWholeFiles(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "artifacts.yaml")
	a := []byte(strings.Repeat("churn:\n  path: s3://bucket/churn.pkl\n", 2000))
	b := []byte("nn:\n  path: s3://bucket/nn.pt\n")
	if err := Replace(path, a, 0o644, tmp); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Errorf("read while writing: %v", err)
				return
			}
			if string(got) != string(a) && string(got) != string(b) {
				t.Errorf("read %d bytes that are neither file", len(got))
				return
			}
		}
	})
	for i := range 200 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := Replace(path, data, 0o644, tmp); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
}

// ReplaceCache removes the temporary files that killed writers left beside the cache, and only
// those: a temporary file younger than staleTemp may be another writer's at work.
func TestReplaceCacheRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tag-cache")
	old := filepath.Join(dir, ".tag-cache.tmp-111")
	young := filepath.Join(dir, ".tag-cache.tmp-222")
	other := filepath.Join(dir, ".other.tmp-333")
	for _, name := range []string{old, young, other} {
		if err := os.WriteFile(name, []byte("part"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	long := time.Now().Add(-2 * staleTemp)
	for _, name := range []string{old, other} {
		if err := os.Chtimes(name, long, long); err != nil {
			t.Fatal(err)
		}
	}
	if err := ReplaceCache(path, []byte("cache")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a killed writer's temporary file is still there (%v)", err)
	}
	for _, name := range []string{young, other} {
		if _, err := os.Lstat(name); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(name), err)
		}
	}
	if data, err := os.ReadFile(path); err != nil || string(data) != "cache" {
		t.Errorf("cache = %q, %v", data, err)
	}
}
