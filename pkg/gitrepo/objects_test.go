package gitrepo

import (
	"bytes"
	"compress/zlib"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/odb"
)

// These tests damage or hide the objects of tags and check what Tags makes of it: that it names
// the tag it cannot read, never panics or hangs, and that libgit2 reads what the pure object
// store (pkg/internal/odb, tested on its own there) leaves to it.

// objectsDir is the object directory of the repository at dir.
func objectsDir(t *testing.T, dir string) string {
	t.Helper()
	return filepath.Join(commonDir(t, dir), "objects")
}

// newReader opens the pure store of an object directory and a reader of it, freed at cleanup.
func newReader(t *testing.T, objects string) *odb.Reader {
	t.Helper()
	store := odb.Open(objects)
	r, err := store.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Free()
		store.Close()
	})
	return r
}

// mustID parses a 40-hex id that git printed.
func mustID(t *testing.T, hex string) object.ID {
	t.Helper()
	id, ok := object.ParseID(hex)
	if !ok {
		t.Fatalf("git printed %q for an object id", hex)
	}
	return id
}

// looseTag makes a repository with one annotated tag, churn@v1.0.0, stored as a loose object:
// the repository, the tag object's id, the path of its file and the file's content.
func looseTag(t *testing.T) (dir string, id object.ID, path string, content []byte) {
	t.Helper()
	dir = newRepo(t)
	gitCmd(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	id = mustID(t, refTargets(t, dir)["churn@v1.0.0"])
	path = filepath.Join(objectsDir(t, dir), id.String()[:2], id.String()[2:])
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return dir, id, path, content
}

// deflated compresses data with compress/zlib.
func deflated(t *testing.T, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// packIndexes returns the index files of the repository's packs.
func packIndexes(t *testing.T, dir string) []string {
	t.Helper()
	idxs, err := filepath.Glob(filepath.Join(objectsDir(t, dir), "pack", "pack-*.idx"))
	if err != nil {
		t.Fatal(err)
	}
	return idxs
}

// packEntry is one object of a pack as git verify-pack -v lists it.
type packEntry struct {
	id, kind       string
	packed, offset int
	base           string // the delta's base; "" when the object is whole
}

// packEntries lists the objects of the pack whose index is idx.
func packEntries(t *testing.T, idx string) []packEntry {
	t.Helper()
	var entries []packEntry
	for _, line := range strings.Split(gitCmd(t, filepath.Dir(idx), "verify-pack", "-v", idx), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || len(f[0]) != object.HexSize || !object.IsHex(f[0]) {
			continue
		}
		e := packEntry{id: f[0], kind: f[1]}
		var err1, err2 error
		e.packed, err1 = strconv.Atoi(f[3])
		e.offset, err2 = strconv.Atoi(f[4])
		if err1 != nil || err2 != nil {
			t.Fatalf("git verify-pack line %q", line)
		}
		if len(f) == 7 {
			e.base = f[6]
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		t.Fatalf("git verify-pack -v %s listed no object", idx)
	}
	return entries
}

// The error for a corrupt tag object of a packed ref owns its strings: packed-refs is unmapped
// by the time Tags returns it, and reading the inner error must not touch it.
func TestTagsCorruptObjectErrorOutlivesPackedRefs(t *testing.T) {
	dir := newRepo(t)
	addVariedTags(t, dir)
	gitCmd(t, dir, "pack-refs", "--all")
	id := damageLooseTag(t, dir, "churn@v1.0.1", func(valid []byte) []byte {
		damaged := bytes.Clone(valid)
		damaged[len(damaged)/2] ^= 0xff
		return damaged
	})
	_, err := tryReadTags(dir)
	var corrupt *odb.CorruptError
	if !errors.As(err, &corrupt) {
		t.Fatalf("Tags() = %v, want a corrupt object", err)
	}
	if msg := corrupt.Error(); !strings.Contains(msg, id) {
		t.Errorf("the corrupt object's error %q does not name %s", msg, id)
	}
}

// TestTagsDamagedObjectNamesTheTag damages a tag object, packed or loose, that no other object
// depends on: git cannot read it either, and Tags must fail naming that tag, without panicking.
func TestTagsDamagedObjectNamesTheTag(t *testing.T) {
	t.Run("packed", func(t *testing.T) {
		dir := newRepo(t)
		addVariedTags(t, dir)
		gitCmd(t, dir, "repack", "-adfq")
		idx := packIndexes(t, dir)[0]
		entries := packEntries(t, idx)
		isBase := map[string]bool{}
		for _, e := range entries {
			isBase[e.base] = true
		}
		names, refs := map[string]string{}, map[string]int{}
		for name, id := range refTargets(t, dir) {
			names[id] = name
			refs[id]++
		}
		// A tag object that another tag object or another ref points to would make that tag
		// fail too.
		var victim *packEntry
		for i, e := range entries {
			if e.kind == "tag" && e.base == "" && !isBase[e.id] && refs[e.id] == 1 && !pointedToByTag(t, dir, e.id) {
				victim = &entries[i]
				break
			}
		}
		if victim == nil {
			t.Fatal("setup: no tag object that is whole, named by one ref, and nothing's base or target")
		}
		pack := strings.TrimSuffix(idx, ".idx") + ".pack"
		data, err := os.ReadFile(pack)
		if err != nil {
			t.Fatal(err)
		}
		header := 1
		for data[victim.offset+header-1]&0x80 != 0 {
			header++
		}
		data[victim.offset+header+(victim.packed-header)/2] ^= 0xff
		if err := os.Remove(pack); err != nil {
			t.Fatal(err)
		}
		writeFile(t, pack, string(data))
		assertTagsFailOn(t, dir, names[victim.id], victim.id)
	})

	t.Run("loose", func(t *testing.T) {
		dir := newRepo(t)
		addVariedTags(t, dir)
		id := damageLooseTag(t, dir, "churn@v1.0.1", func(valid []byte) []byte {
			damaged := bytes.Clone(valid)
			damaged[len(damaged)/2] ^= 0xff
			return damaged
		})
		assertTagsFailOn(t, dir, "churn@v1.0.1", id)
	})
}

// damageLooseTag replaces the loose object of the tag name with damage(its content) and
// returns its id.
func damageLooseTag(t *testing.T, dir, name string, damage func([]byte) []byte) string {
	t.Helper()
	id := refTargets(t, dir)[name]
	path := filepath.Join(objectsDir(t, dir), id[:2], id[2:])
	valid, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(damage(valid)))
	return id
}

// TestTagsTruncatedLooseObjectNamesTheTag cuts the end off a loose tag object: git cannot
// read it (libgit2 1.5 never returns from reading it), and Tags must return within 10 s an
// error naming the tag.
func TestTagsTruncatedLooseObjectNamesTheTag(t *testing.T) {
	dir := newRepo(t)
	addVariedTags(t, dir)
	id := damageLooseTag(t, dir, "churn@v1.0.1", func(valid []byte) []byte { return valid[:len(valid)-6] })
	assertUnreadable(t, dir, id)

	done := make(chan error, 1)
	go func() {
		_, err := tryReadTags(dir)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "reading tag 'churn@v1.0.1': ") {
			t.Errorf("Tags() with the object of churn@v1.0.1 truncated: %v, want an error naming it", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("Tags() with the loose object of churn@v1.0.1 truncated by 6 bytes had not returned after 10 s")
	}
}

// pointedToByTag reports whether a tag object of the repository points to the object id.
func pointedToByTag(t *testing.T, dir, id string) bool {
	t.Helper()
	for _, line := range strings.Split(gitCmd(t, dir, "for-each-ref", "--format=%(objecttype) %(*objectname)", "refs/tags/"), "\n") {
		if line == "tag "+id {
			return true
		}
	}
	return false
}

// assertUnreadable checks that git cannot read the damaged object id, and that the store
// refuses it.
func assertUnreadable(t *testing.T, dir, id string) {
	t.Helper()
	cat := exec.Command("git", "cat-file", "tag", id)
	cat.Dir = dir
	if out, err := cat.Output(); err == nil {
		t.Fatalf("setup: git still reads the damaged %s:\n%s", id, out)
	}
	if kind, data, err := newReader(t, objectsDir(t, dir)).Read(mustID(t, id)); err == nil {
		t.Errorf("Read(%s) of a damaged object = %s of %d bytes, want an error", id, kind, len(data))
	}
}

// assertTagsFailOn checks that the object id of the tag name is unreadable, and that Tags fails
// with an error naming the tag.
func assertTagsFailOn(t *testing.T, dir, name, id string) {
	t.Helper()
	assertUnreadable(t, dir, id)
	tags, err := tryReadTags(dir)
	if err == nil || !strings.HasPrefix(err.Error(), "reading tag '"+name+"': ") {
		t.Errorf("Tags() with the object of %s damaged: %d tags, err = %v; want an error naming '%s'", name, len(tags), err, name)
	}
}

// TestTagsObjectsOnlyInAlternates reads the tags of a clone made with git clone --shared,
// whose own object directory holds only the objects made after cloning: the store cannot read
// the others, and libgit2, which follows objects/info/alternates, must.
func TestTagsObjectsOnlyInAlternates(t *testing.T) {
	src := newRepo(t)
	addVariedTags(t, src)
	gitCmd(t, src, "repack", "-adq")
	gitCmd(t, src, "tag", "-a", "loose-in-source", "-m", "loose in the source")
	clone := filepath.Join(t.TempDir(), "clone")
	gitCmd(t, src, "clone", "-q", "--shared", src, clone)
	if _, err := os.Stat(filepath.Join(objectsDir(t, clone), "info", "alternates")); err != nil {
		t.Fatalf("setup: the clone has no alternates: %v", err)
	}
	gitCmd(t, clone, "tag", "-a", "in-clone", "-m", "made in the clone")
	gitCmd(t, clone, "tag", "-a", "in-clone-of-outer", "-m", "a tag of a tag of the source", "outer")
	gitCmd(t, clone, "tag", "light-in-clone", "churn@v1.0.0")

	targets := refTargets(t, clone)
	r := newReader(t, objectsDir(t, clone))
	for _, name := range []string{"in-clone", "in-clone-of-outer"} {
		if _, _, err := r.Read(mustID(t, targets[name])); err != nil {
			t.Errorf("setup: the store cannot read %s, made in the clone: %v", name, err)
		}
	}
	for _, name := range []string{"churn@v1.0.0", "outer", "loose-in-source"} {
		if r.Exists(mustID(t, targets[name])) {
			t.Errorf("setup: the store finds %s, which only the alternate holds", name)
		}
	}
	want := gitTags(t, clone)
	if len(want) != len(gitTags(t, src))+3 {
		t.Fatalf("setup: the clone has %d tags", len(want))
	}
	assertSameTags(t, "clone --shared", readTags(t, clone), want)
}
