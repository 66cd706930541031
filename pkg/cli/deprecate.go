package cli

import (
	"errors"

	"github.com/git-model/git-model/pkg/registry"
)

const deprecateShort = "Deregister a version, or deprecate a whole artifact"

const deprecateLong = `With VERSION, create the tag NAME@VERSION! that withdraws the version: it leaves every stage
and is no longer a candidate for latest. Without VERSION, create NAME@deprecated, which retires
the artifact (ls hides it until any later event); the tag goes on the commit of the artifact's
newest event unless --ref names another.

With --delete, remove tags instead of adding negative ones: the registration tags of VERSION,
or every tag of the artifact.`

type deprecateCommand struct {
	app *App
	Ref refArg `long:"ref" value-name:"REF" description:"Tag this commit-ish when deprecating the artifact (default: the commit of its newest event)"`
	retireFlags
	Args struct {
		Name    artifactArg `positional-arg-name:"NAME" required:"yes"`
		Version versionArg  `positional-arg-name:"VERSION"`
	} `positional-args:"yes"`
}

// retireFlags are the options of deprecate that deregister shares.
type retireFlags struct {
	Delete bool `long:"delete" description:"Delete tags instead of writing a deregistration or deprecation tag"`
	Force  bool `short:"f" long:"force" description:"Deprecate an artifact that is deprecated already"`
	tagFlags
}

const deregisterShort = "Deregister a version (deprecate NAME VERSION)"

const deregisterLong = `Create the tag NAME@VERSION! that withdraws the version, exactly as 'git model deprecate NAME
VERSION' does (GTO's deregister): it leaves every stage and is no longer a candidate for latest.
With --delete, remove its registration tags instead.`

// deregisterCommand is deprecate with a VERSION it requires, for those who know GTO's name.
type deregisterCommand struct {
	app *App
	retireFlags
	Args struct {
		Name    artifactArg `positional-arg-name:"NAME" required:"yes"`
		Version versionArg  `positional-arg-name:"VERSION" required:"yes"`
	} `positional-args:"yes"`
}

func (c *deregisterCommand) Execute(args []string) error {
	d := &deprecateCommand{app: c.app, retireFlags: c.retireFlags}
	d.Args.Name, d.Args.Version = c.Args.Name, c.Args.Version
	return d.Execute(args)
}

func (c *deprecateCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	opts.Delete, opts.Force = c.Delete, c.Force
	if c.Args.Version != "" {
		if c.Ref != "" {
			return usageError(errors.New("--ref applies to deprecating an artifact, not to deregistering a version"))
		}
		return c.app.write(string(c.Args.Name), &c.tagFlags, func(s *registry.State, opts registry.WriteOptions) (registry.Change, error) {
			return s.Deregister(registry.DeregisterRequest{WriteOptions: opts, Artifact: string(c.Args.Name), Version: string(c.Args.Version)})
		}, opts)
	}
	var commit string
	if c.Ref != "" {
		if commit, err = c.app.resolveCommit(string(c.Ref)); err != nil {
			return err
		}
	}
	return c.app.write(string(c.Args.Name), &c.tagFlags, func(s *registry.State, opts registry.WriteOptions) (registry.Change, error) {
		return s.Deprecate(registry.DeprecateRequest{WriteOptions: opts, Artifact: string(c.Args.Name), Commit: commit})
	}, opts)
}
