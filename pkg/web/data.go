package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
)

// Runner runs git-model in process with args (global options first, then a command) and
// returns what it printed and its exit status. Every read of the site goes through it, so a
// page and /api/… show exactly what the command line prints, read from the tags as they are.
type Runner func(args []string) Result

// Result is what one run of git-model printed, and its exit status.
type Result struct {
	Stdout []byte
	Stderr string
	Code   int
}

// Repo is one registry the site shows.
type Repo struct {
	ID   string   // its part of the site's paths (/r/ID/…); "" when the site shows one registry
	Name string   // as shown: the path, or the URL without user and password
	Args []string // the global options that select it: none for the current repository, or -R SPEC
	URL  bool     // read through a mirror that each request refreshes once
}

// session is the reads of one request: a registry read through a URL is fetched by its first
// read and read as fetched by the others, so a page costs one fetch and is never stale.
type session struct {
	run     Runner
	mu      sync.Mutex
	fetched map[string]bool
}

// cliError is a command that failed: its message (the text after "error: " or "fatal: ") and
// exit status.
type cliError struct {
	msg  string
	code int
}

func (e *cliError) Error() string { return e.msg }

// raw runs a command on repo and returns its standard output and warnings; on a failure, what
// it printed before it failed too (ls over several registries prints those it could read).
func (s *session) raw(repo Repo, args ...string) ([]byte, []string, error) {
	global := append([]string{}, repo.Args...)
	if repo.URL {
		s.mu.Lock()
		if s.fetched[repo.Name] {
			global = append(global, "--offline")
		}
		s.fetched[repo.Name] = true
		s.mu.Unlock()
	}
	res := s.run(append(global, args...))
	warnings, errs := splitStderr(res.Stderr)
	if res.Code != 0 {
		msg := strings.Join(errs, "; ")
		if msg == "" {
			msg = fmt.Sprintf("git model %s: exit status %d", args[0], res.Code)
		}
		return res.Stdout, warnings, &cliError{msg: msg, code: res.Code}
	}
	return res.Stdout, warnings, nil
}

// read runs a --json command on repo and decodes what it printed into v.
func (s *session) read(repo Repo, v any, args ...string) ([]string, error) {
	out, warnings, err := s.raw(repo, args...)
	if err != nil {
		return warnings, err
	}
	if err := json.Unmarshal(out, v); err != nil {
		return warnings, &cliError{msg: fmt.Sprintf("reading the output of git model %s: %v", args[0], err), code: 128}
	}
	return warnings, nil
}

// splitStderr sorts the lines of a command's standard error into warnings and the rest (its
// error and hints), each without its prefix.
func splitStderr(stderr string) (warnings, errs []string) {
	for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		switch {
		case line == "":
		case strings.HasPrefix(line, "warning: "):
			warnings = append(warnings, strings.TrimPrefix(line, "warning: "))
		case strings.HasPrefix(line, "hint: "):
		default:
			_, msg, ok := strings.Cut(line, ": ")
			if !ok {
				msg = line
			}
			errs = append(errs, msg)
		}
	}
	return warnings, errs
}

// The types below read the --json output of the commands (its keys are documented in the man
// page, OPTIONS --json): the site is a client of that format, as a script is, and takes the
// fields it shows.

// artifact is one artifact of `ls --json`.
type artifact struct {
	Active      bool               `json:"active"`
	Commit      *string            `json:"commit"`
	Description string             `json:"description"`
	Labels      []string           `json:"labels"`
	Path        string             `json:"path"`
	Registered  bool               `json:"registered"`
	Stage       map[string]*string `json:"stage"`
	Type        string             `json:"type"`
	Version     *string            `json:"version"`
}

// version is one version of `ls NAME --json`: what the artifact's page shows of it.
type version struct {
	Version    string   `json:"version"`
	Stages     []string `json:"stages"`
	Commit     string   `json:"commit"`
	CreatedAt  string   `json:"created_at"`
	Author     string   `json:"author"`
	Path       string   `json:"path"`
	Active     bool     `json:"active"`
	Registered bool     `json:"registered"`
}

// event is one event of `history --json`: what a table of events and the timeline show.
type event struct {
	Timestamp string     `json:"timestamp"`
	Artifact  string     `json:"artifact"`
	Event     string     `json:"event"`
	Version   *string    `json:"version"`
	Stage     *string    `json:"stage"`
	Commit    string     `json:"commit"`
	Author    string     `json:"author"`
	Ref       string     `json:"ref"`
	Message   string     `json:"message"`
	Signature *signature `json:"signature"`

	repo Repo
	time time.Time
}

// shownVersion is the version an event concerns as tables show it: a commit without a version
// (whose "version" is its commit id) by its short id; "" for a deprecation.
func (e event) shownVersion() string {
	switch {
	case e.Version == nil:
		return ""
	case *e.Version == e.Commit:
		return object.Short(e.Commit)
	}
	return *e.Version
}

// signature is the signature of an event, from `history --verify --json`.
type signature struct {
	Status string  `json:"status"`
	Signer *string `json:"signer"`
}

// description is `describe --json`: the annotation of a version, as the page shows it.
type description struct {
	Version     *string  `json:"version"`
	Source      string   `json:"source"`
	Commit      *string  `json:"commit"`
	Path        string   `json:"path"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Labels      []string `json:"labels"`
	Custom      any      `json:"custom"`
}

// listing is what the registry page shows of one repository.
type listing struct {
	repo      Repo
	stages    []string
	artifacts map[string]artifact
	warnings  []string
	err       error
}

// readRegistry reads the artifacts of repo (with the deprecated ones when all) and its stages,
// in the order of its configuration.
func (s *session) readRegistry(repo Repo, all bool) listing {
	reg := listing{repo: repo}
	args := []string{"ls", "--json"}
	if all {
		args = append(args, "--all")
	}
	reg.warnings, reg.err = s.read(repo, &reg.artifacts, args...)
	if reg.err != nil {
		return reg
	}
	// the warnings of reading the tags were given once, by ls
	_, reg.err = s.read(repo, &reg.stages, "stages", "--json")
	return reg
}

// readHistory reads the events of repo (of one artifact, or all with name ""), newest first,
// with their signatures when verify.
func (s *session) readHistory(repo Repo, name string, verify bool) ([]event, []string, error) {
	args := []string{"history", "--json"}
	if verify {
		args = append(args, "--verify")
	}
	if name != "" {
		args = append(args, "--", name)
	}
	var events []event
	warnings, err := s.read(repo, &events, args...)
	for i := range events {
		events[i].repo = repo
		events[i].time, _ = time.Parse(time.RFC3339, events[i].Timestamp)
	}
	return events, warnings, err
}

// newestFirst orders the events of several registries by time, newest first (each
// registry's own order kept among events of the same second).
func newestFirst(events []event) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].time.After(events[j].time) })
}
