package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/gitrepo"
)

// dateLayouts are the absolute date forms that --at and GIT_COMMITTER_DATE take: ISO 8601 and
// RFC 3339, with or without a zone (local time without), RFC 2822, and month names.
var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02 15:04 -0700",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	time.RFC1123Z,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006 -0700", // git log's default format
	"Jan 2 2006 15:04:05",
	"2006-01-02",
	"2006.01.02",
	"2006/01/02",
	"Jan 2 2006",
	"Jan 2, 2006",
	"January 2 2006",
	"January 2, 2006",
	"2 Jan 2006",
	"2 January 2006",
}

// gitInternalDate is git's own "<unix seconds> <zone>" form, optionally after '@'; '@' alone
// before the seconds needs no zone.
var gitInternalDate = regexp.MustCompile(`^@?(\d+) ([+-])(\d\d)(\d\d)$|^@(\d+)$`)

// parseDate reads an absolute date in one of the forms git takes.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if m := gitInternalDate.FindStringSubmatch(s); m != nil {
		if m[5] != "" {
			secs, err := strconv.ParseInt(m[5], 10, 64)
			return time.Unix(secs, 0), err == nil
		}
		secs, _ := strconv.ParseInt(m[1], 10, 64)
		hours, _ := strconv.Atoi(m[3])
		minutes, _ := strconv.Atoi(m[4])
		offset := hours*3600 + minutes*60
		if m[2] == "-" {
			offset = -offset
		}
		return time.Unix(secs, 0).In(time.FixedZone("", offset)), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseWhen reads the point in time of --at: a date alone (the end of that day, local time), a
// date and time (local time unless a zone is given), a date relative to now as git log --since
// reads it (yesterday, 2 weeks ago, noon yesterday, last friday, 3pm), or a commit-ish whose
// committer date is used.
func parseWhen(s string, repo *gitrepo.Repository) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t.AddDate(0, 0, 1).Add(-time.Nanosecond), nil
	}
	if t, ok := parseDate(s); ok {
		return t, nil
	}
	if t, ok := relativeDate(s, time.Now()); ok {
		return t, nil
	}
	if _, when, err := repo.ResolveCommit(s); err == nil {
		return when, nil
	}
	return time.Time{}, usageError(fmt.Errorf("invalid --at '%s': not a date (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] [ZONE], "+
		"@SECONDS, yesterday, 2 weeks ago…) nor a commit", s))
}

// units are the lengths that relative dates count in, as git's approxidate knows them; months
// and years count on the calendar.
var units = map[string]time.Duration{
	"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour,
	"month": -1, "year": -2,
}

// numberWords are the numbers git's approxidate reads as words.
var numberWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

var clockTime = regexp.MustCompile(`^(\d{1,2}):(\d\d)(?::(\d\d))?$`)

// relativeDate reads a date relative to now the way git's approxidate does (date.c): words and
// numbers separated by blanks, dots or commas, each moving the date: "2 weeks ago", "1 week, 2
// days ago", "yesterday", "noon yesterday", "last friday", "3pm", "15:00". Unlike git, which
// takes what it cannot read for "now", a word it does not know makes it fail.
func relativeDate(s string, now time.Time) (time.Time, bool) {
	var words []string // "3pm" is two words, as for git
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '.' || r == ',' || r == '\t' }) {
		if i := strings.IndexFunc(f, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && !strings.Contains(f, ":") {
			words = append(words, f[:i], f[i:])
		} else {
			words = append(words, f)
		}
	}
	if len(words) == 0 {
		return time.Time{}, false
	}
	t := now
	// Calendar arithmetic keeps the offset from UTC, as git's does (mktime with the daylight
	// saving flag of the time it starts from): "1 month ago" across a change of daylight saving
	// time is the same UTC time of day. A time of day is read in the zone's own rules.
	addDate := func(years, months, days int) {
		_, offset := t.Zone()
		t = t.In(time.FixedZone("", offset)).AddDate(years, months, days).In(now.Location())
	}
	number, pending := 0, false
	read := false // whether a word said anything ("ago" and "last" alone do not)
	last := false // "last", which a day's name needs
	setClock := func(hour, minute, second int) {
		t = time.Date(t.Year(), t.Month(), t.Day(), hour, minute, second, 0, t.Location())
	}
	for _, w := range words {
		read = read || (w != "ago" && w != "last")
		if n, err := strconv.Atoi(w); err == nil {
			number, pending = n, true
			continue
		}
		if i := slices.Index(numberWords, w); i >= 0 {
			number, pending = i, true
			continue
		}
		if m := clockTime.FindStringSubmatch(w); m != nil {
			hour, _ := strconv.Atoi(m[1])
			minute, _ := strconv.Atoi(m[2])
			second, _ := strconv.Atoi(m[3])
			if hour > 23 || minute > 59 || second > 59 {
				return time.Time{}, false
			}
			setClock(hour, minute, second)
			continue
		}
		unit := strings.TrimSuffix(w, "s")
		length, isUnit := units[unit]
		switch {
		case isUnit:
			if !pending { // git reads "week ago" as now: refused rather than guessed
				return time.Time{}, false
			}
			n := number
			switch length {
			case -1:
				addDate(0, -n, 0)
			case -2:
				addDate(-n, 0, 0)
			default:
				t = t.Add(-time.Duration(n) * length)
			}
			pending = false
		case (w == "am" || w == "pm") && pending && number >= 1 && number <= 12:
			hour := number % 12
			if w == "pm" {
				hour += 12
			}
			setClock(hour, 0, 0)
			pending = false
		case w == "last":
			last = true
		case w == "ago", w == "now", w == "today":
		case w == "yesterday":
			t = t.Add(-24 * time.Hour)
		case w == "midnight":
			setClock(0, 0, 0)
		case w == "noon", w == "tea":
			hour := 12
			if w == "tea" {
				hour = 17
			}
			if t.Hour() < hour { // the last such time that has passed
				t = t.Add(-24 * time.Hour)
			}
			setClock(hour, 0, 0)
		default:
			day, ok := weekday(w)
			if !ok || !last { // git reads "friday" alone as now: refused rather than guessed
				return time.Time{}, false
			}
			last = false
			back := (int(t.Weekday()) - int(day) + 7) % 7
			if back == 0 {
				back = 7
			}
			addDate(0, 0, -back)
		}
	}
	return t, read && !pending
}

// weekday reads a day's name or its first three letters.
func weekday(w string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if w == name || (len(w) >= 3 && strings.HasPrefix(name, w)) {
			return d, true
		}
	}
	return 0, false
}
