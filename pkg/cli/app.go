package cli

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/git-model/git-model/pkg/config"
	"github.com/git-model/git-model/pkg/gitrepo"
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
	pager     func() // closes the pager's input and waits for it
}

// Close waits for the pager and releases the repository.
func (app *App) Close() {
	if app.pager != nil {
		app.pager()
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
		tags, err = repo.ArtifactTags(strings.Replace(artifact, ":", "=", 1))
	}
	if err != nil {
		return nil, fatalError(err)
	}
	state := registry.Build(tagRecords(tags))
	app.warn(state.Warnings)
	return state, nil
}

// tagRecords views the tags as the registry's records without copying tens of thousands of
// them: the two types have the same fields, which the conversion below checks at compile time.
func tagRecords(tags []gitrepo.Tag) []registry.TagRecord {
	var _ = registry.TagRecord(gitrepo.Tag{})
	return unsafe.Slice((*registry.TagRecord)(unsafe.Pointer(unsafe.SliceData(tags))), len(tags))
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

// StageColumns returns the stages that tables show as columns: the configured stages in their
// order, then any other stage in use. A broken configuration is a warning here: reading never
// enforces it.
func (app *App) StageColumns(state *registry.State) []string {
	cfg, err := app.Config()
	if err != nil {
		app.warn([]string{err.Error()})
	}
	return stageOrder(cfg.Stages, state.StagesInUse())
}

// dateLayouts are the date forms that --at and GIT_COMMITTER_DATE take: ISO 8601 and RFC 3339,
// with or without a zone (local time without), and RFC 2822.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02 15:04 -0700",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2006-01-02",
}

// gitInternalDate is git's own "<unix seconds> <zone>" form, optionally after '@'.
var gitInternalDate = regexp.MustCompile(`^@?(\d+) ([+-])(\d\d)(\d\d)$`)

// parseDate reads a date in one of the forms git takes.
func parseDate(s string) (time.Time, bool) {
	if m := gitInternalDate.FindStringSubmatch(s); m != nil {
		secs, _ := strconv.ParseInt(m[1], 10, 64)
		hours, _ := strconv.Atoi(m[3])
		minutes, _ := strconv.Atoi(m[4])
		offset := hours*3600 + minutes*60
		if m[2] == "-" {
			offset = -offset
		}
		return time.Unix(secs, 0).In(time.FixedZone("", offset)), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseWhen reads the point in time of --at: a date (the end of that day, local time), a date
// and time (local time unless a zone is given), or a commit-ish whose committer date is used.
func parseWhen(s string, repo *gitrepo.Repository) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	if t, ok := parseDate(s); ok {
		return t, nil
	}
	if _, when, err := repo.ResolveCommit(s); err == nil {
		return when, nil
	}
	return time.Time{}, usageError(fmt.Errorf("invalid --at '%s': not a date (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] [ZONE]) nor a commit", s))
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
