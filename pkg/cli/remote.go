package cli

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

// writableRepo is Repo for the commands that write elsewhere than in tags (annotations,
// push and fetch records): they work on the repository at hand, never on one that --repo names
// (a URL's mirror is a cache that the next refresh replaces). Tag writes go through tagRepo.
func (app *App) writableRepo() (*gitrepo.Repository, error) {
	if len(app.global.Repos) > 0 {
		return nil, usageError(errors.New("--repo is for reading; write in a clone of that repository"))
	}
	return app.Repo()
}

// tagRepo is Repo for the writes of tags (register, promote, demote, deprecate, deregister):
// the repository at hand, or the one -R names. A path is written in directly, as git -C
// would. A URL is written through its mirror in the cache, freshly refreshed, and what the
// write creates is pushed to the URL at once (pushAfterWrite, remoteName) with the guarantees
// of 'git model push', as GTO's -r URL --push does; if the push fails the remote is
// unchanged, and the mirror's next refresh drops the tags the remote lacks.
func (app *App) tagRepo() (*gitrepo.Repository, error) {
	switch {
	case len(app.global.Repos) > 1:
		return nil, usageError(errors.New("a write goes to one repository (--repo given more than once)"))
	case app.mirrorURL() != "" && app.global.Offline:
		return nil, usageError(errors.New("--offline cannot write to --repo URL: the tags are pushed there at once"))
	}
	return app.Repo()
}

// mirrorURL is the URL that -R names, whose mirror a write goes through ("" when the
// repository is one of the user's: the current one, or a path).
func (app *App) mirrorURL() string {
	if len(app.global.Repos) == 1 && isURL(app.global.Repos[0]) {
		return app.global.Repos[0]
	}
	return ""
}

// remoteName is the remote that tags are published to: the URL of -R URL (a mirror has no
// remote of its own), the --remote option, else git config model.remote, else the current
// branch's remote, else origin.
func (app *App) remoteName(repo *gitrepo.Repository, flag string) string {
	if url := app.mirrorURL(); url != "" {
		return url
	}
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

// pushError words a push that could not run at all: the tags stay, and how to retry. The
// remote is named as git names it, without a URL's user and password (in the retry hint too:
// the credential helpers give them again).
func (app *App) pushError(remote, flag string, err error) error {
	hint := "the tags stay here; run '" + retryCommand(flag) + "' to try again"
	if app.mirrorURL() != "" {
		hint = mirrorRetry
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

// mirrorRetry is the hint of a failed push of a write through -R URL: its tags were made in the
// cache's mirror, whose next refresh drops what the remote lacks, so there is nothing to push
// later from here.
const mirrorRetry = "nothing is kept: a write through --repo URL lives in the cache only until its next refresh; run the command again"

// retryCommand is the git model push that retries a push to the remote of the --remote flag.
func retryCommand(flag string) string {
	retry := "git model push"
	if flag != "" {
		retry += " --remote " + shellQuote(gitrepo.RedactURL(flag))
	}
	return retry
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

// pushChange publishes the tags one write created and deleted, with the registrations they
// need that the remote lacks: the same push as 'git model push' (pushTags), limited to them.
func (app *App) pushChange(repo *gitrepo.Repository, remote, flag string, change registry.Change) error {
	var names []string
	for _, t := range change.Create {
		names = append(names, t.Name)
	}
	names = append(names, change.Delete...)
	return app.pushTags(repo, remote, flag, pushScope{names: names})
}

// pushAfterWrite reports whether writes push: --push, git config model.push, or a write to
// -R URL, which is pushed at once (tagRepo).
func (app *App) pushAfterWrite(repo *gitrepo.Repository, flag bool) bool {
	if flag || app.mirrorURL() != "" {
		return true
	}
	push, _ := repo.ConfigBool("model.push")
	return push
}

// pushBatch is how many tags one push sends at most: git config model.pushBatch, 3 by
// default; 0 or less means everything in one push. GitHub creates no push event, and so runs
// no workflow, for the tags of a push that sends more than three tags at once: a deployment
// triggered by a prod assignment would silently not happen.
func pushBatch(repo *gitrepo.Repository) int {
	if v, ok, _ := repo.ConfigValue("model.pushBatch"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return 3
}

// The phases of a push, in the order they are sent, each in pushes of its own. A version's
// registration goes before the assignments that need it, so that no reader (CI on the
// remote, a teammate's fetch) sees a stage at a bare commit id; moved simple stage tags go
// with the assignments, after the registration of the version they now point to; then the
// deregistrations and deprecations, so that a stage handed over to a new version never falls
// back to an older one in between; deletions last, for the same reason (a deleted assignment
// makes its stage fall back). A phase waits for the answers of the one before: an assignment
// whose registration the remote refused is not sent.
const (
	phaseRegister = iota
	phaseAssign
	phaseRetire
	phaseDelete
	phases
)

func phaseOf(t registry.Tag, deletion bool) int {
	switch {
	case deletion:
		return phaseDelete
	case t.Action == registry.ActionRegister:
		return phaseRegister
	case t.Action == registry.ActionAssign || t.Action == registry.ActionUnassign:
		return phaseAssign
	}
	return phaseRetire
}

// pushScope is what a push is about: every registry tag (of the artifacts named, when some
// are), or the tags of one write.
type pushScope struct {
	artifacts []string // push NAME…; none: every artifact
	names     []string // a write's tags (created and deleted); nil: as artifacts says
}

func (s pushScope) wants(t registry.Tag) bool {
	return len(s.artifacts) == 0 || slices.Contains(s.artifacts, t.Artifact)
}

// pushItem is one tag update that a push sends.
type pushItem struct {
	name   string
	tag    registry.Tag
	update gitrepo.RefUpdate
	phase  int
	needs  []string // registrations that the remote must take first
	settle bool     // the pending record of the tag goes once the remote took it
}

// line is how git push reports the update once the remote took it.
func (it *pushItem) line() string {
	switch {
	case it.update.New == "":
		return " - [deleted]    " + it.name
	case it.update.Old != "":
		return " + [moved tag]  " + it.name
	}
	return " * [new tag]    " + it.name
}

// pushConflict is a tag that the push does not send: the remote has another tag of the name.
// A reason left "" is a tag here and there with other targets, worded once the remote's object
// is here (describeConflicts).
type pushConflict struct {
	name, reason string
	their, mine  string
}

// collision is a numbered tag that the remote has with another target: a teammate wrote the
// same counter at the same time (pushPlan renumbers ours).
type collision struct {
	name        string
	tag         registry.Tag
	mine, their string
}

// pushPlan is what a push sends, after comparing the local tags and the pending record with
// the remote's tags.
type pushPlan struct {
	items      []*pushItem
	conflicts  []pushConflict
	collisions []collision
	inSync     map[string]string // tags the remote has as here
	settled    []string          // pending entries with nothing left to send
}

// planPush compares the local tags (local), the pending deletions and moves (p) and the
// remote's tags (theirs). A tag is created on the remote only where it has none of the name;
// a deletion or a move is sent only with its lease, the id the remote's tag must still have;
// anything else the remote has is a teammate's, never overwritten.
func (app *App) planPush(repo *gitrepo.Repository, scope pushScope, local, theirs map[string]string, p pending) (*pushPlan, error) {
	plan := &pushPlan{inSync: map[string]string{}}
	candidates := map[string]bool{}
	if scope.names != nil {
		for _, name := range scope.names {
			candidates[name] = true
		}
	} else {
		for name := range local {
			candidates[name] = true
		}
		for name := range p {
			candidates[name] = true
		}
	}
	byName := map[string]*pushItem{}
	add := func(it *pushItem) {
		plan.items = append(plan.items, it)
		byName[it.name] = it
	}
	for _, name := range sortedKeys(candidates) {
		t, ok := registry.ParseTag(name)
		if !ok || !scope.wants(t) {
			continue
		}
		mine, here := local[name]
		their, there := theirs[name]
		e, recorded := p[name]
		if recorded && e.undone(mine, here) {
			plan.settled = append(plan.settled, name)
			recorded = false
		}
		switch {
		case !here:
			switch {
			case !recorded || e.Action != pendingDelete || !there:
				// Deleted on both sides, or a moved tag deleted since with git tag -d: nothing
				// git-model recorded to send.
				if recorded {
					plan.settled = append(plan.settled, name)
				}
			case e.Old == "":
				plan.conflicts = append(plan.conflicts, pushConflict{name: name, reason: "deletion recorded without the id the tag had, by an older git-model"})
			case their == e.Old:
				add(&pushItem{name: name, tag: t, update: gitrepo.RefUpdate{Name: name, Old: e.Old}, phase: phaseDelete, settle: true})
			default:
				plan.conflicts = append(plan.conflicts, pushConflict{name: name, reason: "stale info: the remote's tag is not the one deleted here"})
			}
		case !there:
			add(&pushItem{name: name, tag: t, update: gitrepo.RefUpdate{Name: name, New: mine}, phase: phaseOf(t, false), settle: recorded})
		case their == mine:
			plan.inSync[name] = mine
			if recorded {
				plan.settled = append(plan.settled, name)
			}
		case recorded && e.Old == "":
			plan.conflicts = append(plan.conflicts, pushConflict{name: name, reason: "move recorded without the id the tag had, by an older git-model"})
		case recorded && their == e.Old:
			add(&pushItem{name: name, tag: t, update: gitrepo.RefUpdate{Name: name, New: mine, Old: e.Old}, phase: phaseOf(t, false), settle: true})
		case recorded:
			plan.conflicts = append(plan.conflicts, pushConflict{name: name, reason: "stale info: the remote's tag moved since it was moved here"})
		case t.HasCounter:
			plan.collisions = append(plan.collisions, collision{name: name, tag: t, mine: mine, their: their})
		default:
			plan.conflicts = append(plan.conflicts, pushConflict{name: name, their: their, mine: mine})
		}
	}
	return plan, app.closure(repo, plan, byName, local, theirs, add)
}

// conflictTargets says where the remote's tag and the local one of a name point, for a conflict.
func conflictTargets(repo *gitrepo.Repository, their, mine string) string {
	where := func(id string) string {
		if commit, ok := repo.PeelCommit(id); ok {
			return object.Short(commit)
		}
		return "tag object " + object.Short(id)
	}
	return fmt.Sprintf("already exists: the remote's is on %s, yours on %s", where(their), where(mine))
}

// describeConflicts words the conflicts of tags that are here and there with other targets:
// where each points, here and on the remote. The remote's tag objects are fetched for that
// (FetchTags keeps the local tags; only the objects stay).
func (app *App) describeConflicts(repo *gitrepo.Repository, remote string, conflicts []pushConflict) {
	var fetch []gitrepo.TagUpdate
	for _, c := range conflicts {
		if c.reason == "" {
			if _, ok := repo.PeelCommit(c.their); !ok {
				fetch = append(fetch, gitrepo.TagUpdate{Name: c.name})
			}
		}
	}
	_, _ = repo.FetchTags(remote, fetch) // without the objects, the ids are named instead
	for i, c := range conflicts {
		if c.reason == "" {
			conflicts[i].reason = conflictTargets(repo, c.their, c.mine)
		}
	}
}

// closure adds to a plan the registrations that its assignments and unassignments need and
// the remote lacks: the version registered on the same commit (docs/registry.md §3), else the
// remote would show the stage at a bare commit id.
func (app *App) closure(repo *gitrepo.Repository, plan *pushPlan, byName map[string]*pushItem, local, theirs map[string]string, add func(*pushItem)) error {
	states := map[string]*registry.State{}
	for _, it := range slices.Clone(plan.items) {
		if it.update.New == "" || it.phase != phaseAssign {
			continue
		}
		state, ok := states[it.tag.Artifact]
		if !ok {
			var err error
			if state, err = app.stateOf(it.tag.Artifact); err != nil {
				return err
			}
			states[it.tag.Artifact] = state
		}
		a := state.Artifacts[it.tag.Artifact]
		if a == nil {
			continue
		}
		var commit string
		for _, e := range a.Events {
			if e.Name == it.name {
				commit = e.Commit
			}
		}
		for _, e := range a.Events {
			if e.Action != registry.ActionRegister || e.Commit != commit || commit == "" {
				continue
			}
			switch their, there := theirs[e.Name]; {
			case there && their == local[e.Name]:
				continue
			case byName[e.Name] == nil && !there:
				add(&pushItem{name: e.Name, tag: e.Tag, update: gitrepo.RefUpdate{Name: e.Name, New: local[e.Name]}, phase: phaseRegister})
			case byName[e.Name] == nil && !slices.ContainsFunc(plan.conflicts, func(c pushConflict) bool { return c.name == e.Name }):
				plan.conflicts = append(plan.conflicts, pushConflict{name: e.Name, their: their, mine: local[e.Name]})
			}
			it.needs = append(it.needs, e.Name)
		}
	}
	return nil
}

// pushTags is the one push of git-model: 'git model push', and --push or model.push on the
// writes. It compares the local tags with the remote's, renumbers the numbered tags that
// collide with a teammate's, and sends the rest in phases and batches (see phaseRegister and
// pushBatch), reporting each tag as git push does; a tag the remote refuses never keeps the
// others from going. What it learns of the remote is recorded (recordRemote) and the pending
// deletions and moves it sent are settled.
func (app *App) pushTags(repo *gitrepo.Repository, remote, flag string, scope pushScope) error {
	key := repo.RemoteKey(remote)
	theirs, err := repo.RemoteTags(remote)
	if err != nil {
		return app.pushError(remote, flag, err)
	}
	local, err := repo.TagRefs()
	if err != nil {
		return fatalError(err)
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	plan, err := app.planPush(repo, scope, local, theirs, p)
	if err != nil {
		return err
	}
	up := newRemoteUpdate()
	var renumbered []renumbering
	if len(plan.collisions) > 0 {
		var conflicts []pushConflict
		renumbered, conflicts, err = app.renumber(repo, remote, plan.collisions, theirs, local, up)
		if err != nil {
			_ = recordRemote(repo, key, up)
			return err
		}
		if local, err = repo.TagRefs(); err != nil {
			return fatalError(err)
		}
		if scope.names != nil {
			for _, r := range renumbered {
				scope.names = append(scope.names, r.to)
			}
		}
		if plan, err = app.planPush(repo, scope, local, theirs, p); err != nil {
			return err
		}
		for _, c := range conflicts {
			plan.conflicts = append(plan.conflicts, c)
		}
		plan.collisions = nil
	}
	for name, id := range plan.inSync {
		up.published[name] = id
	}
	out := &pushReport{app: app, remote: remote}
	failed := map[string]bool{}
	for _, c := range plan.conflicts {
		failed[c.name] = true
	}
	var settled []string
	settled = append(settled, plan.settled...)
	rec, err := readRemoteRecord(repo, key)
	if err != nil {
		return err
	}
	var runErr error
	batch := pushBatch(repo)
	// Each phase is a group of pushes; with no batch limit, everything is one push, in the
	// order of the phases (the remote then takes or refuses an assignment whatever became of
	// its registration).
	groups := make([][]*pushItem, phases)
	for _, it := range plan.items {
		g := it.phase
		if batch <= 0 {
			g = 0
		}
		groups[g] = append(groups[g], it)
	}
	for g := range groups {
		slices.SortStableFunc(groups[g], func(x, y *pushItem) int { return x.phase - y.phase })
	}
	for _, group := range groups {
		if runErr != nil {
			break
		}
		// Tags the remote refused before go last, each in a push of its own: a pre-receive
		// hook that refuses a whole push for one of them would otherwise take the others down
		// again.
		var items, retried []*pushItem
		for _, it := range group {
			if blocked := slices.IndexFunc(it.needs, func(n string) bool { return failed[n] }); blocked >= 0 {
				failed[it.name] = true
				out.line(fmt.Sprintf(" ! [not sent]   %s (its registration %s was not taken)", it.name, it.needs[blocked]))
				continue
			}
			if r, ok := rec.rejected[it.name]; ok && r.ID == it.update.New {
				retried = append(retried, it)
			} else {
				items = append(items, it)
			}
		}
		alone := len(items)
		items = append(items, retried...)
		for len(items) > 0 && runErr == nil {
			n := len(items)
			if batch > 0 && n > batch {
				n = batch
			}
			if alone <= 0 {
				n = 1
			} else if n > alone {
				n = alone
			}
			alone -= n
			chunk := items[:n]
			items = items[n:]
			updates := make([]gitrepo.RefUpdate, len(chunk))
			for i, it := range chunk {
				updates[i] = it.update
			}
			results, messages, err := repo.PushTagsMessages(remote, updates)
			for _, m := range messages {
				fmt.Fprintf(app.Stderr, "remote: %s\n", terminalSafe(m))
			}
			if err != nil {
				runErr = err
				break
			}
			for i, it := range chunk {
				why := results[i].Reason
				if why == "" {
					out.line(it.line())
					if it.update.New == "" {
						up.gone = append(up.gone, it.name)
					} else {
						up.published[it.name] = it.update.New
					}
					if it.settle {
						settled = append(settled, it.name)
					}
					continue
				}
				failed[it.name] = true
				out.line(fmt.Sprintf(" ! [rejected]   %s (%s)", it.name, why))
				reason := why
				if len(messages) > 0 {
					reason += ": " + joinMessages(messages)
				}
				up.rejected[it.name] = rejection{ID: it.update.New, Reason: reason}
			}
		}
	}
	app.describeConflicts(repo, remote, plan.conflicts)
	for _, c := range plan.conflicts {
		out.line(fmt.Sprintf(" ! [rejected]   %s (%s)", c.name, c.reason))
	}
	if err := recordRemote(repo, key, up); err != nil {
		return err
	}
	if len(settled) > 0 {
		if err := updatePending(repo, func(p pending) {
			for _, name := range settled {
				delete(p, name)
			}
		}); err != nil {
			return err
		}
	}
	if err := app.reportRenumbered(renumbered); err != nil {
		return err
	}
	if runErr != nil {
		return app.pushError(remote, flag, runErr)
	}
	if !out.started && len(renumbered) == 0 {
		fmt.Fprintln(app.Stderr, "Everything up-to-date")
	}
	if len(failed) > 0 {
		hint := "the tags stay here; 'git model status' says why each was refused and what to do, " +
			"then '" + retryCommand(flag) + "' sends them"
		if app.mirrorURL() != "" {
			hint = mirrorRetry
		}
		return &exitError{"error", 1, &hintedError{
			err:  fmt.Errorf("failed to push some tags to '%s'", gitrepo.RedactURL(remote)),
			hint: hint,
		}}
	}
	return nil
}

// joinMessages joins what the remote said into one line.
func joinMessages(messages []string) string {
	return oneLineText(strings.Join(messages, "; "))
}

// pushReport prints the lines of a push under "To REMOTE", as git push does.
type pushReport struct {
	app     *App
	remote  string
	started bool
}

func (r *pushReport) line(text string) {
	if !r.started {
		fmt.Fprintf(r.app.Stdout, "To %s\n", gitrepo.RedactURL(r.remote))
		r.started = true
	}
	fmt.Fprintln(r.app.Stdout, terminalSafe(text))
}

// renumbering is a local event written again under a new counter.
type renumbering struct {
	from, to string
	tag      registry.Tag
}

// renumber handles the numbered tags that the remote has with another target: a teammate wrote
// the same counter at the same time (both wrote nn#prod#6). Nothing of either is lost: the
// artifact's tags that the remote has and this repository lacks are fetched (FetchTags never
// overwrites), the local event is written again under the next free counter, with the same
// action, version or stage, commit, message and tagger, and a tagger time after the
// artifact's newest event (under the artifact's lock, as writes are: writeLocked), then the
// local tag of the name is moved to the remote's, only if it is still the local event (compare
// and swap). A registration or deregistration on another commit is not renumbered (it would
// make a second commit of the same version): it is a conflict.
func (app *App) renumber(repo *gitrepo.Repository, remote string, cols []collision, theirs, local map[string]string, up *remoteUpdate) ([]renumbering, []pushConflict, error) {
	byArtifact := map[string][]collision{}
	for _, c := range cols {
		byArtifact[c.tag.Artifact] = append(byArtifact[c.tag.Artifact], c)
	}
	var done []renumbering
	var conflicts []pushConflict
	for _, artifact := range sortedKeys(byArtifact) {
		var fetch []gitrepo.TagUpdate
		for _, name := range sortedKeys(theirs) {
			if t, ok := registry.ParseTag(name); ok && t.Artifact == artifact {
				if _, here := local[name]; !here || theirs[name] != local[name] {
					fetch = append(fetch, gitrepo.TagUpdate{Name: name}) // a collision: its object only
				}
			}
		}
		outcome, err := repo.FetchTags(remote, fetch)
		for name, o := range outcome {
			if o == gitrepo.TagCreated || o == gitrepo.TagUnchanged {
				up.published[name] = theirs[name]
			}
		}
		if err != nil {
			return done, conflicts, remoteFailure(err)
		}
		moved, skipped, err := app.writeAgain(repo, artifact, byArtifact[artifact])
		conflicts = append(conflicts, skipped...)
		if err != nil {
			return done, conflicts, err
		}
		var swap []gitrepo.TagUpdate
		for _, r := range moved {
			swap = append(swap, gitrepo.TagUpdate{Name: r.from, Old: local[r.from]})
		}
		outcome, err = repo.FetchTags(remote, swap)
		for _, r := range moved {
			if outcome[r.from] == gitrepo.TagUpdated {
				up.published[r.from] = theirs[r.from]
			}
			done = append(done, r)
		}
		if err != nil {
			return done, conflicts, remoteFailure(err)
		}
	}
	return done, conflicts, nil
}

// writeAgain writes the collided events of one artifact again under new counters, under the
// artifact's lock; it returns what it renumbered, and the collisions it could not renumber.
func (app *App) writeAgain(repo *gitrepo.Repository, artifact string, cols []collision) ([]renumbering, []pushConflict, error) {
	unlock, err := repo.Lock(artifactLock(artifact))
	if err != nil {
		return nil, nil, fatalError(err)
	}
	defer unlock()
	now, err := app.now()
	if err != nil {
		return nil, nil, err
	}
	var done []renumbering
	var conflicts []pushConflict
	for _, c := range cols {
		for attempt := 1; ; attempt++ {
			state, err := app.stateOf(artifact)
			if err != nil {
				return done, conflicts, err
			}
			a := state.Artifacts[artifact]
			var e *registry.Event
			if a != nil {
				for _, ev := range a.Events {
					if ev.Name == c.name {
						e = ev
					}
				}
			}
			theirCommit, _ := repo.PeelCommit(c.their)
			if e == nil || ((e.Action == registry.ActionRegister || e.Action == registry.ActionDeregister) && theirCommit != e.Commit) {
				conflicts = append(conflicts, pushConflict{name: c.name, their: c.their, mine: c.mine})
				break
			}
			t := e.Tag.WithCounter(state.NextCounter(artifact))
			when := now.Truncate(time.Second)
			if last := a.Events[len(a.Events)-1].Time; !when.After(last) {
				when = last.Add(time.Second).In(when.Location())
			}
			err = repo.CreateTag(gitrepo.NewTag{Name: t.String(), Commit: e.Commit, Message: e.Message,
				Tagger: gitrepo.Identity{Name: e.Author, Email: e.AuthorEmail}, When: when, Sign: repo.SignsByDefault()})
			if errors.Is(err, gitrepo.ErrTagExists) && attempt < maxAttempts {
				continue // a writer that takes no lock got there first: count again
			}
			if err != nil {
				return done, conflicts, fatalError(err)
			}
			done = append(done, renumbering{from: c.name, to: t.String(), tag: t})
			break
		}
	}
	return done, conflicts, nil
}

// reportRenumbered says what was renumbered, and what each stage concerned shows now.
func (app *App) reportRenumbered(done []renumbering) error {
	if len(done) == 0 {
		return nil
	}
	stages := map[string][]string{}
	for _, r := range done {
		fmt.Fprintf(app.Stdout, "Renumbered %s as %s: the remote has a teammate's %s, now fetched; both events are kept\n",
			terminalSafe(r.from), terminalSafe(r.to), terminalSafe(r.from))
		if r.tag.Stage != "" && !slices.Contains(stages[r.tag.Artifact], r.tag.Stage) {
			stages[r.tag.Artifact] = append(stages[r.tag.Artifact], r.tag.Stage)
		}
	}
	for _, artifact := range sortedKeys(stages) {
		state, err := app.stateOf(artifact)
		if err != nil {
			return err
		}
		for _, stage := range stages[artifact] {
			app.sayShows(artifact, stage, shownVersion(state.Artifacts[artifact], stage))
		}
	}
	return nil
}
