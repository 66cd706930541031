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
	"time"
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
	// Read into a buffer of the file's size (and one byte more, to see it grow) rather than
	// one that doubles: a tag cache of tens of megabytes is then copied once.
	size := int64(512)
	if info, err := f.Stat(); err == nil && info.Size() > 0 {
		size = min(info.Size(), max) + 1
	}
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if int64(len(data)) > max {
			break
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
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
	return replace(path, data, perm, tmpDir, true)
}

// ReplaceCache is Replace for a file that can be rebuilt from others (a cache): the same
// atomic rename, without waiting for the disk, which a crash may then leave holding the old
// file or none, never a part of one. The temporary files of writers killed before their
// rename (older than staleTemp: a writer at work is younger) are removed first.
func ReplaceCache(path string, data []byte) error {
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	for _, name := range leftovers {
		if info, err := os.Lstat(name); err == nil && time.Since(info.ModTime()) > staleTemp {
			os.Remove(name)
		}
	}
	return replace(path, data, 0o644, "", false)
}

// staleTemp is the age past which a cache's temporary file is a killed writer's leftover.
const staleTemp = time.Hour

func replace(path string, data []byte, perm fs.FileMode, tmpDir string, sync bool) error {
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
	if werr == nil && sync {
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

// Map maps a whole regular file read-only, as git maps packed-refs and pack files: reading a
// few pages of it touches only those. Git replaces such files by renaming new ones into place
// and never writes into one, so a mapping stays valid, even after the file is deleted, until
// Unmap. An empty file, or one that cannot be mapped, is an error.
func Map(path string) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return MapFile(f, info.Size())
}

// MapFile is Map for a file opened with Open, of the given size.
func MapFile(f *os.File, size int64) ([]byte, error) {
	if size == 0 || int64(int(size)) != size {
		return nil, errors.New("cannot map " + f.Name())
	}
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
}

// Unmap releases what Map mapped; nothing may read it afterwards.
func Unmap(data []byte) {
	if data != nil {
		syscall.Munmap(data)
	}
}
