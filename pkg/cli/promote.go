package cli

import (
	"errors"

	"github.com/git-model/git-model/pkg/registry"
)

const promoteShort = "Assign a stage to a version"

const promoteLong = `Create the tag NAME#STAGE#N on the commit of the version to promote: --version vX.Y.Z, or the
version registered on REF (a commit-ish, HEAD by default). A commit without a version is
registered first (the next version, tag NAME@vX.Y.Z) unless --skip-registration, which assigns
the stage to the bare commit. A stage that already shows the version refuses a second
assignment unless --force; a version that stands in the stage but that the stage does not show
(a rollback to it) is promoted again without it. A new artifact whose name is within two edits
of one that exists (a typo) is refused unless --new.

With --simple the tag is NAME#STAGE; moving such a tag to another version needs --force, which
replaces it. 'git model assign' is the same command.`

type promoteCommand struct {
	app              *App
	Version          versionArg `long:"version" value-name:"vX.Y.Z" description:"Promote this registered version instead of the one on REF"`
	SkipRegistration bool       `long:"skip-registration" description:"Assign the stage to a commit that has no version without registering it"`
	Force            bool       `short:"f" long:"force" description:"Assign even when the stage shows the version already; move a simple stage tag"`
	New              bool       `long:"new" description:"Create the artifact even when its name is within two edits of one that exists"`
	tagFlags
	Args struct {
		Name  artifactArg `positional-arg-name:"NAME" required:"yes"`
		Stage stageArg    `positional-arg-name:"STAGE" required:"yes"`
		Ref   refArg      `positional-arg-name:"REF"`
	} `positional-args:"yes"`
}

func (c *promoteCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	if c.Version != "" && c.Args.Ref != "" {
		return usageError(errors.New("--version and REF cannot be used together"))
	}
	if err := c.app.checkStageAllowed(string(c.Args.Stage)); err != nil {
		return err
	}
	var commit string
	if c.Version == "" {
		if commit, err = c.app.resolveCommit(string(c.Args.Ref)); err != nil {
			return err
		}
	}
	if err := c.app.checkNewArtifact(string(c.Args.Name), c.New || c.Force); err != nil {
		return err
	}
	opts.Force = c.Force
	return c.app.write(string(c.Args.Name), &c.tagFlags, func(s *registry.State, opts registry.WriteOptions) (registry.Change, error) {
		return s.Assign(registry.AssignRequest{WriteOptions: opts, Artifact: string(c.Args.Name), Stage: string(c.Args.Stage),
			Version: string(c.Version), Commit: commit, SkipRegistration: c.SkipRegistration})
	}, opts)
}
