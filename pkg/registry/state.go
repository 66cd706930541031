package registry

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/parallel"
)

// State is the registry derived from the repository's tags (docs/registry.md §3). What only some
// commands need is computed on first use, so a State is not safe for concurrent use.
type State struct {
	// Artifacts holds every artifact that has at least one event, by name.
	Artifacts map[string]*Artifact
	// Warnings describe tags and states that readers survive but users should fix.
	Warnings []string

	events        []*Event    // every event, oldest first
	records       []TagRecord // the records the state was built from (indexNames reads their names)
	parseWarnings []string
	versionOf     []*Version // by the position of the event
	stagesInUse   []string

	// Built from the records when a write first needs them.
	tagNames     map[string]bool
	artifactTags map[string][]string
	counters     map[string]string // the highest counter per artifact, lightweight tags included
}

// Artifact is the derived state of one artifact.
type Artifact struct {
	Name string
	// Events are the artifact's events, oldest first.
	Events []*Event
	// Versions are the registered versions, in order of their first registration, followed by
	// the unregistered commits that were assigned a stage.
	Versions []*Version
	// Active is false when the newest event deprecates the artifact.
	Active bool

	byName map[string]*Version
	stages map[string][]*Assignment // stage → current assignments, newest first

	firstAssigned []*Event        // the first assignment to each stage, oldest first
	assignedTo    map[string]bool // the stages of firstAssigned, once they are many
}

// Version is one version of an artifact: a registered version string, or an unregistered
// commit that was assigned a stage, named by its full commit id.
type Version struct {
	Artifact   string
	Name       string
	Registered bool
	// Active is true for a registered version whose newest registration event is a
	// registration, and for every unregistered commit.
	Active bool
	Commit string
	// Registration is the newest registration event; nil for an unregistered commit.
	Registration *Event
	// Events are the registration and deregistration events of this version, then its
	// assignment and unassignment events, each oldest first.
	Events []*Event

	semver   SemVer
	marked   *Event   // the newest registration or deregistration
	assigned []*Event // the assignments that hold the version in a stage, one per stage
	nEvents  int      // while deriving: how many events the version has
}

// Assignment is a version standing in a stage, and the event that put it there.
type Assignment struct {
	Version *Version
	Event   *Event
}

// Build derives the state from every tag of a repository in one pass.
func Build(records []TagRecord) *State {
	p := parseTags(records)
	order := sortEvents(p.entries)
	// Group the events by artifact, in order, all in one allocation, with their positions.
	events := make([]*Event, len(order))
	count := make([]int, len(p.artifacts.names)+1)
	for i, o := range order {
		events[i] = o.e
		count[o.artifact+1]++
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	grouped, seqs := make([]*Event, len(order)), make([]int32, len(order))
	next := slices.Clone(count[:len(p.artifacts.names)])
	for i, o := range order {
		grouped[next[o.artifact]], seqs[next[o.artifact]] = o.e, int32(i)
		next[o.artifact]++
	}
	artifacts := make([]artifactEvents, len(p.artifacts.names))
	for k, name := range p.artifacts.names {
		artifacts[k] = artifactEvents{name, grouped[count[k]:count[k+1]:count[k+1]], seqs[count[k]:count[k+1]]}
	}
	return derive(events, artifacts, records, p.warnings)
}

// artifactEvents are the events of one artifact, in order, and their positions in the order of
// all events (nil when the events know them already).
type artifactEvents struct {
	name   string
	events []*Event
	seqs   []int32
}

// sortEvents orders the events of the entries as compareEvents does. Most comparisons are
// settled by the second and the action, so it sorts by those first, with a radix sort on a key
// made of them (a few passes over tens of thousands of small records, much cheaper than
// comparisons), and only then orders runs of equal keys, which are rare, with compareEvents. It
// reorders entries in place (no copy of hundreds of thousands of them): the caller hands them
// over.
func sortEvents(entries []sortEntry) []sortEntry {
	if len(entries) == 0 {
		return nil
	}
	minSec, maxSec := entries[0].sec, entries[0].sec
	for _, o := range entries {
		minSec, maxSec = min(minSec, o.sec), max(maxSec, o.sec)
	}
	order := entries
	if span := maxSec - minSec; span < 0 || span > 1<<60 { // dates no clock writes: compare
		slices.SortFunc(order, func(a, b sortEntry) int { return compareEvents(a.e, b.e) })
		return order
	}
	key := func(o sortEntry) uint64 { return uint64(o.sec-minSec)<<3 | uint64(o.action) }
	maxKey := uint64(maxSec-minSec)<<3 | 7
	// Least significant byte first; each pass is stable, so the whole is ordered by key.
	tmp := make([]sortEntry, len(order))
	for shift := 0; shift < 64 && maxKey>>shift != 0; shift += 8 {
		var count [257]int
		for _, o := range order {
			count[key(o)>>shift&0xff+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, o := range order {
			d := key(o) >> shift & 0xff
			tmp[count[d]] = o
			count[d]++
		}
		order, tmp = tmp, order
	}
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && key(order[j]) == key(order[i]) {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(order[i:j], func(a, b sortEntry) int { return compareEvents(a.e, b.e) })
		}
		i = j
	}
	return order
}

// At returns the registry as it stood at time t, ignoring every later event: of every artifact,
// the events up to t.
func (s *State) At(t time.Time) *State {
	after := func(events []*Event) int {
		return sort.Search(len(events), func(i int) bool { return events[i].Time.After(t) })
	}
	var artifacts []artifactEvents
	for _, name := range s.Names() {
		events := s.Artifacts[name].Events
		if n := after(events); n > 0 {
			artifacts = append(artifacts, artifactEvents{name: name, events: events[:n:n]})
		}
	}
	return derive(s.events[:after(s.events)], artifacts, s.records, s.parseWarnings)
}

// Events returns every event of the registry, oldest first.
func (s *State) Events() []*Event {
	return s.events
}

// VersionOf returns the version an event belongs to: for an assignment, the version
// registered on its commit, or the unregistered commit itself.
func (s *State) VersionOf(e *Event) *Version {
	if int(e.seq) >= len(s.versionOf) || s.events[e.seq] != e {
		return nil
	}
	return s.versionOf[e.seq]
}

// tagExists reports whether a tag of that name exists and parses as a registry tag.
func (s *State) tagExists(name string) bool {
	s.indexNames()
	return s.tagNames[name]
}

// tagsOf returns the registry tags of an artifact, lightweight ones included.
func (s *State) tagsOf(artifact string) []string {
	s.indexNames()
	return s.artifactTags[artifact]
}

// indexNames builds what writes need of the tags whose names parse, lightweight ones included:
// their names, by artifact, and the highest counter of each artifact. Reads never pay for them.
func (s *State) indexNames() {
	if s.tagNames != nil {
		return
	}
	s.tagNames = make(map[string]bool)
	s.artifactTags = make(map[string][]string)
	s.counters = make(map[string]string)
	for _, r := range s.records {
		t, ok := ParseTag(r.Name)
		if !ok {
			continue
		}
		s.tagNames[r.Name] = true
		s.artifactTags[t.Artifact] = append(s.artifactTags[t.Artifact], r.Name)
		if t.HasCounter && compareDecimal(t.Counter, s.counters[t.Artifact]) > 0 {
			s.counters[t.Artifact] = t.Counter
		}
	}
}

// counter returns the highest counter of the artifact's tags ("" for none).
func (s *State) counter(artifact string) string {
	s.indexNames()
	return s.counters[artifact]
}

// NextCounter returns the counter for a new numbered tag of the artifact, in canonical decimal
// digits: one more than the highest counter of any of its tags, lightweight ones included
// ("1" when there is none). Counters have no upper bound.
func (s *State) NextCounter(artifact string) string {
	return incrementDecimal(s.counter(artifact))
}

// StageOrder puts configured stages first, in their order, then the stages in use that the
// configuration does not list, in their order (StagesInUse: of first use).
func StageOrder(configured, inUse []string) []string {
	seen := make(map[string]bool, len(configured))
	order := append([]string{}, configured...)
	for _, s := range configured {
		seen[s] = true
	}
	for _, s := range inUse {
		if !seen[s] {
			seen[s] = true
			order = append(order, s)
		}
	}
	return order
}

// StagesInUse lists every stage that was ever assigned, in order of its first assignment.
func (s *State) StagesInUse() []string {
	if s.stagesInUse == nil {
		first := make(map[string]*Event)
		for _, a := range s.Artifacts {
			for _, e := range a.firstAssigned {
				if f := first[e.Stage]; f == nil || e.Before(f) {
					first[e.Stage] = e
				}
			}
		}
		events := slices.SortedFunc(maps.Values(first), compareEvents)
		s.stagesInUse = make([]string, len(events))
		for i, e := range events {
			s.stagesInUse[i] = e.Stage
		}
	}
	return s.stagesInUse
}

// noteAssignment keeps e if it is the artifact's first assignment to its stage.
func (a *Artifact) noteAssignment(e *Event) {
	const few = 16 // stages to look through before keeping a map of them
	if a.assignedTo == nil {
		for _, f := range a.firstAssigned {
			if f.Stage == e.Stage {
				return
			}
		}
		if len(a.firstAssigned) == few {
			a.assignedTo = make(map[string]bool)
			for _, f := range a.firstAssigned {
				a.assignedTo[f.Stage] = true
			}
		}
	} else if a.assignedTo[e.Stage] {
		return
	}
	if a.assignedTo != nil {
		a.assignedTo[e.Stage] = true
	}
	a.firstAssigned = append(a.firstAssigned, e)
}

// Names returns the names of all artifacts, sorted.
func (s *State) Names() []string {
	names := make([]string, 0, len(s.Artifacts))
	for name := range s.Artifacts {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// derive computes the state from the events in order and the same events by artifact (an At
// state takes a prefix of each).
func derive(events []*Event, artifacts []artifactEvents, records []TagRecord, warnings []string) *State {
	s := &State{
		Artifacts:     make(map[string]*Artifact, len(artifacts)),
		Warnings:      append([]string(nil), warnings...),
		events:        events,
		records:       records,
		parseWarnings: warnings,
		versionOf:     make([]*Version, len(events)),
	}
	all := make([]Artifact, len(artifacts))
	for i, g := range artifacts {
		all[i] = Artifact{Name: g.name, Events: g.events, stages: make(map[string][]*Assignment)}
		s.Artifacts[g.name] = &all[i]
	}
	// Artifacts are independent of each other (each writes versionOf at its own events only):
	// derive them on every core when there are enough events to gain from it. Their warnings
	// come in the order of their names.
	perArtifact := make([][]string, len(artifacts))
	workers := min(parallel.Workers(len(events), 4096), len(artifacts))
	parallel.Run(len(artifacts), workers, func(_, from, to int) {
		for i := from; i < to; i++ {
			for j, seq := range artifacts[i].seqs { // the positions Build found, set here to spread the writes
				artifacts[i].events[j].seq = seq
			}
			perArtifact[i] = all[i].derive(s.versionOf)
		}
	})
	byName := make([]int, len(artifacts))
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(i, j int) int { return strings.Compare(artifacts[i].name, artifacts[j].name) })
	for _, i := range byName {
		s.Warnings = append(s.Warnings, perArtifact[i]...)
	}
	return s
}

// derive computes versions and stages from the artifact's events, recording the version of
// each event in versionOf. It returns warnings for states GTO refuses to read.
func (a *Artifact) derive(versionOf []*Version) []string {
	a.Active = a.Events[len(a.Events)-1].Action != ActionDeprecate
	// Size what grows by the number of (de)registrations, to allocate each thing once.
	regs := 0
	for _, e := range a.Events {
		if e.Action == ActionRegister || e.Action == ActionDeregister {
			regs++
		}
	}
	slab := make([]Version, 0, regs) // the registered versions, allocated together
	a.Versions = make([]*Version, 0, regs)
	a.byName = make(map[string]*Version, regs)
	byCommit := make(map[string][]*Version, regs)
	commits := make([]string, 0, regs) // in order of their first version
	for _, e := range a.Events {
		if e.Action != ActionRegister && e.Action != ActionDeregister {
			continue
		}
		v := a.byName[e.Version]
		if v == nil {
			slab = append(slab, Version{Artifact: a.Name, Name: e.Version, Registered: true, Commit: e.Commit})
			v = &slab[len(slab)-1]
			v.semver, _ = parseSemVer(e.Version)
			a.byName[e.Version] = v
			a.Versions = append(a.Versions, v)
		}
		v.Active, v.marked = e.Action == ActionRegister, e
		if v.Active {
			v.Registration, v.Commit = e, e.Commit
		}
		if len(byCommit[e.Commit]) == 0 {
			commits = append(commits, e.Commit)
		}
		if !slices.Contains(byCommit[e.Commit], v) {
			byCommit[e.Commit] = append(byCommit[e.Commit], v)
		}
		v.nEvents++
		versionOf[e.seq] = v
	}
	unregistered := make(map[string]*Version)
	var lastCommit string // an artifact's assignments often follow each other on one commit
	var last *Version
	for _, e := range a.Events {
		if e.Action != ActionAssign && e.Action != ActionUnassign {
			continue
		}
		v := last
		if last == nil || e.Commit != lastCommit {
			v = versionOnCommit(byCommit[e.Commit])
		}
		if v == nil {
			v = unregistered[e.Commit]
		}
		if v == nil {
			v = &Version{Artifact: a.Name, Name: e.Commit, Active: true, Commit: e.Commit}
			unregistered[e.Commit] = v
			a.Versions = append(a.Versions, v)
		}
		lastCommit, last = e.Commit, v
		v.assigned = slices.DeleteFunc(v.assigned, func(old *Event) bool { return old.Stage == e.Stage })
		if e.Action == ActionAssign {
			v.assigned = append(v.assigned, e)
			a.noteAssignment(e)
		}
		v.nEvents++
		versionOf[e.seq] = v
	}
	// Each version's events in one allocation for the artifact: its registrations and
	// deregistrations, then its assignments and unassignments, each oldest first.
	events := make([]*Event, len(a.Events))
	for _, v := range a.Versions {
		v.Events, events = events[:0:v.nEvents], events[v.nEvents:]
	}
	for _, assignments := range []bool{false, true} {
		for _, e := range a.Events {
			if v := versionOf[e.seq]; v != nil && (e.Action == ActionAssign || e.Action == ActionUnassign) == assignments {
				v.Events = append(v.Events, e)
			}
		}
	}
	// The current assignments, in one allocation too.
	n := 0
	for _, v := range a.Versions {
		if v.Active {
			n += len(v.assigned)
		}
	}
	assignments := make([]Assignment, 0, n)
	for _, v := range a.Versions {
		if !v.Active {
			continue
		}
		for _, e := range v.assigned {
			assignments = append(assignments, Assignment{Version: v, Event: e})
			a.stages[e.Stage] = append(a.stages[e.Stage], &assignments[len(assignments)-1])
		}
	}
	for _, list := range a.stages {
		sort.Slice(list, func(i, j int) bool { return list[j].Event.Before(list[i].Event) })
	}
	return a.conflicts(commits)
}

// conflicts reports commits that carry more than one active version, which GTO refuses to read,
// in the order of commits.
func (a *Artifact) conflicts(commits []string) []string {
	var warnings []string
	byCommit := a.ActiveVersionsByCommit()
	for _, commit := range commits {
		var names []string
		for _, v := range byCommit[commit] {
			names = append(names, v.Name)
		}
		if len(names) > 1 {
			warnings = append(warnings, fmt.Sprintf("commit %s carries %d active versions of '%s': %s",
				object.Short(commit), len(names), a.Name, strings.Join(names, ", ")))
		}
	}
	return warnings
}

// versionOnCommit chooses the version that an assignment to a commit belongs to: an active
// version before a deregistered one, then the most recently registered.
func versionOnCommit(candidates []*Version) *Version {
	var best *Version
	for _, v := range candidates {
		switch {
		case best == nil, v.Active && !best.Active:
			best = v
		case v.Active == best.Active && best.marked.Before(v.marked):
			best = v
		}
	}
	return best
}

func lastEvent(v *Version) *Event {
	return v.Events[len(v.Events)-1]
}

// Version returns the registered version with that name, or nil (also for a nil artifact).
func (a *Artifact) Version(name string) *Version {
	if a == nil {
		return nil
	}
	return a.byName[name]
}

// Latest returns the greatest active registered version (ranksAbove). Nil when none (also for
// a nil artifact).
func (a *Artifact) Latest() *Version {
	if a == nil {
		return nil
	}
	var best *Version
	for _, v := range a.Versions {
		if v.Registered && v.Active && (best == nil || v.ranksAbove(best)) {
			best = v
		}
	}
	return best
}

// ranksAbove orders registered versions by SemVer precedence; of two that compare equal (they
// differ in build metadata only) the one registered later ranks above, as in GTO, which sorts
// them in registration order and takes the last (docs/registry.md §3).
func (v *Version) ranksAbove(w *Version) bool {
	if c := v.semver.Compare(w.semver); c != 0 {
		return c > 0
	}
	return w.Registration.Before(v.Registration)
}

// InStage returns the active versions standing in a stage, newest assignment first (none for a
// nil artifact). The first is the one the stage shows; when it leaves, the stage falls back to
// the next.
func (a *Artifact) InStage(stage string) []*Assignment {
	if a == nil {
		return nil
	}
	return a.stages[stage]
}

// Stages returns the stages that hold at least one active version, sorted by name.
func (a *Artifact) Stages() []string {
	names := make([]string, 0, len(a.stages))
	for stage := range a.stages {
		names = append(names, stage)
	}
	sort.Strings(names)
	return names
}

// StagesOf returns the stages a version currently stands in, in the order of the
// assignments that put it there.
func (v *Version) StagesOf() []string {
	if !v.Active {
		return nil
	}
	events := make([]*Event, 0, len(v.assigned))
	for _, e := range v.assigned {
		events = append(events, e)
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Before(events[j]) })
	stages := make([]string, len(events))
	for i, e := range events {
		stages[i] = e.Stage
	}
	return stages
}

// Assignment returns the event that put the version in a stage, or nil when it is not there.
func (v *Version) Assignment(stage string) *Event {
	if !v.Active {
		return nil
	}
	for _, e := range v.assigned {
		if e.Stage == stage {
			return e
		}
	}
	return nil
}

// SemVer returns the parsed version string; the zero value for an unregistered commit.
func (v *Version) SemVer() SemVer {
	return v.semver
}

// SortVersions orders versions for display: registered versions from the greatest down
// (ranksAbove: of equal precedence, the one registered later first), then unregistered
// commits, the one with the most recent event first.
func SortVersions(versions []*Version) {
	sort.SliceStable(versions, func(i, j int) bool {
		vi, vj := versions[i], versions[j]
		if vi.Registered != vj.Registered {
			return vi.Registered
		}
		if vi.Registered {
			return vi.ranksAbove(vj)
		}
		return lastEvent(vj).Before(lastEvent(vi))
	})
}
