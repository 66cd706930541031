package gitrepo

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// Lock excludes a second holder until the first lets go (two locks of one name, even in one
// process, are two open files, which flock(2) keeps apart), and leaves its file, which is no
// git lock file, in place.
func TestLockExcludes(t *testing.T) {
	dir := newRepo(t)
	r := openRepo(t, dir)
	unlock, err := r.Lock("artifact-0123")
	if err != nil {
		t.Fatal(err)
	}
	acquired := make(chan func())
	go func() {
		second, err := r.Lock("artifact-0123")
		if err != nil {
			t.Error(err)
			second = func() {}
		}
		acquired <- second
	}()
	other, err := r.Lock("artifact-4567") // another name is another lock
	if err != nil {
		t.Fatal(err)
	}
	other()
	select {
	case <-acquired:
		t.Fatal("a second holder took the lock while the first held it")
	case <-time.After(50 * time.Millisecond): // what a broken lock would show soonest
	}
	unlock()
	(<-acquired)()
	path := filepath.Join(gittest.CommonDir(t, dir), "git-model", "locks", "artifact-0123")
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		t.Errorf("lock file %s: %v, %v; want it kept", path, info, err)
	}
	assertNoLockFiles(t, dir)
}

// A symbolic link or a FIFO where a lock file goes is refused, never followed or waited on.
func TestLockRefusesOtherFiles(t *testing.T) {
	dir := newRepo(t)
	locks := filepath.Join(gittest.CommonDir(t, dir), "git-model", "locks")
	if err := os.MkdirAll(locks, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Symlink(target, filepath.Join(locks, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(locks, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := openRepo(t, dir)
	for _, name := range []string{"link", "fifo"} {
		unlock, err := r.Lock(name)
		if err == nil {
			unlock()
			t.Errorf("Lock(%s) succeeded", name)
		} else if !strings.HasPrefix(err.Error(), "taking the lock "+name+": ") {
			t.Errorf("Lock(%s): %v", name, err)
		}
	}
	if _, err := os.Lstat(target); !os.IsNotExist(err) {
		t.Errorf("the link's target was created: %v", err)
	}
}
