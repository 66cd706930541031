package cli

import (
	"errors"
	"slices"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/annotation"

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
	All        bool     `short:"a" long:"all" description:"Include deprecated artifacts and deregistered versions"`
	JSON       bool     `long:"json" description:"Print JSON instead of a table"`
	At         string   `long:"at" value-name:"WHEN" description:"Show the registry as it stood at WHEN: a date (YYYY-MM-DD, the end of that day), a date and time, a relative date such as 'yesterday' or '2 weeks ago', or a commit whose date is used"`
	AllInStage bool     `long:"all-in-stage" description:"Show every version that stands in a stage, newest assignment first"`
	Sort       string   `long:"sort" value-name:"ORDER" choice:"time" choice:"semver" default:"time" description:"Which version a stage shows: the most recent assignment (time) or the greatest version (semver)"`
	Type       string   `long:"type" value-name:"TYPE" description:"Only artifacts annotated with this type"`
	Labels     []string `long:"label" value-name:"LABEL" description:"Only artifacts annotated with this label (repeatable: all of them)"`
	Args       struct {
		Name shortcutArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

func (c *lsCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
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
		return c.listRepos(repos)
	}
	state, err := c.app.StateAt(c.At, registry.ParseShortcut(string(c.Args.Name)).Artifact)
	if err != nil {
		return err
	}
	if !c.JSON {
		c.app.startPager()
	}
	if c.Args.Name == "" {
		return c.listArtifacts(state)
	}
	return c.listVersions(state)
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

func (c *lsCommand) listArtifacts(state *registry.State) error {
	stages, rows, err := c.artifactRows(c.app, state)
	if err != nil {
		return err
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

// artifactRows computes the rows of `ls` for one registry, and its stage columns.
func (c *lsCommand) artifactRows(app *App, state *registry.State) ([]string, []artifactRow, error) {
	stages := app.StageColumns(state)
	notesAt, noNotes, err := app.annotationsAt(c.At)
	if err != nil {
		return nil, nil, err
	}
	names, err := c.artifactNames(app, state, notesAt, noNotes)
	if err != nil {
		return nil, nil, err
	}
	var rows []artifactRow
	for _, name := range names {
		a := state.Artifacts[name]
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
		if latest := a.Latest(); latest != nil {
			row.json.Version, row.json.Commit = nullable(latest.Name), nullable(latest.Commit)
		}
		for _, stage := range stages {
			var versions []*registry.Version
			if a != nil {
				versions = c.stageVersions(a, stage)
			}
			short, full := make([]string, len(versions)), make([]string, len(versions))
			for i, v := range versions {
				short[i], full[i] = displayName(v), v.Name
			}
			row.cells[stage] = strings.Join(short, ",")
			switch {
			case c.AllInStage:
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
			latest, commit = *r.json.Version, registry.ShortCommit(*r.json.Commit)
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
func (c *lsCommand) artifactNames(app *App, state *registry.State, notesAt string, noNotes bool) ([]string, error) {
	names := state.Names()
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
		if state.Artifacts[name] == nil && registry.IsArtifactName(name) {
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
// --all-in-stage every version in it; --sort semver puts the greatest version first.
func (c *lsCommand) stageVersions(a *registry.Artifact, stage string) []*registry.Version {
	in := a.InStage(stage)
	versions := make([]*registry.Version, len(in))
	for i, as := range in {
		versions[i] = as.Version
	}
	if c.Sort == "semver" {
		registry.SortVersions(versions)
	}
	if !c.AllInStage && len(versions) > 1 {
		versions = versions[:1]
	}
	return versions
}

// stageCells names the stages a version stands in as the table shows them: plain where the
// stage shows the version (as `ls` does, under --sort), in parentheses where it holds an
// assignment that no stage shows, because a newer one stands above it; with --all-in-stage,
// every stage plain, as GTO's "all".
func (c *lsCommand) stageCells(a *registry.Artifact, v *registry.Version, stages []string) []string {
	if c.AllInStage {
		return stages
	}
	cells := make([]string, len(stages))
	for i, stage := range stages {
		cells[i] = stage
		if shown := c.stageVersions(a, stage); len(shown) == 0 || shown[0] != v {
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

func (c *lsCommand) listVersions(state *registry.State) error {
	a, sc, err := c.app.findArtifact(state, string(c.Args.Name))
	if err != nil {
		return err
	}
	versions, err := c.selectVersions(a, sc)
	if err != nil {
		return err
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
		created := v.Events[0]
		if v.Registration != nil {
			created = v.Registration
		}
		stages := v.StagesOf()
		note := c.app.annotation(a.Name, v.Commit)
		paths = paths || note.Path != ""
		obj := versionJSON{Path: note.Path,
			Active: v.Active, Artifact: a.Name, Author: created.Author, AuthorEmail: created.AuthorEmail,
			Commit: v.Commit, CreatedAt: jsonTime(created.Time), Message: created.Message,
			Registered: v.Registered, Stages: append([]string{}, stages...), Version: v.Name,
		}
		if v.Registration != nil {
			obj.Ref = &v.Registration.Name
		}
		out = append(out, obj)
		name := displayName(v)
		if !v.Active {
			name += " (deregistered)"
		}
		rows = append(rows, []string{name, orNone(strings.Join(c.stageCells(a, v, stages), ",")), registry.ShortCommit(v.Commit),
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
		if c.All || (v.Registered && v.Active) || len(v.StagesOf()) > 0 {
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
	return registry.ShortCommit(v.Name)
}

// stageOrder puts configured stages first, in their order, then the stages in use that the
// configuration does not list, in order of first use.
func stageOrder(configured, inUse []string) []string {
	seen := make(map[string]bool, len(configured))
	order := append([]string{}, configured...)
	for _, s := range configured {
		seen[s] = true
	}
	for _, s := range inUse {
		if !seen[s] {
			order = append(order, s)
		}
	}
	return order
}
