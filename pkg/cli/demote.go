package cli

import (
	"github.com/git-model/git-model/pkg/registry"
)

const demoteShort = "Take a version out of a stage"

const demoteLong = `Create the tag NAME#STAGE!#N on the commit of the version the stage shows (or of --version
vX.Y.Z), so that the stage falls back to the version assigned before. With --delete, remove the
tags that assigned the version to the stage instead. 'git model unassign' is the same command.`

type demoteCommand struct {
	app     *App
	Version versionArg `long:"version" value-name:"vX.Y.Z" description:"Demote this version (default: the one the stage shows)"`
	Delete  bool       `long:"delete" description:"Delete the assignment tags instead of writing an unassignment tag"`
	tagFlags
	Args struct {
		Name  artifactArg `positional-arg-name:"NAME" required:"yes"`
		Stage stageArg    `positional-arg-name:"STAGE" required:"yes"`
	} `positional-args:"yes"`
}

func (c *demoteCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	opts.Delete = c.Delete
	return c.app.write(string(c.Args.Name), &c.tagFlags, func(s *registry.State, opts registry.WriteOptions) (registry.Change, error) {
		return s.Unassign(registry.UnassignRequest{WriteOptions: opts, Artifact: string(c.Args.Name), Stage: string(c.Args.Stage), Version: string(c.Version)})
	}, opts)
}
