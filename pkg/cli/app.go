package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/git-model/git-model/pkg/config"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

// App is what every command shares: the standard streams and the repository, opened once.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	repo      *gitrepo.Repository
	config    *config.Config // read once by Config
	configErr error
	notes     *annotations // read lazily by Annotations
	warned    map[string]bool
	global    *globalOptions
	color     *bool  // decided once by useColor
	paging    bool   // output goes through a pager
	sign      bool   // the tags of this write are signed (tagFlags.signs)
	pager     func() // closes the pager's input and waits for it
	verified  bool   // stateOf keeps only the events with a good signature (--verify)

	policy     *policy.Policy // read once by loadPolicy
	policyRead bool
	policyFrom string                         // the ref or commit it was read from
	verifier   *gitrepo.Verifier              // made once by verifyObjects
	checked    map[[2]string]signature.Result // by tag name and object id, verified once
}

// Close waits for the pager and releases the repository.
func (app *App) Close() {
	if app.pager != nil {
		app.pager()
	}
	if app.notes != nil {
		app.notes.saveKept()
	}
	if app.repo != nil {
		app.repo.Close()
	}
}

// Repo opens the repository once: the one git finds from the current directory, or the one
// --repo names.
func (app *App) Repo() (*gitrepo.Repository, error) {
	if app.repo != nil {
		return app.repo, nil
	}
	var repo *gitrepo.Repository
	var err error
	switch repos := app.global.Repos; len(repos) {
	case 0:
		repo, err = gitrepo.Open("")
	case 1:
		repo, err = openRegistry(repos[0], app.global.Offline)
	default:
		return nil, usageError(errors.New("only 'ls' reads several repositories (--repo given more than once)"))
	}
	if err != nil {
		return nil, fatalError(err)
	}
	app.repo = repo
	return repo, nil
}

// State reads every tag once and derives the registry, printing its warnings.
func (app *App) State() (*registry.State, error) {
	return app.stateOf("")
}

// stateOf is State restricted to the tags of one artifact ("" for all): what writes and the
// commands about one artifact need, read and derived at the cost of its tags rather than of
// tens of thousands.
func (app *App) stateOf(artifact string) (*registry.State, error) {
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	var tags []gitrepo.Tag
	if artifact == "" {
		tags, err = repo.Tags()
	} else {
		tags, err = repo.ArtifactTags(registry.TagArtifact(artifact))
	}
	if err != nil {
		return nil, fatalError(err)
	}
	if app.verified {
		if tags, err = app.keepSigned(repo, tags); err != nil {
			return nil, err
		}
	}
	state := registry.Build(tags)
	app.warn(state.Warnings)
	return state, nil
}

// Config reads the registry configuration: GTO's .gto at the root of the work tree (of HEAD's
// tree in a bare repository), then git config model.stages and model.types for what .gto does
// not set. It is read once.
func (app *App) Config() (config.Config, error) {
	if app.config != nil {
		return *app.config, app.configErr
	}
	repo, err := app.Repo()
	if err != nil {
		return config.Config{}, err
	}
	cfg, err := app.readConfig(repo)
	app.config, app.configErr = &cfg, err
	return cfg, err
}

func (app *App) readConfig(repo *gitrepo.Repository) (config.Config, error) {
	data, err := app.readGTOFile(repo)
	if err != nil {
		return config.Config{}, userError("%v", err)
	}
	gto, err := config.ParseGTO(data, config.GTOFile)
	if err != nil {
		return config.Config{}, userError("%v", err)
	}
	stages, _, err := repo.ConfigValue("model.stages")
	if err != nil {
		return config.Config{}, fatalError(err)
	}
	types, _, err := repo.ConfigValue("model.types")
	if err != nil {
		return config.Config{}, fatalError(err)
	}
	return config.Resolve(gto, stages, types), nil
}

func (app *App) readGTOFile(repo *gitrepo.Repository) ([]byte, error) {
	if repo.WorkDir() != "" {
		data, err := repo.ReadWorkTreeFile(config.GTOFile)
		return data, workTreeError(config.GTOFile, err) // readConfig says how it fails
	}
	if repo.IsEmpty() {
		return nil, nil
	}
	head, _, err := repo.ResolveCommit("HEAD")
	if err != nil {
		return nil, nil // a bare repository whose HEAD names no branch has no configuration
	}
	data, _, err := repo.ReadFile(head, config.GTOFile)
	return data, err
}

// warn prints warnings on stderr, each on its own line.
func (app *App) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(app.Stderr, "warning: %s\n", terminalSafe(w))
	}
}

// StateAt is State, as the registry stood at the time an --at option names ("" for now).
// artifact restricts it to one artifact's tags ("" for all).
func (app *App) StateAt(at, artifact string) (*registry.State, error) {
	if at == "" {
		return app.stateOf(artifact)
	}
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	when, err := parseWhen(at, repo)
	if err != nil {
		return nil, err
	}
	state, err := app.stateOf(artifact)
	if err != nil {
		return nil, err
	}
	return state.At(when), nil
}

// annotationsAt is the commit whose annotations describe the registry as it stood at the time
// an --at option names: the newest commit of HEAD's first-parent history at that time ("" with
// no --at: the work tree). none is true when the history has no commit that old.
func (app *App) annotationsAt(at string) (commit string, none bool, err error) {
	if at == "" {
		return "", false, nil
	}
	repo, err := app.Repo()
	if err != nil {
		return "", false, err
	}
	when, err := parseWhen(at, repo)
	if err != nil {
		return "", false, err
	}
	commit, ok, err := repo.FirstParentAt(when)
	if err != nil {
		return "", false, fatalError(err)
	}
	return commit, !ok, nil
}

// StageColumns returns the stages that tables show as columns: the configured stages in their
// order, then any other stage in use. A broken configuration is a warning here: reading never
// enforces it.
func (app *App) StageColumns(state *registry.State) []string {
	return app.stageColumns(state.StagesInUse())
}

// stageColumns is StageColumns for the stages in use of a registry.
func (app *App) stageColumns(inUse []string) []string {
	cfg, err := app.Config()
	if err != nil {
		app.warn([]string{err.Error()})
	}
	return registry.StageOrder(cfg.Stages, inUse)
}

// resolveCommit resolves a commit-ish of the command line; "" is HEAD.
func (app *App) resolveCommit(rev string) (string, error) {
	repo, err := app.Repo()
	if err != nil {
		return "", err
	}
	if rev == "" {
		rev = "HEAD"
	}
	id, _, err := repo.ResolveCommit(rev)
	if err != nil && app.mirrorURL() != "" {
		// A mirror holds only the registry's tags, what they point to and the remote's HEAD.
		return "", userError("'%s' names no commit in the cache of '%s' (it has the commits of the registry's tags and the remote's HEAD); push the commit there first, or write in a clone",
			rev, gitrepo.RedactURL(app.mirrorURL()))
	}
	if err != nil {
		return "", fatalError(err)
	}
	return id, nil
}

// checkStageAllowed enforces the configured stage allow-list, as writes do.
func (app *App) checkStageAllowed(stage string) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	if err := cfg.CheckStage(stage); err != nil {
		return userError("%v", err)
	}
	return nil
}

// warnOnce prints a warning the first time it is given.
func (app *App) warnOnce(err error) {
	if app.warned == nil {
		app.warned = map[string]bool{}
	}
	if msg := err.Error(); !app.warned[msg] {
		app.warned[msg] = true
		app.warn([]string{msg})
	}
}
