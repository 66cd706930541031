package gitrepo

import (
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// refLines renders refs as "name target", the fields every layout of tagRef has, so that these
// tests do not depend on the rest of the struct.
func refLines(refs []tagRef) []string {
	lines := []string{}
	for _, r := range refs {
		lines = append(lines, r.name+" "+r.target)
	}
	return lines
}

// fakeGitDir writes a packed-refs file (none when packed is "-") and loose refs under
// refs/tags/ into a new directory and returns it.
func fakeGitDir(t *testing.T, packed string, loose map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if packed != "-" {
		writeFile(t, filepath.Join(dir, "packed-refs"), packed)
	}
	if err := os.MkdirAll(filepath.Join(dir, "refs", "heads"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range loose {
		writeFile(t, filepath.Join(dir, "refs", "tags", filepath.FromSlash(name)), content)
	}
	return dir
}

var (
	idA = strings.Repeat("a", 40)
	idB = strings.Repeat("b", 40)
	idC = strings.Repeat("c", 40)
	idD = strings.Repeat("0123456789", 4)
)

const fullyPeeled = "# pack-refs with: peeled fully-peeled sorted \n"

// packedSample is what git pack-refs writes: branches, remote-tracking refs (one of them
// pointing to a tag object, so with a peeled line), annotated and lightweight tags.
var packedSample = idA + " refs/heads/main\n" +
	idB + " refs/remotes/origin/tags/ann\n" +
	"^" + idA + "\n" +
	idB + " refs/tags/ann\n" +
	"^" + idA + "\n" +
	idA + " refs/tags/light\n" +
	idC + " refs/tags/x/y@v1.0.0\n" +
	"^" + idD + "\n"

var packedSampleRefs = []string{"ann " + idB, "light " + idA, "x/y@v1.0.0 " + idC}

func TestReadTagRefs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		packed string // "-": no packed-refs file
		loose  map[string]string
		want   []string
	}{
		{"no refs at all", "-", nil, nil},
		{"empty packed-refs", "", nil, nil},
		{"header only", fullyPeeled, nil, nil},
		{"packed, fully-peeled header", fullyPeeled + packedSample, nil, packedSampleRefs},
		{"packed, peeled header only", "# pack-refs with: peeled \n" + packedSample, nil, packedSampleRefs},
		{"packed, no header (old git)", packedSample, nil, packedSampleRefs},
		{"packed, no peeled lines", idB + " refs/tags/ann\n" + idA + " refs/tags/light\n", nil, []string{"ann " + idB, "light " + idA}},
		{"packed, CRLF", strings.ReplaceAll(fullyPeeled+packedSample, "\n", "\r\n"), nil, packedSampleRefs},
		{"packed, no final newline", strings.TrimSuffix(fullyPeeled+packedSample, "\n"), nil, packedSampleRefs},
		{"packed, not sorted", idC + " refs/tags/x/y@v1.0.0\n" + idB + " refs/tags/ann\n" + idA + " refs/tags/light\n", nil, packedSampleRefs},
		{"packed, only other refs", idA + " refs/heads/main\n" + idB + " refs/notes/commits\n", nil, nil},
		{"packed, a branch named like a tag", idA + " refs/heads/refs/tags/x\n" + idB + " refs/tagsx\n", nil, nil},
		{"loose only, nested", "-", map[string]string{"a": idA + "\n", "x/y/z#dev#1": idB + "\n", "m@v1.0.0+b.1": idC + "\n"},
			[]string{"a " + idA, "m@v1.0.0+b.1 " + idC, "x/y/z#dev#1 " + idB}},
		{"loose CRLF, no newline, trailing spaces", "-", map[string]string{"crlf": idA + "\r\n", "bare": idB, "spaces": idC + "  \n"},
			[]string{"bare " + idB, "crlf " + idA, "spaces " + idC}},
		{"loose over packed", fullyPeeled + packedSample, map[string]string{"ann": idC + "\n", "x/y@v1.0.0": idA + "\n"},
			[]string{"ann " + idC, "light " + idA, "x/y@v1.0.0 " + idA}},
		{"loose equal to packed", fullyPeeled + packedSample, map[string]string{"ann": idB + "\n"}, packedSampleRefs},
		{"loose beside packed", fullyPeeled + packedSample, map[string]string{"b": idD + "\n", "zz/top": idD + "\n"},
			[]string{"ann " + idB, "b " + idD, "light " + idA, "x/y@v1.0.0 " + idC, "zz/top " + idD}},
		{"lock files are not refs", "-", map[string]string{"a": idA + "\n", "a.lock": idB + "\n", "new.lock": "", "x/y.lock": "garbage"},
			[]string{"a " + idA}},
		{"empty refs/tags directories", "-", map[string]string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeGitDir(t, tc.packed, tc.loose)
			if tc.name == "empty refs/tags directories" {
				if err := os.MkdirAll(filepath.Join(dir, "refs", "tags", "a", "b"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			refs, release, err := readTagRefs(dir, "")
			defer release()
			if err != nil {
				t.Fatalf("readTagRefs: %v", err)
			}
			if got, want := refLines(refs), append([]string{}, tc.want...); !slices.Equal(got, want) {
				t.Errorf("readTagRefs:\n  got  %q\n  want %q", got, want)
			}
		})
	}
}

func TestReadTagRefsFallsBackOnWhatItDoesNotRead(t *testing.T) {
	upper := strings.ToUpper(idA)
	for _, tc := range []struct {
		name   string
		packed string
		loose  map[string]string
	}{
		{"symbolic loose ref", "-", map[string]string{"latest": "ref: refs/tags/ann\n", "ann": idA + "\n"}},
		{"loose garbage", "-", map[string]string{"bad": "not an object id\n"}},
		{"loose short id", "-", map[string]string{"short": idA[:39] + "\n"}},
		{"loose long id", "-", map[string]string{"long": idA + "a\n"}},
		{"loose id and more", "-", map[string]string{"more": idA + " " + idB + "\n"}},
		{"loose uppercase id", "-", map[string]string{"upper": upper + "\n"}},
		{"empty loose ref", "-", map[string]string{"empty": ""}},
		{"packed line without a space", idA + "\n", nil},
		{"packed line with a tab", idA + "\trefs/tags/x\n", nil},
		{"packed short id", idA[:39] + " refs/tags/x\n", nil},
		{"packed long id", idA + "a refs/tags/x\n", nil},
		{"packed peeled line too short", idA + " refs/tags/x\n^" + idB[:39] + "\n", nil},
		{"packed peeled line too long", idA + " refs/tags/x\n^" + idB + "b\n", nil},
		// git itself stops here ("fatal: unexpected line in .git/packed-refs"), and the loose
		// refs are checked the same way.
		{"packed id not hex", idA[:20] + strings.Repeat("z", 20) + " refs/tags/x\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refs, release, err := readTagRefs(fakeGitDir(t, tc.packed, tc.loose), "")
			defer release()
			if !errors.Is(err, errRefsFallback) {
				t.Errorf("readTagRefs = %q, %v; want errRefsFallback", refLines(refs), err)
			}
		})
	}
}

func TestTagsUppercaseIdInPackedRefs(t *testing.T) {
	// git reads upper-case hex in packed-refs and reports ids in lower case, as libgit2 does.
	dir := newRepo(t)
	gitCmd(t, dir, "tag", "light")
	gitCmd(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "annotated")
	gitCmd(t, dir, "pack-refs", "--all")
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
	writeFile(t, path, strings.Join(lines, "\n"))

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
	// Both Tags and readTagRefs alone: readTagRefs reads faster, so it loses the race more often;
	// when it gives up (errRefsFallback, or a loose ref gone between listing and reading), that
	// read is not counted.
	readers := map[string]func(*Repository) ([]Tag, bool){
		"Tags": func(r *Repository) ([]Tag, bool) {
			tags, err := r.Tags()
			if err != nil {
				return []Tag{{Name: "error: " + err.Error()}}, true
			}
			return tags, true
		},
		"readTagRefs": func(r *Repository) ([]Tag, bool) {
			refs, release, err := readTagRefs(r.CommonDir(), "")
			defer release()
			if err != nil {
				return nil, false
			}
			tags := make([]Tag, len(refs))
			for i, ref := range refs { // every tag of these tests is lightweight, on a commit
				tags[i] = Tag{Name: strings.Clone(ref.name), Commit: strings.Clone(ref.target), PeeledType: "commit"}
			}
			return tags, true
		},
	}
	for _, via := range []string{"Tags", "readTagRefs"} {
		t.Run("pack-refs never hides a tag, "+via, func(t *testing.T) {
			dir := newRepo(t)
			head := gitCmd(t, dir, "rev-parse", "HEAD")
			var initial []string
			var batch strings.Builder
			for i := range 100 {
				name := fmt.Sprintf("base-%03d", i)
				initial = append(initial, name)
				fmt.Fprintf(&batch, "create refs/tags/%s %s\n", name, head)
			}
			gitInput(t, dir, batch.String(), "update-ref", "--stdin")
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
				gitInput(t, dir, batch.String(), "update-ref", "--stdin")
				end := time.Now().UnixNano()
				gitCmd(t, dir, "pack-refs", "--all")
				var created []tagCreation
				for _, name := range names {
					created = append(created, tagCreation{name, start, end})
				}
				return created
			})
			assertReadsConsistent(t, reads, initial, created, gitTags(t, dir))
		})
	}

	for _, via := range []string{"Tags", "readTagRefs"} {
		t.Run("deleting a packed tag never shows its shadowed value, "+via, func(t *testing.T) {
			dir := newRepo(t)
			first := gitCmd(t, dir, "rev-parse", "HEAD")
			second := commitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
			gitCmd(t, dir, "tag", "keep")
			shadowedSince := map[string]int64{} // tag → when its packed value (first) was shadowed
			reads, _ := readWhile(t, dir, readers[via], func(round int) []tagCreation {
				var create, override, remove strings.Builder
				for i := range 40 {
					name := fmt.Sprintf("d%02d/t%02d", round, i)
					fmt.Fprintf(&create, "create refs/tags/%s %s\n", name, first)
					fmt.Fprintf(&override, "update refs/tags/%s %s\n", name, second)
					fmt.Fprintf(&remove, "delete refs/tags/%s\n", name)
				}
				gitInput(t, dir, create.String(), "update-ref", "--stdin")
				gitCmd(t, dir, "pack-refs", "--all")
				gitInput(t, dir, override.String(), "update-ref", "--stdin") // loose refs over the packed ones
				shadowed := time.Now().UnixNano()
				for i := range 40 {
					shadowedSince[fmt.Sprintf("d%02d/t%02d", round, i)] = shadowed
				}
				gitInput(t, dir, remove.String(), "update-ref", "--stdin")
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

// readTagRefs with an artifact prefix lists exactly the refs of the full listing whose names are
// the prefix followed by '@' or '#', whatever the layout of packed-refs (header or none, peeled
// lines, CRLF, the artifact's lines first or last, no final newline, refs outside refs/tags
// whose names end like the artifact's) and of the loose refs (folders named after a stage,
// loose refs over packed ones, lock files).
func TestReadTagRefsOfOneArtifact(t *testing.T) {
	packed := idA + " refs/heads/a@v1\n" +
		idB + " refs/remotes/origin/refs/tags/a@v9\n" +
		idB + " refs/tags/a#prod#1\n" +
		"^" + idA + "\n" +
		idC + " refs/tags/a-b@v1\n" +
		idA + " refs/tags/a/b#prod#1\n" +
		idB + " refs/tags/a/b@v1\n" +
		"^" + idD + "\n" +
		idC + " refs/tags/a@v1\n" +
		idD + " refs/tags/a@v2\n" +
		"^" + idA + "\n" +
		idA + " refs/tags/ab@v1\n" +
		idB + " refs/tags/b/a@v1\n" +
		idC + " refs/tags/ba#prod#1\n" +
		idD + " refs/tags/a\n" +
		idA + " refs/tags/a#team/prod#3\n" +
		idA + " refs/tags/models/cv=segm@v1\n" +
		idB + " refs/tags/models/cv=segm/unet@v1\n"
	lastLine := idB + " refs/tags/a@v3"
	header := "# pack-refs with: peeled fully-peeled \n" // not sorted: the lines above are not
	loose := map[string]string{
		"a@v2":             idA + "\n", // over the packed one
		"a#team/prod#1":    idB + "\n",
		"a#team/x/prod#2":  idC + "\n",
		"a@v4.lock":        idD + "\n",
		"ab#prod#1":        idD + "\n",
		"a/b/c@v1":         idA + "\n",
		"b/a#prod#1":       idC + "\n",
		"models/cv=segm#1": idC + "\n",
		"x":                idA + "\n", // a file where the folder of x/y would be
	}
	layouts := []struct {
		name   string
		packed string
		loose  map[string]string
		wantA  []string // the refs of "a"
	}{
		{"packed, with header", header + packed, nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v1 " + idC, "a@v2 " + idD}},
		{"packed, no header, artifact first and last, no final newline", idC + " refs/tags/a@v0\n" + packed + lastLine, nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v0 " + idC, "a@v1 " + idC, "a@v2 " + idD, "a@v3 " + idB}},
		{"packed, CRLF", strings.ReplaceAll(header+packed+lastLine+"\n", "\n", "\r\n"), nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v1 " + idC, "a@v2 " + idD, "a@v3 " + idB}},
		{"loose only", "-", loose,
			[]string{"a#team/prod#1 " + idB, "a#team/x/prod#2 " + idC, "a@v2 " + idA}},
		{"loose over packed", header + packed, loose,
			[]string{"a#prod#1 " + idB, "a#team/prod#1 " + idB, "a#team/prod#3 " + idA, "a#team/x/prod#2 " + idC, "a@v1 " + idC, "a@v2 " + idA}},
	}
	prefixes := []string{"a", "a-b", "ab", "a/b", "a/b/c", "b/a", "b", "ba", "a#team", "models/cv=segm",
		"models/cv=segm/unet", "models/cv", "x", "x/y", "heads/a", "origin/refs/tags/a", "zzz"}
	for _, layout := range layouts {
		t.Run(layout.name, func(t *testing.T) {
			dir := fakeGitDir(t, layout.packed, layout.loose)
			all, release, err := readTagRefs(dir, "")
			defer release()
			if err != nil {
				t.Fatalf("readTagRefs(all): %v", err)
			}
			for _, prefix := range prefixes {
				got, release, err := readTagRefs(dir, prefix)
				defer release()
				if err != nil {
					t.Errorf("readTagRefs(%q): %v", prefix, err)
					continue
				}
				var want []tagRef
				for _, r := range all {
					if rest, ok := strings.CutPrefix(r.name, prefix); ok && (strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#")) {
						want = append(want, r)
					}
				}
				if !slices.Equal(refLines(got), refLines(want)) {
					t.Errorf("readTagRefs(%q) = %q\nwant %q", prefix, refLines(got), refLines(want))
				}
				if prefix == "a" && !slices.Equal(refLines(got), layout.wantA) {
					t.Errorf("readTagRefs(\"a\") = %q\nwant %q", refLines(got), layout.wantA)
				}
			}
		})
	}
}

// A prefix that could name a folder outside refs/tags is left to libgit2 (errRefsFallback),
// never looked up in the files.
func TestReadTagRefsUnsafePrefixFallsBack(t *testing.T) {
	dir := fakeGitDir(t, fullyPeeled+packedSample, map[string]string{"a/b@v1": idA + "\n", "a@v1": idB + "\n"})
	for _, prefix := range []string{"..", "../heads/x", "a/../a", "a/..", "./a", "a/./b", "/a", "//a", "a//b", "a/", "a b", "a\\b", "a\nb", "a\x00b"} {
		refs, release, err := readTagRefs(dir, prefix)
		defer release()
		if !errors.Is(err, errRefsFallback) {
			t.Errorf("readTagRefs(%q) = %q, %v; want errRefsFallback", prefix, refLines(refs), err)
		}
	}
}

// A sorted packed-refs is searched by halves: whatever the names (sharing prefixes, with '/',
// '#', '@', '-' and '.'), peeled lines or not, refs outside refs/tags around them, and no final
// newline, the search finds what reading every line finds, for an artifact's refs and for the
// checks of a new ref; a file it cannot search (a line that is not a record, CRLF lines) is
// read line by line instead.
func TestPackedRefsSearchFindsWhatReadingFinds(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	parts := []string{"a", "b", "a-b", "a.b", "ab", "x", "m", "m/n"}
	marks := []string{"@v1.0.0", "@v1.0.1!", "#prod#1", "#dev", "#team/qa#2", "", "/c", "@deprecated"}
	for round := range 40 {
		names := map[string]bool{}
		for range 1 + rng.Intn(60) {
			name := parts[rng.Intn(len(parts))]
			if rng.Intn(3) == 0 {
				name += "/" + parts[rng.Intn(len(parts))]
			}
			names[tagsPrefix+name+marks[rng.Intn(len(marks))]] = true
		}
		for _, other := range []string{"refs/heads/main", "refs/heads/a@v1.0.0", "refs/remotes/origin/a#prod", "refs/zzz/a@v1"} {
			if rng.Intn(2) == 0 {
				names[other] = true
			}
		}
		sortedNames := slices.Sorted(maps.Keys(names))
		var b strings.Builder
		b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
		for i, name := range sortedNames {
			fmt.Fprintf(&b, "%040x %s\n", i+1, name)
			if rng.Intn(2) == 0 {
				fmt.Fprintf(&b, "^%040x\n", i+1000)
			}
		}
		text := b.String()
		if round%4 == 3 {
			text = strings.TrimSuffix(text, "\n")
		}
		lineByLine := strings.Replace(text, " sorted", "", 1) // the same records, read line by line
		for _, prefix := range []string{"a", "b", "a-b", "a.b", "ab", "a/b", "m", "m/n", "x/a", "zz", "a/a-b"} {
			want, err := findPackedRefs(lineByLine, prefix)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := searchPackedRefs(text, prefix)
			if !ok || err != nil {
				t.Fatalf("round %d, %q: the search gave up (%v)", round, prefix, err)
			}
			if !slices.Equal(refLines(got), refLines(want)) {
				t.Errorf("round %d, %q: search found %q\nwant %q", round, prefix, refLines(got), refLines(want))
			}
		}
		for _, name := range append(sortedNames, "refs/tags/a", "refs/tags/m", "refs/tags/a/b", "refs/tags/zzz", "refs/a", "refs/tags/") {
			exists, below := hasPackedRef(text, name)
			wantExists, wantBelow := hasPackedRef(lineByLine, name)
			if exists != wantExists || below != wantBelow {
				t.Errorf("round %d, %s: search says exists %v, below %v; reading says %v, %v", round, name, exists, below, wantExists, wantBelow)
			}
		}
	}
	for what, text := range map[string]string{
		"a line that is not a record": "# pack-refs with: peeled fully-peeled sorted \n" + fmt.Sprintf("%040x refs/tags/a@v1\n", 1) + "garbage\n" + fmt.Sprintf("%040x refs/tags/b@v1\n", 2),
		"CRLF lines":                  "# pack-refs with: peeled fully-peeled sorted \r\n" + fmt.Sprintf("%040x refs/tags/a@v1\r\n", 1),
	} {
		if _, ok, _ := searchPackedRefs(text, "a"); ok && what != "CRLF lines" {
			t.Errorf("%s: the search did not give up", what)
		}
		if packedRefsSorted(text) && what == "CRLF lines" {
			t.Errorf("%s: searched as sorted", what)
		}
		refs, err := findPackedRefs(text, "a")
		if err != nil || len(refs) != 1 || refs[0].name != "a@v1" {
			t.Errorf("%s: findPackedRefs = %q, %v; want a@v1", what, refLines(refs), err)
		}
	}
}

// A sorted packed-refs with a line the search cannot read still answers whether refs lie below
// a name, the check that keeps a new tag a from hiding the packed a/b.
func TestHasPackedRefPastALineItCannotRead(t *testing.T) {
	id := strings.Repeat("1", 40)
	for _, garbage := range []int{0, 1, 2, 3} {
		var b strings.Builder
		b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
		for i, name := range []string{"refs/tags/a-x", "refs/tags/a/b", "refs/tags/c"} {
			if i == garbage {
				b.WriteString("garbage\n")
			}
			fmt.Fprintf(&b, "%s %s\n", id, name)
		}
		if exists, below := hasPackedRef(b.String(), "refs/tags/a"); exists || !below {
			t.Errorf("garbage before line %d: exists %v, below %v; want false, true", garbage, exists, below)
		}
	}
}
