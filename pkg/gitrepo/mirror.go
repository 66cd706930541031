package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/git-model/git-model/pkg/internal/object"
	git "github.com/libgit2/git2go/v34"
)

// mirrorHead is where a mirror keeps the remote's HEAD, which its own HEAD points to, so that
// annotations and .gto read "at HEAD" see the remote's default branch.
const mirrorHead = "refs/git-model/head"

// mirrorMarker is the key of a mirror's own config file that marks it as made by git-model,
// with the URL it mirrors as RedactURL prints it. A cache entry without it (a repository that
// someone else put there) is never fetched into.
const mirrorMarker = "gitmodel.mirror"

// MirrorError is a cache entry that git-model refuses to use: a symbolic link, something that is
// not a mirror it made. Nothing in it is read or written.
type MirrorError struct {
	Path   string
	URL    string
	Reason string
}

func (e *MirrorError) Error() string {
	return fmt.Sprintf("the cache entry '%s' %s; remove it to mirror '%s' again", e.Path, e.Reason, RedactURL(e.URL))
}

// OpenMirror opens the bare repository at dir that mirrors the registry of url, creating it
// when needed. With refresh it first fetches the remote's tags that select (a filter on tag
// names) accepts, with the objects they need, and its HEAD, and drops the selected tags the
// remote no longer has; only what changed is transferred. Concurrent refreshes of one mirror
// wait for each other (flock on dir.lock). A cache entry that is a symbolic link, or that is not
// a mirror git-model made for url, is refused and left as it is. A mirror whose first fetch
// failed is removed with its lock file.
func OpenMirror(url, dir string, refresh bool, selected func(string) bool) (*Repository, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache: %w", err)
	}
	lock, err := lockMirror(dir+".lock", url)
	if err != nil {
		return nil, err
	}
	keepLock := false
	defer func() {
		if !keepLock {
			// Removed while locked: a process waiting on this file finds, once it has the
			// lock, that the path names another file or none, and locks again (lockMirror).
			os.Remove(lock.Name())
		}
		lock.Close() // releases the flock
	}()

	info, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !refresh {
			return nil, fmt.Errorf("'%s' is not in the cache yet; drop --offline to fetch it", RedactURL(url))
		}
		r, err := createMirror(url, dir)
		if err == nil {
			err = r.refreshMirror(url, selected)
			if err != nil {
				r.Close()
			}
		}
		if err != nil {
			os.RemoveAll(dir) // never leave an empty mirror that --offline would read
			return nil, err
		}
		keepLock = true
		return r, nil
	case err != nil:
		return nil, fmt.Errorf("opening the cache of '%s': %w", RedactURL(url), err)
	case info.Mode()&fs.ModeSymlink != 0:
		return nil, &MirrorError{Path: dir, URL: url, Reason: "is a symbolic link"}
	case !info.IsDir():
		return nil, &MirrorError{Path: dir, URL: url, Reason: "is not a folder"}
	}
	keepLock = true
	repo, err := git.OpenRepositoryExtended(dir, git.RepositoryOpenNoSearch|git.RepositoryOpenBare, "")
	if err != nil {
		return nil, &MirrorError{Path: dir, URL: url, Reason: "is not a repository"}
	}
	r := &Repository{repo: repo}
	if err := r.checkMirror(dir, url); err != nil {
		r.Close()
		return nil, err
	}
	if refresh {
		if err := r.refreshMirror(url, selected); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// lockMirror takes the flock of a mirror's lock file, created if needed. A symbolic link or
// anything but a regular file there is refused, never followed. Since a lock file is removed
// with its mirror while it is locked, the path is checked once locked to still name the file
// that was locked; if not, the file there now is locked instead.
func lockMirror(path, url string) (*os.File, error) {
	for {
		f, info, err := flockFile(path)
		switch {
		case errors.Is(err, syscall.ELOOP):
			return nil, &MirrorError{Path: path, URL: url, Reason: "is a symbolic link"}
		case errors.Is(err, errLockNotRegular):
			return nil, &MirrorError{Path: path, URL: url, Reason: "is not a regular file"}
		case err != nil:
			return nil, fmt.Errorf("locking the cache: %w", err)
		}
		if now, err := os.Lstat(path); err == nil && os.SameFile(info, now) {
			return f, nil
		}
		f.Close()
	}
}

// createMirror creates the bare repository of a new mirror at dir, which must not exist (a
// symbolic link put there meanwhile makes Mkdir fail rather than be followed), and marks it.
func createMirror(url, dir string) (*Repository, error) {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the cache of '%s': %w", RedactURL(url), err)
	}
	repo, err := git.InitRepository(dir, true)
	if err != nil {
		return nil, fmt.Errorf("creating the cache of '%s': %w", RedactURL(url), err)
	}
	r := &Repository{repo: repo}
	err = func() error {
		cfg, err := r.localConfig()
		if err != nil {
			return err
		}
		defer cfg.Free()
		return cfg.SetString(mirrorMarker, RedactURL(url))
	}()
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("creating the cache of '%s': %w", RedactURL(url), err)
	}
	return r, nil
}

// checkMirror refuses a repository that git-model did not make as the mirror of url.
func (r *Repository) checkMirror(dir, url string) error {
	cfg, err := r.localConfig()
	if err != nil {
		return &MirrorError{Path: dir, URL: url, Reason: "is not a repository"}
	}
	defer cfg.Free()
	marked, err := cfg.LookupString(mirrorMarker)
	switch {
	case err != nil:
		return &MirrorError{Path: dir, URL: url, Reason: "is not a mirror that git-model made"}
	case marked != RedactURL(url):
		return &MirrorError{Path: dir, URL: url, Reason: fmt.Sprintf("mirrors '%s'", RedactURL(marked))}
	}
	return nil
}

// localConfig is the repository's own config file, without the global and system ones.
func (r *Repository) refreshMirror(url string, selected func(string) bool) error {
	remote, err := r.RemoteTags(url)
	if err != nil {
		return err
	}
	local, err := r.TagRefs()
	if err != nil {
		return err
	}
	fetch := func() error {
		refspecs := []string{"+HEAD:" + mirrorHead}
		for name, id := range remote {
			if selected(name) && local[name] != id {
				refspecs = append(refspecs, "+"+tagsPrefix+name+":"+tagsPrefix+name)
			}
		}
		err := r.Fetch(url, refspecs)
		if err != nil && len(refspecs) > 1 && r.Fetch(url, refspecs[1:]) == nil {
			return nil // a remote without commits has no HEAD to fetch: the tags alone
		}
		return err
	}
	err = fetch()
	if err != nil && strings.Contains(err.Error(), "not a committish") {
		// libgit2 1.5 starts a fetch by walking the commits of every local ref and fails on a
		// tag that peels to a tree or a blob: such tags are taken out of the mirror and
		// fetched again (their objects are here already).
		if err := r.dropNonCommitTags(local); err != nil {
			return err
		}
		err = fetch()
	}
	if err != nil {
		return err
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
			return fmt.Errorf("updating the cache of '%s': %w", RedactURL(url), err)
		}
	}
	return nil
}

// dropNonCommitTags deletes the mirror's tags that peel to no commit, and takes them out of
// local (what the mirror holds), so that the refresh fetches them again.
func (r *Repository) dropNonCommitTags(local map[string]string) error {
	tags, err := r.Tags()
	if err != nil {
		return err
	}
	for _, t := range tags {
		if t.PeeledType == object.Commit {
			continue
		}
		if err := r.DeleteTag(t.Name); err != nil {
			return err
		}
		delete(local, t.Name)
	}
	return nil
}
