package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/git-model/git-model/pkg/internal/parallel"
)

// The API answers with what `git model CMD --json` prints, byte for byte, so that a script
// reads the same keys from the site as from the command line (docs/serve.md §3).

// apiRegistry is /api/ls: `ls --json` of the registry; on the cross-repository view, of
// every registry, by name (one run with every -R, as `git model -R A -R B ls --json`).
func (s *Server) apiRegistry(w http.ResponseWriter, r *http.Request) {
	repos, ok := s.scope(r)
	if !ok {
		writeAPIError(w, http.StatusNotFound, "no such registry '"+r.PathValue("repo")+"'")
		return
	}
	var all Repo
	for _, repo := range repos {
		all.Args = append(all.Args, repo.Args...)
	}
	args := []string{"ls", "--json"}
	if r.URL.Query().Get("all") != "" {
		args = append(args, "--all")
	}
	out, _, err := s.session().raw(all, args...)
	if err != nil && len(repos) > 1 && json.Valid(out) {
		// as ls over several registries: those it could read, and why the others could not
		partial(w, err)
		writeAPI(w, out)
		return
	}
	if err != nil {
		s.apiFail(w, err)
		return
	}
	writeAPI(w, out)
}

// apiHistory is /api/history: `history --json` of the registry; on the cross-repository
// view, an object of each registry's, by name.
func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	repos, ok := s.scope(r)
	if !ok {
		writeAPIError(w, http.StatusNotFound, "no such registry '"+r.PathValue("repo")+"'")
		return
	}
	sess := s.session()
	if len(repos) == 1 {
		s.apiAnswer(w, sess, repos[0], "history", "--json")
		return
	}
	outs := make([]json.RawMessage, len(repos))
	errs := make([]error, len(repos))
	parallel.Each(len(repos), func(i int) {
		outs[i], _, errs[i] = sess.raw(repos[i], "history", "--json")
	})
	byName := make(map[string]json.RawMessage, len(repos))
	var failed []string
	for i, repo := range repos {
		if errs[i] != nil {
			failed = append(failed, repo.Name+": "+errs[i].Error())
			continue
		}
		byName[repo.Name] = outs[i]
	}
	if len(failed) == len(repos) {
		s.apiFail(w, errs[0])
		return
	}
	if len(failed) > 0 {
		partial(w, errors.New(strings.Join(failed, "; ")))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // as the command line prints it
	enc.SetIndent("", "  ")
	enc.Encode(byName)
	writeAPI(w, buf.Bytes())
}

// partial marks an answer of several registries of which some could not be read: the data of
// the others, and the errors in the header X-Git-Model-Error (docs/serve.md §3).
func partial(w http.ResponseWriter, err error) {
	w.Header().Set("X-Git-Model-Error", strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, err.Error()))
}

// apiCommand answers /api/CMD/NAME (and /api/stages) with `git model CMD --json NAME`.
func (s *Server) apiCommand(cmd string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		repo, ok := s.repoOf(r)
		if !ok {
			writeAPIError(w, http.StatusNotFound, "no such registry '"+r.PathValue("repo")+"'")
			return
		}
		args := []string{cmd, "--json"}
		if cmd == "ls" && r.URL.Query().Get("all") != "" {
			args = append(args, "--all")
		}
		if cmd == "history" && r.URL.Query().Get("verify") != "" {
			args = append(args, "--verify")
		}
		if name := r.PathValue("name"); name != "" {
			args = append(args, "--", name)
		}
		s.apiAnswer(w, s.session(), repo, args...)
	}
}

// apiAnswer runs a command and answers with its JSON, or its error.
func (s *Server) apiAnswer(w http.ResponseWriter, sess *session, repo Repo, args ...string) {
	out, _, err := sess.raw(repo, args...)
	if err != nil {
		s.apiFail(w, err)
		return
	}
	writeAPI(w, out)
}

// apiFail answers with a command's error as {"error": …} and the status of its exit code.
func (s *Server) apiFail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var ce *cliError
	if errors.As(err, &ce) {
		status = httpStatus(ce.code)
	}
	writeAPIError(w, status, err.Error())
}

// writeAPI answers 200 with JSON.
func writeAPI(w http.ResponseWriter, data []byte) {
	writeJSON(w, http.StatusOK, data)
}

// writeAPIError answers {"error": msg} with status.
func writeAPIError(w http.ResponseWriter, status int, msg string) {
	data, _ := json.MarshalIndent(map[string]string{"error": msg}, "", "  ")
	writeJSON(w, status, append(data, '\n'))
}

func writeJSON(w http.ResponseWriter, status int, data []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}
