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
git fetch keeps tags) unless --force. --prune deletes the local registry tags that came from
the remote (fetched from it or pushed to it) and that it no longer has; tags never published
there stay, and are listed.`

type fetchCommand struct {
	app    *App
	Remote string `long:"remote" value-name:"REMOTE" description:"The remote (default: model.remote, the branch's remote, origin)"`
	Prune  bool   `long:"prune" description:"Delete local registry tags that came from the remote and that it no longer has"`
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
	key := repo.RemoteKey(remote)
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
	up := newRemoteUpdate()
	// Tags are created only where no local tag has the name at that moment, and moved (--force)
	// only from the target read here: a tag written here while the fetch runs is kept, never
	// overwritten (gitrepo.FetchTags).
	var updates []gitrepo.TagUpdate
	var report, kept, settled []string
	for _, name := range sortedKeys(remoteTags) {
		if _, ok := registry.ParseTag(name); !ok {
			continue
		}
		their := remoteTags[name]
		mine, has := local[name]
		e, recorded := p[name]
		if recorded && !has && e.Action == pendingDelete && (e.Old == "" || e.Old == their) {
			continue // deleted here and not pushed yet (without a lease: assume so, keep it)
		}
		if recorded && !has {
			// The remote's tag is not the one deleted or moved here: a teammate's, which the
			// record must not delete; take it, and the record has nothing left to do.
			settled = append(settled, name)
		}
		switch {
		case !has:
			updates = append(updates, gitrepo.TagUpdate{Name: name})
		case mine == their:
			up.published[name] = their
		case c.Force:
			updates = append(updates, gitrepo.TagUpdate{Name: name, Old: mine})
			if recorded {
				settled = append(settled, name)
			}
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
			continue
		case gitrepo.TagUnchanged:
		default:
			continue
		}
		up.published[u.Name] = remoteTags[u.Name]
	}
	slices.Sort(kept)
	settled = slices.DeleteFunc(settled, func(name string) bool { return slices.Contains(kept, name) })
	if err := c.settle(repo, settled); err != nil {
		return err
	}
	if fetchErr != nil {
		c.printReport(remote, report)
		_ = recordRemote(repo, key, up)
		return remoteFailure(fetchErr)
	}
	if c.Prune {
		more, err := c.prune(repo, key, local, remoteTags, p, up)
		report = append(report, more...)
		if err != nil {
			c.printReport(remote, report)
			_ = recordRemote(repo, key, up)
			return err
		}
	}
	if err := recordRemote(repo, key, up); err != nil {
		return err
	}
	c.printReport(remote, report)
	if len(kept) > 0 {
		return userError("kept %s, which '%s' has with another target; 'git model status' says what to do",
			quoteList(kept), gitrepo.RedactURL(remote))
	}
	return nil
}

// settle drops the pending records that the fetch made pointless.
func (c *fetchCommand) settle(repo *gitrepo.Repository, names []string) error {
	if len(names) == 0 {
		return nil
	}
	return updatePending(repo, func(p pending) {
		for _, name := range names {
			delete(p, name)
		}
	})
}

// prune deletes the local registry tags that came from the remote and that it no longer has:
// those the remote's record says were published there with the id they still have here. Each
// is deleted only if it still has that id (compare and swap), so that a tag written here
// meanwhile stays. Tags never published there (made here, never pushed) stay and are listed,
// as are those changed here since; deletions and moves not pushed yet are not touched.
func (c *fetchCommand) prune(repo *gitrepo.Repository, key string, local, remoteTags map[string]string, p pending, up *remoteUpdate) ([]string, error) {
	rec, err := readRemoteRecord(repo, key)
	if err != nil {
		return nil, err
	}
	var report []string
	for _, name := range sortedKeys(local) {
		if _, ok := registry.ParseTag(name); !ok {
			continue
		}
		if _, has := remoteTags[name]; has {
			continue
		}
		if _, recorded := p[name]; recorded {
			continue
		}
		if rec.published[name] != local[name] {
			report = append(report, "   [unpublished]  "+name)
			continue
		}
		deleted, err := repo.DeleteTagIf(name, local[name])
		if err != nil {
			return report, fatalError(err)
		}
		if deleted {
			report = append(report, " - [deleted]      "+name)
			up.gone = append(up.gone, name)
		}
	}
	return report, nil
}

// printReport prints what a fetch did, as git fetch does: "From REMOTE" (without a URL's user
// and password), then a line per tag.
func (c *fetchCommand) printReport(remote string, report []string) {
	if len(report) == 0 {
		return
	}
	fmt.Fprintf(c.app.Stdout, "From %s\n", gitrepo.RedactURL(remote))
	for _, line := range report {
		fmt.Fprintln(c.app.Stdout, terminalSafe(line))
	}
}
