package gitrepo

import (
	"errors"
	"fmt"
	"path"
	"sort"
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
	kind, id, err := r.Stat(commit, filePath)
	switch {
	case err != nil:
		return "", false, err
	case kind == PathFolder:
		return "", false, fmt.Errorf("reading '%s' at commit %s: path is a directory", cleanTreePath(filePath), object.Short(commit))
	}
	return id, kind == PathFile, nil
}

// PathKind is what a path names in a commit's tree.
type PathKind int

// The kinds of path Stat tells apart.
const (
	PathMissing PathKind = iota // nothing at the path
	PathFile                    // a regular or executable file: a blob
	PathFolder                  // a folder: a tree
)

// Stat tells what is at path (slash-separated, relative to the root) in the tree of commit: a
// file and its blob id, a folder and its tree id, or nothing. A symbolic link or a submodule is
// an error: its content is a path or another repository, never the bytes asked for.
func (r *Repository) Stat(commit, filePath string) (kind PathKind, id string, err error) {
	oid, err := git.NewOid(commit)
	if err != nil {
		return PathMissing, "", fmt.Errorf("invalid commit id '%s'", commit)
	}
	clean := cleanTreePath(filePath)
	fail := func(err error) (PathKind, string, error) {
		return PathMissing, "", fmt.Errorf("reading '%s' at commit %s: %w", clean, object.Short(commit), err)
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
	if clean == "" {
		return PathFolder, tree.Id().String(), nil
	}

	entry, err := tree.EntryByPath(clean)
	if isCode(err, git.ErrorCodeNotFound) {
		return PathMissing, "", nil
	}
	if err != nil {
		return fail(err)
	}
	if err := checkEntry(entry); err != nil {
		return fail(err)
	}
	if entry.Type == git.ObjectTree {
		return PathFolder, entry.Id.String(), nil
	}
	return PathFile, entry.Id.String(), nil
}

// cleanTreePath cleans a slash-separated path of a tree: no leading slash, "" for the root.
func cleanTreePath(p string) string {
	return path.Clean("/" + p)[1:]
}

// checkEntry accepts the entries whose content is bytes or a folder of them: a regular or
// executable file, a tree.
func checkEntry(entry *git.TreeEntry) error {
	switch entry.Type {
	case git.ObjectBlob:
		if entry.Filemode == git.FilemodeLink {
			return errors.New("path is a symbolic link, not a regular file")
		}
		return nil
	case git.ObjectTree:
		return nil
	case git.ObjectCommit:
		return fmt.Errorf("path is a submodule")
	}
	return fmt.Errorf("unexpected object type '%s'", strings.ToLower(entry.Type.String()))
}

// TreeFile is a file of a folder listed by TreeFiles.
type TreeFile struct {
	Path string // slash-separated, relative to the folder
	ID   string // the blob id
}

// TreeFiles lists the files of the tree id, in every subfolder, sorted by path. A symbolic
// link or a submodule anywhere in it is an error naming it, since the folder could not be
// written out as committed.
func (r *Repository) TreeFiles(id string) ([]TreeFile, error) {
	oid, err := git.NewOid(id)
	if err != nil {
		return nil, fmt.Errorf("invalid tree id '%s'", id)
	}
	tree, err := r.repo.LookupTree(oid)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", object.Short(id), err)
	}
	defer tree.Free()
	var files []TreeFile
	var bad error
	err = tree.Walk(func(dir string, entry *git.TreeEntry) error {
		if err := checkEntry(entry); err != nil {
			bad = fmt.Errorf("'%s%s': %w", dir, entry.Name, err)
			return err
		}
		if entry.Type == git.ObjectBlob {
			files = append(files, TreeFile{Path: dir + entry.Name, ID: entry.Id.String()})
		}
		return nil
	})
	if bad != nil {
		return nil, bad
	}
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", object.Short(id), err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
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
