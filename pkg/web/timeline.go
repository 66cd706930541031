package web

import (
	"fmt"
	"slices"
	"time"
)

// The timeline of an artifact's page is drawn in SVG by the server, inline in the page (no
// script): one lane for the versions (registrations, deregistrations, deprecations) and one
// per stage (assignments, unassignments), time running left to right, one mark per event
// (docs/serve.md §2).

// Sizes of the drawing, in SVG user units.
const (
	timelineWidth = 900
	laneHeight    = 34
	laneLeft      = 110 // room for the lanes' names
	laneRight     = 44
	laneTop       = 12 // room for the labels of the first lane
	axisHeight    = 28
	labelGap      = 46 // the least distance between two version labels in one lane
)

type timeline struct {
	Width, Height int
	Lanes         []lane
	Marks         []mark
	Ticks         []tick
	Left, Right   int // where time starts and ends
}

type lane struct {
	Name string
	Y    int
}

// mark is the drawing of one event: a shape at (X, Y), a tooltip, and a version label when
// there is room for it.
type mark struct {
	X, Y  float64
	Kind  string // the event, which picks the shape
	Shape string // SVG path data, centred on (X, Y)
	Title string
	Label string
	Href  string
}

type tick struct {
	X     float64
	Label string
}

// shapes are the marks of each event: a filled disc for a registration, a ring for a
// deregistration, a triangle up for an assignment, down and hollow for an unassignment, a
// square for a deprecation.
var shapes = map[string]string{
	"registration":   "m-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0z",
	"deregistration": "m-6,0a6,6 0 1,0 12,0a6,6 0 1,0 -12,0z",
	"assignment":     "m0,-7l7,12h-14z",
	"unassignment":   "m0,7l7,-12h-14z",
	"deprecation":    "m-6,-6h12v12h-12z",
}

// newTimeline lays out events (newest first, as history gives them) on lanes: the versions,
// then the stages in the registry's order.
func newTimeline(events []event, stages []string) timeline {
	t := timeline{Width: timelineWidth, Left: laneLeft, Right: timelineWidth - laneRight}
	laneOf := map[string]int{}
	t.Lanes = append(t.Lanes, lane{Name: "versions"})
	laneOf[""] = 0
	used := map[string]bool{}
	for _, e := range events {
		if e.Stage != nil {
			used[*e.Stage] = true
		}
	}
	for _, stage := range stages {
		if used[stage] {
			laneOf[stage] = len(t.Lanes)
			t.Lanes = append(t.Lanes, lane{Name: stage})
		}
	}
	for _, e := range events { // a stage the configuration does not list, in order of use
		if e.Stage != nil {
			if _, ok := laneOf[*e.Stage]; !ok {
				laneOf[*e.Stage] = len(t.Lanes)
				t.Lanes = append(t.Lanes, lane{Name: *e.Stage})
			}
		}
	}
	for i := range t.Lanes {
		t.Lanes[i].Y = laneTop + i*laneHeight + laneHeight/2
	}
	t.Height = laneTop + len(t.Lanes)*laneHeight + axisHeight
	if len(events) == 0 {
		return t
	}
	first, last := events[0].time, events[0].time
	for _, e := range events[1:] {
		if e.time.Before(first) {
			first = e.time
		}
		if e.time.After(last) {
			last = e.time
		}
	}
	span := last.Sub(first)
	x := func(at time.Time) float64 {
		if span <= 0 {
			return float64(laneLeft+t.Right) / 2
		}
		return laneLeft + float64(at.Sub(first))/float64(span)*float64(t.Right-laneLeft)
	}
	lastLabel := map[int]float64{}
	for i := len(events) - 1; i >= 0; i-- { // oldest first, so that the older label wins its place
		e := events[i]
		stage := ""
		if e.Stage != nil {
			stage = *e.Stage
		}
		l := laneOf[stage]
		m := mark{X: round(x(e.time)), Y: float64(t.Lanes[l].Y), Kind: e.Event, Shape: shapes[e.Event], Href: fmt.Sprintf("#e%d", i+1)}
		if m.Shape == "" {
			m.Shape = shapes["deprecation"]
		}
		version := e.shownVersion()
		m.Title = fmt.Sprintf("%s %s", e.time.Format("2006-01-02 15:04"), e.Event)
		if version != "" {
			m.Title += " " + version
		}
		if stage != "" {
			m.Title += " in " + stage
		}
		if e.Author != "" {
			m.Title += " by " + e.Author
		}
		if prev, ok := lastLabel[l]; version != "" && (!ok || m.X-prev >= labelGap) {
			m.Label, lastLabel[l] = version, m.X
		}
		t.Marks = append(t.Marks, m)
	}
	t.Ticks = ticks(first, last, x)
	return t
}

// ticks are the labelled times of the axis: the first and last event's, and up to three
// between them.
func ticks(first, last time.Time, x func(time.Time) float64) []tick {
	layout := "2006-01-02"
	if last.Sub(first) < 48*time.Hour {
		layout = "Jan 2 15:04"
	}
	n := 4
	if !last.After(first) {
		return []tick{{X: round(x(first)), Label: first.Format(layout)}}
	}
	var out []tick
	for i := 0; i <= n; i++ {
		at := first.Add(last.Sub(first) * time.Duration(i) / time.Duration(n))
		label := at.In(first.Location()).Format(layout)
		if !slices.ContainsFunc(out, func(t tick) bool { return t.Label == label }) {
			out = append(out, tick{X: round(x(at)), Label: label})
		}
	}
	return out
}

func round(f float64) float64 {
	return float64(int(f*10+0.5)) / 10
}
