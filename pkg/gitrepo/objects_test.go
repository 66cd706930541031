package gitrepo

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/odb"
)

// These tests damage or hide the objects of tags and check what Tags makes of it: that it names
// the tag it cannot read, never panics or hangs, and that libgit2 reads what the pure object
// store (pkg/internal/odb, tested on its own there) leaves to it.

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

// The error for a corrupt tag object of a packed ref owns its strings: packed-refs is unmapped
// by the time Tags returns it, and reading the inner error must not touch it.
func TestTagsCorruptObjectErrorOutlivesPackedRefs(t *testing.T) {
	dir := newRepo(t)
	gittest.AddVariedTags(t, dir)
	gittest.Git(t, dir, "pack-refs", "--all")
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
		gittest.AddVariedTags(t, dir)
		gittest.Git(t, dir, "repack", "-adfq")
		idx := gittest.PackIndexes(t, dir)[0]
		entries := gittest.PackEntries(t, idx)
		isBase := map[object.ID]bool{}
		for _, e := range entries {
			isBase[e.Base] = true
		}
		names, refs := map[object.ID]string{}, map[object.ID]int{}
		for name, hex := range gittest.RefTargets(t, dir) {
			id := gittest.MustID(t, hex)
			names[id] = name
			refs[id]++
		}
		// A tag object that another tag object or another ref points to would make that tag
		// fail too.
		var victim *gittest.PackEntry
		for i, e := range entries {
			if e.Kind == "tag" && e.Base.IsZero() && !isBase[e.ID] && refs[e.ID] == 1 && !pointedToByTag(t, dir, e.ID.String()) {
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
		for data[victim.Offset+header-1]&0x80 != 0 {
			header++
		}
		data[victim.Offset+header+(victim.Packed-header)/2] ^= 0xff
		if err := os.Remove(pack); err != nil {
			t.Fatal(err)
		}
		gittest.WriteFile(t, pack, string(data))
		assertTagsFailOn(t, dir, names[victim.ID], victim.ID.String())
	})

	t.Run("loose", func(t *testing.T) {
		dir := newRepo(t)
		gittest.AddVariedTags(t, dir)
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
	id := gittest.RefTargets(t, dir)[name]
	path := filepath.Join(gittest.ObjectsDir(t, dir), id[:2], id[2:])
	valid, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, path, string(damage(valid)))
	return id
}

// TestTagsTruncatedLooseObjectNamesTheTag cuts the end off a loose tag object: git cannot
// read it (libgit2 1.5 never returns from reading it), and Tags must return within 10 s an
// error naming the tag.
func TestTagsTruncatedLooseObjectNamesTheTag(t *testing.T) {
	dir := newRepo(t)
	gittest.AddVariedTags(t, dir)
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
	for _, line := range strings.Split(gittest.Git(t, dir, "for-each-ref", "--format=%(objecttype) %(*objectname)", "refs/tags/"), "\n") {
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
	if kind, data, err := newReader(t, gittest.ObjectsDir(t, dir)).Read(gittest.MustID(t, id)); err == nil {
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
	gittest.AddVariedTags(t, src)
	gittest.Git(t, src, "repack", "-adq")
	gittest.Git(t, src, "tag", "-a", "loose-in-source", "-m", "loose in the source")
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, src, "clone", "-q", "--shared", src, clone)
	if _, err := os.Stat(filepath.Join(gittest.ObjectsDir(t, clone), "info", "alternates")); err != nil {
		t.Fatalf("setup: the clone has no alternates: %v", err)
	}
	gittest.Git(t, clone, "tag", "-a", "in-clone", "-m", "made in the clone")
	gittest.Git(t, clone, "tag", "-a", "in-clone-of-outer", "-m", "a tag of a tag of the source", "outer")
	gittest.Git(t, clone, "tag", "light-in-clone", "churn@v1.0.0")

	targets := gittest.RefTargets(t, clone)
	r := newReader(t, gittest.ObjectsDir(t, clone))
	for _, name := range []string{"in-clone", "in-clone-of-outer"} {
		if _, _, err := r.Read(gittest.MustID(t, targets[name])); err != nil {
			t.Errorf("setup: the store cannot read %s, made in the clone: %v", name, err)
		}
	}
	for _, name := range []string{"churn@v1.0.0", "outer", "loose-in-source"} {
		if r.Exists(gittest.MustID(t, targets[name])) {
			t.Errorf("setup: the store finds %s, which only the alternate holds", name)
		}
	}
	want := gitTags(t, clone)
	if len(want) != len(gitTags(t, src))+3 {
		t.Fatalf("setup: the clone has %d tags", len(want))
	}
	assertSameTags(t, "clone --shared", readTags(t, clone), want)
}
