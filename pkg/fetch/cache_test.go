package fetch

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// newCache returns an empty cache in a temporary folder.
func newCache(t *testing.T) *Cache {
	t.Helper()
	return &Cache{Dir: filepath.Join(t.TempDir(), "objects")}
}

// files lists the regular files under dir, relative and slash-separated, to check what a
// failed Put left behind.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var list []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			list = append(list, filepath.ToSlash(rel))
		}
		return nil
	})
	return list
}

// readFile returns the content of a file the test expects to exist.
func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDefaultCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/var/cache/me")
	c, err := DefaultCache()
	if err != nil || c.Dir != "/var/cache/me/git-model/objects" {
		t.Errorf("with XDG_CACHE_HOME: %v, %v", c, err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, xdg := range []string{"", "relative/cache"} {
		t.Setenv("XDG_CACHE_HOME", xdg)
		c, err := DefaultCache()
		if want := filepath.Join(home, ".cache", "git-model", "objects"); err != nil || c.Dir != want {
			t.Errorf("with XDG_CACHE_HOME=%q: %v, %v; want %s", xdg, c, err, want)
		}
	}
}

func TestPutLookup(t *testing.T) {
	c := newCache(t)
	data := "the bytes of a model"
	sha, md := sha256Of(data), md5Of(data)
	if _, ok := c.Lookup(sha); ok {
		t.Fatal("Lookup in a cache that does not exist yet found something")
	}
	entry, err := c.Put(strings.NewReader(data), []Digest{sha}, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	wantPath := filepath.Join(c.Dir, "sha256", sha.Hex[:2], sha.Hex[2:])
	if entry != (Entry{Path: wantPath, SHA256: sha, Size: int64(len(data))}) {
		t.Errorf("entry %+v", entry)
	}
	if got := readFile(t, entry.Path); got != data {
		t.Errorf("cached content %q", got)
	}
	if info, _ := os.Stat(entry.Path); info.Mode().Perm() != 0o644 {
		t.Errorf("cached file mode %v, want 0644", info.Mode().Perm())
	}
	if e, ok := c.Lookup(sha); !ok || e.Path != wantPath {
		t.Errorf("Lookup(sha256) = %q, %v", e.Path, ok)
	}
	if _, ok := c.Lookup(md); ok {
		t.Error("Lookup(md5) found an object stored without its md5")
	}
	if _, ok := c.Lookup(sha256Of("other")); ok {
		t.Error("Lookup found another object")
	}
	if got := files(t, filepath.Join(c.Dir, "tmp")); len(got) != 0 {
		t.Errorf("temporary files left: %q", got)
	}
}

// TestPutUnknownSize: a source without a size or a digest (a plain URL) is stored under the
// sha256 computed.
func TestPutUnknownSize(t *testing.T) {
	c := newCache(t)
	entry, err := c.Put(strings.NewReader("no digest"), nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if entry.SHA256 != sha256Of("no digest") || entry.Size != 9 {
		t.Errorf("entry %+v", entry)
	}
	if _, ok := c.Lookup(entry.SHA256); !ok {
		t.Error("not found by its computed sha256")
	}
}

// TestMD5Index: an object stored for DVC (md5) is found by its md5 and by its sha256 (LFS,
// annotations), and the index holds the sha256.
func TestMD5Index(t *testing.T) {
	c := newCache(t)
	data := "dvc tracked"
	sha, md := sha256Of(data), md5Of(data)
	entry, err := c.Put(strings.NewReader(data), []Digest{md}, -1)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(c.Dir, "md5", md.Hex[:2], md.Hex[2:])); got != sha.String()+"\n" {
		t.Errorf("md5 index holds %q", got)
	}
	for _, d := range []Digest{md, sha} {
		if e, ok := c.Lookup(d); !ok || e != entry {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", d.Algo, e, ok, entry)
		}
	}
	// Both digests at once: each is checked.
	if _, err := c.Put(strings.NewReader(data), []Digest{sha, md}, int64(len(data))); err != nil {
		t.Errorf("Put with both digests: %v", err)
	}
	// An index pointing to a missing object finds nothing.
	other := md5Of("other")
	os.MkdirAll(filepath.Join(c.Dir, "md5", other.Hex[:2]), 0o755)
	os.WriteFile(filepath.Join(c.Dir, "md5", other.Hex[:2], other.Hex[2:]), []byte(sha256Of("other").String()+"\n"), 0o644)
	if _, ok := c.Lookup(other); ok {
		t.Error("Lookup followed an index to a missing object")
	}
	// An index that points to other bytes than its md5 is not believed (re-hashed when small).
	os.WriteFile(filepath.Join(c.Dir, "md5", other.Hex[:2], other.Hex[2:]), []byte(sha.String()+"\n"), 0o644)
	if _, ok := c.Lookup(other); ok {
		t.Error("Lookup served bytes whose md5 is not the one asked")
	}
}

func TestPutMismatch(t *testing.T) {
	c := newCache(t)
	for _, want := range [][]Digest{
		{sha256Of("expected")},
		{md5Of("expected")},
		{md5Of("served"), sha256Of("expected")},
	} {
		_, err := c.Put(strings.NewReader("served"), want, 6)
		var mismatch *MismatchError
		if !errors.As(err, &mismatch) {
			t.Fatalf("Put of other content = %v, want a MismatchError", err)
		}
		if mismatch.Got.Algo != mismatch.Want.Algo || mismatch.Got == mismatch.Want {
			t.Errorf("mismatch %+v", mismatch)
		}
		if msg := err.Error(); !strings.Contains(msg, mismatch.Want.String()) || !strings.Contains(msg, mismatch.Got.String()) {
			t.Errorf("message %q does not name both digests", msg)
		}
	}
	if got := files(t, c.Dir); len(got) != 0 {
		t.Errorf("failed Puts left %q", got)
	}
	if _, ok := c.Lookup(sha256Of("served")); ok {
		t.Error("the wrong content is in the cache")
	}
}

// failingReader gives its data, then an error, as a broken connection does.
type failingReader struct {
	data io.Reader
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	n, err := r.data.Read(p)
	if err == io.EOF {
		return n, r.err
	}
	return n, err
}

func TestPutSize(t *testing.T) {
	c := newCache(t)
	var truncated *TruncatedError
	_, err := c.Put(strings.NewReader("short"), nil, 100)
	if !errors.As(err, &truncated) || *truncated != (TruncatedError{Want: 100, Got: 5}) {
		t.Errorf("reader ending early: %v", err)
	}
	_, err = c.Put(&failingReader{strings.NewReader("short"), io.ErrUnexpectedEOF}, nil, 100)
	if !errors.As(err, &truncated) || *truncated != (TruncatedError{Want: 100, Got: 5}) {
		t.Errorf("connection cut: %v", err)
	}
	var oversize *OversizeError
	_, err = c.Put(strings.NewReader("longer than said"), nil, 4)
	if !errors.As(err, &oversize) || oversize.Want != 4 {
		t.Errorf("reader giving more: %v", err)
	}
	broken := errors.New("connection reset by peer")
	if _, err := c.Put(&failingReader{strings.NewReader("part"), broken}, nil, -1); !errors.Is(err, broken) {
		t.Errorf("reader failing: %v, want its own error", err)
	}
	if got := files(t, c.Dir); len(got) != 0 {
		t.Errorf("failed Puts left %q", got)
	}
}

// TestLookupDamaged: a cached file cut short, grown or replaced is not served.
func TestLookupDamaged(t *testing.T) {
	c := newCache(t)
	data := "precious model bytes"
	entry, err := c.Put(strings.NewReader(data), []Digest{md5Of(data)}, -1)
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range map[string]string{
		"truncated": data[:7],
		"grown":     data + "x",
		"altered":   strings.ToUpper(data), // same size: found by the re-hash of small files
		"empty":     "",
	} {
		os.Remove(entry.Path) // written read-only by nobody, but replace rather than write through
		if err := os.WriteFile(entry.Path, []byte(damage), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, d := range []Digest{entry.SHA256, md5Of(data)} {
			if _, ok := c.Lookup(d); ok {
				t.Errorf("%s file served by Lookup(%s)", name, d.Algo)
			}
		}
	}
	// A Put repairs it.
	if _, err := c.Put(strings.NewReader(data), nil, -1); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(entry.SHA256); !ok {
		t.Error("not found after the repair")
	}
	// Without its size record, the object is not trusted.
	os.Remove(entry.Path + ".size")
	if _, ok := c.Lookup(entry.SHA256); ok {
		t.Error("served without a size record")
	}
}

// TestLookupLargeTrustsSize: over the re-hash limit, Lookup compares the size only.
func TestLookupLargeTrustsSize(t *testing.T) {
	c := newCache(t)
	data := bytes.Repeat([]byte{7}, rehashLimit)
	entry, err := c.Put(bytes.NewReader(data), nil, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(entry.SHA256); !ok {
		t.Fatal("large object not found")
	}
	if err := os.Truncate(entry.Path, int64(len(data))-1); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(entry.SHA256); ok {
		t.Error("truncated large object served")
	}
}

// TestPutConcurrent: many writers of the same object at once (goroutines here, processes in
// life) all succeed, and readers never see a part of it.
func TestPutConcurrent(t *testing.T) {
	c := newCache(t)
	data := strings.Repeat("weights ", 64<<10)
	sha := sha256Of(data)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if e, ok := c.Lookup(sha); ok {
				if got, err := os.ReadFile(e.Path); err != nil || string(got) != data {
					t.Errorf("reader saw %d bytes, %v", len(got), err)
					return
				}
			}
		}
	})
	var writers sync.WaitGroup
	for range 8 {
		writers.Go(func() {
			if _, err := c.Put(strings.NewReader(data), []Digest{sha, md5Of(data)}, int64(len(data))); err != nil {
				t.Errorf("concurrent Put: %v", err)
			}
		})
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	if _, ok := c.Lookup(md5Of(data)); !ok {
		t.Error("not found after the concurrent Puts")
	}
	if got := files(t, filepath.Join(c.Dir, "tmp")); len(got) != 0 {
		t.Errorf("temporary files left: %q", got)
	}
}

// TestPutRefusesSymlinks: links planted in the cache cannot lead a write out of it, and a
// link at an object's path is not served.
func TestPutRefusesSymlinks(t *testing.T) {
	data := "model"
	sha := sha256Of(data)
	for _, planted := range []string{"sha256", filepath.Join("sha256", sha.Hex[:2]), "tmp"} {
		c := newCache(t)
		outside := t.TempDir()
		os.MkdirAll(filepath.Dir(filepath.Join(c.Dir, planted)), 0o755)
		if err := os.Symlink(outside, filepath.Join(c.Dir, planted)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Put(strings.NewReader(data), []Digest{sha}, -1); err == nil {
			t.Errorf("Put with %s linked out of the cache: no error", planted)
		}
		if got := files(t, outside); len(got) != 0 {
			t.Errorf("Put with %s linked out of the cache wrote %q outside", planted, got)
		}
	}

	// Index files: the md5 and urls folders linked out.
	for _, planted := range []string{"md5", "urls"} {
		c := newCache(t)
		outside := t.TempDir()
		os.MkdirAll(c.Dir, 0o755)
		os.Symlink(outside, filepath.Join(c.Dir, planted))
		_, err1 := c.Put(strings.NewReader(data), []Digest{md5Of(data)}, -1)
		err2 := c.SetURLDigest("https://host/model", sha)
		if got := files(t, outside); len(got) != 0 {
			t.Errorf("index writes with %s linked out wrote %q outside (%v, %v)", planted, got, err1, err2)
		}
	}

	// A link at the object's own path, to a file with the right content outside, is not served,
	// and a Put replaces it rather than writing through it.
	c := newCache(t)
	outside := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(outside, []byte(data), 0o644)
	name := filepath.Join(c.Dir, objectName(sha))
	os.MkdirAll(filepath.Dir(name), 0o755)
	os.Symlink(outside, name)
	os.WriteFile(name+".size", []byte("5\n"), 0o644)
	if _, ok := c.Lookup(sha); ok {
		t.Error("Lookup served a symbolic link")
	}
	os.WriteFile(outside, []byte("other"), 0o644)
	if _, err := c.Put(strings.NewReader(data), []Digest{sha}, -1); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, outside); got != "other" {
		t.Errorf("Put wrote through a link: %q", got)
	}
	if info, err := os.Lstat(name); err != nil || !info.Mode().IsRegular() {
		t.Errorf("object is not a regular file after the Put: %v", err)
	}
}

// TestCacheDirLink: the cache folder itself may be a link (a cache moved to another disk).
func TestCacheDirLink(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "objects")
	os.Symlink(real, link)
	c := &Cache{Dir: link}
	entry, err := c.Put(strings.NewReader("x"), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup(entry.SHA256); !ok {
		t.Error("not found through a linked cache folder")
	}
}

func TestPutRemovesStaleTemps(t *testing.T) {
	c := newCache(t)
	tmp := filepath.Join(c.Dir, "tmp")
	os.MkdirAll(tmp, 0o755)
	old, young := filepath.Join(tmp, "get-old"), filepath.Join(tmp, "get-young")
	for _, name := range []string{old, young} {
		os.WriteFile(name, []byte("part"), 0o644)
	}
	long := time.Now().Add(-2 * staleTemp)
	os.Chtimes(old, long, long)
	if _, err := c.Put(strings.NewReader("x"), nil, -1); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a killed writer's download is still there")
	}
	if _, err := os.Lstat(young); err != nil {
		t.Error("a download under way was removed")
	}
}

func TestPutInvalidDigest(t *testing.T) {
	c := newCache(t)
	for _, d := range []Digest{{Algo: "sha1", Hex: strings.Repeat("a", 40)}, {Algo: SHA256, Hex: "ABC"}, {}} {
		if _, err := c.Put(strings.NewReader("x"), []Digest{d}, 1); err == nil {
			t.Errorf("Put wanting %+v: no error", d)
		}
		if _, ok := c.Lookup(d); ok {
			t.Errorf("Lookup(%+v) found something", d)
		}
	}
}
