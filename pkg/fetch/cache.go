package fetch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/git-model/git-model/pkg/safefile"
)

// Cache is the content-addressed download cache kept in Dir (see the package comment for its
// layout). Its methods are safe for concurrent use, by goroutines and by processes: every file
// appears at its path whole, by a rename.
type Cache struct {
	Dir string
}

// Entry is an object stored in the cache: the path of its file, its sha256 and its size.
type Entry struct {
	Path   string
	SHA256 Digest
	Size   int64
}

// DefaultCache returns the cache in $XDG_CACHE_HOME/git-model/objects, or in
// ~/.cache/git-model/objects when XDG_CACHE_HOME is unset or relative (the XDG specification
// ignores a relative path). It is ~/.cache on every system, macOS included, as for git and
// pip: one place to find and to clear.
func DefaultCache() (*Cache, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("finding the cache folder: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	return &Cache{Dir: filepath.Join(base, "git-model", "objects")}, nil
}

// rehashLimit is the size under which Lookup reads the object again and checks its digest:
// a fraction of a second. Larger objects are served when their size still matches the one
// recorded, which finds the damage a cache suffers in practice (a copy or a disk cut short)
// without reading gigabytes at every use; Put verified their content when it stored them.
const rehashLimit = 64 << 20

// maxIndexSize caps the reading of the small files of the cache (sizes, indexes): a damaged or
// planted file is never read whole.
const maxIndexSize = 4 << 10

// objectName is where the cache keeps the file, or the md5 index file, of a digest: the
// algorithm, the first two hex digits, the rest.
func objectName(d Digest) string {
	return filepath.Join(d.Algo, d.Hex[:2], d.Hex[2:])
}

// Lookup returns the entry of the object with digest d (sha256, or md5 through its index) when
// the cache holds it whole: a regular file whose size is the one recorded when it was stored
// and, under 64 MiB, whose content still has the digest. Its path can be read, or given to
// Install, as long as nobody clears the cache.
func (c *Cache) Lookup(d Digest) (entry Entry, ok bool) {
	if d.check() != nil {
		return Entry{}, false
	}
	root, err := c.openExisting()
	if err != nil {
		return Entry{}, false
	}
	defer root.Close()
	want := []Digest{d}
	if d.Algo != SHA256 {
		sha, ok := readDigest(root, objectName(d))
		if !ok || sha.Algo != SHA256 {
			return Entry{}, false
		}
		want = append(want, sha)
		d = sha
	}
	name := objectName(d)
	info, err := root.Lstat(name)
	if err != nil || !info.Mode().IsRegular() {
		return Entry{}, false
	}
	recorded, err := readSmall(root, name+".size")
	if err != nil {
		return Entry{}, false
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(recorded)), 10, 64)
	if err != nil || size != info.Size() {
		return Entry{}, false
	}
	if size < rehashLimit && !hasDigests(root, name, want) {
		return Entry{}, false
	}
	return Entry{Path: filepath.Join(c.Dir, name), SHA256: d, Size: size}, true
}

// hasDigests reads the cache file name and reports whether it has every digest of want.
func hasDigests(root *os.Root, name string, want []Digest) bool {
	f, err := safefile.OpenInRoot(root, name)
	if err != nil {
		return false
	}
	defer f.Close()
	h := newHashes(want)
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return h.check(want) == nil
}

// Put stores the bytes of r in the cache and returns the entry. size is the number of bytes
// announced by the source, or -1 when unknown; want are the digests the bytes must have (none
// for a source without one: the sha256 computed is returned). A reader that ends early gives a
// *TruncatedError, one that gives more an *OversizeError, other content a *MismatchError; the
// reader's own error is returned as it is. The bytes go to a temporary file in the cache,
// which is flushed to disk and renamed into place only once verified, and removed on any
// failure. An md5 among want is recorded in the md5 index, so that Lookup finds the object by
// it. Two Puts of the same object at once are safe: each renames a whole file into place.
func (c *Cache) Put(r io.Reader, want []Digest, size int64) (Entry, error) {
	for _, d := range want {
		if err := d.check(); err != nil {
			return Entry{}, err
		}
	}
	root, err := c.open()
	if err != nil {
		return Entry{}, err
	}
	defer root.Close()
	removeStaleTemps(root)
	tmp, tmpName, err := createTemp(root, tmpDir, "get-")
	if err != nil {
		return Entry{}, fmt.Errorf("writing to the cache: %w", bare(err))
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close() // a no-op when closed already
			root.Remove(tmpName)
		}
	}()
	h := newHashes(want)
	src := r
	if size >= 0 {
		src = io.LimitReader(r, size+1) // one byte more shows a source that gives too many
	}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	switch {
	case err != nil && errors.Is(err, io.ErrUnexpectedEOF) && size >= 0 && n < size:
		return Entry{}, &TruncatedError{Want: size, Got: n}
	case err != nil:
		return Entry{}, err
	case size >= 0 && n < size:
		return Entry{}, &TruncatedError{Want: size, Got: n}
	case size >= 0 && n > size:
		return Entry{}, &OversizeError{Want: size}
	}
	if err := h.check(want); err != nil {
		return Entry{}, err
	}
	if err := closeFile(tmp, 0o644, true); err != nil {
		return Entry{}, fmt.Errorf("writing to the cache: %w", bare(err))
	}
	sha := h.sum(SHA256)
	name := objectName(sha)
	if err := root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return Entry{}, fmt.Errorf("writing to the cache: %w", bare(err))
	}
	if err := root.Rename(tmpName, name); err != nil {
		return Entry{}, fmt.Errorf("writing to the cache: %w", bare(err))
	}
	renamed = true
	if err := writeSmall(root, name+".size", strconv.FormatInt(n, 10)+"\n"); err != nil {
		return Entry{}, err
	}
	for _, d := range want {
		if d.Algo != SHA256 {
			if err := writeSmall(root, objectName(d), sha.String()+"\n"); err != nil {
				return Entry{}, err
			}
		}
	}
	return Entry{Path: filepath.Join(c.Dir, name), SHA256: sha, Size: n}, nil
}

// open opens the cache's folder as a root, creating it when missing.
func (c *Cache) open() (*os.Root, error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache: %w", err)
	}
	root, err := os.OpenRoot(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("opening the cache: %w", err)
	}
	return root, nil
}

// openExisting opens the cache's folder as a root for reading: a missing cache holds nothing.
func (c *Cache) openExisting() (*os.Root, error) {
	return os.OpenRoot(c.Dir)
}

// readDigest reads an index file of the cache (md5 or URL index), holding one digest.
func readDigest(root *os.Root, name string) (Digest, bool) {
	data, err := readSmall(root, name)
	if err != nil {
		return Digest{}, false
	}
	d, err := ParseDigest(strings.TrimSpace(string(data)))
	return d, err == nil
}

// readSmall reads a small regular file of the cache, refusing anything larger than an index.
func readSmall(root *os.Root, name string) ([]byte, error) {
	f, err := safefile.OpenInRoot(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return safefile.ReadAll(f, maxIndexSize)
}
