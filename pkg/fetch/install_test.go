package fetch

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// cached writes a file standing for a cached object and returns its path.
func cached(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "object")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// names lists a folder's entries, to check that nothing temporary is left in it.
func names(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Name())
	}
	return out
}

func TestInstall(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "model.pkl")
	if err := Install(cached(t, "v1"), dst); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, dst); got != "v1" {
		t.Errorf("content %q", got)
	}
	if info, _ := os.Stat(dst); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", info.Mode().Perm())
	}
	// Replacing keeps the file's mode.
	os.Chmod(dst, 0o600)
	if err := Install(cached(t, "v2"), dst); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(dst); readFile(t, dst) != "v2" || info.Mode().Perm() != 0o600 {
		t.Errorf("replaced: %q, mode %v", readFile(t, dst), info.Mode().Perm())
	}
	// A link is replaced, not written through.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("target"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(target, link)
	if err := Install(cached(t, "v3"), link); err != nil {
		t.Fatal(err)
	}
	if readFile(t, target) != "target" {
		t.Error("written through a link")
	}
	if got := names(t, dir); !slices.Equal(got, []string{"link", "model.pkl", "target"}) {
		t.Errorf("folder holds %q", got)
	}
}

func TestInstallFails(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "models")
	os.MkdirAll(folder, 0o755)
	os.Symlink(folder, filepath.Join(dir, "linked"))
	for dst, want := range map[string]string{
		folder:                                 "cannot write '" + folder + "': it is a folder",
		filepath.Join(dir, "linked"):           "it is a folder",
		filepath.Join(dir, "missing", "m.pkl"): "no folder '" + filepath.Join(dir, "missing") + "'",
	} {
		err := Install(cached(t, "x"), dst)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Install to %s = %v, want %q", dst, err, want)
		}
	}
	err := Install(filepath.Join(dir, "no-such-object"), filepath.Join(dir, "m.pkl"))
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("missing source: %v", err)
	}
	// A source that fails while it is copied (a folder: not a regular file) leaves nothing.
	if err := Install(folder, filepath.Join(dir, "m.pkl")); err == nil {
		t.Error("a folder installed as a file")
	}
	if got := names(t, dir); !slices.Equal(got, []string{"linked", "models"}) {
		t.Errorf("failed installs left %q", got)
	}
}

func TestInstallDir(t *testing.T) {
	parent := t.TempDir()
	files := map[string]string{
		"model.pt":          cached(t, "weights"),
		"config/a.json":     cached(t, "{}"),
		"config/deep/b.txt": cached(t, "b"),
	}
	dst := filepath.Join(parent, "model")
	if err := InstallDir(files, dst); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"model.pt": "weights", "config/a.json": "{}", "config/deep/b.txt": "b"} {
		if got := readFile(t, filepath.Join(dst, name)); got != content {
			t.Errorf("%s holds %q", name, got)
		}
	}
	if info, _ := os.Stat(dst); info.Mode().Perm() != 0o755 {
		t.Errorf("folder mode %v", info.Mode().Perm())
	}
	if got := names(t, parent); !slices.Equal(got, []string{"model"}) {
		t.Errorf("parent holds %q", got)
	}
	// Into an empty folder.
	empty := filepath.Join(parent, "empty")
	os.Mkdir(empty, 0o755)
	if err := InstallDir(files, empty); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(empty, "model.pt")); got != "weights" {
		t.Errorf("in the empty folder: %q", got)
	}
}

func TestInstallDirRefuses(t *testing.T) {
	parent := t.TempDir()
	src := cached(t, "x")
	full := filepath.Join(parent, "full")
	os.MkdirAll(full, 0o755)
	os.WriteFile(filepath.Join(full, "keep"), []byte("mine"), 0o644)
	file := filepath.Join(parent, "file")
	os.WriteFile(file, []byte("mine"), 0o644)
	for _, dst := range []string{full, file, filepath.Join(parent, "missing", "model")} {
		if err := InstallDir(map[string]string{"a": src}, dst); err == nil {
			t.Errorf("InstallDir to %s: no error", dst)
		}
	}
	if readFile(t, filepath.Join(full, "keep")) != "mine" || readFile(t, file) != "mine" {
		t.Error("existing content changed")
	}
	for _, name := range []string{"", ".", "..", "../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/", "a/./b",
		".git/hooks/post-checkout", "sub/.git/config", ".GIT/config"} {
		dst := filepath.Join(parent, "model")
		err := InstallDir(map[string]string{"ok": src, name: src}, dst)
		if err == nil || !strings.Contains(err.Error(), "invalid file name") {
			t.Errorf("relative path %q: %v", name, err)
		}
	}
	if got := names(t, parent); !slices.Equal(got, []string{"file", "full"}) {
		t.Errorf("refused installs left %q", got)
	}
}

// TestInstallDirAtomic: a failure in the middle (a missing cached file, two paths in conflict)
// leaves nothing at dst, and no temporary folder.
func TestInstallDirAtomic(t *testing.T) {
	parent := t.TempDir()
	dst := filepath.Join(parent, "model")
	for _, files := range []map[string]string{
		{"a": cached(t, "a"), "b": cached(t, "b"), "z": filepath.Join(parent, "no-such-object")},
		{"a": cached(t, "a"), "a/b": cached(t, "b")},
	} {
		if err := InstallDir(files, dst); err == nil {
			t.Errorf("InstallDir(%v): no error", files)
		} else if strings.Contains(err.Error(), ".tmp-") {
			t.Errorf("error names the temporary folder: %v", err)
		}
		if got := names(t, parent); len(got) != 0 {
			t.Errorf("failed InstallDir left %q", got)
		}
	}
	// Into an empty folder: it stays as it was.
	os.Mkdir(dst, 0o755)
	if err := InstallDir(map[string]string{"a": filepath.Join(parent, "none")}, dst); err == nil {
		t.Error("no error")
	}
	if got := names(t, parent); !slices.Equal(got, []string{"model"}) || len(names(t, dst)) != 0 {
		t.Errorf("failed InstallDir into an empty folder left %q, %q", got, names(t, dst))
	}
}
