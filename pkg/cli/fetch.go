package cli

import (
	"fmt"
	"slices"

	"github.com/git-model/git-model/pkg/gitrepo"
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
		return remoteFailure(err)
	}
	local, err := repo.TagRefs()
	if err != nil {
		return fatalError(err)
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	// Tags are created only where no local tag has the name at that moment, and moved (--force)
	// only from the target read here: a tag written here while the fetch runs is kept, never
	// overwritten (gitrepo.FetchTags).
	var updates []gitrepo.TagUpdate
	var report, kept []string
	for _, name := range sortedKeys(remoteTags) {
		if _, ok := registry.ParseTag(name); !ok || p[name] == "delete" {
			continue // not a registry tag, or deleted here and not pushed yet
		}
		mine, has := local[name]
		switch {
		case !has:
			updates = append(updates, gitrepo.TagUpdate{Name: name})
		case mine == remoteTags[name]:
		case c.Force:
			updates = append(updates, gitrepo.TagUpdate{Name: name, Old: mine})
		default:
			kept = append(kept, name)
		}
	}
	outcome, fetchErr := repo.FetchTags(remote, updates)
	for _, u := range updates {
		switch outcome[u.Name] {
		case gitrepo.TagCreated:
			report = append(report, " * [new tag]      "+u.Name)
		case gitrepo.TagUpdated:
			report = append(report, " t [tag update]   "+u.Name)
		case gitrepo.TagKept:
			kept = append(kept, u.Name)
		}
	}
	slices.Sort(kept)
	if fetchErr != nil {
		c.printReport(remote, report)
		return remoteFailure(fetchErr)
	}
	if c.Prune {
		for _, name := range sortedKeys(local) {
			if _, ok := registry.ParseTag(name); !ok {
				continue
			}
			if _, has := remoteTags[name]; !has && p[name] == "" {
				if err := repo.DeleteTag(name); err != nil {
					c.printReport(remote, report)
					return fatalError(err)
				}
				report = append(report, " - [deleted]      "+name)
			}
		}
	}
	c.printReport(remote, report)
	if len(kept) > 0 {
		return userError("kept %s, which '%s' has with another target; use --force to take the remote's",
			quoteList(kept), gitrepo.RedactURL(remote))
	}
	return nil
}

// printReport prints what a fetch did, as git fetch does: "From REMOTE" (without a URL's user
// and password), then a line per tag.
func (c *fetchCommand) printReport(remote string, report []string) {
	if len(report) == 0 {
		return
	}
	fmt.Fprintf(c.app.Stdout, "From %s\n", gitrepo.RedactURL(remote))
	for _, line := range report {
		fmt.Fprintln(c.app.Stdout, line)
	}
}
