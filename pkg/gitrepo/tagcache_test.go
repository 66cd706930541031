package gitrepo

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/refs"
	"github.com/git-model/git-model/pkg/internal/tagcache"
)

// The tag cache only saves time: whatever state it is in, Tags must report exactly what git
// reports. Each test here compares the whole []Tag of a read with git's own view of the refs
// (gitTags), cold (no cache) and warm (every object answered from the cache). The cache's
// format (what Write writes, Load gives back; what does not load) is tested in
// pkg/internal/tagcache.

// gitTags is the ground truth: every ref under refs/tags/ as git itself reports it. The tagger
// and message come from for-each-ref, with git's own signature detection
// (%(contents:signature)) stripping the signature; the fully peeled object comes from cat-file,
// because git 2.39's %(*objectname) peels one level only.
func gitTags(t *testing.T, dir string) []Tag {
	t.Helper()
	fields := []string{"%(refname:strip=2)", "%(objecttype)", "%(taggername)", "%(taggeremail)",
		"%(taggerdate:raw)", "%(contents)", "%(contents:signature)"}
	out := gittest.Git(t, dir, "for-each-ref", "--format="+strings.Join(fields, "%00")+"%00%01", "refs/tags/")
	if out == "" {
		return nil
	}
	var tags []Tag
	var peel strings.Builder
	for _, record := range strings.Split(strings.TrimSuffix(out, "\x00\x01"), "\x00\x01\n") {
		f := strings.Split(record, "\x00")
		if len(f) != len(fields) {
			t.Fatalf("git for-each-ref record %q has %d fields, want %d", record, len(f), len(fields))
		}
		tag := Tag{Name: f[0], Annotated: f[1] == "tag"}
		if tag.Annotated {
			tag.TaggerName = f[2]
			tag.TaggerEmail = strings.TrimSuffix(strings.TrimPrefix(f[3], "<"), ">")
			tag.When = parseRawDate(t, f[4])
			tag.Message = strings.TrimRight(strings.TrimSuffix(f[5], f[6]), "\n")
		}
		tags = append(tags, tag)
		fmt.Fprintf(&peel, "refs/tags/%s^{}\n", tag.Name)
	}
	peeled := strings.Split(gittest.GitInput(t, dir, peel.String(), "cat-file", "--batch-check=%(objecttype) %(objectname)"), "\n")
	if len(peeled) != len(tags) {
		t.Fatalf("git cat-file peeled %d refs, want %d", len(peeled), len(tags))
	}
	for i := range tags {
		kind, id, _ := strings.Cut(peeled[i], " ")
		tags[i].PeeledType = object.ParseType(kind)
		if kind == "commit" {
			tags[i].Commit = id
		}
	}
	return tags
}

// parseRawDate reads git's %(taggerdate:raw), "1709294400 +0530", in a zone named as git shows
// it; "" is no date.
func parseRawDate(t *testing.T, raw string) time.Time {
	t.Helper()
	if raw == "" {
		return time.Time{}
	}
	secs, tz, _ := strings.Cut(raw, " ")
	unix, err := strconv.ParseInt(secs, 10, 64)
	hours, herr := strconv.Atoi(tz[1:3])
	minutes, merr := strconv.Atoi(tz[3:5])
	if err != nil || herr != nil || merr != nil || len(tz) != 5 {
		t.Fatalf("cannot read git's raw date %q", raw)
	}
	offset := hours*3600 + minutes*60
	if tz[0] == '-' {
		offset = -offset
	}
	return time.Unix(unix, 0).In(time.FixedZone(tz, offset)) // named as git shows it
}

// tagLine renders every field of a tag, the time zone's offset included, so that two lists of
// tags can be compared and their differences shown.
func tagLine(tag Tag) string {
	when := "none"
	if !tag.When.IsZero() {
		zoneName, offset := tag.When.Zone()
		when = fmt.Sprintf("%s (unix %d, zone %q %+d)", tag.When.Format(time.RFC3339), tag.When.Unix(), zoneName, offset)
	}
	return fmt.Sprintf("%s annotated=%t commit=%q peeled=%q tagger=%q email=%q when=%s message=%q",
		tag.Name, tag.Annotated, tag.Commit, tag.PeeledType, tag.TaggerName, tag.TaggerEmail, when, tag.Message)
}

func tagLines(tags []Tag) []string {
	lines := make([]string, len(tags))
	for i, tag := range tags {
		lines[i] = tagLine(tag)
	}
	return lines
}

// assertSameTags reports where got differs from want, field by field.
func assertSameTags(t *testing.T, what string, got, want []Tag) {
	t.Helper()
	g, w := tagLines(got), tagLines(want)
	if slices.Equal(g, w) {
		return
	}
	var diff strings.Builder
	for _, line := range g {
		if !slices.Contains(w, line) {
			fmt.Fprintf(&diff, "\n  got:  %s", line)
		}
	}
	for _, line := range w {
		if !slices.Contains(g, line) {
			fmt.Fprintf(&diff, "\n  want: %s", line)
		}
	}
	t.Errorf("%s: Tags() returned %d tags, git reports %d; differences:%s", what, len(got), len(want), diff.String())
}

// readTags opens the repository afresh (nothing kept in memory between reads) and reads its tags.
func readTags(t *testing.T, dir string) []Tag {
	t.Helper()
	tags, err := tryReadTags(dir)
	if err != nil {
		t.Fatalf("Tags(): %v", err)
	}
	return tags
}

func tryReadTags(dir string) ([]Tag, error) {
	r, err := Open(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Tags()
}

func tagCachePath(t *testing.T, dir string) string {
	t.Helper()
	return filepath.Join(gittest.CommonDir(t, dir), tagcache.File)
}

// cacheLoads reports whether the cache file at path loads with tagcache.Load.
func cacheLoads(path string) bool {
	tags, _, _ := tagcache.Load(path)
	return tags != nil
}

// assertCacheHolds checks that the cache file loads and holds, for each tag, the object its ref
// names and exactly what git says of that tag; a read leaves the cache as it was when it misses
// no more than cacheSlack tags, so that many may be missing.
func assertCacheHolds(t *testing.T, dir string, want []Tag) {
	t.Helper()
	path := tagCachePath(t, dir)
	cached, cachedTargets, _ := tagcache.Load(path)
	if cached == nil {
		t.Errorf("the tag cache %s is missing or does not load after a read", path)
		return
	}
	targets := gittest.RefTargets(t, dir)
	var missing []string
	for _, tag := range want {
		i := -1 // the entry of the tag and of the object its ref names
		for k := range cached {
			if cached[k].Name == tag.Name && cachedTargets[k].String() == targets[tag.Name] {
				i = k
				break
			}
		}
		if i < 0 {
			missing = append(missing, tag.Name+" (object "+targets[tag.Name]+")")
		} else if got := tagLine(cached[i]); got != tagLine(tag) {
			t.Errorf("the tag cache entry for %s (object %s):\n  got:  %s\n  want: %s", tag.Name, targets[tag.Name], got, tagLine(tag))
		}
	}
	if len(missing) > cacheSlack {
		t.Errorf("the tag cache has no entry for %d tags, more than %d: %v", len(missing), cacheSlack, missing)
	}
}

// assertNoTemporaryFiles checks that nothing but the cache itself is left in git-model/.
func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(tagCachePath(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.Name() != filepath.Base(tagcache.File) {
			t.Errorf("left behind in git-model/: %s", entry.Name())
		}
	}
}

// hideObjects moves the object database away (loose objects and packs alike) and leaves an
// empty one in its place, so that any read of an object fails; it returns the function that
// puts it back (also run at cleanup).
func hideObjects(t *testing.T, dir string) (restore func()) {
	t.Helper()
	objects := filepath.Join(gittest.CommonDir(t, dir), "objects")
	hidden := objects + ".hidden"
	if err := os.Rename(objects, hidden); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"pack", "info"} {
		if err := os.MkdirAll(filepath.Join(objects, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	restored := false
	restore = func() {
		if restored {
			return
		}
		restored = true
		if err := os.RemoveAll(objects); err != nil {
			t.Error(err)
		}
		if err := os.Rename(hidden, objects); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(restore)
	return restore
}

// assertColdAndWarm reads the tags cold (no cache), compares them with git, checks the cache
// written, then reads them again with the object database hidden: the warm read must answer
// every tag from the cache and return exactly what the cold read returned.
func assertColdAndWarm(t *testing.T, what, dir string) []Tag {
	t.Helper()
	want := gitTags(t, dir)
	if err := os.Remove(tagCachePath(t, dir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	cold := readTags(t, dir)
	assertSameTags(t, what+", cold", cold, want)
	assertCacheHolds(t, dir, want)

	restore := hideObjects(t, dir)
	warm, err := tryReadTags(dir)
	restore()
	if err != nil {
		t.Errorf("%s, warm read with the objects hidden: %v (the cache did not answer every tag)", what, err)
	} else {
		assertIdentical(t, what+", warm", warm, cold)
	}
	return cold
}

// assertIdentical checks that got and want are equal as Go values, time.Location pointers
// included, as a warm read must be to the cold one.
func assertIdentical(t *testing.T, what string, got, want []Tag) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	if !slices.Equal(tagLines(got), tagLines(want)) {
		assertSameTags(t, what, got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: %s differs in its When: %#v, want %#v", what, got[i].Name, got[i].When, want[i].When)
		}
	}
}

func TestTagCacheColdReadWritesItWarmReadReadsNoObject(t *testing.T) {
	dir := newRepo(t)
	gittest.AddVariedTags(t, dir)
	path := tagCachePath(t, dir)
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("setup: a tag cache exists before any read (stat: %v)", err)
	}

	want := gitTags(t, dir)
	cold := readTags(t, dir)
	assertSameTags(t, "cold read", cold, want)
	assertCacheHolds(t, dir, want)
	assertNoTemporaryFiles(t, dir)
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	// Method: move the whole object database away. Control first: without the cache the read
	// must fail, which proves that no object can be read; then, with the cache back, the read
	// must succeed, so it read no object.
	restore := hideObjects(t, dir)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if tags, err := tryReadTags(dir); err == nil {
		t.Fatalf("control: with the objects hidden and no cache, Tags() still read %d tags", len(tags))
	}
	if err := os.WriteFile(path, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		warm, err := tryReadTags(dir)
		if err != nil {
			t.Fatalf("warm read %d with the objects hidden: %v", round+1, err)
		}
		assertIdentical(t, fmt.Sprintf("warm read %d", round+1), warm, cold)
	}
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Errorf("a warm read with nothing new replaced the cache file (stat: %v)", err)
	}
	restore()
	assertSameTags(t, "read after the objects are back", readTags(t, dir), want)
}

func TestTagCacheObjectKindsSameColdAndWarm(t *testing.T) {
	dir := newRepo(t)
	gittest.AddVariedTags(t, dir)
	tags := assertColdAndWarm(t, "every kind of tag", dir)

	// What git reports is checked above; these spell out the cases the issue names.
	byName := map[string]Tag{}
	for _, tag := range tags {
		byName[tag.Name] = tag
	}
	for name, offset := range map[string]int{"churn@v1.0.0": 5*3600 + 30*60, "churn#prod#1": -8 * 3600, "churn@v1.0.2": -(9*3600 + 30*60)} {
		if _, got := byName[name].When.Zone(); got != offset {
			t.Errorf("%s: tagger offset %d, want %d", name, got, offset)
		}
	}
	if outer := byName["outermost"]; outer.Message != "outermost message" || outer.PeeledType != object.Commit || outer.Commit == "" {
		t.Errorf("tag of a tag of a tag = %+v, want the outermost message, peeled to a commit", outer)
	}
	if tree := byName["tag-of-tree-tag"]; tree.PeeledType != object.Tree || tree.Commit != "" {
		t.Errorf("tag of a tag of a tree = %+v, want peeled to a tree, no commit", tree)
	}
}

func TestTagCacheKeepsOddTaggerLines(t *testing.T) {
	// Whatever parseSignature makes of a tagger line, the cache must give it back unchanged.
	// (git itself reads some of these differently; only cold against warm is compared.)
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	for i, tagger := range []string{
		"T <t@example.com> 0 +0000",
		"T <t@example.com> -62135596800 +0100", // 0001-01-01T00:00:00Z: the instant time.Time{} holds
		"T <t@example.com> -62135596800 +0000",
		"T <t@example.com> 99999999999 -1200",
		"T <t@example.com> 1709294400 +1400",
		"T <t@example.com> 1709294400 -0000",
		"T <t@example.com> 1709294400 +05",
		"T <t@example.com> 1709294400",
		"T <t@example.com> not-a-date +0100",
		"T <t@example.com>",
		"T <>",
		"Only A Name",
		"",
	} {
		name := fmt.Sprintf("odd%02d", i)
		gittest.Mktag(t, dir, name, "object "+head+"\ntype commit\ntag "+name+"\ntagger "+tagger+"\n\nodd tagger\n")
	}
	cold := readTags(t, dir)
	restore := hideObjects(t, dir)
	warm, err := tryReadTags(dir)
	restore()
	if err != nil {
		t.Fatalf("warm read: %v", err)
	}
	assertIdentical(t, "warm read of odd tagger lines", warm, cold)
}

func TestTagCacheDeletedAndRecreatedTags(t *testing.T) {
	dir := newRepo(t)
	first := gittest.Git(t, dir, "rev-parse", "HEAD")
	second := gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "first message", first)
	gittest.Git(t, dir, "tag", "-a", "keep", "-m", "keep")
	gittest.Git(t, dir, "tag", "light", first)

	// check reads twice (the second from a warm cache) and compares both with git.
	check := func(what string) map[string]Tag {
		t.Helper()
		want := gitTags(t, dir)
		assertSameTags(t, what, readTags(t, dir), want)
		assertSameTags(t, what+" (read again)", readTags(t, dir), want)
		assertCacheHolds(t, dir, want)
		byName := map[string]Tag{}
		for _, tag := range readTags(t, dir) {
			byName[tag.Name] = tag
		}
		return byName
	}
	check("before")

	gittest.Git(t, dir, "tag", "-d", "churn@v1.0.0")
	if _, ok := check("deleted")["churn@v1.0.0"]; ok {
		t.Errorf("a deleted tag is still returned")
	}
	t.Setenv("GIT_COMMITTER_DATE", "2024-01-02T10:00:00+0100")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "second message", first)
	if got := check("re-created with a new message")["churn@v1.0.0"]; got.Message != "second message" {
		t.Errorf("re-created tag: message %q, want %q", got.Message, "second message")
	}

	gittest.Git(t, dir, "tag", "-d", "churn@v1.0.0")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "second message", second)
	if got := check("re-created on another commit")["churn@v1.0.0"]; got.Commit != second {
		t.Errorf("re-created tag: commit %s, want %s", got.Commit, second)
	}

	gittest.Git(t, dir, "tag", "-d", "churn@v1.0.0")
	gittest.Git(t, dir, "tag", "churn@v1.0.0", first)
	if got := check("re-created lightweight")["churn@v1.0.0"]; got.Annotated || got.Message != "" {
		t.Errorf("re-created lightweight tag = %+v, want a lightweight tag", got)
	}

	gittest.Git(t, dir, "tag", "-d", "light")
	gittest.Git(t, dir, "tag", "-a", "light", "-m", "now annotated", second)
	if got := check("lightweight re-created annotated")["light"]; !got.Annotated || got.Message != "now annotated" {
		t.Errorf("re-created annotated tag = %+v", got)
	}

	// The same again with every ref packed: the new loose ref replaces a packed one that is gone.
	gittest.Git(t, dir, "pack-refs", "--all")
	check("packed")
	gittest.Git(t, dir, "tag", "-d", "keep")
	gittest.Git(t, dir, "tag", "-a", "keep", "-m", "kept, re-created", second)
	if got := check("packed tag re-created")["keep"]; got.Message != "kept, re-created" {
		t.Errorf("re-created packed tag: message %q", got.Message)
	}

	// Re-created exactly as before (same content, same date): the same object id, the old content.
	t.Setenv("GIT_COMMITTER_DATE", "2024-01-01T10:00:00+0000")
	gittest.Git(t, dir, "tag", "-d", "churn@v1.0.0")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "first message", first)
	if got := check("re-created as the first time")["churn@v1.0.0"]; got.Message != "first message" || got.Commit != first {
		t.Errorf("re-created tag = %+v, want the first message on %s", got, first)
	}
}

func TestTagCacheForceMovedTags(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after []string // arguments to git tag, the name last but for the target
	}{
		{"annotated to annotated, new message", []string{"-a", "-m", "old"}, []string{"-f", "-a", "-m", "new"}},
		{"annotated to annotated, new commit", []string{"-a", "-m", "old"}, []string{"-f", "-a", "-m", "old", "@name", "HEAD"}},
		{"annotated to annotated of a tree", []string{"-a", "-m", "old"}, []string{"-f", "-a", "-m", "tree", "@name", "HEAD^{tree}"}},
		{"annotated to lightweight", []string{"-a", "-m", "old"}, []string{"-f", "@name", "HEAD"}},
		{"annotated to lightweight, same commit", []string{"-a", "-m", "old"}, []string{"-f", "@name", "HEAD~"}},
		{"lightweight to annotated", nil, []string{"-f", "-a", "-m", "new"}},
		{"lightweight to annotated, new commit", nil, []string{"-f", "-a", "-m", "new", "@name", "HEAD"}},
		{"lightweight to lightweight", nil, []string{"-f", "@name", "HEAD"}},
	} {
		for _, packed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, packed=%t", tc.name, packed), func(t *testing.T) {
				dir := newRepo(t)
				gittest.Git(t, dir, "tag", "-a", "other", "-m", "other")
				const name = "churn@v1.0.0"
				args := func(list []string, defaultTarget string) []string {
					out := []string{"tag"}
					named := false
					for _, a := range list {
						if a == "@name" {
							a, named = name, true
						}
						out = append(out, a)
					}
					if !named {
						out = append(out, name, defaultTarget)
					}
					return out
				}
				gittest.Git(t, dir, args(tc.before, "HEAD")...)
				gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
				if packed {
					gittest.Git(t, dir, "pack-refs", "--all")
				}
				assertSameTags(t, "before", readTags(t, dir), gitTags(t, dir))
				oldTarget := gittest.RefTargets(t, dir)[name]

				t.Setenv("GIT_COMMITTER_DATE", "2024-01-03T10:00:00-0500")
				gittest.Git(t, dir, args(tc.after, "HEAD~")...)
				if gittest.RefTargets(t, dir)[name] == oldTarget {
					t.Fatalf("setup: git tag %v left the ref where it was", tc.after)
				}
				want := gitTags(t, dir)
				assertSameTags(t, "after git tag -f", readTags(t, dir), want)
				assertSameTags(t, "after git tag -f, read again", readTags(t, dir), want)
				assertCacheHolds(t, dir, want)
				assertColdAndWarm(t, "after git tag -f", dir)
			})
		}
	}
}

// corruptionRepo makes a repository with a few tags of different kinds, reads them once so
// that the cache exists, and returns the directory, the valid cache's content and git's tags.
func corruptionRepo(t *testing.T) (dir string, valid []byte, want []Tag) {
	t.Helper()
	dir = newRepo(t)
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-01T12:00:00+0530")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	gittest.Git(t, dir, "tag", "-a", "churn#prod#1", "-m", "Assigning stage prod")
	gittest.Git(t, dir, "tag", "churn#dev#2")
	gittest.Git(t, dir, "tag", "-a", "tree", "-m", "a tree", "HEAD^{tree}")
	want = gitTags(t, dir)
	assertSameTags(t, "first read", readTags(t, dir), want)
	valid, err := os.ReadFile(tagCachePath(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return dir, valid, want
}

// withChecksum appends a valid checksum to body, as tagcache.Write does.
func withChecksum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

// assertRecovers puts content where the cache goes and checks that the next read returns what
// git reports and leaves a valid cache behind.
func assertRecovers(t *testing.T, what, dir string, content []byte, want []Tag) {
	t.Helper()
	gittest.WriteFile(t, tagCachePath(t, dir), string(content))
	assertSameTags(t, what, readTags(t, dir), want)
	if !cacheLoads(tagCachePath(t, dir)) {
		t.Errorf("%s: the cache was not rewritten valid by the read", what)
	}
}

func TestTagCacheCorruptFileIsRebuilt(t *testing.T) {
	dir, valid, want := corruptionRepo(t)
	path := tagCachePath(t, dir)

	magic := cacheMagic(t, valid)

	// That none of these loads is tested in pkg/internal/tagcache; here, that a read recovers.
	t.Run("truncated to every length", func(t *testing.T) {
		for n := range len(valid) {
			assertRecovers(t, fmt.Sprintf("truncated to %d bytes", n), dir, valid[:n], want)
		}
	})

	t.Run("one bit flipped", func(t *testing.T) {
		for bit := range 8 * len(valid) {
			flipped := slices.Clone(valid)
			flipped[bit/8] ^= 1 << (bit % 8)
			if bit%11 == 0 {
				assertRecovers(t, fmt.Sprintf("bit %d flipped", bit), dir, flipped, want)
			}
		}
	})

	t.Run("garbage", func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		body := valid[:len(valid)-4]
		for i := range 200 {
			garbage := make([]byte, rng.Intn(2*len(valid)))
			rng.Read(garbage)
			if i%20 != 0 {
				continue
			}
			cases := map[string][]byte{
				"random bytes":                            garbage,
				"magic and random bytes":                  append(slices.Clone(magic), garbage...),
				"magic, random bytes and a good checksum": withChecksum(append(slices.Clone(magic), garbage...)),
				"entries overwritten, good checksum":      withChecksum(append(slices.Clone(body[:countAt(magic)+1]), garbage...)),
			}
			for what, content := range cases {
				assertRecovers(t, fmt.Sprintf("%s (%d)", what, i), dir, content, want)
			}
		}
	})

	body := valid[:len(valid)-4]
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"empty file", nil},
		{"only the magic", magic},
		{"another version's magic, good checksum", withChecksum(append(otherMagic(magic), body[len(magic):]...))},
		{"no magic, good checksum", withChecksum(body[len(magic):])},
		{"trailing bytes, good checksum", withChecksum(append(slices.Clone(body), 0))},
		{"one entry more counted, good checksum", withChecksum(recount(t, magic, body, +1))},
		{"one entry fewer counted, good checksum", withChecksum(recount(t, magic, body, -1))},
		{"checksum missing", body},
		{"checksum doubled", append(slices.Clone(valid), valid[len(valid)-4:]...)},
		{"zeroed", make([]byte, len(valid))},
		{"text", []byte("churn@v1.0.0 0123456789012345678901234567890123456789\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assertRecovers(t, tc.name, dir, tc.content, want)
			assertNoTemporaryFiles(t, dir)
		})
	}

	t.Run("a directory where the file goes", func(t *testing.T) {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(path)
		for i := range 3 {
			assertSameTags(t, fmt.Sprintf("read %d", i+1), readTags(t, dir), want)
		}
		if info, err := os.Stat(path); err != nil || !info.IsDir() {
			t.Errorf("the directory in the cache's place was replaced (stat: %v)", err)
		}
		assertNoTemporaryFiles(t, dir)
	})

	t.Run("a file where git-model/ goes", func(t *testing.T) {
		gitModel := filepath.Dir(path)
		if err := os.RemoveAll(gitModel); err != nil {
			t.Fatal(err)
		}
		gittest.WriteFile(t, gitModel, "not a directory\n")
		defer os.Remove(gitModel)
		for i := range 2 {
			assertSameTags(t, fmt.Sprintf("read %d", i+1), readTags(t, dir), want)
		}
	})
}

// cacheMagic is the magic that starts a cache file, "git-model tag cache N\n": its first line.
func cacheMagic(t *testing.T, content []byte) []byte {
	t.Helper()
	end := bytes.IndexByte(content, '\n')
	if end < 0 || !bytes.HasPrefix(content, []byte("git-model tag cache ")) {
		t.Fatalf("the cache does not start with its magic: %q", content[:min(len(content), 32)])
	}
	return slices.Clone(content[:end+1])
}

// otherMagic is the magic of another version of the cache's layout.
func otherMagic(magic []byte) []byte {
	magic = slices.Clone(magic)
	magic[len(magic)-2]++ // "…cache N\n" → "…cache N+1\n"
	return magic
}

// countAt is where the entry count starts in a cache file: after the magic and the refs' digest.
func countAt(magic []byte) int { return len(magic) + tagcache.DigestSize }

func TestTagCacheChecksummedNonsenseDoesNotPanic(t *testing.T) {
	// A cache whose checksum is right but whose values no tag object can give (written by a
	// buggy or future writer, or by hand) may be trusted, but must not crash the reader.
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering")
	want := gitTags(t, dir)
	target := gittest.MustID(t, gittest.RefTargets(t, dir)["churn@v1.0.0"])
	for _, tc := range gittest.NonsenseTaggerTimes() {
		t.Run(tc.Name, func(t *testing.T) {
			tag := want[0]
			tag.When = tc.When
			// Written with no refs' digest (which no read of the refs gives), so that a read
			// decodes every entry.
			path := tagCachePath(t, dir)
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
			tagcache.Write(path, [tagcache.DigestSize]byte{}, []object.ID{target}, []Tag{tag})
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("setup: tagcache.Write wrote no cache: %v", err)
			}
			func() { // tagcache.Load alone: pkg/internal/tagcache
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("Tags() panicked on a checksummed cache holding a tagger time %s: %v", tc.Name, p)
					}
				}()
				tryReadTags(dir)
			}()
		})
	}
}

// recount changes the entry count that follows the magic and the digest in a cache body.
func recount(t *testing.T, magic, body []byte, delta int) []byte {
	t.Helper()
	rest := body[countAt(magic):]
	n, size := binary.Uvarint(rest)
	if size <= 0 {
		t.Fatal("cannot read the entry count")
	}
	out := append(slices.Clone(body[:countAt(magic)]), binary.AppendUvarint(nil, uint64(int(n)+delta))...)
	return append(out, rest[size:]...)
}

func TestTagCacheLargeTruncated(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	var stream strings.Builder
	for i := range 600 {
		msg := fmt.Sprintf("Registering artifact m%d version v0.0.%d", i%20, i)
		fmt.Fprintf(&stream, "tag m%d@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d %+05d\ndata %d\n%s\n",
			i%20, i, head, 1700000000+i, (i%27-13)*100, len(msg), msg)
		if i%3 == 0 {
			fmt.Fprintf(&stream, "reset refs/tags/light%d\nfrom %s\n\n", i, head)
		}
	}
	gittest.GitInput(t, dir, stream.String(), "fast-import", "--quiet")
	want := gitTags(t, dir)
	assertSameTags(t, "cold read", readTags(t, dir), want)
	valid, err := os.ReadFile(tagCachePath(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	m := len(cacheMagic(t, valid))
	for _, n := range []int{0, 1, m - 1, m, m + 1, m + 4, len(valid) / 3, len(valid) / 2, len(valid) - 41, len(valid) - 5, len(valid) - 4, len(valid) - 3, len(valid) - 1} {
		assertRecovers(t, fmt.Sprintf("truncated to %d of %d bytes", n, len(valid)), dir, valid[:n], want)
	}
	assertCacheHolds(t, dir, want)
}

func TestTagCacheFromAnotherRepositoryWithTheSameNames(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering churn v1.0.0")
	gittest.Git(t, dir, "tag", "-a", "churn#prod#1", "-m", "Assigning prod")
	gittest.Git(t, dir, "tag", "churn#dev#1")
	gittest.Git(t, dir, "tag", "-a", "shared", "-m", "the same object in both")

	// A clone that then went its own way: the same names, mostly on other objects.
	other := filepath.Join(t.TempDir(), "other")
	gittest.Git(t, dir, "clone", "-q", dir, other)
	gittest.CommitFile(t, other, "metrics.txt", "auc 0.7\n", "elsewhere")
	t.Setenv("GIT_COMMITTER_DATE", "2024-06-01T10:00:00+0900")
	gittest.Git(t, other, "tag", "-f", "-a", "churn@v1.0.0", "-m", "Registering churn v1.0.0, other repository")
	gittest.Git(t, other, "tag", "-f", "churn#prod#1")
	gittest.Git(t, other, "tag", "-f", "-a", "churn#dev#1", "-m", "annotated over there")
	readTags(t, other)
	foreign, err := os.ReadFile(tagCachePath(t, other))
	if err != nil {
		t.Fatal(err)
	}

	want := gitTags(t, dir)
	assertRecovers(t, "the other repository's cache", dir, foreign, want)
	assertCacheHolds(t, dir, want)
	assertSameTags(t, "read again", readTags(t, dir), want)
	// And the other way round, warm from this repository's cache.
	mine, err := os.ReadFile(tagCachePath(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	assertRecovers(t, "this repository's cache in the other", other, mine, gitTags(t, other))
}

func TestTagCacheDropsEntriesOfDeletedTags(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	var stream strings.Builder
	for i := range 300 {
		msg := fmt.Sprintf("tag %d", i)
		fmt.Fprintf(&stream, "tag t%03d\nfrom %s\ntagger T <t@example.com> %d +0000\ndata %d\n%s\n", i, head, 1700000000+i, len(msg), msg)
	}
	gittest.GitInput(t, dir, stream.String(), "fast-import", "--quiet")
	readTags(t, dir)
	var deletions strings.Builder
	for i := 50; i < 300; i++ {
		fmt.Fprintf(&deletions, "delete refs/tags/t%03d\n", i)
	}
	gittest.GitInput(t, dir, deletions.String(), "update-ref", "--stdin")

	want := gitTags(t, dir)
	assertSameTags(t, "after deleting 250 of 300 tags", readTags(t, dir), want)
	readTags(t, dir)
	cache, _, _ := tagcache.Load(tagCachePath(t, dir))
	if cache == nil {
		t.Fatal("the cache does not load")
	}
	// Some entries of deleted tags may stay, but not five times as many as are needed.
	if len(cache) > 2*len(want)+64 {
		t.Errorf("after deleting 250 of 300 tags, the cache still holds %d entries for %d tags", len(cache), len(want))
	}
	assertCacheHolds(t, dir, want)
}

// tagsRead is one Tags() call seen from outside: when it started and ended (wall clock, so
// that reads in other processes can be ordered against tag creations) and what it returned.
type tagsRead struct {
	Start, End int64
	Lines      []string
	Names      []string
	Err        string
}

func readTagsTimed(dir string) tagsRead {
	read := tagsRead{Start: time.Now().UnixNano()}
	tags, err := tryReadTags(dir)
	read.End = time.Now().UnixNano()
	if err != nil {
		read.Err = err.Error()
	}
	for _, tag := range tags {
		read.Lines = append(read.Lines, tagLine(tag))
		read.Names = append(read.Names, tag.Name)
	}
	return read
}

// tagCreation is one tag added while others read: when git tag started and when it returned.
type tagCreation struct {
	name       string
	start, end int64
}

// assertReadsConsistent checks each read against the refs' history, in which tags were only
// added: a read returns every tag whose creation finished before it started, no tag whose
// creation started after it ended, and for each tag exactly what git reports of it at the end.
// (Git reads loose refs one file at a time, so it promises no more than that either.)
func assertReadsConsistent(t *testing.T, reads []tagsRead, initial []string, created []tagCreation, final []Tag) {
	t.Helper()
	truth := map[string]string{}
	for _, tag := range final {
		truth[tag.Name] = tagLine(tag)
	}
	startOf := map[string]int64{}
	for _, c := range created {
		startOf[c.name] = c.start
	}
	failures := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if failures++; failures <= 10 {
			t.Errorf(format, args...)
		}
	}
	for i, read := range reads {
		if read.Err != "" {
			fail("read %d: Tags(): %s", i, read.Err)
			continue
		}
		if !slices.IsSorted(read.Names) {
			fail("read %d: names not sorted: %q", i, read.Names)
		}
		got := map[string]bool{}
		for j, name := range read.Names {
			got[name] = true
			if read.Lines[j] != truth[name] {
				fail("read %d: %s\n  want: %s", i, read.Lines[j], truth[name])
			}
			if start, added := startOf[name]; added && start > read.End {
				fail("read %d returned %s, created after the read ended", i, name)
			} else if !added && !slices.Contains(initial, name) {
				fail("read %d returned %s, which never existed", i, name)
			}
		}
		for _, name := range initial {
			if !got[name] {
				fail("read %d lacks %s, which existed throughout", i, name)
			}
		}
		for _, c := range created {
			if c.end < read.Start && !got[c.name] {
				fail("read %d lacks %s, created %v before the read started", i, c.name, time.Duration(read.Start-c.end))
			}
		}
	}
	if failures > 10 {
		t.Errorf("… and %d more inconsistent reads", failures-10)
	}
}

const (
	helperDirEnv  = "GITREPO_TAGCACHE_HELPER_DIR"
	helperStopEnv = "GITREPO_TAGCACHE_HELPER_STOP"
)

// TestTagCacheHelperProcess is not a test: TestTagCacheConcurrentReadersAndWriters runs the test
// binary again with it, to read the tags from other processes. It reads until the stop file
// appears and prints each read as a line of JSON.
func TestTagCacheHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process of TestTagCacheConcurrentReadersAndWriters")
	}
	out := json.NewEncoder(os.Stdout)
	for {
		if _, err := os.Stat(os.Getenv(helperStopEnv)); err == nil {
			return
		}
		if err := out.Encode(readTagsTimed(dir)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTagCacheConcurrentReadersAndWriters(t *testing.T) {
	dir := newRepo(t)
	for i := range 8 {
		gittest.Git(t, dir, "tag", "-a", fmt.Sprintf("base@v0.0.%d", i), "-m", "base")
	}
	gittest.Git(t, dir, "tag", "base-light")
	var initial []string
	for _, tag := range gitTags(t, dir) {
		initial = append(initial, tag.Name)
	}
	path := tagCachePath(t, dir)

	// Other processes: the test binary again, running TestTagCacheHelperProcess.
	stopFile := filepath.Join(t.TempDir(), "stop")
	type helper struct {
		cmd            *exec.Cmd
		stdout, stderr bytes.Buffer
	}
	var helpers []*helper
	for range 2 {
		h := &helper{cmd: exec.Command(os.Args[0], "-test.run=^TestTagCacheHelperProcess$", "-test.count=1")}
		h.cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperStopEnv+"="+stopFile)
		h.cmd.Stdout, h.cmd.Stderr = &h.stdout, &h.stderr
		if err := h.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		helpers = append(helpers, h)
	}
	defer func() {
		for _, h := range helpers {
			if h.cmd.ProcessState == nil {
				h.cmd.Process.Kill()
				h.cmd.Wait()
			}
		}
	}()

	// Goroutines in this process, each with its own Repository; one removes the cache before
	// every read, so that cold reads rewrite it all the time.
	var mu sync.Mutex
	var reads []tagsRead
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if g == 0 {
					os.Remove(path)
				}
				read := readTagsTimed(dir)
				mu.Lock()
				reads = append(reads, read)
				mu.Unlock()
			}
		}()
	}

	var created []tagCreation
	for i := range 30 {
		if i%10 == 5 {
			gittest.CommitFile(t, dir, "metrics.txt", fmt.Sprintf("auc 0.%d\n", i), fmt.Sprintf("commit %d", i))
		}
		name := fmt.Sprintf("m%d@v1.0.%d", i%4, i)
		start := time.Now().UnixNano()
		if i%5 == 4 {
			gittest.Git(t, dir, "tag", name)
		} else {
			gittest.Git(t, dir, "tag", "-a", name, "-m", "Registering "+name)
		}
		created = append(created, tagCreation{name, start, time.Now().UnixNano()})
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	gittest.WriteFile(t, stopFile, "")
	for i, h := range helpers {
		err := h.cmd.Wait()
		if err != nil {
			t.Errorf("helper process %d: %v\n%s", i, err, h.stderr.String())
		}
		n := 0
		for _, line := range bytes.Split(h.stdout.Bytes(), []byte{'\n'}) {
			if !bytes.HasPrefix(line, []byte("{")) {
				continue
			}
			var read tagsRead
			if err := json.Unmarshal(line, &read); err != nil {
				t.Fatalf("helper process %d printed %q: %v", i, line, err)
			}
			reads = append(reads, read)
			n++
		}
		if n == 0 {
			t.Errorf("helper process %d read nothing:\n%s%s", i, h.stdout.String(), h.stderr.String())
		}
	}
	t.Logf("%d reads while %d tags were added", len(reads), len(created))

	final := gitTags(t, dir)
	assertReadsConsistent(t, reads, initial, created, final)
	assertSameTags(t, "read after the writers stopped", readTags(t, dir), final)
	assertCacheHolds(t, dir, final)
	assertNoTemporaryFiles(t, dir)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	assertSameTags(t, "fresh read without the cache", readTags(t, dir), final)
}

func TestTagCacheRefLayouts(t *testing.T) {
	t.Run("packed and loose, a loose ref over a packed one", func(t *testing.T) {
		dir := newRepo(t)
		gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "packed annotated")
		gittest.Git(t, dir, "tag", "-a", "churn#prod#1", "-m", "packed, moved later")
		gittest.Git(t, dir, "tag", "churn#dev#1")
		gittest.Git(t, dir, "tag", "-a", "a/b@v1.0.0", "-m", "packed nested")
		gittest.Git(t, dir, "pack-refs", "--all")
		readTags(t, dir) // the cache knows the packed targets
		second := gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
		t.Setenv("GIT_COMMITTER_DATE", "2024-01-05T10:00:00+0100")
		gittest.Git(t, dir, "tag", "-f", "-a", "churn#prod#1", "-m", "loose over packed", second)
		gittest.Git(t, dir, "tag", "-f", "churn#dev#1", second)
		gittest.Git(t, dir, "tag", "-f", "-a", "a/b@v1.0.0", "-m", "loose nested over packed")
		gittest.Git(t, dir, "tag", "-a", "churn@v1.1.0", "-m", "loose only", second)
		packedRefs, err := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"churn#prod#1", "churn#dev#1", "a/b@v1.0.0"} {
			loose := gittest.Git(t, dir, "rev-parse", "refs/tags/"+name)
			if !bytes.Contains(packedRefs, []byte(" refs/tags/"+name+"\n")) || bytes.Contains(packedRefs, []byte(loose+" refs/tags/"+name+"\n")) {
				t.Fatalf("setup: %s is not packed with a target other than its loose %s", name, loose)
			}
		}
		assertSameTags(t, "warm from the packed targets", readTags(t, dir), gitTags(t, dir))
		assertColdAndWarm(t, "packed and loose", dir)
	})

	names := []string{"a/b@v1.0.0", "a/b/c#prod#1", "n#1", "n!x", "k=v", "p+q", "m@v1.0.0+build.1",
		"m#prod!#2", "dir=m#prod#3", "x/y/z#dev#10", "m@deprecated", "a.b", "a-b", "a_b", "Z", "ünï"}
	for _, packed := range []bool{false, true} {
		t.Run(fmt.Sprintf("nested and special names, packed=%t", packed), func(t *testing.T) {
			dir := newRepo(t)
			for i, name := range names {
				if i%3 == 2 {
					gittest.Git(t, dir, "tag", name)
				} else {
					gittest.Git(t, dir, "tag", "-a", name, "-m", "msg "+name)
				}
			}
			if packed {
				gittest.Git(t, dir, "pack-refs", "--all")
			}
			tags := assertColdAndWarm(t, "special names", dir)
			if len(tags) != len(names) {
				t.Errorf("%d tags, want %d", len(tags), len(names))
			}
		})
	}

	t.Run("a symbolic ref under refs/tags", func(t *testing.T) {
		dir := newRepo(t)
		gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "the target")
		gittest.Git(t, dir, "tag", "light")
		gittest.Git(t, dir, "pack-refs", "--all")
		gittest.Git(t, dir, "tag", "-a", "loose", "-m", "a loose one")
		gittest.Git(t, dir, "symbolic-ref", "refs/tags/latest", "refs/tags/churn@v1.0.0")
		gittest.Git(t, dir, "symbolic-ref", "refs/tags/nested/branch", "refs/heads/main")
		if _, err := refs.ReadTags(gittest.CommonDir(t, dir), ""); !errors.Is(err, refs.ErrFallback) {
			t.Fatalf("refs.ReadTags with a symbolic ref: err = %v, want refs.ErrFallback", err)
		}
		tags := assertColdAndWarm(t, "with symbolic refs", dir)
		if len(tags) != 5 {
			t.Errorf("%d tags, want 5 (the symbolic refs included, as git lists them)", len(tags))
		}
	})

	t.Run("a linked worktree shares the main repository's cache", func(t *testing.T) {
		dir := newRepo(t)
		gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "from the main work tree")
		gittest.Git(t, dir, "tag", "light")
		wt := filepath.Join(t.TempDir(), "wt")
		gittest.Git(t, dir, "worktree", "add", "-q", wt)
		gittest.Git(t, wt, "tag", "-a", "churn#prod#1", "-m", "from the linked worktree")

		want := gitTags(t, dir)
		assertSameTags(t, "read from the worktree", readTags(t, wt), want)
		if realPath(t, gittest.CommonDir(t, wt)) != realPath(t, filepath.Join(dir, ".git")) {
			t.Fatalf("setup: git's common dir of the worktree is %s, not the main .git", gittest.CommonDir(t, wt))
		}
		mainCache := filepath.Join(dir, ".git", tagcache.File)
		if !cacheLoads(mainCache) {
			t.Errorf("a read from the linked worktree wrote no cache in the common dir (%s)", mainCache)
		}
		own := filepath.Join(gittest.Git(t, wt, "rev-parse", "--path-format=absolute", "--git-dir"), "git-model")
		if _, err := os.Stat(own); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a read from the linked worktree wrote %s (stat: %v); the cache belongs in the common dir", own, err)
		}
		restore := hideObjects(t, dir)
		for _, from := range []string{dir, wt} {
			got, err := tryReadTags(from)
			if err != nil {
				t.Errorf("warm read from %s with the objects hidden: %v", from, err)
				continue
			}
			assertSameTags(t, "warm read from "+from, got, want)
		}
		restore()
	})
}

// TestTagsReadManyObjectsWhereGitDoes reads many tags cold, which Tags does from several
// workers, each with its own handle on the repository: every worker must find the objects where
// the Repository that Open returned finds them, and git does, GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES included (Open honours them when GIT_DIR is not set). A
// hundred tags, read by one worker through the Repository's own handle, are the control.
func TestTagsReadManyObjectsWhereGitDoes(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, count := range []int{100, 1200} {
		for _, layout := range []string{"GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "linked worktree", "GIT_DIR of a bare clone"} {
			t.Run(fmt.Sprintf("%s, %d tags", layout, count), func(t *testing.T) {
				dir := newRepo(t)
				head := gittest.Git(t, dir, "rev-parse", "HEAD")
				var stream strings.Builder
				for i := range count {
					msg := fmt.Sprintf("Registering artifact m version v0.0.%d", i)
					fmt.Fprintf(&stream, "tag m@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d +0200\ndata %d\n%s\n", i, head, 1700000000+i, len(msg), msg)
				}
				gittest.GitInput(t, dir, stream.String(), "fast-import", "--quiet")
				from := dir
				switch layout {
				case "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES":
					objects := filepath.Join(dir, ".git", "objects")
					elsewhere := filepath.Join(t.TempDir(), "objects")
					if err := os.Rename(objects, elsewhere); err != nil {
						t.Fatal(err)
					}
					for _, sub := range []string{"pack", "info"} {
						if err := os.MkdirAll(filepath.Join(objects, sub), 0o755); err != nil {
							t.Fatal(err)
						}
					}
					t.Setenv(layout, elsewhere)
				case "linked worktree":
					from = filepath.Join(t.TempDir(), "wt")
					gittest.Git(t, dir, "worktree", "add", "-q", from)
				case "GIT_DIR of a bare clone":
					bare := filepath.Join(t.TempDir(), "bare.git")
					gittest.Git(t, dir, "clone", "-q", "--bare", dir, bare)
					t.Setenv("GIT_DIR", bare)
				}
				want := gitTags(t, from)
				if len(want) != count {
					t.Fatalf("setup: git sees %d tags, want %d", len(want), count)
				}
				got, err := tryReadTags(from)
				if err != nil {
					t.Fatalf("Tags(): %v", err)
				}
				assertSameTags(t, layout, got, want)
			})
		}
	}
}

// TestTagCacheSlack checks that a read leaves the cache alone for a few new tags, which it reads
// from their objects, and rewrites it once more than cacheSlack are missing.
func TestTagCacheSlack(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q")
	gittest.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "c")
	gittest.Git(t, dir, "tag", "-a", "m@v0.0.1", "-m", "first")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	read := func() []Tag {
		t.Helper()
		tags, err := r.Tags()
		if err != nil {
			t.Fatal(err)
		}
		r.writing.Wait() // the cache, written in the background, is looked at next
		return tags
	}
	read()
	path := tagCachePath(t, dir)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	gittest.Git(t, dir, "tag", "-a", "m#prod#1", "-m", "second")
	if tags := read(); len(tags) != 2 || tags[0].Message != "second" {
		t.Fatalf("Tags() after one new tag = %+v, want both, the new one read from its object", tags)
	}
	if after, err := os.Stat(path); err != nil || !os.SameFile(before, after) {
		t.Errorf("one new tag rewrote the cache; a read within the slack leaves it as it is")
	}
	for i := range cacheSlack + 1 {
		gittest.Git(t, dir, "tag", "-a", fmt.Sprintf("m#dev#%d", i+2), "-m", "more")
	}
	tags := read()
	entries, _, _ := tagcache.Load(path)
	if ok := entries != nil; !ok || len(entries) != len(tags) {
		t.Errorf("after %d new tags the cache holds %d entries (loads: %v), want all %d", cacheSlack+1, len(entries), ok, len(tags))
	}
}
