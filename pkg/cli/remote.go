package cli

import (
	"errors"
	"fmt"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/registry"
)

// writableRepo is Repo for the commands that write: they work on the repository at hand,
// never on one that --repo names (a URL's mirror is a cache that the next refresh replaces).
func (app *App) writableRepo() (*gitrepo.Repository, error) {
	if len(app.global.Repos) > 0 {
		return nil, usageError(errors.New("--repo is for reading; write in a clone of that repository"))
	}
	return app.Repo()
}

// remoteName is the remote that tags are published to: the --remote option, else git config
// model.remote, else the current branch's remote, else origin.
func (app *App) remoteName(repo *gitrepo.Repository, flag string) string {
	if flag != "" {
		return flag
	}
	if r, ok, _ := repo.ConfigValue("model.remote"); ok && r != "" {
		return r
	}
	if branch, ok := repo.HeadBranch(); ok {
		if r, ok, _ := repo.ConfigValue("branch." + branch + ".remote"); ok && r != "" {
			return r
		}
	}
	return "origin"
}

// publication is what a push sends: refspecs, and the lines that report them.
type publication struct {
	refspecs []string
	report   []string
	done     []string // pending entries this push settles
}

func (p *publication) add(refspec, report string) {
	p.refspecs = append(p.refspecs, refspec)
	p.report = append(p.report, report)
}

// publish pushes in one push and reports it; a failure leaves every local tag as it is and
// says how to retry. flag is the --remote option, repeated in the retry hint.
func (app *App) publish(repo *gitrepo.Repository, remote, flag string, pub publication) error {
	if len(pub.refspecs) == 0 {
		fmt.Fprintln(app.Stderr, "Everything up-to-date")
		return nil
	}
	if err := repo.Push(remote, pub.refspecs); err != nil {
		return pushError(remote, flag, err)
	}
	fmt.Fprintf(app.Stdout, "To %s\n", gitrepo.RedactURL(remote))
	for _, line := range pub.report {
		fmt.Fprintln(app.Stdout, line)
	}
	if len(pub.done) == 0 {
		return nil
	}
	return updatePending(repo, func(p pending) {
		for _, name := range pub.done {
			delete(p, name)
		}
	})
}

// pushError words a failed push: the tags stay, and how to retry. The remote is named as git
// names it, without a URL's user and password (in the retry hint too: the credential helpers
// give them again).
func pushError(remote, flag string, err error) error {
	retry := "git model push"
	if flag != "" {
		retry += " --remote " + shellQuote(gitrepo.RedactURL(flag))
	}
	hint := "the tags stay here; run '" + retry + "' to try again"
	var rejected *gitrepo.PushRejectedError
	if errors.As(err, &rejected) {
		return userError("%v; %s", err, hint)
	}
	var invalid *gitrepo.InvalidURLError
	if errors.As(err, &invalid) {
		return fatalError(err)
	}
	reason := err.Error()
	var remoteErr *gitrepo.RemoteError
	if errors.As(err, &remoteErr) {
		reason = remoteErr.Reason()
	}
	msg := fmt.Errorf("push to '%s' failed: %s; %s", gitrepo.RedactURL(remote), reason, hint)
	if gitrepo.IsLocalFailure(err) {
		return fatalError(msg)
	}
	return userError("%v", msg)
}

// remoteFailure words a failure of a remote operation: the local disk failing (read-only, full,
// no permission) and a URL refused before any request are fatal (128), as git makes them;
// anything of the remote's is an error (1).
func remoteFailure(err error) error {
	var invalid *gitrepo.InvalidURLError
	if errors.As(err, &invalid) || gitrepo.IsLocalFailure(err) {
		return fatalError(err)
	}
	return userError("%v", err)
}

// conflictError is a push that would overwrite tags the remote has with another target.
func conflictError(remote string, names []string) error {
	return userError("'%s' has %s with another target: run 'git model fetch --force' to take the remote's, then push again",
		gitrepo.RedactURL(remote), quoteList(names))
}

// pushChange publishes the tags one write created and deleted. A new tag that the remote has
// with another target is reported as push reports it, before anything is sent.
func (app *App) pushChange(repo *gitrepo.Repository, remote, flag string, change registry.Change) error {
	remoteTags, err := repo.RemoteTags(remote)
	if err != nil {
		return pushError(remote, flag, err)
	}
	local, err := repo.TagRefs()
	if err != nil {
		return fatalError(err)
	}
	var conflicts []string
	for _, t := range change.Create {
		if theirs, has := remoteTags[t.Name]; has && !t.Replace && theirs != local[t.Name] {
			conflicts = append(conflicts, t.Name)
		}
	}
	if len(conflicts) > 0 {
		return conflictError(remote, conflicts)
	}
	var pub publication
	for _, t := range change.Create {
		ref := "refs/tags/" + t.Name
		if t.Replace {
			pub.add("+"+ref+":"+ref, " + [moved tag]  "+t.Name)
			pub.done = append(pub.done, t.Name)
		} else {
			pub.add(ref+":"+ref, " * [new tag]    "+t.Name)
		}
	}
	for _, name := range change.Delete {
		pub.add(":refs/tags/"+name, " - [deleted]    "+name)
		pub.done = append(pub.done, name)
	}
	return app.publish(repo, remote, flag, pub)
}

// pushAfterWrite reports whether writes push: --push, or git config model.push.
func (app *App) pushAfterWrite(repo *gitrepo.Repository, flag bool) bool {
	if flag {
		return true
	}
	push, _ := repo.ConfigBool("model.push")
	return push
}
