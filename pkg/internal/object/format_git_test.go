package object_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
)

// These tests check the tag objects the package writes against those git writes. They are
// in package object_test so that they can make their repositories with pkg/internal/gittest,
// which imports this package.

// newRepo creates a repository with one empty commit, in an environment that no config of
// this machine or variable of the caller reaches (gittest.ScrubEnv); it returns the work tree
// and the commit.
func newRepo(t *testing.T) (string, object.ID) {
	t.Helper()
	gittest.ScrubEnv(t)
	dir := filepath.Join(t.TempDir(), "repo")
	gittest.Git(t, t.TempDir(), "init", "-q", dir)
	gittest.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "first")
	return dir, gittest.MustID(t, gittest.Git(t, dir, "rev-parse", "HEAD"))
}

// gitTag has git write the tag object of `git tag -a -m message name` by the tagger at when
// (given to git as "UNIX ZONE"), and returns its bytes.
func gitTag(t *testing.T, dir, name, taggerName, taggerEmail string, unix int64, zone, message string) []byte {
	t.Helper()
	t.Setenv("GIT_COMMITTER_NAME", taggerName)
	t.Setenv("GIT_COMMITTER_EMAIL", taggerEmail)
	t.Setenv("GIT_COMMITTER_DATE", fmt.Sprintf("%d %s", unix, zone))
	gittest.Git(t, dir, "tag", "-a", "-m", message, name)
	// Every tag object git writes ends with a newline, which gittest.Git drops.
	return []byte(gittest.Git(t, dir, "cat-file", "tag", "refs/tags/"+name) + "\n")
}

// TestFormatTagMatchesGit checks FormatTag byte for byte against the tag objects git writes
// for `git tag -a -m`, in several time zones, with messages git cleans up (trailing blanks,
// runs of blank lines, blank lines at either end, CRLF).
func TestFormatTagMatchesGit(t *testing.T) {
	dir, head := newRepo(t)
	zones := []struct {
		text   string
		offset int // seconds east of UTC
	}{
		{"+0530", 5*3600 + 30*60}, {"-0130", -(3600 + 30*60)}, {"+0000", 0}, {"-0800", -8 * 3600},
		{"+1245", 12*3600 + 45*60}, {"-0930", -(9*3600 + 30*60)}, {"+1400", 14 * 3600}, {"-1200", -12 * 3600},
	}
	messages := []string{
		"Registering artifact churn version v1.0.0",
		"Registering artifact churn version v1.0.0\n",
		"subject  \nbody with trailing blanks\t \n",
		"a\n\n\n\nb",
		"a\n  \n\t\n\nb\n\n\n",
		"\n\n\nleading blank lines",
		"trailing blank lines\n\n\n\n",
		"  indented first line\n\tand a tab",
		"crlf\r\nline\r\n\r\n",
		"Zoë tags — ünïcödé",
		"vertical tab \v\nform feed\f \n",
		"see -----BEGIN PGP SIGNATURE----- above",
		"",
		"   \n\t\n",
	}
	taggers := [][2]string{{"Tess Tagger", "tess@example.com"}, {"Zoë Ærøskøbing", "zoe@example.org"}}
	names := []string{"churn@v1.0.%d", "churn#prod#%d", "nested/dir/m@v2.0.%d"}
	unix := int64(1709294400)
	n := 0
	check := func(t *testing.T, name, taggerName, taggerEmail string, when time.Time, zone, message string) {
		t.Helper()
		want := gitTag(t, dir, name, taggerName, taggerEmail, when.Unix(), zone, message)
		got := object.FormatTag(head, name, taggerName, taggerEmail, when, message)
		if !bytes.Equal(got, want) {
			t.Errorf("object.FormatTag(%s, %q, %q, %q, %s, %q)\n = %q\ngit %q", head, name, taggerName, taggerEmail, when, message, got, want)
		}
		// What ParseTag reads from git's object, given back to FormatTag, is git's object.
		parsed := object.ParseTag(bytes.Clone(want), true)
		if again := object.FormatTag(head, name, parsed.TaggerName, parsed.TaggerEmail, parsed.When, parsed.Message); !bytes.Equal(again, want) {
			t.Errorf("FormatTag of what ParseTag read from git's tag object %q = %q", want, again)
		}
	}
	for _, zone := range zones {
		t.Run(zone.text, func(t *testing.T) {
			for i, message := range messages {
				tagger := taggers[i%len(taggers)]
				when := time.Unix(unix+int64(i)*3607, 0)
				n++
				check(t, fmt.Sprintf(names[i%len(names)], n), tagger[0], tagger[1], when.In(time.FixedZone("", zone.offset)), zone.text, message)
				n++
				check(t, fmt.Sprintf(names[i%len(names)], n), tagger[0], tagger[1], when.In(object.Zone(object.ParseZone(zone.text))), zone.text, message)
			}
		})
	}

	// Messages of random blanks, newlines and words, as git cleans them up.
	t.Run("random messages", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 5))
		pieces := []string{"a", "word", "é", " ", " ", "\t", "\r", "\n", "\n", "\n\n", "\v", "-", "<x>"}
		for range 60 {
			var b strings.Builder
			for range rng.IntN(30) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			zone := zones[rng.IntN(len(zones))]
			n++
			check(t, fmt.Sprintf("random@v0.0.%d", n), "Tess Tagger", "tess@example.com",
				time.Unix(unix+rng.Int64N(1e9), 0).In(time.FixedZone("", zone.offset)), zone.text, b.String())
		}
	})

	// git tag also drops the lines that start with the comment character (#) from a message
	// given with -m (its default cleanup, "strip"); FormatTag must drop them too.
	t.Run("comment lines", func(t *testing.T) {
		message := "subject\n# a line git takes for a comment\nbody\n"
		n++
		name := fmt.Sprintf("comment@v0.0.%d", n)
		when := time.Unix(unix, 0).In(time.FixedZone("", 0))
		want := gitTag(t, dir, name, "Tess Tagger", "tess@example.com", unix, "+0000", message)
		if got := object.FormatTag(head, name, "Tess Tagger", "tess@example.com", when, message); !bytes.Equal(got, want) {
			t.Errorf("git tag -a -m drops lines that start with '#', FormatTag must too:\nFormatTag %q\n      git %q", got, want)
		}
	})
}
