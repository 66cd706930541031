package gitrepo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/odb"
)

// assertIndexVersion1 checks that the pack index at idx is version 1 (no "\377tOc" signature).
func assertIndexVersion1(t *testing.T, idx string) {
	t.Helper()
	head, err := os.ReadFile(idx)
	if err != nil || bytes.HasPrefix(head, []byte("\xfftOc")) {
		t.Fatalf("setup: the index %s is not version 1 (%v)", filepath.Base(idx), err)
	}
}

// assertLeftToLibgit2 checks that the pure object store does not hold the objects the tags of
// dir point to (so that Tags can only have read them through libgit2).
func assertLeftToLibgit2(t *testing.T, dir string, names ...string) {
	t.Helper()
	targets := refTargets(t, dir)
	r := newReader(t, objectsDir(t, dir))
	for _, name := range names {
		id := mustID(t, targets[name])
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
		addVariedTags(t, dir)
		gitCmd(t, dir, "-c", "pack.indexVersion=1", "repack", "-adfq")
		idxs := packIndexes(t, dir)
		if len(idxs) != 1 {
			t.Fatalf("setup: %d packs", len(idxs))
		}
		assertIndexVersion1(t, idxs[0])
		if count := gitCmd(t, dir, "count-objects"); !strings.HasPrefix(count, "0 objects") {
			t.Fatalf("setup: loose objects left after the repack: %s", count)
		}
		assertLeftToLibgit2(t, dir, "churn@v1.0.0", "outermost", "pgp", "tree-annotated", "no-tagger")
		want := gitTags(t, dir)
		assertSameTags(t, "version-1 index, cold", readTags(t, dir), want)
		assertSameTags(t, "version-1 index, warm", readTags(t, dir), want)
	})

	t.Run("index-pack --index-version=1 beside a version-2 pack", func(t *testing.T) {
		dir := newRepo(t)
		addVariedTags(t, dir)
		gitCmd(t, dir, "repack", "-adq")
		first := packIndexes(t, dir)
		gitCmd(t, dir, "tag", "-a", "in-second-pack", "-m", "in the second pack")
		gitCmd(t, dir, "tag", "-a", "of-outer", "-m", "a tag of a tag of the first pack", "outer")
		gitCmd(t, dir, "repack", "-dq") // the loose objects into a second pack
		idxs := packIndexes(t, dir)
		if len(first) != 1 || len(idxs) != 2 {
			t.Fatalf("setup: %d packs, then %d; want 1, then 2", len(first), len(idxs))
		}
		second := idxs[0]
		if second == first[0] {
			second = idxs[1]
		}
		rewritten := filepath.Join(t.TempDir(), "v1.idx")
		gitCmd(t, dir, "index-pack", "--index-version=1", "-o", rewritten, strings.TrimSuffix(second, ".idx")+".pack")
		content, err := os.ReadFile(rewritten)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(second); err != nil {
			t.Fatal(err)
		}
		writeFile(t, second, string(content))
		assertIndexVersion1(t, second)
		assertLeftToLibgit2(t, dir, "in-second-pack", "of-outer")
		want := gitTags(t, dir)
		assertSameTags(t, "one version-1 and one version-2 index, cold", readTags(t, dir), want)
		assertSameTags(t, "one version-1 and one version-2 index, warm", readTags(t, dir), want)
	})
}
