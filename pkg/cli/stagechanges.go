package cli

import (
	"fmt"
	"slices"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

// What a stage shows, before and after something changed the tags: what writes report ("m:
// prod now shows v1.0.0") and what `git model hook post-receive` reports for a push. Both
// compare the version each stage shows, never the tags themselves, so that a push of several
// assignments, in whatever order they arrive, reports each stage once, with the version it
// ends up showing.

// stageChange is a stage of an artifact whose shown version changed; a nil version is a stage
// that showed, or shows, nothing.
type stageChange struct {
	artifact, stage string
	before, after   *registry.Version
}

// shownVersion is the version a stage of an artifact shows (docs/registry.md §3: the active version
// with the most recent assignment still in force), or nil; a nil artifact shows nothing.
func shownVersion(a *registry.Artifact, stage string) *registry.Version {
	if a == nil {
		return nil
	}
	if in := a.InStage(stage); len(in) > 0 {
		return in[0].Version
	}
	return nil
}

// sayShows prints what a stage of an artifact shows now: "m: prod now shows v1.0.0", or
// "nothing" for a stage left empty (v nil).
func (app *App) sayShows(artifact, stage string, v *registry.Version) {
	shows := "nothing"
	if v != nil {
		shows = displayName(v)
	}
	fmt.Fprintf(app.Stdout, "%s: %s now shows %s\n", terminalSafe(artifact), terminalSafe(stage), terminalSafe(shows))
}

// stageChanges lists the stages of an artifact whose shown version differs between two
// states, by stage name.
func stageChanges(before, after *registry.State, artifact string) []stageChange {
	a, b := before.Artifacts[artifact], after.Artifacts[artifact]
	var stages []string
	for _, x := range []*registry.Artifact{a, b} {
		if x != nil {
			stages = append(stages, x.Stages()...)
		}
	}
	slices.Sort(stages)
	var changes []stageChange
	for _, stage := range slices.Compact(stages) {
		was, is := shownVersion(a, stage), shownVersion(b, stage)
		if !sameVersion(was, is) {
			changes = append(changes, stageChange{artifact: artifact, stage: stage, before: was, after: is})
		}
	}
	return changes
}

// sameVersion reports whether two versions (nil for none) are one: the same name on the same
// commit.
func sameVersion(x, y *registry.Version) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Name == y.Name && x.Commit == y.Commit
}

// eventRecords turns the events of a state back into the tag records they were read from, so
// that a state can be derived again with some tags added or taken away. Lightweight tags are
// left out: they are no events and change no stage.
func eventRecords(state *registry.State) []registry.TagRecord {
	events := state.Events()
	records := make([]registry.TagRecord, len(events))
	for i, e := range events {
		records[i] = registry.TagRecord{Name: e.Name, Annotated: true, Commit: e.Commit, PeeledType: object.Commit,
			TaggerName: e.Author, TaggerEmail: e.AuthorEmail, When: e.Time, Message: e.Message}
	}
	return records
}

// stateAfter derives the registry after a change from the state it was planned on, without
// reading the tags again: the tags the change deletes or replaces are taken away, the ones it
// creates (with their tagger) added.
func stateAfter(state *registry.State, change registry.Change, tagger gitrepo.Identity) *registry.State {
	gone := make(map[string]bool, len(change.Delete)+len(change.Create))
	for _, name := range change.Delete {
		gone[name] = true
	}
	for _, t := range change.Create {
		gone[t.Name] = true
	}
	records := slices.DeleteFunc(eventRecords(state), func(r registry.TagRecord) bool { return gone[r.Name] })
	for _, t := range change.Create {
		records = append(records, registry.TagRecord{Name: t.Name, Annotated: true, Commit: t.Commit, PeeledType: object.Commit,
			TaggerName: tagger.Name, TaggerEmail: tagger.Email, When: t.Time, Message: t.Message})
	}
	return registry.Build(records)
}
