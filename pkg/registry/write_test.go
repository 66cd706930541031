package registry

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// The write tests plan changes on states built from tag records (rec and lightweight in
// state_test.go) and compare the tags a change creates and deletes with docs/registry.md §4 and
// docs/tag-vectors.md V5.

// head is a commit that carries no version in any history of these tests: "on HEAD".
var head = sha(0x99)

// nowAt is the time the tests give as Now unless they test time itself: later than every event
// of the histories (which stay within the first minute after t0).
var nowAt = at(600)

// plan is one write on a state, with the given options.
type plan func(s *State, o WriteOptions) (Change, error)

func registerOn(artifact, commit string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Register(RegisterRequest{WriteOptions: o, Artifact: artifact, Commit: commit})
	}
}

func registerVersion(artifact, commit, version string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Register(RegisterRequest{WriteOptions: o, Artifact: artifact, Commit: commit, Version: version})
	}
}

func assignCommit(artifact, stage, commit string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Assign(AssignRequest{WriteOptions: o, Artifact: artifact, Stage: stage, Commit: commit})
	}
}

func assignVersion(artifact, stage, version string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Assign(AssignRequest{WriteOptions: o, Artifact: artifact, Stage: stage, Version: version})
	}
}

// assignSR is `assign --sr`: a stage for a commit, without registering a version on it.
func assignSR(artifact, stage, commit string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Assign(AssignRequest{WriteOptions: o, Artifact: artifact, Stage: stage, Commit: commit, SkipRegistration: true})
	}
}

func unassign(artifact, stage, version string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Unassign(UnassignRequest{WriteOptions: o, Artifact: artifact, Stage: stage, Version: version})
	}
}

func deregister(artifact, version string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Deregister(DeregisterRequest{WriteOptions: o, Artifact: artifact, Version: version})
	}
}

func deprecate(artifact, commit string) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		return s.Deprecate(DeprecateRequest{WriteOptions: o, Artifact: artifact, Commit: commit})
	}
}

// createdNames lists the names of the tags a change creates, in order.
func createdNames(c Change) []string {
	names := make([]string, len(c.Create))
	for i, t := range c.Create {
		names[i] = t.Name
	}
	return names
}

// render shows everything a new tag carries, so that tests compare it as one line of text.
func render(t NewTag) string {
	return fmt.Sprintf("%s on %s at %s version=%q replace=%v message=%q",
		t.Name, object.Short(t.Commit), t.Time.Format(time.RFC3339), t.Version, t.Replace, t.Message)
}

// checkNewTags checks what every tag of a change must satisfy whatever the action: the parsed
// Tag and the Name agree, and the name is a registry tag of the expected artifact.
func checkNewTags(t *testing.T, c Change, artifact string) {
	t.Helper()
	for _, nt := range c.Create {
		if got := nt.Tag.String(); got != nt.Name {
			t.Errorf("NewTag %s: Tag formats as %q", nt.Name, got)
		}
		p, ok := ParseTag(nt.Name)
		if !ok {
			t.Errorf("NewTag %s does not parse as a registry tag", nt.Name)
			continue
		}
		if p.Artifact != artifact || p.Artifact != nt.Artifact || p.Action != nt.Action || p.Version != nt.Tag.Version ||
			p.Stage != nt.Stage || p.HasCounter != nt.HasCounter || p.Counter != nt.Counter {
			t.Errorf("NewTag %s: Tag %+v, but the name parses to %+v (artifact %s)", nt.Name, nt.Tag, p, artifact)
		}
		if (p.Action == ActionRegister || p.Action == ActionDeregister) && nt.Version != p.Version {
			t.Errorf("NewTag %s: Version %q, want %q", nt.Name, nt.Version, p.Version)
		}
		if nt.Commit == "" {
			t.Errorf("NewTag %s has no commit", nt.Name)
		}
	}
}

// apply returns the records of a repository after a change: deleted tags removed, new ones
// added as annotated tags with the planned time, commit and message.
func apply(records []TagRecord, c Change) []TagRecord {
	deleted := make(map[string]bool)
	for _, name := range c.Delete {
		deleted[name] = true
	}
	var out []TagRecord
	for _, r := range records {
		if !deleted[r.Name] {
			out = append(out, r)
		}
	}
	for _, nt := range c.Create {
		out = append(out, TagRecord{Name: nt.Name, Annotated: true, Commit: nt.Commit, PeeledType: object.Commit,
			TaggerName: "Writer", TaggerEmail: "writer@example.com", When: nt.Time, Message: nt.Message})
	}
	return out
}

// namingName is the value of GTO's --simple that a Naming stands for.
func namingName(n Naming) string {
	switch n {
	case NamingSimple:
		return "true"
	case NamingNumbered:
		return "false"
	}
	return "auto"
}

// TestWriteV5 runs every row of docs/tag-vectors.md V5 ("auto/true" rows once for each value).
func TestWriteV5(t *testing.T) {
	c1 := sha(1)
	registered := []TagRecord{rec("m@v0.0.1", c1, 0), rec("m#dev#1", c1, 1)}
	tests := []struct {
		row      string
		existing []TagRecord
		action   plan
		naming   Naming
		want     []string
	}{
		{"none, register", nil, registerOn("m", head), NamingDefault, []string{"m@v0.0.1"}},
		{"none, register", nil, registerOn("m", head), NamingSimple, []string{"m@v0.0.1"}},
		{"none, register", nil, registerOn("m", head), NamingNumbered, []string{"m@v0.0.1#1"}},
		{"none (on HEAD), assign dev", nil, assignCommit("m", "dev", head), NamingDefault, []string{"m@v0.0.1", "m#dev#1"}},
		{"none (on HEAD), assign dev", nil, assignCommit("m", "dev", head), NamingNumbered, []string{"m@v0.0.1", "m#dev#1"}},
		{"none (on HEAD), assign dev", nil, assignCommit("m", "dev", head), NamingSimple, []string{"m@v0.0.1", "m#dev"}},
		{"m@v0.0.1 m#dev#1, assign prod", registered, assignCommit("m", "prod", c1), NamingDefault, []string{"m#prod#2"}},
		{"m@v0.0.1 m#dev#1 m#prod, assign staging (simple m#prod ignored)",
			append(registered[:2:2], rec("m#prod", c1, 2)), assignCommit("m", "staging", c1), NamingNumbered, []string{"m#staging#2"}},
		{"m@v0.0.1 m#dev#1, unassign dev", registered, unassign("m", "dev", ""), NamingDefault, []string{"m#dev!#2"}},
		{"m@v0.0.1 m#dev#1, unassign dev", registered, unassign("m", "dev", ""), NamingSimple, []string{"m#dev!"}},
		{"m@v0.0.1, deregister v0.0.1", []TagRecord{rec("m@v0.0.1", c1, 0)}, deregister("m", "v0.0.1"), NamingDefault, []string{"m@v0.0.1!"}},
		{"m@v0.0.1, deregister v0.0.1", []TagRecord{rec("m@v0.0.1", c1, 0)}, deregister("m", "v0.0.1"), NamingNumbered, []string{"m@v0.0.1!#1"}},
		{"m@v0.0.1#1 m#dev#2, deprecate", []TagRecord{rec("m@v0.0.1#1", c1, 0), rec("m#dev#2", c1, 1)},
			deprecate("m", ""), NamingDefault, []string{"m@deprecated"}},
		{"m@v0.0.1#1 m#dev#2 m@deprecated, deprecate --force",
			[]TagRecord{rec("m@v0.0.1#1", c1, 0), rec("m#dev#2", c1, 1), rec("m@deprecated", c1, 2)},
			func(s *State, o WriteOptions) (Change, error) {
				o.Force = true
				return deprecate("m", "")(s, o)
			}, NamingDefault, []string{"m@deprecated#3"}},
		// V5 lists only the assignment tag of this row, whose point is the counter. Assigned to
		// a commit without a version, the promotion registers one first (rows 3 and 4); with
		// --sr it does not.
		{"nn#qa#0042, assign dev --sr", []TagRecord{rec("nn#qa#0042", c1, 0)}, assignSR("nn", "dev", head), NamingDefault,
			[]string{"nn#dev#43"}},
		{"nn#qa#0042, assign dev (on HEAD)", []TagRecord{rec("nn#qa#0042", c1, 0)}, assignCommit("nn", "dev", head), NamingDefault,
			[]string{"nn@v0.0.1", "nn#dev#43"}},
		{"nn#qa#0042, assign dev (its commit)", []TagRecord{rec("nn#qa#0042", c1, 0)}, assignCommit("nn", "dev", c1), NamingDefault,
			[]string{"nn@v0.0.1", "nn#dev#43"}},
		{"lightweight y#dev#7 only, assign y qa --sr", []TagRecord{lightweight("y#dev#7", c1)}, assignSR("y", "qa", head), NamingDefault,
			[]string{"y#qa#8"}},
		{"dir=m@v0.0.1 dir=m#prod#1, assign dev", []TagRecord{rec("dir=m@v0.0.1", c1, 0), rec("dir=m#prod#1", c1, 1)},
			assignCommit("dir:m", "dev", c1), NamingDefault, []string{"dir=m#dev#2"}},
	}
	for _, tc := range tests {
		t.Run(tc.row+" simple="+namingName(tc.naming), func(t *testing.T) {
			s := Build(tc.existing)
			c, err := tc.action(s, WriteOptions{Naming: tc.naming, Now: nowAt})
			if err != nil {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if got := createdNames(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("created %v, want %v", got, tc.want)
			}
			if len(c.Delete) != 0 {
				t.Errorf("deleted %v, want nothing", c.Delete)
			}
			artifactName, _ := ParseTag(tc.want[0])
			checkNewTags(t, c, artifactName.Artifact)

			// Written, the new tags are the newest events of the artifact, in the planned order.
			after := Build(apply(tc.existing, c))
			events := eventNames(artifact(t, after, artifactName.Artifact).Events)
			if len(events) < len(tc.want) || !reflect.DeepEqual(events[len(events)-len(tc.want):], tc.want) {
				t.Errorf("after writing, events are %v; want them to end with %v", events, tc.want)
			}
		})
	}
}

// TestWriteBigCounters: the counter of a new tag is 1 + the highest counter of the artifact
// however large (docs/registry.md §4), written without leading zeros, and the new tag is the newest
// event once written.
func TestWriteBigCounters(t *testing.T) {
	c1 := sha(1)
	tests := []struct {
		name     string
		existing []TagRecord
		action   plan
		want     []string
	}{
		{"past int64", []TagRecord{rec("m@v1.0.0", c1, 0), rec("m#dev#9223372036854775807", c1, 1)},
			assignCommit("m", "prod", c1), []string{"m#prod#9223372036854775808"}},
		{"carry, leading zeros dropped", []TagRecord{rec("nn#qa#00099999999999999999999", c1, 0)},
			assignSR("nn", "dev", head), []string{"nn#dev#100000000000000000000"}},
		{"registration, then assignment", []TagRecord{lightweight("nn#qa#18446744073709551615", c1)},
			assignCommit("nn", "dev", head), []string{"nn@v0.0.1", "nn#dev#18446744073709551616"}},
		{"unassign", []TagRecord{rec("m@v99999999999999999999.0.0", c1, 0), rec("m#prod#99999999999999999999", c1, 1)},
			unassign("m", "prod", ""), []string{"m#prod!#100000000000000000000"}},
		{"deprecate --no-simple", []TagRecord{rec("m@v1.0.0#123456789012345678901234567890", c1, 0)},
			func(s *State, o WriteOptions) (Change, error) {
				o.Naming = NamingNumbered
				return deprecate("m", "")(s, o)
			}, []string{"m@deprecated#123456789012345678901234567891"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.existing)
			c, err := tc.action(s, WriteOptions{Now: nowAt})
			if err != nil {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if got := createdNames(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("created %v, want %v", got, tc.want)
			}
			name, _ := ParseTag(tc.want[0])
			checkNewTags(t, c, name.Artifact)
			after := Build(apply(tc.existing, c))
			events := eventNames(artifact(t, after, name.Artifact).Events)
			if len(events) < len(tc.want) || !reflect.DeepEqual(events[len(events)-len(tc.want):], tc.want) {
				t.Errorf("after writing, events are %v; want them to end with %v", events, tc.want)
			}
			last, _ := ParseTag(tc.want[len(tc.want)-1])
			if got, want := after.NextCounter(name.Artifact), incrementDecimal(last.Counter); got != want {
				t.Errorf("after writing, NextCounter = %s, want %s", got, want)
			}
		})
	}
}

// TestWriteNewTagFields checks every field of the tags each action creates: default messages
// byte for byte ({name} in its dir:name form), commits, versions and the Replace flag.
func TestWriteNewTagFields(t *testing.T) {
	c1, c2, c3 := sha(1), sha(2), sha(3)
	history := []TagRecord{
		rec("dir=m@v0.0.1", c1, 0),
		rec("dir=m#prod#1", c1, 1),
		rec("dir=m#qa#2", c3, 2), // an unregistered commit in qa
	}
	at601 := at(601).Format(time.RFC3339)
	tests := []struct {
		name   string
		action plan
		want   []string
	}{
		{"register", registerVersion("dir:m", c2, "v1.0.0-rc.1+b.5"), []string{
			`dir=m@v1.0.0-rc.1+b.5 on 0202020 at ` + nowAt.Format(time.RFC3339) +
				` version="v1.0.0-rc.1+b.5" replace=false message="Registering artifact dir:m version v1.0.0-rc.1+b.5"`,
		}},
		{"automatic registration", registerOn("dir:m", c2), []string{
			`dir=m@v0.0.2 on 0202020 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.2" replace=false message="Registering artifact dir:m version v0.0.2"`,
		}},
		{"deregister", deregister("dir:m", "v0.0.1"), []string{
			`dir=m@v0.0.1! on 0101010 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.1" replace=false message="Deregistering artifact dir:m version v0.0.1"`,
		}},
		{"assign a version", assignVersion("dir:m", "dev", "v0.0.1"), []string{
			`dir=m#dev#3 on 0101010 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.1" replace=false message="Assigning stage dev to artifact dir:m version v0.0.1"`,
		}},
		{"assign the version of a commit", assignCommit("dir:m", "dev", c1), []string{
			`dir=m#dev#3 on 0101010 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.1" replace=false message="Assigning stage dev to artifact dir:m version v0.0.1"`,
		}},
		{"assign registers first", assignCommit("dir:m", "dev", c2), []string{
			`dir=m@v0.0.2 on 0202020 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.2" replace=false message="Registering artifact dir:m version v0.0.2"`,
			`dir=m#dev#3 on 0202020 at ` + at601 +
				` version="v0.0.2" replace=false message="Assigning stage dev to artifact dir:m version v0.0.2"`,
		}},
		{"assign --sr", assignSR("dir:m", "dev", c2), []string{
			`dir=m#dev#3 on 0202020 at ` + nowAt.Format(time.RFC3339) +
				` version="` + c2 + `" replace=false message="Assigning stage dev to artifact dir:m version ` + c2 + `"`,
		}},
		{"unassign", unassign("dir:m", "prod", ""), []string{
			`dir=m#prod!#3 on 0101010 at ` + nowAt.Format(time.RFC3339) +
				` version="v0.0.1" replace=false message="Unassigning stage 'prod' to artifact 'dir:m' version 'v0.0.1'"`,
		}},
		{"unassign an unregistered commit", unassign("dir:m", "qa", ""), []string{
			`dir=m#qa!#3 on 0303030 at ` + nowAt.Format(time.RFC3339) +
				` version="` + c3 + `" replace=false message="Unassigning stage 'qa' to artifact 'dir:m' version '` + c3 + `'"`,
		}},
		{"deprecate", deprecate("dir:m", ""), []string{
			`dir=m@deprecated on 0303030 at ` + nowAt.Format(time.RFC3339) +
				` version="" replace=false message="Deprecating artifact 'dir:m'"`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(history), WriteOptions{Now: nowAt})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, nt := range c.Create {
				got = append(got, render(nt))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("created\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
			checkNewTags(t, c, "dir:m")
			for _, nt := range c.Create {
				if nt.Commit != c1 && nt.Commit != c2 && nt.Commit != c3 {
					t.Errorf("%s: commit %q is not a full commit id of the history", nt.Name, nt.Commit)
				}
			}
		})
	}
}

// TestWriteGivenMessage: a given message replaces the default message of the main tag, but
// the registration that a promotion performs keeps its default one.
func TestWriteGivenMessage(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	history := []TagRecord{rec("m@v0.0.1", c1, 0), rec("m#prod#1", c1, 1)}
	const msg = "Ship it: 'quoted' \"text\"\nsecond line"
	tests := []struct {
		name   string
		action plan
		want   []string // messages, in order of the created tags
	}{
		{"register", registerOn("m", c2), []string{msg}},
		{"register a version", registerVersion("m", c2, "v2.0.0"), []string{msg}},
		{"deregister", deregister("m", "v0.0.1"), []string{msg}},
		{"assign", assignVersion("m", "dev", "v0.0.1"), []string{msg}},
		{"assign --sr", assignSR("m", "dev", c2), []string{msg}},
		{"assign registers first", assignCommit("m", "dev", c2), []string{"Registering artifact m version v0.0.2", msg}},
		{"unassign", unassign("m", "prod", ""), []string{msg}},
		{"deprecate", deprecate("m", ""), []string{msg}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(history), WriteOptions{Now: nowAt, Message: msg})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, nt := range c.Create {
				got = append(got, nt.Message)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("messages of %v = %q, want %q", createdNames(c), got, tc.want)
			}
		})
	}
}

// TestWriteTimes: new tags are strictly later than the newest event of their artifact, and
// otherwise take Now, truncated to the second.
func TestWriteTimes(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	// The newest event of m is at second 5; other artifacts have later events.
	history := []TagRecord{
		rec("m@v0.0.1", c1, 0),
		rec("m#prod#1", c1, 5),
		rec("other@v1.0.0", c2, 30),
		rec("dir=m#prod#1", c2, 40),
		lightweight("m#dev#9", c2), // no event, no time
	}
	actions := []struct {
		name   string
		action plan
		n      int // tags created
	}{
		{"register", registerOn("m", c2), 1},
		{"register a version", registerVersion("m", c2, "v1.0.0"), 1},
		{"assign", assignVersion("m", "dev", "v0.0.1"), 1},
		{"assign --sr", assignSR("m", "dev", c2), 1},
		{"assign registers first", assignCommit("m", "dev", c2), 2},
		{"unassign", unassign("m", "prod", ""), 1},
		{"deregister", deregister("m", "v0.0.1"), 1},
		{"deprecate", deprecate("m", ""), 1},
	}
	plus2 := time.FixedZone("UTC+2", 2*3600)
	nows := []struct {
		name  string
		now   time.Time
		first time.Time // the time of the first new tag; the next ones follow a second apart
	}{
		{"same second as the newest event", at(5), at(6)},
		{"same second, sub-second clock", at(5).Add(999 * time.Millisecond), at(6)},
		{"clock behind the newest event", at(2), at(6)},
		{"clock far behind (zero time)", time.Time{}, at(6)},
		{"the second after", at(6), at(6)},
		{"later than the artifact, earlier than other artifacts", at(10), at(10)},
		{"later than every event, truncated", at(100).Add(250 * time.Millisecond), at(100)},
		{"same second in another zone", at(5).In(plus2), at(6)},
		{"later in another zone", at(100).In(plus2), at(100)},
	}
	for _, a := range actions {
		for _, n := range nows {
			t.Run(a.name+"/"+n.name, func(t *testing.T) {
				c, err := a.action(Build(history), WriteOptions{Now: n.now})
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Create) != a.n {
					t.Fatalf("created %v, want %d tags", createdNames(c), a.n)
				}
				for i, nt := range c.Create {
					want := n.first.Add(time.Duration(i) * time.Second)
					if !nt.Time.Equal(want) {
						t.Errorf("%s at %s, want %s", nt.Name, nt.Time.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
					}
				}
				// The tags are in the writer's time zone, Now's, as Git writes tagger dates.
				for _, nt := range c.Create {
					if !n.now.IsZero() && zoneOffset(nt.Time) != zoneOffset(n.now) {
						t.Errorf("%s in zone offset %d, want Now's %d", nt.Name, zoneOffset(nt.Time), zoneOffset(n.now))
					}
				}
			})
		}
	}
}

func zoneOffset(t time.Time) int {
	_, off := t.Zone()
	return off
}

// TestWriteTimeFirstEvent: an artifact without events takes Now, and the tags of one change
// are a second apart.
func TestWriteTimeFirstEvent(t *testing.T) {
	s := Build([]TagRecord{rec("other@v1.0.0", sha(2), 30), lightweight("m#dev#3", sha(2))})
	c, err := assignCommit("m", "dev", head)(s, WriteOptions{Now: at(10)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, nt := range c.Create {
		got = append(got, nt.Name+" "+nt.Time.Format(time.RFC3339))
	}
	want := []string{"m@v0.0.1 " + at(10).Format(time.RFC3339), "m#dev#4 " + at(11).Format(time.RFC3339)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("created %v, want %v", got, want)
	}
}

// TestNextVersion checks automatic versions, through NextVersion and through Register.
func TestNextVersion(t *testing.T) {
	c := func(n int) string { return sha(n) }
	tests := []struct {
		name    string
		records []TagRecord
		want    [3]string // patch, minor, major
	}{
		{"first version", nil, [3]string{"v0.0.1", "v0.0.1", "v0.0.1"}},
		{"only other artifacts", []TagRecord{rec("n@v3.0.0", c(1), 0), rec("dir=m@v3.0.0", c(2), 1)},
			[3]string{"v0.0.1", "v0.0.1", "v0.0.1"}},
		{"only an unregistered commit in a stage", []TagRecord{rec("m#prod#1", c(1), 0)}, [3]string{"v0.0.1", "v0.0.1", "v0.0.1"}},
		{"bump", []TagRecord{rec("m@v1.3.4", c(1), 0)}, [3]string{"v1.3.5", "v1.4.0", "v2.0.0"}},
		{"pre-release dropped", []TagRecord{rec("m@v1.1.0-rc.1", c(1), 0)}, [3]string{"v1.1.1", "v1.2.0", "v2.0.0"}},
		{"build dropped", []TagRecord{rec("m@v1.0.0+b", c(1), 0)}, [3]string{"v1.0.1", "v1.1.0", "v2.0.0"}},
		{"greatest, not newest", []TagRecord{rec("m@v1.0.0", c(1), 0), rec("m@v1.3.4", c(2), 1), rec("m@v1.2.0", c(3), 2)},
			[3]string{"v1.3.5", "v1.4.0", "v2.0.0"}},
		{"greatest by SemVer, not by string", []TagRecord{rec("m@v1.9.0", c(1), 0), rec("m@v1.10.0", c(2), 1)},
			[3]string{"v1.10.1", "v1.11.0", "v2.0.0"}},
		{"release above its pre-release", []TagRecord{rec("m@v2.0.0", c(1), 0), rec("m@v2.0.0-rc.1", c(2), 1)},
			[3]string{"v2.0.1", "v2.1.0", "v3.0.0"}},
		{"greatest active: a deregistered greater one does not count",
			[]TagRecord{rec("m@v1.0.0", c(1), 0), rec("m@v5.0.0", c(2), 1), rec("m@v5.0.0!", c(2), 2)},
			[3]string{"v1.0.1", "v1.1.0", "v2.0.0"}},
		{"skip a deregistered version",
			[]TagRecord{rec("m@v0.0.1", c(1), 0), rec("m@v0.0.2", c(2), 1), rec("m@v0.0.2!", c(2), 2),
				rec("m@v0.1.0", c(3), 3), rec("m@v0.1.0!", c(3), 4), rec("m@v1.0.0", c(4), 5), rec("m@v1.0.0!", c(4), 6)},
			[3]string{"v0.0.3", "v0.2.0", "v2.0.0"}},
		{"skip several deregistered versions",
			[]TagRecord{rec("m@v0.0.1", c(1), 0), rec("m@v0.0.2", c(2), 1), rec("m@v0.0.2!", c(2), 2),
				rec("m@v0.0.3#4", c(3), 3), rec("m@v0.0.3!#5", c(3), 4)},
			[3]string{"v0.0.4", "v0.1.0", "v1.0.0"}},
		{"skip a lightweight tag name",
			[]TagRecord{rec("m@v0.0.1", c(1), 0), lightweight("m@v0.0.2", c(2)), lightweight("m@v1.0.0", c(2))},
			[3]string{"v0.0.3", "v0.1.0", "v2.0.0"}},
		{"skip a lightweight tag of an artifact without events", []TagRecord{lightweight("m@v0.0.1", c(2))},
			[3]string{"v0.0.2", "v0.1.0", "v1.0.0"}},
		{"all deregistered: from v0.0.1 again, skipping taken ones",
			[]TagRecord{rec("m@v0.0.1", c(1), 0), rec("m@v0.0.2", c(2), 1), rec("m@v0.0.1!", c(1), 2), rec("m@v0.0.2!", c(2), 3)},
			[3]string{"v0.0.3", "v0.1.0", "v1.0.0"}},
		// Past 64 bits, with carries that make a part longer (tag-limits.txtar).
		{"past uint64", []TagRecord{rec("m@v18446744073709551615.18446744073709551615.18446744073709551615", c(1), 0)},
			[3]string{"v18446744073709551615.18446744073709551615.18446744073709551616",
				"v18446744073709551615.18446744073709551616.0", "v18446744073709551616.0.0"}},
		{"greatest by SemVer past 64 bits", []TagRecord{rec("m@v100000000000000000000.0.0", c(1), 0),
			rec("m@v99999999999999999999.99999999999999999999.99999999999999999999", c(2), 1)},
			[3]string{"v100000000000000000000.0.1", "v100000000000000000000.1.0", "v100000000000000000001.0.0"}},
		{"skip a deregistered version past 64 bits",
			[]TagRecord{rec("m@v99999999999999999999.0.0", c(1), 0), rec("m@v99999999999999999999.0.1", c(2), 1),
				rec("m@v99999999999999999999.0.1!", c(2), 2), rec("m@v100000000000000000000.0.0", c(3), 3), rec("m@v100000000000000000000.0.0!", c(3), 4)},
			[3]string{"v99999999999999999999.0.2", "v99999999999999999999.1.0", "v100000000000000000001.0.0"}},
		{"all deregistered, v0.0.1 free",
			[]TagRecord{rec("m@v3.0.0", c(1), 0), rec("m@v3.0.0!", c(1), 1)},
			[3]string{"v0.0.1", "v0.0.1", "v0.0.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.records)
			for i, bump := range []Bump{BumpPatch, BumpMinor, BumpMajor} {
				if got := s.NextVersion("m", bump); got != tc.want[i] {
					t.Errorf("NextVersion(m, %d) = %s, want %s", bump, got, tc.want[i])
				}
				ch, err := s.Register(RegisterRequest{WriteOptions: WriteOptions{Now: nowAt}, Artifact: "m", Commit: head, Bump: bump})
				if err != nil {
					t.Errorf("Register(bump %d): %v", bump, err)
					continue
				}
				if got, want := createdNames(ch), []string{"m@" + tc.want[i]}; !reflect.DeepEqual(got, want) {
					t.Errorf("Register(bump %d) created %v, want %v", bump, got, want)
				}
			}
			// A promotion of an unregistered commit registers the patch bump.
			ch, err := assignCommit("m", "zz", head)(s, WriteOptions{Now: nowAt})
			if err != nil {
				t.Fatal(err)
			}
			if len(ch.Create) != 2 || ch.Create[0].Name != "m@"+tc.want[0] {
				t.Errorf("promotion created %v, want m@%s first", createdNames(ch), tc.want[0])
			}
		})
	}
}

// wantError checks that a plan fails with an error that names every one of the values, and
// creates and deletes nothing.
func wantError(t *testing.T, c Change, err error, values ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; created %v, deleted %v", createdNames(c), c.Delete)
	}
	for _, v := range values {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error %q does not name %q", err, v)
		}
	}
	if len(c.Create) != 0 || len(c.Delete) != 0 {
		t.Errorf("failed plan still creates %v and deletes %v", createdNames(c), c.Delete)
	}
}

func force(p plan) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		o.Force = true
		return p(s, o)
	}
}

func simple(p plan) plan {
	return func(s *State, o WriteOptions) (Change, error) {
		o.Naming = NamingSimple
		return p(s, o)
	}
}

// TestWriteGuardRails: every refusal of docs/registry.md §4, the value it is about in its message;
// and what forcing it (or the allowed neighbour case) writes instead.
func TestWriteGuardRails(t *testing.T) {
	c1, c2, c3, c4 := sha(1), sha(2), sha(3), sha(4)
	history := []TagRecord{
		rec("m@v0.0.1", c1, 0),
		rec("m#prod", c1, 1), // a simple stage tag
		rec("m@v0.0.2", c2, 2),
		rec("m#dev#3", c2, 3),
		rec("m@v0.0.3", c3, 4),
		rec("m@v0.0.3!", c3, 5),
		rec("m#qa#4", c4, 6), // an unregistered commit in qa
		rec("old@v1.0.0", c1, 7),
		rec("old@deprecated", c1, 8),
	}
	tests := []struct {
		name   string
		action plan
		values []string // named by the error; nil when the plan succeeds
		want   []string // created when it succeeds
	}{
		// Names and values.
		{"register: invalid artifact name", registerOn("-m", head), []string{"-m"}, nil},
		{"register: invalid folder", registerOn("a b:m", head), []string{"a b:m"}, nil},
		{"assign: invalid artifact name", assignCommit("m x", "dev", head), []string{"m x"}, nil},
		{"unassign: invalid artifact name", unassign("m/", "prod", ""), []string{"m/"}, nil},
		{"deregister: invalid artifact name", deregister("m@v1", "v0.0.1"), []string{"m@v1"}, nil},
		{"deprecate: invalid artifact name", deprecate("_m", ""), []string{"_m"}, nil},
		{"assign: invalid stage", assignCommit("m", "-x", head), []string{"-x"}, nil},
		{"assign: invalid stage with a counter", assignVersion("m", "prod#1", "v0.0.1"), []string{"prod#1"}, nil},
		{"unassign: invalid stage", unassign("m", "pr od", ""), []string{"pr od"}, nil},
		{"register: invalid version", registerVersion("m", head, "1.0.0"), []string{"1.0.0"}, nil},
		{"register: invalid version v1.0", registerVersion("m", head, "v1.0"), []string{"v1.0"}, nil},
		{"deregister: invalid version", deregister("m", "1.0.0"), []string{"1.0.0"}, nil},

		// Unknown things.
		{"unassign: unknown artifact", unassign("nope", "prod", ""), []string{"nope"}, nil},
		{"deregister: unknown artifact", deregister("nope", "v0.0.1"), []string{"nope"}, nil},
		{"deprecate: unknown artifact", deprecate("nope", ""), []string{"nope"}, nil},
		{"assign: unknown version", assignVersion("m", "dev", "v9.0.0"), []string{"v9.0.0"}, nil},
		{"assign: deregistered version", assignVersion("m", "dev", "v0.0.3"), []string{"v0.0.3"}, nil},
		{"deregister: unknown version", deregister("m", "v9.0.0"), []string{"v9.0.0"}, nil},
		{"deregister: already deregistered", deregister("m", "v0.0.3"), []string{"v0.0.3"}, nil},
		{"deregister: already deregistered, forced", force(deregister("m", "v0.0.3")), []string{"v0.0.3"}, nil},

		// A version string is registered once.
		{"register: version exists", registerVersion("m", head, "v0.0.2"), []string{"v0.0.2"}, nil},
		{"register: version exists on its own commit", registerVersion("m", c2, "v0.0.2"), []string{"v0.0.2"}, nil},
		{"register: version exists, forced", force(registerVersion("m", head, "v0.0.2")), []string{"v0.0.2"}, nil},
		{"register: deregistered version on another commit", registerVersion("m", head, "v0.0.3"), []string{"v0.0.3"}, nil},
		{"register: deregistered version on its own commit", registerVersion("m", c3, "v0.0.3"), nil, []string{"m@v0.0.3#5"}},
		{"register: deregistered version elsewhere, forced", force(registerVersion("m", head, "v0.0.3")), nil, []string{"m@v0.0.3#5"}},

		// One version per commit.
		{"register: commit has an active version", registerVersion("m", c1, "v1.0.0"), []string{"v0.0.1", object.Short(c1)}, nil},
		{"register automatically: commit has an active version", registerOn("m", c2), []string{"v0.0.2", object.Short(c2)}, nil},
		{"register: commit has an active version, forced", force(registerVersion("m", c1, "v1.0.0")), nil, []string{"m@v1.0.0"}},
		{"register: commit with a deregistered version", registerVersion("m", c3, "v1.0.0"), []string{"v0.0.3", "deregistered", "--version v0.0.3"}, nil},
		{"register automatically: commit with a deregistered version", registerOn("m", c3), []string{"v0.0.3", "deregistered"}, nil},
		{"register: commit with a deregistered version, forced", force(registerVersion("m", c3, "v1.0.0")), nil, []string{"m@v1.0.0"}},
		{"register: the deregistered version again", registerVersion("m", c3, "v0.0.3"), nil, []string{"m@v0.0.3#5"}},
		{"assign: commit with a deregistered version", assignCommit("m", "prod", c3), []string{"v0.0.3", "deregistered"}, nil},
		{"register: unregistered commit in a stage", registerVersion("m", c4, "v1.0.0"), nil, []string{"m@v1.0.0"}},

		// A stage holds a version once.
		{"assign: stage holds the version", assignVersion("m", "dev", "v0.0.2"), []string{"v0.0.2", "dev"}, nil},
		{"assign: stage holds the version of the commit", assignCommit("m", "dev", c2), []string{"v0.0.2", "dev"}, nil},
		{"assign: stage holds the unregistered commit", assignSR("m", "qa", c4), []string{c4, "qa"}, nil},
		{"assign: stage holds the version, forced", force(assignVersion("m", "dev", "v0.0.2")), nil, []string{"m#dev#5"}},
		{"assign: stage holds another version", assignVersion("m", "dev", "v0.0.1"), nil, []string{"m#dev#5"}},
		{"assign: stage holds an unregistered commit", assignVersion("m", "qa", "v0.0.2"), nil, []string{"m#qa#5"}},

		// --simple assignment onto an existing simple stage tag.
		{"assign --simple: tag exists", simple(assignVersion("m", "prod", "v0.0.2")), []string{"m#prod"}, nil},
		{"assign --simple: free name", simple(assignVersion("m", "staging", "v0.0.2")), nil, []string{"m#staging"}},
		{"assign: simple tag exists, numbered by default", assignVersion("m", "prod", "v0.0.2"), nil, []string{"m#prod#5"}},

		// Demotion.
		{"unassign: stage empty", unassign("m", "staging", ""), []string{"staging"}, nil},
		{"unassign: stage empty, forced", force(unassign("m", "staging", "")), []string{"staging"}, nil},
		{"unassign: version not in stage", unassign("m", "prod", "v0.0.2"), []string{"v0.0.2", "prod"}, nil},
		{"unassign: deregistered version", unassign("m", "dev", "v0.0.3"), []string{"v0.0.3", "dev"}, nil},
		{"unassign: unknown version", unassign("m", "dev", "v7.0.0"), []string{"v7.0.0", "dev"}, nil},
		{"unassign: the version in stage", unassign("m", "dev", "v0.0.2"), nil, []string{"m#dev!#5"}},
		{"unassign: the unregistered commit in stage", unassign("m", "qa", c4), nil, []string{"m#qa!#5"}},

		// Deprecation.
		{"deprecate: already deprecated", deprecate("old", ""), []string{"old"}, nil},
		{"deprecate: already deprecated, forced", force(deprecate("old", "")), nil, []string{"old@deprecated#1"}},
		{"deprecate --simple: already deprecated, forced", simple(force(deprecate("old", ""))), []string{"old@deprecated"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(history), WriteOptions{Now: nowAt})
			if tc.values != nil {
				wantError(t, c, err, tc.values...)
				// A bad value is called invalid, not reported as some other failure.
				if err != nil && strings.Contains(tc.name, "invalid") && !strings.Contains(err.Error(), "invalid") {
					t.Errorf("error %q does not say the value is invalid", err)
				}
				if err != nil && strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is more than one line", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if got := createdNames(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("created %v, want %v", got, tc.want)
			}
			for _, nt := range c.Create {
				if nt.Replace {
					t.Errorf("%s: Replace is set", nt.Name)
				}
			}
		})
	}
}

// TestAssignSimpleForceReplaces: forced, a --simple assignment moves the existing stage tag.
func TestAssignSimpleForceReplaces(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	s := Build([]TagRecord{rec("m@v0.0.1", c1, 0), rec("m#prod", c1, 1), rec("m@v0.0.2", c2, 2)})
	c, err := force(simple(assignVersion("m", "prod", "v0.0.2")))(s, WriteOptions{Now: nowAt})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Create) != 1 || len(c.Delete) != 0 {
		t.Fatalf("created %v, deleted %v; want one tag", createdNames(c), c.Delete)
	}
	got := render(c.Create[0])
	want := `m#prod on 0202020 at ` + nowAt.Format(time.RFC3339) +
		` version="v0.0.2" replace=true message="Assigning stage prod to artifact m version v0.0.2"`
	if got != want {
		t.Errorf("created\n  %s\nwant\n  %s", got, want)
	}
	checkNewTags(t, c, "m")

	// Forced onto a name that is free, nothing is replaced.
	c, err = force(simple(assignVersion("m", "dev", "v0.0.2")))(s, WriteOptions{Now: nowAt})
	if err != nil {
		t.Fatal(err)
	}
	if got := createdNames(c); !reflect.DeepEqual(got, []string{"m#dev"}) || c.Create[0].Replace {
		t.Errorf("created %v (replace %v), want m#dev not replacing", got, c.Create[0].Replace)
	}
}

// TestReregisterNumbered: a re-registration cannot use the counter-less name, which the first
// registration holds: it takes the next counter of the artifact.
func TestReregisterNumbered(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	tests := []struct {
		name    string
		records []TagRecord
		action  plan
		want    []string
	}{
		{"on its own commit", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m@v0.0.1!", c1, 1)},
			registerVersion("m", c1, "v0.0.1"), []string{"m@v0.0.1#1"}},
		{"forced on another commit", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m@v0.0.1!", c1, 1)},
			force(registerVersion("m", c2, "v0.0.1")), []string{"m@v0.0.1#1"}},
		{"after other numbered tags", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m#dev#6", c1, 1), rec("m@v0.0.1!", c1, 2), lightweight("m#x#8", c2)},
			registerVersion("m", c1, "v0.0.1"), []string{"m@v0.0.1#9"}},
		{"twice", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m@v0.0.1!", c1, 1), rec("m@v0.0.1#1", c1, 2), rec("m@v0.0.1!#2", c1, 3)},
			registerVersion("m", c1, "v0.0.1"), []string{"m@v0.0.1#3"}},
		{"numbered first registration leaves the simple name free",
			[]TagRecord{rec("m@v0.0.1#1", c1, 0), rec("m@v0.0.1!#2", c1, 1)},
			registerVersion("m", c1, "v0.0.1"), []string{"m@v0.0.1"}},
		{"deregistered again: the simple name is taken", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m@v0.0.1!", c1, 1), rec("m@v0.0.1#1", c1, 2)},
			deregister("m", "v0.0.1"), []string{"m@v0.0.1!#2"}},
		{"--simple when the name is taken", []TagRecord{rec("m@v0.0.1", c1, 0), rec("m@v0.0.1!", c1, 1)},
			simple(registerVersion("m", c1, "v0.0.1")), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Build(tc.records)
			c, err := tc.action(s, WriteOptions{Now: nowAt})
			if tc.want == nil {
				wantError(t, c, err, "m@v0.0.1")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := createdNames(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("created %v, want %v", got, tc.want)
			}
			// Written, the version is active again, registered by the new tag.
			if !strings.Contains(tc.want[0], "!") {
				v := artifact(t, Build(apply(tc.records, c)), "m").Version("v0.0.1")
				if !v.Active || v.Registration.Name != tc.want[0] || v.Commit != c.Create[0].Commit {
					t.Errorf("after writing: active %v, registration %s on %s", v.Active, v.Registration.Name, object.Short(v.Commit))
				}
			}
		})
	}
}

// TestWriteDeleteMode: with Delete, writes remove the tags that hold the state instead of
// creating negative ones.
func TestWriteDeleteMode(t *testing.T) {
	c1, c2, c3 := sha(1), sha(2), sha(3)
	history := []TagRecord{
		rec("m@v0.0.1", c1, 0),
		rec("m#prod#1", c1, 1),
		rec("m#prod!#2", c1, 2),
		rec("m#prod#3", c1, 3),
		rec("m#dev#4", c1, 4),
		rec("m#prod#5", c1, 5), // forced again
		rec("m@v0.0.2", c2, 6),
		rec("m#prod#6", c2, 7),
		rec("m@v0.0.2!", c2, 8),
		rec("m@v0.0.2#7", c2, 9),
		rec("m@v0.0.2#8", c2, 10), // forced a second time
		rec("m#qa#9", c3, 11),     // an unregistered commit
		rec("m@v0.0.3", c3, 12),   // registered afterwards: the assignment is its
		lightweight("m#dev#20", c2),
		lightweight("m@v9.0.0", c3),
		rec("m@created", c1, 13),
		rec("dir=m@v0.0.1", c1, 14),
		rec("mm#prod#1", c1, 15),
		lightweight("x@v0.0.1", c1),
	}
	tests := []struct {
		name   string
		action plan
		want   []string
	}{
		{"unassign a named version", unassign("m", "prod", "v0.0.1"), []string{"m#prod#3", "m#prod#5"}},
		{"unassign the version the stage shows", unassign("m", "prod", ""), []string{"m#prod#6"}},
		{"unassign another stage", unassign("m", "dev", "v0.0.1"), []string{"m#dev#4"}},
		{"unassign an assignment made before the registration", unassign("m", "qa", ""), []string{"m#qa#9"}},
		{"deregister", deregister("m", "v0.0.1"), []string{"m@v0.0.1"}},
		{"deregister after a re-registration", deregister("m", "v0.0.2"), []string{"m@v0.0.2#7", "m@v0.0.2#8"}},
		{"deprecate", deprecate("m", ""), []string{
			"m@v0.0.1", "m#prod#1", "m#prod!#2", "m#prod#3", "m#dev#4", "m#prod#5", "m@v0.0.2", "m#prod#6",
			"m@v0.0.2!", "m@v0.0.2#7", "m@v0.0.2#8", "m#qa#9", "m@v0.0.3", "m#dev#20", "m@v9.0.0", "m@created",
		}},
		{"deprecate a folder artifact", deprecate("dir:m", ""), []string{"dir=m@v0.0.1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(history), WriteOptions{Now: nowAt, Delete: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Create) != 0 {
				t.Errorf("delete mode creates %v", createdNames(c))
			}
			got := append([]string(nil), c.Delete...)
			want := append([]string(nil), tc.want...)
			if strings.HasPrefix(tc.name, "deprecate") {
				// Every tag of the artifact, in no particular order.
				sort.Strings(got)
				sort.Strings(want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("deleted %v, want %v", got, want)
			}
		})
	}

	// Deleting the tags has the effect of the negative tag.
	after := Build(apply(history, Change{Delete: []string{"m#prod#6"}}))
	if got := inStage(artifact(t, after, "m"), "prod"); !reflect.DeepEqual(got, []string{"v0.0.1 (m#prod#5)"}) {
		t.Errorf("after deleting, prod holds %v, want [v0.0.1 (m#prod#5)]", got)
	}

	// The guard rails hold in delete mode too.
	for _, tc := range []struct {
		name   string
		action plan
		value  string
	}{
		{"unassign: stage empty", unassign("m", "staging", ""), "staging"},
		{"unassign: version not in stage", unassign("m", "dev", "v0.0.2"), "v0.0.2"},
		{"deregister: unknown version", deregister("m", "v0.0.9"), "v0.0.9"},
		{"deregister: version known from a lightweight tag only", deregister("m", "v9.0.0"), "v9.0.0"},
		{"deprecate: unknown artifact", deprecate("nope", ""), "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(history), WriteOptions{Now: nowAt, Delete: true})
			wantError(t, c, err, tc.value)
		})
	}
}

// TestDeprecateCommit: deprecation tags the commit of the artifact's newest event, not the
// newest version, unless a commit is given.
func TestDeprecateCommit(t *testing.T) {
	c1, c2, c3 := sha(1), sha(2), sha(3)
	history := []TagRecord{
		rec("m@v0.0.2", c2, 0),
		rec("m@v0.0.1", c1, 1),
		rec("m#prod#1", c1, 2),
		rec("m#qa#2", c3, 3), // the newest event: an unregistered commit
		rec("n@v0.0.1", c2, 10),
	}
	tests := []struct {
		name    string
		records []TagRecord
		commit  string
		want    string
	}{
		{"newest event is an assignment to an unregistered commit", history, "", c3},
		{"newest event is a registration of a lower version", history[:2], "", c1},
		{"newest event is a stage tag", history[:3], "", c1},
		{"other artifacts' events do not count", append(history[:1:1], rec("n@v0.0.1", c3, 10)), "", c2},
		{"given commit", history, head, head},
		{"given commit of a version", history, c2, c2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := deprecate("m", tc.commit)(Build(tc.records), WriteOptions{Now: nowAt})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Create) != 1 || c.Create[0].Name != "m@deprecated" || c.Create[0].Commit != tc.want {
				var got []string
				for _, nt := range c.Create {
					got = append(got, nt.Name+" on "+object.Short(nt.Commit))
				}
				t.Errorf("created %v, want m@deprecated on %s", got, object.Short(tc.want))
			}
		})
	}
}

// TestWriteRoundTrip: a sequence of writes, each planned from the state the previous ones left,
// gives the state GTO would show; no two events of the artifact share a second.
func TestWriteRoundTrip(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	var records []TagRecord
	steps := []struct {
		action plan
		want   []string
	}{
		{registerOn("m", c1), []string{"m@v0.0.1"}},
		{assignCommit("m", "dev", c1), []string{"m#dev#1"}},
		{assignCommit("m", "prod", c2), []string{"m@v0.0.2", "m#prod#2"}},
		{unassign("m", "dev", ""), []string{"m#dev!#3"}},
		{deregister("m", "v0.0.1"), []string{"m@v0.0.1!"}},
		{registerOn("m", c1), nil}, // c1 carries the deregistered v0.0.1: refused
		{force(registerOn("m", c1)), []string{"m@v0.0.3"}},
		{deprecate("m", ""), []string{"m@deprecated"}},
		{force(deprecate("m", "")), []string{"m@deprecated#4"}},
		{registerVersion("m", c1, "v0.0.1"), nil}, // deregistered from c1, c1 now has v0.0.3: refused
	}
	for i, step := range steps {
		// Every write happens within the same second.
		c, err := step.action(Build(records), WriteOptions{Now: at(0)})
		if step.want == nil {
			wantError(t, c, err, "v0.0.")
			continue
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := createdNames(c); !reflect.DeepEqual(got, step.want) {
			t.Fatalf("step %d created %v, want %v", i, got, step.want)
		}
		records = apply(records, c)
	}
	s := Build(records)
	a := artifact(t, s, "m")
	var times []string
	seen := make(map[time.Time]string)
	for _, e := range a.Events {
		if other, dup := seen[e.Time]; dup {
			t.Errorf("%s and %s share the time %s", other, e.Name, e.Time.Format(time.RFC3339))
		}
		seen[e.Time] = e.Name
		times = append(times, e.Name)
	}
	want := []string{"m@v0.0.1", "m#dev#1", "m@v0.0.2", "m#prod#2", "m#dev!#3", "m@v0.0.1!", "m@v0.0.3", "m@deprecated", "m@deprecated#4"}
	if !reflect.DeepEqual(times, want) {
		t.Errorf("events %v, want %v", times, want)
	}
	if a.Active {
		t.Error("artifact is active after its deprecation")
	}
	if got := inStage(a, "prod"); !reflect.DeepEqual(got, []string{"v0.0.2 (m#prod#2)"}) {
		t.Errorf("prod holds %v", got)
	}
	if got := a.Latest(); got == nil || got.Name != "v0.0.3" {
		t.Errorf("Latest() = %v, want v0.0.3", got)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings %q", s.Warnings)
	}
}

// TestAssignCommitWithTwoVersions: on a commit that carries two active versions (forced), a
// promotion speaks of the version that readers give the assignment to: the newest registered.
func TestAssignCommitWithTwoVersions(t *testing.T) {
	c1 := sha(1)
	for _, records := range [][]TagRecord{
		{rec("m@v0.0.1", c1, 0), rec("m@v0.0.2", c1, 1)},
		{rec("m@v0.0.2", c1, 0), rec("m@v0.0.1", c1, 1)},
		{rec("m@v0.0.1", c1, 0), rec("m@v0.0.2", c1, 1), rec("m@v0.0.1!", c1, 2), rec("m@v0.0.1#1", c1, 3)},
	} {
		t.Run(eventNames(Build(records).Events())[len(records)-1], func(t *testing.T) {
			c, err := assignCommit("m", "prod", c1)(Build(records), WriteOptions{Now: nowAt})
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Create) != 1 {
				t.Fatalf("created %v, want one assignment", createdNames(c))
			}
			after := Build(apply(records, c))
			a := artifact(t, after, "m")
			e := a.Events[len(a.Events)-1]
			if e.Name != c.Create[0].Name {
				t.Fatalf("newest event %s, want %s", e.Name, c.Create[0].Name)
			}
			read := after.VersionOf(e)
			if read == nil || read.Name != c.Create[0].Version {
				t.Errorf("planned for version %s, but readers give the assignment to %v", c.Create[0].Version, read)
			}
			if !strings.HasSuffix(c.Create[0].Message, " version "+c.Create[0].Version) {
				t.Errorf("message %q does not name version %s", c.Create[0].Message, c.Create[0].Version)
			}
			// Planned again, the stage already holds that version.
			if _, err := assignCommit("m", "prod", c1)(after, WriteOptions{Now: nowAt}); err == nil {
				t.Errorf("second promotion of %s to prod is not refused", object.Short(c1))
			}
		})
	}
}

// TestWriteTwoVersionsOnOneCommit: an assignment points at a commit, so a commit that carries
// two active versions cannot take a promotion or a demotion by --version (it would count for
// whichever version a reader takes for that commit), and forcing a second version onto a
// commit says what it costs.
func TestWriteTwoVersionsOnOneCommit(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	two := []TagRecord{rec("m@v1.0.0", c1, 0), rec("m@v2.0.0", c1, 1), rec("m#prod#1", c1, 2), rec("m@v3.0.0", c2, 3)}
	for _, tc := range []struct {
		name   string
		action plan
		values []string
	}{
		{"promote by --version", assignVersion("m", "dev", "v1.0.0"), []string{"cannot promote", "v1.0.0", "v2.0.0", object.Short(c1)}},
		{"promote the other by --version", assignVersion("m", "dev", "v2.0.0"), []string{"cannot promote", "v1.0.0"}},
		{"promote by --version, forced", force(assignVersion("m", "dev", "v2.0.0")), []string{"cannot promote"}},
		{"demote by --version", unassign("m", "prod", "v2.0.0"), []string{"cannot demote", "v1.0.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.action(Build(two), WriteOptions{Now: nowAt})
			wantError(t, c, err, tc.values...)
		})
	}
	// A version alone on its commit is promoted as usual.
	if c, err := assignVersion("m", "dev", "v3.0.0")(Build(two), WriteOptions{Now: nowAt}); err != nil || len(c.Create) != 1 {
		t.Errorf("promoting v3.0.0: %v, %v", createdNames(c), err)
	}

	// Forcing a second version onto a commit warns; registering one alone does not.
	deregistered := []TagRecord{rec("m@v1.0.0", c1, 0), rec("m@v1.0.0!", c1, 1)}
	c, err := force(registerVersion("m", c1, "v2.0.0"))(Build(deregistered), WriteOptions{Now: nowAt})
	if err != nil || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "'v1.0.0' and 'v2.0.0'") {
		t.Errorf("forced second version: %v, warnings %q", err, c.Warnings)
	}
	c, err = registerVersion("m", c2, "v2.0.0")(Build(deregistered), WriteOptions{Now: nowAt})
	if err != nil || len(c.Warnings) != 0 {
		t.Errorf("version alone on its commit: %v, warnings %q", err, c.Warnings)
	}
}

// TestWriteRollback: promoting a version that stands in a stage the stage does not show (a
// newer assignment stands above it) takes it back there without --force; the version the
// stage shows needs --force to be assigned again.
func TestWriteRollback(t *testing.T) {
	c1, c2 := sha(1), sha(2)
	history := []TagRecord{rec("m@v1.0.0", c1, 0), rec("m#prod#1", c1, 1), rec("m@v2.0.0", c2, 2), rec("m#prod#2", c2, 3)}
	c, err := assignVersion("m", "prod", "v1.0.0")(Build(history), WriteOptions{Now: nowAt})
	if err != nil || !reflect.DeepEqual(createdNames(c), []string{"m#prod#3"}) {
		t.Fatalf("rollback to v1.0.0: created %v, %v", createdNames(c), err)
	}
	after := Build(append(history, rec("m#prod#3", c1, 4)))
	if shown := after.Artifacts["m"].InStage("prod"); shown[0].Version.Name != "v1.0.0" {
		t.Errorf("after the rollback prod shows %s", shown[0].Version.Name)
	}
	c, err = assignVersion("m", "prod", "v2.0.0")(Build(history), WriteOptions{Now: nowAt})
	wantError(t, c, err, "already shows", "v2.0.0", "--force")
	c, err = assignCommit("m", "prod", c2)(Build(history), WriteOptions{Now: nowAt})
	wantError(t, c, err, "already shows")
	if c, err = force(assignVersion("m", "prod", "v2.0.0"))(Build(history), WriteOptions{Now: nowAt}); err != nil || len(c.Create) != 1 {
		t.Errorf("forced: created %v, %v", createdNames(c), err)
	}
}
