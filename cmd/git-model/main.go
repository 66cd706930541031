// Command git-model is the git-model extension: with it on PATH, `git model …` runs it.
package main

import (
	"os"

	"github.com/git-model/git-model/pkg/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
