package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// tagWhen is the tagger time of the tags these tests create.
var tagWhen = time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("", 3600))

// newTag is an annotated tag of commit for CreateTag to create without replacing anything.
func newTag(name, commit, message string) NewTag {
	return NewTag{Name: name, Commit: commit, Message: message, Tagger: Identity{Name: "Tess Tagger", Email: "tess@example.com"}, When: tagWhen}
}

// refState is every ref as git lists it, so that a failed creation can be shown to change none.
func refState(t *testing.T, dir string) string {
	t.Helper()
	return gittest.Git(t, dir, "for-each-ref", "--format=%(objectname) %(refname)")
}

// lockFiles lists the lock files in the git directory (objects aside), relative to it.
func lockFiles(t *testing.T, dir string) []string {
	t.Helper()
	common := gittest.CommonDir(t, dir)
	var locks []string
	err := filepath.WalkDir(common, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path == filepath.Join(common, "objects") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, ".lock") {
			rel, _ := filepath.Rel(common, path)
			locks = append(locks, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return locks
}

func assertNoLockFiles(t *testing.T, dir string, except ...string) {
	t.Helper()
	locks := slices.DeleteFunc(lockFiles(t, dir), func(l string) bool { return slices.Contains(except, l) })
	if len(locks) > 0 {
		t.Errorf("lock files left behind: %q", locks)
	}
}

// refExists reports whether git resolves refs/tags/name.
func refExists(dir, name string) bool {
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", "refs/tags/"+name)
	cmd.Dir = dir
	return cmd.Run() == nil
}

// logModes are the two ways a tag is created: as a loose ref written directly, and through
// libgit2 when its update must be logged (core.logAllRefUpdates=always).
var logModes = []string{"direct", "logAllRefUpdates=always"}

// repoForMode creates a repository whose tag creations take the given way.
func repoForMode(t *testing.T, mode string) string {
	t.Helper()
	dir := newRepo(t)
	if mode == "logAllRefUpdates=always" {
		gittest.Git(t, dir, "config", "core.logAllRefUpdates", "always")
	}
	return dir
}

// A created tag is a loose ref that git lists, pointing at the annotated tag object CreateTag
// wrote, nested names included, beside packed tags; and Tags and ArtifactTags read it.
func TestCreateTagCreatesWhatGitReads(t *testing.T) {
	for _, mode := range logModes {
		t.Run(mode, func(t *testing.T) {
			dir := repoForMode(t, mode)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			gittest.Git(t, dir, "tag", "-a", "churn@v0.1.0", "-m", "packed")
			gittest.Git(t, dir, "tag", "models/cv=segm@v0.1.0")
			gittest.Git(t, dir, "pack-refs", "--all")
			r := openRepo(t, dir)
			for _, name := range []string{"churn@v1.0.0", "models/cv=segm#team/prod#1", "new/dir=deep/name@v1.0.0"} {
				msg := "Registering " + name
				if err := r.CreateTag(newTag(name, head, msg)); err != nil {
					t.Fatalf("CreateTag(%s): %v", name, err)
				}
				if got := gittest.Git(t, dir, "for-each-ref", "--format=%(objecttype) %(*objectname)", "refs/tags/"+name); got != "tag "+head {
					t.Errorf("git for-each-ref refs/tags/%s = %q, want %q", name, got, "tag "+head)
				}
				wantObject := fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Tess Tagger <tess@example.com> %d +0100\n\n%s",
					head, name, tagWhen.Unix(), msg)
				if got := gittest.Git(t, dir, "cat-file", "-p", "refs/tags/"+name); got != wantObject {
					t.Errorf("git cat-file -p refs/tags/%s =\n%s\nwant\n%s", name, got, wantObject)
				}
				id := gittest.Git(t, dir, "rev-parse", "refs/tags/"+name)
				if loose, err := os.ReadFile(filepath.Join(dir, ".git", "refs", "tags", filepath.FromSlash(name))); err != nil || string(loose) != id+"\n" {
					t.Errorf("loose ref refs/tags/%s = %q, %v; want %q", name, loose, err, id+"\n")
				}
			}
			gittest.Git(t, dir, "fsck", "--no-progress", "--strict")
			assertNoLockFiles(t, dir)
			assertArtifactTags(t, dir, "churn", "churn@v0.1.0", "churn@v1.0.0")
			assertArtifactTags(t, dir, "models/cv=segm", "models/cv=segm@v0.1.0", "models/cv=segm#team/prod#1")
			assertArtifactTags(t, dir, "new/dir=deep/name", "new/dir=deep/name@v1.0.0")
		})
	}
}

// A lightweight tag created by createNewTag points at the commit itself.
func TestCreateNewTagLightweight(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	if err := openRepo(t, dir).createNewTag("churn#prod#1", head); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Git(t, dir, "for-each-ref", "--format=%(objecttype) %(objectname)", "refs/tags/churn#prod#1"); got != "commit "+head {
		t.Errorf("git for-each-ref = %q, want %q", got, "commit "+head)
	}
	assertNoLockFiles(t, dir)
}

// Creating a tag that exists, loose or packed only, is ErrTagExists and leaves every ref,
// packed-refs and the lock files as they were.
func TestCreateTagExisting(t *testing.T) {
	for _, mode := range logModes {
		for _, where := range []string{"loose", "packed"} {
			t.Run(mode+", "+where, func(t *testing.T) {
				dir := repoForMode(t, mode)
				head := gittest.Git(t, dir, "rev-parse", "HEAD")
				gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "the first")
				gittest.Git(t, dir, "tag", "models/cv=segm#prod#1")
				if where == "packed" {
					gittest.Git(t, dir, "pack-refs", "--all")
				}
				packedBefore, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
				before := refState(t, dir)
				r := openRepo(t, dir)
				for _, name := range []string{"churn@v1.0.0", "models/cv=segm#prod#1"} {
					err := r.CreateTag(newTag(name, head, "the second"))
					if !errors.Is(err, ErrTagExists) {
						t.Errorf("CreateTag(%s) over an existing %s tag: %v, want ErrTagExists", name, where, err)
					}
					if where == "packed" {
						if _, err := os.Lstat(filepath.Join(dir, ".git", "refs", "tags", filepath.FromSlash(name))); !errors.Is(err, fs.ErrNotExist) {
							t.Errorf("a loose ref %s appeared over the packed one (%v)", name, err)
						}
					}
				}
				if after := refState(t, dir); after != before {
					t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
				}
				if packedAfter, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs")); string(packedAfter) != string(packedBefore) {
					t.Errorf("packed-refs changed:\n%s\nwas\n%s", packedAfter, packedBefore)
				}
				assertNoLockFiles(t, dir)
			})
		}
	}
}

// A ref's lock file that stays (left by a crash, or held by a writer longer than git waits) is
// a LockError naming it, as git reports it, whether the ref is written directly or through
// libgit2: not ErrTagExists, on which the caller would read again and retry in vain. No ref is
// created, and the lock, which is not ours, stays as it was.
func TestCreateTagLockHeld(t *testing.T) {
	for _, mode := range logModes {
		t.Run(mode, func(t *testing.T) {
			dir := repoForMode(t, mode)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			before := refState(t, dir)
			r := openRepo(t, dir)
			for _, name := range []string{"churn@v1.0.0", "models/cv=segm#prod#1"} {
				lock := filepath.Join(gittest.CommonDir(t, dir), "refs", "tags", filepath.FromSlash(name)+".lock")
				gittest.WriteFile(t, lock, "being written\n")
				err := r.CreateTag(newTag(name, head, "blocked"))
				var locked *LockError
				if !errors.As(err, &locked) || locked.Path != lock {
					t.Errorf("CreateTag(%s) with its lock held: %v, want a LockError for %s", name, err, lock)
				} else if want := "Unable to create '" + lock + "': File exists."; err.Error() != want {
					t.Errorf("CreateTag(%s): %q, want %q", name, err, want)
				}
				if errors.Is(err, ErrTagExists) {
					t.Errorf("CreateTag(%s) with its lock held is ErrTagExists", name)
				}
				if content, err := os.ReadFile(lock); err != nil || string(content) != "being written\n" {
					t.Errorf("the other writer's lock %s = %q, %v; want it untouched", lock, content, err)
				}
				if refExists(dir, name) {
					t.Errorf("refs/tags/%s was created under another writer's lock", name)
				}
			}
			if after := refState(t, dir); after != before {
				t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
			}
			assertNoLockFiles(t, dir, "refs/tags/churn@v1.0.0.lock", "refs/tags/models/cv=segm#prod#1.lock")
		})
	}
}

// A ref's lock held for a moment, as git holds it, is waited for: the creation succeeds once
// the other writer lets go (core.filesRefLockTimeout is raised so that a slow machine cannot
// make the wait run out).
func TestCreateTagWaitsForABriefLock(t *testing.T) {
	for _, mode := range logModes {
		t.Run(mode, func(t *testing.T) {
			dir := repoForMode(t, mode)
			gittest.Git(t, dir, "config", "core.filesRefLockTimeout", "60000")
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			lock := filepath.Join(gittest.CommonDir(t, dir), "refs", "tags", "brief@v1.0.0.lock")
			gittest.WriteFile(t, lock, "being written\n")
			r := openRepo(t, dir)
			go func() {
				time.Sleep(20 * time.Millisecond)
				os.Remove(lock)
			}()
			if err := r.CreateTag(newTag("brief@v1.0.0", head, "after the wait")); err != nil {
				t.Fatalf("CreateTag: %v", err)
			}
			if !refExists(dir, "brief@v1.0.0") {
				t.Errorf("refs/tags/brief@v1.0.0 missing")
			}
			assertNoLockFiles(t, dir)
		})
	}
}

// core.filesRefLockTimeout=0 means no wait at all, as in git: the LockError comes at once
// (checked by the result alone: the lock is never removed).
func TestCreateTagLockTimeoutZero(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "config", "core.filesRefLockTimeout", "0")
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	lock := filepath.Join(gittest.CommonDir(t, dir), "refs", "tags", "x.lock")
	gittest.WriteFile(t, lock, "")
	var locked *LockError
	if err := openRepo(t, dir).CreateTag(newTag("x", head, "blocked")); !errors.As(err, &locked) || locked.Path != lock {
		t.Errorf("CreateTag: %v, want a LockError for %s", err, lock)
	}
}

// Deleting a tag whose lock file, or packed-refs.lock for a packed tag, exists is a LockError
// naming that file, and changes nothing: the loose ref and the packed line both stay.
func TestDeleteTagLockHeld(t *testing.T) {
	cases := []struct {
		name, lock string
		packed     bool
	}{
		{"churn@v1.0.0", "refs/tags/churn@v1.0.0.lock", false},
		{"models/cv=segm#prod#1", "refs/tags/models/cv=segm#prod#1.lock", false},
		{"churn@v1.0.0", "refs/tags/churn@v1.0.0.lock", true},
		{"models/cv=segm#prod#1", "packed-refs.lock", true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s, packed %v, %s", c.name, c.packed, c.lock), func(t *testing.T) {
			dir := newRepo(t)
			gittest.Git(t, dir, "tag", "-a", c.name, "-m", "to delete")
			if c.packed {
				gittest.Git(t, dir, "pack-refs", "--all")
			}
			before := refState(t, dir)
			packedBefore, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
			lock := filepath.Join(gittest.CommonDir(t, dir), filepath.FromSlash(c.lock))
			gittest.WriteFile(t, lock, "being written\n")
			err := openRepo(t, dir).DeleteTag(c.name)
			var locked *LockError
			if !errors.As(err, &locked) || locked.Path != lock {
				t.Errorf("DeleteTag(%s): %v, want a LockError for %s", c.name, err, lock)
			} else if want := "Unable to create '" + lock + "': File exists."; err.Error() != want {
				t.Errorf("DeleteTag(%s): %q, want %q", c.name, err, want)
			}
			if after := refState(t, dir); after != before {
				t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
			}
			if packedAfter, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs")); string(packedAfter) != string(packedBefore) {
				t.Errorf("packed-refs changed:\n%s\nwas\n%s", packedAfter, packedBefore)
			}
			if content, err := os.ReadFile(lock); err != nil || string(content) != "being written\n" {
				t.Errorf("the lock %s = %q, %v; want it untouched", lock, content, err)
			}
			assertNoLockFiles(t, dir, c.lock)
			os.Remove(lock)
			if err := openRepo(t, dir).DeleteTag(c.name); err != nil || refExists(dir, c.name) {
				t.Errorf("DeleteTag(%s) once the lock is gone: %v, exists %v", c.name, err, refExists(dir, c.name))
			}
		})
	}
}

// A packed tag whose packed-refs.lock is held for a moment is deleted once it is released, for
// real: after a failed try, libgit2's repository believes the packed tag gone, so each try must
// start afresh (core.packedRefsTimeout is raised so that a slow machine cannot make the wait
// run out).
func TestDeleteTagWaitsForABriefLock(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "config", "core.packedRefsTimeout", "60000")
	gittest.Git(t, dir, "tag", "-a", "a/m#prod#1", "-m", "to delete")
	gittest.Git(t, dir, "pack-refs", "--all")
	lock := filepath.Join(gittest.CommonDir(t, dir), "packed-refs.lock")
	gittest.WriteFile(t, lock, "being written\n")
	r := openRepo(t, dir)
	go func() {
		time.Sleep(20 * time.Millisecond)
		os.Remove(lock)
	}()
	if err := r.DeleteTag("a/m#prod#1"); err != nil {
		t.Fatalf("DeleteTag: %v", err)
	}
	if refExists(dir, "a/m#prod#1") {
		t.Errorf("DeleteTag succeeded but git still has refs/tags/a/m#prod#1")
	}
	assertNoLockFiles(t, dir)
}

// A tag cannot be created where an existing tag, loose or packed, would have to be a folder,
// nor where existing tags are under a folder of its name: an error (not ErrTagExists: no tag has
// the name, and a caller that retries on ErrTagExists would retry in vain), no ref, no lock
// left. Written directly, the error says so as git does; through libgit2 in its own words.
func TestCreateTagDirectoryFileConflicts(t *testing.T) {
	for _, mode := range logModes {
		for _, tc := range []struct {
			existing, create string
			packed           bool
		}{
			{"a", "a/b", false},
			{"a", "a/b/c", false},
			{"a/b", "a", false},
			{"a/b/c", "a", false},
			{"a", "a/b", true},
			{"a", "a/b/c", true},
			{"a/b", "a/b/c", true},
			{"a/b", "a", true},
			{"a/b/c", "a", true},
		} {
			where := "loose"
			if tc.packed {
				where = "packed"
			}
			t.Run(fmt.Sprintf("%s, %s %s, create %s", mode, where, tc.existing, tc.create), func(t *testing.T) {
				dir := repoForMode(t, mode)
				head := gittest.Git(t, dir, "rev-parse", "HEAD")
				gittest.Git(t, dir, "tag", "-a", tc.existing, "-m", "in the way")
				if tc.packed {
					gittest.Git(t, dir, "pack-refs", "--all")
				}
				before := refState(t, dir)
				err := openRepo(t, dir).CreateTag(newTag(tc.create, head, "conflicting"))
				if err == nil || errors.Is(err, ErrTagExists) {
					t.Errorf("CreateTag(%s) with %s tag %s: %v, want an error other than ErrTagExists", tc.create, where, tc.existing, err)
				} else if want := "exists; cannot create 'refs/tags/" + tc.create + "'"; mode == "direct" && !strings.Contains(err.Error(), want) {
					t.Errorf("CreateTag(%s) with %s tag %s: %v, want an error saying %q", tc.create, where, tc.existing, err, want)
				}
				if refExists(dir, tc.create) {
					t.Errorf("refs/tags/%s was created", tc.create)
				}
				if after := refState(t, dir); after != before {
					t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
				}
				assertNoLockFiles(t, dir)
				// git agrees that this is a conflict.
				cmd := exec.Command("git", "tag", tc.create)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "exists; cannot create") {
					t.Errorf("setup: git tag %s: %v\n%s", tc.create, err, out)
				}
			})
		}
	}
}

// Names that only begin like an existing tag (a-b, ab, a.b, a/b beside a-b/c) are no conflict,
// loose or packed.
func TestCreateTagNoConflictBetweenSiblings(t *testing.T) {
	for _, packed := range []bool{false, true} {
		t.Run(fmt.Sprintf("packed=%v", packed), func(t *testing.T) {
			dir := newRepo(t)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			for _, name := range []string{"ab", "a-b/c", "a.b/c", "b/a", "x/a"} {
				gittest.Git(t, dir, "tag", name)
			}
			if packed {
				gittest.Git(t, dir, "pack-refs", "--all")
			}
			assertCreates(t, dir, head, "sibling", "a", "a-b/d", "a.b/d", "abc/d", "b/ab")
		})
	}
}

// An empty folder where the tag's ref goes holds no ref: git creates the tag over it (it
// removes the folder), and so must CreateTag.
func TestCreateTagOverAnEmptyFolder(t *testing.T) {
	for _, mode := range logModes {
		t.Run(mode, func(t *testing.T) {
			dir := repoForMode(t, mode)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			for _, folder := range []string{"c", "d/e", "f/g/h", "g"} {
				if err := os.MkdirAll(filepath.Join(dir, ".git", "refs", "tags", filepath.FromSlash(folder)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			gittest.Git(t, dir, "tag", "g") // git does

			assertCreates(t, dir, head, "over an empty folder", "c", "d/e", "f") // f: a folder of empty folders
		})
	}
}

// A folder where the tag's ref goes that holds another writer's lock (it is creating a/b) is not
// empty: the creation of a fails, and the lock stays.
func TestCreateTagOverAFolderHoldingALock(t *testing.T) {
	for _, mode := range logModes {
		t.Run(mode, func(t *testing.T) {
			dir := repoForMode(t, mode)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			lock := filepath.Join(dir, ".git", "refs", "tags", "a", "b.lock")
			gittest.WriteFile(t, lock, "being written\n")
			err := openRepo(t, dir).CreateTag(newTag("a", head, "blocked"))
			if err == nil {
				t.Errorf("CreateTag(a) over a folder holding refs/tags/a/b.lock succeeded")
			}
			if refExists(dir, "a") {
				t.Errorf("refs/tags/a was created")
			}
			if content, err := os.ReadFile(lock); err != nil || string(content) != "being written\n" {
				t.Errorf("the other writer's lock = %q, %v; want it untouched", content, err)
			}
			assertNoLockFiles(t, dir, "refs/tags/a/b.lock")
		})
	}
}

// Two writers creating a and a/b at once (one must be a folder where the other is a file):
// never both succeed, git lists exactly the tag of the one that did, and no lock is left.
func TestCreateTagConcurrentDirectoryFileConflict(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	repos := []*Repository{openRepo(t, dir), openRepo(t, dir)}
	outcomes := map[string]int{}
	for round := range 50 {
		names := []string{fmt.Sprintf("r%d", round), fmt.Sprintf("r%d/b", round)}
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = repos[i].CreateTag(newTag(names[i], head, "racing"))
			}()
		}
		close(start)
		wg.Wait()
		if errs[0] == nil && errs[1] == nil {
			t.Errorf("round %d: both %s and %s were created", round, names[0], names[1])
		}
		for i, name := range names {
			if exists := refExists(dir, name); exists != (errs[i] == nil) {
				t.Errorf("round %d: CreateTag(%s) = %v, but git finds the ref: %v", round, name, errs[i], exists)
			}
		}
		outcomes[fmt.Sprintf("%v/%v", errs[0] == nil, errs[1] == nil)]++
		assertNoLockFiles(t, dir)
	}
	gittest.Git(t, dir, "fsck", "--no-progress")
	t.Logf("created a/created a/b: %v", outcomes)
}

// A creation of a/b that fails on the packed tag a leaves the folder refs/tags/a/ empty (git
// does the same); creating a then is still ErrTagExists, the tag a existing, and not a conflict
// with refs under refs/tags/a/, of which there are none.
func TestCreateTagExistingPackedAfterFailedNestedCreation(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	gittest.Git(t, dir, "tag", "a")
	gittest.Git(t, dir, "pack-refs", "--all")
	r := openRepo(t, dir)
	if err := r.CreateTag(newTag("a/b", head, "conflicting")); err == nil || !strings.Contains(err.Error(), "exists; cannot create") {
		t.Fatalf("CreateTag(a/b) with the packed tag a: %v, want a conflict", err)
	}
	before := refState(t, dir)
	if err := r.CreateTag(newTag("a", head, "again")); !errors.Is(err, ErrTagExists) {
		t.Errorf("CreateTag(a) with the packed tag a, after the failed a/b: %v, want ErrTagExists", err)
	}
	if after := refState(t, dir); after != before {
		t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
	}
	assertNoLockFiles(t, dir)
}

// With core.logAllRefUpdates=always, or a reflog already there, the creation is logged: the
// reflog has one entry from the null id to the new tag. Otherwise (git's default, true, logs no
// tag) there is no reflog.
func TestCreateTagReflog(t *testing.T) {
	for _, tc := range []struct {
		setup  string
		logged bool
	}{
		{"default", false},
		{"logAllRefUpdates=always", true},
		{"existing reflog", true},
	} {
		t.Run(tc.setup, func(t *testing.T) {
			dir := newRepo(t)
			head := gittest.Git(t, dir, "rev-parse", "HEAD")
			names := []string{"churn@v1.0.0", "models/cv=segm#team/prod#1"}
			switch tc.setup {
			case "logAllRefUpdates=always":
				gittest.Git(t, dir, "config", "core.logAllRefUpdates", "always")
			case "existing reflog":
				for _, name := range names {
					gittest.WriteFile(t, filepath.Join(dir, ".git", "logs", "refs", "tags", filepath.FromSlash(name)), "")
				}
			}
			r := openRepo(t, dir)
			for _, name := range names {
				if err := r.CreateTag(newTag(name, head, "logged")); err != nil {
					t.Fatalf("CreateTag(%s): %v", name, err)
				}
				id := gittest.Git(t, dir, "rev-parse", "refs/tags/"+name)
				log, err := os.ReadFile(filepath.Join(dir, ".git", "logs", "refs", "tags", filepath.FromSlash(name)))
				if !tc.logged {
					if err == nil {
						t.Errorf("refs/tags/%s has a reflog: %q", name, log)
					}
					continue
				}
				if err != nil {
					t.Errorf("refs/tags/%s has no reflog: %v", name, err)
					continue
				}
				lines := strings.Split(strings.TrimSuffix(string(log), "\n"), "\n")
				if len(lines) != 1 || !strings.HasPrefix(lines[0], strings.Repeat("0", 40)+" "+id+" ") {
					t.Errorf("reflog of refs/tags/%s = %q, want one entry from the null id to %s", name, log, id)
				}
				if out := gittest.Git(t, dir, "reflog", "exists", "refs/tags/"+name); out != "" {
					t.Errorf("git reflog exists: %q", out)
				}
			}
			assertNoLockFiles(t, dir)
		})
	}
}

// Two writers creating the same new tag at once: exactly one succeeds and the tag is its own,
// the other gets ErrTagExists, whether both are CreateTag (each with its own Repository) or
// one is git update-ref in another process.
func TestCreateTagConcurrentWriters(t *testing.T) {
	for _, mode := range logModes {
		for _, rival := range []string{"CreateTag", "git update-ref"} {
			t.Run(mode+", against "+rival, func(t *testing.T) {
				dir := repoForMode(t, mode)
				head := gittest.Git(t, dir, "rev-parse", "HEAD")
				gittest.Git(t, dir, "tag", "-a", "race@v0.0.1", "-m", "packed")
				gittest.Git(t, dir, "pack-refs", "--all")
				repos := []*Repository{openRepo(t, dir), openRepo(t, dir)}
				wins := map[string]int{}
				for round := range 20 {
					name := fmt.Sprintf("race/m@v1.0.%d", round)
					errs := make([]error, 2)
					start := make(chan struct{})
					var wg sync.WaitGroup
					for i := range 2 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							<-start
							if i == 1 && rival == "git update-ref" {
								cmd := exec.Command("git", "update-ref", "refs/tags/"+name, head, "")
								cmd.Dir = dir
								if out, err := cmd.CombinedOutput(); err != nil {
									errs[i] = fmt.Errorf("git update-ref: %v: %s", err, out)
								}
								return
							}
							errs[i] = repos[i].CreateTag(newTag(name, head, fmt.Sprintf("writer %d", i)))
						}()
					}
					close(start)
					wg.Wait()
					winner := -1
					for i, err := range errs {
						switch {
						case err == nil && winner < 0:
							winner = i
						case err == nil:
							t.Errorf("round %d: both writers created %s", round, name)
						case i == 1 && rival == "git update-ref":
							if !strings.Contains(err.Error(), "exists") { // the ref, or CreateTag's lock
								t.Errorf("round %d: %v", round, err)
							}
						case !errors.Is(err, ErrTagExists):
							t.Errorf("round %d: writer %d: %v, want ErrTagExists", round, i, err)
						}
					}
					if winner < 0 {
						t.Errorf("round %d: neither writer created %s: %v", round, name, errs)
						continue
					}
					wins[fmt.Sprint(winner)]++
					if rival == "git update-ref" && winner == 1 {
						if got := gittest.Git(t, dir, "rev-parse", "refs/tags/"+name); got != head {
							t.Errorf("round %d: %s = %s, want git's %s", round, name, got, head)
						}
					} else if got := gittest.Git(t, dir, "cat-file", "-p", "refs/tags/"+name); !strings.HasSuffix(got, fmt.Sprintf("\n\nwriter %d", winner)) {
						t.Errorf("round %d: %s is not the winner's (writer %d):\n%s", round, name, winner, got)
					}
					assertNoLockFiles(t, dir)
				}
				t.Logf("wins: %v", wins)
			})
		}
	}
}

// assertCreates creates the tags on commit, each of which must succeed and be seen by git, and
// checks that no lock file is left.
func assertCreates(t *testing.T, dir, commit, what string, names ...string) {
	t.Helper()
	r := openRepo(t, dir)
	for _, name := range names {
		if err := r.CreateTag(newTag(name, commit, what)); err != nil {
			t.Errorf("CreateTag(%s), %s: %v", name, what, err)
		} else if !refExists(dir, name) {
			t.Errorf("refs/tags/%s missing after CreateTag", name)
		}
	}
	assertNoLockFiles(t, dir)
}
