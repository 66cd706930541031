package cli

import (
	"fmt"

	"github.com/git-model/git-model/pkg/registry"
)

const fetchShort = "Fetch registry tags from a remote"

const fetchLong = `Fetch the registry tags of a remote, with the annotated tag objects and the commits they
need, and nothing else. A local tag that the remote has with another target is kept (as
git fetch keeps tags) unless --force. --prune deletes the local registry tags that the remote
no longer has.`

type fetchCommand struct {
	app    *App
	Remote string `long:"remote" value-name:"REMOTE" description:"The remote (default: model.remote, the branch's remote, origin)"`
	Prune  bool   `long:"prune" description:"Delete local registry tags that the remote no longer has"`
	Force  bool   `short:"f" long:"force" description:"Update local tags that the remote has with another target"`
}

func (c *fetchCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	repo, err := c.app.writableRepo()
	if err != nil {
		return err
	}
	remote := c.app.remoteName(repo, c.Remote)
	remoteTags, err := repo.RemoteTags(remote)
	if err != nil {
		return userError("%v", err)
	}
	local, err := repo.TagRefs()
	if err != nil {
		return fatalError(err)
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	var refspecs, report, kept []string
	for _, name := range sortedKeys(remoteTags) {
		if _, ok := registry.ParseTag(name); !ok || p[name] == "delete" {
			continue // not a registry tag, or deleted here and not pushed yet
		}
		ref := "refs/tags/" + name
		mine, has := local[name]
		switch {
		case !has:
			refspecs, report = append(refspecs, "+"+ref+":"+ref), append(report, " * [new tag]      "+name)
		case mine == remoteTags[name]:
		case c.Force:
			refspecs, report = append(refspecs, "+"+ref+":"+ref), append(report, " t [tag update]   "+name)
		default:
			kept = append(kept, name)
		}
	}
	if err := repo.Fetch(remote, refspecs); err != nil {
		return userError("%v", err)
	}
	if c.Prune {
		for _, name := range sortedKeys(local) {
			if _, ok := registry.ParseTag(name); !ok {
				continue
			}
			if _, has := remoteTags[name]; !has && p[name] == "" {
				if err := repo.DeleteTag(name); err != nil {
					return fatalError(err)
				}
				report = append(report, " - [deleted]      "+name)
			}
		}
	}
	if len(report) > 0 {
		fmt.Fprintf(c.app.Stdout, "From %s\n", remote)
		for _, line := range report {
			fmt.Fprintln(c.app.Stdout, line)
		}
	}
	if len(kept) > 0 {
		return userError("kept %s, which '%s' has with another target; use --force to take the remote's", quoteList(kept), remote)
	}
	return nil
}
