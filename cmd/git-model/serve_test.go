package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// The site of `git model serve`, against the real binary on a loopback port: every page and
// API route, the JSON API against the command line, freshness, the safety rules, escaping,
// the command's own errors and the cross-repository view. The browser tests are in
// serve_browser_test.go.

// serveDemo makes the demo registry in dir "reg" and serves it.
func serveDemo(t *testing.T) (*remoteEnv, *served) {
	t.Helper()
	e := newRemoteEnv(t)
	if res := e.model("", "demo", "reg"); res.code != 0 {
		t.Fatalf("git model demo: exit %d: %s", res.code, res.stderr)
	}
	return e, e.serve("reg", nil)
}

// serveGet fetches path and fails unless it answers want.
func serveGet(t *testing.T, s *served, path string, want int) string {
	t.Helper()
	resp, body := s.get(t, path)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, resp.StatusCode, want, body)
	}
	return body
}

// request sends method to path with an optional Host header.
func (s *served) request(t *testing.T, method, path, host string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader("x=1"))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// lsArtifact is one artifact of `git model ls --json`.
type lsArtifact struct {
	Description string             `json:"description"`
	Labels      []string           `json:"labels"`
	Path        string             `json:"path"`
	Stage       map[string]*string `json:"stage"`
	Type        string             `json:"type"`
	Version     *string            `json:"version"`
}

// lsArtifacts is `git model ls --json` (with extra arguments) in dir, decoded.
func lsArtifacts(e *remoteEnv, dir string, extra ...string) map[string]lsArtifact {
	e.t.Helper()
	var out map[string]lsArtifact
	if err := json.Unmarshal([]byte(e.mustModel(dir, append([]string{"ls", "--json"}, extra...)...)), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// historyRefs is the tag of every event of `git model history --json [NAME]` in dir.
func historyRefs(e *remoteEnv, dir string, args ...string) []string {
	e.t.Helper()
	var events []struct {
		Ref string `json:"ref"`
	}
	if err := json.Unmarshal([]byte(e.mustModel(dir, append([]string{"history", "--json"}, args...)...)), &events); err != nil {
		e.t.Fatal(err)
	}
	refs := make([]string, len(events))
	for i, ev := range events {
		refs[i] = ev.Ref
	}
	return refs
}

var (
	artifactRowRe = regexp.MustCompile(`<tr class="artifact-row[^"]*">`)
	eventRowRe    = regexp.MustCompile(`<tr id="e(\d+)" class="event-row">`)
	eventTagRe    = regexp.MustCompile(`<td class="tag">([^<]*)</td>`)
	versionCellRe = regexp.MustCompile(`<tr class="version-row[^"]*">\s*<td class="version">(?:<a href="[^"]*">)?([^<]+)`)
)

// artifactPath is the link of an artifact's page, as the registry page writes it.
func artifactPath(base, name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return base + "/artifacts/" + strings.Join(parts, "/")
}

// unescapeHTML undoes the escaping html/template applies to the text of a cell.
func unescapeHTML(s string) string {
	return strings.NewReplacer("&#43;", "+", "&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

func TestServeRoutes(t *testing.T) {
	e, s := serveDemo(t)
	for _, tc := range []struct{ path, ctype string }{
		{"/", "text/html; charset=utf-8"},
		{"/?all=1", "text/html; charset=utf-8"},
		{"/history", "text/html; charset=utf-8"},
		{"/history?page=1", "text/html; charset=utf-8"},
		{"/artifacts/churn", "text/html; charset=utf-8"},
		{"/artifacts/churn?version=v1.1.0", "text/html; charset=utf-8"},
		{"/artifacts/models/cv:segm-nn", "text/html; charset=utf-8"},
		{"/api/ls", "application/json"},
		{"/api/ls?all=1", "application/json"},
		{"/api/ls/churn", "application/json"},
		{"/api/ls/models/cv:segm-nn", "application/json"},
		{"/api/history", "application/json"},
		{"/api/history/churn", "application/json"},
		{"/api/history/churn?verify=1", "application/json"},
		{"/api/describe/churn", "application/json"},
		{"/api/describe/churn@v1.1.0", "application/json"},
		{"/api/describe/churn%23prod", "application/json"},
		{"/api/stages", "application/json"},
		{"/favicon.ico", "image/svg+xml"},
		{"/favicon.svg", "image/svg+xml"},
		{"/style.css", "text/css; charset=utf-8"},
	} {
		resp, body := s.get(t, tc.path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s: %d %q, want 200 %q\n%.300s", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype, body)
		}
		if strings.HasPrefix(tc.ctype, "application/json") && !json.Valid([]byte(body)) {
			t.Errorf("GET %s: not JSON: %.300s", tc.path, body)
		}
		if strings.HasPrefix(tc.ctype, "text/html") && (!strings.HasPrefix(body, "<!doctype html>") || !strings.Contains(body, "</html>")) {
			t.Errorf("GET %s: not a whole page: %.300s", tc.path, body)
		}
	}
	if _, icon := s.get(t, "/favicon.ico"); !strings.Contains(icon, "<svg") {
		t.Errorf("/favicon.ico is not an SVG image: %.200s", icon)
	}
	// HEAD answers like GET, without a body
	if resp, body := s.request(t, "HEAD", "/", ""); resp.StatusCode != 200 || body != "" {
		t.Errorf("HEAD /: %d, body %q", resp.StatusCode, body)
	}

	// the registry lists every artifact of ls, each linking to its page, which works
	artifacts := lsArtifacts(e, "reg")
	if len(artifacts) < 3 {
		t.Fatalf("the demo has %d artifacts", len(artifacts))
	}
	registry := serveGet(t, s, "/", 200)
	if n := len(artifactRowRe.FindAllString(registry, -1)); n != len(artifacts) {
		t.Errorf("the registry page has %d artifact rows, ls has %d artifacts", n, len(artifacts))
	}
	for name, a := range artifacts {
		link := artifactPath("", name)
		if !strings.Contains(registry, `<a href="`+link+`">`+name+`</a>`) {
			t.Errorf("the registry page has no link %s to %s", link, name)
			continue
		}
		page := serveGet(t, s, link, 200)
		if !strings.Contains(page, "<h1>"+name+"</h1>") {
			t.Errorf("%s is not the page of %s", link, name)
		}
		if a.Description != "" && !strings.Contains(page, htmlText(a.Description)) {
			t.Errorf("the page of %s lacks its description %q", name, a.Description)
		}

		// each version of ls NAME, newest first, and each event's tag of history NAME
		var versions []struct {
			Version    string `json:"version"`
			Registered bool   `json:"registered"`
		}
		if err := json.Unmarshal([]byte(e.mustModel("reg", "ls", name, "--json")), &versions); err != nil {
			t.Fatal(err)
		}
		var shown []string
		for _, m := range versionCellRe.FindAllStringSubmatch(page, -1) {
			shown = append(shown, strings.TrimSpace(m[1]))
		}
		if len(versions) == 0 {
			t.Errorf("ls %s has no versions", name)
		}
		for _, v := range versions {
			want := v.Version
			if !v.Registered && len(want) == 40 {
				want = want[:7]
			}
			if !slices.Contains(shown, want) {
				t.Errorf("the page of %s lacks version %s: it shows %q", name, want, shown)
			}
		}
		refs := historyRefs(e, "reg", name)
		var tags []string
		for _, m := range eventTagRe.FindAllStringSubmatch(page, -1) {
			tags = append(tags, unescapeHTML(m[1]))
		}
		if !slices.Equal(tags, refs) {
			t.Errorf("the events of %s's page are %q, history %s has %q", name, tags, name, refs)
		}
		// one mark of the timeline per event
		if n := strings.Count(page, `<path class="event `) - 5; n != len(refs) { // 5: the legend
			t.Errorf("the timeline of %s has %d marks for %d events", name, n, len(refs))
		}
	}

	// the history page has every event of history, newest first
	history := serveGet(t, s, "/history", 200)
	var tags []string
	for _, m := range eventTagRe.FindAllStringSubmatch(history, -1) {
		tags = append(tags, unescapeHTML(m[1]))
	}
	if refs := historyRefs(e, "reg"); !slices.Equal(tags, refs) {
		t.Errorf("the history page shows the tags %q, history has %q", tags, refs)
	}

	// ?version= selects the annotation shown
	page := serveGet(t, s, "/artifacts/churn?version=v1.1.0", 200)
	if !strings.Contains(page, "Annotation at v1.1.0") || !strings.Contains(page, `version-row selected`) {
		t.Errorf("?version=v1.1.0 does not select the annotation of v1.1.0")
	}
}

// htmlText is text as html/template writes it in a page.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", `"`, "&#34;", "<", "&lt;", ">", "&gt;", "+", "&#43;").Replace(s)
}

func TestServeAPIMatchesCLI(t *testing.T) {
	e, s := serveDemo(t)
	for _, tc := range []struct {
		path string
		args []string
	}{
		{"/api/ls", []string{"ls", "--json"}},
		{"/api/ls?all=1", []string{"ls", "--json", "--all"}},
		{"/api/ls/churn", []string{"ls", "--json", "churn"}},
		{"/api/ls/churn?all=1", []string{"ls", "--json", "--all", "churn"}},
		{"/api/ls/models/cv:segm-nn", []string{"ls", "--json", "models/cv:segm-nn"}},
		{"/api/history", []string{"history", "--json"}},
		{"/api/history/churn", []string{"history", "--json", "churn"}},
		{"/api/history/models/nlp:sentiment", []string{"history", "--json", "models/nlp:sentiment"}},
		{"/api/history/churn?verify=1", []string{"history", "--json", "--verify", "churn"}},
		{"/api/describe/churn", []string{"describe", "--json", "churn"}},
		{"/api/describe/churn@v1.1.0", []string{"describe", "--json", "churn@v1.1.0"}},
		{"/api/describe/churn@latest", []string{"describe", "--json", "churn@latest"}},
		{"/api/describe/churn%23prod", []string{"describe", "--json", "churn#prod"}},
		{"/api/describe/models/cv:segm-nn%23prod", []string{"describe", "--json", "models/cv:segm-nn#prod"}},
		{"/api/stages", []string{"stages", "--json"}},
	} {
		want := e.mustModel("reg", tc.args...)
		resp, body := s.get(t, tc.path)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d: %s", tc.path, resp.StatusCode, body)
			continue
		}
		if body != want {
			t.Errorf("GET %s differs from git model %s:\n--- site\n%s\n--- command\n%s", tc.path, strings.Join(tc.args, " "), body, want)
		}
	}
	// the shortcuts name different versions: the site does not answer one for all
	_, prod := s.get(t, "/api/describe/models/cv:segm-nn%23prod")
	_, dev := s.get(t, "/api/describe/models/cv:segm-nn%23dev")
	if prod == dev {
		t.Errorf("#prod and #dev describe the same: %s", prod)
	}
}

func TestServeHistoryPages(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	e.mustModel("repo", "register", "model")
	for i := 0; i < 54; i++ {
		e.mustModel("repo", "promote", "model", []string{"dev", "staging", "prod"}[i%3], "--force")
	}
	refs := historyRefs(e, "repo")
	if len(refs) != 55 {
		t.Fatalf("history has %d events, want 55", len(refs))
	}
	s := e.serve("repo", nil)

	var shown []string
	for page, want := range map[int]int{1: 50, 2: 5} {
		body := serveGet(t, s, fmt.Sprintf("/history?page=%d", page), 200)
		rows := eventRowRe.FindAllStringSubmatch(body, -1)
		if len(rows) != want {
			t.Errorf("page %d has %d event rows, want %d", page, len(rows), want)
			continue
		}
		for i, m := range rows { // anchors number the events of the whole history
			if m[1] != fmt.Sprint((page-1)*50+i+1) {
				t.Errorf("page %d row %d has id e%s", page, i+1, m[1])
				break
			}
		}
		if !strings.Contains(body, fmt.Sprintf("page %d of 2", page)) || !strings.Contains(body, "55 events") {
			t.Errorf("page %d does not say which page of how many events", page)
		}
		for _, m := range eventTagRe.FindAllStringSubmatch(body, -1) {
			shown = append(shown, unescapeHTML(m[1]))
		}
	}
	first := serveGet(t, s, "/history", 200)
	if !strings.Contains(first, `href="?page=2"`) || len(eventRowRe.FindAllString(first, -1)) != 50 {
		t.Errorf("/history is not page 1 with a link to page 2")
	}
	if second := serveGet(t, s, "/history?page=2", 200); !strings.Contains(second, `href="?page=1"`) || strings.Contains(second, `href="?page=3"`) {
		t.Errorf("page 2 does not link back to page 1 alone")
	}
	if !slices.Equal(sortedCopy(shown), sortedCopy(refs)) {
		t.Errorf("the two pages show %d tags, not each of history's %d once", len(shown), len(refs))
	}
	for _, tc := range []struct {
		query  string
		status int
	}{{"?page=0", 400}, {"?page=x", 400}, {"?page=-1", 400}, {"?page=3", 404}, {"?page=1000", 404}} {
		resp, body := s.get(t, "/history"+tc.query)
		if resp.StatusCode != tc.status || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("/history%s: %d %s, want %d", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), tc.status)
		}
		if eventRowRe.MatchString(body) {
			t.Errorf("/history%s shows events", tc.query)
		}
	}
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	sort.Strings(c)
	return c
}

func TestServeFilters(t *testing.T) {
	e, s := serveDemo(t)
	artifacts := lsArtifacts(e, "reg")
	count := func(keep func(name string) bool) int {
		n := 0
		for name := range artifacts {
			if keep(name) {
				n++
			}
		}
		return n
	}
	firstLabel := artifacts["models/cv:segm-nn"].Labels[0]
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"?type=model", count(func(n string) bool { return artifacts[n].Type == "model" })},
		{"?type=dataset", count(func(n string) bool { return artifacts[n].Type == "dataset" })},
		{"?label=" + url.QueryEscape(firstLabel), count(func(n string) bool { return slices.Contains(artifacts[n].Labels, firstLabel) })},
		{"?stage=dev", count(func(n string) bool { return artifacts[n].Stage["dev"] != nil })},
		{"?stage=prod", count(func(n string) bool { return artifacts[n].Stage["prod"] != nil })},
		{"?q=SEGM", count(func(n string) bool { return strings.Contains(strings.ToLower(n), "segm") })},
		{"?q=customer", count(func(n string) bool { return strings.Contains(strings.ToLower(artifacts[n].Description), "customer") })},
		{"?q=no-such-thing-anywhere", 0},
		{"?type=model&stage=dev", count(func(n string) bool { return artifacts[n].Type == "model" && artifacts[n].Stage["dev"] != nil })},
	} {
		body := serveGet(t, s, "/"+tc.query, 200)
		if n := len(artifactRowRe.FindAllString(body, -1)); n != tc.want {
			t.Errorf("/%s: %d artifact rows, want %d", tc.query, n, tc.want)
		}
		if !strings.Contains(body, fmt.Sprintf("%d of %d artifacts match", tc.want, len(artifacts))) {
			t.Errorf("/%s does not say %d of %d artifacts match", tc.query, tc.want, len(artifacts))
		}
	}
	// the demo makes these filters narrow the list: else the cases above prove little
	for _, q := range []string{"?stage=dev", "?q=SEGM", "?label=" + url.QueryEscape(firstLabel)} {
		if n := len(artifactRowRe.FindAllString(serveGet(t, s, "/"+q, 200), -1)); n == 0 || n == len(artifacts) {
			t.Errorf("/%s keeps %d of %d artifacts: not a narrowing", q, n, len(artifacts))
		}
	}
	if body := serveGet(t, s, "/?q=no-such-thing-anywhere", 200); !strings.Contains(body, "No artifact matches.") {
		t.Errorf("a search that keeps nothing does not say so")
	}
}

func TestServeReadsTagsOnEveryRequest(t *testing.T) {
	e, s := serveDemo(t)
	before := serveGet(t, s, "/", 200)
	if strings.Contains(before, "/artifacts/fresh") {
		t.Fatal("the demo has an artifact fresh already")
	}
	churnBefore := serveGet(t, s, "/artifacts/churn", 200)
	apiBefore := serveGet(t, s, "/api/ls/churn", 200)

	e.mustModel("reg", "register", "fresh")
	e.git("reg", "commit", "-q", "--allow-empty", "-m", "next")
	e.mustModel("reg", "register", "churn")
	latest := *lsArtifacts(e, "reg")["churn"].Version
	if latest == "v1.1.0" {
		t.Fatal("churn has no new version")
	}
	e.mustModel("reg", "promote", "churn", "dev", "--version", latest)

	after := serveGet(t, s, "/", 200)
	if !strings.Contains(after, `<a href="/artifacts/fresh">fresh</a>`) {
		t.Errorf("a registration does not show on the registry page without a restart")
	}
	if strings.Contains(churnBefore, latest) || !strings.Contains(serveGet(t, s, "/artifacts/churn", 200), ">"+latest+"</a>") {
		t.Errorf("churn's page does not show the new version %s", latest)
	}
	dev := serveGet(t, s, "/?stage=dev", 200)
	if !strings.Contains(dev, `href="/artifacts/churn"`) {
		t.Errorf("the promotion of churn to dev does not show in ?stage=dev")
	}
	// a retired artifact leaves the registry page, and stays under ?all=1
	e.mustModel("reg", "deprecate", "fresh")
	if body := serveGet(t, s, "/", 200); strings.Contains(body, "/artifacts/fresh") {
		t.Errorf("a deprecated artifact still shows on the registry page")
	}
	if body := serveGet(t, s, "/?all=1", 200); !regexp.MustCompile(`<a href="/artifacts/fresh">fresh</a> <span class="flag">deprecated</span>`).MatchString(body) {
		t.Errorf("?all=1 does not show the deprecated artifact as deprecated")
	}
	if apiAfter := serveGet(t, s, "/api/ls/churn", 200); apiAfter == apiBefore || apiAfter != e.mustModel("reg", "ls", "--json", "churn") {
		t.Errorf("/api/ls/churn is not what ls prints after the change")
	}
}

func TestServeNotFoundAndRefusals(t *testing.T) {
	e, s := serveDemo(t)
	for _, path := range []string{"/artifacts/nope", "/artifacts/churn?version=v9.9.9", "/nope", "/r/x/artifacts/churn"} {
		resp, body := s.get(t, path)
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || !strings.Contains(body, `class="error"`) {
			t.Errorf("GET %s: %d %s, want a 404 page\n%.300s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	if resp, _ := s.get(t, "/artifacts/"); resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("GET /artifacts/ (no name): %d, want a client error", resp.StatusCode)
	}
	if _, body := s.get(t, "/artifacts/nope"); !strings.Contains(body, "unknown artifact &#39;nope&#39;") {
		t.Errorf("the 404 page of an unknown artifact does not say so:\n%s", body)
	}
	for _, path := range []string{"/api/ls/nope", "/api/history/nope", "/api/describe/nope", "/api/describe/churn@v9.9.9", "/api/nope"} {
		resp, body := s.get(t, path)
		var answer map[string]string
		err := json.Unmarshal([]byte(body), &answer)
		if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/json" || err != nil || len(answer) != 1 || answer["error"] == "" {
			t.Errorf("GET %s: %d %s %q, want 404 and {\"error\": …}", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	// the message is the command's
	res := e.model("reg", "ls", "--json", "nope")
	if _, body := s.get(t, "/api/ls/nope"); res.code != 1 || !strings.Contains(res.stderr, "unknown artifact 'nope'") || !strings.Contains(body, `"error": "unknown artifact 'nope'"`) {
		t.Errorf("/api/ls/nope answers %q; ls nope: exit %d %q", body, res.code, res.stderr)
	}

	// nothing but GET and HEAD, and no tag changes
	tags := e.git("reg", "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		for _, path := range []string{"/", "/api/ls", "/artifacts/churn", "/api/describe/churn", "/history"} {
			resp, _ := s.request(t, method, path, "")
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q; want 405, GET, HEAD", method, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	if after := e.git("reg", "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags"); after != tags {
		t.Errorf("the tags changed:\n%s\n---\n%s", tags, after)
	}

	// DNS rebinding: only local host names
	port := strings.TrimPrefix(s.url, "http://127.0.0.1")
	for _, tc := range []struct {
		host   string
		status int
	}{
		{"evil.example", 421}, {"evil.example" + port, 421}, {"127.0.0.1.evil.example" + port, 421},
		{"localhost" + port, 200}, {"127.0.0.1" + port, 200}, {"[::1]" + port, 200}, {"app.localhost" + port, 200},
	} {
		for _, path := range []string{"/", "/api/ls"} {
			resp, body := s.request(t, "GET", path, tc.host)
			if resp.StatusCode != tc.status {
				t.Errorf("GET %s with Host %s: %d, want %d", path, tc.host, resp.StatusCode, tc.status)
			}
			if tc.status == 421 && strings.Contains(body, "churn") {
				t.Errorf("GET %s with Host %s shows the registry", path, tc.host)
			}
		}
	}

	// the headers that keep a page to itself, on every answer
	for _, tc := range []struct{ method, path, host string }{
		{"GET", "/", ""}, {"GET", "/artifacts/churn", ""}, {"GET", "/api/ls", ""}, {"GET", "/nope", ""},
		{"GET", "/api/ls/nope", ""}, {"POST", "/", ""}, {"GET", "/", "evil.example"}, {"GET", "/favicon.ico", ""},
	} {
		resp, _ := s.request(t, tc.method, tc.path, tc.host)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s %s (Host %q): Content-Security-Policy %q", tc.method, tc.path, tc.host, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s (Host %q): X-Content-Type-Options %q", tc.method, tc.path, tc.host, resp.Header.Get("X-Content-Type-Options"))
		}
	}
}

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
)

func TestServeEscapesWhatTagsSay(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	e.mustModel("repo", "annotate", "model", "--path", "model.pt", "--type", "model", "--label", "xss",
		"--description", "desc "+xssScript+" "+xssImg, "--commit")
	e.mustModel("repo", "register", "model", "-m", "register "+xssScript)
	e.mustModel("repo", "promote", "model", "dev", "-m", "promote "+xssImg)
	var events []struct {
		Message string `json:"message"`
	}
	json.Unmarshal([]byte(e.mustModel("repo", "history", "--json")), &events)
	var messages []string
	for _, ev := range events {
		messages = append(messages, ev.Message)
	}
	if !slices.Contains(messages, "register "+xssScript) || !slices.Contains(messages, "promote "+xssImg) {
		t.Fatalf("the tags do not carry the messages: %q", messages)
	}
	s := e.serve("repo", nil)

	for _, tc := range []struct {
		path string
		want []string // the escaped text the page must show
	}{
		{"/", []string{"desc &lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(1)&gt;"}},
		{"/history", []string{"register &lt;script&gt;alert(1)&lt;/script&gt;", "promote &#34;&gt;&lt;img src=x onerror=alert(1)&gt;"}},
		{"/artifacts/model", []string{"desc &lt;script&gt;alert(1)&lt;/script&gt;", "register &lt;script&gt;alert(1)&lt;/script&gt;",
			"promote &#34;&gt;&lt;img src=x onerror=alert(1)&gt;"}},
		{"/artifacts/model?version=v0.0.1", []string{"desc &lt;script&gt;"}},
		{"/?q=" + url.QueryEscape(xssImg+xssScript), []string{`value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(1)&lt;/script&gt;"`}},
		{"/?q=" + url.QueryEscape("desc"), []string{"desc &lt;script&gt;"}},
		{"/artifacts/model?version=" + url.QueryEscape(xssScript), nil},
		{"/nope" + url.PathEscape(xssScript), nil},
	} {
		resp, body := s.get(t, tc.path)
		if resp.StatusCode == 500 {
			t.Errorf("GET %s: 500\n%s", tc.path, body)
		}
		for _, raw := range []string{"<script", "<img src=x", "onerror=alert(1)>"} {
			if strings.Contains(body, raw) {
				i := strings.Index(body, raw)
				t.Errorf("GET %s shows %q unescaped: …%s…", tc.path, raw, body[max(0, i-80):min(len(body), i+80)])
			}
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s lacks %q", tc.path, want)
			}
		}
	}
	// the API gives the text as it is, as JSON
	var desc struct {
		Description string `json:"description"`
	}
	_, body := s.get(t, "/api/describe/model")
	if err := json.Unmarshal([]byte(body), &desc); err != nil || desc.Description != "desc "+xssScript+" "+xssImg {
		t.Errorf("/api/describe/model: %q (%v)", body, err)
	}
}

// serveFails runs `git model [GLOBAL…] serve ARGS…` in dir, expecting it to fail at once.
func serveFails(t *testing.T, e *remoteEnv, dir string, code int, args ...string) string {
	t.Helper()
	res := e.model(dir, args...)
	if res.code != code {
		t.Errorf("git model %s: exit %d, want %d; stderr %q", strings.Join(args, " "), res.code, code, res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("git model %s printed %q", strings.Join(args, " "), res.stdout)
	}
	return res.stderr
}

func TestServeCommandErrors(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)

	// outside a repository: one fatal line (and the hint of how to name one)
	stderr := serveFails(t, e, "", 128, "serve", "--listen", "127.0.0.1:0")
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "fatal: ") || !strings.Contains(lines[0], "not a git repository") {
		t.Errorf("outside a repository: %q", stderr)
	}
	for _, line := range lines[1:] {
		if !strings.HasPrefix(line, "hint: ") {
			t.Errorf("outside a repository, a line neither fatal nor hint: %q", line)
		}
	}
	stderr = serveFails(t, e, "", 128, "-R", "no-such-repo", "serve", "--listen", "127.0.0.1:0")
	oneLine(t, "serve -R no-such-repo", stderr)

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	stderr = serveFails(t, e, "repo", 128, "serve", "--listen", taken.Addr().String())
	oneLine(t, "serve on a port taken", stderr)
	if !strings.HasPrefix(stderr, "fatal: ") || !strings.Contains(stderr, "address already in use") || strings.Contains(stderr, "listen tcp") {
		t.Errorf("serve on a port taken: %q", stderr)
	}

	stderr = serveFails(t, e, "repo", 128, "serve", "--listen", "nonsense")
	oneLine(t, "serve --listen nonsense", stderr)
	if !strings.HasPrefix(stderr, "fatal: ") || !strings.Contains(stderr, "nonsense") {
		t.Errorf("serve --listen nonsense: %q", stderr)
	}

	stderr = serveFails(t, e, "repo", 129, "serve", "--listen", "127.0.0.1:0", "extra")
	if !strings.Contains(stderr, "extra") {
		t.Errorf("serve with an extra argument: %q", stderr)
	}
}

func TestServeNonLoopbackWarns(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	e.mustModel("repo", "register", "model")
	s := e.serve("repo", nil, "--listen", "0.0.0.0:0")
	var stderr string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if stderr = s.errText(); strings.HasSuffix(stderr, "\n") {
			break
		}
	}
	oneLine(t, "serve --listen 0.0.0.0:0", stderr)
	if !strings.HasPrefix(stderr, "warning: ") || !strings.Contains(stderr, "anyone") {
		t.Errorf("serve on every address: stderr %q, want a warning", stderr)
	}
	// not on loopback, the host names are not checked (they cannot be known)
	if resp, body := s.request(t, "GET", "/", "models.example"); resp.StatusCode != 200 || !strings.Contains(body, "/artifacts/model") {
		t.Errorf("on 0.0.0.0, Host models.example: %d", resp.StatusCode)
	}

	// on loopback, no warning
	quiet := e.serve("repo", nil)
	serveGet(t, quiet, "/", 200)
	if text := quiet.errText(); text != "" {
		t.Errorf("serve on 127.0.0.1 printed %q", text)
	}
}

var repoLinkRe = regexp.MustCompile(`href="/r/([A-Za-z0-9._-]+-[0-9a-f]{6})/artifacts/([^"]+)"`)

func TestServeCrossRepository(t *testing.T) {
	e := newRemoteEnv(t)
	if res := e.model("", "demo", "alpha"); res.code != 0 {
		t.Fatalf("git model demo: %s", res.stderr)
	}
	e.newRepo("beta", 1)
	e.mustModel("beta", "register", "onlybeta")
	e.mustModel("beta", "promote", "onlybeta", "prod")
	s := e.serve("", []string{"-R", "alpha", "-R", "beta"})

	alpha, beta := lsArtifacts(e, "alpha"), lsArtifacts(e, "beta")
	page := serveGet(t, s, "/", 200)
	if n := len(artifactRowRe.FindAllString(page, -1)); n != len(alpha)+len(beta) {
		t.Errorf("/ has %d artifact rows, the registries have %d and %d", n, len(alpha), len(beta))
	}
	if !strings.Contains(page, `<td class="repo-cell">alpha</td>`) || !strings.Contains(page, `<td class="repo-cell">beta</td>`) {
		t.Errorf("/ has no repo column naming alpha and beta")
	}
	ids := map[string]string{} // repository → its ID
	links := map[string]string{}
	for _, m := range repoLinkRe.FindAllStringSubmatch(page, -1) {
		links[m[2]] = "/r/" + m[1] + "/artifacts/" + m[2]
		if m[2] == "onlybeta" {
			ids["beta"] = m[1]
		} else {
			ids["alpha"] = m[1]
		}
	}
	for name := range alpha {
		if _, ok := links[artifactPath("", name)[len("/artifacts/"):]]; !ok {
			t.Errorf("/ has no link to alpha's %s", name)
		}
	}
	if !strings.HasPrefix(ids["alpha"], "alpha-") || !strings.HasPrefix(ids["beta"], "beta-") || ids["alpha"] == "" {
		t.Fatalf("the registries' IDs are %q", ids)
	}
	onlybeta := serveGet(t, s, links["onlybeta"], 200)
	if !strings.Contains(onlybeta, "<h1>onlybeta</h1>") || !strings.Contains(onlybeta, ">v0.0.1</a>") {
		t.Errorf("%s is not onlybeta's page", links["onlybeta"])
	}
	if resp, _ := s.get(t, "/r/"+ids["alpha"]+"/artifacts/onlybeta"); resp.StatusCode != 404 {
		t.Errorf("alpha's page of beta's artifact: %d, want 404", resp.StatusCode)
	}
	if resp, _ := s.get(t, "/artifacts/onlybeta"); resp.StatusCode != 404 {
		t.Errorf("/artifacts/NAME without a registry: %d, want 404", resp.StatusCode)
	}
	if body := serveGet(t, s, "/r/"+ids["beta"]+"/", 200); len(artifactRowRe.FindAllString(body, -1)) != len(beta) {
		t.Errorf("beta's own registry page does not list its %d artifacts alone", len(beta))
	}

	// the history of both
	history := serveGet(t, s, "/history", 200)
	total := len(historyRefs(e, "alpha")) + len(historyRefs(e, "beta"))
	if n := len(eventRowRe.FindAllString(history, -1)); n != min(total, 50) {
		t.Errorf("/history has %d rows, the registries have %d events", n, total)
	}
	if !strings.Contains(history, "<th>repo</th>") || !strings.Contains(history, "<td>beta</td>") || !strings.Contains(history, "<td>alpha</td>") {
		t.Errorf("/history has no repo column naming both")
	}

	// the API: /api/ls is ls over both, byte for byte; the routes of each under /api/r/ID/
	if want, got := e.mustModel("", "-R", "alpha", "-R", "beta", "ls", "--json"), serveGet(t, s, "/api/ls", 200); got != want {
		t.Errorf("/api/ls differs from git model -R alpha -R beta ls --json:\n%s\n---\n%s", got, want)
	}
	if want, got := e.mustModel("", "-R", "alpha", "-R", "beta", "ls", "--json", "--all"), serveGet(t, s, "/api/ls?all=1", 200); got != want {
		t.Errorf("/api/ls?all=1 differs from git model -R alpha -R beta ls --json --all")
	}
	for _, tc := range []struct {
		path string
		args []string
	}{
		{"/api/r/" + ids["beta"] + "/ls", []string{"-R", "beta", "ls", "--json"}},
		{"/api/r/" + ids["beta"] + "/ls/onlybeta", []string{"-R", "beta", "ls", "--json", "onlybeta"}},
		{"/api/r/" + ids["alpha"] + "/history/churn", []string{"-R", "alpha", "history", "--json", "churn"}},
		{"/api/r/" + ids["alpha"] + "/describe/churn%23prod", []string{"-R", "alpha", "describe", "--json", "churn#prod"}},
		{"/api/r/" + ids["alpha"] + "/stages", []string{"-R", "alpha", "stages", "--json"}},
	} {
		if want, got := e.mustModel("", tc.args...), serveGet(t, s, tc.path, 200); got != want {
			t.Errorf("%s differs from git model %s:\n%s\n---\n%s", tc.path, strings.Join(tc.args, " "), got, want)
		}
	}
	var byRepo map[string]any
	if err := json.Unmarshal([]byte(serveGet(t, s, "/api/history", 200)), &byRepo); err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"alpha", "beta"} {
		var want any
		json.Unmarshal([]byte(e.mustModel("", "-R", repo, "history", "--json")), &want)
		if !reflect.DeepEqual(byRepo[repo], want) {
			t.Errorf("/api/history[%s] is not git model -R %s history --json", repo, repo)
		}
	}
	if len(byRepo) != 2 {
		t.Errorf("/api/history has the keys of %d registries", len(byRepo))
	}
	if resp, _ := s.get(t, "/api/r/nope-000000/ls"); resp.StatusCode != 404 {
		t.Errorf("/api/r/ of an unknown registry: %d", resp.StatusCode)
	}

	// a registry that cannot be read: reported, the others still shown
	broken := e.serve("", []string{"-R", "alpha", "-R", "beta", "-R", "missing"})
	page = serveGet(t, broken, "/", 200)
	if !regexp.MustCompile(`<p class="error" role="alert">error: missing: [^<]+</p>`).MatchString(page) {
		t.Errorf("/ does not report that missing cannot be read")
	}
	if n := len(artifactRowRe.FindAllString(page, -1)); n != len(alpha)+len(beta) {
		t.Errorf("with a registry missing, / shows %d artifacts, want the others' %d", n, len(alpha)+len(beta))
	}
	history = serveGet(t, broken, "/history", 200)
	if !strings.Contains(history, `error: missing: `) || !strings.Contains(history, "<td>beta</td>") {
		t.Errorf("with a registry missing, /history does not report it and show the others")
	}
	if body := serveGet(t, broken, links["onlybeta"], 200); !strings.Contains(body, "<h1>onlybeta</h1>") {
		t.Errorf("with a registry missing, beta's pages do not work")
	}
	// the API gives what it could read, as ls does, and names the failure in a header
	res := e.model("", "-R", "alpha", "-R", "beta", "-R", "missing", "ls", "--json")
	resp, body := broken.get(t, "/api/ls")
	if resp.StatusCode != 200 || body != res.stdout || !strings.Contains(resp.Header.Get("X-Git-Model-Error"), "missing") {
		t.Errorf("/api/ls with a registry missing: %d, X-Git-Model-Error %q, body equal to ls: %t",
			resp.StatusCode, resp.Header.Get("X-Git-Model-Error"), body == res.stdout)
	}
	resp, body = broken.get(t, "/api/history")
	byRepo = nil
	if err := json.Unmarshal([]byte(body), &byRepo); err != nil || resp.StatusCode != 200 || len(byRepo) != 2 ||
		!strings.Contains(resp.Header.Get("X-Git-Model-Error"), "missing") {
		t.Errorf("/api/history with a registry missing: %d, %d registries, X-Git-Model-Error %q (%v)",
			resp.StatusCode, len(byRepo), resp.Header.Get("X-Git-Model-Error"), err)
	}
}

// TestServeShortcutAddresses: an artifact's address that holds a shortcut leads to the
// artifact's page (at the version it names), never to a page of an artifact that is not
// there; an address without a name is a page the site does not have.
func TestServeShortcutAddresses(t *testing.T) {
	_, s := serveDemo(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/artifacts/churn@v1.1.0":             "/artifacts/churn?version=v1.1.0",
		"/artifacts/churn@latest":             "/artifacts/churn",
		"/artifacts/churn%23prod":             "/artifacts/churn",
		"/artifacts/models/cv:segm-nn@v0.1.0": "/artifacts/models/cv:segm-nn?version=v0.1.0",
	} {
		resp, err := client.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want 302 to %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	page := serveGet(t, s, "/artifacts/churn@v1.1.0", 200)
	if !strings.Contains(page, "<h1>churn</h1>") || !strings.Contains(page, "Annotation at v1.1.0") || strings.Contains(page, ">deprecated<") {
		t.Errorf("/artifacts/churn@v1.1.0 does not lead to churn's page at v1.1.0")
	}
	for _, path := range []string{"/artifacts/", "/artifacts/no-such-model"} {
		if resp, _ := s.get(t, path); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestServeArtifactVersionsNewestFirst: an artifact's page lists its versions newest first
// (docs/serve.md §1), in the order of `git model ls NAME`.
func TestServeArtifactVersionsNewestFirst(t *testing.T) {
	e, s := serveDemo(t)
	for _, name := range []string{"churn", "models/nlp:sentiment", "models/cv:segm-nn"} {
		var versions []struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal([]byte(e.mustModel("reg", "ls", "--json", "--all", name)), &versions); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, v := range versions {
			want = append(want, v.Version)
		}
		if len(want) < 2 {
			t.Fatalf("%s has %d versions: the order proves nothing", name, len(want))
		}
		var shown []string
		for _, m := range versionCellRe.FindAllStringSubmatch(serveGet(t, s, artifactPath("", name), 200), -1) {
			shown = append(shown, strings.TrimSpace(m[1]))
		}
		if !slices.Equal(shown, want) {
			t.Errorf("the page of %s lists the versions %q; ls --all %s, newest first, has %q", name, shown, name, want)
		}
	}
}
