package gitrepo

import (
	"slices"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/tagcache"
)

// An index is saved under the digest of the refs its items were derived from (the last Tags or
// TagNames), never under that of the refs when LoadIndex was called: refs that change in between
// and come back (a loose tag deleted, then made again) must not find an index of the refs they
// were not.
func TestLoadIndexSavesUnderTheRefsRead(t *testing.T) {
	for _, read := range []struct {
		name string
		read func(r *Repository) error
	}{
		{"Tags", func(r *Repository) error { _, err := r.Tags(); return err }},
		{"TagNames", func(r *Repository) error { _, err := r.TagNames(); return err }},
	} {
		t.Run(read.name, func(t *testing.T) {
			dir := newRepo(t)
			gittest.Git(t, dir, "tag", "-a", "a@v1.0.0", "-m", "r")
			gittest.Git(t, dir, "tag", "-a", "c@v1.0.0", "-m", "r")
			id := gittest.Git(t, dir, "rev-parse", "refs/tags/c@v1.0.0")

			r := openRepo(t, dir)
			if _, fresh, _ := r.LoadIndex(tagcache.SummaryIndex); fresh {
				t.Fatal("an index before any was saved")
			}
			_, _, save := r.LoadIndex(tagcache.SummaryIndex) // the refs hold a and c
			gittest.Git(t, dir, "update-ref", "-d", "refs/tags/c@v1.0.0")
			if err := read.read(r); err != nil { // the refs hold a only
				t.Fatal(err)
			}
			save([]string{"made from a only"})
			if items, fresh, _ := r.LoadIndex(tagcache.SummaryIndex); !fresh || !slices.Equal(items, []string{"made from a only"}) {
				t.Errorf("the index of the refs as read is not found: %v, %v", items, fresh)
			}
			gittest.Git(t, dir, "update-ref", "refs/tags/c@v1.0.0", id) // back as they were
			if items, fresh, _ := openRepo(t, dir).LoadIndex(tagcache.SummaryIndex); fresh {
				t.Errorf("refs holding a and c found the index made from a only: %v", items)
			}
		})
	}
}
