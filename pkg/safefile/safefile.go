// Package safefile reads and replaces the files that git-model keeps or edits (artifacts.yaml,
// .gto, dvc.yaml, the files under .git/git-model) as if they might be hostile: only regular
// files are read, never a FIFO, a device or a folder, and never more than a size cap; a file is
// replaced atomically, so that a reader or a crash sees the old content or the new, never a part.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MaxSize is the size cap of the files git-model reads: far above any real annotations file,
// configuration or record, far below what would exhaust memory.
const MaxSize = 16 << 20

// ErrNotRegular is returned by Read for anything but a regular file (a FIFO, a device, a
// socket, a folder).
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is returned by Read for a file over the cap.
type TooLargeError struct {
	Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %d MiB", e.Max>>20)
}

// Read returns the content of the regular file at path, following symbolic links, refusing
// anything else and any file over max bytes (MaxSize when max is 0). A FIFO is refused without
// blocking on it: the file is opened non-blocking and checked before it is read.
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max)
}

// Open opens the regular file at path for reading, refusing anything else without blocking on
// it (a FIFO would block an ordinary open until a writer came).
func Open(path string) (*os.File, error) {
	return regular(os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0))
}

// OpenInRoot is Open for a file of root: the name cannot lead out of it, not even through a
// symbolic link (see os.Root).
func OpenInRoot(root *os.Root, name string) (*os.File, error) {
	return regular(root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0))
}

// regular returns the file just opened when it is a regular file, and closes it otherwise.
func regular(f *os.File, err error) (*os.File, error) {
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: ErrNotRegular}
	}
	return f, nil
}

// ReadAll reads an open file to its end, refusing more than max bytes (MaxSize when max is 0):
// the cap holds even for a file that grows while it is read.
func ReadAll(f *os.File, max int64) ([]byte, error) {
	if max <= 0 {
		max = MaxSize
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &fs.PathError{Op: "read", Path: f.Name(), Err: &TooLargeError{Max: max}}
	}
	return data, nil
}

// Replace replaces the file at path with data atomically: it writes a temporary file in tmpDir
// (the folder of path when tmpDir is ""; it must be on the same file system), flushes it to
// disk and renames it over path. The old file's permissions are kept (perm for a new file). A
// symbolic link at path is replaced by the file, never written through. The temporary file is
// removed on every failure.
func Replace(path string, data []byte, perm fs.FileMode, tmpDir string) error {
	if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() {
		perm = info.Mode().Perm()
	}
	if tmpDir == "" {
		tmpDir = filepath.Dir(path)
	}
	tmp, err := os.CreateTemp(tmpDir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, werr := tmp.Write(data)
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return werr
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
