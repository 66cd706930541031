package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	git "github.com/libgit2/git2go/v34"
)

// Signature is an identity with the time of what it signs.
type Signature struct {
	Identity
	When time.Time
}

// CommitFile commits one file of the work tree, and nothing else, on the current branch:
// the new commit's tree is HEAD's with that one path set to the file's content, whatever else
// is staged. The index entry of the path is updated too, so that `git status` shows the file
// as committed. The branch moves only if it still points to the commit the new one was built
// on (libgit2 refuses otherwise), so a concurrent commit is never lost.
func (r *Repository) CommitFile(filePath, message string, author, committer Signature) (string, error) {
	workDir := r.WorkDir()
	if workDir == "" {
		return "", errors.New("cannot commit in a bare repository")
	}
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("committing '%s': %w", filePath, err)
	}
	data, err := os.ReadFile(filepath.Join(workDir, filepath.FromSlash(filePath)))
	if err != nil {
		return fail(err)
	}
	blob, err := r.repo.CreateBlobFromBuffer(data)
	if err != nil {
		return fail(err)
	}

	scratch, err := git.NewIndex()
	if err != nil {
		return fail(err)
	}
	defer scratch.Free()
	var parents []*git.Commit
	if !r.IsEmpty() {
		head, err := r.repo.Head()
		if err != nil {
			return fail(err)
		}
		parent, err := r.repo.LookupCommit(head.Target())
		head.Free()
		if err != nil {
			return fail(err)
		}
		defer parent.Free()
		parentTree, err := parent.Tree()
		if err != nil {
			return fail(err)
		}
		err = scratch.ReadTree(parentTree)
		parentTree.Free()
		if err != nil {
			return fail(err)
		}
		parents = append(parents, parent)
	}
	entry := &git.IndexEntry{Path: filePath, Mode: git.FilemodeBlob, Id: blob, Size: uint32(len(data))}
	if err := scratch.Add(entry); err != nil {
		return fail(err)
	}
	treeID, err := scratch.WriteTreeTo(r.repo)
	if err != nil {
		return fail(err)
	}
	newTree, err := r.repo.LookupTree(treeID)
	if err != nil {
		return fail(err)
	}
	defer newTree.Free()
	id, err := r.repo.CreateCommit("HEAD", toGit(author), toGit(committer), message, newTree, parents...)
	if err != nil {
		return fail(err)
	}

	index, err := r.repo.Index()
	if err != nil {
		return fail(err)
	}
	defer index.Free()
	if err := index.AddByPath(filePath); err != nil {
		return fail(err)
	}
	if err := index.Write(); err != nil {
		return fail(err)
	}
	return id.String(), nil
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
