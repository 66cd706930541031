package fetch

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tmpDir is the cache's folder of downloads under way.
const tmpDir = "tmp"

// staleTemp is the age past which a temporary file of the cache is the leftover of a killed
// writer: a download at work writes to its file, which keeps it younger (safefile.ReplaceCache
// uses the same rule).
const staleTemp = time.Hour

// createTemp creates a new file, open for writing, in the folder dir of root (made when
// missing), with a random name after prefix. O_EXCL makes the name ours: nothing planted there
// (a symbolic link) is ever opened.
func createTemp(root *os.Root, dir, prefix string) (*os.File, string, error) {
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	for range 100 {
		var random [8]byte
		rand.Read(random[:])
		name := filepath.Join(dir, prefix+hex.EncodeToString(random[:]))
		f, err := root.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", errors.New("cannot create a temporary file")
}

// closeFile gives a file just written its permissions, flushes it to disk when sync is set,
// and closes it: the steps before its rename into place.
func closeFile(f *os.File, perm fs.FileMode, sync bool) error {
	err := f.Chmod(perm)
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeSmall replaces the small file name of the cache (a size, an index) atomically, by a
// temporary file beside it and a rename, as safefile.ReplaceCache does for a path. It is not
// used here because every write to the cache goes through the os.Root, which no symbolic link
// planted in the cache can lead out of. Like ReplaceCache, it does not wait for the disk: after
// a crash the file is there whole or not at all, and Lookup then finds nothing.
func writeSmall(root *os.Root, name, content string) error {
	f, tmp, err := createTemp(root, filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing to the cache: %w", bare(err))
	}
	_, err = f.WriteString(content)
	if cerr := closeFile(f, 0o644, false); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		root.Remove(tmp)
		return fmt.Errorf("writing to the cache: %w", bare(err))
	}
	return nil
}

// removeStaleTemps removes the downloads that killed writers left in the cache's tmp folder.
func removeStaleTemps(root *os.Root) {
	dir, err := root.Open(tmpDir)
	if err != nil {
		return
	}
	list, _ := dir.ReadDir(-1)
	dir.Close()
	for _, e := range list {
		if info, err := e.Info(); err == nil && strings.HasPrefix(e.Name(), "get-") && time.Since(info.ModTime()) > staleTemp {
			root.Remove(filepath.Join(tmpDir, e.Name()))
		}
	}
}

// bare strips the path from a file system error: the paths of temporary files mean nothing
// to the user, and the caller names the file the error is about.
func bare(err error) error {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		return pathErr.Err
	case errors.As(err, &linkErr):
		return linkErr.Err
	}
	return err
}
