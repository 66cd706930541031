package gitrepo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/git-model/git-model/pkg/safefile"
)

// The files git-model reads and writes in the work tree (artifacts.yaml in any folder, .gto,
// dvc.yaml) come with the repository, so they are treated as hostile: every read goes through
// openWorkTreeFile and every write through checkNoLinks, which keep it inside the work tree and
// out of the git directory, whatever symbolic links the tree holds; only a regular file of
// bounded size is ever read. Reading follows a symbolic link that stays inside the tree;
// writing and committing follow none.

// FileError is a file of the work tree that git-model refuses to read or write: one outside
// the work tree or inside the git directory, a symbolic link where none is followed, anything
// but a regular file, or a file over the size cap. Its message names the file.
type FileError struct {
	Path string // slash-separated, from the top of the work tree
	msg  string
}

func (e *FileError) Error() string {
	return e.msg
}

// refuse returns a FileError for rel: its name, then why.
func refuse(rel, format string, args ...any) *FileError {
	return &FileError{Path: rel, msg: fmt.Sprintf("'%s' ", rel) + fmt.Sprintf(format, args...)}
}

// fileError words the refusals of safefile (a file that is not regular, or too large) as a
// FileError naming rel; other errors are returned as they are.
func fileError(rel string, info fs.FileInfo, err error) error {
	var tooLarge *safefile.TooLargeError
	switch {
	case errors.As(err, &tooLarge):
		return refuse(rel, "is larger than %d MiB", tooLarge.Max>>20)
	case info != nil && info.IsDir():
		return refuse(rel, "is a directory, not a file")
	case errors.Is(err, safefile.ErrNotRegular) || info != nil && !info.Mode().IsRegular():
		return refuse(rel, "is not a regular file")
	}
	return err
}

// ReadWorkTreeFile returns the content of the file at rel (slash-separated, from the top of
// the work tree), following symbolic links that lead to a file inside the work tree. The error
// wraps fs.ErrNotExist when there is no such file (a dangling link included), and is a
// *FileError for a path outside the work tree or inside the git directory, a link that leads
// there, anything but a regular file, or a file over safefile.MaxSize.
func (r *Repository) ReadWorkTreeFile(rel string) ([]byte, error) {
	return r.readWorkTreeFile(rel, true)
}

// ReadWorkTreeFileToEdit is ReadWorkTreeFile for a file about to be replaced: it follows no
// symbolic link, neither the file nor any folder on its way being one (a *FileError).
func (r *Repository) ReadWorkTreeFileToEdit(rel string) ([]byte, error) {
	return r.readWorkTreeFile(rel, false)
}

func (r *Repository) readWorkTreeFile(rel string, follow bool) ([]byte, error) {
	f, rel, err := r.openWorkTreeFile(rel, follow)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := safefile.ReadAll(f, 0)
	return data, fileError(rel, nil, err)
}

// ReplaceWorkTreeFile replaces the file at rel (or creates it, in a folder that exists) with
// data, atomically: the temporary file is written in the git directory, under git-model/tmp,
// and renamed into place, so that nothing is left in the work tree even by a process killed
// in the middle (in the file's own folder only when the git directory is on another file
// system). Like ReadWorkTreeFileToEdit, it refuses a symbolic link at rel or on its way, and
// anything but a regular file at rel.
func (r *Repository) ReplaceWorkTreeFile(rel string, data []byte) error {
	full, rel, err := r.checkNoLinks(rel)
	if err != nil {
		return err
	}
	info, err := os.Lstat(full)
	if err == nil && !info.Mode().IsRegular() {
		return fileError(rel, info, nil)
	}
	tmpDir, err := r.tmpDir()
	if err != nil {
		return fmt.Errorf("writing '%s': %w", rel, err)
	}
	err = safefile.Replace(full, data, 0o644, tmpDir)
	if errors.Is(err, syscall.EXDEV) {
		err = safefile.Replace(full, data, 0o644, "")
	}
	if err != nil {
		return fmt.Errorf("writing '%s': %w", rel, unwrapPathError(err))
	}
	return nil
}

// tmpDir returns the folder of git-model's temporary files, $GIT_DIR/git-model/tmp, made when
// needed.
func (r *Repository) tmpDir() (string, error) {
	dir := filepath.Join(r.GitDir(), "git-model", "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, nil
}

// OpenWorkTreeFile opens a regular file of the work tree to stream it, whatever its size (a
// model file to hash), following a symbolic link only as ReadWorkTreeFile does.
func (r *Repository) OpenWorkTreeFile(rel string) (*os.File, error) {
	f, _, err := r.openWorkTreeFile(rel, true)
	return f, err
}

// openWorkTreeFile opens the regular file at rel for reading, confined to the work tree and
// kept out of the git directory, without blocking on a FIFO. With follow, symbolic links are
// followed as long as they lead to a place inside the work tree; without, none is. It returns
// the cleaned rel too, for messages.
func (r *Repository) openWorkTreeFile(rel string, follow bool) (*os.File, string, error) {
	var open, full string
	var err error
	if follow {
		full, rel, err = r.checkInTree(rel)
		if err != nil {
			return nil, rel, err
		}
		open, err = r.resolveInTree(full, rel)
	} else {
		full, rel, err = r.checkNoLinks(rel)
		open = rel
	}
	if err != nil {
		return nil, rel, err
	}
	root, err := os.OpenRoot(r.WorkDir())
	if err != nil {
		return nil, rel, err
	}
	defer root.Close()
	// The checks above name the reason; os.Root enforces the confinement, should a folder be
	// swapped for a link in between.
	f, err := safefile.OpenInRoot(root, filepath.FromSlash(open))
	if err != nil {
		info, _ := os.Stat(full)
		return nil, rel, fileError(rel, info, err)
	}
	return f, rel, nil
}

// checkInTree cleans rel and refuses a path that leaves the work tree or enters .git by its
// name alone; it returns the full path too.
func (r *Repository) checkInTree(rel string) (full, clean string, err error) {
	clean = path.Clean(rel)
	if !safefile.InTree(rel) || clean == "." {
		return "", rel, refuse(rel, "is outside the work tree or inside .git")
	}
	if r.WorkDir() == "" {
		return "", clean, errors.New("this operation must be run in a work tree")
	}
	return filepath.Join(r.WorkDir(), filepath.FromSlash(clean)), clean, nil
}

// resolveInTree returns where full, the path of rel, leads once its symbolic links are
// followed, as a path from the top of the work tree; it must be inside the work tree and
// outside the git directory.
func (r *Repository) resolveInTree(full, rel string) (string, error) {
	top, err := filepath.EvalSymlinks(r.WorkDir())
	if err != nil {
		return "", err
	}
	target, err := filepath.EvalSymlinks(full)
	if errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err != nil {
		return rel, nil // a loop of links or a file where a folder should be: opening says so
	}
	inside, ok := within(top, target)
	if !ok {
		return "", refuse(rel, "leads outside the work tree (through a symbolic link)")
	}
	if !safefile.InTree(inside) || r.inGitDir(top, target) {
		return "", refuse(rel, "leads into the git directory (through a symbolic link)")
	}
	return inside, nil
}

// checkNoLinks cleans rel and checks that neither the file nor any folder on its way from the
// top of the work tree is a symbolic link, that every folder exists, and that the file is not
// in the git directory; it returns the full path too. A missing folder is a *FileError that
// names the folder.
func (r *Repository) checkNoLinks(rel string) (full, clean string, err error) {
	full, clean, err = r.checkInTree(rel)
	if err != nil {
		return "", clean, err
	}
	parts := strings.Split(clean, "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		info, err := os.Lstat(filepath.Join(r.WorkDir(), filepath.FromSlash(sub)))
		last := i == len(parts)-1
		switch {
		case last && errors.Is(err, fs.ErrNotExist):
			// a new file
		case errors.Is(err, fs.ErrNotExist):
			return "", clean, &FileError{Path: sub, msg: fmt.Sprintf("folder '%s' does not exist", sub)}
		case err != nil:
			return "", clean, err
		case info.Mode()&fs.ModeSymlink != 0 && last:
			return "", clean, refuse(clean, "is a symbolic link, which git-model does not write through")
		case info.Mode()&fs.ModeSymlink != 0:
			return "", clean, refuse(clean, "is beyond a symbolic link ('%s')", sub)
		case !last && !info.IsDir():
			return "", clean, refuse(sub, "is not a folder")
		}
	}
	top, err := filepath.EvalSymlinks(r.WorkDir())
	if err != nil {
		return "", clean, err
	}
	if r.inGitDir(top, filepath.Join(top, filepath.FromSlash(clean))) {
		return "", clean, refuse(clean, "is inside the git directory")
	}
	return full, clean, nil
}

// inGitDir reports whether target, a path without symbolic links, is inside the repository's
// git directory or common directory (which GIT_DIR may put anywhere, under any name), unless
// the work tree itself, whose top is top, is inside it.
func (r *Repository) inGitDir(top, target string) bool {
	for _, dir := range []string{r.GitDir(), r.CommonDir()} {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			real = filepath.Clean(dir)
		}
		if _, in := within(real, target); in {
			if _, topIn := within(real, top); !topIn {
				return true
			}
		}
	}
	return false
}

// within reports whether target is dir or inside it, and the slash-separated path from dir.
func within(dir, target string) (string, bool) {
	rel, err := filepath.Rel(dir, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// unwrapPathError drops the full path that os errors repeat, since messages name the file.
func unwrapPathError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}
