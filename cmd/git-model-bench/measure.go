package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Names of the floors, which other commands are compared to.
const (
	floorNames   = "floor-names"
	floorObjects = "floor-objects"
	floorTag     = "git tag -a"
)

// maxPeakMB is the memory target for every git-model command.
const maxPeakMB = 150

// benchCase is one measured command.
type benchCase struct {
	Name    string
	Command string // as a person would type it, for the report
	Floor   string // the case this one is compared to; "" for none
	Target  target
	Model   bool // runs git-model: the memory target applies

	argv     func(run int) []string
	env      []string                           // added to the fixed environment
	setup    func(run int) error                // untimed, before each run
	teardown func(run int, stdout string) error // untimed, after each run
	check    func(stdout string) error          // is the output what the command should print
}

// target is what BENCHMARKS.md asks of a command on the 40k repositories; zero fields ask nothing.
type target struct {
	Ratio float64 // median ≤ Ratio × the floor's median
	MaxMS float64 // median ≤ MaxMS milliseconds
}

// result is the measurement of one case on one repository.
type result struct {
	Case   *benchCase
	Runs   []time.Duration
	Median time.Duration
	PeakKB int64 // the largest maximum resident set size of the timed runs, in KiB
	Err    error
}

// cases are the commands measured on a repository, in the order they run. The floors come
// first; every later case is compared to one of them.
func (e *env) cases(l layout, dir string) []*benchCase {
	gitDir := filepath.Join(dir, ".git")
	name := l.sampleArtifact()
	fixed := func(argv ...string) func(int) []string { return func(int) []string { return argv } }
	model := func(args ...string) func(int) []string {
		return fixed(append([]string{e.gitPath, "model"}, args...)...)
	}
	lines := func(want int) func(string) error {
		return func(out string) error {
			if n := strings.Count(out, "\n"); n != want {
				return fmt.Errorf("%d lines of output, want %d", n, want)
			}
			return nil
		}
	}
	contains := func(want string) func(string) error {
		return func(out string) error {
			if !strings.Contains(out, want) {
				return fmt.Errorf("output does not contain %q:\n%s", want, head(out))
			}
			return nil
		}
	}
	deleteCreated := func(extra ...string) func(int, string) error {
		return func(_ int, out string) error { return e.deleteTags(dir, append(createdTags(out), extra...)) }
	}
	const registered = "v9.0.0" // the version promote's setup registers on a fresh commit
	return []*benchCase{
		{Name: floorNames, Command: "git for-each-ref --format='%(refname)' refs/tags",
			argv:  fixed(e.gitPath, "for-each-ref", "--format=%(refname)", "refs/tags"),
			check: lines(l.tags())},
		{Name: floorObjects, Command: "git for-each-ref --format='%(refname) %(taggerdate:raw) %(*objectname)' refs/tags",
			Floor: floorNames,
			argv:  fixed(e.gitPath, "for-each-ref", "--format=%(refname) %(taggerdate:raw) %(*objectname)", "refs/tags"),
			check: lines(l.tags())},
		{Name: floorTag, Command: "git tag -a -m MSG bench-floor-N",
			argv: func(run int) []string {
				return []string{e.gitPath, "tag", "-a", "-m", "Benchmark tag", fmt.Sprintf("bench-floor-%d", run)}
			},
			teardown: func(run int, _ string) error { return e.deleteTags(dir, []string{fmt.Sprintf("bench-floor-%d", run)}) }},
		{Name: "start-up", Command: "git model --version (starting the process: the floor of every command)", Floor: floorTag, Model: true,
			argv: model("--version"), check: contains("git-model version")},
		{Name: "ls warm", Command: "git model ls", Floor: floorNames, Target: target{Ratio: 2}, Model: true,
			argv: model("ls"), check: contains(name + " ")},
		{Name: "ls cold", Command: "rm -rf $GIT_DIR/git-model (untimed); git model ls", Floor: floorObjects, Target: target{Ratio: 1}, Model: true,
			argv:  model("ls"),
			setup: func(int) error { return os.RemoveAll(filepath.Join(gitDir, "git-model")) },
			check: contains(name + " ")},
		{Name: "ls NAME", Command: "git model ls " + name, Floor: floorNames, Model: true,
			argv: model("ls", name), check: contains(version(l.Versions - 1))},
		{Name: "history NAME", Command: "git model history " + name, Floor: floorNames, Model: true,
			argv: model("history", name), check: contains(l.lastAssignment())},
		{Name: "check-ref", Command: "git model check-ref " + name + "#prod#N (its newest tag)", Floor: floorNames, Model: true,
			argv: model("check-ref", l.lastAssignment()), check: contains(name)},
		{Name: "register", Command: "git model register " + name + " (on a new commit)", Floor: floorTag, Target: target{Ratio: 3}, Model: true,
			argv:     model("register", name),
			setup:    func(run int) error { return e.newCommit(dir, run) },
			check:    contains("tag " + name + "@"),
			teardown: deleteCreated()},
		{Name: "promote", Command: "git model promote " + name + " prod (version on HEAD)", Floor: floorTag, Target: target{Ratio: 3}, Model: true,
			argv: model("promote", name, "prod"),
			setup: func(run int) error {
				if err := e.newCommit(dir, run); err != nil {
					return err
				}
				msg := fmt.Sprintf("Registering artifact %s version %s", name, registered)
				_, err := e.git(dir, "tag", "-a", "-m", msg, name+"@"+registered)
				return err
			},
			check:    contains("tag " + name + "#prod#"),
			teardown: deleteCreated(name + "@" + registered)},
		{Name: "completion", Command: "GO_FLAGS_COMPLETION=1 git-model ls a", Floor: floorNames, Target: target{MaxMS: 100}, Model: true,
			argv: fixed(e.modelPath, "ls", "a"), env: []string{"GO_FLAGS_COMPLETION=1"},
			check: lines(l.Artifacts)},
	}
}

// measure runs a case once to warm up and then runs times, and keeps the median wall time and
// the peak memory of the timed runs. A failed run, or output that is not what the command
// should print, ends the case with an error: a fast failure is not a measurement.
func (e *env) measure(dir string, c *benchCase, runs int) result {
	r := result{Case: c}
	for run := 0; run <= runs; run++ {
		if c.setup != nil {
			if err := c.setup(run); err != nil {
				r.Err = fmt.Errorf("setup: %w", err)
				return r
			}
		}
		elapsed, peakKB, out, err := e.timeOnce(dir, c.argv(run), c.env)
		if err == nil && c.check != nil {
			err = c.check(out)
		}
		if c.teardown != nil {
			if terr := c.teardown(run, out); terr != nil {
				err = errors.Join(err, fmt.Errorf("teardown: %w", terr))
			}
		}
		if err != nil {
			r.Err = err
			return r
		}
		if run > 0 {
			r.Runs = append(r.Runs, elapsed)
			r.PeakKB = max(r.PeakKB, peakKB)
		}
	}
	r.Median = median(r.Runs)
	return r
}

// timeOnce runs one process and returns its wall time, from start to exit, and its maximum
// resident set size (with that of the processes it waited for: git waits for git-model).
// Standard output goes to a file, as when a person redirects it, so that no pipe is timed.
func (e *env) timeOnce(dir string, argv, extraEnv []string) (time.Duration, int64, string, error) {
	stdoutPath, stderrPath := filepath.Join(e.tmp, "stdout"), filepath.Join(e.tmp, "stderr")
	stdout, err := os.Create(stdoutPath)
	if err != nil {
		return 0, 0, "", err
	}
	defer stdout.Close()
	stderr, err := os.Create(stderrPath)
	if err != nil {
		return 0, 0, "", err
	}
	defer stderr.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clip(e.environ), extraEnv...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)

	out, _ := os.ReadFile(stdoutPath)
	if err != nil {
		msg, _ := os.ReadFile(stderrPath)
		return 0, 0, string(out), fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(string(msg)))
	}
	var peakKB int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peakKB = ru.Maxrss // KiB on Linux
	}
	return elapsed, peakKB, string(out), nil
}

// newCommit adds a commit with HEAD's tree on top of main, for a write to have a commit of its
// own (a commit can carry one version of an artifact). Its dates are the clock's.
func (e *env) newCommit(dir string, run int) error {
	sha, err := e.git(dir, "commit-tree", "-p", "main", "-m", fmt.Sprintf("Benchmark commit %d", run), "main^{tree}")
	if err != nil {
		return err
	}
	_, err = e.git(dir, "update-ref", "refs/heads/main", strings.TrimSpace(sha))
	return err
}

// deleteTags deletes the tags a run created. `git tag -d` would rewrite packed-refs even for a
// loose tag (git 2.39), which would change the repository under the next run; one
// `git update-ref --stdin` transaction leaves packed-refs alone when none of its refs is packed.
func (e *env) deleteTags(dir string, names []string) error {
	if len(names) == 0 {
		return errors.New("no tag to delete")
	}
	var script strings.Builder
	for _, name := range names {
		fmt.Fprintf(&script, "delete refs/tags/%s\n", name)
	}
	cmd := exec.Command(e.gitPath, "update-ref", "--stdin")
	cmd.Dir = dir
	cmd.Env = e.environ
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git update-ref --stdin: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// createdLine is how git-model reports a tag it created: "…: tag NAME on 1a2b3c4".
var createdLine = regexp.MustCompile(`(?m): tag (\S+) on [0-9a-f]+$`)

// createdTags finds the tags that a write reported.
func createdTags(out string) []string {
	var names []string
	for _, m := range createdLine.FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	return names
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// mb converts KiB to megabytes (10⁶ bytes), the unit of the targets.
func mb(kib int64) float64 { return float64(kib) * 1024 / 1e6 }

// head is the first lines of an output, for error messages.
func head(s string) string {
	lines := strings.SplitN(s, "\n", 6)
	if len(lines) > 5 {
		lines = append(lines[:5], "…")
	}
	return strings.Join(lines, "\n")
}
