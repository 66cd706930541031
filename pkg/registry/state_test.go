package registry

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// t0 is the tagger time of the first event of every test history; rec places events whole
// seconds after it, as Git's one-second tagger dates do.
var t0 = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)

// at returns the tagger time sec seconds after t0.
func at(sec int) time.Time {
	return t0.Add(time.Duration(sec) * time.Second)
}

// sha returns a distinct 40-hex commit id for n, such as "0101…01" for 1.
func sha(n int) string {
	return strings.Repeat(fmt.Sprintf("%02x", n), 20)
}

// rec returns an annotated tag record named name on commit, tagged sec seconds after t0.
func rec(name, commit string, sec int) TagRecord {
	return TagRecord{
		Name:        name,
		Annotated:   true,
		Commit:      commit,
		PeeledType:  object.Commit,
		TaggerName:  "Ada Lovelace",
		TaggerEmail: "ada@example.com",
		When:        at(sec),
		Message:     "message of " + name,
	}
}

// lightweight returns a lightweight tag record: no tagger, no time, no message.
func lightweight(name, commit string) TagRecord {
	return TagRecord{Name: name, Commit: commit, PeeledType: object.Commit}
}

func versionNames(versions []*Version) []string {
	names := make([]string, len(versions))
	for i, v := range versions {
		names[i] = v.Name
	}
	return names
}

func eventNames[E Event | *Event](events []E) []string {
	names := make([]string, len(events))
	for i, e := range events {
		switch e := any(e).(type) {
		case Event:
			names[i] = e.Name
		case *Event:
			names[i] = e.Name
		}
	}
	return names
}

// inStage lists a stage as "version (tag that put it there)", newest assignment first.
func inStage(a *Artifact, stage string) []string {
	var out []string
	for _, as := range a.InStage(stage) {
		out = append(out, as.Version.Name+" ("+as.Event.Name+")")
	}
	return out
}

func artifact(t *testing.T, s *State, name string) *Artifact {
	t.Helper()
	a := s.Artifacts[name]
	if a == nil {
		t.Fatalf("no artifact %q; artifacts: %v", name, s.Names())
	}
	return a
}

// describe renders everything a reader can see of a state, so that two states compare as text.
func describe(s *State) string {
	var b strings.Builder
	for _, name := range s.Names() {
		a := s.Artifacts[name]
		fmt.Fprintf(&b, "artifact %s active=%v events=%v\n", name, a.Active, eventNames(a.Events))
		for _, v := range a.Versions {
			reg := ""
			if v.Registration != nil {
				reg = v.Registration.Name
			}
			fmt.Fprintf(&b, "  version %s registered=%v active=%v commit=%s registration=%q stages=%v events=%v\n",
				v.Name, v.Registered, v.Active, v.Commit, reg, v.StagesOf(), eventNames(v.Events))
		}
		for _, stage := range a.Stages() {
			fmt.Fprintf(&b, "  stage %s: %v\n", stage, inStage(a, stage))
		}
		if l := a.Latest(); l != nil {
			fmt.Fprintf(&b, "  latest %s\n", l.Name)
		}
	}
	for _, e := range s.Events() {
		vname := "-"
		if v := s.VersionOf(e); v != nil {
			vname = v.Name
		}
		fmt.Fprintf(&b, "event %s %s %s -> %s\n", e.Time.Format(time.RFC3339), e.Name, object.Short(e.Commit), vname)
	}
	fmt.Fprintf(&b, "stages in use %v\nwarnings %q\n", s.StagesInUse(), s.Warnings)
	return b.String()
}

func TestEventFields(t *testing.T) {
	s := Build([]TagRecord{rec("dir=m#prod#3", sha(1), 4)})
	events := s.Events()
	if len(events) != 1 {
		t.Fatalf("Events() = %v, want one", eventNames(events))
	}
	e := *events[0]
	want := Event{
		Tag:         Tag{Artifact: "dir:m", Action: ActionAssign, Stage: "prod", Counter: "3", HasCounter: true, counterDigits: "3"},
		Name:        "dir=m#prod#3",
		Commit:      sha(1),
		Time:        at(4),
		Author:      "Ada Lovelace",
		AuthorEmail: "ada@example.com",
		Message:     "message of dir=m#prod#3",
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("event = %+v\nwant %+v", e, want)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"dir:m"}) {
		t.Errorf("Names() = %v, want [dir:m]", got)
	}
}

func TestVersionsActiveAndDeregistered(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v1.1.0", sha(2), 1),
		rec("m@v1.1.0!", sha(2), 2),
	})
	a := artifact(t, s, "m")
	if got, want := versionNames(a.Versions), []string{"v1.0.0", "v1.1.0"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("versions = %v, want %v", got, want)
	}
	tests := []struct {
		name, commit, registration string
		active                     bool
		events                     []string
	}{
		{"v1.0.0", sha(1), "m@v1.0.0", true, []string{"m@v1.0.0"}},
		{"v1.1.0", sha(2), "m@v1.1.0", false, []string{"m@v1.1.0", "m@v1.1.0!"}},
	}
	for _, tc := range tests {
		v := a.Version(tc.name)
		if v == nil {
			t.Fatalf("Version(%q) = nil", tc.name)
		}
		if v.Name != tc.name || v.Artifact != "m" || !v.Registered || v.Active != tc.active || v.Commit != tc.commit {
			t.Errorf("%s = {artifact %q, registered %v, active %v, commit %s}; want {m, true, %v, %s}",
				tc.name, v.Artifact, v.Registered, v.Active, v.Commit, tc.active, tc.commit)
		}
		if v.Registration == nil || v.Registration.Name != tc.registration {
			t.Errorf("%s.Registration = %v, want %s", tc.name, v.Registration, tc.registration)
		}
		if got := eventNames(v.Events); !reflect.DeepEqual(got, tc.events) {
			t.Errorf("%s.Events = %v, want %v", tc.name, got, tc.events)
		}
		if got, want := v.SemVer().String(), tc.name; got != want {
			t.Errorf("%s.SemVer() = %s", tc.name, got)
		}
	}
	if a.Version("v9.9.9") != nil {
		t.Error("Version(v9.9.9) is not nil")
	}
	if got := a.Latest(); got == nil || got.Name != "v1.0.0" {
		t.Errorf("Latest() = %v, want v1.0.0", got)
	}
	if !a.Active {
		t.Error("artifact is not active")
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings %q", s.Warnings)
	}
}

// TestReregistration: a deregistered version registered again is active, keeps its history
// and stays one version (docs/registry.md §3, §5).
func TestReregistration(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v1.0.0!", sha(1), 1),
		rec("m@v1.0.0#3", sha(1), 2),
	})
	a := artifact(t, s, "m")
	if got := versionNames(a.Versions); !reflect.DeepEqual(got, []string{"v1.0.0"}) {
		t.Fatalf("versions = %v, want [v1.0.0]", got)
	}
	v := a.Version("v1.0.0")
	if !v.Active {
		t.Error("re-registered version is not active")
	}
	if v.Registration == nil || v.Registration.Name != "m@v1.0.0#3" {
		t.Errorf("Registration = %v, want the newest registration m@v1.0.0#3", v.Registration)
	}
	if got, want := eventNames(v.Events), []string{"m@v1.0.0", "m@v1.0.0!", "m@v1.0.0#3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if l := a.Latest(); l != v {
		t.Errorf("Latest() = %v, want v1.0.0", l)
	}

	// In between, it was deregistered.
	mid := artifact(t, s.At(at(1)), "m").Version("v1.0.0")
	if mid.Active || mid.Registration.Name != "m@v1.0.0" {
		t.Errorf("at second 1: active %v, registration %s; want false, m@v1.0.0", mid.Active, mid.Registration.Name)
	}
	if l := artifact(t, s.At(at(1)), "m").Latest(); l != nil {
		t.Errorf("at second 1: Latest() = %s, want none", l.Name)
	}
}

// TestStageFallBack: the stage shows the most recent still-active assignment among active
// versions, and falls back when that version is unassigned or deregistered.
func TestStageFallBack(t *testing.T) {
	base := []TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v2.0.0", sha(2), 1),
		rec("m#prod#1", sha(1), 2),
		rec("m#prod#2", sha(2), 3),
	}
	tests := []struct {
		name  string
		last  TagRecord
		want  []string
		stage []string // StagesOf v2.0.0
	}{
		{"no change", TagRecord{}, []string{"v2.0.0 (m#prod#2)", "v1.0.0 (m#prod#1)"}, []string{"prod"}},
		{"newest unassigned", rec("m#prod!#3", sha(2), 4), []string{"v1.0.0 (m#prod#1)"}, nil},
		{"newest deregistered", rec("m@v2.0.0!", sha(2), 4), []string{"v1.0.0 (m#prod#1)"}, nil},
		{"older unassigned", rec("m#prod!#3", sha(1), 4), []string{"v2.0.0 (m#prod#2)"}, []string{"prod"}},
		{"older assigned again", rec("m#prod#3", sha(1), 4), []string{"v1.0.0 (m#prod#3)", "v2.0.0 (m#prod#2)"}, []string{"prod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			records := append([]TagRecord(nil), base...)
			if tc.last.Name != "" {
				records = append(records, tc.last)
			}
			a := artifact(t, Build(records), "m")
			if got := inStage(a, "prod"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("InStage(prod) = %v, want %v", got, tc.want)
			}
			// nil and empty are the same answer: no stage.
			if got := a.Version("v2.0.0").StagesOf(); len(got)+len(tc.stage) > 0 && !reflect.DeepEqual(got, tc.stage) {
				t.Errorf("v2.0.0.StagesOf() = %v, want %v", got, tc.stage)
			}
		})
	}
}

// TestStageEmptied: when every version in a stage leaves it, the stage is empty and no
// longer listed.
func TestStageEmptied(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v2.0.0", sha(2), 1),
		rec("m#prod#1", sha(1), 2),
		rec("m#prod#2", sha(2), 3),
		rec("m#dev#3", sha(2), 4),
		rec("m@v2.0.0!", sha(2), 5),
		rec("m#prod!#4", sha(1), 6),
	})
	a := artifact(t, s, "m")
	if got := a.InStage("prod"); len(got) != 0 {
		t.Errorf("InStage(prod) = %v, want empty", inStage(a, "prod"))
	}
	if got := a.Stages(); len(got) != 0 {
		t.Errorf("Stages() = %v, want none (dev holds only a deregistered version)", got)
	}
	if e := a.Version("v2.0.0").Assignment("dev"); e != nil {
		t.Errorf("deregistered v2.0.0.Assignment(dev) = %s, want nil", e.Name)
	}
	// Registering it again brings back its stages.
	s = Build(append(recordsOf(s), rec("m@v2.0.0#5", sha(2), 7)))
	a = artifact(t, s, "m")
	if got, want := inStage(a, "dev"), []string{"v2.0.0 (m#dev#3)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after re-registration: InStage(dev) = %v, want %v", got, want)
	}
	if got, want := inStage(a, "prod"), []string{"v2.0.0 (m#prod#2)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after re-registration: InStage(prod) = %v, want %v", got, want)
	}
	if got, want := a.Stages(), []string{"dev", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Stages() = %v, want %v", got, want)
	}
	if got, want := a.Version("v2.0.0").StagesOf(), []string{"prod", "dev"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StagesOf() = %v, want %v (in order of assignment)", got, want)
	}
}

// recordsOf turns a state's events back into the records that made them.
func recordsOf(s *State) []TagRecord {
	var out []TagRecord
	for _, e := range s.Events() {
		out = append(out, TagRecord{Name: e.Name, Annotated: true, Commit: e.Commit, PeeledType: object.Commit,
			TaggerName: e.Author, TaggerEmail: e.AuthorEmail, When: e.Time, Message: e.Message})
	}
	return out
}

func TestInStageNewestFirst(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v1.1.0", sha(2), 1),
		rec("m@v1.2.0", sha(3), 2),
		rec("m#prod#1", sha(2), 3),
		rec("m#prod#2", sha(3), 4),
		rec("m#prod#3", sha(1), 5),
		rec("m#dev#4", sha(3), 6),
	})
	a := artifact(t, s, "m")
	if got, want := inStage(a, "prod"), []string{"v1.0.0 (m#prod#3)", "v1.2.0 (m#prod#2)", "v1.1.0 (m#prod#1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(prod) = %v, want %v", got, want)
	}
	if got, want := inStage(a, "dev"), []string{"v1.2.0 (m#dev#4)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(dev) = %v, want %v", got, want)
	}
	if got := a.InStage("staging"); len(got) != 0 {
		t.Errorf("InStage(staging) = %v, want nil", got)
	}
	if got, want := a.Stages(), []string{"dev", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Stages() = %v, want %v", got, want)
	}
	if e := a.Version("v1.2.0").Assignment("prod"); e == nil || e.Name != "m#prod#2" {
		t.Errorf("v1.2.0.Assignment(prod) = %v, want m#prod#2", e)
	}
	if e := a.Version("v1.2.0").Assignment("staging"); e != nil {
		t.Errorf("v1.2.0.Assignment(staging) = %s, want nil", e.Name)
	}
}

// TestAssignmentBeforeRegistration: an assignment belongs to the version registered on its
// commit even when it was made before the registration.
func TestAssignmentBeforeRegistration(t *testing.T) {
	s := Build([]TagRecord{
		rec("m#prod#1", sha(1), 0),
		rec("m@v1.0.0", sha(1), 1),
	})
	a := artifact(t, s, "m")
	if got := versionNames(a.Versions); !reflect.DeepEqual(got, []string{"v1.0.0"}) {
		t.Fatalf("versions = %v, want only v1.0.0 (no unregistered commit)", got)
	}
	if got, want := inStage(a, "prod"), []string{"v1.0.0 (m#prod#1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(prod) = %v, want %v", got, want)
	}
	assign := s.Events()[0]
	if assign.Name != "m#prod#1" {
		t.Fatalf("first event %s, want m#prod#1", assign.Name)
	}
	if v := s.VersionOf(assign); v == nil || v.Name != "v1.0.0" {
		t.Errorf("VersionOf(m#prod#1) = %v, want v1.0.0", v)
	}
	if got, want := eventNames(a.Version("v1.0.0").Events), []string{"m@v1.0.0", "m#prod#1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("v1.0.0.Events = %v, want %v (registrations, then assignments)", got, want)
	}

	// Before the registration, the assignment was to an unregistered commit.
	before := artifact(t, s.At(at(0)), "m")
	if got := versionNames(before.Versions); !reflect.DeepEqual(got, []string{sha(1)}) {
		t.Errorf("at second 0: versions = %v, want the unregistered commit", got)
	}
}

// TestAssignmentToUnregisteredCommit: an assignment on a commit with no version belongs to an
// unregistered version named by the full commit id.
func TestAssignmentToUnregisteredCommit(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m#dev#1", sha(2), 1),
		rec("m#prod#2", sha(2), 2),
		rec("m#qa#3", sha(3), 3),
		rec("m#qa!#4", sha(3), 4),
		rec("solo#dev", sha(4), 5),
	})
	a := artifact(t, s, "m")
	if got, want := versionNames(a.Versions), []string{"v1.0.0", sha(2), sha(3)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("versions = %v, want %v", got, want)
	}
	u := a.Versions[1]
	if u.Registered || !u.Active || u.Commit != sha(2) || u.Registration != nil || u.Artifact != "m" {
		t.Errorf("unregistered = {registered %v, active %v, commit %s, registration %v, artifact %s}; want {false, true, %s, nil, m}",
			u.Registered, u.Active, u.Commit, u.Registration, u.Artifact, sha(2))
	}
	if got, want := u.StagesOf(), []string{"dev", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StagesOf() = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(u.SemVer(), SemVer{}) {
		t.Errorf("SemVer() = %v, want the zero value", u.SemVer())
	}
	if a.Version(sha(2)) != nil {
		t.Error("Version(commit) finds an unregistered commit; it only finds registered versions")
	}
	if got, want := inStage(a, "dev"), []string{sha(2) + " (m#dev#1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(dev) = %v, want %v", got, want)
	}
	if l := a.Latest(); l == nil || l.Name != "v1.0.0" {
		t.Errorf("Latest() = %v, want v1.0.0 (unregistered commits are never latest)", l)
	}
	// An artifact known only from an assignment exists, has no latest version.
	solo := artifact(t, s, "solo")
	if l := solo.Latest(); l != nil {
		t.Errorf("solo.Latest() = %s, want nil", l.Name)
	}
	if got := versionNames(solo.Versions); !reflect.DeepEqual(got, []string{sha(4)}) {
		t.Errorf("solo versions = %v", got)
	}
	// Display order: registered by SemVer, then unregistered commits, most recent first.
	versions := append([]*Version(nil), a.Versions...)
	SortVersions(versions)
	if got, want := versionNames(versions), []string{"v1.0.0", sha(3), sha(2)}; !reflect.DeepEqual(got, want) {
		t.Errorf("SortVersions = %v, want %v", got, want)
	}
}

func TestLatest(t *testing.T) {
	tests := []struct {
		name    string
		records []TagRecord
		want    string // "" for none
	}{
		{"release above its pre-release", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v1.0.0-rc.1", sha(2), 1)}, "v1.0.0"},
		{"next minor's pre-release above", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v1.1.0-rc.1", sha(2), 1)}, "v1.1.0-rc.1"},
		{"numeric, not textual", []TagRecord{rec("m@v1.10.0", sha(1), 0), rec("m@v1.9.0", sha(2), 1)}, "v1.10.0"},
		{"not the newest registration", []TagRecord{rec("m@v2.0.0", sha(1), 0), rec("m@v1.5.0", sha(2), 1)}, "v2.0.0"},
		// Of equal precedence the later registration is the latest, as in GTO (docs/registry.md §3).
		{"build tie: later registration (plain first)", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v1.0.0+b", sha(2), 1)}, "v1.0.0+b"},
		{"build tie: later registration (build first)", []TagRecord{rec("m@v1.0.0+b", sha(1), 0), rec("m@v1.0.0", sha(2), 1)}, "v1.0.0"},
		{"build tie: order of time, not of input", []TagRecord{rec("m@v1.0.0", sha(2), 1), rec("m@v1.0.0+b", sha(1), 0)}, "v1.0.0"},
		{"build tie: re-registered later", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v1.0.0+b", sha(2), 1),
			rec("m@v1.0.0!", sha(1), 2), rec("m@v1.0.0#5", sha(1), 3)}, "v1.0.0"},
		{"deregistered greatest skipped", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v2.0.0", sha(2), 1), rec("m@v2.0.0!", sha(2), 2)}, "v1.0.0"},
		{"all deregistered", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@v1.0.0!", sha(1), 1)}, ""},
		{"deprecated artifact keeps its versions", []TagRecord{rec("m@v1.0.0", sha(1), 0), rec("m@deprecated", sha(1), 1)}, "v1.0.0"},
		// Past 64 bits, numerically (tag-limits.txtar).
		{"past uint64", []TagRecord{rec("m@v18446744073709551615.0.0", sha(1), 0), rec("m@v18446744073709551616.0.0", sha(2), 1)},
			"v18446744073709551616.0.0"},
		{"longer is greater", []TagRecord{rec("m@v100000000000000000000.0.0", sha(1), 0), rec("m@v99999999999999999999.0.0", sha(2), 1)},
			"v100000000000000000000.0.0"},
		{"big minor", []TagRecord{rec("m@v1.99999999999999999999.0", sha(1), 0), rec("m@v1.100000000000000000000.0-rc.1", sha(2), 1),
			rec("m@v1.9.0", sha(3), 2)}, "v1.100000000000000000000.0-rc.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := artifact(t, Build(tc.records), "m").Latest()
			switch {
			case tc.want == "" && got != nil:
				t.Errorf("Latest() = %s, want none", got.Name)
			case tc.want != "" && (got == nil || got.Name != tc.want):
				t.Errorf("Latest() = %v, want %s", got, tc.want)
			}
		})
	}
}

// TestDeprecation: a deprecation as the newest event makes the artifact inactive; any later
// event, of any kind, brings it back.
func TestDeprecation(t *testing.T) {
	base := []TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m#prod#1", sha(1), 1),
		rec("m@deprecated", sha(1), 2),
	}
	if a := artifact(t, Build(base), "m"); a.Active {
		t.Error("deprecated artifact is active")
	}
	if a := artifact(t, Build(base[:2]), "m"); !a.Active {
		t.Error("artifact is inactive before its deprecation")
	}
	later := []struct {
		name   string
		record TagRecord
		active bool
	}{
		{"registration", rec("m@v1.1.0", sha(2), 3), true},
		{"deregistration", rec("m@v1.0.0!", sha(1), 3), true},
		{"assignment", rec("m#dev#2", sha(1), 3), true},
		{"unassignment", rec("m#prod!#2", sha(1), 3), true},
		{"second deprecation", rec("m@deprecated#2", sha(1), 3), false},
		{"same-second registration wins the tie", rec("m@v1.1.0", sha(2), 2), true},
		{"same-second unassignment wins the tie", rec("m#prod!#2", sha(1), 2), true},
		{"created tag is no event", rec("m@created#5", sha(1), 3), false},
		{"lightweight tag is no event", lightweight("m#dev#5", sha(1)), false},
		{"other artifact's event", rec("n@v1.0.0", sha(1), 3), false},
	}
	for _, tc := range later {
		t.Run(tc.name, func(t *testing.T) {
			records := append(append([]TagRecord(nil), base...), tc.record)
			if a := artifact(t, Build(records), "m"); a.Active != tc.active {
				t.Errorf("Active = %v, want %v", a.Active, tc.active)
			}
		})
	}
	// A deprecation in the same second as a registration is the older of the two.
	s := Build([]TagRecord{rec("m@deprecated", sha(1), 0), rec("m@v1.0.0", sha(1), 0)})
	if got, want := eventNames(s.Events()), []string{"m@deprecated", "m@v1.0.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

// sameSecondHistory has events in one second that only the tie-break rules order: action
// priority, then counter, then tag name.
func sameSecondHistory() (records []TagRecord, wantEvents []string) {
	records = []TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v2.0.0", sha(2), 0),
		rec("m@deprecated", sha(2), 0),
		rec("m#prod!#3", sha(1), 0),
		rec("m#prod#2", sha(1), 0),
		rec("m#dev#5", sha(2), 0),
		rec("m#dev#4", sha(1), 0),
		rec("m#qa#0", sha(1), 0),
		rec("m#qa", sha(2), 0),
		rec("m@v3.0.0!", sha(3), 0),
		rec("m@v3.0.0", sha(3), 0),
		rec("m@v3.0.0#9", sha(3), 0),
		rec("n#prod", sha(4), 0),
		rec("n@v0.1.0", sha(4), 0),
		rec("m#staging#1", sha(3), 1),
	}
	wantEvents = []string{
		"m@deprecated",
		"m@v1.0.0", "m@v2.0.0", "m@v3.0.0", "n@v0.1.0", // registrations, counter 0, by name
		"m@v3.0.0#9",               // then by counter
		"m@v3.0.0!",                // deregistration, even after a registration with a higher counter
		"m#qa", "m#qa#0", "n#prod", // assignments with counter 0, by name
		"m#prod#2", "m#dev#4", "m#dev#5", // then by counter
		"m#prod!#3", // unassignment
		"m#staging#1",
	}
	return records, wantEvents
}

func TestSameSecondOrder(t *testing.T) {
	records, wantEvents := sameSecondHistory()
	s := Build(records)
	if got := eventNames(s.Events()); !reflect.DeepEqual(got, wantEvents) {
		t.Fatalf("events =\n%v\nwant\n%v", got, wantEvents)
	}
	a := artifact(t, s, "m")
	if !a.Active {
		t.Error("m is inactive; its deprecation comes first in its second")
	}
	v3 := a.Version("v3.0.0")
	if v3.Active || v3.Registration.Name != "m@v3.0.0#9" {
		t.Errorf("v3.0.0: active %v, registration %s; want false (the deregistration wins the tie), m@v3.0.0#9",
			v3.Active, v3.Registration.Name)
	}
	if l := a.Latest(); l == nil || l.Name != "v2.0.0" {
		t.Errorf("Latest() = %v, want v2.0.0", l)
	}
	if got, want := inStage(a, "prod"), []string(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(prod) = %v, want empty (unassignment wins the tie)", got)
	}
	if got, want := inStage(a, "dev"), []string{"v2.0.0 (m#dev#5)", "v1.0.0 (m#dev#4)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(dev) = %v, want %v (higher counter is later)", got, want)
	}
	if got, want := inStage(a, "qa"), []string{"v1.0.0 (m#qa#0)", "v2.0.0 (m#qa)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(qa) = %v, want %v (equal counters: by tag name)", got, want)
	}
	want := describe(s)
	for seed := int64(1); seed <= 50; seed++ {
		shuffled := append([]TagRecord(nil), records...)
		rand.New(rand.NewSource(seed)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := describe(Build(shuffled)); got != want {
			t.Fatalf("seed %d: the state depends on input order:\n%s\nwant\n%s", seed, got, want)
		}
	}
}

// TestEventBefore pins each step of the order of docs/registry.md §3 on pairs of events.
func TestEventBefore(t *testing.T) {
	ev := func(name string, sec int) *Event {
		tag, ok := ParseTag(name)
		if !ok {
			t.Fatalf("ParseTag(%q) failed", name)
		}
		return &Event{Tag: tag, Name: name, Time: at(sec)}
	}
	paris := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		a, b *Event
	}{
		{ev("m#prod!#9", 0), ev("m@deprecated", 1)},  // time first
		{ev("m@deprecated#9", 0), ev("m@v1.0.0", 0)}, // deprecation < registration
		{ev("m@v1.0.0#9", 0), ev("m@v1.0.0!", 0)},    // registration < deregistration
		{ev("m@v1.0.0!#9", 0), ev("m#prod", 0)},      // deregistration < assignment
		{ev("m#prod#9", 0), ev("m#prod!", 0)},        // assignment < unassignment
		{ev("m#prod", 0), ev("m#prod#1", 0)},         // a counter-less tag counts as 0
		{ev("m#prod#2", 0), ev("m#prod#10", 0)},      // counters numerically
		{ev("z#prod#0002", 0), ev("a#prod#3", 0)},    // counter before name
		{ev("a#prod#0", 0), ev("b#prod", 0)},         // then name
		{ev("m#prod", 0), ev("m#prod#0", 0)},         // counter 0 either way: name
		// Counters of any size, numerically, never as text.
		{ev("m#prod#9223372036854775807", 0), ev("m#prod#9223372036854775808", 0)},
		{ev("m#prod#99999999999999999999", 0), ev("m#prod#100000000000000000000", 0)},
		{ev("m#prod#100000000000000000000", 0), ev("m#prod#100000000000000000001", 0)},
		{ev("m#prod#9", 0), ev("m#prod#18446744073709551616", 0)},
		{ev("z#prod#00099999999999999999999", 0), ev("a#prod#100000000000000000000", 0)},
		{ev("m#prod#99999999999999999999", 0), ev("m#prod!", 0)}, // action still before counter
		{ev("m#zzz", 0), &Event{Tag: Tag{Artifact: "m", Action: ActionAssign, Stage: "a"}, Name: "m#a", Time: at(0).In(paris).Add(time.Second)}},
	}
	for _, tc := range tests {
		if !tc.a.Before(tc.b) {
			t.Errorf("%s (%s) is not before %s (%s)", tc.a.Name, tc.a.Time, tc.b.Name, tc.b.Time)
		}
		if tc.b.Before(tc.a) {
			t.Errorf("%s is before %s", tc.b.Name, tc.a.Name)
		}
	}
	e := ev("m#prod", 0)
	if e.Before(e) {
		t.Error("an event is before itself")
	}
}

// TestTimeZones: events order by instant; the same instant in two zones is a tie.
func TestTimeZones(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*60*60)
	newYork := time.FixedZone("EST", -5*60*60)
	r1 := rec("m@v1.0.0", sha(1), 0)
	r1.When = time.Date(2024, 3, 1, 19, 0, 5, 0, tokyo) // 10:00:05 UTC
	r2 := rec("m#prod#1", sha(1), 0)
	r2.When = time.Date(2024, 3, 1, 5, 0, 4, 0, newYork) // 10:00:04 UTC
	r3 := rec("m@v1.0.0!", sha(1), 0)
	r3.When = at(5).In(newYork) // a tie with r1: deregistration wins
	s := Build([]TagRecord{r3, r1, r2})
	if got, want := eventNames(s.Events()), []string{"m#prod#1", "m@v1.0.0", "m@v1.0.0!"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if s.Events()[1].Time.Location() != tokyo {
		t.Errorf("the event lost its time zone: %s", s.Events()[1].Time)
	}
	if v := artifact(t, s, "m").Version("v1.0.0"); v.Active {
		t.Error("v1.0.0 is active; its deregistration in the same second wins")
	}
}

func TestNextCounter(t *testing.T) {
	tests := []struct {
		name     string
		records  []TagRecord
		artifact string
		want     string
	}{
		{"none", nil, "m", "1"},
		{"only counter-less tags", []TagRecord{rec("m@v0.0.1", sha(1), 0), rec("m#prod", sha(1), 1)}, "m", "1"},
		{"register then assign", []TagRecord{rec("m@v0.0.1", sha(1), 0), rec("m#dev#1", sha(1), 1)}, "m", "2"},
		{"simple tag ignored", []TagRecord{rec("m@v0.0.1", sha(1), 0), rec("m#dev#1", sha(1), 1), rec("m#prod", sha(1), 2)}, "m", "2"},
		{"across actions", []TagRecord{rec("m@v0.0.1#1", sha(1), 0), rec("m#dev#2", sha(1), 1), rec("m@deprecated", sha(1), 2)}, "m", "3"},
		{"leading zeros", []TagRecord{rec("nn#qa#0042", sha(1), 0)}, "nn", "43"},
		{"lightweight counts", []TagRecord{lightweight("y#dev#7", sha(1))}, "y", "8"},
		{"folder artifact", []TagRecord{rec("dir=m@v0.0.1", sha(1), 0), rec("dir=m#prod#1", sha(1), 1)}, "dir:m", "2"},
		{"folder artifact is another artifact", []TagRecord{rec("dir=m#prod#5", sha(1), 0)}, "m", "1"},
		{"highest, not newest", []TagRecord{rec("m#dev#9", sha(1), 0), rec("m#dev#3", sha(1), 1)}, "m", "10"},
		{"deregistration counter", []TagRecord{rec("m@v1.0.0!#6", sha(1), 0)}, "m", "7"},
		{"created tag parses, so it counts", []TagRecord{rec("nn@created#4", sha(1), 0)}, "nn", "5"},
		{"tag on a tree counts", []TagRecord{{Name: "m#prod#11", Annotated: true, PeeledType: object.Tree, When: at(0)}}, "m", "12"},
		{"invalid tags do not count", []TagRecord{rec("m#prod#1!", sha(1), 0), rec("m@v1.0#8", sha(1), 0), rec("m#prod#2", sha(1), 1)}, "m", "3"},
		// Past 64 bits: exact, with the carry.
		{"int64 max", []TagRecord{rec("m#prod#9223372036854775807", sha(1), 0)}, "m", "9223372036854775808"},
		{"uint64 max", []TagRecord{lightweight("m#prod#18446744073709551615", sha(1))}, "m", "18446744073709551616"},
		{"carry makes it longer", []TagRecord{rec("m#dev#1", sha(1), 0), rec("m#prod#99999999999999999999", sha(1), 1)}, "m",
			"100000000000000000000"},
		{"big with leading zeros", []TagRecord{rec("nn#qa#000123456789012345678901234567890", sha(1), 0)}, "nn",
			"123456789012345678901234567891"},
		{"highest by value, not by text", []TagRecord{rec("m#dev#99999999999999999999", sha(1), 0), rec("m#dev#100000000000000000000", sha(1), 1),
			rec("m#qa#9", sha(1), 2), rec("m#qa#0999999999999999999999", sha(1), 3)}, "m", "1000000000000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.records)
			if got := s.NextCounter(tc.artifact); got != tc.want {
				t.Errorf("NextCounter(%q) = %s, want %s", tc.artifact, got, tc.want)
			}
			// A state in the past knows the same counters: they are for writing now.
			if got := s.At(t0.Add(-time.Hour)).NextCounter(tc.artifact); got != tc.want {
				t.Errorf("At(before).NextCounter(%q) = %s, want %s", tc.artifact, got, tc.want)
			}
		})
	}
}

func TestLightweightTagsMakeNoEvents(t *testing.T) {
	s := Build([]TagRecord{
		lightweight("y#dev#7", sha(1)),
		lightweight("m@v9.0.0", sha(2)),
		rec("m@v1.0.0", sha(1), 0),
	})
	if got, want := eventNames(s.Events()), []string{"m@v1.0.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
	if got, want := s.Names(), []string{"m"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if got := versionNames(s.Artifacts["m"].Versions); !reflect.DeepEqual(got, []string{"v1.0.0"}) {
		t.Errorf("versions = %v, want [v1.0.0]", got)
	}
	if len(s.Warnings) != 0 || len(s.StagesInUse()) != 0 {
		t.Errorf("warnings %q, stages %v; want none", s.Warnings, s.StagesInUse())
	}
}

func TestIgnoredTags(t *testing.T) {
	s := Build([]TagRecord{
		rec("nn@created", sha(1), 0),
		rec("nn@created#4", sha(1), 1),
		rec("v1.0.0", sha(1), 2),
		rec("release-2024", sha(1), 3),
		rec("m@latest", sha(1), 4),
		rec("x=y=z@v1.0.0", sha(1), 5),
		rec("nn@deprecated!", sha(1), 6),
		rec("m#prod#1!", sha(1), 7),
	})
	if len(s.Events()) != 0 || len(s.Artifacts) != 0 || len(s.Warnings) != 0 || len(s.StagesInUse()) != 0 {
		t.Errorf("ignored tags left events %v, artifacts %v, warnings %q, stages %v",
			eventNames(s.Events()), s.Names(), s.Warnings, s.StagesInUse())
	}
	// Next to real events, they change nothing.
	s = Build([]TagRecord{rec("nn@v1.0.0", sha(1), 0), rec("nn@created", sha(2), 1), rec("nn@deprecated", sha(1), 2), rec("nn@created#4", sha(2), 3)})
	a := artifact(t, s, "nn")
	if a.Active {
		t.Error("a created tag after a deprecation reactivated the artifact")
	}
	if got, want := eventNames(a.Events), []string{"nn@v1.0.0", "nn@deprecated"}; !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestTagOnTreeWarns(t *testing.T) {
	tree := TagRecord{Name: "m@v2.0.0", Annotated: true, PeeledType: object.Tree, When: at(1)}
	blob := TagRecord{Name: "m#prod#3", Annotated: true, PeeledType: object.Blob, When: at(2)}
	s := Build([]TagRecord{rec("m@v1.0.0", sha(1), 0), tree, blob})
	want := []string{
		"ignoring tag 'm@v2.0.0': it points to a tree, not a commit",
		"ignoring tag 'm#prod#3': it points to a blob, not a commit",
	}
	if got := eventNames(s.Events()); !reflect.DeepEqual(got, []string{"m@v1.0.0"}) {
		t.Errorf("events = %v, want [m@v1.0.0]", got)
	}
	if got := versionNames(artifact(t, s, "m").Versions); !reflect.DeepEqual(got, []string{"v1.0.0"}) {
		t.Errorf("versions = %v, want [v1.0.0]", got)
	}
	if !reflect.DeepEqual(s.Warnings, want) {
		t.Errorf("warnings = %q, want %q", s.Warnings, want)
	}
	// A state in the past still carries the warnings about tags.
	if got := s.At(at(0)).Warnings; !reflect.DeepEqual(got, want) {
		t.Errorf("At(0).Warnings = %q, want %q", got, want)
	}
	// A tag on a tree alone makes no artifact.
	if s := Build([]TagRecord{tree}); len(s.Artifacts) != 0 || len(s.Warnings) != 1 {
		t.Errorf("tree tag alone: artifacts %v, warnings %q", s.Names(), s.Warnings)
	}
	// A lightweight tag on a tree is no registry event and worth no warning.
	s = Build([]TagRecord{{Name: "m@v2.0.0", PeeledType: object.Tree}})
	if len(s.Warnings) != 0 || len(s.Events()) != 0 {
		t.Errorf("lightweight tag on a tree: warnings %q, events %v", s.Warnings, eventNames(s.Events()))
	}
}

// TestTwoVersionsOnOneCommit: reading survives a state GTO refuses, with a warning.
func TestTwoVersionsOnOneCommit(t *testing.T) {
	records := []TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v1.1.0", sha(1), 1),
		rec("m@v2.0.0", sha(2), 2),
		rec("m#prod#1", sha(1), 3),
		rec("n@v1.0.0", sha(1), 4), // another artifact on the same commit is fine
	}
	s := Build(records)
	wantWarning := "commit 0101010 carries 2 active versions of 'm': v1.0.0, v1.1.0"
	if !reflect.DeepEqual(s.Warnings, []string{wantWarning}) {
		t.Errorf("warnings = %q, want [%q]", s.Warnings, wantWarning)
	}
	a := artifact(t, s, "m")
	if got, want := versionNames(a.Versions), []string{"v1.0.0", "v1.1.0", "v2.0.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("versions = %v, want %v", got, want)
	}
	if l := a.Latest(); l == nil || l.Name != "v2.0.0" {
		t.Errorf("Latest() = %v, want v2.0.0", l)
	}
	// The assignment goes to the most recently registered of the two.
	if got, want := inStage(a, "prod"), []string{"v1.1.0 (m#prod#1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("InStage(prod) = %v, want %v", got, want)
	}
	if n := artifact(t, s, "n"); n.Latest() == nil || n.Latest().Name != "v1.0.0" {
		t.Error("artifact n was not derived")
	}

	// Deregistering one of them resolves the conflict; the assignment moves to the active one.
	s = Build(append(records, rec("m@v1.1.0!", sha(1), 5)))
	if len(s.Warnings) != 0 {
		t.Errorf("after deregistration: warnings %q", s.Warnings)
	}
	if got, want := inStage(artifact(t, s, "m"), "prod"), []string{"v1.0.0 (m#prod#1)"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after deregistration: InStage(prod) = %v, want %v", got, want)
	}

	// Three versions, two artifacts in conflict: one warning each, artifacts by name.
	s = Build([]TagRecord{
		rec("b@v1.0.0", sha(3), 0), rec("b@v2.0.0", sha(3), 1), rec("b@v3.0.0", sha(3), 2),
		rec("a@v1.0.0", sha(4), 3), rec("a@v1.0.1", sha(4), 4),
	})
	want := []string{
		"commit 0404040 carries 2 active versions of 'a': v1.0.0, v1.0.1",
		"commit 0303030 carries 3 active versions of 'b': v1.0.0, v2.0.0, v3.0.0",
	}
	if !reflect.DeepEqual(s.Warnings, want) {
		t.Errorf("warnings = %q, want %q", s.Warnings, want)
	}
}

func TestAt(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m#prod#1", sha(1), 10),
		rec("m@v2.0.0", sha(2), 20),
		rec("m#prod#2", sha(2), 30),
		rec("m@deprecated", sha(2), 40),
	})
	tests := []struct {
		sec     int
		events  int
		prod    []string
		latest  string
		active  bool
		present bool
	}{
		{-1, 0, nil, "", false, false},
		{0, 1, nil, "v1.0.0", true, true},
		{10, 2, []string{"v1.0.0 (m#prod#1)"}, "v1.0.0", true, true},
		{25, 3, []string{"v1.0.0 (m#prod#1)"}, "v2.0.0", true, true},
		{30, 4, []string{"v2.0.0 (m#prod#2)", "v1.0.0 (m#prod#1)"}, "v2.0.0", true, true},
		{40, 5, []string{"v2.0.0 (m#prod#2)", "v1.0.0 (m#prod#1)"}, "v2.0.0", false, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.sec), func(t *testing.T) {
			past := s.At(at(tc.sec))
			if got := len(past.Events()); got != tc.events {
				t.Errorf("%d events, want %d", got, tc.events)
			}
			a := past.Artifacts["m"]
			if (a != nil) != tc.present {
				t.Fatalf("artifact present %v, want %v", a != nil, tc.present)
			}
			if a == nil {
				return
			}
			if got := inStage(a, "prod"); !reflect.DeepEqual(got, tc.prod) {
				t.Errorf("InStage(prod) = %v, want %v", got, tc.prod)
			}
			if l := a.Latest(); l == nil || l.Name != tc.latest {
				t.Errorf("Latest() = %v, want %s", l, tc.latest)
			}
			if a.Active != tc.active {
				t.Errorf("Active = %v, want %v", a.Active, tc.active)
			}
		})
	}
	// At leaves the full state alone.
	if got := len(s.Events()); got != 5 {
		t.Errorf("the full state has %d events after At, want 5", got)
	}
	if a := s.Artifacts["m"]; a.Active || len(a.InStage("prod")) != 2 {
		t.Errorf("the full state changed after At: active %v, prod %v", a.Active, inStage(a, "prod"))
	}
	// A time between seconds, in another zone.
	mid := s.At(at(10).Add(500 * time.Millisecond).In(time.FixedZone("X", -3600)))
	if got := len(mid.Events()); got != 2 {
		t.Errorf("At(10.5s) has %d events, want 2", got)
	}
}

// StagesInUse is the stages of the assignments in the order of all events, first ones first,
// however many stages and artifacts there are, and at any time.
func TestStagesInUseManyStages(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	var records []TagRecord
	for i := range 2000 {
		artifact := fmt.Sprintf("m%d", rng.Intn(5))
		stage := fmt.Sprintf("s%d", rng.Intn(60)) // more stages than an artifact looks through
		mark := ""
		if rng.Intn(4) == 0 {
			mark = "!"
		}
		records = append(records, rec(fmt.Sprintf("%s#%s%s#%d", artifact, stage, mark, i+1), sha(rng.Intn(30)), rng.Intn(500)))
	}
	slices.SortFunc(records, func(a, b TagRecord) int { return strings.Compare(a.Name, b.Name) })
	s := Build(records)
	for _, state := range []*State{s, s.At(at(100)), s.At(at(250))} {
		var want []string
		for _, e := range state.Events() {
			if e.Action == ActionAssign && !slices.Contains(want, e.Stage) {
				want = append(want, e.Stage)
			}
		}
		if got := state.StagesInUse(); !reflect.DeepEqual(got, want) {
			t.Errorf("%d events: StagesInUse() = %v\nwant %v", len(state.Events()), got, want)
		}
	}
}

func TestStagesInUse(t *testing.T) {
	s := Build([]TagRecord{
		rec("a@v1.0.0", sha(1), 0),
		rec("b#staging!#1", sha(2), 1), // an unassignment alone does not put a stage in use
		rec("a#dev#2", sha(1), 2),
		rec("b#prod", sha(2), 3),
		rec("a#prod#3", sha(1), 4),
		rec("a#dev!#4", sha(1), 5), // a stage stays in use when emptied
		rec("b#qa#2", sha(2), 6),
	})
	if got, want := s.StagesInUse(), []string{"dev", "prod", "qa"}; !reflect.DeepEqual(got, want) {
		t.Errorf("StagesInUse() = %v, want %v", got, want)
	}
	if got, want := s.At(at(3)).StagesInUse(), []string{"dev", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("At(3).StagesInUse() = %v, want %v", got, want)
	}
	if got := Build(nil).StagesInUse(); len(got) != 0 {
		t.Errorf("empty registry: StagesInUse() = %v", got)
	}
}

func TestVersionOf(t *testing.T) {
	s := Build([]TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m#prod#1", sha(1), 1),
		rec("m#dev#2", sha(2), 2),
		rec("m@v1.0.0!", sha(1), 3),
		rec("m#prod!#3", sha(1), 4),
		rec("m@deprecated", sha(1), 5),
	})
	want := map[string]string{
		"m@v1.0.0":     "v1.0.0",
		"m#prod#1":     "v1.0.0",
		"m#dev#2":      sha(2),
		"m@v1.0.0!":    "v1.0.0",
		"m#prod!#3":    "v1.0.0", // an assignment belongs to a deregistered version too
		"m@deprecated": "",
	}
	events := s.Events()
	if len(events) != len(want) {
		t.Fatalf("events = %v", eventNames(events))
	}
	for _, e := range events {
		got := ""
		if v := s.VersionOf(e); v != nil {
			got = v.Name
		}
		if got != want[e.Name] {
			t.Errorf("VersionOf(%s) = %q, want %q", e.Name, got, want[e.Name])
		}
	}
	// The artifact's events are the same events.
	for _, e := range s.Artifacts["m"].Events {
		if v := s.VersionOf(e); (v == nil && want[e.Name] != "") || (v != nil && v.Name != want[e.Name]) {
			t.Errorf("VersionOf(artifact event %s) = %v, want %q", e.Name, v, want[e.Name])
		}
	}
	// An event from elsewhere belongs to nothing.
	if v := s.VersionOf(&Event{Name: "m#prod#1"}); v != nil {
		t.Errorf("VersionOf(foreign event) = %s, want nil", v.Name)
	}
	// In the past, the same event can belong to the version differently.
	past := s.At(at(2))
	if v := past.VersionOf(past.Events()[1]); v == nil || v.Name != "v1.0.0" || !v.Active {
		t.Errorf("At(2): VersionOf(m#prod#1) = %v, want active v1.0.0", v)
	}
}

func TestEmptyRegistry(t *testing.T) {
	for _, s := range []*State{Build(nil), Build([]TagRecord{}), Build(nil).At(t0)} {
		if len(s.Artifacts) != 0 || len(s.Events()) != 0 || len(s.Warnings) != 0 || len(s.Names()) != 0 {
			t.Errorf("empty registry: %s", describe(s))
		}
		if got := s.NextCounter("m"); got != "1" {
			t.Errorf("NextCounter = %s, want 1", got)
		}
	}
}

// TestAssignmentOnCommitWithDeregisteredVersion: on a commit that carries a deregistered
// version and an active one, an assignment belongs to the active one, whichever came first; on
// a commit with only deregistered versions, to the most recently registered or deregistered.
func TestAssignmentOnCommitWithDeregisteredVersion(t *testing.T) {
	tests := []struct {
		name    string
		records []TagRecord
		owner   string
		prod    []string
	}{
		{"withdrawn version first", []TagRecord{
			rec("m@v1.1.0", sha(1), 0), rec("m@v1.1.0!", sha(1), 1), rec("m@v1.0.0", sha(1), 2), rec("m#prod#1", sha(1), 3),
		}, "v1.0.0", []string{"v1.0.0 (m#prod#1)"}},
		{"withdrawn version last", []TagRecord{
			rec("m@v1.0.0", sha(1), 0), rec("m@v1.1.0", sha(1), 1), rec("m@v1.1.0!", sha(1), 2), rec("m#prod#1", sha(1), 3),
		}, "v1.0.0", []string{"v1.0.0 (m#prod#1)"}},
		{"only withdrawn versions", []TagRecord{
			rec("m@v1.0.0", sha(1), 0), rec("m@v1.1.0", sha(1), 1), rec("m@v1.1.0!", sha(1), 2), rec("m@v1.0.0!", sha(1), 3),
			rec("m#prod#1", sha(1), 4),
		}, "v1.0.0", nil},
		{"only withdrawn versions, other order", []TagRecord{
			rec("m@v1.0.0", sha(1), 0), rec("m@v1.1.0", sha(1), 1), rec("m@v1.0.0!", sha(1), 2), rec("m@v1.1.0!", sha(1), 3),
			rec("m#prod#1", sha(1), 4),
		}, "v1.1.0", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.records)
			events := s.Events()
			assign := events[len(events)-1]
			if v := s.VersionOf(assign); v == nil || v.Name != tc.owner {
				t.Errorf("VersionOf(%s) = %v, want %s", assign.Name, v, tc.owner)
			}
			if got := inStage(artifact(t, s, "m"), "prod"); !reflect.DeepEqual(got, tc.prod) {
				t.Errorf("InStage(prod) = %v, want %v", got, tc.prod)
			}
			if len(s.Warnings) != 0 {
				t.Errorf("warnings %q", s.Warnings)
			}
		})
	}
}

// The order of events is compareEvents' whatever the tagger dates: many events in the same
// second (ties broken by action, counter and name), dates spread over years, before 1970, and
// dates no clock writes (near the ends of int64 seconds).
func TestSortEventsIsCompareEvents(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	actions := []Action{ActionDeprecate, ActionRegister, ActionDeregister, ActionAssign, ActionUnassign}
	spans := map[string][]int64{
		"same seconds": {1_700_000_000, 1_700_000_001},
		"years":        {0, 1 << 20, 1 << 30, 1_700_000_000},
		"before 1970":  {-1 << 40, -86400, -1, 0, 1},
		"extremes":     {-1 << 62, -1, 0, 1 << 62},
	}
	for name, seconds := range spans {
		t.Run(name, func(t *testing.T) {
			events := make([]Event, 3000)
			names := rng.Perm(3000) // unique names: the order is total
			for i := range events {
				events[i] = Event{
					Tag:  Tag{Artifact: "a", Action: actions[rng.Intn(len(actions))], Counter: fmt.Sprint(rng.Intn(4))},
					Name: fmt.Sprintf("t%04d", names[i]),
					Time: time.Unix(seconds[rng.Intn(len(seconds))]+int64(rng.Intn(3)), 0),
				}
			}
			entries := make([]sortEntry, len(events))
			for i := range events {
				entries[i] = sortEntry{sec: events[i].Time.Unix(), e: &events[i], action: events[i].Action}
			}
			var got []*Event
			for _, o := range sortEvents(entries) {
				got = append(got, o.e)
			}
			want := make([]*Event, len(events))
			for i := range events {
				want[i] = &events[i]
			}
			slices.SortFunc(want, compareEvents)
			if len(got) != 3000 {
				t.Fatalf("%d events, want 3000", len(got))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("event %d is %s at %v, want %s at %v", i, got[i].Name, got[i].Time.Unix(), want[i].Name, want[i].Time.Unix())
				}
			}
		})
	}
}

// TestStageOrder: the configured stages in their order, then the others in use in theirs,
// each once, and the inputs left as they were.
func TestStageOrder(t *testing.T) {
	for _, tc := range []struct{ configured, inUse, want []string }{
		{nil, nil, []string{}},
		{[]string{"dev", "staging", "prod"}, []string{"prod", "dev"}, []string{"dev", "staging", "prod"}},
		{[]string{"dev", "prod"}, []string{"qa", "prod", "canary", "qa"}, []string{"dev", "prod", "qa", "canary"}},
		{nil, []string{"prod", "dev"}, []string{"prod", "dev"}},
	} {
		configured := slices.Clone(tc.configured)
		if got := StageOrder(configured, tc.inUse); !slices.Equal(got, tc.want) {
			t.Errorf("StageOrder(%q, %q) = %q, want %q", tc.configured, tc.inUse, got, tc.want)
		}
		if !slices.Equal(configured, tc.configured) {
			t.Errorf("StageOrder changed its first argument to %q", configured)
		}
	}
}
