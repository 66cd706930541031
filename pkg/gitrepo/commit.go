package gitrepo

/*
#cgo pkg-config: libgit2
#include <stdlib.h>
#include <string.h>
#include <git2.h>

// index_set sets the entry of path in the index file at index_path (made when missing) to the
// blob hex with the given stat data, and writes the file back (through its own lock file and a
// rename). git2go's IndexEntry has no device and inode, without which git would take the entry
// for a changed file until the index is refreshed.
static int index_set(const char *index_path, const char *path, const char *hex, unsigned int mode,
		long long ctime, unsigned int ctime_ns, long long mtime, unsigned int mtime_ns,
		unsigned int dev, unsigned int ino, unsigned int uid, unsigned int gid, unsigned int size) {
	git_index *index = NULL;
	git_index_entry entry;
	int error = git_index_open(&index, index_path);
	if (error < 0)
		return error;
	memset(&entry, 0, sizeof(entry));
	entry.ctime.seconds = (int32_t)ctime;
	entry.ctime.nanoseconds = ctime_ns;
	entry.mtime.seconds = (int32_t)mtime;
	entry.mtime.nanoseconds = mtime_ns;
	entry.dev = dev;
	entry.ino = ino;
	entry.mode = mode;
	entry.uid = uid;
	entry.gid = gid;
	entry.file_size = size;
	entry.path = path;
	error = git_oid_fromstr(&entry.id, hex);
	if (error == 0)
		error = git_index_add(index, &entry);
	if (error == 0)
		error = git_index_write(index);
	git_index_free(index);
	return error;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	git "github.com/libgit2/git2go/v34"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/safefile"
)

// Signature is an identity with the time of what it signs.
type Signature struct {
	Identity
	When time.Time
}

// IndexLock is the index's lock file, taken as git takes it ($GIT_DIR/index.lock, created
// only if it does not exist), from before the work tree's file is written to after the commit
// is made: no other git process changes the index, or commits, in between.
type IndexLock struct {
	r     *Repository
	index string // the index file
	path  string // its lock file
	held  bool
}

// LockIndex takes the index's lock file; it is a *LockError when it exists already. Unlock
// must be called, whatever happens next.
func (r *Repository) LockIndex() (*IndexLock, error) {
	if r.WorkDir() == "" {
		return nil, errors.New("cannot commit in a bare repository")
	}
	index, err := r.repo.Index() // GIT_INDEX_FILE may name another file, as for git
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	indexPath := index.Path()
	index.Free()
	lockPath := indexPath + ".lock"
	f, err := os.OpenFile(lockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, fs.ErrExist) {
		return nil, &LockError{Path: lockPath}
	}
	if err != nil {
		return nil, fmt.Errorf("unable to create '%s': %w", lockPath, unwrapPathError(err))
	}
	f.Close()
	return &IndexLock{r: r, index: indexPath, path: lockPath, held: true}, nil
}

// Unlock removes the lock file, leaving the index as it was, unless CommitFile put it in
// place. It may be called more than once.
func (l *IndexLock) Unlock() {
	if l.held {
		os.Remove(l.path)
		l.held = false
	}
}

// CommitFile commits one file of the work tree, and nothing else, on the current branch, as
// `git commit FILE` does with other changes staged: the new commit's tree is HEAD's with that
// one path set to the file's content, and the index entry of the path is set to it too (with
// the file's stat data, so that `git status` has nothing to say), the rest of the index kept.
// The file is read as ReplaceWorkTreeFile writes it: a regular file, reached through no
// symbolic link. The new index is prepared in the lock file before the commit is made; the
// branch then moves only if it still points to the commit the new one was built on (libgit2
// refuses otherwise), so a concurrent commit is never lost; and the lock file finally replaces
// the index. A failure before the commit leaves the branch and the index as they were. The
// lock is released either way.
func (l *IndexLock) CommitFile(filePath, message string, author, committer Signature) (string, error) {
	defer l.Unlock()
	r := l.r
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("committing '%s': %w", filePath, err)
	}
	f, rel, err := r.openWorkTreeFile(filePath, false)
	if err != nil {
		return fail(err)
	}
	data, err := safefile.ReadAll(f, 0)
	var info fs.FileInfo
	if err == nil {
		info, err = f.Stat()
	}
	f.Close()
	if err != nil {
		return fail(fileError(rel, nil, err))
	}
	blob, err := r.repo.CreateBlobFromBuffer(data)
	if err != nil {
		return fail(err)
	}
	tree, parents, err := r.treeWith(rel, blob)
	if err != nil {
		return fail(err)
	}
	defer tree.Free()
	for _, p := range parents {
		defer p.Free()
	}
	if err := l.prepareIndex(rel, blob, info); err != nil {
		return fail(err)
	}
	id, err := r.repo.CreateCommit("HEAD", toGit(author), toGit(committer), message, tree, parents...)
	if err != nil {
		return fail(err)
	}
	if err := os.Rename(l.path, l.index); err != nil {
		return "", fmt.Errorf("committed %s, but the index could not be updated: %w", object.Short(id.String()), err)
	}
	l.held = false
	return id.String(), nil
}

// treeWith writes the tree of HEAD (none in an empty repository) with the file at filePath set
// to blob, and returns it with the commits the new one will have as parents.
func (r *Repository) treeWith(filePath string, blob *git.Oid) (*git.Tree, []*git.Commit, error) {
	scratch, err := git.NewIndex()
	if err != nil {
		return nil, nil, err
	}
	defer scratch.Free()
	var parents []*git.Commit
	if !r.IsEmpty() {
		head, err := r.repo.Head()
		if err != nil {
			return nil, nil, err
		}
		parent, err := r.repo.LookupCommit(head.Target())
		head.Free()
		if err != nil {
			return nil, nil, err
		}
		parentTree, err := parent.Tree()
		if err == nil {
			err = scratch.ReadTree(parentTree)
			parentTree.Free()
		}
		if err != nil {
			parent.Free()
			return nil, nil, err
		}
		parents = append(parents, parent)
	}
	free := func() {
		for _, p := range parents {
			p.Free()
		}
	}
	if err := scratch.Add(&git.IndexEntry{Path: filePath, Mode: git.FilemodeBlob, Id: blob}); err != nil {
		free()
		return nil, nil, err
	}
	treeID, err := scratch.WriteTreeTo(r.repo)
	if err != nil {
		free()
		return nil, nil, err
	}
	tree, err := r.repo.LookupTree(treeID)
	if err != nil {
		free()
		return nil, nil, err
	}
	return tree, parents, nil
}

// prepareIndex writes into the lock file the index as it is with the entry of filePath set to
// blob and the stat data info. libgit2 writes an index file only through a lock file of its
// own, next to it: the new index is made from a copy in git-model/tmp, then renamed over the
// lock file, which stays in place all along.
func (l *IndexLock) prepareIndex(filePath string, blob *git.Oid, info fs.FileInfo) error {
	dir, err := l.r.tmpDir()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "index-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	old, err := safefile.Open(l.index)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		tmp.Close()
		os.Remove(tmp.Name()) // no index yet: libgit2 starts an empty one
	case err != nil:
		tmp.Close()
		return fmt.Errorf("reading the index: %w", err)
	default:
		_, err = io.Copy(tmp, old)
		old.Close()
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("copying the index: %w", err)
		}
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return errors.New("no stat data for the file")
	}
	cIndex, cPath, cID := C.CString(tmp.Name()), C.CString(filePath), C.CString(blob.String())
	defer func() {
		for _, p := range []*C.char{cIndex, cPath, cID} {
			C.free(unsafe.Pointer(p))
		}
	}()
	ctime, mtime := statTimes(st)
	runtime.LockOSThread() // libgit2 keeps its last error per thread
	defer runtime.UnlockOSThread()
	code := C.index_set(cIndex, cPath, cID, C.uint(git.FilemodeBlob),
		C.longlong(ctime.Unix()), C.uint(ctime.Nanosecond()), C.longlong(mtime.Unix()), C.uint(mtime.Nanosecond()),
		C.uint(st.Dev), C.uint(st.Ino), C.uint(st.Uid), C.uint(st.Gid), C.uint(st.Size))
	if code < 0 {
		return fmt.Errorf("writing the index: %s", lastError(code))
	}
	return os.Rename(tmp.Name(), l.path)
}

// statTimes returns a file's change and modification times.
func statTimes(st *syscall.Stat_t) (ctime, mtime time.Time) {
	return time.Unix(st.Ctim.Unix()), time.Unix(st.Mtim.Unix())
}

func toGit(s Signature) *git.Signature {
	return &git.Signature{Name: s.Name, Email: s.Email, When: s.When}
}

// Tracked reports whether a path of the work tree (slash-separated, from its root) is tracked
// by Git: a file in the index, or a directory that holds one.
func (r *Repository) Tracked(filePath string) (bool, error) {
	index, err := r.repo.Index()
	if err != nil {
		return false, fmt.Errorf("reading the index: %w", err)
	}
	defer index.Free()
	if _, err := index.Find(filePath); err == nil {
		return true, nil
	}
	if _, err := index.FindPrefix(filePath + "/"); err == nil {
		return true, nil
	}
	return false, nil
}
