// Package gitrepo owns every access to a Git repository: finding and opening it the way `git`
// would, reading the tags under refs/tags/, resolving revisions, reading files from commits and
// reading git config. It is the only package that imports git2go (and so the only one built
// with cgo); everything it hands out is plain Go data, so that the registry rules can be tested
// without Git.
package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/git-model/git-model/pkg/internal/gitconfig"
	"github.com/git-model/git-model/pkg/internal/tagcache"
	git "github.com/libgit2/git2go/v34"
)

// ErrNotRepository is returned by Open when no repository is found (cli prints git's own
// "fatal: not a git repository (or any of the parent directories): .git").
var ErrNotRepository = errors.New("not a git repository (or any of the parent directories): .git")

// notRepositoryError reports a GIT_DIR that is not a repository in git's words
// ("not a git repository: '/x'") while still matching ErrNotRepository with errors.Is.
type notRepositoryError struct {
	path string
}

func (e *notRepositoryError) Error() string {
	return fmt.Sprintf("not a git repository: '%s'", e.path)
}

func (e *notRepositoryError) Is(target error) bool {
	return target == ErrNotRepository
}

// Repository is an open Git repository. It is not safe for concurrent use.
type Repository struct {
	repo   *git.Repository
	config *git.Config // loaded on first use, freed by Close

	writing    sync.WaitGroup             // the tag cache being written in the background (Tags), waited for by Close
	readDigest *[tagcache.DigestSize]byte // the digest of the refs the last Tags or TagNames read; nil when libgit2 read them
}

// Open opens the repository that `git` would use from dir ("" = current directory): it searches
// parent directories (stopping at GIT_CEILING_DIRECTORIES and, unless
// GIT_DISCOVERY_ACROSS_FILESYSTEM is set, at file-system boundaries), and handles bare
// repositories and linked worktrees (a .git file).
//
// GIT_DIR (which `git --git-dir=X model` sets) names the repository directly, relative to dir,
// with no search. libgit2 ignores GIT_DIR when it is given a start path and refuses to open
// anything while GIT_WORK_TREE is set, so both are handled here. The work tree follows git's
// rules: GIT_WORK_TREE when set; otherwise, with GIT_DIR set and neither core.worktree nor
// core.bare in the repository's config, dir itself is the top of the work tree. When GIT_DIR,
// GIT_WORK_TREE or GIT_COMMON_DIR is set, libgit2's own handling of GIT_OBJECT_DIRECTORY,
// GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_INDEX_FILE and GIT_NAMESPACE is not available: the object
// directories are then added to the object database here (a server hook runs with GIT_DIR set and
// the pushed objects in the quarantine directory GIT_OBJECT_DIRECTORY names); the index and the
// namespace are ignored.
func Open(dir string) (*Repository, error) {
	ownerValidationOff()
	extensionsAllowed()
	base, err := absDir(dir)
	if err != nil {
		return nil, err
	}
	gitDir := os.Getenv("GIT_DIR")
	workTree := os.Getenv("GIT_WORK_TREE")

	var repo *git.Repository
	switch {
	case gitDir != "":
		path := gitDir
		if !filepath.IsAbs(path) {
			path = filepath.Join(base, path)
		}
		repo, err = git.OpenRepositoryExtended(path, git.RepositoryOpenNoSearch|git.RepositoryOpenNoDotGit, "")
		if isCode(err, git.ErrorCodeNotFound) {
			return nil, &notRepositoryError{path: gitDir}
		}
	case workTree != "" || os.Getenv("GIT_COMMON_DIR") != "":
		// libgit2's from-environment mode errors out on these variables, so search the way it
		// would have, with the environment's ceiling and file-system settings.
		var flags git.RepositoryOpenFlag
		if across, _ := gitconfig.ParseBool(os.Getenv("GIT_DISCOVERY_ACROSS_FILESYSTEM")); across {
			flags |= git.RepositoryOpenCrossFs
		}
		repo, err = git.OpenRepositoryExtended(base, flags, os.Getenv("GIT_CEILING_DIRECTORIES"))
	default:
		repo, err = git.OpenRepositoryExtended(base, git.RepositoryOpenFromEnv, "")
	}
	if isCode(err, git.ErrorCodeNotFound) {
		return nil, ErrNotRepository
	}
	if err != nil {
		return nil, fmt.Errorf("opening repository: %w", err)
	}

	r := &Repository{repo: repo}
	if err := r.checkFormat(); err != nil {
		r.Close()
		return nil, err
	}
	if gitDir != "" || workTree != "" || os.Getenv("GIT_COMMON_DIR") != "" {
		if err := r.addEnvObjectDirs(); err != nil {
			r.Close()
			return nil, err
		}
	}
	if err := r.applyWorkTree(base, gitDir, workTree); err != nil {
		r.Close()
		return nil, err
	}
	if gitDir == "" { // as git, trust a repository named by GIT_DIR, check one that was found
		if err := r.checkOwnership(); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// addEnvObjectDirs adds the object directories of GIT_OBJECT_DIRECTORY and
// GIT_ALTERNATE_OBJECT_DIRECTORIES (colon-separated) to the object database, loose objects and
// packs, as git reads them; the repository's own objects directory is there already.
func (r *Repository) addEnvObjectDirs() error {
	dirs := filepath.SplitList(os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES"))
	if dir := os.Getenv("GIT_OBJECT_DIRECTORY"); dir != "" {
		dirs = append([]string{dir}, dirs...)
	}
	if len(dirs) == 0 {
		return nil
	}
	db, err := r.repo.Odb()
	if err != nil {
		return fmt.Errorf("opening the object database: %w", err)
	}
	defer db.Free()
	own, _ := filepath.EvalSymlinks(filepath.Join(r.CommonDir(), "objects"))
	for _, dir := range dirs {
		if real, err := filepath.EvalSymlinks(dir); err != nil || real == own {
			continue
		}
		loose, err := git.NewOdbBackendLoose(dir, -1, false, 0, 0)
		if err != nil {
			return fmt.Errorf("reading objects in '%s': %w", dir, err)
		}
		if err := db.AddAlternate(loose, 3); err != nil {
			return fmt.Errorf("reading objects in '%s': %w", dir, err)
		}
		idx, _ := filepath.Glob(filepath.Join(dir, "pack", "*.idx"))
		for _, file := range idx {
			pack, err := git.NewOdbBackendOnePack(file)
			if err != nil {
				return fmt.Errorf("reading objects in '%s': %w", file, err)
			}
			if err := db.AddAlternate(pack, 3); err != nil {
				return fmt.Errorf("reading objects in '%s': %w", file, err)
			}
		}
	}
	return nil
}

// checkOwnership is checkOwnership for the repository's own paths.
func (r *Repository) checkOwnership() error {
	workTree, gitFile := r.WorkDir(), ""
	if workTree != "" {
		if info, err := os.Lstat(filepath.Join(workTree, ".git")); err == nil && info.Mode().IsRegular() {
			gitFile = filepath.Join(workTree, ".git")
		}
	}
	return checkOwnership(gitFile, workTree, filepath.Clean(r.GitDir()))
}

// applyWorkTree sets the work tree when the environment decides it rather than the repository.
func (r *Repository) applyWorkTree(base, gitDir, workTree string) error {
	if workTree == "" && gitDir != "" && !r.repo.IsBare() {
		configured, err := r.hasConfig("core.worktree")
		if err != nil {
			return err
		}
		if !configured {
			workTree = base
		}
	}
	if workTree == "" {
		return nil
	}
	if !filepath.IsAbs(workTree) {
		workTree = filepath.Join(base, workTree)
	}
	if err := r.repo.SetWorkdir(workTree, false); err != nil {
		return fmt.Errorf("setting work tree '%s': %w", workTree, err)
	}
	return nil
}

func (r *Repository) hasConfig(key string) (bool, error) {
	_, ok, err := r.ConfigValue(key)
	return ok, err
}

// Close frees the repository. The Repository must not be used afterwards; calling Close again
// does nothing.
func (r *Repository) Close() {
	r.writing.Wait()
	if r.config != nil {
		r.config.Free()
		r.config = nil
	}
	if r.repo != nil {
		r.repo.Free()
		r.repo = nil
	}
}

// GitDir returns the absolute path of the repository's git directory, with a trailing slash as
// libgit2 reports it: /x/.git/ for a work tree, the directory itself for a bare repository, and
// the worktree's own directory (/x/.git/worktrees/name/) for a linked worktree.
func (r *Repository) GitDir() string {
	return r.repo.Path()
}

// CommonDir returns the git directory that all worktrees share (where refs/tags lives): the
// one a linked worktree's "commondir" file names, else GitDir.
func (r *Repository) CommonDir() string {
	dir := r.GitDir()
	data, err := os.ReadFile(filepath.Join(dir, "commondir"))
	if err != nil {
		return filepath.Clean(dir)
	}
	common := strings.TrimSpace(string(data))
	if !filepath.IsAbs(common) {
		common = filepath.Join(dir, common)
	}
	return filepath.Clean(common)
}

// WorkDir returns the absolute path of the top of the work tree, without a trailing slash, or ""
// for a bare repository.
func (r *Repository) WorkDir() string {
	dir := r.repo.Workdir()
	if dir == "" {
		return ""
	}
	return filepath.Clean(dir)
}

// IsEmpty reports whether the repository has no commits yet: HEAD names a branch that does not
// exist. A HEAD that cannot be read at all is not reported as empty; the next read reports it.
func (r *Repository) IsEmpty() bool {
	unborn, err := r.repo.IsHeadUnborn()
	return err == nil && unborn
}

func absDir(dir string) (string, error) {
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("reading current directory: %w", err)
		}
		return wd, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolving '%s': %w", dir, err)
	}
	return abs, nil
}

// isCode reports whether err is a libgit2 error with the given code.
func isCode(err error, code git.ErrorCode) bool {
	var gitErr *git.GitError
	return errors.As(err, &gitErr) && gitErr.Code == code
}

// Init creates a repository with a work tree in dir, its HEAD on branch, and opens it. Unlike
// Open it reads no GIT_DIR nor GIT_WORK_TREE: the repository is the one just made in dir.
func Init(dir, branch string) (*Repository, error) {
	ownerValidationOff()
	repo, err := git.InitRepository(dir, false)
	if err != nil {
		return nil, fmt.Errorf("creating a repository in %s: %w", dir, err)
	}
	// HEAD names the branch whatever init.defaultBranch says, so that what is made is the same
	// on every machine.
	ref, err := repo.References.CreateSymbolic("HEAD", "refs/heads/"+branch, true, "")
	if err != nil {
		repo.Free()
		return nil, fmt.Errorf("creating a repository in %s: %w", dir, err)
	}
	ref.Free()
	return &Repository{repo: repo}, nil
}
