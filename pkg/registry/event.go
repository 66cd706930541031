package registry

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// TagRecord is what the registry needs to know of one ref under refs/tags/, as the Git layer
// reads it. The fields mirror gitrepo.Tag so that one converts to the other.
type TagRecord struct {
	Name        string // without "refs/tags/"
	Annotated   bool
	Commit      string // the commit the tag peels to; "" when it peels to a tree or a blob
	PeeledType  string
	TaggerName  string
	TaggerEmail string
	When        time.Time
	Message     string
}

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
	events   [][]Event         // in chunks, each parsed on its own core
	counters map[string]string // the highest counter per artifact, lightweight tags included
	names    []registryName    // every tag whose name parses, lightweight ones included
	warnings []string          // registry tags that cannot be events
}

// registryName is a tag whose name parses, and its artifact.
type registryName struct {
	name, artifact string
}

// parseTags turns tag records into events, in one pass, in chunks parsed on every core when
// there are enough records to gain from it.
func parseTags(records []TagRecord) parsed {
	workers := min(runtime.GOMAXPROCS(0), len(records)/4096+1)
	chunks := make([]parsed, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunks[w] = parseChunk(records[w*len(records)/workers : (w+1)*len(records)/workers])
		}()
	}
	wg.Wait()
	p := chunks[0]
	for _, c := range chunks[1:] {
		p.events = append(p.events, c.events...)
		p.names = append(p.names, c.names...)
		p.warnings = append(p.warnings, c.warnings...)
		for artifact, n := range c.counters {
			if compareDecimal(n, p.counters[artifact]) > 0 {
				p.counters[artifact] = n
			}
		}
	}
	return p
}

// parseChunk is parseTags for one part of the records.
func parseChunk(records []TagRecord) parsed {
	events := make([]Event, 0, len(records))
	p := parsed{
		counters: make(map[string]string),
		names:    make([]registryName, 0, len(records)),
	}
	for i := range records {
		r := &records[i]
		t, ok := ParseTag(r.Name)
		if !ok {
			continue
		}
		p.names = append(p.names, registryName{r.Name, t.Artifact})
		if t.HasCounter && compareDecimal(t.Counter, p.counters[t.Artifact]) > 0 {
			p.counters[t.Artifact] = t.Counter
		}
		if !r.Annotated || t.Action == ActionNone {
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
	}
	p.events = [][]Event{events}
	return p
}

// ShortCommit abbreviates a commit id the way tables show it.
func ShortCommit(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}
