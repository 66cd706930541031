package cli

import (
	"fmt"
	"strings"

	"github.com/git-model/git-model/pkg/registry"
)

// which and latest answer the two questions of a deployment script, under GTO's names (GTO
// 0.2 had both commands; GTO 1.x answers them with 'show NAME#STAGE' and 'show NAME@latest',
// which 'git model ls' takes too).

const whichShort = "Print the version a stage shows"

const whichLong = `Print the version that STAGE of NAME shows: the active version with the most recent
assignment to it still in force (--sort semver: the greatest version in it). --all prints every
version in the stage, newest assignment first; --vs, --av and --ro choose them as in 'ls'. --ref
prints the tag of each assignment instead, --json objects. A stage that shows nothing prints
nothing (with --json, []) and exits 0, as GTO's which did; an unknown artifact is an error.`

type whichCommand struct {
	app     *App
	All     bool `short:"a" long:"all" description:"Every version in the stage, newest assignment first (--vs -1)"`
	Ref     bool `long:"ref" description:"Print the tag that assigned each version to the stage"`
	Version bool `long:"version" description:"Print the version (the default)"`
	JSON    bool `long:"json" description:"Print JSON: a list of the assignments"`
	stageFlags
	Args struct {
		Name  artifactArg `positional-arg-name:"NAME" required:"yes"`
		Stage stageArg    `positional-arg-name:"STAGE" required:"yes"`
	} `positional-args:"yes"`
}

// assignmentJSON is one version in a stage, as `which --json` prints it: the version and the
// assignment that holds it there (ref, author, created_at are those of the assignment tag).
type assignmentJSON struct {
	Artifact    string `json:"artifact"`
	Author      string `json:"author"`
	AuthorEmail string `json:"author_email"`
	Commit      string `json:"commit"`
	CreatedAt   string `json:"created_at"`
	Message     string `json:"message"`
	Ref         string `json:"ref"`
	Registered  bool   `json:"registered"`
	Stage       string `json:"stage"`
	Version     string `json:"version"`
}

func (c *whichCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if _, err := oneFormat(format{"json", c.JSON}, format{"ref", c.Ref}, format{"version", c.Version}); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	a, err := c.app.artifactOf(string(c.Args.Name))
	if err != nil {
		return err
	}
	stage := string(c.Args.Stage)
	versions := c.versionsIn(a, stage, c.All)
	if c.JSON {
		out := make([]assignmentJSON, len(versions))
		for i, v := range versions {
			e := v.Assignment(stage)
			out[i] = assignmentJSON{Artifact: a.Name, Author: e.Author, AuthorEmail: e.AuthorEmail, Commit: v.Commit,
				CreatedAt: jsonTime(e.Time), Message: e.Message, Ref: e.Name, Registered: v.Registered, Stage: stage, Version: v.Name}
		}
		return writeJSON(c.app.Stdout, out)
	}
	for _, v := range versions {
		value := displayName(v)
		if c.Ref {
			value = v.Assignment(stage).Name
		}
		printFields(c.app.Stdout, field{true, value})
	}
	return nil
}

const latestShort = "Print the latest version of an artifact"

const latestLong = `Print the latest version of NAME: the greatest active registered version by SemVer
precedence. --ref prints its registration tag, --json the object 'ls NAME --json' prints for it.
An artifact without an active version prints nothing (with --json, null) and exits 0, as GTO's
latest did; an unknown artifact is an error.`

type latestCommand struct {
	app  *App
	Ref  bool `long:"ref" description:"Print the tag that registered the version"`
	JSON bool `long:"json" description:"Print JSON"`
	Args struct {
		Name artifactArg `positional-arg-name:"NAME" required:"yes"`
	} `positional-args:"yes"`
}

func (c *latestCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if _, err := oneFormat(format{"json", c.JSON}, format{"ref", c.Ref}); err != nil {
		return err
	}
	a, err := c.app.artifactOf(string(c.Args.Name))
	if err != nil {
		return err
	}
	v := a.Latest()
	switch {
	case c.JSON && v == nil:
		return writeJSON(c.app.Stdout, nil)
	case c.JSON:
		return writeJSON(c.app.Stdout, newVersionJSON(a, v, v.StagesOf(), c.app.annotation(a.Name, v.Commit).Path))
	case v == nil:
		return nil
	case c.Ref:
		printFields(c.app.Stdout, field{true, v.Registration.Name})
	default:
		printFields(c.app.Stdout, field{true, v.Name})
	}
	return nil
}

// artifactOf reads the tags of one artifact and returns it; an unknown one is an error that
// suggests the names it may be a typo of (findArtifact).
func (app *App) artifactOf(name string) (*registry.Artifact, error) {
	state, err := app.stateOf(name)
	if err != nil {
		return nil, err
	}
	a, _, err := app.findArtifact(state, name)
	return a, err
}

// format is an output option: its name and whether it was given.
type format struct {
	name string
	on   bool
}

// oneFormat returns the output option given ("" for none) and refuses more than one, as GTO
// does.
func oneFormat(formats ...format) (string, error) {
	var given []string
	for _, f := range formats {
		if f.on {
			given = append(given, f.name)
		}
	}
	switch len(given) {
	case 0:
		return "", nil
	case 1:
		return given[0], nil
	}
	return "", usageError(fmt.Errorf("--%s cannot be used together", strings.Join(given, " and --")))
}
