package registry

import (
	"fmt"
	"sort"
	"strings"
)

// NearMiss explains why a tag name that looks like a registry tag is not one, so that no
// reader (GTO, DVC, Studio, git-model) sees its event. A name looks like a registry tag when
// the part before the first '@' or '#' is a valid artifact name and the rest starts as the
// grammar of docs/registry.md §2 does: a version ("1.0.0", "V1.0.0", "v1.0", "v1.0.0junk": digits
// with a dot, or v and a digit), "deprecated…", a
// stage that starts with a letter or a digit ("Prod!x"), or a counter that is not a number.
// It returns nil for a registry tag and for a name that does not look like one
// ("release@2024-05", "user@host", "v1.0.0"), which are simply not registry tags.
func NearMiss(name string) error {
	if _, ok := ParseTag(name); ok {
		return nil
	}
	i := strings.IndexAny(name, "@#")
	if i < 0 {
		return nil
	}
	if _, ok := artifactFromTag(name[:i]); !ok {
		return nil
	}
	body, digits, hasCounter := cutCounter(name[i+1:])
	bare := strings.TrimSuffix(body, "!")
	var err error
	switch {
	case bare == "":
		return nil
	case name[i] == '#':
		if !isAlnum(bare[0]) {
			return nil
		}
		if !isShortName(bare) {
			err = ValidateStage(bare)
		}
	case strings.HasPrefix(bare, "deprecated") || strings.HasPrefix(bare, "created"):
		if bare != "deprecated" && bare != "created" {
			err = fmt.Errorf("'%s' is not 'deprecated' nor a version", bare)
		} else if bare != body {
			err = fmt.Errorf("'@%s' takes no '!'", bare)
		}
	case isDigit(bare[0]) && strings.Contains(bare, "."), bare[0] == 'V', bare[0] == 'v' && len(bare) > 1 && isDigit(bare[1]):
		if _, perr := ParseSemVer(bare); perr != nil {
			err = perr
		}
	default:
		return nil
	}
	if err == nil && hasCounter && !isNumeric(digits) {
		err = fmt.Errorf("the counter '#%s' is not a number", digits)
	}
	if err == nil {
		// The parts are each well-formed but do not make a tag together, such as "nn@v1.0.0#".
		err = fmt.Errorf("'%s' does not follow NAME@vX.Y.Z[!], NAME#STAGE[!] or NAME@deprecated, each with an optional #N", name)
	}
	return err
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// TimeSlip is a pair of numbered events of one artifact whose tagger times do not follow the
// order in which they were made: Later has the greater counter, so it was written after
// Earlier (counters only grow, docs/registry.md §4), but its time ties with Earlier's or is before
// it. Readers order events by time (docs/registry.md §3): an inversion shows them in the other
// order to every reader, and a tie is left to list order by GTO.
type TimeSlip struct {
	Earlier, Later *Event
	Tie            bool
}

// TimeSlips returns the slips between consecutive numbered events of the artifact, taken in
// the order of their counters. Counter-less tags carry no trace of when they were made, and
// are left out.
func (a *Artifact) TimeSlips() []TimeSlip {
	var numbered []*Event
	for _, e := range a.Events {
		if e.HasCounter {
			numbered = append(numbered, e)
		}
	}
	sort.SliceStable(numbered, func(i, j int) bool {
		return compareDecimal(numbered[i].Counter, numbered[j].Counter) < 0
	})
	var slips []TimeSlip
	for i := 1; i < len(numbered); i++ {
		earlier, later := numbered[i-1], numbered[i]
		if compareDecimal(earlier.Counter, later.Counter) == 0 {
			continue // the same counter twice ("#7" and "#07"): which came first is unknown
		}
		if c := later.Time.Compare(earlier.Time); c <= 0 {
			slips = append(slips, TimeSlip{Earlier: earlier, Later: later, Tie: c == 0})
		}
	}
	return slips
}

// ActiveVersionsByCommit returns, for each commit that carries more than one active
// registered version of the artifact, those versions in the order of their registration: an
// artifact GTO refuses to read (docs/registry.md §3, "One version per commit").
func (a *Artifact) ActiveVersionsByCommit() map[string][]*Version {
	var byCommit map[string][]*Version // none for most artifacts: every read derives them all
	for _, v := range a.Versions {
		if v.Registered && v.Active {
			if byCommit == nil {
				byCommit = map[string][]*Version{}
			}
			byCommit[v.Commit] = append(byCommit[v.Commit], v)
		}
	}
	for commit, vs := range byCommit {
		if len(vs) < 2 {
			delete(byCommit, commit)
		}
	}
	return byCommit
}
