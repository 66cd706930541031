package cli

import (
	"fmt"

	"github.com/git-model/git-model/pkg/annotation"
)

const removeShort = "Remove the annotation of an artifact"

const removeLong = `Delete the entry of NAME from artifacts.yaml (DIR/artifacts.yaml for DIR:NAME), with the
comment lines directly above it, keeping the rest of the file as it was. Tags are not touched.
The command does not commit, unless --commit.`

type removeCommand struct {
	app    *App
	Commit bool `long:"commit" description:"Commit the annotations file, and nothing else"`
	Args   struct {
		Name artifactArg `positional-arg-name:"NAME" required:"yes"`
	} `positional-args:"yes"`
}

func (c *removeCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	return c.app.editAnnotations(string(c.Args.Name), c.Commit, fmt.Sprintf("Remove the annotation of artifact '%s'", c.Args.Name),
		func(f *annotation.File, key string) (*annotation.File, error) {
			return f.Remove(key)
		})
}
