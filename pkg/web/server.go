// Package web is the read-only site of `git model serve`: the registry, an artifact's page
// with its timeline, the history, the cross-repository view and the same data as JSON under
// /api/. It reads everything through a Runner, that is git-model's own commands with --json,
// on every request; it holds no state of the registry and has no route that writes.
// docs/serve.md describes the routes and the safety rules.
package web

import (
	"embed"
	"html/template"
	"net"
	"net/http"
	"runtime"
	"strings"
)

//go:embed templates/*.html static/*
var files embed.FS

// Server serves the site of one or several registries.
type Server struct {
	run      Runner
	repos    []Repo
	multi    bool // several registries: the cross-repository view, and each under /r/ID/
	loopback bool // bound to a loopback address: only local host names are served
	version  string
	pages    *template.Template
	mux      *http.ServeMux
}

// New returns the site of repos, read through run. Several repos make the cross-repository
// view, each registry under /r/ID/. loopback says the listener is bound to a loopback
// address, and version is git-model's, shown in the footer.
func New(run Runner, repos []Repo, loopback bool, version string) *Server {
	s := &Server{run: limited(run, 2*runtime.NumCPU()), repos: repos, multi: len(repos) > 1, loopback: loopback, version: version,
		pages: template.Must(template.New("").Funcs(templateFuncs).ParseFS(files, "templates/*.html"))}
	s.routes()
	return s
}

// limited lets at most n runs of git-model go on at once: each may hold a whole registry in
// memory, and a burst of requests (a crawler, a reload storm) must not hold one per request.
func limited(run Runner, n int) Runner {
	slots := make(chan struct{}, n)
	return func(args []string) Result {
		slots <- struct{}{}
		defer func() { <-slots }()
		return run(args)
	}
}

// contentPolicy lets a page load nothing but the site's own style sheet and icon: no script at
// all, no frame, no form sent anywhere else, no request to another host.
const contentPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"base-uri 'none'; frame-ancestors 'none'"

// ServeHTTP answers GET and HEAD only (the mux answers 405 to the rest), for a local host
// name when bound to loopback, with headers that keep the page to itself.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if s.loopback && !localHost(r.Host) {
		// A page of another site may point a name of its own at 127.0.0.1 (DNS rebinding):
		// the browser then sends that name, which a local server has no reason to answer.
		http.Error(w, "this server answers only to localhost, 127.0.0.1 and [::1]", http.StatusMisdirectedRequest)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// localHost reports whether a Host header names this machine by a loopback name or address.
func localHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// routes registers every page, the API and the static files. Without several registries the
// pages of the one registry are at the root; with several, each is under /r/ID/ and the root
// and /history show them all.
func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /favicon.ico", s.static("static/favicon.svg", "image/svg+xml"))
	s.mux.HandleFunc("GET /favicon.svg", s.static("static/favicon.svg", "image/svg+xml"))
	s.mux.HandleFunc("GET /style.css", s.static("static/style.css", "text/css; charset=utf-8"))
	s.mux.HandleFunc("GET /{$}", s.registryPage)
	s.mux.HandleFunc("GET /history", s.historyPage)
	s.mux.HandleFunc("GET /api/ls", s.apiRegistry)
	s.mux.HandleFunc("GET /api/history", s.apiHistory)
	prefix := ""
	if s.multi {
		prefix = "/r/{repo}"
		s.mux.HandleFunc("GET /r/{repo}/{$}", s.registryPage)
		s.mux.HandleFunc("GET /r/{repo}/history", s.historyPage)
		s.mux.HandleFunc("GET /api/r/{repo}/ls", s.apiRegistry)
		s.mux.HandleFunc("GET /api/r/{repo}/history", s.apiHistory)
	}
	s.mux.HandleFunc("GET "+prefix+"/artifacts/{name...}", s.artifactPage)
	s.mux.HandleFunc("GET /api"+prefix+"/ls/{name...}", s.apiCommand("ls"))
	s.mux.HandleFunc("GET /api"+prefix+"/history/{name...}", s.apiCommand("history"))
	s.mux.HandleFunc("GET /api"+prefix+"/describe/{name...}", s.apiCommand("describe"))
	s.mux.HandleFunc("GET /api"+prefix+"/stages", s.apiCommand("stages"))
	s.mux.HandleFunc("GET /", s.notFound)
}

// static serves an embedded file.
func (s *Server) static(name, contentType string) http.HandlerFunc {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: missing is a programming error
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(data)
	}
}

// session starts the reads of one request.
func (s *Server) session() *session {
	return &session{run: s.run, fetched: map[string]bool{}}
}

// repoOf is the registry a request's path names: the one registry, or /r/ID/'s.
func (s *Server) repoOf(r *http.Request) (Repo, bool) {
	if !s.multi {
		return s.repos[0], true
	}
	id := r.PathValue("repo")
	for _, repo := range s.repos {
		if repo.ID == id {
			return repo, true
		}
	}
	return Repo{}, false
}

// scope is the registries a page of the registry or of the history, or its API, is about:
// the one of its path, or every one on the cross-repository view.
func (s *Server) scope(r *http.Request) ([]Repo, bool) {
	if s.multi && r.PathValue("repo") == "" {
		return s.repos, true
	}
	repo, ok := s.repoOf(r)
	return []Repo{repo}, ok
}

// base is the path under which the pages of repo are: "" for the one registry, /r/ID else.
func (s *Server) base(repo Repo) string {
	if !s.multi {
		return ""
	}
	return "/r/" + repo.ID
}
