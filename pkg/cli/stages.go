package cli

import (
	"fmt"
)

const stagesShort = "List the stages"

const stagesLong = `Print the stages, one per line: those the configuration allows (.gto 'stages'), in their
order, then any other stage that tags use, in order of first use.`

type stagesCommand struct {
	app  *App
	JSON bool `long:"json" description:"Print a JSON list"`
}

func (c *stagesCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	// The stages in use come from the index of ls when the tags have not changed: the web
	// view asks for them on every page.
	sum, err := (&lsCommand{app: c.app}).registrySummary(c.app)
	if err != nil {
		return err
	}
	stages := c.app.stageColumns(sum.Stages)
	if c.JSON {
		return writeJSON(c.app.Stdout, append([]string{}, stages...))
	}
	for _, s := range stages {
		fmt.Fprintln(c.app.Stdout, s)
	}
	return nil
}
