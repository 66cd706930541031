package annotation

import (
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

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

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("old: content that is longer than the new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new:\n")); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "new:\n" {
		t.Errorf("content %q", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileName}) {
		t.Errorf("folder holds %q, want only %s", got, FileName)
	}
}

func TestWriteFileKeepsPermissions(t *testing.T) {
	for _, mode := range []os.FileMode{0o600, 0o640, 0o664, 0o755} {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, []byte("old:\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		if err := WriteFile(path, []byte("new:\n")); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("mode %v after the write, want %v", info.Mode().Perm(), mode)
		}
	}
}

func TestWriteFileNew(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := WriteFile(path, []byte("churn:\n")); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// 0644 as git checks files out, whatever the umask (os.CreateTemp makes 0600).
	if info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	if got := readFile(t, path); got != "churn:\n" {
		t.Errorf("content %q", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileName}) {
		t.Errorf("folder holds %q, want only %s", got, FileName)
	}
}

func TestWriteFileEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte("churn:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, nil); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "" {
		t.Errorf("content %q, want empty", got)
	}
}

// TestWriteFileReadOnlyFolder fails when the folder is not writable, and leaves the old file
// as it was. Root ignores permissions, so the case cannot fail for root and is skipped.
func TestWriteFileReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root, which writes in a read-only folder anyway")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("old:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if err := WriteFile(path, []byte("new:\n")); err == nil {
		t.Fatal("WriteFile in a read-only folder: no error")
	}
	if got := readFile(t, path); got != "old:\n" {
		t.Errorf("old file changed to %q", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileName}) {
		t.Errorf("folder holds %q", got)
	}
}

// TestWriteFileOverFolder fails when the rename cannot happen, even for root, and leaves no
// temporary file behind.
func TestWriteFileOverFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, []byte("new:\n"))
	if err == nil {
		t.Fatal("WriteFile over a folder: no error")
	}
	if got := entries(t, dir); !slices.Equal(got, []string{FileName}) {
		t.Errorf("folder holds %q after the failed write", got)
	}
	if got := entries(t, path); !slices.Equal(got, []string{"inside"}) {
		t.Errorf("the folder written over holds %q", got)
	}
}

func TestWriteFileNoFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", FileName)
	if err := WriteFile(path, []byte("new:\n")); err == nil {
		t.Fatal("WriteFile in a missing folder: no error")
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("the missing folder was made: %v", err)
	}
}

// TestWriteFileReadersSeeWholeFiles reads the file while it is written again and again: every
// read finds the old content or the new, never a part or nothing.
func TestWriteFileReadersSeeWholeFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a := []byte(readFile(t, "testdata/artifacts.yaml"))
	b := []byte("churn:\n  path: s3://bucket/churn.pkl\n")
	if err := WriteFile(path, a); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
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
	}()
	for i := range 200 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := WriteFile(path, data); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	wg.Wait()
}
