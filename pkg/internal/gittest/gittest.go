// Package gittest holds the fixtures that the tests of git-model's Git packages share
// (pkg/gitrepo and the pure packages under pkg/internal): repositories made with the git CLI in
// an environment that no config of the machine or variable of the caller reaches, git's own
// view of their refs and objects, and tags and objects of every kind the Git layer reads.
//
// It is pure Go (no cgo, no libgit2), so that the pure packages' tests can use it; it runs the
// git CLI and fails the test that calls it on any error, so only tests import it. The
// fixtures never go through the Git layer: what it reads is checked against what git reads.
package gittest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// EnvToClear are the variables through which the caller's environment (a developer's shell,
// or a git hook running the tests) could redirect git or libgit2.
var EnvToClear = []string{
	"GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
	"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CEILING_DIRECTORIES", "GIT_NAMESPACE",
	"GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
	"GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "XDG_CONFIG_HOME", "GIT_TEMPLATE_DIR",
}

// ScrubEnv gives the test a clean git environment: the variables of EnvToClear unset, HOME in
// a temporary directory whose .gitconfig makes main the default branch, no system config, and
// fixed identities and dates. It returns HOME.
func ScrubEnv(t testing.TB) string {
	t.Helper()
	for _, name := range EnvToClear {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_AUTHOR_NAME", "Ada Author")
	t.Setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
	t.Setenv("GIT_AUTHOR_DATE", "2024-01-01T10:00:00+0000")
	t.Setenv("GIT_COMMITTER_NAME", "Cy Committer")
	t.Setenv("GIT_COMMITTER_EMAIL", "cy@example.com")
	t.Setenv("GIT_COMMITTER_DATE", "2024-01-01T10:00:00+0000")
	WriteFile(t, filepath.Join(home, ".gitconfig"), "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
	return home
}

// Git runs git in dir and returns its standard output without the final newline.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return GitInput(t, dir, "", args...)
}

// GitInput runs git in dir with stdin as its standard input and returns its standard output
// without the final newline.
func GitInput(t testing.TB, dir, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSuffix(stdout.String(), "\n")
}

// WriteFile writes content to path, making its directory.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// NewRepo scrubs the environment (ScrubEnv) and creates a repository with one commit holding
// artifacts.yaml (InitRepo); it returns the work tree.
func NewRepo(t testing.TB) string {
	t.Helper()
	ScrubEnv(t)
	return InitRepo(t)
}

// InitRepo creates a repository with one commit holding artifacts.yaml, in the environment as
// it is (for callers that scrub it their own way); it returns the work tree.
func InitRepo(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	Git(t, filepath.Dir(dir), "init", "-q", dir)
	CommitFile(t, dir, "artifacts.yaml", "churn:\n  type: model\n", "first")
	return dir
}

// CommitFile writes a file in the work tree and commits it, returning the commit id.
func CommitFile(t testing.TB, dir, name, content, message string) string {
	t.Helper()
	WriteFile(t, filepath.Join(dir, name), content)
	Git(t, dir, "add", name)
	Git(t, dir, "commit", "-q", "-m", message)
	return Git(t, dir, "rev-parse", "HEAD")
}

// CommonDir is the repository's common git directory, as git names it.
func CommonDir(t testing.TB, dir string) string {
	t.Helper()
	return Git(t, dir, "rev-parse", "--path-format=absolute", "--git-common-dir")
}

// ObjectsDir is the object directory of the repository at dir.
func ObjectsDir(t testing.TB, dir string) string {
	t.Helper()
	return filepath.Join(CommonDir(t, dir), "objects")
}

// MustID parses a 40-hex object id, one that git printed or a test's own.
func MustID(t testing.TB, hex string) object.ID {
	t.Helper()
	id, ok := object.ParseID(hex)
	if !ok {
		t.Fatalf("%q is not an object id (40 lowercase hex digits)", hex)
	}
	return id
}

// RefTargets maps each tag name to the object its ref names (40-hex), as git reads it.
func RefTargets(t testing.TB, dir string) map[string]string {
	t.Helper()
	targets := map[string]string{}
	out := Git(t, dir, "for-each-ref", "--format=%(objectname) %(refname:strip=2)", "refs/tags/")
	for _, line := range strings.Split(out, "\n") {
		if id, name, ok := strings.Cut(line, " "); ok {
			targets[name] = id
		}
	}
	return targets
}

// Mktag writes a tag object from raw text and points refs/tags/name at it.
func Mktag(t testing.TB, dir, name, raw string) {
	t.Helper()
	id := GitInput(t, dir, raw, "hash-object", "-t", "tag", "-w", "--stdin", "--literally")
	Git(t, dir, "update-ref", "refs/tags/"+name, id)
}

// RawTag is the text of a tag object named name of the commit, by Tess Tagger
// <tess@example.com> at 1709294400 in zone ("+0100"), with message as it is.
func RawTag(commit, name, zone, message string) string {
	return fmt.Sprintf("object %s\ntype commit\ntag %s\ntagger Tess Tagger <tess@example.com> 1709294400 %s\n\n%s",
		commit, name, zone, message)
}

// AddVariedTags creates one tag of every kind the Git layer distinguishes in the repository
// made by NewRepo: annotated and lightweight tags of commits, trees and blobs, tags of tags,
// several time zones, signed messages, non-UTF-8, empty and whitespace-only messages, and a tag
// object without a tagger.
func AddVariedTags(t testing.TB, dir string) {
	t.Helper()
	head := Git(t, dir, "rev-parse", "HEAD")
	for _, date := range []struct{ name, date string }{
		{"churn@v1.0.0", "2024-03-01T12:00:00+0530"},
		{"churn#prod#1", "2024-03-01T12:00:00-0800"},
		{"churn#dev#2", "2024-03-01T12:00:00+0000"},
		{"churn@v1.0.1", "2024-03-01T12:00:00+1245"},
		{"churn@v1.0.2", "2024-03-01T12:00:00-0930"},
	} {
		t.Setenv("GIT_COMMITTER_DATE", date.date)
		Git(t, dir, "tag", "-a", date.name, "-m", "Registering "+date.name)
	}
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-02T08:00:00+0200")
	t.Setenv("GIT_COMMITTER_NAME", "Zoë Ærøskøbing")
	Git(t, dir, "tag", "-a", "unicode-tagger", "-m", "Zoë tags — ünïcödé")
	t.Setenv("GIT_COMMITTER_NAME", "Cy Committer")
	Git(t, dir, "tag", "light")
	Git(t, dir, "tag", "-a", "tree-annotated", "-m", "a tree", "HEAD^{tree}")
	Git(t, dir, "tag", "tree-light", "HEAD^{tree}")
	Git(t, dir, "tag", "-a", "blob-annotated", "-m", "a blob", "HEAD:artifacts.yaml")
	Git(t, dir, "tag", "blob-light", "HEAD:artifacts.yaml")
	Git(t, dir, "tag", "-a", "inner", "-m", "inner message")
	t.Setenv("GIT_COMMITTER_NAME", "Outer Tagger")
	t.Setenv("GIT_COMMITTER_DATE", "2024-03-02T08:00:00-0300")
	Git(t, dir, "tag", "-a", "outer", "-m", "outer message", "inner")
	Git(t, dir, "tag", "-a", "outermost", "-m", "outermost message", "outer")
	Git(t, dir, "tag", "-a", "tag-of-tree-tag", "-m", "peels to a tree", "tree-annotated")
	Git(t, dir, "tag", "light-to-tag", "inner") // a lightweight ref to a tag object
	t.Setenv("GIT_COMMITTER_NAME", "Cy Committer")

	raw := func(name, message string) string { return RawTag(head, name, "+0100", message) }
	Mktag(t, dir, "pgp", raw("pgp", "Registering artifact churn version v1.0.0\n"+
		"-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"))
	Mktag(t, dir, "ssh", raw("ssh", "Assigning stage prod\n\nwith a body\n"+
		"-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ\n-----END SSH SIGNATURE-----\n"))
	Mktag(t, dir, "x509", raw("x509", "x509 signed\n-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n"))
	Mktag(t, dir, "quoted", raw("quoted", "see -----BEGIN PGP SIGNATURE----- above\n"))
	Mktag(t, dir, "trailing", raw("trailing", "subject\n\nbody line\n\n\n"))
	Mktag(t, dir, "latin1", raw("latin1", "caf\xe9 \xff\xfe\n"))
	Mktag(t, dir, "empty", raw("empty", ""))
	Mktag(t, dir, "newlines-only", raw("newlines-only", "\n\n"))
	Mktag(t, dir, "no-message", strings.TrimSuffix(raw("no-message", ""), "\n"))
	Mktag(t, dir, "no-tagger", "object "+head+"\ntype commit\ntag no-tagger\n\nold tag\n")
	Mktag(t, dir, "no-tagger-tree", "object "+Git(t, dir, "rev-parse", "HEAD^{tree}")+"\ntype tree\ntag no-tagger-tree\n\n")
}

// LooseTag creates, in the repository at dir, one annotated tag, churn@v1.0.0, stored as a
// loose object, and returns the tag object's id, the path of its file and the file's content.
func LooseTag(t testing.TB, dir string) (id object.ID, path string, content []byte) {
	t.Helper()
	Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	id = MustID(t, RefTargets(t, dir)["churn@v1.0.0"])
	path = filepath.Join(ObjectsDir(t, dir), id.String()[:2], id.String()[2:])
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return id, path, content
}

// Deflate compresses data with compress/zlib at level, as git compresses loose objects.
func Deflate(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// PackIndexes returns the index files of the repository's packs.
func PackIndexes(t testing.TB, dir string) []string {
	t.Helper()
	idxs, err := filepath.Glob(filepath.Join(ObjectsDir(t, dir), "pack", "pack-*.idx"))
	if err != nil {
		t.Fatal(err)
	}
	return idxs
}

// PackEntry is one object of a pack as git verify-pack -v lists it.
type PackEntry struct {
	ID             object.ID
	Kind           string
	Packed, Offset int       // the size of the entry in the pack, and where it starts
	Base           object.ID // the delta's base; zero when the object is whole
}

// PackEntries lists the objects of the pack whose index is idx.
func PackEntries(t testing.TB, idx string) []PackEntry {
	t.Helper()
	var entries []PackEntry
	for _, line := range strings.Split(Git(t, filepath.Dir(idx), "verify-pack", "-v", idx), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 || len(f[0]) != object.HexSize || !object.IsHex(f[0]) {
			continue
		}
		e := PackEntry{ID: MustID(t, f[0]), Kind: f[1]}
		var err1, err2 error
		e.Packed, err1 = strconv.Atoi(f[3])
		e.Offset, err2 = strconv.Atoi(f[4])
		if err1 != nil || err2 != nil {
			t.Fatalf("git verify-pack line %q", line)
		}
		if len(f) == 7 {
			e.Base = MustID(t, f[6])
		}
		entries = append(entries, e)
	}
	if len(entries) == 0 {
		t.Fatalf("git verify-pack -v %s listed no object", idx)
	}
	return entries
}

// PackBeside packs the loose objects of the repository at dir, which has one pack, into a
// second pack beside it, and returns the index of each.
func PackBeside(t testing.TB, dir string) (first, second string) {
	t.Helper()
	before := PackIndexes(t, dir)
	Git(t, dir, "repack", "-dq")
	idxs := PackIndexes(t, dir)
	if len(before) != 1 || len(idxs) != 2 {
		t.Fatalf("setup: %d packs, then %d; want 1, then 2", len(before), len(idxs))
	}
	first, second = before[0], idxs[0]
	if second == first {
		second = idxs[1]
	}
	return first, second
}

// Reindex replaces idx, the index of a pack of the repository at dir, with the one git
// index-pack writes with --index-version=version ("1", "2,256"), and returns its content.
func Reindex(t testing.TB, dir, idx, version string) []byte {
	t.Helper()
	rewritten := filepath.Join(t.TempDir(), "rewritten.idx")
	Git(t, dir, "index-pack", "--index-version="+version, "-o", rewritten, strings.TrimSuffix(idx, ".idx")+".pack")
	content, err := os.ReadFile(rewritten)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(idx); err != nil {
		t.Fatal(err)
	}
	WriteFile(t, idx, string(content))
	return content
}

// AssertIndexVersion1 checks that the pack index at idx is version 1 (no "\377tOc" signature).
func AssertIndexVersion1(t testing.TB, idx string) {
	t.Helper()
	head, err := os.ReadFile(idx)
	if err != nil || bytes.HasPrefix(head, []byte("\xfftOc")) {
		t.Fatalf("setup: the index %s is not version 1 (%v)", filepath.Base(idx), err)
	}
}

// OnePack checks that every object of the repository at dir is in a single pack, none loose,
// and returns its index.
func OnePack(t testing.TB, dir string) string {
	t.Helper()
	idxs := PackIndexes(t, dir)
	if len(idxs) != 1 {
		t.Fatalf("setup: %d packs, want 1", len(idxs))
	}
	if count := Git(t, dir, "count-objects"); !strings.HasPrefix(count, "0 objects") {
		t.Fatalf("setup: loose objects left after the repack: %s", count)
	}
	return idxs[0]
}

// NamedTime is a time a test case names.
type NamedTime struct {
	Name string
	When time.Time
}

// NonsenseTaggerTimes are tagger times that no tag object can give (zone offsets of 2^31
// seconds and more, the last second Unix time holds), which a checksummed tag cache written by
// a buggy or future writer, or by hand, may still hold: reading it must not panic.
func NonsenseTaggerTimes() []NamedTime {
	return []NamedTime{
		{"offset of -2^31 seconds", time.Unix(1709294400, 0).In(time.FixedZone("", -1<<31))},
		{"offset of 2^31-1 seconds", time.Unix(1709294400, 0).In(time.FixedZone("", 1<<31-1))},
		{"offset of -2^40 seconds", time.Unix(1709294400, 0).In(time.FixedZone("", -1<<40))},
		{"year 292277026596", time.Unix(1<<63-1, 0)},
	}
}
