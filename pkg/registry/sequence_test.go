package registry

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// TestRandomWriteSequences plans seeded random sequences of register, promote, demote,
// deprecate and deregister (with and without --delete), applies each change to the tag records
// as a repository would, and checks the state that Build derives against an oracle that reads
// the same tags the simple way GTO does: one version per commit (so that GTO can read the
// artifact back), versions active by their newest registration event, each stage showing the
// active version with the newest assignment still in force, the greatest SemVer as latest (of
// equal precedence the one registered later), and no two events of an artifact sharing a second
// or a counter. A failing seed is printed and replayed by TestRandomWriteSequences/seed_N.
func TestRandomWriteSequences(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		t.Run(fmt.Sprintf("seed_%d", seed), func(t *testing.T) {
			runSequence(t, seed, 60)
		})
	}
}

func runSequence(t *testing.T, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, seed))
	artifacts := []string{"m", "models/cv:segm-nn"}
	commits := []string{sha(1), sha(2), sha(3), sha(4), sha(5)}
	stages := []string{"dev", "staging", "prod"}
	versions := []string{"v0.1.0", "v1.0.0", "v1.0.0+b", "v1.1.0-rc.1", "v2.0.0"}
	pick := func(list []string) string { return list[r.IntN(len(list))] }

	var records []TagRecord
	now := t0
	for step := range steps {
		artifact := pick(artifacts)
		opts := WriteOptions{Now: now, Delete: r.IntN(4) == 0}
		if r.IntN(6) == 0 {
			opts.Naming = NamingNumbered
		}
		var p plan
		var what string
		switch r.IntN(6) {
		case 0:
			p, what = registerOn(artifact, pick(commits)), "register"
		case 1:
			v := pick(versions)
			p, what = registerVersion(artifact, pick(commits), v), "register --version "+v
		case 2:
			p, what = assignCommit(artifact, pick(stages), pick(commits)), "promote"
		case 3:
			v := pick(versions)
			p, what = assignVersion(artifact, pick(stages), v), "promote --version "+v
		case 4:
			p, what = unassign(artifact, pick(stages), ""), "demote"
		default:
			if r.IntN(3) == 0 {
				p, what = deprecate(artifact, ""), "deprecate"
			} else {
				v := pick(versions)
				p, what = deregister(artifact, v), "deregister "+v
			}
		}
		state := Build(records)
		c, err := p(state, opts)
		if err != nil {
			if len(c.Create) != 0 || len(c.Delete) != 0 {
				t.Fatalf("seed %d step %d (%s %s): a refused plan still changes tags", seed, step, what, artifact)
			}
			continue
		}
		for _, nt := range c.Create {
			if !nt.Time.After(newestEvent(records, nt.Artifact)) {
				t.Fatalf("seed %d step %d (%s %s): %s at %s is not after the artifact's newest event", seed, step, what, artifact, nt.Name, nt.Time)
			}
			records = slices.DeleteFunc(records, func(rec TagRecord) bool { return rec.Name == nt.Name }) // a moved tag
			records = append(records, TagRecord{Name: nt.Name, Annotated: true, Commit: nt.Commit, PeeledType: object.Commit,
				TaggerName: "T", TaggerEmail: "t@example.com", When: nt.Time, Message: nt.Message})
		}
		records = slices.DeleteFunc(records, func(rec TagRecord) bool { return slices.Contains(c.Delete, rec.Name) })
		now = now.Add(time.Duration(r.IntN(2)) * time.Second) // writes often share a second
		checkOracle(t, fmt.Sprintf("seed %d step %d (%s %s)", seed, step, what, artifact), records, Build(records))
	}
}

// newestEvent is the tagger time of the newest tag of an artifact (the zero time for none).
func newestEvent(records []TagRecord, artifact string) time.Time {
	var newest time.Time
	for _, rec := range records {
		if tag, ok := ParseTag(rec.Name); ok && tag.Artifact == artifact && rec.When.After(newest) {
			newest = rec.When
		}
	}
	return newest
}

// checkOracle compares the state with what the tags say when read the simple way.
func checkOracle(t *testing.T, where string, records []TagRecord, state *State) {
	t.Helper()
	type event struct {
		tag    Tag
		commit string
		when   time.Time
	}
	byArtifact := map[string][]event{}
	for _, rec := range records {
		tag, _ := ParseTag(rec.Name)
		byArtifact[tag.Artifact] = append(byArtifact[tag.Artifact], event{tag, rec.Commit, rec.When})
	}
	for name, events := range byArtifact {
		slices.SortFunc(events, func(a, b event) int { return a.when.Compare(b.when) })
		counters := map[string]bool{}
		for i, e := range events {
			if i > 0 && !events[i-1].when.Before(e.when) {
				t.Fatalf("%s: two events of '%s' share the second %s", where, name, e.when)
			}
			if e.tag.HasCounter {
				if counters[e.tag.Counter] {
					t.Fatalf("%s: two tags of '%s' have the counter %s", where, name, e.tag.Counter)
				}
				counters[e.tag.Counter] = true
			}
		}
		// GTO reads an artifact back only if each commit carries one version.
		onCommit := map[string]string{}
		active := map[string]bool{}
		registeredAt := map[string]time.Time{}
		for _, e := range events {
			switch e.tag.Action {
			case ActionRegister, ActionDeregister:
				if other, ok := onCommit[e.commit]; ok && other != e.tag.Version {
					t.Fatalf("%s: commit %s of '%s' carries versions '%s' and '%s', which GTO refuses to read",
						where, object.Short(e.commit), name, other, e.tag.Version)
				}
				onCommit[e.commit] = e.tag.Version
				active[e.tag.Version] = e.tag.Action == ActionRegister
				if e.tag.Action == ActionRegister {
					registeredAt[e.tag.Version] = e.when
				}
			}
		}
		a := state.Artifacts[name]
		// Latest: the greatest active version; of equal precedence the later registration.
		var latest string
		for v, on := range active {
			if !on {
				continue
			}
			if latest == "" {
				latest = v
				continue
			}
			sv, _ := ParseSemVer(v)
			sl, _ := ParseSemVer(latest)
			if c := sv.Compare(sl); c > 0 || (c == 0 && registeredAt[v].After(registeredAt[latest])) {
				latest = v
			}
		}
		got := ""
		if l := a.Latest(); l != nil {
			got = l.Name
		}
		if got != latest {
			t.Fatalf("%s: latest of '%s' is '%s', the tags say '%s'", where, name, got, latest)
		}
		// Each stage shows the active version with the newest assignment still in force.
		for _, stage := range []string{"dev", "staging", "prod"} {
			in := map[string]time.Time{} // version → time of the assignment that holds it there
			for _, e := range events {
				if e.tag.Stage != stage {
					continue
				}
				v, ok := onCommit[e.commit]
				if !ok {
					v = e.commit // an unregistered commit
				}
				if e.tag.Action == ActionAssign {
					in[v] = e.when
				} else {
					delete(in, v)
				}
			}
			want, newest := "", time.Time{}
			for v, when := range in {
				if on, registered := active[v]; (on || !registered) && when.After(newest) {
					want, newest = v, when
				}
			}
			got := ""
			if shown := a.InStage(stage); len(shown) > 0 {
				got = shown[0].Version.Name
			}
			if got != want {
				t.Fatalf("%s: stage '%s' of '%s' shows '%s', the tags say '%s'", where, stage, name, got, want)
			}
		}
	}
}
