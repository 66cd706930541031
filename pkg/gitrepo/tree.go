package gitrepo

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/git-model/git-model/pkg/internal/object"
	git "github.com/libgit2/git2go/v34"
)

// ReadFile returns the content of the file at path (slash-separated, relative to the root of
// the repository) in the tree of commit (a full 40-hex id). ok is false, with no error, when
// nothing exists at path in that commit. A directory, a submodule or a symbolic link at path
// is an error: the files read this way (artifacts.yaml, .gto, dvc.yaml) are regular files, and
// a link's target is a path, not their content.
func (r *Repository) ReadFile(commit, filePath string) (data []byte, ok bool, err error) {
	id, ok, err := r.FileID(commit, filePath)
	if err != nil || !ok {
		return nil, ok, err
	}
	data, err = r.ReadBlob(id)
	return data, err == nil, err
}

// FileID returns the blob id of the file at path in the tree of commit, so that callers can
// read each distinct content once. ok is false, with no error, when nothing exists at path.
func (r *Repository) FileID(commit, filePath string) (id string, ok bool, err error) {
	oid, err := git.NewOid(commit)
	if err != nil {
		return "", false, fmt.Errorf("invalid commit id '%s'", commit)
	}
	clean := path.Clean("/" + filePath)[1:]
	if clean == "" {
		return "", false, fmt.Errorf("reading '%s' at commit %s: path is a directory", filePath, object.Short(commit))
	}
	fail := func(err error) (string, bool, error) {
		return "", false, fmt.Errorf("reading '%s' at commit %s: %w", clean, object.Short(commit), err)
	}

	c, err := r.repo.LookupCommit(oid)
	if err != nil {
		return fail(err)
	}
	defer c.Free()
	tree, err := c.Tree()
	if err != nil {
		return fail(err)
	}
	defer tree.Free()

	entry, err := tree.EntryByPath(clean)
	if isCode(err, git.ErrorCodeNotFound) {
		return "", false, nil
	}
	if err != nil {
		return fail(err)
	}
	switch entry.Type {
	case git.ObjectBlob:
		if entry.Filemode == git.FilemodeLink {
			return fail(errors.New("path is a symbolic link, not a regular file"))
		}
		return entry.Id.String(), true, nil
	case git.ObjectTree:
		return fail(fmt.Errorf("path is a directory"))
	case git.ObjectCommit:
		return fail(fmt.Errorf("path is a submodule"))
	}
	return fail(fmt.Errorf("unexpected object type '%s'", strings.ToLower(entry.Type.String())))
}

// BlobSize returns the size of a blob, reading only its header.
func (r *Repository) BlobSize(id string) (int64, error) {
	oid, err := git.NewOid(id)
	if err != nil {
		return 0, fmt.Errorf("invalid blob id '%s'", id)
	}
	db, err := r.repo.Odb()
	if err != nil {
		return 0, err
	}
	defer db.Free()
	size, _, err := db.ReadHeader(oid)
	if err != nil {
		return 0, fmt.Errorf("reading blob %s: %w", object.Short(id), err)
	}
	return int64(size), nil
}

// ReadBlob returns the content of a blob.
func (r *Repository) ReadBlob(id string) ([]byte, error) {
	oid, err := git.NewOid(id)
	if err != nil {
		return nil, fmt.Errorf("invalid blob id '%s'", id)
	}
	blob, err := r.repo.LookupBlob(oid)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", object.Short(id), err)
	}
	defer blob.Free()
	return blob.Contents(), nil
}
