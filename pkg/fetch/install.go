package fetch

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"

	"github.com/git-model/git-model/pkg/safefile"
)

// Install writes a copy of the cached file src at dst atomically: a temporary file in dst's
// folder (which must exist), flushed to disk and renamed over dst, so that dst holds the old
// content or the whole new one, never a part, and nothing is left on failure. An existing file
// keeps its permissions (0644 for a new one); a symbolic link at dst is replaced, never written
// through; a folder at dst is refused. It copies rather than links: the user may edit or
// delete the output without touching the cache.
func Install(src, dst string) error {
	if info, err := os.Stat(dst); err == nil && info.IsDir() {
		return fmt.Errorf("cannot write '%s': it is a folder", dst)
	}
	if err := checkFolder(filepath.Dir(dst), dst); err != nil {
		return err
	}
	in, err := safefile.Open(src)
	if err != nil {
		return fmt.Errorf("reading the cached copy of '%s': %w", dst, bare(err))
	}
	defer in.Close()
	perm := fs.FileMode(0o644)
	if info, err := os.Lstat(dst); err == nil && info.Mode().IsRegular() {
		perm = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := copyInto(tmp, in, perm); err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	return nil
}

// InstallDir builds the folder dst from cached files: files maps a slash-separated path
// inside the folder to the cached file to copy there. The folder is built in a temporary
// folder beside dst and renamed into place, so dst appears whole or not at all. dst must not
// exist, or be an empty folder; its parent must exist. Every path must be clean and relative,
// not climb out with "..", and not enter a .git folder (safefile.InTree): a listing from a
// remote cannot write outside dst or plant Git hooks.
func InstallDir(files map[string]string, dst string) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name != path.Clean(name) || name == "." || !safefile.InTree(name) {
			return fmt.Errorf("invalid file name '%s' for the folder '%s'", shorten(name), dst)
		}
	}
	if err := checkNewFolder(dst); err != nil {
		return err
	}
	if err := checkFolder(filepath.Dir(dst), dst); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	renamed := false
	defer func() {
		if !renamed {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("writing '%s': %w", dst, bare(err))
	}
	defer root.Close()
	for _, name := range names {
		if err := copyToRoot(root, filepath.FromSlash(name), files[name]); err != nil {
			return fmt.Errorf("writing '%s' in '%s': %w", name, dst, bare(err))
		}
	}
	// rename(2) itself, not os.Rename, which refuses any existing folder at dst: the system
	// call replaces an empty folder atomically and fails on one that is not (any more) empty.
	if err := syscall.Rename(tmp, dst); err != nil {
		return fmt.Errorf("writing '%s': %w", dst, err)
	}
	renamed = true
	return nil
}

// checkFolder returns an error naming dst when its folder dir does not exist.
func checkFolder(dir, dst string) error {
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return fmt.Errorf("cannot write '%s': no folder '%s'", dst, dir)
	}
	return nil
}

// checkNewFolder returns an error unless dst is missing or an empty folder (not a link to one).
func checkNewFolder(dst string) error {
	info, err := os.Lstat(dst)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot write '%s': %w", dst, bare(err))
	}
	if !info.IsDir() {
		return fmt.Errorf("cannot write the folder '%s': a file is in the way", dst)
	}
	dir, err := os.Open(dst)
	if err != nil {
		return fmt.Errorf("cannot write '%s': %w", dst, bare(err))
	}
	defer dir.Close()
	if _, err := dir.Readdirnames(1); err != io.EOF {
		return fmt.Errorf("cannot write the folder '%s': it exists and is not empty", dst)
	}
	return nil
}

// copyToRoot copies the cached file src to the new file name of root, making its folders.
func copyToRoot(root *os.Root, name, src string) error {
	in, err := safefile.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	out, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return copyInto(out, in, 0o644)
}

// copyInto copies r into the new file f, gives it perm, flushes it to disk and closes it.
// On Linux, io.Copy between two files uses copy_file_range, which shares the blocks where the
// file system can (a reflink on Btrfs or XFS).
func copyInto(f *os.File, r io.Reader, perm fs.FileMode) error {
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return closeFile(f, perm, true)
}
