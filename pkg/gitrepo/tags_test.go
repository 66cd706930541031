package gitrepo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// mktag writes a tag object from raw text and points refs/tags/name at it.
func mktag(t *testing.T, dir, name, raw string) {
	t.Helper()
	id := gitInput(t, dir, raw, "hash-object", "-t", "tag", "-w", "--stdin", "--literally")
	gitCmd(t, dir, "update-ref", "refs/tags/"+name, id)
}

func TestTagsAnnotatedAndLightweight(t *testing.T) {
	dir := newRepo(t)
	head := gitCmd(t, dir, "rev-parse", "HEAD")
	t.Setenv("GIT_COMMITTER_NAME", "Tess Tagger")
	t.Setenv("GIT_COMMITTER_EMAIL", "tess@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2024-02-01T09:30:00+0000")
	gitCmd(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	gitCmd(t, dir, "tag", "churn#prod#1")

	tags := tagByName(t, openRepo(t, dir))
	want := Tag{
		Name:        "churn@v1.0.0",
		Annotated:   true,
		Commit:      head,
		PeeledType:  "commit",
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
	wantLight := Tag{Name: "churn#prod#1", Commit: head, PeeledType: "commit"}
	if light != wantLight {
		t.Errorf("lightweight tag = %+v\nwant %+v", light, wantLight)
	}
}

// registryNames are tag names of every shape the registry writes, nested ones included.
var registryNames = []string{"a/b@v0.0.1", "dir=m#prod#3", "m@v1.0.0+b.1", "m#prod!#2", "m@deprecated", "x/y/z#dev#10"}

func TestTagsNestedAndSpecialNamesSorted(t *testing.T) {
	dir := newRepo(t)
	for _, name := range registryNames {
		gitCmd(t, dir, "tag", "-a", name, "-m", "msg "+name)
	}
	gitCmd(t, dir, "branch", "m@v9.9.9") // a branch is not a tag, whatever its name

	got := tagNames(t, openRepo(t, dir))
	want := strings.Split(gitCmd(t, dir, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags/"), "\n")
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
		gitCmd(t, dir, "tag", "-a", name, "-m", "msg "+name)
	}
	gitCmd(t, dir, "tag", "light")
	loose := describeTags(t, openRepo(t, dir))

	gitCmd(t, dir, "pack-refs", "--all")
	if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "tags", "a", "b@v0.0.1")); !os.IsNotExist(err) {
		t.Fatalf("pack-refs left the loose ref behind (stat: %v)", err)
	}
	// One more loose tag beside the packed ones: both stores are read together.
	gitCmd(t, dir, "tag", "-a", "late@v0.0.1", "-m", "late")
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
	gitCmd(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "in India")
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-01T12:00:00-0700")
	gitCmd(t, dir, "tag", "-a", "churn#prod#1", "-m", "in Denver")

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
	head := gitCmd(t, dir, "rev-parse", "HEAD")
	gitCmd(t, dir, "tag", "-a", "inner", "-m", "inner message")
	t.Setenv("GIT_COMMITTER_NAME", "Outer Tagger")
	gitCmd(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "outer message", "inner")
	if typ := gitCmd(t, dir, "cat-file", "-t", "churn@v1.0.0^{tag}^{}"); typ != "commit" {
		t.Fatalf("setup: nested tag peels to %s", typ)
	}
	if target := gitCmd(t, dir, "cat-file", "-p", "churn@v1.0.0"); !strings.Contains(target, "type tag") {
		t.Fatalf("setup: outer tag does not point to a tag object:\n%s", target)
	}

	tag := mustTag(t, tagByName(t, openRepo(t, dir)), "churn@v1.0.0")
	if tag.Commit != head || tag.PeeledType != "commit" || !tag.Annotated {
		t.Errorf("tag of a tag = %+v, want annotated, peeled to commit %s", tag, head)
	}
	if tag.Message != "outer message" || tag.TaggerName != "Outer Tagger" {
		t.Errorf("tag of a tag: message %q by %q, want the outer tag's", tag.Message, tag.TaggerName)
	}
}

func TestTagsOfTreesAndBlobs(t *testing.T) {
	dir := newRepo(t)
	gitCmd(t, dir, "tag", "-a", "tree-annotated", "-m", "a tree", "HEAD^{tree}")
	gitCmd(t, dir, "tag", "tree-light", "HEAD^{tree}")
	gitCmd(t, dir, "tag", "-a", "blob-annotated", "-m", "a blob", "HEAD:artifacts.yaml")
	gitCmd(t, dir, "tag", "blob-light", "HEAD:artifacts.yaml")

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
		if tag.Commit != "" || tag.PeeledType != want.peeled || tag.Annotated != want.annotated {
			t.Errorf("%s = %+v, want Commit \"\", PeeledType %q, Annotated %v", name, tag, want.peeled, want.annotated)
		}
	}
}

func TestTagsMessages(t *testing.T) {
	dir := newRepo(t)
	head := gitCmd(t, dir, "rev-parse", "HEAD")
	header := "object " + head + "\ntype commit\ntag %s\ntagger Tess Tagger <tess@example.com> 1709294400 +0000\n\n"
	raw := func(name, message string) string { return fmt.Sprintf(header, name) + message }

	mktag(t, dir, "pgp", raw("pgp", "Registering artifact churn version v1.0.0\n"+
		"-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"))
	mktag(t, dir, "ssh", raw("ssh", "Assigning stage prod\n\nwith a body\n"+
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ\n-----END SSH SIGNATURE-----\n"))
	mktag(t, dir, "trailing", raw("trailing", "subject\n\nbody line\n\n\n"))
	mktag(t, dir, "latin1", raw("latin1", "caf\xe9 \xff\xfe\n"))
	mktag(t, dir, "empty", raw("empty", ""))
	// A marker that does not start a line is part of the message.
	mktag(t, dir, "quoted", raw("quoted", "see -----BEGIN PGP SIGNATURE----- above\n"))
	mktag(t, dir, "no-tagger", "object "+head+"\ntype commit\ntag no-tagger\n\nold tag\n")

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
	gitCmd(t, dir, "tag", "-a", "good", "-m", "good")
	writeFile(t, filepath.Join(dir, ".git", "refs", "tags", "m", "broken@v1.0.0"), strings.Repeat("ab", 20)+"\n")

	_, err := openRepo(t, dir).Tags()
	if err == nil || !strings.HasPrefix(err.Error(), "reading tag 'm/broken@v1.0.0': ") {
		t.Errorf("Tags() with a ref to a missing object: err = %v, want one naming 'm/broken@v1.0.0'", err)
	}
}

func TestTagsMissingTargetNamesTheTag(t *testing.T) {
	dir := newRepo(t)
	missing := strings.Repeat("cd", 20)
	mktag(t, dir, "m@v1.0.0", "object "+missing+"\ntype commit\ntag m@v1.0.0\n"+
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
	head := gitCmd(t, dir, "rev-parse", "HEAD")
	var stream strings.Builder
	for i := range count {
		msg := fmt.Sprintf("Registering artifact m%d version v0.0.1", i%100)
		fmt.Fprintf(&stream, "tag m%d@v0.0.%d\nfrom %s\ntagger T <t@example.com> %d +0100\ndata %d\n%s\n",
			i%100, i, head, 1700000000+i, len(msg), msg)
	}
	gitInput(t, dir, stream.String(), "fast-import", "--quiet")

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
