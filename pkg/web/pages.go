package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/parallel"
	"github.com/git-model/git-model/pkg/registry"
)

// historyPageSize is how many events a page of history shows.
const historyPageSize = 50

// page is what every page shows around its content.
type page struct {
	Title    string
	Heading  string
	Repo     *Repo  // the registry the page is about; nil on the cross-repository pages
	Base     string // the path of that registry's pages
	Repos    []Repo // every registry of the site, when there are several
	Nav      string // the section: registry or history
	API      string // the same data as JSON
	Warnings []string
	Errors   []string
	Version  string
}

// registryRow is one artifact on the registry page.
type registryRow struct {
	Repo        Repo
	Name        string
	Link        string
	Version     string
	Commit      string
	Cells       []string // what each stage shows, in the order of the page's stages
	Type        string
	Labels      []string
	Description string
	Path        string
	Deprecated  bool
	Registered  bool

	shows map[string]*string // stage → the version it shows
}

// filter is the registry page's query: a search, a type, a label, a stage and whether
// deprecated artifacts are shown.
type filter struct {
	Q, Type, Label, Stage string
	All                   bool
}

func (f filter) keeps(r registryRow, stages []string) bool {
	switch {
	case f.Type != "" && r.Type != f.Type:
		return false
	case f.Label != "" && !slices.Contains(r.Labels, f.Label):
		return false
	case f.Stage != "":
		i := slices.Index(stages, f.Stage)
		if i < 0 || r.Cells[i] == "" {
			return false
		}
	}
	if f.Q == "" {
		return true
	}
	q := strings.ToLower(f.Q)
	for _, text := range append([]string{r.Name, r.Description, r.Type, r.Path, r.Version}, r.Labels...) {
		if strings.Contains(strings.ToLower(text), q) {
			return true
		}
	}
	return false
}

type registryView struct {
	page
	Stages        []string
	Rows          []registryRow
	Total         int
	Types, Labels []string
	Filter        filter
	Filtered      bool
}

// registryPage lists the artifacts of one registry, or of all of them on the
// cross-repository view, with the filters of the query.
func (s *Server) registryPage(w http.ResponseWriter, r *http.Request) {
	repos, pg, ok := s.pageRepos(w, r, "registry")
	if !ok {
		return
	}
	q := r.URL.Query()
	f := filter{Q: strings.TrimSpace(q.Get("q")), Type: q.Get("type"), Label: q.Get("label"), Stage: q.Get("stage"), All: q.Get("all") != ""}
	regs := make([]listing, len(repos))
	sess := s.session()
	parallel.Each(len(repos), func(i int) { regs[i] = sess.readRegistry(repos[i], f.All) })
	v := registryView{page: pg, Filter: f}
	var rows []registryRow
	for _, reg := range regs {
		v.Warnings = append(v.Warnings, prefixed(reg.repo, s.multi, reg.warnings)...)
		if reg.err != nil {
			if !s.multi {
				s.fail(w, reg.err, pg)
				return
			}
			v.Errors = append(v.Errors, reg.repo.Name+": "+reg.err.Error())
			continue
		}
		v.Stages = registry.StageOrder(v.Stages, reg.stages)
		for _, name := range slices.Sorted(maps.Keys(reg.artifacts)) {
			a := reg.artifacts[name]
			row := registryRow{Repo: reg.repo, Name: name, Link: s.base(reg.repo) + "/artifacts/" + pathEscape(name),
				Type: a.Type, Labels: a.Labels, Description: a.Description, Path: a.Path, Deprecated: !a.Active, Registered: a.Registered, shows: a.Stage}
			if a.Version != nil {
				row.Version, row.Commit = *a.Version, object.Short(*a.Commit)
			}
			rows = append(rows, row)
		}
	}
	for i := range rows {
		rows[i].Cells = make([]string, len(v.Stages))
		for j, stage := range v.Stages {
			if shown := rows[i].shows[stage]; shown != nil {
				rows[i].Cells[j] = *shown
			}
		}
		v.Types = addOnce(v.Types, rows[i].Type)
		for _, l := range rows[i].Labels {
			v.Labels = addOnce(v.Labels, l)
		}
		if f.keeps(rows[i], v.Stages) {
			v.Rows = append(v.Rows, rows[i])
		}
	}
	slices.Sort(v.Types)
	slices.Sort(v.Labels)
	v.Total, v.Filtered = len(rows), f != (filter{All: f.All})
	s.render(w, "registry", &v)
}

// pageRepos is what a page of the registry or of the history is about: the registry of its
// path, or every registry on the cross-repository pages.
func (s *Server) pageRepos(w http.ResponseWriter, r *http.Request, nav string) ([]Repo, page, bool) {
	pg := page{Nav: nav, Version: s.version, Repos: s.crossRepos()}
	repos, ok := s.scope(r)
	switch {
	case !ok:
		s.notFound(w, r)
		return nil, pg, false
	case len(repos) > 1:
		pg.Title, pg.Heading, pg.API = "Registries", fmt.Sprintf("%d registries", len(repos)), "/api/ls"
		if nav == "history" {
			pg.Title, pg.Heading, pg.API = "History", "History of every registry", "/api/history"
		}
		return repos, pg, true
	}
	repo := repos[0]
	pg.Repo, pg.Base = &repo, s.base(repo)
	pg.Title, pg.Heading, pg.API = repo.Name, "Registry", "/api"+pg.Base+"/ls"
	if nav == "history" {
		pg.Title, pg.Heading, pg.API = "History · "+repo.Name, "History", "/api"+pg.Base+"/history"
	}
	return repos, pg, true
}

// crossRepos is the registries the navigation lists: all of them when there are several.
func (s *Server) crossRepos() []Repo {
	if s.multi {
		return s.repos
	}
	return nil
}

func addOnce(list []string, item string) []string {
	if item == "" || slices.Contains(list, item) {
		return list
	}
	return append(list, item)
}

// prefixed names the registry of each warning on the cross-repository view.
func prefixed(repo Repo, multi bool, warnings []string) []string {
	if !multi {
		return warnings
	}
	out := make([]string, len(warnings))
	for i, w := range warnings {
		out[i] = repo.Name + ": " + w
	}
	return out
}

// versionRow is one version on an artifact's page.
type versionRow struct {
	Version    string
	Link       string
	Stages     []stageMark
	Commit     string
	Created    string
	Author     string
	Path       string
	Active     bool
	Registered bool
	Selected   bool
}

// stageMark is a stage a version stands in, and whether the stage shows it (else newer
// assignments stand above it).
type stageMark struct {
	Stage string
	Shown bool
}

// eventRow is one event in a table of history.
type eventRow struct {
	ID        string
	Repo      Repo
	Time      string
	Artifact  string
	Link      string
	Event     string
	Version   string
	Stage     string
	Commit    string
	Author    string
	Tag       string
	Message   string
	Signature *signature
}

type artifactView struct {
	page
	Name       string
	Summary    artifact
	Shows      []stageMark // the stages and whether each shows a version
	ShowsWhat  map[string]string
	Versions   []versionRow
	Selected   *description
	Custom     string
	Timeline   timeline
	Events     []eventRow
	Signed     bool
	SelectedOf string
}

// artifactPage shows one artifact: what it is, what each stage shows, its versions, the
// annotation of one version, the timeline of its events and their table.
func (s *Server) artifactPage(w http.ResponseWriter, r *http.Request) {
	repo, ok := s.repoOf(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	name := r.PathValue("name")
	base := s.base(repo)
	if name == "" {
		s.notFound(w, r)
		return
	}
	if plain, version, ok := shortcutPage(name); ok {
		// NAME@vX.Y.Z, NAME@latest, NAME#STAGE: the artifact's page, at that version if it names one
		target := base + "/artifacts/" + pathEscape(plain)
		if version != "" {
			target += "?version=" + url.QueryEscape(version)
		}
		http.Redirect(w, r, target, http.StatusFound)
		return
	}
	pg := page{Title: name + " · " + repo.Name, Heading: name, Repo: &repo, Base: base, Repos: s.crossRepos(),
		Nav: "registry", API: "/api" + base + "/ls/" + pathEscape(name), Version: s.version}
	sess := s.session()
	var versions []version
	warnings, err := sess.read(repo, &versions, "ls", "--json", "--all", "--", name)
	pg.Warnings = warnings
	if err != nil {
		s.fail(w, err, pg)
		return
	}
	v := artifactView{page: pg, Name: name, ShowsWhat: map[string]string{}}
	var reg listing
	var events []event
	var eventsErr error
	var selected description
	var selectedErr error
	want := r.URL.Query().Get("version")
	parallel.Each(3, func(i int) {
		switch i {
		case 0:
			reg = sess.readRegistry(repo, true)
		case 1:
			events, _, eventsErr = sess.readHistory(repo, name, true)
		case 2:
			target := name + "@latest"
			if want != "" {
				target = name + "@" + want
			}
			_, selectedErr = sess.read(repo, &selected, "describe", "--json", "--", target)
		}
	})
	for _, err := range []error{reg.err, eventsErr} {
		if err != nil {
			s.fail(w, err, pg)
			return
		}
	}
	if selectedErr != nil && want != "" {
		s.fail(w, selectedErr, pg)
		return
	}
	summary, known := reg.artifacts[name]
	if !known {
		s.fail(w, &cliError{msg: fmt.Sprintf("unknown artifact '%s'", name), code: 1}, pg)
		return
	}
	v.Summary = summary
	for _, stage := range reg.stages {
		if shown := v.Summary.Stage[stage]; shown != nil {
			v.Shows = append(v.Shows, stageMark{Stage: stage, Shown: true})
			v.ShowsWhat[stage] = *shown
		} else {
			v.Shows = append(v.Shows, stageMark{Stage: stage})
		}
	}
	if selectedErr == nil {
		v.Selected = &selected
		if selected.Custom != nil {
			data, _ := json.MarshalIndent(selected.Custom, "", "  ")
			v.Custom = string(data)
		}
		if selected.Version != nil {
			v.SelectedOf = *selected.Version
		}
	}
	for _, ver := range versions { // newest first, as ls NAME lists them
		row := versionRow{Version: ver.Version, Commit: object.Short(ver.Commit), Created: shortTime(ver.CreatedAt), Author: ver.Author,
			Path: ver.Path, Active: ver.Active, Registered: ver.Registered, Selected: ver.Version == v.SelectedOf}
		if ver.Registered {
			row.Link = "?version=" + url.QueryEscape(ver.Version)
		} else {
			row.Version = object.Short(ver.Version)
		}
		for _, stage := range ver.Stages {
			row.Stages = append(row.Stages, stageMark{Stage: stage, Shown: v.ShowsWhat[stage] == ver.Version})
		}
		v.Versions = append(v.Versions, row)
	}
	v.Events = s.eventRows(events, 0)
	v.Signed = slices.ContainsFunc(events, func(e event) bool { return e.Signature != nil && e.Signature.Status != "unsigned" })
	v.Timeline = newTimeline(events, reg.stages)
	s.render(w, "artifact", &v)
}

// shortcutPage splits a shortcut that an artifact's address may hold (NAME@vX.Y.Z, NAME@latest,
// NAME#STAGE) into the artifact and the version it names ("" for the latest or a stage's).
func shortcutPage(name string) (plain, version string, ok bool) {
	i := strings.IndexAny(name, "@#")
	if i <= 0 {
		return "", "", false
	}
	plain, rest := name[:i], name[i+1:]
	if name[i] == '@' && rest != "latest" {
		version = rest
	}
	return plain, version, true
}

// eventRows makes the rows of a history table; first is the index of the first event in the
// whole history, for the rows' anchors.
func (s *Server) eventRows(events []event, first int) []eventRow {
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = eventRow{ID: "e" + strconv.Itoa(first+i+1), Repo: e.repo, Time: shortTime(e.Timestamp), Artifact: e.Artifact,
			Link: s.base(e.repo) + "/artifacts/" + pathEscape(e.Artifact), Event: e.Event, Commit: object.Short(e.Commit),
			Author: e.Author, Tag: e.Ref, Message: e.Message, Signature: e.Signature}
		rows[i].Version = e.shownVersion()
		if e.Stage != nil {
			rows[i].Stage = *e.Stage
		}
	}
	return rows
}

// eventTable is what the events template draws: the rows, with a repo column on the
// cross-repository view, an artifact column on the history, and signature columns when any
// event is signed.
type eventTable struct {
	Rows                    []eventRow
	Multi, Artifact, Signed bool
}

type historyView struct {
	page
	Events       []eventRow
	Total        int
	Page, Pages  int
	Newer, Older string
}

// historyPage shows every event of one registry, or of all of them, newest first, a page of
// historyPageSize at a time (?page=N).
func (s *Server) historyPage(w http.ResponseWriter, r *http.Request) {
	repos, pg, ok := s.pageRepos(w, r, "history")
	if !ok {
		return
	}
	n := 1
	if p := r.URL.Query().Get("page"); p != "" {
		var err error
		if n, err = strconv.Atoi(p); err != nil || n < 1 {
			s.fail(w, &cliError{msg: fmt.Sprintf("no page '%s': pages are numbered from 1", p), code: 129}, pg)
			return
		}
	}
	sess := s.session()
	lists := make([][]event, len(repos))
	warnings := make([][]string, len(repos))
	errs := make([]error, len(repos))
	parallel.Each(len(repos), func(i int) { lists[i], warnings[i], errs[i] = sess.readHistory(repos[i], "", false) })
	var events []event
	for i, repo := range repos {
		pg.Warnings = append(pg.Warnings, prefixed(repo, s.multi, warnings[i])...)
		if errs[i] != nil {
			if !s.multi {
				s.fail(w, errs[i], pg)
				return
			}
			pg.Errors = append(pg.Errors, repo.Name+": "+errs[i].Error())
		}
		events = append(events, lists[i]...)
	}
	if len(repos) > 1 {
		newestFirst(events)
	}
	v := historyView{page: pg, Total: len(events), Page: n, Pages: max(1, (len(events)+historyPageSize-1)/historyPageSize)}
	if n > v.Pages {
		s.fail(w, &cliError{msg: fmt.Sprintf("no page %d: the history has pages 1 to %d", n, v.Pages), code: 1}, pg)
		return
	}
	from := (n - 1) * historyPageSize
	v.Events = s.eventRows(events[from:min(len(events), from+historyPageSize)], from)
	if n > 1 {
		v.Newer = "?page=" + strconv.Itoa(n-1)
	}
	if n < v.Pages {
		v.Older = "?page=" + strconv.Itoa(n+1)
	}
	s.render(w, "history", &v)
}

type errorView struct {
	page
	Message string
}

// fail shows the error of a command on a page, with the status its exit code means: 404 for
// what the registry does not have (exit 1), 400 for a request it cannot take (129), 500 else.
func (s *Server) fail(w http.ResponseWriter, err error, pg page) {
	var ce *cliError
	status, msg := http.StatusInternalServerError, err.Error()
	if errors.As(err, &ce) {
		status = httpStatus(ce.code)
	}
	pg.Heading = http.StatusText(status)
	w.WriteHeader(status)
	s.render(w, "error", &errorView{page: pg, Message: msg})
}

// httpStatus is the HTTP status of a command's exit code.
func httpStatus(code int) int {
	switch code {
	case 1:
		return http.StatusNotFound
	case 129:
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// notFound answers a path the site does not have.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	pg := page{Title: "Not found", Heading: "Not found", Repos: s.crossRepos(), Version: s.version}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeAPIError(w, http.StatusNotFound, fmt.Sprintf("no such API path '%s'", r.URL.Path))
		return
	}
	w.WriteHeader(http.StatusNotFound)
	s.render(w, "error", &errorView{page: pg, Message: fmt.Sprintf("this site has no page '%s'", r.URL.Path)})
}

// render executes a page's template into a buffer first, so that a failure shows no half page.
func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// templateFuncs are the helpers the templates use.
var templateFuncs = template.FuncMap{
	"shortID":  object.Short,
	"subtract": func(a, b int) int { return a - b },
	"eventTable": func(rows []eventRow, multi, artifact, signed bool) eventTable {
		return eventTable{Rows: rows, Multi: multi, Artifact: artifact, Signed: signed}
	},
	"pageURL": func(f filter, key, value string) string {
		q := url.Values{}
		set := func(k, v string) {
			if v != "" {
				q.Set(k, v)
			}
		}
		set("q", f.Q)
		set("type", f.Type)
		set("label", f.Label)
		set("stage", f.Stage)
		if f.All {
			q.Set("all", "1")
		}
		q.Set(key, value)
		if value == "" {
			q.Del(key)
		}
		if len(q) == 0 {
			return "?"
		}
		return "?" + q.Encode()
	},
}

// pathEscape escapes an artifact name for a path, keeping the slashes of DIR:NAME names.
func pathEscape(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// shortTime is an RFC 3339 time as the tables show it: date and time to the minute.
func shortTime(ts string) string {
	if len(ts) >= 16 {
		return strings.Replace(ts[:16], "T", " ", 1)
	}
	return ts
}
