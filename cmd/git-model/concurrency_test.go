package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// concurrencyRepo is a repository for the concurrency tests, with the environment of the
// scenarios (setupEnv): its own HOME and identity, GIT_COMMITTER_DATE fixed, git-model on PATH.
type concurrencyRepo struct {
	t    *testing.T
	dir  string
	vars []string
}

func newConcurrencyRepo(t *testing.T, commits int) (*concurrencyRepo, []string) {
	t.Helper()
	work := t.TempDir()
	env := &testscript.Env{WorkDir: work, Vars: []string{"TMPDIR=" + work, "LC_ALL=C"}}
	if err := setupEnv(env); err != nil {
		t.Fatal(err)
	}
	r := &concurrencyRepo{t: t, dir: filepath.Join(work, "repo"), vars: env.Vars}
	r.git(work, "init", "-q", "repo")
	// The writes' publish hint names origin only when it is configured (it is never contacted).
	r.git(r.dir, "remote", "add", "origin", "https://git.example/models.git")
	for i := 1; i <= commits; i++ {
		r.git(r.dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("c%d", i))
	}
	ids := strings.Fields(r.git(r.dir, "rev-list", "--reverse", "HEAD"))
	if len(ids) != commits {
		t.Fatalf("want %d commits, have %d", commits, len(ids))
	}
	return r, ids
}

// command prepares `git ARGS…` in the repository.
func (r *concurrencyRepo) command(dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = r.vars
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// git runs git and returns its stdout, failing the test when it fails.
func (r *concurrencyRepo) git(dir string, args ...string) string {
	r.t.Helper()
	cmd, stdout, stderr := r.command(dir, args...)
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return stdout.String()
}

// process is one git model command started in the background.
type process struct {
	args           []string
	commit         string
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	code           int
}

// startAll starts every process before waiting for any, then waits for all of them.
func (r *concurrencyRepo) runAll(procs []*process) {
	r.t.Helper()
	for _, p := range procs {
		p.cmd, p.stdout, p.stderr = r.command(r.dir, p.args...)
	}
	for _, p := range procs {
		if err := p.cmd.Start(); err != nil {
			r.t.Fatalf("starting git %s: %v", strings.Join(p.args, " "), err)
		}
	}
	for _, p := range procs {
		err := p.cmd.Wait()
		var exit *exec.ExitError
		switch {
		case err == nil:
			p.code = 0
		case errors.As(err, &exit):
			p.code = exit.ExitCode()
		default:
			r.t.Fatalf("waiting for git %s: %v", strings.Join(p.args, " "), err)
		}
	}
}

// tagRow is one line of for-each-ref.
type tagRow struct {
	name, kind, commit, date string
}

func (r *concurrencyRepo) tags() []tagRow {
	r.t.Helper()
	out := r.git(r.dir, "for-each-ref", "--format=%(refname:short) %(objecttype) %(*objectname) %(taggerdate:iso-strict)", "refs/tags")
	var rows []tagRow
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			r.t.Fatalf("unexpected for-each-ref line %q", line)
		}
		rows = append(rows, tagRow{f[0], f[1], f[2], f[3]})
	}
	return rows
}

// noLockFiles fails when a writer left a lock file behind.
func (r *concurrencyRepo) noLockFiles() {
	r.t.Helper()
	err := filepath.WalkDir(filepath.Join(r.dir, ".git"), func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".lock") {
			r.t.Errorf("lock file left behind: %s", path)
		}
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
}

// lsJSON is the part of `git model ls --json` that the tests read.
type lsJSON map[string]struct {
	Version *string `json:"version"`
	Commit  *string `json:"commit"`
}

func (r *concurrencyRepo) ls() lsJSON {
	r.t.Helper()
	var state lsJSON
	out := r.git(r.dir, "model", "ls", "--json")
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		r.t.Fatalf("ls --json: %v\n%s", err, out)
	}
	return state
}

var registeredLine = regexp.MustCompile(`^m (v\S+) was registered: tag (m@v\S+) on ([0-9a-f]{7})\nTo publish: git push origin (m@v\S+)\n$`)

// races is how often each race is run in one test run: a lost race is a matter of scheduling,
// so one round alone would let a bug through too often.
const races = 4

// TestConcurrencyRegister starts 8 automatic registrations of one artifact on 8 commits at the
// same time: each must succeed with its own version, none may overwrite another's tag, and
// tagger times must not tie (docs/registry.md §3: writers never create a tie).
func TestConcurrencyRegister(t *testing.T) {
	for i := 1; i <= races; i++ {
		t.Run(fmt.Sprintf("round-%d", i), testConcurrentRegister)
	}
}

func testConcurrentRegister(t *testing.T) {
	const n = 8
	r, commits := newConcurrencyRepo(t, n)
	procs := make([]*process, n)
	for i, c := range commits {
		procs[i] = &process{args: []string{"model", "register", "m", c}, commit: c}
	}
	r.runAll(procs)

	reported := map[string]string{} // tag name -> commit that the process asked for
	for _, p := range procs {
		if p.code != 0 || p.stderr.Len() != 0 {
			t.Errorf("git %s: exit %d, stderr %q", strings.Join(p.args, " "), p.code, p.stderr)
			continue
		}
		m := registeredLine.FindStringSubmatch(p.stdout.String())
		if m == nil {
			t.Errorf("git %s: unexpected stdout %q", strings.Join(p.args, " "), p.stdout)
			continue
		}
		if m[2] != "m@"+m[1] || m[4] != m[2] || !strings.HasPrefix(p.commit, m[3]) {
			t.Errorf("git %s: stdout %q does not describe its own registration", strings.Join(p.args, " "), p.stdout)
		}
		if prev, ok := reported[m[2]]; ok {
			t.Errorf("tag %s reported by two processes (commits %s and %s)", m[2], prev, p.commit)
		}
		reported[m[2]] = p.commit
	}

	rows := r.tags()
	if len(rows) != n {
		t.Fatalf("want %d tags, have %d: %v", n, len(rows), rows)
	}
	perCommit := map[string]int{}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // GIT_COMMITTER_DATE of setupEnv
	for _, row := range rows {
		perCommit[row.commit]++
		if row.kind != "tag" {
			t.Errorf("%s: object type %s, want an annotated tag", row.name, row.kind)
		}
		if want, ok := reported[row.name]; !ok {
			t.Errorf("tag %s was not reported by any process", row.name)
		} else if row.commit != want {
			t.Errorf("tag %s points to %s, but the process that reported it registered %s", row.name, row.commit, want)
		}
		// m@v0.0.K was planned from a state whose newest event was m@v0.0.(K-1), so its
		// tagger time is exactly K-1 seconds after GIT_COMMITTER_DATE.
		var k int
		if _, err := fmt.Sscanf(row.name, "m@v0.0.%d", &k); err != nil || fmt.Sprintf("m@v0.0.%d", k) != row.name || k < 1 || k > n {
			t.Errorf("unexpected tag %s", row.name)
			continue
		}
		when, err := time.Parse(time.RFC3339, row.date)
		if err != nil {
			t.Errorf("%s: tagger date %q: %v", row.name, row.date, err)
		} else if want := base.Add(time.Duration(k-1) * time.Second); !when.Equal(want) {
			t.Errorf("%s: tagger date %s, want %s", row.name, when.UTC().Format(time.RFC3339), want.Format(time.RFC3339))
		}
	}
	for _, c := range commits {
		if perCommit[c] != 1 {
			t.Errorf("commit %s has %d registration tags, want 1", c, perCommit[c])
		}
	}
	r.noLockFiles()

	state := r.ls()
	m, ok := state["m"]
	switch {
	case !ok || m.Version == nil || m.Commit == nil:
		t.Errorf("ls --json: no latest version of m: %+v", state)
	case *m.Version != "v0.0.8":
		t.Errorf("ls --json: latest %s, want v0.0.8", *m.Version)
	case *m.Commit != reported["m@v0.0.8"]:
		t.Errorf("ls --json: latest commit %s, want %s", *m.Commit, reported["m@v0.0.8"])
	}
}

// TestConcurrencyExplicitVersion races two registrations of the same explicit version on two
// commits: exactly one wins, the other fails with one line and exit status 1, and the only tag
// is the winner's.
func TestConcurrencyExplicitVersion(t *testing.T) {
	for i := 1; i <= 2*races; i++ {
		version := fmt.Sprintf("v%d.0.0", i)
		t.Run(version, func(t *testing.T) {
			r, commits := newConcurrencyRepo(t, 2)
			procs := []*process{
				{args: []string{"model", "register", "m", "--version", version, commits[0]}, commit: commits[0]},
				{args: []string{"model", "register", "m", "--version", version, commits[1]}, commit: commits[1]},
			}
			r.runAll(procs)

			var winners, losers []*process
			for _, p := range procs {
				switch p.code {
				case 0:
					winners = append(winners, p)
				case 1:
					losers = append(losers, p)
				default:
					t.Errorf("git %s: exit %d, want 0 or 1; stderr %q", strings.Join(p.args, " "), p.code, p.stderr)
				}
			}
			if len(winners) != 1 || len(losers) != 1 {
				t.Fatalf("want one success and one failure, have %d and %d", len(winners), len(losers))
			}
			win, lose := winners[0], losers[0]
			if win.stderr.Len() != 0 {
				t.Errorf("winner: stderr %q", win.stderr)
			}
			if want := fmt.Sprintf("m %s was registered: tag m@%s on %s\nTo publish: git push origin m@%s\n",
				version, version, win.commit[:7], version); win.stdout.String() != want {
				t.Errorf("winner: stdout %q, want %q", win.stdout, want)
			}
			if lose.stdout.Len() != 0 {
				t.Errorf("loser: stdout %q, want nothing", lose.stdout)
			}
			if want := fmt.Sprintf("error: version '%s' of 'm' already exists (commit %s)\n", version, win.commit[:7]); lose.stderr.String() != want {
				t.Errorf("loser: stderr %q, want %q", lose.stderr, want)
			}

			rows := r.tags()
			want := []tagRow{{name: "m@" + version, kind: "tag", commit: win.commit, date: "2024-01-01T00:00:00+00:00"}}
			sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
			if fmt.Sprint(rows) != fmt.Sprint(want) {
				t.Errorf("tags %v, want %v", rows, want)
			}
			r.noLockFiles()
			state := r.ls()
			if m := state["m"]; m.Version == nil || *m.Version != version || m.Commit == nil || *m.Commit != win.commit {
				t.Errorf("ls --json: %+v, want m %s on %s", state, version, win.commit)
			}
		})
	}
}
