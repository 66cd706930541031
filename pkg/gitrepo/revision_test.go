package gitrepo

import (
	"errors"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

func TestResolveCommit(t *testing.T) {
	dir := newRepo(t)
	first := gittest.Git(t, dir, "rev-parse", "HEAD")
	t.Setenv("GIT_COMMITTER_DATE", "2024-05-02T08:15:00+0200")
	second := gittest.CommitFile(t, dir, "model.pt", "weights\n", "second")
	gittest.Git(t, dir, "branch", "feature", first)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering", first)
	gittest.Git(t, dir, "tag", "light", second)
	r := openRepo(t, dir)

	firstWhen := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	secondWhen := time.Date(2024, 5, 2, 6, 15, 0, 0, time.UTC)
	for _, tc := range []struct {
		rev  string
		id   string
		when time.Time
	}{
		{"HEAD", second, secondWhen},
		{"main", second, secondWhen},
		{"feature", first, firstWhen},
		{"refs/heads/feature", first, firstWhen},
		{"churn@v1.0.0", first, firstWhen},
		{"light", second, secondWhen},
		{"HEAD~1", first, firstWhen},
		{"main^", first, firstWhen},
		{first[:7], first, firstWhen},
		{second, second, secondWhen},
	} {
		id, when, err := r.ResolveCommit(tc.rev)
		if err != nil {
			t.Errorf("ResolveCommit(%q): %v", tc.rev, err)
			continue
		}
		if id != tc.id || !when.Equal(tc.when) {
			t.Errorf("ResolveCommit(%q) = %s %v, want %s %v", tc.rev, id, when, tc.id, tc.when)
		}
	}

	// The committer's own time zone is kept.
	_, when, err := r.ResolveCommit("HEAD")
	if _, offset := when.Zone(); err != nil || offset != 2*3600 {
		t.Errorf("ResolveCommit(HEAD) time %v (err %v), want offset +02:00", when, err)
	}
}

func TestResolveCommitUnknown(t *testing.T) {
	dir := newRepo(t)
	r := openRepo(t, dir)
	for _, rev := range []string{"nope", "HEAD~5", "deadbeef", "", "a..b..c", "m@v9.9.9"} {
		_, _, err := r.ResolveCommit(rev)
		if !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("ResolveCommit(%q): err = %v, want ErrUnknownRevision", rev, err)
			continue
		}
		if want := "unknown revision '" + rev + "'"; err.Error() != want {
			t.Errorf("ResolveCommit(%q): error %q, want %q", rev, err, want)
		}
	}
}

func TestResolveCommitNotACommit(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "blob-tag", "-m", "a blob", "HEAD:artifacts.yaml")
	r := openRepo(t, dir)
	for rev, kind := range map[string]string{
		"HEAD:artifacts.yaml": "blob",
		"blob-tag":            "blob",
		"HEAD^{tree}":         "tree",
	} {
		_, _, err := r.ResolveCommit(rev)
		if err == nil || errors.Is(err, ErrUnknownRevision) {
			t.Errorf("ResolveCommit(%q): err = %v, want a not-a-commit error", rev, err)
			continue
		}
		if want := "revision '" + rev + "' is a " + kind + ", not a commit"; err.Error() != want {
			t.Errorf("ResolveCommit(%q): error %q, want %q", rev, err, want)
		}
	}
}

func TestResolveCommitPrefersTagOverBranch(t *testing.T) {
	// A tag and a branch of one name resolve as in git: refs/tags/ comes before refs/heads/.
	dir := newRepo(t)
	gittest.Git(t, dir, "branch", "same")
	second := gittest.CommitFile(t, dir, "b", "b\n", "second")
	gittest.Git(t, dir, "tag", "same", second)
	id, _, err := openRepo(t, dir).ResolveCommit("same")
	if want := gittest.Git(t, dir, "rev-parse", "--verify", "-q", "same^{commit}"); err != nil || id != want || id != second {
		t.Errorf("ResolveCommit(same) = %s, %v; want %s as git resolves it", id, err, want)
	}
}
