package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/fetch"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

const annotateShort = "Annotate an artifact: its path, type, description and labels"

const annotateLong = `Write the annotation of NAME in artifacts.yaml at the root of the work tree (DIR/artifacts.yaml
for DIR:NAME), creating the file or the entry when needed. Only the lines that change are
touched: comments, blank lines, key order and other artifacts stay as they were. The file is
replaced atomically. The command does not commit, unless --commit.

Labels are added to those the artifact has (--remove-label takes some away). A type must be
one of those .gto or model.types allow. --must-exist requires PATH to be tracked by Git and sets
virtual: false; a path given without it is virtual (outside Git), as in GTO.

--checksum sha256:HEX records the digest of the artifact's file under custom.checksum, where
GTO keeps custom data (GTO still reads the file); 'git model get' then checks every byte it
writes against it. --checksum alone computes the sha256 of the file at PATH in the work tree.`

type annotateCommand struct {
	app          *App
	Path         string   `long:"path" value-name:"PATH" description:"Where the artifact's file lives: a path in the repository or a URL such as s3://bucket/model.pt"`
	Type         string   `long:"type" value-name:"TYPE" description:"The artifact's type, such as model or dataset"`
	Description  string   `long:"description" value-name:"TEXT" description:"A description of the artifact"`
	Labels       []string `long:"label" value-name:"LABEL" description:"Add a label (repeatable)"`
	RemoveLabels []string `long:"remove-label" value-name:"LABEL" description:"Remove a label (repeatable)"`
	Custom       []string `long:"custom" value-name:"KEY=VALUE" description:"Set a custom field (repeatable)"`
	MustExist    bool     `long:"must-exist" description:"PATH must be tracked by Git (sets virtual: false)"`
	Checksum     string   `long:"checksum" value-name:"sha256:HEX" optional:"yes" optional-value:"-" description:"Record the digest of the artifact's file as custom.checksum, which 'get' verifies; alone, compute it from the file at PATH in the work tree"`
	Commit       bool     `long:"commit" description:"Commit the annotations file, and nothing else"`
	Args         struct {
		Name artifactArg `positional-arg-name:"NAME" required:"yes"`
	} `positional-args:"yes"`
}

func (c *annotateCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	edit, err := c.edit()
	if err != nil {
		return err
	}
	return c.app.editAnnotations(string(c.Args.Name), c.Commit, fmt.Sprintf("Annotate artifact '%s'", c.Args.Name),
		func(f *annotation.File, key string) (*annotation.File, error) {
			if c.MustExist {
				if err := c.checkTracked(f, key); err != nil {
					return nil, err
				}
			}
			if c.Checksum == "-" {
				sum, err := c.computeChecksum(f, key)
				if err != nil {
					return nil, err
				}
				edit.Custom = append(edit.Custom, annotation.KeyValue{Key: "checksum", Value: sum})
			}
			// As in GTO, a path given without --must-exist is virtual: say so only where the
			// file says otherwise, since virtual is the default.
			if a, ok, err := f.Get(key); err == nil && ok && !a.Virtual && c.Path != "" && !c.MustExist {
				virtual := true
				edit.Virtual = &virtual
			}
			return f.Apply(key, edit)
		})
}

// edit checks the options and turns them into an edit of the annotation.
func (c *annotateCommand) edit() (annotation.Edit, error) {
	var e annotation.Edit
	if err := registry.ValidateArtifactName(string(c.Args.Name)); err != nil {
		return e, userError("%v", err)
	}
	if c.Type != "" {
		if err := registry.ValidateName("type", c.Type); err != nil {
			return e, userError("%v", err)
		}
		cfg, err := c.app.Config()
		if err != nil {
			return e, err
		}
		if err := cfg.CheckType(c.Type); err != nil {
			return e, userError("%v", err)
		}
		e.Type = &c.Type
	}
	for _, l := range append(append([]string{}, c.Labels...), c.RemoveLabels...) {
		if err := registry.ValidateName("label", l); err != nil {
			return e, userError("%v", err)
		}
	}
	for _, l := range c.Labels {
		if slices.Contains(c.RemoveLabels, l) {
			return e, usageError(fmt.Errorf("label '%s' is both added and removed", l))
		}
	}
	e.AddLabels, e.RemoveLabels = c.Labels, c.RemoveLabels
	for _, kv := range c.Custom {
		key, value, found := strings.Cut(kv, "=")
		if !found {
			return e, usageError(fmt.Errorf("--custom takes KEY=VALUE, not '%s'", kv))
		}
		if err := registry.ValidateName("custom key", key); err != nil {
			return e, userError("%v", err)
		}
		e.Custom = append(e.Custom, annotation.KeyValue{Key: key, Value: value})
	}
	if c.Checksum != "" && c.Checksum != "-" {
		d, err := fetch.ParseDigest(strings.ToLower(c.Checksum))
		if err != nil {
			return e, usageError(fmt.Errorf("--checksum takes sha256:HEX (or no value, to compute it): %v", err))
		}
		e.Custom = append(e.Custom, annotation.KeyValue{Key: "checksum", Value: d.String()})
	}
	if c.Path != "" {
		e.Path = &c.Path
	}
	if c.Description != "" {
		e.Description = &c.Description
	}
	if c.MustExist {
		virtual := false
		e.Virtual = &virtual
	}
	return e, nil
}

// repoPath is the path, given or already annotated, in the work tree, for an option that
// needs one. A path in DIR/artifacts.yaml is relative to DIR, as DVC's paths are to dvc.yaml.
// It returns the path as written and as a path from the top of the work tree.
func (c *annotateCommand) repoPath(f *annotation.File, key, option string) (given, full string, err error) {
	given = c.Path
	if given == "" {
		a, _, err := f.Get(key)
		if err != nil {
			return "", "", err
		}
		given = a.Path
	}
	if given == "" {
		return "", "", usageError(fmt.Errorf("%s needs a path (--path)", option))
	}
	if strings.Contains(given, "://") {
		return "", "", userError("%s needs a path in the repository, not the URL '%s'", option, fetch.RedactURL(given))
	}
	dir, _ := registry.SplitArtifactName(string(c.Args.Name))
	return given, path.Clean(path.Join(dir, given)), nil
}

// computeChecksum returns the sha256 of the file at the artifact's path in the work tree.
func (c *annotateCommand) computeChecksum(f *annotation.File, key string) (string, error) {
	_, p, err := c.repoPath(f, key, "--checksum without a value")
	if err != nil {
		return "", err
	}
	repo, err := c.app.Repo()
	if err != nil {
		return "", err
	}
	file, err := repo.OpenWorkTreeFile(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", userError("--checksum: no file '%s' in the work tree (give --checksum sha256:HEX)", p)
		}
		return "", refusal(err)
	}
	defer file.Close()
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return "", fatalError(fmt.Errorf("reading '%s': %w", p, err))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// checkTracked requires the path (given, or already annotated) to be tracked by Git.
func (c *annotateCommand) checkTracked(f *annotation.File, key string) error {
	given, p, err := c.repoPath(f, key, "--must-exist")
	if err != nil {
		return err
	}
	repo, err := c.app.Repo()
	if err != nil {
		return err
	}
	tracked, err := repo.Tracked(p)
	if err != nil {
		return fatalError(err)
	}
	if !tracked {
		return userError("path '%s' is not tracked by Git (git add it first, or drop --must-exist)", given)
	}
	return nil
}

// editAnnotations reads the work tree's annotations file of an artifact, edits it, writes it
// back atomically when it changed, and commits it when asked.
func (app *App) editAnnotations(name string, commit bool, message string, edit func(*annotation.File, string) (*annotation.File, error)) error {
	if err := registry.ValidateArtifactName(name); err != nil {
		return userError("%v", err)
	}
	if err := annotation.CheckFolder(name); err != nil {
		return userError("%v", err)
	}
	repo, err := app.writableRepo()
	if err != nil {
		return err
	}
	if repo.WorkDir() == "" {
		return fatalError(errors.New("this operation must be run in a work tree"))
	}
	if _, err := app.Config(); err != nil {
		return err // the file name and the allow-lists come from it
	}
	notes, err := app.Annotations()
	if err != nil {
		return err
	}
	filePath, key := annotation.FilePath(name, notes.index)
	var lock *gitrepo.IndexLock
	if commit { // as git commit does, before anything changes
		if lock, err = repo.LockIndex(); err != nil {
			return fatalError(err)
		}
		defer lock.Unlock()
	}
	data, err := repo.ReadWorkTreeFileToEdit(filePath)
	if err := workTreeError(filePath, err); err != nil {
		return refusal(err)
	}
	f, err := annotation.Parse(filePath, data)
	if err != nil {
		return userError("%v", err)
	}
	edited, err := edit(f, key)
	if err != nil {
		var exit *exitError
		if errors.As(err, &exit) {
			return err
		}
		return userError("%v", err)
	}
	if string(edited.Bytes()) != string(data) {
		if err := repo.ReplaceWorkTreeFile(filePath, edited.Bytes()); err != nil {
			return refusal(err)
		}
		fmt.Fprintf(app.Stdout, "Updated %s\n", filePath)
	} else if !commit || app.committed(filePath, data) {
		fmt.Fprintf(app.Stdout, "%s already says so; nothing to change\n", filePath)
		return nil
	}
	if !commit {
		return nil
	}
	return app.commitFile(lock, filePath, message)
}

// refusal is the error of a work-tree file that git-model refuses to read or write (a symbolic
// link, not a regular file, too large, outside the work tree): the user's to fix (exit 1).
// Any other failure is fatal.
func refusal(err error) error {
	var refused *gitrepo.FileError
	var exit *exitError
	switch {
	case errors.As(err, &refused):
		return userError("%v", err)
	case errors.As(err, &exit):
		return err
	}
	return fatalError(err)
}

// committed reports whether HEAD holds a file with exactly this content.
func (app *App) committed(filePath string, data []byte) bool {
	repo, err := app.Repo()
	if err != nil || repo.IsEmpty() {
		return false
	}
	head, _, err := repo.ResolveCommit("HEAD")
	if err != nil {
		return false
	}
	old, ok, err := repo.ReadFile(head, filePath)
	return err == nil && ok && string(old) == string(data)
}

// commitFile commits one file of the work tree, and nothing else, under the index lock, as
// `git commit FILE` does, and prints git's summary line.
func (app *App) commitFile(lock *gitrepo.IndexLock, filePath, message string) error {
	repo, err := app.Repo()
	if err != nil {
		return err
	}
	author, err := repo.Author()
	if err != nil {
		return fatalError(err)
	}
	committer, err := repo.Committer()
	if err != nil {
		return fatalError(err)
	}
	authorTime, err := dateFromEnv("GIT_AUTHOR_DATE")
	if err != nil {
		return err
	}
	commitTime, err := dateFromEnv("GIT_COMMITTER_DATE")
	if err != nil {
		return err
	}
	id, err := lock.CommitFile(filePath, message, gitSignature(author, authorTime), gitSignature(committer, commitTime))
	if err != nil {
		return fatalError(err)
	}
	branch, ok := repo.HeadBranch()
	if !ok {
		branch = "detached HEAD"
	}
	fmt.Fprintf(app.Stdout, "[%s %s] %s\n", branch, object.Short(id), message)
	return nil
}
