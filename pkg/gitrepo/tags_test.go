package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
)

// tagByName reads all tags and returns them by name.
func tagByName(t *testing.T, r *Repository) map[string]Tag {
	t.Helper()
	tags, err := r.Tags()
	if err != nil {
		t.Fatalf("Tags(): %v", err)
	}
	byName := make(map[string]Tag, len(tags))
	for _, tag := range tags {
		byName[tag.Name] = tag
	}
	return byName
}

func mustTag(t *testing.T, tags map[string]Tag, name string) Tag {
	t.Helper()
	tag, ok := tags[name]
	if !ok {
		t.Fatalf("tag %q missing from Tags()", name)
	}
	return tag
}

func TestTagsAnnotatedAndLightweight(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	t.Setenv("GIT_COMMITTER_NAME", "Tess Tagger")
	t.Setenv("GIT_COMMITTER_EMAIL", "tess@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2024-02-01T09:30:00+0000")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	gittest.Git(t, dir, "tag", "churn#prod#1")

	tags := tagByName(t, openRepo(t, dir))
	want := Tag{
		Name:        "churn@v1.0.0",
		Annotated:   true,
		Commit:      head,
		PeeledType:  object.Commit,
		TaggerName:  "Tess Tagger",
		TaggerEmail: "tess@example.com",
		Message:     "Registering artifact churn version v1.0.0",
	}
	got := mustTag(t, tags, "churn@v1.0.0")
	if wantWhen := time.Date(2024, 2, 1, 9, 30, 0, 0, time.UTC); !got.When.Equal(wantWhen) {
		t.Errorf("annotated When = %v, want %v", got.When, wantWhen)
	}
	got.When = time.Time{}
	if got != want {
		t.Errorf("annotated tag = %+v\nwant %+v", got, want)
	}

	light := mustTag(t, tags, "churn#prod#1")
	wantLight := Tag{Name: "churn#prod#1", Commit: head, PeeledType: object.Commit}
	if light != wantLight {
		t.Errorf("lightweight tag = %+v\nwant %+v", light, wantLight)
	}
}

// registryNames are tag names of every shape the registry writes, nested ones included.
var registryNames = []string{"a/b@v0.0.1", "dir=m#prod#3", "m@v1.0.0+b.1", "m#prod!#2", "m@deprecated", "x/y/z#dev#10"}

func TestTagsNestedAndSpecialNamesSorted(t *testing.T) {
	dir := newRepo(t)
	for _, name := range registryNames {
		gittest.Git(t, dir, "tag", "-a", name, "-m", "msg "+name)
	}
	gittest.Git(t, dir, "branch", "m@v9.9.9") // a branch is not a tag, whatever its name

	got := tagNames(t, openRepo(t, dir))
	want := strings.Split(gittest.Git(t, dir, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Tags() names = %q\nwant (git for-each-ref order) %q", got, want)
	}
	if len(got) != len(registryNames) {
		t.Errorf("Tags() returned %d tags, want %d", len(got), len(registryNames))
	}
}

func TestTagsPackedReadLikeLoose(t *testing.T) {
	dir := newRepo(t)
	for i, name := range registryNames {
		t.Setenv("GIT_COMMITTER_DATE", fmt.Sprintf("2024-02-0%dT09:30:00+0200", i+1))
		gittest.Git(t, dir, "tag", "-a", name, "-m", "msg "+name)
	}
	gittest.Git(t, dir, "tag", "light")
	loose := describeTags(t, openRepo(t, dir))

	gittest.Git(t, dir, "pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "tags", "a", "b@v0.0.1")); !os.IsNotExist(err) {
		t.Fatalf("pack-refs left the loose ref behind (stat: %v)", err)
	}
	// One more loose tag beside the packed ones: both stores are read together.
	gittest.Git(t, dir, "tag", "-a", "late@v0.0.1", "-m", "late")
	packed := describeTags(t, openRepo(t, dir))

	if len(packed) != len(loose)+1 {
		t.Fatalf("after pack-refs: %d tags, want %d", len(packed), len(loose)+1)
	}
	for name, d := range loose {
		if packed[name] != d {
			t.Errorf("tag %s packed = %s\nloose = %s", name, packed[name], d)
		}
	}
}

// describeTags renders each tag to a string, time zone included, so packed and loose reads
// can be compared field by field.
func describeTags(t *testing.T, r *Repository) map[string]string {
	t.Helper()
	described := map[string]string{}
	for name, tag := range tagByName(t, r) {
		when := tag.When
		tag.When = time.Time{}
		described[name] = fmt.Sprintf("%+v when=%s", tag, when.Format(time.RFC3339))
	}
	return described
}

func TestTagsTaggerTimeZone(t *testing.T) {
	dir := newRepo(t)
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-01T12:00:00+0530")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "in India")
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-01T12:00:00-0700")
	gittest.Git(t, dir, "tag", "-a", "churn#prod#1", "-m", "in Denver")

	tags := tagByName(t, openRepo(t, dir))
	for name, want := range map[string]struct {
		unix   int64
		offset int
		text   string
	}{
		"churn@v1.0.0": {time.Date(2024, 3, 1, 6, 30, 0, 0, time.UTC).Unix(), 5*3600 + 30*60, "2024-03-01T12:00:00+05:30"},
		"churn#prod#1": {time.Date(2024, 3, 1, 19, 0, 0, 0, time.UTC).Unix(), -7 * 3600, "2024-03-01T12:00:00-07:00"},
	} {
		when := mustTag(t, tags, name).When
		_, offset := when.Zone()
		if when.Unix() != want.unix || offset != want.offset || when.Format(time.RFC3339) != want.text {
			t.Errorf("%s: When = %s (unix %d, offset %d), want %s (unix %d, offset %d)",
				name, when.Format(time.RFC3339), when.Unix(), offset, want.text, want.unix, want.offset)
		}
	}
}

func TestTagsTagOfTagPeelsToCommit(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	gittest.Git(t, dir, "tag", "-a", "inner", "-m", "inner message")
	t.Setenv("GIT_COMMITTER_NAME", "Outer Tagger")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "outer message", "inner")
	if typ := gittest.Git(t, dir, "cat-file", "-t", "churn@v1.0.0^{tag}^{}"); typ != "commit" {
		t.Fatalf("setup: nested tag peels to %s", typ)
	}
	if target := gittest.Git(t, dir, "cat-file", "-p", "churn@v1.0.0"); !strings.Contains(target, "type tag") {
		t.Fatalf("setup: outer tag does not point to a tag object:\n%s", target)
	}

	tag := mustTag(t, tagByName(t, openRepo(t, dir)), "churn@v1.0.0")
	if tag.Commit != head || tag.PeeledType != object.Commit || !tag.Annotated {
		t.Errorf("tag of a tag = %+v, want annotated, peeled to commit %s", tag, head)
	}
	if tag.Message != "outer message" || tag.TaggerName != "Outer Tagger" {
		t.Errorf("tag of a tag: message %q by %q, want the outer tag's", tag.Message, tag.TaggerName)
	}
}

func TestTagsOfTreesAndBlobs(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "tree-annotated", "-m", "a tree", "HEAD^{tree}")
	gittest.Git(t, dir, "tag", "tree-light", "HEAD^{tree}")
	gittest.Git(t, dir, "tag", "-a", "blob-annotated", "-m", "a blob", "HEAD:artifacts.yaml")
	gittest.Git(t, dir, "tag", "blob-light", "HEAD:artifacts.yaml")

	tags := tagByName(t, openRepo(t, dir))
	for name, want := range map[string]struct {
		annotated bool
		peeled    string
	}{
		"tree-annotated": {true, "tree"},
		"tree-light":     {false, "tree"},
		"blob-annotated": {true, "blob"},
		"blob-light":     {false, "blob"},
	} {
		tag := mustTag(t, tags, name)
		if tag.Commit != "" || tag.PeeledType.String() != want.peeled || tag.Annotated != want.annotated {
			t.Errorf("%s = %+v, want Commit \"\", PeeledType %q, Annotated %v", name, tag, want.peeled, want.annotated)
		}
	}
}

func TestTagsMessages(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	raw := func(name, message string) string { return gittest.RawTag(head, name, "+0000", message) }

	gittest.Mktag(t, dir, "pgp", raw("pgp", "Registering artifact churn version v1.0.0\n"+
		"-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"))
	gittest.Mktag(t, dir, "ssh", raw("ssh", "Assigning stage prod\n\nwith a body\n"+
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ\n-----END SSH SIGNATURE-----\n"))
	gittest.Mktag(t, dir, "trailing", raw("trailing", "subject\n\nbody line\n\n\n"))
	gittest.Mktag(t, dir, "latin1", raw("latin1", "caf\xe9 \xff\xfe\n"))
	gittest.Mktag(t, dir, "empty", raw("empty", ""))
	// A marker that does not start a line is part of the message.
	gittest.Mktag(t, dir, "quoted", raw("quoted", "see -----BEGIN PGP SIGNATURE----- above\n"))
	gittest.Mktag(t, dir, "no-tagger", "object "+head+"\ntype commit\ntag no-tagger\n\nold tag\n")

	tags := tagByName(t, openRepo(t, dir))
	for name, want := range map[string]string{
		"pgp":       "Registering artifact churn version v1.0.0",
		"ssh":       "Assigning stage prod\n\nwith a body",
		"trailing":  "subject\n\nbody line",
		"latin1":    "caf\xe9 \xff\xfe",
		"empty":     "",
		"quoted":    "see -----BEGIN PGP SIGNATURE----- above",
		"no-tagger": "old tag",
	} {
		if got := mustTag(t, tags, name).Message; got != want {
			t.Errorf("%s: Message = %q, want %q", name, got, want)
		}
	}

	signed := mustTag(t, tags, "pgp")
	if signed.TaggerName != "Tess Tagger" || signed.When.Unix() != 1709294400 || signed.Commit != head {
		t.Errorf("signed tag = %+v", signed)
	}
	anonymous := mustTag(t, tags, "no-tagger")
	if anonymous.TaggerName != "" || anonymous.TaggerEmail != "" || !anonymous.When.IsZero() || !anonymous.Annotated {
		t.Errorf("tag without a tagger = %+v, want annotated with no tagger and a zero When", anonymous)
	}
}

func TestTagsUnreadableObjectNamesTheTag(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "good", "-m", "good")
	gittest.WriteFile(t, filepath.Join(dir, ".git", "refs", "tags", "m", "broken@v1.0.0"), strings.Repeat("ab", 20)+"\n")

	_, err := openRepo(t, dir).Tags()
	if err == nil || !strings.HasPrefix(err.Error(), "reading tag 'm/broken@v1.0.0': ") {
		t.Errorf("Tags() with a ref to a missing object: err = %v, want one naming 'm/broken@v1.0.0'", err)
	}
}

func TestTagsMissingTargetNamesTheTag(t *testing.T) {
	dir := newRepo(t)
	missing := strings.Repeat("cd", 20)
	gittest.Mktag(t, dir, "m@v1.0.0", "object "+missing+"\ntype commit\ntag m@v1.0.0\n"+
		"tagger T <t@example.com> 1709294400 +0000\n\nRegistering\n")

	_, err := openRepo(t, dir).Tags()
	if err == nil || !strings.HasPrefix(err.Error(), "reading tag 'm@v1.0.0': ") || !strings.Contains(err.Error(), missing) {
		t.Errorf("Tags() with a tag of a missing commit: err = %v, want one naming 'm@v1.0.0' and %s", err, missing)
	}
}

func TestTagsManyTags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 40,000 tags")
	}
	const count = 40000
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	var stream strings.Builder
	for i := range count {
		msg := fmt.Sprintf("Registering artifact m%d version v0.0.1", i%100)
		fmt.Fprintf(&stream, "tag m%d@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d +0100\ndata %d\n%s\n",
			i%100, i, head, 1700000000+i, len(msg), msg)
	}
	gittest.GitInput(t, dir, stream.String(), "fast-import", "--quiet")

	start := time.Now()
	tags, err := openRepo(t, dir).Tags()
	if err != nil {
		t.Fatalf("Tags(): %v", err)
	}
	t.Logf("read %d tags in %v", len(tags), time.Since(start))
	if len(tags) != count {
		t.Fatalf("Tags() returned %d tags, want %d", len(tags), count)
	}
	for _, tag := range tags {
		if !tag.Annotated || tag.Commit != head || tag.When.IsZero() {
			t.Fatalf("tag %+v not read fully", tag)
		}
	}
}

// artifactFilter is what ArtifactTags(prefix) must return: the tags of all whose names are
// prefix followed by '@' or '#', in the same order.
func artifactFilter(all []Tag, prefix string) []Tag {
	var out []Tag
	for _, tag := range all {
		if rest, ok := strings.CutPrefix(tag.Name, prefix); ok && (strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#")) {
			out = append(out, tag)
		}
	}
	return out
}

// assertArtifactTags checks that ArtifactTags(prefix), read from a freshly opened repository,
// returns exactly the tags of Tags() that belong to the artifact, every field alike, and that
// these are the tags named in want (git agreeing), so that a setup mistake cannot leave an
// empty comparison.
func assertArtifactTags(t *testing.T, dir, prefix string, want ...string) {
	t.Helper()
	got, err := openRepo(t, dir).ArtifactTags(prefix)
	if err != nil {
		t.Errorf("ArtifactTags(%q): %v", prefix, err)
		return
	}
	filtered := artifactFilter(readTags(t, dir), prefix)
	var names []string
	for _, tag := range filtered {
		names = append(names, tag.Name)
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("setup: the tags of %q in Tags() are %q, want %q", prefix, names, want)
	}
	if fromGit := artifactFilter(gitTags(t, dir), prefix); !slices.Equal(tagLines(filtered), tagLines(fromGit)) {
		t.Errorf("setup: Tags() disagrees with git on the tags of %q:\n  Tags(): %q\n  git:    %q", prefix, tagLines(filtered), tagLines(fromGit))
	}
	if g, w := tagLines(got), tagLines(filtered); !slices.Equal(g, w) {
		t.Errorf("ArtifactTags(%q) returned %d tags:\n  %s\nwant the %d of Tags():\n  %s",
			prefix, len(g), strings.Join(g, "\n  "), len(w), strings.Join(w, "\n  "))
	}
}

// ArtifactTags returns the tags of one artifact, lightweight and annotated, and none of the
// other artifacts'.
func TestArtifactTagsPlainNames(t *testing.T) {
	dir := newRepo(t)
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-01T12:00:00+0530")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	gittest.Git(t, dir, "tag", "churn#prod#1")
	gittest.Git(t, dir, "tag", "-a", "churn#prod!#2", "-m", "Unassigning stage prod")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.1.0+build.7", "-m", "a build\n\nwith a body")
	gittest.Git(t, dir, "tag", "-a", "other@v1.0.0", "-m", "Registering artifact other")
	gittest.Git(t, dir, "tag", "churn") // the artifact's name alone is not one of its tags
	gittest.Git(t, dir, "tag", "release-1")

	assertArtifactTags(t, dir, "churn", "churn@v1.0.0", "churn#prod#1", "churn#prod!#2", "churn@v1.1.0+build.7")
	assertArtifactTags(t, dir, "other", "other@v1.0.0")
}

// An artifact's tags are those of its exact name: a name that starts with another artifact's
// (a-b, ab), or nests under it as a folder (a/b), is another artifact, loose or packed.
func TestArtifactTagsNamesSharingAPrefix(t *testing.T) {
	for _, layout := range []string{"loose", "packed", "packed then loose"} {
		t.Run(layout, func(t *testing.T) {
			dir := newRepo(t)
			names := []string{"a@v1.0.0", "a#prod#1", "a-b@v1.0.0", "a-b#prod#1", "ab#dev#1", "ab@v0.1.0",
				"a/b@v1.0.0", "a/b#prod#1", "a/b/c@v1.0.0", "b/a@v1.0.0", "xa@v1.0.0", "a.b@v1.0.0", "a_b#prod#1"}
			for i, name := range names {
				if i%2 == 0 {
					gittest.Git(t, dir, "tag", "-a", name, "-m", "msg "+name)
				} else {
					gittest.Git(t, dir, "tag", name)
				}
			}
			switch layout {
			case "packed":
				gittest.Git(t, dir, "pack-refs", "--all")
			case "packed then loose":
				gittest.Git(t, dir, "pack-refs", "--all")
				for _, name := range []string{"a@v2.0.0", "a-b@v2.0.0", "ab@v2.0.0", "a/b@v2.0.0"} {
					gittest.Git(t, dir, "tag", "-a", name, "-m", "late "+name)
				}
			}
			late := func(names ...string) []string {
				if layout == "packed then loose" {
					return names
				}
				return nil
			}
			assertArtifactTags(t, dir, "a", append([]string{"a@v1.0.0", "a#prod#1"}, late("a@v2.0.0")...)...)
			assertArtifactTags(t, dir, "a-b", append([]string{"a-b@v1.0.0", "a-b#prod#1"}, late("a-b@v2.0.0")...)...)
			assertArtifactTags(t, dir, "ab", append([]string{"ab#dev#1", "ab@v0.1.0"}, late("ab@v2.0.0")...)...)
			assertArtifactTags(t, dir, "a/b", append([]string{"a/b@v1.0.0", "a/b#prod#1"}, late("a/b@v2.0.0")...)...)
			assertArtifactTags(t, dir, "a/b/c", "a/b/c@v1.0.0")
			assertArtifactTags(t, dir, "b/a", "b/a@v1.0.0")
			assertArtifactTags(t, dir, "b")
			assertArtifactTags(t, dir, "x")
			assertArtifactTags(t, dir, "a.b", "a.b@v1.0.0")
		})
	}
}

// DIR=NAME artifacts, with '/' in the folder and in the name, are told apart from artifacts of
// the same name in another folder and from longer names.
func TestArtifactTagsDirAndNameWithSlashes(t *testing.T) {
	for _, layout := range []string{"loose", "packed"} {
		t.Run(layout, func(t *testing.T) {
			dir := newRepo(t)
			for _, name := range []string{"models/cv=segm@v1.0.0", "models/cv=segm#prod#1", "models/cv=segm/unet@v1.0.0",
				"models/cv=segm/unet#prod#2", "models/cv=segm-2@v1.0.0", "models/cv=seg@v1.0.0", "cv=segm@v1.0.0",
				"models/cv/x=segm@v1.0.0", "models/cv=segm=x@v1.0.0"} {
				gittest.Git(t, dir, "tag", "-a", name, "-m", "msg "+name)
			}
			gittest.Git(t, dir, "tag", "models/cv=segm#staging#1") // lightweight
			if layout == "packed" {
				gittest.Git(t, dir, "pack-refs", "--all")
			}
			assertArtifactTags(t, dir, "models/cv=segm", "models/cv=segm@v1.0.0", "models/cv=segm#prod#1", "models/cv=segm#staging#1")
			assertArtifactTags(t, dir, "models/cv=segm/unet", "models/cv=segm/unet@v1.0.0", "models/cv=segm/unet#prod#2")
			assertArtifactTags(t, dir, "models/cv=seg", "models/cv=seg@v1.0.0")
			assertArtifactTags(t, dir, "cv=segm", "cv=segm@v1.0.0")
			assertArtifactTags(t, dir, "models/cv/x=segm", "models/cv/x=segm@v1.0.0")
			assertArtifactTags(t, dir, "models/cv=segm=x", "models/cv=segm=x@v1.0.0")
			assertArtifactTags(t, dir, "models/cv")
		})
	}
}

// A stage name with '/' puts the tag in a folder named after the artifact and the stage
// (refs/tags/a#team/prod#1): those tags are the artifact's too, loose or packed.
func TestArtifactTagsStageNamesWithSlashes(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "a@v1.0.0", "-m", "Registering")
	gittest.Git(t, dir, "tag", "-a", "a#team/prod#1", "-m", "Assigning stage team/prod")
	gittest.Git(t, dir, "tag", "a#team/prod#2")
	gittest.Git(t, dir, "tag", "a#x/y/z#1")
	gittest.Git(t, dir, "tag", "ab#team/prod#1")
	gittest.Git(t, dir, "tag", "b#team/prod#1")
	if info, err := os.Stat(filepath.Join(dir, ".git", "refs", "tags", "a#team")); err != nil || !info.IsDir() {
		t.Fatalf("setup: refs/tags/a#team is not a folder (%v)", err)
	}
	want := []string{"a@v1.0.0", "a#team/prod#1", "a#team/prod#2", "a#x/y/z#1"}
	assertArtifactTags(t, dir, "a", want...)

	gittest.Git(t, dir, "pack-refs", "--all")
	gittest.Git(t, dir, "tag", "-a", "a#team/dev#1", "-m", "loose beside the packed ones")
	assertArtifactTags(t, dir, "a", append(want, "a#team/dev#1")...)
	assertArtifactTags(t, dir, "ab", "ab#team/prod#1")
}

// Loose refs win over packed ones: a tag moved with git tag -f after pack-refs is read at its
// new target, a packed tag deleted with git tag -d is gone, and new loose tags join the packed
// ones.
func TestArtifactTagsPackedAndLooseRefs(t *testing.T) {
	dir := newRepo(t)
	first := gittest.Git(t, dir, "rev-parse", "HEAD")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering v1.0.0")
	gittest.Git(t, dir, "tag", "-a", "churn@v1.1.0", "-m", "Registering v1.1.0")
	gittest.Git(t, dir, "tag", "churn#prod#1")
	gittest.Git(t, dir, "tag", "-a", "churn#dev#1", "-m", "Assigning dev")
	gittest.Git(t, dir, "tag", "churn#staging#1")
	gittest.Git(t, dir, "tag", "-a", "churn-x@v1.0.0", "-m", "another artifact")
	gittest.Git(t, dir, "pack-refs", "--all")

	second := gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
	t.Setenv("GIT_COMMITTER_NAME", "Mo Mover")
	t.Setenv("GIT_COMMITTER_DATE", "2024-05-01T08:00:00-0300")
	gittest.Git(t, dir, "tag", "-f", "-a", "churn@v1.1.0", "-m", "Moved to the second commit")
	gittest.Git(t, dir, "tag", "-f", "churn#prod#1", second)
	gittest.Git(t, dir, "tag", "-f", "churn#staging#1", "churn@v1.0.0") // lightweight over packed lightweight, now on a tag object
	gittest.Git(t, dir, "tag", "-d", "churn#dev#1")
	gittest.Git(t, dir, "tag", "-a", "churn@v2.0.0", "-m", "Registering v2.0.0")
	gittest.Git(t, dir, "tag", "churn#prod#2")

	packed, err := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"churn@v1.1.0", "churn#prod#1", "churn#staging#1"} {
		if !strings.Contains(string(packed), " refs/tags/"+name+"\n") {
			t.Fatalf("setup: packed-refs lost %s after git tag -f:\n%s", name, packed)
		}
		if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "tags", name)); err != nil {
			t.Fatalf("setup: no loose ref over the packed %s: %v", name, err)
		}
	}
	if strings.Contains(string(packed), "churn#dev#1") {
		t.Fatalf("setup: git tag -d left churn#dev#1 in packed-refs")
	}

	assertArtifactTags(t, dir, "churn", "churn@v1.0.0", "churn@v1.1.0", "churn#prod#1", "churn#staging#1", "churn@v2.0.0", "churn#prod#2")
	tags, err := openRepo(t, dir).ArtifactTags("churn")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]Tag{}
	for _, tag := range tags {
		byName[tag.Name] = tag
	}
	if moved := byName["churn@v1.1.0"]; moved.Commit != second || moved.TaggerName != "Mo Mover" || moved.Message != "Moved to the second commit" {
		t.Errorf("churn@v1.1.0 = %+v, want the loose tag on %s by Mo Mover", moved, second)
	}
	if moved := byName["churn#prod#1"]; moved.Commit != second || moved.Annotated {
		t.Errorf("churn#prod#1 = %+v, want lightweight on %s", moved, second)
	}
	if moved := byName["churn#staging#1"]; moved.Commit != first || !moved.Annotated || moved.Message != "Registering v1.0.0" {
		t.Errorf("churn#staging#1 = %+v, want churn@v1.0.0's tag object", moved)
	}
}

// An artifact without tags has none, and that is no error, whether other tags exist or none at
// all (no refs/tags folder, no packed-refs).
func TestArtifactTagsArtifactWithoutTags(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering")
	gittest.Git(t, dir, "tag", "nothing") // a tag named like the artifact, which is none of its tags
	for _, step := range []string{"loose", "packed", "no tags at all"} {
		switch step {
		case "packed":
			gittest.Git(t, dir, "pack-refs", "--all")
		case "no tags at all":
			gittest.Git(t, dir, "tag", "-d", "churn@v1.0.0", "nothing")
			os.RemoveAll(filepath.Join(dir, ".git", "refs", "tags"))
			os.Remove(filepath.Join(dir, ".git", "packed-refs"))
		}
		for _, prefix := range []string{"nothing", "no/such=thing", "churn@v1.0.0"} {
			tags, err := openRepo(t, dir).ArtifactTags(prefix)
			if err != nil || len(tags) != 0 {
				t.Errorf("%s: ArtifactTags(%q) = %q, %v; want no tags and no error", step, prefix, tagLines(tags), err)
			}
		}
	}
}

// A prefix whose folder is a file (refs/tags/x is a tag, the artifact is x/y) has no tags, and
// that is no error.
func TestArtifactTagsFolderIsAFile(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "x")
	gittest.Git(t, dir, "tag", "-a", "x@v1.0.0", "-m", "Registering")
	for _, prefix := range []string{"x/y", "x/y/z"} {
		assertArtifactTags(t, dir, prefix)
	}
	assertArtifactTags(t, dir, "x", "x@v1.0.0")
}

// A prefix that could name a folder outside refs/tags (with "..", an empty component, a leading
// '/') reads nothing there: no tag has such a name, so the artifact has none, even where the
// folder it would name holds refs with matching names.
func TestArtifactTagsPrefixLeavingRefsTags(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	gittest.Git(t, dir, "branch", "x@v1.0.0")                                     // refs/heads/x@v1.0.0
	gittest.WriteFile(t, filepath.Join(dir, ".git", "x@v1.0.0"), head+"\n")       // $GIT_DIR/x@v1.0.0
	gittest.WriteFile(t, filepath.Join(filepath.Dir(dir), "x@v1.0.0"), head+"\n") // beside the work tree
	gittest.Git(t, dir, "tag", "-a", "a@v1.0.0", "-m", "Registering a")           // refs/tags/a@v1.0.0
	gittest.Git(t, dir, "tag", "-a", "a/b@v1.0.0", "-m", "Registering a/b")       // makes refs/tags/a a folder
	gittest.Git(t, dir, "tag", "-a", "a/b/c#prod#1", "-m", "Assigning a/b/c")     // makes refs/tags/a/b a folder
	prefixes := []string{"../heads/x", "../../x", "../../../x", "a/../a", "a/b/../../a", "./a", "a/./b",
		"/a", "//a", "a//b", "a/", "a/b/", "../tags/a", ".."}
	for _, prefix := range prefixes {
		assertArtifactTags(t, dir, prefix)
	}
	gittest.Git(t, dir, "pack-refs", "--all")
	for _, prefix := range prefixes {
		assertArtifactTags(t, dir, prefix)
	}
	assertArtifactTags(t, dir, "a/b", "a/b@v1.0.0")
}

// ArtifactTags never writes the tag cache: it does not create it, and leaves one that is there
// byte for byte as it was, even when Tags would rewrite it.
func TestArtifactTagsLeavesTheTagCacheAlone(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering")
	gittest.Git(t, dir, "tag", "churn#prod#1")
	path := tagCachePath(t, dir)

	if _, err := openRepo(t, dir).ArtifactTags("churn"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ArtifactTags created the tag cache (stat: %v)", err)
	}

	readTags(t, dir) // writes the cache
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("setup: Tags() wrote no cache: %v", err)
	}
	info, _ := os.Stat(path)
	// More new tags than the cache may miss: Tags would rewrite the cache now.
	var batch strings.Builder
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	for i := range cacheSlack + 5 {
		fmt.Fprintf(&batch, "create refs/tags/churn#dev#%d %s\n", i+1, head)
	}
	gittest.GitInput(t, dir, batch.String(), "update-ref", "--stdin")
	gittest.Git(t, dir, "tag", "-f", "-a", "churn@v1.0.0", "-m", "Moved")

	tags, err := openRepo(t, dir).ArtifactTags("churn")
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != cacheSlack+7 {
		t.Errorf("ArtifactTags returned %d tags, want %d", len(tags), cacheSlack+7)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the tag cache is gone after ArtifactTags: %v", err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("ArtifactTags rewrote the tag cache (%d bytes before, %d after)", len(before), len(after))
	}
	if info2, _ := os.Stat(path); !info2.ModTime().Equal(info.ModTime()) || !os.SameFile(info, info2) {
		t.Errorf("ArtifactTags replaced the tag cache file")
	}
}

// With more tags than directReads, ArtifactTags takes what it can from the tag cache: the
// result is the same with no cache, a current one (from which it reads every tag, objects
// hidden) and a stale one, and the cache is never written.
func TestArtifactTagsManyTagsOfOneArtifact(t *testing.T) {
	dir := newRepo(t)
	head := gittest.Git(t, dir, "rev-parse", "HEAD")
	const annotated, lightweight = directReads/2 + 50, directReads/2 + 50
	var stream strings.Builder
	for i := range annotated {
		msg := fmt.Sprintf("Registering artifact m version v0.0.%d", i)
		fmt.Fprintf(&stream, "tag m@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d +0100\ndata %d\n%s\n",
			i, head, 1700000000+i, len(msg), msg)
	}
	for _, other := range []string{"m-x", "mm", "m/x", "x/m"} { // other artifacts, cached alongside
		for i := range 30 {
			fmt.Fprintf(&stream, "tag %s@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d -0700\ndata 3\nmsg\n", other, i, head, 1700000000+i)
		}
	}
	gittest.GitInput(t, dir, stream.String(), "fast-import", "--quiet")
	var batch strings.Builder
	for i := range lightweight {
		fmt.Fprintf(&batch, "create refs/tags/m#prod#%d %s\n", i, head)
	}
	gittest.GitInput(t, dir, batch.String(), "update-ref", "--stdin")
	gittest.Git(t, dir, "pack-refs", "--all")
	gittest.Git(t, dir, "tag", "-a", "m@v1.0.0", "-m", "loose beside the packed ones")
	path := tagCachePath(t, dir)

	check := func(what string) {
		t.Helper()
		var cacheBefore []byte
		if data, err := os.ReadFile(path); err == nil {
			cacheBefore = data
		}
		got, err := openRepo(t, dir).ArtifactTags("m")
		if err != nil {
			t.Fatalf("%s: ArtifactTags: %v", what, err)
		}
		cacheAfter, err := os.ReadFile(path)
		if cacheBefore == nil && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: ArtifactTags created the tag cache (%v)", what, err)
		}
		if cacheBefore != nil && !bytes.Equal(cacheBefore, cacheAfter) {
			t.Errorf("%s: ArtifactTags changed the tag cache", what)
		}
		want := artifactFilter(readTags(t, dir), "m") // writes the cache
		if len(want) <= directReads {
			t.Fatalf("setup: %d tags of m, want more than %d", len(want), directReads)
		}
		if fromGit := artifactFilter(gitTags(t, dir), "m"); !slices.Equal(tagLines(want), tagLines(fromGit)) {
			t.Errorf("%s: Tags() disagrees with git on the tags of m", what)
		}
		if g, w := tagLines(got), tagLines(want); !slices.Equal(g, w) {
			t.Errorf("%s: ArtifactTags(\"m\") returned %d tags, Tags() has %d of m; differences:", what, len(g), len(w))
			for _, line := range g {
				if !slices.Contains(w, line) {
					t.Errorf("  got:  %s", line)
				}
			}
			for _, line := range w {
				if !slices.Contains(g, line) {
					t.Errorf("  want: %s", line)
				}
			}
		}
	}
	check("no cache")
	check("current cache")

	restore := hideObjects(t, dir)
	warm, err := openRepo(t, dir).ArtifactTags("m")
	restore()
	if err != nil {
		t.Errorf("ArtifactTags with a current cache and the objects hidden: %v (the cache did not answer)", err)
	} else if want := artifactFilter(readTags(t, dir), "m"); !slices.Equal(tagLines(warm), tagLines(want)) {
		t.Errorf("ArtifactTags from the cache differs from Tags(): %d tags, want %d", len(warm), len(want))
	}

	// Stale cache: tags moved (lightweight over annotated and back), deleted and added.
	second := gittest.CommitFile(t, dir, "metrics.txt", "auc 0.9\n", "second")
	batch.Reset()
	for i := range 40 {
		fmt.Fprintf(&batch, "update refs/tags/m@v0.0.%d %s\n", i*7, second)
		fmt.Fprintf(&batch, "update refs/tags/m#prod#%d refs/tags/m@v0.0.%d\n", i*5, i*3+1)
		fmt.Fprintf(&batch, "delete refs/tags/m#prod#%d\n", i*5+2)
		fmt.Fprintf(&batch, "create refs/tags/m#new#%d %s\n", i, second)
	}
	gittest.GitInput(t, dir, batch.String(), "update-ref", "--stdin")
	check("stale cache")
}
