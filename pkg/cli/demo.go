package cli

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/registry"
)

const demoShort = "Build a sample registry to try git-model on"

const demoLong = `Create a Git repository in DIR (which must not exist, or be empty) holding a sample registry:
a monorepo of three models (models/cv:segm-nn, models/nlp:sentiment, churn) with several
versions, promotions to dev, staging and prod, a demotion, a deregistration, and their
annotations in artifacts.yaml (s3:// paths, types, labels). The commits and tags are made by
a fixed identity at fixed dates, so that every run makes the same repository. Then print what
to try in it. The data is shipped in git-model itself (pkg/cli/demo/registry.yaml).`

type demoCommand struct {
	app  *App
	Args struct {
		Dir string `positional-arg-name:"DIR" required:"yes"`
	} `positional-args:"yes"`
}

// demoScript is the sample registry: pkg/cli/demo/registry.yaml says its format.
//
//go:embed demo/registry.yaml
var demoScript []byte

type demoData struct {
	Identity gitrepo.Identity `yaml:"identity"`
	Steps    []demoStep       `yaml:"steps"`
}

type demoStep struct {
	At      time.Time `yaml:"at"`
	Commit  string    `yaml:"commit"` // a commit of File with Content, with this message
	File    string    `yaml:"file"`
	Content string    `yaml:"content"`
	Do      []string  `yaml:"do"` // or a write: register|promote|demote|deregister NAME …
}

// demoBranch is the branch of the demo repository, whatever init.defaultBranch says.
const demoBranch = "main"

func (c *demoCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if len(c.app.global.Repos) > 0 {
		return usageError(errors.New("--repo cannot be used with demo, which makes its own repository"))
	}
	var data demoData
	if err := yaml.Unmarshal(demoScript, &data); err != nil {
		return fatalError(fmt.Errorf("the demo data does not parse: %w", err))
	}
	dir, err := demoDir(c.Args.Dir)
	if err != nil {
		return err
	}
	repo, err := gitrepo.Init(dir, demoBranch)
	if err != nil {
		return fatalError(err)
	}
	c.app.repo = repo // App.Close releases it
	for _, step := range data.Steps {
		if err := c.run(repo, data.Identity, step); err != nil {
			return err
		}
	}
	c.printNext(c.Args.Dir)
	return nil
}

// demoDir makes DIR, or checks that it is empty, and returns its absolute path.
func demoDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fatalError(err)
	}
	entries, err := os.ReadDir(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return "", fatalError(fmt.Errorf("creating %s: %w", dir, unwrapPath(err)))
		}
	case err != nil:
		return "", userError("cannot use '%s': %v", dir, unwrapPath(err))
	case len(entries) > 0:
		return "", userError("'%s' exists and is not empty; name a new folder", dir)
	}
	return abs, nil
}

// run makes one step: a commit of one file, or one registry write through the planner and
// the tag writer that the commands use (App.apply), with the step's identity and date.
func (c *demoCommand) run(repo *gitrepo.Repository, who gitrepo.Identity, step demoStep) error {
	if step.File != "" {
		return commitDemoFile(repo, who, step)
	}
	if len(step.Do) < 2 {
		return fatalError(fmt.Errorf("demo step at %s: nothing to do", step.At))
	}
	artifact := step.Do[1]
	state, err := c.app.stateOf(artifact)
	if err != nil {
		return err
	}
	head, err := c.app.resolveCommit("")
	if err != nil {
		return err
	}
	opts := registry.WriteOptions{Now: step.At}
	arg := func(i int) string {
		if i < len(step.Do) {
			return step.Do[i]
		}
		return ""
	}
	var change registry.Change
	switch step.Do[0] {
	case "register":
		change, err = state.Register(registry.RegisterRequest{WriteOptions: opts, Artifact: artifact, Commit: head, Version: arg(2)})
	case "promote":
		commit := head
		if arg(3) != "" {
			commit = ""
		}
		change, err = state.Assign(registry.AssignRequest{WriteOptions: opts, Artifact: artifact, Stage: arg(2), Version: arg(3), Commit: commit})
	case "demote":
		change, err = state.Unassign(registry.UnassignRequest{WriteOptions: opts, Artifact: artifact, Stage: arg(2), Version: arg(3)})
	case "deregister":
		change, err = state.Deregister(registry.DeregisterRequest{WriteOptions: opts, Artifact: artifact, Version: arg(2)})
	default:
		return fatalError(fmt.Errorf("demo step at %s: unknown action '%s'", step.At, step.Do[0]))
	}
	if err != nil {
		return fatalError(fmt.Errorf("demo step at %s: %w", step.At, err))
	}
	var done []string
	var deleted int
	if err := c.app.apply(repo, state, change, who, true, &done, &deleted); err != nil {
		return fatalError(err)
	}
	return nil
}

// commitDemoFile writes a file of the work tree and commits it, as 'annotate --commit' does.
func commitDemoFile(repo *gitrepo.Repository, who gitrepo.Identity, step demoStep) error {
	if dir := path.Dir(step.File); dir != "." {
		if err := os.MkdirAll(filepath.Join(repo.WorkDir(), filepath.FromSlash(dir)), 0o755); err != nil {
			return fatalError(err)
		}
	}
	if err := repo.ReplaceWorkTreeFile(step.File, []byte(step.Content)); err != nil {
		return fatalError(err)
	}
	lock, err := repo.LockIndex()
	if err != nil {
		return fatalError(err)
	}
	sig := gitSignature(who, step.At)
	if _, err := lock.CommitFile(step.File, step.Commit, sig, sig); err != nil {
		return fatalError(err)
	}
	return nil
}

// printNext says what the demo made and what to try in it.
func (c *demoCommand) printNext(dir string) {
	w := c.app.Stdout
	fmt.Fprintf(w, "\nA sample registry is ready in %s: three models, their versions and stages, in Git tags.\n", terminalSafe(dir))
	fmt.Fprintf(w, "Try:\n\n\tcd %s\n", terminalSafe(shellQuote(dir)))
	for _, try := range [][2]string{
		{"git model ls", "every model: its latest version and what each stage shows"},
		{"git model ls models/cv:segm-nn", "one model's versions, stages and file paths"},
		{"git model history models/cv:segm-nn", "what happened to it, newest first"},
		{"git model describe 'models/cv:segm-nn#prod' --path", "the file of the model in production"},
		{"git model promote churn dev", "write the registry: a tag, as GTO writes it"},
		{"git model doctor", "check the registry"},
		{"git tag -n", "the tags are all there is"},
	} {
		fmt.Fprintf(w, "\t%-52s # %s\n", try[0], try[1])
	}
}
