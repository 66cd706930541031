package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/parallel"
	"github.com/git-model/git-model/pkg/registry"
)

// openRegistry opens the repository that --repo names: a local path as it is, a URL through
// its mirror in the cache ($XDG_CACHE_HOME/git-model), refreshed unless offline.
func openRegistry(spec string, offline bool) (*gitrepo.Repository, error) {
	if !isURL(spec) {
		if info, err := os.Stat(spec); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("no repository at '%s'", spec)
		}
		return gitrepo.Open(spec)
	}
	dir, err := mirrorDir(spec)
	if err != nil {
		return nil, err
	}
	return gitrepo.OpenMirror(spec, dir, !offline, func(name string) bool {
		_, ok := registry.ParseTag(name)
		return ok
	})
}

// isURL tells a URL (scheme://…, or scp-like host:path) from a local path, as Git does.
func isURL(spec string) bool {
	if strings.Contains(spec, "://") {
		return true
	}
	colon, slash := strings.Index(spec, ":"), strings.Index(spec, "/")
	return colon > 0 && (slash < 0 || colon < slash)
}

// unsafeChars are replaced in the readable part of a mirror's folder name.
var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// mirrorDir is the cache folder of a URL: readable, and unique through a hash of the URL. Both
// are made from the URL without its password (gitrepo.MirrorKey), so that no password is ever
// written in a folder name and a URL whose password changed keeps its mirror; the readable part
// has no user name either (gitrepo.RedactURL).
func mirrorDir(url string) (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the cache: %w", err)
		}
		base = filepath.Join(home, ".cache")
	}
	sum := sha256.Sum256([]byte(gitrepo.MirrorKey(url)))
	name := strings.Trim(unsafeChars.ReplaceAllString(gitrepo.RedactURL(url), "-"), "-")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return filepath.Join(base, "git-model", name+"-"+hex.EncodeToString(sum[:6])+".git"), nil
}

// registryRepos returns the repositories a cross-repository ls shows: those --repo names when
// it is given more than once, else, outside any repository, those of git config model.repos.
func (app *App) registryRepos() ([]string, error) {
	if len(app.global.Repos) > 1 {
		return app.global.Repos, nil
	}
	if len(app.global.Repos) == 1 {
		return nil, nil
	}
	if _, err := gitrepo.Open(""); err == nil {
		return nil, nil
	}
	return gitrepo.GlobalConfigValues("model.repos")
}

// listRepos is `ls` over several registries, read in parallel. A registry that cannot be read
// is reported and the others are still shown; the exit status is then 1.
func (c *lsCommand) listRepos(specs []string) error {
	type result struct {
		stages []string
		rows   []artifactRow
		err    error
	}
	results := make([]result, len(specs))
	parallel.Each(len(specs), func(i int) {
		sub := &App{Stdout: c.app.Stdout, Stderr: c.app.Stderr,
			global: &globalOptions{Repos: []string{specs[i]}, Offline: c.app.global.Offline, NoColor: true}}
		defer sub.Close()
		sum, err := c.summaryAt(sub)
		if err != nil {
			results[i].err = err
			return
		}
		results[i].stages, results[i].rows, results[i].err = c.artifactRows(sub, sum)
	})
	var stages []string
	var rows []artifactRow
	out := map[string]map[string]artifactJSON{}
	failed := 0
	for i, r := range results {
		spec := gitrepo.RedactURL(specs[i]) // as shown: without a URL's user and password
		if r.err != nil {
			failed++
			if msg := r.err.Error(); strings.Contains(msg, spec) {
				fmt.Fprintf(c.app.Stderr, "error: %s\n", msg)
			} else {
				fmt.Fprintf(c.app.Stderr, "error: %s: %s\n", spec, msg)
			}
			continue
		}
		stages = registry.StageOrder(stages, r.stages)
		if out[spec] == nil {
			out[spec] = map[string]artifactJSON{}
		}
		for _, row := range r.rows {
			row.repo = spec
			rows = append(rows, row)
			out[spec][row.name] = row.json
		}
	}
	var err error
	if c.JSON {
		err = writeJSON(c.app.Stdout, out)
	} else {
		c.app.startPager()
		err = c.printArtifacts(stages, rows, true)
	}
	if err == nil && failed > 0 {
		return &exitError{"error", 1, fmt.Errorf("%d of %d repositories could not be read", failed, len(specs))}
	}
	return err
}
