package cli

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"

	"github.com/git-model/git-model/pkg/registry"
)

const lsShort = "List artifacts, or the versions of one artifact"

const lsLong = `Without NAME, print one row per active artifact: its latest version, the version each
stage shows, and the latest version's commit. With NAME, print one row per version of that
artifact. NAME may be a shortcut: NAME@latest, NAME@vX.Y.Z or NAME#STAGE select rows.

A stage shows the version with the most recent assignment that is still in force; when that
version leaves the stage or is deregistered, the stage falls back to the previous one.
'git model show' is the same command.`

type lsCommand struct {
	app        *App
	tty        bool     // standard output is a terminal (before any pager)
	All        bool     `short:"a" long:"all" description:"Include deprecated artifacts and deregistered versions"`
	JSON       bool     `long:"json" description:"Print JSON instead of a table"`
	Plain      bool     `long:"plain" description:"Print the table without colour and without a pager, for grep (GTO's --plain)"`
	At         string   `long:"at" value-name:"WHEN" description:"Show the registry as it stood at WHEN: a date (YYYY-MM-DD, the end of that day), a date and time, a relative date such as 'yesterday' or '2 weeks ago', or a commit whose date is used"`
	AllInStage bool     `long:"all-in-stage" description:"Show every version that stands in a stage, newest assignment first (--vs -1)"`
	Type       string   `long:"type" value-name:"TYPE" description:"Only artifacts annotated with this type"`
	Labels     []string `long:"label" value-name:"LABEL" description:"Only artifacts annotated with this label (repeatable: all of them)"`
	Name       bool     `long:"name" description:"Print only the artifact of each row, one per line"`
	Version    bool     `long:"version" description:"With NAME: print only the version of each row, one per line (ls 'NAME#prod' --version)"`
	Stage      bool     `long:"stage" description:"With NAME: print only the stages of each row (the stage of NAME#STAGE), one line per row"`
	Ref        bool     `long:"ref" description:"With NAME: print only the registration tag of each row (the commit of an unregistered one)"`
	Verify     bool     `long:"verify" description:"Show the registry as the events with a good signature make it: the others are left out (git model verify says why)"`
	stageFlags
	Args struct {
		Name shortcutArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

// stageFlags choose which versions a stage shows, with GTO's options and meanings (GTO's
// Artifact.get_vstages): shared by ls and which.
type stageFlags struct {
	Sort string `long:"sort" value-name:"ORDER" choice:"timestamp" choice:"time" choice:"semver" default:"timestamp" description:"Order of the versions in a stage: the most recent assignment first (timestamp, or time) or the greatest version first (semver)"`
	VS   *int   `long:"vs" value-name:"N" description:"Versions per stage: show the first N versions in each stage (default 1; -1: all)"`
	AV   *int   `long:"av" value-name:"N" description:"Assignments per version: count only the N most recent stage assignments of each version (default -1: all), before --vs"`
	RO   bool   `long:"ro" description:"Registered versions only: leave out commits assigned a stage without a version"`
}

// check refuses counts below -1, as GTO does.
func (f *stageFlags) check() error {
	if countOr(f.VS, 1) < -1 || countOr(f.AV, -1) < -1 {
		return usageError(errors.New("--vs and --av take a count, or -1 for all"))
	}
	return nil
}

// countOr is a count option, or def when it was not given. The options are pointers rather
// than go-flags defaults because 'git model' with no command runs an lsCommand that was never
// parsed; an int pointer (not a type of our own) lets go-flags read "--vs -1" as a number.
func countOr(n *int, def int) int {
	if n != nil {
		return *n
	}
	return def
}

// counted returns the stages of a version that --av counts: its N most recent assignments
// still in force (all with -1), oldest first as Version.StagesOf gives them; none for a
// commit that --ro leaves out.
func (f *stageFlags) counted(v *registry.Version) []string {
	if f.RO && !v.Registered {
		return nil
	}
	stages := v.StagesOf()
	if n := countOr(f.AV, -1); n >= 0 && len(stages) > n {
		stages = stages[len(stages)-n:]
	}
	return stages
}

// versionsIn returns the versions a stage shows: the active versions in it whose assignment
// --av counts, newest assignment first (the first is what the stage shows, docs/registry.md §3) or
// greatest first with --sort semver, cut to --vs of them (every one with all).
func (f *stageFlags) versionsIn(a *registry.Artifact, stage string, all bool) []*registry.Version {
	n := countOr(f.VS, 1)
	if all {
		n = -1
	}
	// Without --av and --ro every version in the stage counts, and newest first the first n
	// are all that is shown: at hundreds of versions a stage, the others are never looked at.
	everyOne := f.AV == nil && !f.RO
	var versions []*registry.Version
	for _, as := range a.InStage(stage) {
		if everyOne && f.Sort != "semver" && n >= 0 && len(versions) == n {
			break
		}
		if everyOne || slices.Contains(f.counted(as.Version), stage) {
			versions = append(versions, as.Version)
		}
	}
	if f.Sort == "semver" {
		registry.SortVersions(versions)
	}
	if n >= 0 && len(versions) > n {
		versions = versions[:n]
	}
	return versions
}

func (c *lsCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	field, err := c.field()
	if err != nil {
		return err
	}
	repos, err := c.app.registryRepos()
	if err != nil {
		return fatalError(err)
	}
	if len(repos) > 0 {
		if c.Args.Name != "" {
			return usageError(errors.New("NAME cannot be used with several repositories"))
		}
		if field != "" {
			return usageError(fmt.Errorf("--%s cannot be used with several repositories", field))
		}
		if c.Verify {
			return usageError(errors.New("--verify cannot be used with several repositories"))
		}
		return c.listRepos(repos)
	}
	if field != "" && field != "name" && c.Args.Name == "" {
		return usageError(fmt.Errorf("--%s needs NAME, for example: git model ls 'NAME#STAGE' --%s", field, field))
	}
	var state *registry.State
	var sum *registrySummary
	c.app.verified = c.Verify
	if c.Args.Name == "" {
		sum, err = c.summaryAt(c.app)
	} else {
		state, err = c.app.StateAt(c.At, registry.ParseShortcut(string(c.Args.Name)).Artifact)
	}
	if err != nil {
		return c.app.outsideRepository(err)
	}
	c.tty = isTerminal(c.app.Stdout)
	if c.Plain {
		c.app.global.NoColor = true
	} else if !c.JSON && field == "" {
		c.app.startPager()
	}
	if c.Args.Name == "" {
		return c.listArtifacts(sum, field)
	}
	return c.listVersions(state, field)
}

// field is the one value that --name, --version, --stage or --ref asks to print alone ("" for
// a table); like GTO, at most one output format at a time.
func (c *lsCommand) field() (string, error) {
	given, err := oneFormat(format{"json", c.JSON}, format{"plain", c.Plain}, format{"name", c.Name},
		format{"version", c.Version}, format{"stage", c.Stage}, format{"ref", c.Ref})
	if given == "json" || given == "plain" {
		return "", err
	}
	return given, err
}

// outsideRepository adds to "not a git repository" how to read a registry from anywhere:
// -R, or the repositories of model.repos (registryRepos).
func (app *App) outsideRepository(err error) error {
	if !errors.Is(err, gitrepo.ErrNotRepository) || len(app.global.Repos) > 0 {
		return err
	}
	return fatalError(&hintedError{err: errors.Unwrap(err), hint: "name a registry with -R URL|PATH, or list registries to show from anywhere with " +
		"'git config --global --add model.repos URL'"})
}

// artifactJSON is one artifact of `ls --json`, with GTO's keys and the annotation's.
type artifactJSON struct {
	Active      bool           `json:"active"`
	Commit      *string        `json:"commit"`
	Description string         `json:"description"`
	Labels      []string       `json:"labels"`
	Path        string         `json:"path"`
	Registered  bool           `json:"registered"`
	Stage       map[string]any `json:"stage"`
	Type        string         `json:"type"`
	Version     *string        `json:"version"`
}

func (c *lsCommand) listArtifacts(sum *registrySummary, only string) error {
	stages, rows, err := c.artifactRows(c.app, sum)
	if err != nil {
		return err
	}
	if only == "name" {
		for _, r := range rows {
			printFields(c.app.Stdout, field{true, r.name})
		}
		return nil
	}
	if len(rows) == 0 && len(sum.Artifacts) == 0 && !c.JSON && c.tty {
		// Only a person sees this: a script reading an empty registry gets nothing, as before.
		fmt.Fprintln(c.app.Stdout, "The registry is empty. Start with: git model register NAME [REF]")
		return nil
	}
	if c.JSON {
		out := make(map[string]artifactJSON, len(rows))
		for _, r := range rows {
			out[r.name] = r.json
		}
		return writeJSON(c.app.Stdout, out)
	}
	return c.printArtifacts(stages, rows, false)
}

// artifactRow is one artifact of `ls`, before it becomes a row of a table or JSON.
type artifactRow struct {
	repo   string
	name   string
	marker string            // " (deprecated)", " (unregistered)" or ""
	cells  map[string]string // stage → what its cell shows
	json   artifactJSON
}

// summaryAt returns the summary of the registry of app as it stood at --at (as it is now
// without it, through the index: registrySummary).
func (c *lsCommand) summaryAt(app *App) (*registrySummary, error) {
	if c.At == "" && !app.verified {
		return c.registrySummary(app)
	}
	state, err := app.StateAt(c.At, "")
	if err != nil {
		return nil, err
	}
	return c.summarize(state), nil
}

// artifactRows computes the rows of `ls` for one registry, and its stage columns.
func (c *lsCommand) artifactRows(app *App, sum *registrySummary) ([]string, []artifactRow, error) {
	stages := app.stageColumns(sum.Stages)
	notesAt, noNotes, err := app.annotationsAt(c.At)
	if err != nil {
		return nil, nil, err
	}
	names, err := c.artifactNames(app, sum, notesAt, noNotes)
	if err != nil {
		return nil, nil, err
	}
	var rows []artifactRow
	for _, name := range names {
		a := sum.artifact(name)
		if a != nil && !a.Active && !c.All {
			continue
		}
		var note annotation.Annotation
		if !noNotes {
			note = app.annotation(name, notesAt)
		}
		if !c.matches(note) {
			continue
		}
		row := artifactRow{name: name, cells: map[string]string{}, json: artifactJSON{
			Active: a == nil || a.Active, Registered: a != nil, Stage: make(map[string]any),
			Type: note.Type, Labels: append([]string{}, note.Labels...), Path: note.Path, Description: note.Description}}
		switch {
		case a == nil:
			row.marker = " (unregistered)"
		case !a.Active:
			row.marker = " (deprecated)"
		}
		if a != nil && a.Latest != "" {
			row.json.Version, row.json.Commit = nullable(a.Latest), nullable(a.LatestCommit)
		}
		for _, stage := range stages {
			var versions []cellVersion
			if a != nil {
				versions = a.Shows[stage]
			}
			short, full := make([]string, len(versions)), make([]string, len(versions))
			for i, v := range versions {
				short[i], full[i] = v.Display, v.Name
			}
			row.cells[stage] = strings.Join(short, ",")
			switch {
			case c.several():
				row.json.Stage[stage] = full
			case len(versions) > 0:
				row.json.Stage[stage] = versions[0].Name
			default:
				row.json.Stage[stage] = nil
			}
		}
		rows = append(rows, row)
	}
	return stages, rows, nil
}

// printArtifacts prints the table of `ls`, with a repo column for several registries, and
// type and labels columns when any artifact shown has them.
func (c *lsCommand) printArtifacts(stages []string, rows []artifactRow, withRepo bool) error {
	if len(rows) == 0 {
		return nil
	}
	meta := slices.ContainsFunc(rows, func(r artifactRow) bool { return r.json.Type != "" || len(r.json.Labels) > 0 })
	var header []string
	if withRepo {
		header = append(header, "repo")
	}
	header = append(header, "name", "latest")
	for _, s := range stages {
		header = append(header, "#"+s)
	}
	header = append(header, "commit")
	if meta {
		header = append(header, "type", "labels")
	}
	table := make([][]string, len(rows))
	for i, r := range rows {
		var row []string
		if withRepo {
			row = append(row, r.repo)
		}
		latest, commit := none, none
		if r.json.Version != nil {
			latest, commit = *r.json.Version, object.Short(*r.json.Commit)
		}
		row = append(row, r.name+r.marker, latest)
		for _, s := range stages {
			row = append(row, orNone(r.cells[s]))
		}
		row = append(row, commit)
		if meta {
			row = append(row, orNone(r.json.Type), orNone(strings.Join(r.json.Labels, ",")))
		}
		table[i] = row
	}
	first := 1 // the latest column
	if withRepo {
		first = 2
	}
	return c.app.writeTable(header, table, func(col int, cell string) string {
		switch {
		case strings.HasSuffix(cell, ")"):
			return colorWarning
		case col >= first && col <= first+len(stages):
			return colorVersion
		}
		return ""
	})
}

// artifactNames lists the artifacts of the registry and those annotated at notesAt ("" for the
// work tree; none with noNotes), in the root's files and in the folders of the registry's
// DIR:NAME artifacts, sorted.
func (c *lsCommand) artifactNames(app *App, sum *registrySummary, notesAt string, noNotes bool) ([]string, error) {
	names := make([]string, len(sum.Artifacts))
	for i, a := range sum.Artifacts {
		names[i] = a.Name
	}
	dirs := []string{""}
	seen := map[string]bool{"": true}
	for _, name := range names {
		if dir, _ := registry.SplitArtifactName(name); !seen[dir] {
			seen[dir] = true
			dirs = append(dirs, dir)
		}
	}
	if noNotes {
		sort.Strings(names)
		return names, nil
	}
	notes, err := app.Annotations()
	if err != nil {
		return nil, err
	}
	annotated, err := notes.Names(notesAt, dirs)
	if err != nil {
		app.warnOnce(err)
	}
	for _, name := range annotated {
		if sum.artifact(name) == nil && registry.IsArtifactName(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// matches applies the --type and --label filters to an artifact's annotation.
func (c *lsCommand) matches(note annotation.Annotation) bool {
	if c.Type != "" && note.Type != c.Type {
		return false
	}
	for _, l := range c.Labels {
		if !slices.Contains(note.Labels, l) {
			return false
		}
	}
	return true
}

// stageVersions returns what a stage cell shows: the version the stage shows, or with
// --all-in-stage or --vs every version or N of them in it (stageFlags.versionsIn).
func (c *lsCommand) stageVersions(a *registry.Artifact, stage string) []*registry.Version {
	return c.versionsIn(a, stage, c.AllInStage)
}

// several reports whether a stage cell may hold more than one version (--all-in-stage, --vs
// other than 1): --json then gives a list for each stage rather than one version or null.
func (c *lsCommand) several() bool {
	return c.AllInStage || countOr(c.VS, 1) != 1
}

// stageCells names the stages a version stands in (those --av and --ro count) as the table
// shows them: plain where the stage shows the version (as `ls` does, under --sort and --vs),
// in parentheses where it holds an assignment that no stage shows, because newer ones stand
// above it; with --all-in-stage, every stage plain, as GTO's "all".
func (c *lsCommand) stageCells(a *registry.Artifact, v *registry.Version) []string {
	stages := c.counted(v)
	cells := make([]string, len(stages))
	for i, stage := range stages {
		cells[i] = stage
		if !slices.Contains(c.stageVersions(a, stage), v) {
			cells[i] = "(" + stage + ")"
		}
	}
	return cells
}

// versionJSON is one version of `ls NAME --json`.
type versionJSON struct {
	Active      bool     `json:"active"`
	Artifact    string   `json:"artifact"`
	Author      string   `json:"author"`
	AuthorEmail string   `json:"author_email"`
	Commit      string   `json:"commit"`
	CreatedAt   string   `json:"created_at"`
	Message     string   `json:"message"`
	Path        string   `json:"path"`
	Ref         *string  `json:"ref"`
	Registered  bool     `json:"registered"`
	Stages      []string `json:"stages"`
	Version     string   `json:"version"`
}

// createdBy is the event that created a version: its registration, or the first event of an
// unregistered commit.
func createdBy(v *registry.Version) *registry.Event {
	if v.Registration != nil {
		return v.Registration
	}
	return v.Events[0]
}

// newVersionJSON is a version as `ls NAME --json` and `latest --json` print it, with the
// stages given and the annotated path.
func newVersionJSON(a *registry.Artifact, v *registry.Version, stages []string, path string) versionJSON {
	created := createdBy(v)
	obj := versionJSON{Path: path,
		Active: v.Active, Artifact: a.Name, Author: created.Author, AuthorEmail: created.AuthorEmail,
		Commit: v.Commit, CreatedAt: jsonTime(created.Time), Message: created.Message,
		Registered: v.Registered, Stages: append([]string{}, stages...), Version: v.Name,
	}
	if v.Registration != nil {
		obj.Ref = &v.Registration.Name
	}
	return obj
}

func (c *lsCommand) listVersions(state *registry.State, only string) error {
	a, sc, err := c.app.findArtifact(state, string(c.Args.Name))
	if err != nil {
		return err
	}
	versions, err := c.selectVersions(a, sc)
	if err != nil {
		return err
	}
	if only != "" {
		c.printVersionFields(a, sc, versions, only)
		return nil
	}
	rows := make([][]string, 0, len(versions))
	out := make([]versionJSON, 0, len(versions))
	paths := false // whether any version has a path: then the table shows them
	if notes, err := c.app.Annotations(); err == nil {
		commits := make([]string, len(versions))
		for i, v := range versions {
			commits[i] = v.Commit
		}
		notes.Prefetch(a.Name, commits)
	}
	for _, v := range versions {
		created := createdBy(v)
		note := c.app.annotation(a.Name, v.Commit)
		paths = paths || note.Path != ""
		out = append(out, newVersionJSON(a, v, c.counted(v), note.Path))
		name := displayName(v)
		if !v.Active {
			name += " (deregistered)"
		}
		rows = append(rows, []string{name, orNone(strings.Join(c.stageCells(a, v), ",")), object.Short(v.Commit),
			tableTime(created.Time), orNone(created.Author), orNone(note.Path)})
	}
	if c.JSON {
		return writeJSON(c.app.Stdout, out)
	}
	if len(rows) == 0 {
		return nil
	}
	header := []string{"version", "stages", "commit", "created_at", "author", "path"}
	if !paths {
		header = header[:len(header)-1]
		for i := range rows {
			rows[i] = rows[i][:len(rows[i])-1]
		}
	}
	return c.app.writeTable(header, rows, func(col int, cell string) string {
		switch {
		case strings.HasSuffix(cell, ")"):
			return colorWarning
		case col == 0:
			return colorVersion
		}
		return ""
	})
}

// printVersionFields prints one field of each row of `ls NAME`, one line per row, as GTO's
// show does with --name, --version, --stage and --ref: the artifact; the version (a short
// commit id for an unregistered one); the stage of NAME#STAGE, else the stages that show the
// version, comma-separated; the registration tag (the commit id of an unregistered version).
func (c *lsCommand) printVersionFields(a *registry.Artifact, sc registry.Shortcut, versions []*registry.Version, only string) {
	for _, v := range versions {
		value := a.Name
		switch only {
		case "version":
			value = displayName(v)
		case "stage":
			value = sc.Stage
			if value == "" {
				value = strings.Join(slices.DeleteFunc(c.stageCells(a, v), func(s string) bool { return strings.HasPrefix(s, "(") }), ",")
			}
		case "ref":
			value = v.Commit
			if v.Registration != nil {
				value = v.Registration.Name
			}
		}
		printFields(c.app.Stdout, field{true, value})
	}
}

// selectVersions picks the rows of `ls NAME`: those a shortcut names, else every active
// version and every unregistered commit that stands in a stage (every version with --all).
func (c *lsCommand) selectVersions(a *registry.Artifact, sc registry.Shortcut) ([]*registry.Version, error) {
	switch {
	case sc.Latest:
		latest := a.Latest()
		if latest == nil {
			return nil, userError("artifact '%s' has no active version", a.Name)
		}
		return []*registry.Version{latest}, nil
	case sc.Version != "":
		v := a.Version(sc.Version)
		if v == nil {
			return nil, userError("artifact '%s' has no version '%s'", a.Name, sc.Version)
		}
		return []*registry.Version{v}, nil
	case sc.Stage != "":
		versions := c.stageVersions(a, sc.Stage)
		if len(versions) == 0 {
			return nil, userError("no version of '%s' is in stage '%s'", a.Name, sc.Stage)
		}
		return versions, nil
	}
	var versions []*registry.Version
	for _, v := range a.Versions {
		if c.RO && !v.Registered {
			continue
		}
		if c.All || (v.Registered && v.Active) || len(c.counted(v)) > 0 {
			versions = append(versions, v)
		}
	}
	registry.SortVersions(versions)
	return versions, nil
}

// findArtifact resolves an artifact name or shortcut to an artifact of the registry.
func (app *App) findArtifact(state *registry.State, arg string) (*registry.Artifact, registry.Shortcut, error) {
	sc := registry.ParseShortcut(arg)
	if a := state.Artifacts[sc.Artifact]; a != nil {
		return a, sc, nil
	}
	if !sc.IsShortcut && !registry.IsArtifactName(arg) {
		return nil, sc, userError("'%s' is neither an artifact name nor a shortcut (NAME, NAME@latest, NAME@vX.Y.Z, NAME#STAGE)", arg)
	}
	return nil, sc, app.unknownArtifact(sc.Artifact)
}

// displayName is a version's name in tables: the version string, or the short commit id of
// an unregistered commit.
func displayName(v *registry.Version) string {
	if v.Registered {
		return v.Name
	}
	return object.Short(v.Name)
}
