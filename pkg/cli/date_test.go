package cli

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRelativeDateLikeGit reads relative dates as git log --since reads them: each expression
// is given to `git rev-parse --since=` with the same "now" (GIT_TEST_DATE_NOW, git's own hook
// for tests) and the same time zone, and must give the same second.
func TestRelativeDateLikeGit(t *testing.T) {
	expressions := []string{
		"now", "today", "yesterday", "2 weeks ago", "2.weeks.ago", "3 days ago", "1.day.ago", "1 month ago",
		"13 months ago", "2 years ago", "5 hours ago", "10 minutes ago", "30 seconds ago", "one week ago",
		"three days ago", "1 week, 2 days ago", "noon", "noon yesterday", "midnight", "tea", "yesterday 15:00",
		"15:00 yesterday", "3pm", "11am", "12pm", "12am", "last friday", "last tuesday", "last sunday", "last fri",
		"2 days ago 10:30", "Yesterday", "1 Hour Ago", "3PM yesterday", "2weeks ago",
	}
	repo := t.TempDir() // git rev-parse wants a repository, of which it reads nothing here
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	for _, zone := range []string{"UTC", "Asia/Kolkata", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatalf("time zone %s: %v", zone, err)
		}
		// A Tuesday evening, a Friday morning (weekday and noon edge cases), and the day
		// after a change of daylight saving time in New York.
		for _, now := range []int64{1700000000, 1699603200 + 9*3600, 1699257600} {
			for _, expr := range expressions {
				cmd := exec.Command("git", "rev-parse", "--since="+expr)
				cmd.Dir = repo
				cmd.Env = append(os.Environ(), "GIT_TEST_DATE_NOW="+strconv.FormatInt(now, 10), "TZ="+zone)
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("git rev-parse --since=%q: %v", expr, err)
				}
				want, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(string(out)), "--max-age="), 10, 64)
				if err != nil {
					t.Fatalf("git rev-parse --since=%q printed %q", expr, out)
				}
				got, ok := relativeDate(expr, time.Unix(now, 0).In(loc))
				if !ok || got.Unix() != want {
					t.Errorf("%s, now %d: %q is %v (%d, ok %v); git says %d (%s)", zone, now, expr, got, got.Unix(), ok, want,
						time.Unix(want, 0).In(loc))
				}
			}
		}
	}
}

// TestRelativeDateRefusesWhatItCannotRead: git takes any word it does not know for "now"; --at
// refuses it, so that a typo never silently means "now".
func TestRelativeDateRefusesWhatItCannotRead(t *testing.T) {
	for _, expr := range []string{"", "garbage", "2 weks ago", "3", "yesterday garbage", "25:00", "13pm", "last", "ago 2", "week ago", "friday", "3 fortnights ago"} {
		if got, ok := relativeDate(expr, time.Unix(1700000000, 0)); ok {
			t.Errorf("%q read as %v", expr, got)
		}
	}
}

// TestParseDateAbsolute: the absolute forms git's dates take, with the zone they give or local
// time.
func TestParseDateAbsolute(t *testing.T) {
	for expr, want := range map[string]int64{
		"@1600000000":                    1600000000,
		"1600000000 +0200":               1600000000,
		"2024-03-01 12:00 +0200":         1709287200,
		"2024-03-01T12:00:00Z":           1709294400,
		"Fri, 1 Mar 2024 12:00:00 +0000": 1709294400,
		"Fri Mar 1 12:00:00 2024 +0000":  1709294400,
	} {
		got, ok := parseDate(expr)
		if !ok || got.Unix() != want {
			t.Errorf("%q is %v (ok %v), want %d", expr, got, ok, want)
		}
	}
}
