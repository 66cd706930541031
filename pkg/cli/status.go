package cli

import (
	"errors"
	"fmt"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

const statusShort = "Show what is not in sync with the remote"

const statusLong = `Show, like git status for the registry, what is not in sync with the remote: tags never
published, deletions and moves waiting for a push (with the id the remote's tag must still
have), tags the remote has with another target (conflicts), and tags the remote refused (with
its reason), each with the command that resolves it. The NAMEs given limit it to those
artifacts.

Unlike git status, it asks the remote: git-model keeps no remote-tracking tags, and only the
remote knows whether a teammate wrote a tag of the same name. With --offline it reads only
what the last push and fetch recorded, and cannot tell conflicts.`

type statusCommand struct {
	app    *App
	Remote string `long:"remote" value-name:"REMOTE" description:"The remote (default: model.remote, the branch's remote, origin)"`
	JSON   bool   `long:"json" description:"Print a JSON list"`
	Args   struct {
		Names []artifactArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

// statusEntry is one tag that is not in sync. Fields are in alphabetical order (writeJSON).
type statusEntry struct {
	Artifact string `json:"artifact"`
	Fix      string `json:"fix"`
	Lease    string `json:"lease,omitempty"`  // pending deletions and moves: the id the remote must have
	Local    string `json:"local,omitempty"`  // the local tag's id
	Reason   string `json:"reason,omitempty"` // why: the remote's words for a rejection
	Remote   string `json:"remote,omitempty"` // the remote's tag's id, when it has one
	State    string `json:"state"`            // unpublished, deletion, move, conflict, collision, rejected
	Tag      string `json:"tag"`
}

// The headings of the states, in the order they are printed.
var statusHeadings = []struct{ state, heading string }{
	{"unpublished", "Tags not published"},
	{"deletion", "Deletions to push"},
	{"move", "Moved tags to push"},
	{"collision", "Tags whose counter a teammate used too"},
	{"conflict", "Conflicts: the remote has another tag of the name"},
	{"rejected", "Tags the remote refused"},
}

func (c *statusCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	repo, err := c.app.writableRepo()
	if err != nil {
		return err
	}
	scope := pushScope{}
	for _, name := range c.Args.Names {
		if err := registry.ValidateArtifactName(string(name)); err != nil {
			return userError("%v", err)
		}
		scope.artifacts = append(scope.artifacts, string(name))
	}
	remote := c.app.remoteName(repo, c.Remote)
	offline := c.app.global.Offline
	var theirs map[string]string
	if !offline {
		theirs, err = repo.RemoteTags(remote)
		var invalid *gitrepo.InvalidURLError
		if errors.As(err, &invalid) || gitrepo.IsLocalFailure(err) {
			return fatalError(err)
		}
		if err != nil {
			c.app.warn([]string{fmt.Sprintf("%v; showing what was recorded (--offline)", err)})
			offline = true
		}
	}
	entries, err := c.entries(repo, remote, scope, theirs, offline)
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(c.app.Stdout, entries)
	}
	c.print(remote, entries, offline)
	return nil
}

// entries compares the local tags and the records with the remote's tags (theirs; with
// offline, with what was recorded of them).
func (c *statusCommand) entries(repo *gitrepo.Repository, remote string, scope pushScope, theirs map[string]string, offline bool) ([]statusEntry, error) {
	local, err := repo.TagRefs()
	if err != nil {
		return nil, fatalError(err)
	}
	p, err := readPending(repo)
	if err != nil {
		return nil, err
	}
	rec, err := readRemoteRecord(repo, repo.RemoteKey(remote))
	if err != nil {
		return nil, err
	}
	if offline {
		theirs = rec.published // the remote as last seen
	}
	entries := []statusEntry{}
	names := map[string]bool{}
	for name := range local {
		names[name] = true
	}
	for name := range p {
		names[name] = true
	}
	retry := retryCommand(c.Remote)
	for _, name := range sortedKeys(names) {
		t, ok := registry.ParseTag(name)
		if !ok || !scope.wants(t) {
			continue
		}
		mine, here := local[name]
		their, there := theirs[name]
		e := statusEntry{Artifact: t.Artifact, Tag: name, Local: mine, Remote: their}
		pend, recorded := p[name]
		if recorded && pend.undone(mine, here) {
			recorded = false // push drops the record
		}
		switch {
		case recorded && (!here || !there || their != mine):
			if !here && pend.Action != pendingDelete {
				continue // a moved tag deleted since with git tag -d: push drops the record
			}
			e.State, e.Lease, e.Fix = "move", pend.Old, retry
			did, send := "moved", name
			if !here {
				e.State, did, send = "deletion", "deleted", gitrepo.DeleteRefspec(name)
			}
			switch {
			case !there && !here:
				e.Reason, e.Fix = "the remote has it no more", retry+" (drops the record)"
			case pend.Old == "":
				e.Reason = "recorded by an older git-model without the id the tag had"
				at := shellQuote(gitrepo.RedactURL(remote))
				e.Fix = fmt.Sprintf("check the remote's tag ('git ls-remote %s %s'); if it is the one you %s, 'git push --force %s %s', then '%s'",
					at, shellQuote("refs/tags/"+name), did, at, shellQuote(send), retry)
			case offline || !there || their == pend.Old:
			default:
				e.State = "conflict"
				e.Reason = "the remote's tag is not the one " + did + " here: a teammate's"
				e.Fix = conflictFix(t, name, mine, repo, here)
			}
		case recorded:
			continue // pushed already: the next push drops the record
		case !here:
			continue
		case !offline && there && their != mine && t.HasCounter:
			e.State, e.Fix = "collision", retry+" (writes yours again under the next counter and fetches theirs)"
		case !offline && there && their != mine:
			e.State, e.Reason = "conflict", conflictTargets(repo, their, mine)
			e.Fix = conflictFix(t, name, mine, repo, true)
		case there && their == mine:
			continue
		case rec.rejected[name].ID == mine:
			e.State, e.Reason = "rejected", rec.rejected[name].Reason
			e.Fix = "have the remote accept it (see the reason), then '" + retry + "'"
		default:
			e.State, e.Fix = "unpublished", retry
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// conflictFix is how to resolve a tag the remote has with another target without losing the
// local event: write it again in a form that does not collide, then drop the local tag of the
// name by hand and fetch the remote's (never fetch --force, which would drop other local
// tags silently).
func conflictFix(t registry.Tag, name, mine string, repo *gitrepo.Repository, here bool) string {
	drop := fmt.Sprintf("then 'git tag -d %s' and 'git model fetch' take the remote's", shellQuote(name))
	if !here {
		return "'git model fetch' takes the remote's tag and drops the deletion"
	}
	commit, _ := repo.PeelCommit(mine)
	short := object.Short(commit)
	artifact := shellQuote(t.Artifact)
	switch t.Action {
	case registry.ActionRegister:
		return fmt.Sprintf("register your commit under another version ('git model register %s --force %s'), %s", artifact, short, drop)
	case registry.ActionAssign:
		return fmt.Sprintf("record your assignment as a numbered tag ('git model promote %s %s %s --force --no-simple'), %s", artifact, shellQuote(t.Stage), short, drop)
	case registry.ActionUnassign:
		return fmt.Sprintf("record your unassignment as a numbered tag ('git model demote %s %s --no-simple'), %s", artifact, shellQuote(t.Stage), drop)
	}
	return "the remote's tag records the same action; " + drop
}

// print shows the entries as git status shows files: a heading per state, a line per tag.
func (c *statusCommand) print(remote string, entries []statusEntry, offline bool) {
	w := c.app.Stdout
	how := ""
	if offline {
		how = " (as last pushed and fetched; conflicts not checked)"
	}
	fmt.Fprintf(w, "Registry tags compared with '%s'%s\n", gitrepo.RedactURL(remote), how)
	if len(entries) == 0 {
		fmt.Fprintln(w, "Everything up-to-date")
		return
	}
	for _, h := range statusHeadings {
		first := true
		for _, e := range entries {
			if e.State != h.state {
				continue
			}
			if first {
				fmt.Fprintf(w, "\n%s:\n", h.heading)
				first = false
			}
			line := "\t" + e.Tag
			if e.Lease != "" {
				line += "  (lease " + object.Short(e.Lease) + ")"
			}
			if e.Reason != "" {
				line += "  " + e.Reason
			}
			fmt.Fprintln(w, terminalSafe(line))
			fmt.Fprintln(w, terminalSafe("\t  to resolve: "+e.Fix))
		}
	}
}
