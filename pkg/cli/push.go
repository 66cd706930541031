package cli

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/registry"
)

const pushShort = "Push registry tags to a remote"

const pushLong = `Push, in one push, every registry tag (of the NAMEs given, else of every artifact) that the
remote lacks, the deletions made with --delete and the simple stage tags moved with --force.
A tag that the remote has with another target is not overwritten: fetch it first. Other tags
and branches are never pushed.`

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
	wanted := func(artifact string) bool {
		return len(c.Args.Names) == 0 || slices.Contains(c.Args.Names, artifactArg(artifact))
	}
	for _, name := range c.Args.Names {
		if err := registry.ValidateArtifactName(string(name)); err != nil {
			return userError("%v", err)
		}
	}
	remote := c.app.remoteName(repo, c.Remote)
	local, err := repo.TagRefs()
	if err != nil {
		return fatalError(err)
	}
	remoteTags, err := repo.RemoteTags(remote)
	if err != nil {
		return remoteFailure(err)
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	var pub publication
	var conflicts []string
	for _, name := range sortedKeys(local) {
		t, ok := registry.ParseTag(name)
		if !ok || !wanted(t.Artifact) {
			continue
		}
		ref := "refs/tags/" + name
		theirs, has := remoteTags[name]
		switch {
		case !has:
			pub.add(ref+":"+ref, " * [new tag]    "+name)
		case theirs == local[name]:
		case p[name] == "replace":
			pub.add("+"+ref+":"+ref, " + [moved tag]  "+name)
			pub.done = append(pub.done, name)
		default:
			conflicts = append(conflicts, name)
		}
	}
	for _, name := range sortedKeys(p) {
		t, ok := registry.ParseTag(name)
		if p[name] != "delete" || !ok || !wanted(t.Artifact) {
			continue
		}
		if _, still := local[name]; still {
			pub.done = append(pub.done, name) // created again since: nothing to delete
			continue
		}
		if _, has := remoteTags[name]; has {
			pub.add(":refs/tags/"+name, " - [deleted]    "+name)
		}
		pub.done = append(pub.done, name)
	}
	if len(conflicts) > 0 {
		return conflictError(remote, conflicts)
	}
	return c.app.publish(repo, remote, c.Remote, pub)
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
