package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeRunner answers git-model's commands with canned output, and records every run.
type fakeRunner struct {
	mu      sync.Mutex
	runs    [][]string
	answers func(args []string) Result
}

func (f *fakeRunner) run(args []string) Result {
	f.mu.Lock()
	f.runs = append(f.runs, append([]string{}, args...))
	f.mu.Unlock()
	return f.answers(args)
}

func (f *fakeRunner) taken() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	runs := f.runs
	f.runs = nil
	return runs
}

// command is args without the global options a Repo adds (--repo SPEC, --offline).
func command(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--repo":
			i++
		case "--offline":
		default:
			out = append(out, args[i])
		}
	}
	return out
}

// localGet is a GET of path as a browser on this machine sends it.
func localGet(srv *Server, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Host = "localhost:8080"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec
}

func ptr(s string) *string { return &s }

func at(t *testing.T, ts string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func ev(t *testing.T, kind, ts string, version, stage *string) event {
	return event{Event: kind, Timestamp: ts, time: at(t, ts), Version: version, Stage: stage, Author: "Ada"}
}

func TestNewTimelineOneMarkPerEventOnItsLane(t *testing.T) {
	// newest first, as history gives them; "qa" is a stage the configuration does not list
	events := []event{
		ev(t, "assignment", "2025-03-01T00:00:00Z", ptr("v2"), ptr("qa")),
		ev(t, "unassignment", "2025-02-20T00:00:00Z", ptr("v1"), ptr("dev")),
		ev(t, "assignment", "2025-02-10T00:00:00Z", ptr("v1"), ptr("prod")),
		ev(t, "registration", "2025-02-01T00:00:00Z", ptr("v2"), nil),
		ev(t, "assignment", "2025-01-20T00:00:00Z", ptr("v1"), ptr("dev")),
		ev(t, "registration", "2025-01-01T00:00:00Z", ptr("v1"), nil),
	}
	tl := newTimeline(events, []string{"dev", "staging", "prod"})

	var lanes []string
	laneY := map[string]float64{}
	for _, l := range tl.Lanes {
		lanes = append(lanes, l.Name)
		laneY[l.Name] = float64(l.Y)
	}
	// staging has no event: no lane; qa after the configured stages
	if want := []string{"versions", "dev", "prod", "qa"}; !slices.Equal(lanes, want) {
		t.Fatalf("lanes %v, want %v", lanes, want)
	}
	for i := 1; i < len(tl.Lanes); i++ {
		if tl.Lanes[i].Y <= tl.Lanes[i-1].Y {
			t.Errorf("lane %s (y %d) is not below lane %s (y %d)", tl.Lanes[i].Name, tl.Lanes[i].Y, tl.Lanes[i-1].Name, tl.Lanes[i-1].Y)
		}
	}
	if tl.Height < tl.Lanes[len(tl.Lanes)-1].Y {
		t.Errorf("height %d leaves out the last lane at y %d", tl.Height, tl.Lanes[len(tl.Lanes)-1].Y)
	}
	if len(tl.Marks) != len(events) {
		t.Fatalf("%d marks for %d events", len(tl.Marks), len(events))
	}
	byHref := map[string]mark{}
	for _, m := range tl.Marks {
		if _, dup := byHref[m.Href]; dup {
			t.Errorf("two marks link to %s", m.Href)
		}
		byHref[m.Href] = m
	}
	var prevX float64 = -1
	for i := len(events) - 1; i >= 0; i-- { // oldest first: x grows
		e := events[i]
		m, ok := byHref["#e"+itoa(i+1)]
		if !ok {
			t.Fatalf("no mark links to the row of event %d (%s)", i+1, e.Event)
		}
		lane := "versions"
		if e.Stage != nil {
			lane = *e.Stage
		}
		if m.Y != laneY[lane] {
			t.Errorf("event %d (%s in %q) drawn at y %v, its lane is at %v", i+1, e.Event, lane, m.Y, laneY[lane])
		}
		if m.Kind != e.Event || m.Shape != shapes[e.Event] {
			t.Errorf("event %d: kind %q shape %q, want %q %q", i+1, m.Kind, m.Shape, e.Event, shapes[e.Event])
		}
		if m.X <= prevX {
			t.Errorf("event %d at %s drawn at x %v, not right of the older one at %v", i+1, e.Timestamp, m.X, prevX)
		}
		prevX = m.X
		if m.X < float64(tl.Left) || m.X > float64(tl.Right) {
			t.Errorf("event %d drawn at x %v, outside [%d, %d]", i+1, m.X, tl.Left, tl.Right)
		}
		if !strings.Contains(m.Title, e.Event) || !strings.Contains(m.Title, *e.Version) || !strings.Contains(m.Title, "Ada") {
			t.Errorf("event %d: tooltip %q lacks the event, version or author", i+1, m.Title)
		}
		if e.Stage != nil && !strings.Contains(m.Title, "in "+*e.Stage) {
			t.Errorf("event %d: tooltip %q lacks the stage", i+1, m.Title)
		}
	}
	if first, last := byHref["#e6"], byHref["#e1"]; first.X != float64(tl.Left) || last.X != float64(tl.Right) {
		t.Errorf("first event at x %v, last at %v: want the ends of time, %d and %d", first.X, last.X, tl.Left, tl.Right)
	}
	if len(tl.Ticks) < 2 || tl.Ticks[0].X != float64(tl.Left) || tl.Ticks[len(tl.Ticks)-1].X != float64(tl.Right) {
		t.Errorf("ticks %+v: want the first and last event's times at the ends", tl.Ticks)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestNewTimelineSingleInstantIsCentred(t *testing.T) {
	events := []event{ev(t, "registration", "2025-01-01T10:00:00+01:00", ptr("v1"), nil)}
	tl := newTimeline(events, []string{"dev"})
	if len(tl.Marks) != 1 {
		t.Fatalf("%d marks for one event", len(tl.Marks))
	}
	if want := float64(tl.Left+tl.Right) / 2; tl.Marks[0].X != want {
		t.Errorf("single event at x %v, want the middle %v", tl.Marks[0].X, want)
	}
	if tl.Marks[0].Label != "v1" {
		t.Errorf("single event labelled %q, want v1", tl.Marks[0].Label)
	}
	// two events of the same second: both in the middle, both drawn
	same := []event{
		ev(t, "assignment", "2025-01-01T10:00:00Z", ptr("v1"), ptr("dev")),
		ev(t, "registration", "2025-01-01T10:00:00Z", ptr("v1"), nil),
	}
	tl = newTimeline(same, []string{"dev"})
	if len(tl.Marks) != 2 {
		t.Fatalf("%d marks for two events", len(tl.Marks))
	}
	for _, m := range tl.Marks {
		if m.X != float64(tl.Left+tl.Right)/2 {
			t.Errorf("event of a single instant at x %v, want the middle", m.X)
		}
	}
	if empty := newTimeline(nil, []string{"dev"}); len(empty.Marks) != 0 || len(empty.Lanes) != 1 {
		t.Errorf("no events: %d marks, %d lanes; want none and the versions lane", len(empty.Marks), len(empty.Lanes))
	}
}

func TestNewTimelineUnknownEventStillDrawn(t *testing.T) {
	events := []event{
		ev(t, "renaming", "2025-01-02T00:00:00Z", ptr("v1"), nil),
		ev(t, "registration", "2025-01-01T00:00:00Z", ptr("v1"), nil),
	}
	tl := newTimeline(events, nil)
	if len(tl.Marks) != 2 {
		t.Fatalf("%d marks for two events", len(tl.Marks))
	}
	var found bool
	for _, m := range tl.Marks {
		if m.Kind == "renaming" {
			found = true
			if m.Shape == "" {
				t.Errorf("an event of unknown kind has no shape: drawn invisible")
			}
		}
	}
	if !found {
		t.Errorf("no mark of kind renaming: %+v", tl.Marks)
	}
}

func TestNewTimelineShortensCommitVersions(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	e := ev(t, "assignment", "2025-01-01T00:00:00Z", ptr(commit), ptr("dev"))
	e.Commit = commit // a commit without a version: history names the version by the commit
	tl := newTimeline([]event{e}, []string{"dev"})
	if m := tl.Marks[0]; strings.Contains(m.Title, commit) || m.Label != commit[:7] {
		t.Errorf("a bare commit as version: title %q label %q, want the short id", m.Title, m.Label)
	}
}

func TestLocalHost(t *testing.T) {
	for _, host := range []string{"localhost", "localhost:8080", "LOCALHOST", "localhost.", "127.0.0.1", "127.0.0.1:8080",
		"127.1.2.3:80", "[::1]:80", "[::1]", "foo.localhost", "foo.localhost:8080"} {
		if !localHost(host) {
			t.Errorf("localHost(%q) = false, want true", host)
		}
	}
	for _, host := range []string{"", "evil.example", "evil.example:8080", "127.0.0.1.evil.example", "127.0.0.1.evil.example:80",
		"localhost.evil.example", "evillocalhost", "10.0.0.1", "10.0.0.1:8080", "0.0.0.0", "[::]:80", "192.168.1.1"} {
		if localHost(host) {
			t.Errorf("localHost(%q) = true, want false", host)
		}
	}
}

func TestServerRefusesOtherHosts(t *testing.T) {
	f := &fakeRunner{answers: func([]string) Result { return Result{Stdout: []byte("[]\n")} }}
	srv := New(f.run, []Repo{{Name: "repo"}}, true, "test")
	for host, want := range map[string]int{"localhost:8080": 200, "evil.example": 421, "127.0.0.1.evil.example": 421} {
		req := httptest.NewRequest("GET", "/api/stages", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: status %d, want %d", host, rec.Code, want)
		}
		if rec.Header().Get("Content-Security-Policy") == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("Host %s: headers %v lack the CSP or nosniff", host, rec.Header())
		}
	}
	// not bound to loopback: any host name
	srv = New(f.run, []Repo{{Name: "repo"}}, false, "test")
	req := httptest.NewRequest("GET", "/api/stages", nil)
	req.Host = "evil.example"
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("not on loopback, Host evil.example: status %d, want 200", rec.Code)
	}
}

func TestSplitStderr(t *testing.T) {
	for _, tc := range []struct {
		stderr         string
		warnings, errs []string
	}{
		{"", nil, nil},
		{"\n", nil, nil},
		{"warning: tag 'x' is not of the grammar\n", []string{"tag 'x' is not of the grammar"}, nil},
		{"error: unknown artifact 'nope'\n", nil, []string{"unknown artifact 'nope'"}},
		{"warning: w1\nerror: e1\nhint: try this\nwarning: w2\nfatal: cannot read 'a': b\n",
			[]string{"w1", "w2"}, []string{"e1", "cannot read 'a': b"}},
		{"a line without prefix", nil, []string{"a line without prefix"}},
		{"hint: only a hint\n", nil, nil},
	} {
		w, e := splitStderr(tc.stderr)
		if !slices.Equal(w, tc.warnings) || !slices.Equal(e, tc.errs) {
			t.Errorf("splitStderr(%q) = %q, %q; want %q, %q", tc.stderr, w, e, tc.warnings, tc.errs)
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[int]int{1: 404, 129: 400, 128: 500, 2: 500, 255: 500} {
		if got := httpStatus(code); got != want {
			t.Errorf("httpStatus(%d) = %d, want %d", code, got, want)
		}
	}
}

// TestAPIErrorStatus: a command's failure is {"error": MESSAGE} with the status of its exit code.
func TestAPIErrorStatus(t *testing.T) {
	for _, tc := range []struct {
		code   int
		stderr string
		status int
		msg    string
	}{
		{1, "error: unknown artifact 'nope'\n", 404, "unknown artifact 'nope'"},
		{129, "warning: ignored\nerror: bad shortcut 'nope@'\nhint: use NAME@vX.Y.Z\n", 400, "bad shortcut 'nope@'"},
		{128, "fatal: not a git repository\n", 500, "not a git repository"},
		{2, "", 500, "git model describe: exit status 2"},
	} {
		f := &fakeRunner{answers: func([]string) Result { return Result{Stdout: []byte("partial"), Stderr: tc.stderr, Code: tc.code} }}
		srv := New(f.run, []Repo{{Name: "repo"}}, true, "test")
		rec := localGet(srv, "/api/describe/nope")
		if rec.Code != tc.status {
			t.Errorf("exit %d: status %d, want %d", tc.code, rec.Code, tc.status)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("exit %d: content type %q", tc.code, ct)
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 1 || body["error"] != tc.msg {
			t.Errorf("exit %d: body %q (%v), want {\"error\": %q}", tc.code, rec.Body.String(), err, tc.msg)
		}
		if runs := f.taken(); len(runs) != 1 || !slices.Equal(runs[0], []string{"describe", "--json", "--", "nope"}) {
			t.Errorf("ran %q, want describe --json -- nope", runs)
		}
	}
}

// siteAnswers is a registry of one artifact "m" for a fake runner.
func siteAnswers(args []string) Result {
	cmd := command(args)
	out := func(s string) Result { return Result{Stdout: []byte(s)} }
	switch {
	case slices.Equal(cmd, []string{"stages", "--json"}):
		return out(`["dev","prod"]` + "\n")
	case len(cmd) >= 2 && cmd[0] == "ls" && cmd[len(cmd)-1] == "m":
		return out(`[{"active":true,"artifact":"m","author":"Ada","author_email":"a@x","commit":"` + strings.Repeat("1", 40) +
			`","created_at":"2025-01-01T00:00:00Z","message":"reg","path":"m.pt","ref":"m@v1","registered":true,"stages":["dev"],"version":"v1"}]`)
	case len(cmd) >= 2 && cmd[0] == "ls":
		return out(`{"m":{"active":true,"commit":"` + strings.Repeat("1", 40) + `","description":"d","labels":[],"path":"m.pt","registered":true,"stage":{"dev":"v1","prod":null},"type":"model","version":"v1"}}`)
	case cmd[0] == "history":
		return out(`[{"artifact":"m","author":"Ada","author_email":"a@x","commit":"` + strings.Repeat("1", 40) +
			`","event":"assignment","message":"a","ref":"m#dev#1","stage":"dev","timestamp":"2025-01-02T00:00:00Z","version":"v1","signature":{"status":"unsigned"}},` +
			`{"artifact":"m","author":"Ada","author_email":"a@x","commit":"` + strings.Repeat("1", 40) +
			`","event":"registration","message":"r","ref":"m@v1","stage":null,"timestamp":"2025-01-01T00:00:00Z","version":"v1","signature":{"status":"unsigned"}}]`)
	case cmd[0] == "describe":
		return out(`{"artifact":"m","commit":null,"custom":null,"description":"d","labels":[],"path":"m.pt","source":"tag","type":"model","version":"v1","virtual":true}`)
	}
	return Result{Stderr: "error: unexpected command " + strings.Join(cmd, " ") + "\n", Code: 129}
}

// TestSessionFetchesOncePerRequest: a registry read through a URL is fetched by the first
// read of a request (no --offline), and read as fetched by every other read of that request.
func TestSessionFetchesOncePerRequest(t *testing.T) {
	f := &fakeRunner{answers: siteAnswers}
	url := Repo{Name: "https://example.com/r.git", Args: []string{"--repo", "https://example.com/r.git"}, URL: true}
	srv := New(f.run, []Repo{url}, true, "test")

	sess := srv.session()
	for i, want := range []bool{false, true, true} {
		if _, _, err := sess.raw(url, "stages", "--json"); err != nil {
			t.Fatal(err)
		}
		runs := f.taken()
		if len(runs) != 1 {
			t.Fatalf("read %d: %d runs", i+1, len(runs))
		}
		if got := slices.Contains(runs[0], "--offline"); got != want {
			t.Errorf("read %d of a session ran %q: --offline %v, want %v", i+1, runs[0], got, want)
		}
		if !slices.Equal(runs[0][:2], []string{"--repo", "https://example.com/r.git"}) {
			t.Errorf("read %d ran %q, not on the repository", i+1, runs[0])
		}
	}
	if _, _, err := srv.session().raw(url, "stages", "--json"); err != nil {
		t.Fatal(err)
	}
	if runs := f.taken(); slices.Contains(runs[0], "--offline") {
		t.Errorf("the first read of a new session ran %q: --offline, so it would not fetch", runs[0])
	}

	// a local repository is never given --offline
	local := Repo{Name: "repo", Args: []string{"--repo", "repo"}}
	sess = srv.session()
	for i := 0; i < 2; i++ {
		sess.raw(local, "stages", "--json")
	}
	for _, run := range f.taken() {
		if slices.Contains(run, "--offline") {
			t.Errorf("a local repository read with %q", run)
		}
	}

	// through the site: each request of a page that reads several times fetches once
	for req := 1; req <= 2; req++ {
		rec := localGet(srv, "/artifacts/m")
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: status %d: %s", req, rec.Code, rec.Body.String())
		}
		runs := f.taken()
		fetching := 0
		for _, run := range runs {
			if !slices.Contains(run, "--offline") {
				fetching++
			}
		}
		if len(runs) < 3 || fetching != 1 {
			t.Errorf("request %d of the artifact page: %d runs, %d without --offline (want exactly one fetch): %q", req, len(runs), fetching, runs)
		}
	}
}

// TestLimitedRuns: no more runs of git-model go on at once than the limit, however many
// requests come in together, and every one of them is answered.
func TestLimitedRuns(t *testing.T) {
	var running, most, done atomic.Int32
	run := limited(func([]string) Result {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		done.Add(1)
		return Result{}
	}, 2)
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() { defer wg.Done(); run(nil) }()
	}
	wg.Wait()
	if most.Load() != 2 || done.Load() != 20 {
		t.Errorf("at most %d runs at once (want 2), %d of 20 answered", most.Load(), done.Load())
	}
}
