package cli

import (
	"errors"

	"github.com/git-model/git-model/pkg/registry"
)

const registerShort = "Register a version of an artifact"

const registerLong = `Create the tag NAME@vX.Y.Z on REF (a commit-ish, HEAD by default). Without --version the
version is chosen: v0.0.1 for the first one, else the greatest active version with its patch
part bumped (or minor, or major), skipping version strings that were taken before.

A version string is registered once per artifact; a deregistered version can be registered
again on its own commit. A commit that already carries a version of the artifact, active or
deregistered, refuses a second one unless --force (GTO cannot read two versions on one commit;
bring a deregistered version back by registering that same version again). A new artifact whose
name is within two edits of one that exists (a typo) is refused unless --new.`

type registerCommand struct {
	app       *App
	Version   versionArg `long:"version" value-name:"vX.Y.Z" description:"The version to register (default: the next one)"`
	BumpMajor bool       `long:"bump-major" description:"Choose the next version by bumping the major part"`
	BumpMinor bool       `long:"bump-minor" description:"Choose the next version by bumping the minor part"`
	BumpPatch bool       `long:"bump-patch" description:"Choose the next version by bumping the patch part (the default)"`
	Force     bool       `short:"f" long:"force" description:"Register even when the commit already has a version, or re-register a deregistered version elsewhere"`
	New       bool       `long:"new" description:"Create the artifact even when its name is within two edits of one that exists"`
	tagFlags
	Args struct {
		Name artifactArg `positional-arg-name:"NAME" required:"yes"`
		Ref  refArg      `positional-arg-name:"REF"`
	} `positional-args:"yes"`
}

func (c *registerCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	opts, err := c.options()
	if err != nil {
		return err
	}
	bump, err := bumpPart(c.BumpMajor, c.BumpMinor, c.BumpPatch, c.Version != "")
	if err != nil {
		return err
	}
	commit, err := c.app.resolveCommit(string(c.Args.Ref))
	if err != nil {
		return err
	}
	if err := c.app.checkNewArtifact(string(c.Args.Name), c.New || c.Force); err != nil {
		return err
	}
	opts.Force = c.Force
	return c.app.write(string(c.Args.Name), &c.tagFlags, func(s *registry.State, opts registry.WriteOptions) (registry.Change, error) {
		return s.Register(registry.RegisterRequest{WriteOptions: opts, Artifact: string(c.Args.Name), Commit: commit, Version: string(c.Version), Bump: bump})
	}, opts)
}

// bumpPart reads the bump flags: at most one, and none with an explicit version.
func bumpPart(major, minor, patch, explicit bool) (registry.Bump, error) {
	n := 0
	for _, set := range []bool{major, minor, patch} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return 0, usageError(errors.New("--bump-major, --bump-minor and --bump-patch cannot be used together"))
	case n == 1 && explicit:
		return 0, usageError(errors.New("--version cannot be used with --bump-major, --bump-minor or --bump-patch"))
	case major:
		return registry.BumpMajor, nil
	case minor:
		return registry.BumpMinor, nil
	}
	return registry.BumpPatch, nil
}
