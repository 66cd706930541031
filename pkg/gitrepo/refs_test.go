package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/refs"
)

// The pure reader of refs (pkg/internal/refs) is tested in its package; these tests read tags
// through Open and Tags, and libgit2 where the reader leaves a layout to it.

func TestTagsUppercaseIdInPackedRefs(t *testing.T) {
	// git reads upper-case hex in packed-refs and reports ids in lower case, as libgit2 does.
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "light")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "annotated")
	gittest.Git(t, dir, "pack-refs", "--all")
	path := filepath.Join(dir, ".git", "packed-refs")
	packed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(string(packed), "\n") {
		if id, name, ok := strings.Cut(line, " "); ok && strings.HasPrefix(name, "refs/tags/") {
			line = strings.ToUpper(id) + " " + name
		}
		lines = append(lines, line)
	}
	gittest.WriteFile(t, path, strings.Join(lines, "\n"))

	want := gitTags(t, dir)
	assertColdAndWarm(t, "upper-case ids in packed-refs", dir)
	for _, tag := range readTags(t, dir) {
		if tag.Commit != strings.ToLower(tag.Commit) {
			t.Errorf("%s: Commit %q is not lower case", tag.Name, tag.Commit)
		}
	}
	if len(want) != 2 {
		t.Errorf("git reports %d tags, want 2", len(want))
	}
}

// TestTagsWhileRefsAreRewritten reads the tags while git moves refs between the loose files and
// packed-refs. Git reads the loose refs before packed-refs (files-backend.c,
// files_ref_iterator_begin: "We must make sure that all loose refs are read before accessing
// the packed-refs file; this avoids a race condition if loose refs are migrated to the
// packed-refs file by a simultaneous process"), so that a ref moved by pack-refs, or deleted
// (packed-refs is rewritten first, the loose file removed after), is never lost or seen at a
// value it did not have.
func TestTagsWhileRefsAreRewritten(t *testing.T) {
	// Both Tags and refs.ReadTags alone: ReadTags reads faster, so it loses the race more often;
	// when it gives up (refs.ErrFallback, or a loose ref gone between listing and reading), that
	// read is not counted.
	readers := map[string]func(*Repository) ([]Tag, bool){
		"Tags": func(r *Repository) ([]Tag, bool) {
			tags, err := r.Tags()
			if err != nil {
				return []Tag{{Name: "error: " + err.Error()}}, true
			}
			return tags, true
		},
		"ReadTags": func(r *Repository) ([]Tag, bool) {
			list, err := refs.ReadTags(r.CommonDir(), "")
			if err != nil {
				return nil, false
			}
			tags := make([]Tag, len(list))
			for i, ref := range list { // every tag of these tests is lightweight, on a commit
				tags[i] = Tag{Name: ref.Name, Commit: ref.Target.String(), PeeledType: object.Commit}
			}
			return tags, true
		},
	}
	for _, via := range []string{"Tags", "ReadTags"} {
		t.Run("pack-refs never hides a tag, "+via, func(t *testing.T) {
			dir := newRepo(t)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			var initial []string
			var batch strings.Builder
			for i := range 100 {
				name := fmt.Sprintf("base-%03d", i)
				initial = append(initial, name)
				fmt.Fprintf(&batch, "create refs/tags/%s %s\n", name, head)
			}
			gittest.GitInput(t, dir, batch.String(), "update-ref", "--stdin")
			slices.Sort(initial)

			reads, created := readWhile(t, dir, readers[via], func(round int) []tagCreation {
				var batch strings.Builder
				var names []string
				for i := range 40 {
					name := fmt.Sprintf("r%02d/%02d/t", round, i) // nested, as registry names are
					names = append(names, name)
					fmt.Fprintf(&batch, "create refs/tags/%s %s\n", name, head)
				}
				start := time.Now().UnixNano()
				gittest.GitInput(t, dir, batch.String(), "update-ref", "--stdin")
				end := time.Now().UnixNano()
				gittest.Git(t, dir, "pack-refs", "--all")
				var created []tagCreation
				for _, name := range names {
					created = append(created, tagCreation{name, start, end})
				}
				return created
			})
			assertReadsConsistent(t, reads, initial, created, gitTags(t, dir))
		})
	}

	for _, via := range []string{"Tags", "ReadTags"} {
		t.Run("deleting a packed tag never shows its shadowed value, "+via, func(t *testing.T) {
			dir := newRepo(t)
			first := gittest.Git(t, dir, "rev-parse", "HEAD")
			second := gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
			gittest.Git(t, dir, "tag", "keep")
			shadowedSince := map[string]int64{} // tag → when its packed value (first) was shadowed
			reads, _ := readWhile(t, dir, readers[via], func(round int) []tagCreation {
				var create, override, remove strings.Builder
				for i := range 40 {
					name := fmt.Sprintf("d%02d/t%02d", round, i)
					fmt.Fprintf(&create, "create refs/tags/%s %s\n", name, first)
					fmt.Fprintf(&override, "update refs/tags/%s %s\n", name, second)
					fmt.Fprintf(&remove, "delete refs/tags/%s\n", name)
				}
				gittest.GitInput(t, dir, create.String(), "update-ref", "--stdin")
				gittest.Git(t, dir, "pack-refs", "--all")
				gittest.GitInput(t, dir, override.String(), "update-ref", "--stdin") // loose refs over the packed ones
				shadowed := time.Now().UnixNano()
				for i := range 40 {
					shadowedSince[fmt.Sprintf("d%02d/t%02d", round, i)] = shadowed
				}
				gittest.GitInput(t, dir, remove.String(), "update-ref", "--stdin")
				return nil
			})
			failures, errs := 0, 0
			for _, read := range reads {
				if read.Err != "" {
					if errs++; errs <= 3 {
						t.Errorf("Tags() failed while tags were being deleted: %s", read.Err)
					}
					continue
				}
				for j, name := range read.Names {
					since, ok := shadowedSince[name]
					if ok && read.Start > since && strings.Contains(read.Lines[j], fmt.Sprintf("commit=%q", first)) {
						if failures++; failures <= 5 {
							t.Errorf("a read started %v after %s was moved to %s returned it at its old packed value:\n  %s",
								time.Duration(read.Start-since), name, second[:7], read.Lines[j])
						}
					}
				}
			}
			if failures > 5 {
				t.Errorf("… %d stale tags in all", failures)
			}
			if errs > 3 {
				t.Errorf("… %d failed reads in all", errs)
			}
		})
	}
}

// readWhile reads the tags with read from three goroutines, each with its own Repository, while
// change runs round after round for a second at least; it returns the reads (those that read
// reports as counting) and what change created.
func readWhile(t *testing.T, dir string, read func(*Repository) ([]Tag, bool), change func(round int) []tagCreation) ([]tagsRead, []tagCreation) {
	t.Helper()
	var mu sync.Mutex
	var reads []tagsRead
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := Open(dir)
			if err != nil {
				mu.Lock()
				reads = append(reads, tagsRead{Err: err.Error()})
				mu.Unlock()
				return
			}
			defer r.Close()
			for {
				select {
				case <-stop:
					return
				default:
				}
				one := tagsRead{Start: time.Now().UnixNano()}
				tags, counts := read(r)
				one.End = time.Now().UnixNano()
				if !counts {
					continue
				}
				for _, tag := range tags {
					if msg, failed := strings.CutPrefix(tag.Name, "error: "); failed {
						one.Err = msg
						break
					}
					one.Lines = append(one.Lines, tagLine(tag))
					one.Names = append(one.Names, tag.Name)
				}
				mu.Lock()
				reads = append(reads, one)
				mu.Unlock()
			}
		}()
	}
	var created []tagCreation
	deadline := time.Now().Add(time.Second)
	for round := 0; round < 20 || time.Now().Before(deadline); round++ {
		created = append(created, change(round)...)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads", len(reads))
	return reads, created
}
