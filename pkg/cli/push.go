package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/registry"
)

const pushShort = "Push registry tags to a remote"

const pushLong = `Push every registry tag (of the NAMEs given, else of every artifact) that the remote lacks,
with the deletions made with --delete and the simple stage tags moved with --force:
registrations first, then assignments and moves, then deregistrations and deprecations, then
deletions, at most model.pushBatch tags (3) per push so that GitHub creates a push event for
each. A deletion or a move goes only if the remote's tag is still the one it replaces; a tag
the remote has with another target is never overwritten: a numbered one (a teammate's
concurrent write of the same counter) is written again here under the next counter and
pushed, the teammate's fetched; others are reported. A tag the remote refuses does not keep
the others from going. Other tags and branches are never pushed.`

type pushCommand struct {
	app    *App
	Remote string `long:"remote" value-name:"REMOTE" description:"The remote (default: model.remote, the branch's remote, origin)"`
	Args   struct {
		Names []artifactArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

func (c *pushCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	repo, err := c.app.writableRepo()
	if err != nil {
		return err
	}
	var scope pushScope
	for _, name := range c.Args.Names {
		if err := registry.ValidateArtifactName(string(name)); err != nil {
			return userError("%v", err)
		}
		scope.artifacts = append(scope.artifacts, string(name))
	}
	return c.app.pushTags(repo, c.app.remoteName(repo, c.Remote), c.Remote, scope)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// quoteList names a few values in quotes: 'a', 'b' and 3 more.
func quoteList(values []string) string {
	const shown = 3
	var b strings.Builder
	for i, v := range values {
		if i == shown {
			fmt.Fprintf(&b, " and %d more", len(values)-shown)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + v + "'")
	}
	return b.String()
}
