package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/parallel"
)

// annotations reads the annotation files of the repository (artifacts.yaml, then DVC's
// dvc.yaml), in the work tree or at a commit, parsing each distinct content once.
type annotations struct {
	repo   *gitrepo.Repository
	index  string                                      // the name of the annotations file
	files  map[string]*annotation.File                 // by blob id, or work-tree path
	dvc    map[string]map[string]annotation.Annotation // likewise
	failed map[string]error                            // files that do not parse, likewise

	keptByName map[string]*keptAnnotations // annotations kept between runs (annotationskept.go)
}

// Annotations returns the reader of annotation files, created once.
func (app *App) Annotations() (*annotations, error) {
	if app.notes != nil {
		return app.notes, nil
	}
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	cfg, _ := app.Config() // a broken .gto is reported where it matters; the default name serves
	index := cfg.Index
	if index == "" {
		index = annotation.FileName
	}
	app.notes = &annotations{repo: repo, index: index, files: map[string]*annotation.File{},
		dvc: map[string]map[string]annotation.Annotation{}, failed: map[string]error{}}
	return app.notes, nil
}

// Lookup returns the annotation of an artifact as committed at commit, or in the work tree
// when commit is "" (HEAD's tree in a bare repository): from artifacts.yaml, else from the
// artifacts: section of dvc.yaml. ok is false when neither names the artifact.
func (n *annotations) Lookup(artifact, commit string) (a annotation.Annotation, ok bool, err error) {
	if err := annotation.CheckFolder(artifact); err != nil {
		return a, false, err
	}
	filePath, key := annotation.FilePath(artifact, n.index)
	f, err := n.file(commit, filePath)
	if err != nil {
		return a, false, err
	}
	if f != nil {
		if a, ok, err = f.Get(key); ok || err != nil {
			return a, ok, err
		}
	}
	dvcPath, key := annotation.FilePath(artifact, annotation.DVCFileName)
	dvc, err := n.dvcFile(commit, dvcPath)
	if err != nil {
		return a, false, err
	}
	a, ok = dvc[key]
	return a, ok, nil
}

// Files names the files that Lookup reads for an artifact, as messages show them:
// "artifacts.yaml or dvc.yaml", with the artifact's folder.
func (n *annotations) Files(artifact string) string {
	index, _ := annotation.FilePath(artifact, n.index)
	dvc, _ := annotation.FilePath(artifact, annotation.DVCFileName)
	return index + " or " + dvc
}

// Names lists the artifacts annotated in the files of the given folders ("" is the root), as
// committed at commit or in the work tree when commit is "" (HEAD's tree in a bare repository),
// in the DIR:NAME form, sorted.
func (n *annotations) Names(commit string, dirs []string) ([]string, error) {
	seen := map[string]bool{}
	var names []string
	for _, dir := range dirs {
		prefix := ""
		if dir != "" {
			prefix = dir + ":"
		}
		f, err := n.file(commit, filepath.ToSlash(filepath.Join(dir, n.index)))
		if err != nil {
			return nil, err
		}
		var found []string
		if f != nil {
			found = f.Names()
		}
		dvc, err := n.dvcFile(commit, filepath.ToSlash(filepath.Join(dir, annotation.DVCFileName)))
		if err != nil {
			return nil, err
		}
		for name := range dvc {
			found = append(found, name)
		}
		for _, name := range found {
			if !seen[prefix+name] {
				seen[prefix+name] = true
				names = append(names, prefix+name)
			}
		}
	}
	sort.Strings(names)
	return names, nil
}

// Prefetch parses, on every core, the annotations files that Lookup of an artifact at each of
// commits will read (artifacts.yaml, or its folder's), so that a listing of a hundred versions
// does not parse a hundred files one after another. The blobs are found and read first, one at
// a time, since the repository is not safe for concurrent use; what fails is left for Lookup
// to report.
func (n *annotations) Prefetch(artifact string, commits []string) {
	if annotation.CheckFolder(artifact) != nil {
		return
	}
	filePath, _ := annotation.FilePath(artifact, n.index)
	type blob struct {
		id   string
		data []byte
		file *annotation.File
		err  error
	}
	var blobs []*blob
	seen := map[string]bool{}
	for _, commit := range commits {
		if commit == "" {
			continue
		}
		id, ok, err := n.repo.FileID(commit, filePath)
		if err != nil || !ok || seen[id] || n.hasKept(artifact, id) {
			continue
		}
		seen[id] = true
		_, parsed := n.files[id]
		_, parsedDVC := n.dvc[id]
		if parsed || parsedDVC {
			continue
		}
		data, err := n.repo.ReadBlob(id)
		if err != nil {
			continue
		}
		blobs = append(blobs, &blob{id: id, data: data})
	}
	parallel.Run(len(blobs), parallel.Workers(len(blobs), 1), func(_, from, to int) {
		for _, b := range blobs[from:to] {
			b.file, b.err = annotation.Parse(filePath, b.data)
		}
	})
	for _, b := range blobs {
		if b.err != nil {
			n.failed[b.id] = b.err
		} else {
			n.files[b.id] = b.file
		}
	}
}

// file returns the parsed annotations file at a path, nil when there is none.
func (n *annotations) file(commit, filePath string) (*annotation.File, error) {
	return parsedOnce(n, n.files, commit, filePath, annotation.Parse)
}

// dvcFile returns the artifacts of the dvc.yaml at a path, nil when there is none.
func (n *annotations) dvcFile(commit, filePath string) (map[string]annotation.Annotation, error) {
	return parsedOnce(n, n.dvc, commit, filePath, annotation.ParseDVC)
}

// parsedOnce reads and parses a file, each distinct content once: parsed results and failures
// are kept by the key of the content.
func parsedOnce[T any](n *annotations, cache map[string]T, commit, filePath string, parse func(string, []byte) (T, error)) (T, error) {
	var zero T
	key, data, err := n.read(commit, filePath)
	if key == "" || err != nil {
		return zero, err
	}
	if v, ok := cache[key]; ok {
		return v, nil
	}
	if err, ok := n.failed[key]; ok {
		return zero, err
	}
	v, err := parse(filePath, data)
	if err != nil {
		n.failed[key] = err
		return zero, err
	}
	cache[key] = v
	return v, nil
}

// read returns the content of a file at a commit (or in the work tree) and a key that
// identifies that content: its blob id, or its work-tree path. The key is "" when there is no
// such file; the content is read only when the key is not in a cache yet.
func (n *annotations) read(commit, filePath string) (key string, data []byte, err error) {
	if commit == "" && n.repo.WorkDir() != "" {
		key = "worktree:" + filePath
		if _, cached := n.files[key]; cached {
			return key, nil, nil
		}
		data, err := n.repo.ReadWorkTreeFile(filePath)
		if err != nil {
			return "", nil, workTreeError(filePath, err)
		}
		return key, data, nil
	}
	if commit == "" {
		if n.repo.IsEmpty() {
			return "", nil, nil
		}
		if commit, _, err = n.repo.ResolveCommit("HEAD"); err != nil {
			return "", nil, nil
		}
	}
	id, ok, err := n.repo.FileID(commit, filePath)
	if err != nil || !ok {
		return "", nil, err
	}
	if _, cached := n.files[id]; cached {
		return id, nil, nil
	}
	if _, cached := n.dvc[id]; cached {
		return id, nil, nil
	}
	data, err = n.repo.ReadBlob(id)
	return id, data, err
}

// annotation returns the annotation of an artifact at a commit ("" for the work tree), or
// none; a file that cannot be read is a warning, once, since reads never fail on annotations.
func (app *App) annotation(artifact, commit string) annotation.Annotation {
	notes, err := app.Annotations()
	if err != nil {
		return annotation.Annotation{}
	}
	a, err := notes.lookupKept(artifact, commit)
	if err != nil {
		app.warnOnce(err)
	}
	return a
}

// unwrapPath drops the path that os errors repeat, since messages name the file already.
func unwrapPath(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// workTreeError is the error of a read of a work-tree file, nil for a file that does not exist
// (the work tree simply has none): a file git-model refuses (outside the work tree, not a
// regular file, too large) is an error of the file's content, which reading commands report as
// a warning; anything else is a failure to read the work tree.
func workTreeError(filePath string, err error) error {
	var refused *gitrepo.FileError
	switch {
	case err == nil || errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.As(err, &refused):
		return err
	}
	return fatalError(fmt.Errorf("reading %s: %w", filePath, unwrapPath(err)))
}
