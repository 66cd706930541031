package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	git "github.com/libgit2/git2go/v34"
)

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

// TagRefs returns what every ref under refs/tags/ points to (tag name → object id), reading no
// object.
func (r *Repository) TagRefs() (map[string]string, error) {
	refs, release, err := r.tagRefs("")
	if err != nil {
		return nil, err
	}
	defer release()
	out := make(map[string]string, len(refs))
	for _, ref := range refs {
		out[strings.Clone(ref.name)] = strings.Clone(ref.target)
	}
	return out, nil
}

// mirrorHead is where a mirror keeps the remote's HEAD, which its own HEAD points to, so that
// annotations and .gto read "at HEAD" see the remote's default branch.
const mirrorHead = "refs/git-model/head"

// OpenMirror opens the bare repository at dir that mirrors the registry of url, creating it
// when needed. With refresh it first fetches the remote's tags that select (a filter on tag
// names) accepts, with the objects they need, and its HEAD, and drops the selected tags the
// remote no longer has; only what changed is transferred. Concurrent refreshes of one mirror
// wait for each other.
func OpenMirror(url, dir string, refresh bool, selected func(string) bool) (*Repository, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache: %w", err)
	}
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking the cache: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("locking the cache: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	var repo *git.Repository
	created := false
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		created = true
		if !refresh {
			return nil, fmt.Errorf("'%s' is not in the cache yet; drop --offline to fetch it", url)
		}
		repo, err = git.InitRepository(dir, true)
		if err != nil {
			return nil, fmt.Errorf("creating the cache of '%s': %w", url, err)
		}
	} else if repo, err = git.OpenRepositoryExtended(dir, git.RepositoryOpenNoSearch|git.RepositoryOpenBare, ""); err != nil {
		return nil, fmt.Errorf("opening the cache of '%s': %w", url, err)
	}
	r := &Repository{repo: repo}
	if refresh {
		if err := r.refreshMirror(url, selected); err != nil {
			r.Close()
			if created {
				os.RemoveAll(dir) // never leave an empty mirror that --offline would read
			}
			return nil, err
		}
	}
	return r, nil
}

func (r *Repository) refreshMirror(url string, selected func(string) bool) error {
	remote, err := r.RemoteTags(url)
	if err != nil {
		return err
	}
	local, err := r.TagRefs()
	if err != nil {
		return err
	}
	refspecs := []string{"+HEAD:" + mirrorHead}
	for name, id := range remote {
		if selected(name) && local[name] != id {
			refspecs = append(refspecs, "+"+tagsPrefix+name+":"+tagsPrefix+name)
		}
	}
	if err := r.Fetch(url, refspecs); err != nil {
		// A remote without commits has no HEAD to fetch: fetch the tags alone.
		if len(refspecs) == 1 || r.Fetch(url, refspecs[1:]) != nil {
			return err
		}
	}
	for name := range local {
		if _, ok := remote[name]; !ok && selected(name) {
			if err := r.DeleteTag(name); err != nil {
				return err
			}
		}
	}
	if ref, err := r.repo.References.Lookup(mirrorHead); err == nil {
		err = r.repo.SetHeadDetached(ref.Target())
		ref.Free()
		if err != nil {
			return fmt.Errorf("updating the cache of '%s': %w", url, err)
		}
	}
	return nil
}
