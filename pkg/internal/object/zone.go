package object

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Git writes a time zone as a signed number of hours and minutes (+0130 is 130) and shows it as
// it was written; a time read from a tag carries its zone named that way, so that git-model
// shows what git shows, even for a zone git reads loosely (+0075 is 75 minutes, shown +0075).

// ParseZone reads the time zone of a signature as git does (strtol): the signed number at the
// start of text, +0130 being 130; 0 when there is none or it is out of range.
func ParseZone(text string) int {
	text = strings.TrimLeft(text, " ")
	end := 0
	if end < len(text) && (text[0] == '+' || text[0] == '-') {
		end++
	}
	for end < len(text) && text[end] >= '0' && text[end] <= '9' {
		end++
	}
	tz, err := strconv.ParseInt(text[:end], 10, 32)
	if err != nil || tz <= math.MinInt32 || tz >= math.MaxInt32 {
		return 0
	}
	return int(tz)
}

// Zone returns the time zone that git writes as the number tz (+0130 is 130, -0500 is -500):
// hours and minutes east of UTC, named as git shows it (even +0075, which git reads as 75
// minutes), shared between equal zones.
func Zone(tz int) *time.Location {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if loc, ok := zones[tz]; ok {
		return loc
	}
	minutes := tz
	if minutes < 0 {
		minutes = -minutes
	}
	offset := (minutes/100*60 + minutes%100) * 60
	if tz < 0 {
		offset = -offset
	}
	loc := time.FixedZone(fmt.Sprintf("%+05d", tz), offset)
	zones[tz] = loc
	return loc
}

// ZoneText is the time zone of t as git shows it (+0530): as the tag wrote it for a time read
// from a tag, else from t's offset.
func ZoneText(t time.Time) string {
	return fmt.Sprintf("%+05d", ZoneNumber(t))
}

// ZoneNumber is the number git writes for the time zone of t (the inverse of Zone).
func ZoneNumber(t time.Time) int {
	name, offset := t.Zone()
	if tz, err := strconv.Atoi(name); err == nil && Zone(tz).String() == name {
		if _, o := t.In(Zone(tz)).Zone(); o == offset {
			return tz
		}
	}
	minutes := offset / 60
	if minutes < 0 {
		return -(-minutes/60*100 + -minutes%60)
	}
	return minutes/60*100 + minutes%60
}

var (
	zonesMu sync.Mutex
	zones   = map[int]*time.Location{}
)
