package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
	git "github.com/libgit2/git2go/v34"
)

// libgit2 reads HOME once, when git2go initialises, and knows nothing of GIT_CONFIG_NOSYSTEM.
// Point its search paths at an empty directory so that neither this machine's /etc/gitconfig
// nor the developer's ~/.gitconfig can change what the tests see; tests that need a global
// config point the global level at their own HOME (scrubEnv).
func TestMain(m *testing.M) {
	empty, err := os.MkdirTemp("", "gitrepo-config-")
	if err != nil {
		panic(err)
	}
	for _, level := range []git.ConfigLevel{git.ConfigLevelSystem, git.ConfigLevelGlobal, git.ConfigLevelXDG} {
		if err := git.SetSearchPath(level, empty); err != nil {
			panic(err)
		}
	}
	code := m.Run()
	os.RemoveAll(empty)
	os.Exit(code)
}

// scrubEnv gives the test a clean git environment (gittest.ScrubEnv) and points libgit2's
// global config directory at its HOME. It returns HOME.
func scrubEnv(t *testing.T) string {
	t.Helper()
	home := gittest.ScrubEnv(t)
	previous, err := git.SearchPath(git.ConfigLevelGlobal)
	if err != nil {
		t.Fatal(err)
	}
	if err := git.SetSearchPath(git.ConfigLevelGlobal, home); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { git.SetSearchPath(git.ConfigLevelGlobal, previous) })
	return home
}

// newRepo scrubs the environment and creates a repository with one commit holding
// artifacts.yaml (gittest.InitRepo); it returns the work tree.
func newRepo(t *testing.T) string {
	t.Helper()
	scrubEnv(t)
	return gittest.InitRepo(t)
}

func openRepo(t *testing.T, dir string) *Repository {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(r.Close)
	return r
}

func realPath(t *testing.T, path string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func assertDirs(t *testing.T, r *Repository, gitDir, workDir string) {
	t.Helper()
	if want := realPath(t, gitDir) + "/"; r.GitDir() != want {
		t.Errorf("GitDir() = %q, want %q", r.GitDir(), want)
	}
	if workDir != "" {
		workDir = realPath(t, workDir)
	}
	if r.WorkDir() != workDir {
		t.Errorf("WorkDir() = %q, want %q", r.WorkDir(), workDir)
	}
}

func tagNames(t *testing.T, r *Repository) []string {
	t.Helper()
	tags, err := r.Tags()
	if err != nil {
		t.Fatalf("Tags(): %v", err)
	}
	var names []string
	for _, tag := range tags {
		names = append(names, tag.Name)
	}
	return names
}

func TestOpenFromWorkTreeAndSubdirectory(t *testing.T) {
	dir := newRepo(t)
	sub := filepath.Join(dir, "models", "cv")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{dir, sub} {
		r := openRepo(t, from)
		assertDirs(t, r, filepath.Join(dir, ".git"), dir)
		if r.IsEmpty() {
			t.Errorf("IsEmpty() = true for a repository with a commit")
		}
	}
}

func TestOpenCurrentDirectory(t *testing.T) {
	dir := newRepo(t)
	t.Chdir(dir)
	r := openRepo(t, "")
	assertDirs(t, r, filepath.Join(dir, ".git"), dir)
}

func TestOpenBare(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	bare := filepath.Join(t.TempDir(), "registry.git")
	gittest.Git(t, dir, "clone", "-q", "--bare", dir, bare)

	r := openRepo(t, bare)
	assertDirs(t, r, bare, "")
	if r.IsEmpty() {
		t.Errorf("IsEmpty() = true for a bare clone with commits")
	}
	if got := tagNames(t, r); len(got) != 1 || got[0] != "churn@v1.0.0" {
		t.Errorf("Tags() in the bare clone = %q, want [churn@v1.0.0]", got)
	}
}

func TestOpenLinkedWorktreeSeesMainTags(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "tag", "-a", "churn@v1.0.0", "-m", "Registering artifact churn version v1.0.0")
	wt := filepath.Join(t.TempDir(), "wt")
	gittest.Git(t, dir, "worktree", "add", "-q", wt)

	r := openRepo(t, wt)
	assertDirs(t, r, filepath.Join(dir, ".git", "worktrees", "wt"), wt)
	if got := tagNames(t, r); len(got) != 1 || got[0] != "churn@v1.0.0" {
		t.Errorf("Tags() from the linked worktree = %q, want [churn@v1.0.0]", got)
	}
}

func TestOpenHonoursGitDir(t *testing.T) {
	here := newRepo(t)
	gittest.Git(t, here, "tag", "here")
	other := filepath.Join(filepath.Dir(here), "other")
	gittest.Git(t, filepath.Dir(other), "init", "-q", other)
	gittest.CommitFile(t, other, "README", "other\n", "other")
	gittest.Git(t, other, "tag", "there")

	for _, gitDir := range []string{filepath.Join(other, ".git"), filepath.Join("..", "other", ".git")} {
		t.Run(gitDir, func(t *testing.T) {
			t.Setenv("GIT_DIR", gitDir)
			r := openRepo(t, here)
			if got := tagNames(t, r); len(got) != 1 || got[0] != "there" {
				t.Errorf("Tags() with GIT_DIR=%s = %q, want [there]", gitDir, got)
			}
			// With GIT_DIR and no GIT_WORK_TREE, git takes the current directory as the top of
			// the work tree.
			assertDirs(t, r, filepath.Join(other, ".git"), gittest.Git(t, here, "rev-parse", "--show-toplevel"))
		})
	}

	t.Run("with GIT_WORK_TREE", func(t *testing.T) {
		t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
		t.Setenv("GIT_WORK_TREE", other)
		r := openRepo(t, here)
		assertDirs(t, r, filepath.Join(other, ".git"), other)
	})

	t.Run("with core.worktree", func(t *testing.T) {
		elsewhere := t.TempDir()
		gittest.Git(t, other, "config", "core.worktree", elsewhere)
		t.Cleanup(func() { gittest.Git(t, other, "config", "--unset", "core.worktree") })
		t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
		r := openRepo(t, here)
		assertDirs(t, r, filepath.Join(other, ".git"), gittest.Git(t, here, "rev-parse", "--show-toplevel"))
		if r.WorkDir() != realPath(t, elsewhere) {
			t.Errorf("WorkDir() = %q, want core.worktree %q", r.WorkDir(), elsewhere)
		}
	})

	t.Run("bare", func(t *testing.T) {
		bare := filepath.Join(t.TempDir(), "bare.git")
		gittest.Git(t, here, "clone", "-q", "--bare", other, bare)
		t.Setenv("GIT_DIR", bare)
		if isBare := gittest.Git(t, here, "rev-parse", "--is-bare-repository"); isBare != "true" {
			t.Fatalf("setup: git says bare = %s", isBare)
		}
		r := openRepo(t, here)
		assertDirs(t, r, bare, "")
	})

	t.Run("not a repository", func(t *testing.T) {
		missing := filepath.Join(here, "nowhere")
		t.Setenv("GIT_DIR", missing)
		_, err := Open(here)
		if !errors.Is(err, ErrNotRepository) {
			t.Fatalf("Open with GIT_DIR=%s: err = %v, want ErrNotRepository", missing, err)
		}
		if want := "not a git repository: '" + missing + "'"; err.Error() != want {
			t.Errorf("error = %q, want %q", err, want)
		}
	})

	t.Run("work tree, not GIT_DIR, names the repository", func(t *testing.T) {
		// The directory that GIT_DIR names is taken as the repository itself, never searched.
		t.Setenv("GIT_DIR", other)
		if _, err := Open(here); !errors.Is(err, ErrNotRepository) {
			t.Errorf("Open with GIT_DIR=<work tree>: err = %v, want ErrNotRepository", err)
		}
	})
}

func TestOpenHonoursGitWorkTreeAlone(t *testing.T) {
	// libgit2's from-environment mode refuses to open anything while GIT_WORK_TREE is set.
	dir := newRepo(t)
	sub := filepath.Join(dir, "models")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	elsewhere := t.TempDir()
	t.Setenv("GIT_WORK_TREE", elsewhere)
	r := openRepo(t, sub)
	assertDirs(t, r, filepath.Join(dir, ".git"), elsewhere)
}

func TestOpenOutsideRepository(t *testing.T) {
	scrubEnv(t)
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(root))

	_, err := Open(dir)
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("Open outside a repository: err = %v, want ErrNotRepository", err)
	}
	if err.Error() != "not a git repository (or any of the parent directories): .git" {
		t.Errorf("error = %q", err)
	}

	// The search that Open does itself when GIT_WORK_TREE is set stops at the ceiling too.
	t.Setenv("GIT_WORK_TREE", dir)
	if _, err := Open(dir); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open outside a repository with GIT_WORK_TREE: err = %v, want ErrNotRepository", err)
	}
}

func TestOpenStopsAtCeilingAboveNestedRepository(t *testing.T) {
	// A ceiling between the start directory and the repository hides the repository, as in git.
	dir := newRepo(t)
	sub := filepath.Join(dir, "models", "cv")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Join(dir, "models"))
	if _, err := Open(sub); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open below a ceiling: err = %v, want ErrNotRepository", err)
	}
}

func TestEmptyRepository(t *testing.T) {
	scrubEnv(t)
	dir := filepath.Join(t.TempDir(), "empty")
	gittest.Git(t, filepath.Dir(dir), "init", "-q", dir)

	r := openRepo(t, dir)
	if !r.IsEmpty() {
		t.Errorf("IsEmpty() = false for a repository without commits")
	}
	tags, err := r.Tags()
	if err != nil || len(tags) != 0 {
		t.Errorf("Tags() = %v, %v; want no tags and no error", tags, err)
	}
	if _, _, err := r.ResolveCommit("HEAD"); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("ResolveCommit(HEAD) in an empty repository: err = %v, want ErrUnknownRevision", err)
	}
}

func TestCloseTwice(t *testing.T) {
	dir := newRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.ConfigValue("core.bare"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	r.Close()
}
