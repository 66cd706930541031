package registry

import (
	"fmt"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// Naming chooses between the counter-less and the numbered form of a new tag.
type Naming int

// The forms a new tag can take.
const (
	// NamingDefault is docs/registry.md §4's choice: counter-less for registration, deregistration
	// and deprecation, numbered for assignment and unassignment.
	NamingDefault Naming = iota
	NamingSimple
	NamingNumbered
)

// NewTag is an annotated tag that a change creates.
type NewTag struct {
	Tag
	Name    string
	Commit  string
	Message string
	Time    time.Time
	// Version is the version the event concerns: a version string, or the commit id of an
	// unregistered commit.
	Version string
	// Replace moves an existing tag of the same name (a simple stage tag moved with --force).
	Replace bool
}

// Change is what a write does to the tags of the repository: the tags to create, in order,
// and the tags to delete.
type Change struct {
	Create []NewTag
	Delete []string
	// Warnings are what the user should know of a change that was forced through a guard rail.
	Warnings []string
}

// WriteOptions are the options every write takes.
type WriteOptions struct {
	Message string // "" for the default message
	Naming  Naming
	Force   bool      // override the guard rails of docs/registry.md §4
	Delete  bool      // remove tags instead of writing negative ones
	Now     time.Time // the time of the new tags, before ties are avoided
}

// RegisterRequest registers a version of an artifact on a commit.
type RegisterRequest struct {
	WriteOptions
	Artifact string
	Commit   string
	Version  string // "" chooses the next version by Bump
	Bump     Bump
}

// AssignRequest puts a version in a stage: the version named by Version, or the one on
// Commit, which is registered first when it has none (unless SkipRegistration).
type AssignRequest struct {
	WriteOptions
	Artifact         string
	Stage            string
	Version          string
	Commit           string
	SkipRegistration bool
}

// UnassignRequest takes a version out of a stage: Version, or the one the stage shows.
type UnassignRequest struct {
	WriteOptions
	Artifact string
	Stage    string
	Version  string
}

// DeregisterRequest withdraws a version.
type DeregisterRequest struct {
	WriteOptions
	Artifact string
	Version  string
}

// DeprecateRequest retires a whole artifact, tagging Commit or, when it is "", the commit of
// the artifact's newest event.
type DeprecateRequest struct {
	WriteOptions
	Artifact string
	Commit   string
}

// planner builds one change, keeping track of the counters and times it has used.
type planner struct {
	change  Change
	now     time.Time
	last    time.Time // the newest event time of the artifact, new tags included
	counter string    // the highest counter used, in canonical digits ("" for none)
}

func (s *State) planner(artifact string, now time.Time) *planner {
	p := &planner{now: now.Truncate(time.Second), counter: s.counter(artifact)}
	if a := s.Artifacts[artifact]; a != nil {
		p.last = a.Events[len(a.Events)-1].Time
	}
	return p
}

// add appends a new tag for t on commit, numbered or not, with a time strictly later than
// every event of the artifact, so that writers never create a tie.
func (p *planner) add(t Tag, numbered bool, commit, version, message string) *NewTag {
	if numbered {
		p.counter = incrementDecimal(p.counter)
		t = t.WithCounter(p.counter)
	}
	when := p.now
	if !p.last.IsZero() && !when.After(p.last) {
		when = p.last.Add(time.Second).In(when.Location())
	}
	p.last = when
	p.change.Create = append(p.change.Create, NewTag{Tag: t, Name: t.String(), Commit: commit, Message: message, Time: when, Version: version})
	return &p.change.Create[len(p.change.Create)-1]
}

// numbered decides the form of a new tag: as the options say, else numbered by default for the
// action or when the counter-less name is taken. Asking for the counter-less form of a name
// that is taken is an error.
func (s *State) numbered(t Tag, naming Naming, byDefault bool) (bool, error) {
	taken := s.tagExists(t.String())
	switch {
	case naming == NamingNumbered:
		return true, nil
	case naming == NamingSimple && taken:
		return false, fmt.Errorf("tag '%s' already exists", t)
	case naming == NamingSimple:
		return false, nil
	}
	return byDefault || taken, nil
}

// addTag is add with the form that numbered decides.
func (s *State) addTag(p *planner, t Tag, naming Naming, byDefault bool, commit, version, message string) error {
	numbered, err := s.numbered(t, naming, byDefault)
	if err != nil {
		return err
	}
	p.add(t, numbered, commit, version, message)
	return nil
}

// Register plans the registration of a version (docs/registry.md §4).
func (s *State) Register(r RegisterRequest) (Change, error) {
	if err := ValidateArtifactName(r.Artifact); err != nil {
		return Change{}, err
	}
	a := s.Artifacts[r.Artifact]
	version := r.Version
	if version == "" {
		version = s.NextVersion(r.Artifact, r.Bump)
	} else if err := s.checkNewVersion(a, version, r.Commit, r.Force); err != nil {
		return Change{}, err
	}
	v := a.registeredOnCommit(r.Commit)
	if v != nil && v.Name != version && !r.Force {
		return Change{}, secondVersionError(v, r.Commit, "register another")
	}
	p := s.planner(r.Artifact, r.Now)
	if v != nil && v.Name != version {
		p.change.Warnings = append(p.change.Warnings, fmt.Sprintf("commit %s now carries versions '%s' and '%s' of '%s': "+
			"an assignment on that commit cannot say which one it means, and GTO refuses to read the artifact",
			object.Short(r.Commit), v.Name, version, r.Artifact))
	}
	if err := s.addTag(p, Tag{Artifact: r.Artifact, Action: ActionRegister, Version: version}, r.Naming, false, r.Commit, version,
		orDefault(r.Message, fmt.Sprintf("Registering artifact %s version %s", r.Artifact, version))); err != nil {
		return Change{}, err
	}
	return p.change, nil
}

// checkNewVersion refuses a version string that is not SemVer or that is taken: registered, or
// deregistered on another commit (re-registering it on its own commit is allowed).
func (s *State) checkNewVersion(a *Artifact, version, commit string, force bool) error {
	if _, err := ParseSemVer(version); err != nil {
		return err
	}
	v := a.Version(version)
	switch {
	case v == nil:
		return nil
	case v.Active:
		return fmt.Errorf("version '%s' of '%s' already exists (commit %s)", version, a.Name, object.Short(v.Commit))
	case v.Commit != commit && !force:
		return fmt.Errorf("version '%s' of '%s' was deregistered from commit %s; register it there again, or use --force",
			version, a.Name, object.Short(v.Commit))
	}
	return nil
}

// NextVersion returns the version an automatic registration takes: v0.0.1 for the first
// version, else the greatest active version bumped, skipping version strings that are taken
// (by a deregistered version, or by a tag of that name).
func (s *State) NextVersion(artifact string, bump Bump) string {
	a := s.Artifacts[artifact]
	next := SemVer{Major: "0", Minor: "0", Patch: "1"}
	if latest := a.Latest(); latest != nil {
		next = latest.semver.Bump(bump)
	}
	for s.versionTaken(artifact, next.String()) {
		next = next.Bump(bump)
	}
	return next.String()
}

func (s *State) versionTaken(artifact, version string) bool {
	return s.Artifacts[artifact].Version(version) != nil ||
		s.tagExists(Tag{Artifact: artifact, Action: ActionRegister, Version: version}.String())
}

// Assign plans the assignment of a stage, registering the commit first when needed.
func (s *State) Assign(r AssignRequest) (Change, error) {
	if err := ValidateArtifactName(r.Artifact); err != nil {
		return Change{}, err
	}
	if err := ValidateStage(r.Stage); err != nil {
		return Change{}, err
	}
	a := s.Artifacts[r.Artifact]
	p := s.planner(r.Artifact, r.Now)
	var v *Version
	version, commit := r.Version, r.Commit
	switch {
	case version != "":
		if err := VersionWithoutV(version); err != nil {
			return Change{}, err
		}
		if v = a.Version(version); v == nil || !v.Active {
			return Change{}, fmt.Errorf("artifact '%s' has no active version '%s'", r.Artifact, version)
		}
		if err := a.checkOneVersion(v, "promote"); err != nil {
			return Change{}, err
		}
		commit = v.Commit
	default:
		v = a.activeOnCommit(commit)
		deregistered := a.registeredOnCommit(commit)
		switch {
		case v != nil:
			version = v.Name
		case r.SkipRegistration:
			version = commit
			v = a.unregistered(commit)
		case deregistered != nil && !r.Force:
			return Change{}, secondVersionError(deregistered, commit, "register another and assign it")
		default:
			version = s.NextVersion(r.Artifact, BumpPatch)
			p.add(Tag{Artifact: r.Artifact, Action: ActionRegister, Version: version}, false, commit, version,
				fmt.Sprintf("Registering artifact %s version %s", r.Artifact, version))
		}
	}
	// A stage that shows the version refuses a second assignment; one that holds it without
	// showing it (a newer assignment stands above it) takes it again: a rollback.
	if shown := a.InStage(r.Stage); v != nil && len(shown) > 0 && shown[0].Version == v && !r.Force {
		return Change{}, fmt.Errorf("stage '%s' of '%s' already shows version '%s'; use --force to assign it again",
			r.Stage, r.Artifact, version)
	}
	t := Tag{Artifact: r.Artifact, Action: ActionAssign, Stage: r.Stage}
	numbered, err := s.numbered(t, r.Naming, true)
	if err != nil && !r.Force {
		return Change{}, fmt.Errorf("tag '%s' already exists; use --force to move it to version '%s'", t, version)
	}
	nt := p.add(t, numbered, commit, version,
		orDefault(r.Message, fmt.Sprintf("Assigning stage %s to artifact %s version %s", r.Stage, r.Artifact, version)))
	nt.Replace = err != nil
	return p.change, nil
}

// Unassign plans taking a version out of a stage: an unassignment tag, or with Delete the
// removal of the assignment tags that keep it there.
func (s *State) Unassign(r UnassignRequest) (Change, error) {
	a, err := s.existing(r.Artifact)
	if err != nil {
		return Change{}, err
	}
	if err := ValidateStage(r.Stage); err != nil {
		return Change{}, err
	}
	var v *Version
	if r.Version != "" {
		if err := VersionWithoutV(r.Version); err != nil {
			return Change{}, err
		}
		if v = a.Version(r.Version); v == nil {
			v = a.unregistered(r.Version)
		}
		if v == nil || v.Assignment(r.Stage) == nil {
			return Change{}, fmt.Errorf("nothing to demote: version '%s' of '%s' is not in stage '%s'", r.Version, a.Name, r.Stage)
		}
		if err := a.checkOneVersion(v, "demote"); err != nil {
			return Change{}, err
		}
	} else if in := a.InStage(r.Stage); len(in) > 0 {
		v = in[0].Version
	} else {
		return Change{}, fmt.Errorf("nothing to demote: no version of '%s' is in stage '%s'", a.Name, r.Stage)
	}
	if r.Delete {
		return Change{Delete: inForce(v.Events, func(e *Event) bool { return e.Stage == r.Stage },
			ActionAssign, ActionUnassign)}, nil
	}
	p := s.planner(a.Name, r.Now)
	if err := s.addTag(p, Tag{Artifact: a.Name, Action: ActionUnassign, Stage: r.Stage}, r.Naming, true, v.Commit, v.Name,
		orDefault(r.Message, fmt.Sprintf("Unassigning stage '%s' to artifact '%s' version '%s'", r.Stage, a.Name, v.Name))); err != nil {
		return Change{}, err
	}
	return p.change, nil
}

// Deregister plans withdrawing a version: a deregistration tag, or with Delete the removal of
// the registration tags that make it active.
func (s *State) Deregister(r DeregisterRequest) (Change, error) {
	a, err := s.existing(r.Artifact)
	if err != nil {
		return Change{}, err
	}
	if _, err := ParseSemVer(r.Version); err != nil {
		return Change{}, err
	}
	v := a.Version(r.Version)
	switch {
	case v == nil:
		return Change{}, fmt.Errorf("artifact '%s' has no version '%s'", a.Name, r.Version)
	case !v.Active:
		return Change{}, fmt.Errorf("version '%s' of '%s' is already deregistered", r.Version, a.Name)
	}
	if r.Delete {
		return Change{Delete: inForce(v.Events, func(*Event) bool { return true }, ActionRegister, ActionDeregister)}, nil
	}
	p := s.planner(a.Name, r.Now)
	if err := s.addTag(p, Tag{Artifact: a.Name, Action: ActionDeregister, Version: v.Name}, r.Naming, false, v.Commit, v.Name,
		orDefault(r.Message, fmt.Sprintf("Deregistering artifact %s version %s", a.Name, v.Name))); err != nil {
		return Change{}, err
	}
	return p.change, nil
}

// Deprecate plans retiring an artifact: a deprecation tag, or with Delete the removal of every
// tag of the artifact.
func (s *State) Deprecate(r DeprecateRequest) (Change, error) {
	a, err := s.existing(r.Artifact)
	if err != nil {
		return Change{}, err
	}
	if r.Delete {
		return Change{Delete: append([]string(nil), s.tagsOf(a.Name)...)}, nil
	}
	if !a.Active && !r.Force {
		return Change{}, fmt.Errorf("artifact '%s' is already deprecated; use --force to deprecate it again", a.Name)
	}
	commit := r.Commit
	if commit == "" {
		commit = a.Events[len(a.Events)-1].Commit
	}
	p := s.planner(a.Name, r.Now)
	if err := s.addTag(p, Tag{Artifact: a.Name, Action: ActionDeprecate}, r.Naming, false, commit, "",
		orDefault(r.Message, fmt.Sprintf("Deprecating artifact '%s'", a.Name))); err != nil {
		return Change{}, err
	}
	return p.change, nil
}

// existing returns the artifact, or an error naming an invalid or unknown one.
func (s *State) existing(name string) (*Artifact, error) {
	if err := ValidateArtifactName(name); err != nil {
		return nil, err
	}
	if a := s.Artifacts[name]; a != nil {
		return a, nil
	}
	return nil, &UnknownArtifactError{Name: name}
}

// inForce returns the names of the events of one kind (positive, then negative) that still
// count: those of the selected ones that come after the last negative event.
func inForce(events []*Event, selected func(*Event) bool, positive, negative Action) []string {
	var names []string
	for _, e := range events {
		switch {
		case !selected(e):
		case e.Action == negative:
			names = names[:0]
		case e.Action == positive:
			names = append(names, e.Name)
		}
	}
	return names
}

// activeOnCommit returns the active registered version on a commit, the most recently
// registered one if there are several; nil when none or when a is nil.
func (a *Artifact) activeOnCommit(commit string) *Version {
	if a == nil {
		return nil
	}
	var best *Version
	for _, v := range a.Versions {
		if v.Registered && v.Active && v.Commit == commit && (best == nil || best.marked.Before(v.marked)) {
			best = v
		}
	}
	return best
}

// registeredOnCommit returns the version registered on a commit, active or deregistered (the
// active one first, else the most recently marked), or nil.
func (a *Artifact) registeredOnCommit(commit string) *Version {
	if v := a.activeOnCommit(commit); v != nil || a == nil {
		return v
	}
	var best *Version
	for _, v := range a.Versions {
		if v.Registered && v.Commit == commit && (best == nil || best.marked.Before(v.marked)) {
			best = v
		}
	}
	return best
}

// secondVersionError refuses a second version on a commit that carries v (docs/registry.md §3-4):
// GTO cannot read an artifact with two versions on one commit, and an assignment on that commit
// could no longer say which one it means. A deregistered v is brought back by registering it
// again.
func secondVersionError(v *Version, commit, what string) error {
	if v.Active {
		return fmt.Errorf("commit %s already has version '%s' of '%s'; use --force to %s", object.Short(commit), v.Name, v.Artifact, what)
	}
	return fmt.Errorf("commit %s carries version '%s' of '%s', which was deregistered; bring it back with "+
		"'git model register %s %s --version %s', or use --force to %s (GTO cannot read two versions on one commit)",
		object.Short(commit), v.Name, v.Artifact, v.Artifact, object.Short(commit), v.Name, what)
}

// checkOneVersion refuses to act on v by its version when its commit carries another active
// version: an assignment or unassignment points at a commit, not at a version, so it would
// count for whichever version readers take for that commit.
func (a *Artifact) checkOneVersion(v *Version, action string) error {
	for _, w := range a.Versions {
		if w != v && w.Registered && w.Active && w.Commit == v.Commit {
			return fmt.Errorf("cannot %s version '%s' of '%s': its commit %s also carries version '%s', and a stage tag "+
				"points at a commit, not at a version; deregister one of them first (git model deprecate %s %s)",
				action, v.Name, a.Name, object.Short(v.Commit), w.Name, a.Name, w.Name)
		}
	}
	return nil
}

// unregistered returns the unregistered version of a commit, or nil.
func (a *Artifact) unregistered(commit string) *Version {
	if a == nil {
		return nil
	}
	for _, v := range a.Versions {
		if !v.Registered && v.Commit == commit {
			return v
		}
	}
	return nil
}

func orDefault(message, fallback string) string {
	if message == "" {
		return fallback
	}
	return message
}
