package gitrepo

import (
	"errors"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/odb"
)

// assertLeftToLibgit2 checks that the pure object store does not hold the objects the tags of
// dir point to (so that Tags can only have read them through libgit2).
func assertLeftToLibgit2(t *testing.T, dir string, names ...string) {
	t.Helper()
	targets := gittest.RefTargets(t, dir)
	r := newReader(t, gittest.ObjectsDir(t, dir))
	for _, name := range names {
		id := gittest.MustID(t, targets[name])
		if kind, _, err := r.Read(id); !errors.Is(err, odb.ErrNotStored) {
			t.Errorf("setup: the pure store reads %s (tag %s) from a pack with a version-1 index: %s, %v; want ErrNotStored",
				id, name, kind, err)
		}
		if r.Exists(id) {
			t.Errorf("setup: the pure store finds %s (tag %s) in a pack with a version-1 index", id, name)
		}
	}
}

// TestTagsObjectStoreSkipsIndexVersion1 reads the tags of a repository whose pack has a
// version-1 index, which the pure store does not read and libgit2 does: Tags returns what git
// reports, cold (no tag cache) and warm.
func TestTagsObjectStoreSkipsIndexVersion1(t *testing.T) {
	t.Run("repack with pack.indexVersion=1", func(t *testing.T) {
		dir := newRepo(t)
		gittest.AddVariedTags(t, dir)
		gittest.Git(t, dir, "-c", "pack.indexVersion=1", "repack", "-adfq")
		gittest.AssertIndexVersion1(t, gittest.OnePack(t, dir))
		assertLeftToLibgit2(t, dir, "churn@v1.0.0", "outermost", "pgp", "tree-annotated", "no-tagger")
		want := gitTags(t, dir)
		assertSameTags(t, "version-1 index, cold", readTags(t, dir), want)
		assertSameTags(t, "version-1 index, warm", readTags(t, dir), want)
	})

	t.Run("index-pack --index-version=1 beside a version-2 pack", func(t *testing.T) {
		dir := newRepo(t)
		gittest.AddVariedTags(t, dir)
		gittest.Git(t, dir, "repack", "-adq")
		gittest.Git(t, dir, "tag", "-a", "in-second-pack", "-m", "in the second pack")
		gittest.Git(t, dir, "tag", "-a", "of-outer", "-m", "a tag of a tag of the first pack", "outer")
		_, second := gittest.PackBeside(t, dir)
		gittest.Reindex(t, dir, second, "1")
		gittest.AssertIndexVersion1(t, second)
		assertLeftToLibgit2(t, dir, "in-second-pack", "of-outer")
		want := gitTags(t, dir)
		assertSameTags(t, "one version-1 and one version-2 index, cold", readTags(t, dir), want)
		assertSameTags(t, "one version-1 and one version-2 index, warm", readTags(t, dir), want)
	})
}
