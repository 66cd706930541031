package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/parallel"
)

// TagRecord is what the registry needs to know of one ref under refs/tags/: the record the Git
// layer reads (gitrepo.Tag is the same type).
type TagRecord = object.TagRecord

// Event is one annotated registry tag: something that happened to an artifact.
type Event struct {
	Tag
	Name        string // the tag's name
	Commit      string
	Time        time.Time
	Author      string
	AuthorEmail string
	Message     string

	seq int32 // the event's position in the registry's order of events
}

// Before orders events by tagger time, then action priority, then counter (a counter-less tag
// counts as 0), then tag name, which makes the order of same-second events deterministic.
func (e *Event) Before(f *Event) bool {
	return compareEvents(e, f) < 0
}

// compareEvents is the order of Before as a comparison; tag names are unique, so it is total.
func compareEvents(e, f *Event) int {
	if c := e.Time.Compare(f.Time); c != 0 {
		return c
	}
	if e.Action != f.Action {
		return int(e.Action) - int(f.Action)
	}
	if c := compareDecimal(e.Counter, f.Counter); c != 0 {
		return c
	}
	return strings.Compare(e.Name, f.Name)
}

// parsed is what one pass over the tag records gives.
type parsed struct {
	entries   []sortEntry // one per event (the events live in chunks, one per core)
	artifacts numbering   // the artifacts of the events: sortEntry.artifact is their number
	warnings  []string    // registry tags that cannot be events
}

// numbering numbers names in the order they come.
type numbering struct {
	names  []string
	number map[string]int32
}

// of returns the number of name, giving it the next one if it has none.
func (n *numbering) of(name string) int32 {
	k, ok := n.number[name]
	if !ok {
		if n.number == nil {
			n.number = make(map[string]int32)
		}
		k = int32(len(n.names))
		n.number[name] = k
		n.names = append(n.names, name)
	}
	return k
}

// sortEntry is what ordering and grouping the events need of one, kept together so that they
// need not touch the events themselves (large, and spread over megabytes).
type sortEntry struct {
	sec      int64 // the tagger time, in Unix seconds
	e        *Event
	artifact int32 // index into parsed.artifacts.names
	action   Action
}

// parseTags turns tag records into events, in one pass, in chunks parsed on every core when
// there are enough records to gain from it.
func parseTags(records []TagRecord) parsed {
	workers := parallel.Workers(len(records), 4096)
	chunks := make([]parsed, workers)
	parallel.Run(len(records), workers, func(w, from, to int) {
		chunks[w] = parseChunk(records[from:to])
	})
	p := chunks[0]
	for _, c := range chunks[1:] {
		// Artifacts are numbered per chunk: number them for the whole.
		renumber := make([]int32, len(c.artifacts.names))
		for i, name := range c.artifacts.names {
			renumber[i] = p.artifacts.of(name)
		}
		for i := range c.entries {
			c.entries[i].artifact = renumber[c.entries[i].artifact]
		}
		p.entries = append(p.entries, c.entries...)
		p.warnings = append(p.warnings, c.warnings...)
	}
	return p
}

// parseChunk is parseTags for one part of the records.
func parseChunk(records []TagRecord) parsed {
	events := make([]Event, 0, len(records)) // never grows: the entries point into it
	p := parsed{entries: make([]sortEntry, 0, len(records))}
	var last int32 = -1 // the artifact of the previous event: records come in name order
	for i := range records {
		r := &records[i]
		if !r.Annotated { // a lightweight tag is no event (writes read its name: State.indexNames)
			continue
		}
		t, ok := ParseEvent(r.Name)
		if !ok {
			continue
		}
		if r.Commit == "" {
			p.warnings = append(p.warnings, fmt.Sprintf("ignoring tag '%s': it points to a %s, not a commit", r.Name, r.PeeledType))
			continue
		}
		events = append(events, Event{
			Tag:         t,
			Name:        r.Name,
			Commit:      r.Commit,
			Time:        r.When,
			Author:      r.TaggerName,
			AuthorEmail: r.TaggerEmail,
			Message:     r.Message,
		})
		if last < 0 || p.artifacts.names[last] != t.Artifact {
			last = p.artifacts.of(t.Artifact)
		}
		p.entries = append(p.entries, sortEntry{sec: r.When.Unix(), e: &events[len(events)-1], artifact: last, action: t.Action})
	}
	return p
}
