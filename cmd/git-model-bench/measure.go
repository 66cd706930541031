package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
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

// maxPeakMB is the memory target for every git-model command on the 40k repositories.
const maxPeakMB = 150

// benchCase is one measured command.
type benchCase struct {
	Name    string
	Command string // as a person would type it, for the report
	Floor   string // the case this one is compared to; "" for none
	Target  target
	Model   bool // runs git-model: the memory target applies

	argv     func(run int) []string
	env      []string                            // added to the fixed environment
	setup    func(run int) error                 // untimed, before each run
	teardown func(run int, stdout *output) error // untimed, after each run
	check    func(stdout *output) error          // is the output what the command should print
}

// target is what BENCHMARKS.md asks of a command on one repository (targetOf); zero fields ask
// nothing. A case's own Target is what it is asked on the 40k repository.
type target struct {
	Ratio     float64 // median ≤ Ratio × the floor's median
	MaxMS     float64 // median ≤ MaxMS milliseconds
	MaxMB     float64 // peak memory ≤ MaxMB megabytes
	PeakRatio float64 // peak memory ≤ PeakRatio × the peak memory of floor-names
}

// result is the measurement of one case on one repository.
type result struct {
	Case   *benchCase
	Runs   []time.Duration
	Median time.Duration
	PeakKB int64 // the largest maximum resident set size of the timed runs, in KiB
	Tried  int   // timed runs asked for (len(Runs) when no run failed)
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
	lines := func(want int) func(*output) error {
		return func(out *output) error {
			n, err := out.lines()
			if err == nil && n != want {
				err = fmt.Errorf("%d lines of output, want %d", n, want)
			}
			return err
		}
	}
	contains := func(want string) func(*output) error {
		return func(out *output) error {
			ok, err := out.contains(want)
			if err == nil && !ok {
				err = fmt.Errorf("output does not contain %q:\n%s", want, out.head())
			}
			return err
		}
	}
	deleteCreated := func(extra ...string) func(int, *output) error {
		return func(_ int, out *output) error {
			text, err := out.small()
			if err != nil {
				return err
			}
			return e.deleteTags(dir, append(createdTags(text), extra...))
		}
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
			teardown: func(run int, _ *output) error { return e.deleteTags(dir, []string{fmt.Sprintf("bench-floor-%d", run)}) }},
		{Name: "start-up", Command: "git model --version (starting the process: the floor of every command)", Floor: floorTag, Model: true,
			argv: model("--version"), check: contains("git-model version")},
		{Name: "ls warm", Command: "git model ls", Floor: floorNames, Target: target{Ratio: 1.5}, Model: true,
			argv: model("ls"), check: contains(name + " ")},
		{Name: "ls changed", Command: "git update-ref refs/tags/bench-change-N HEAD (untimed); git model ls", Floor: floorNames, Model: true,
			argv: model("ls"),
			setup: func(run int) error {
				_, err := e.git(dir, "update-ref", fmt.Sprintf("refs/tags/bench-change-%d", run), "HEAD")
				return err
			},
			check: contains(name + " "),
			teardown: func(run int, _ *output) error {
				return e.deleteTags(dir, []string{fmt.Sprintf("bench-change-%d", run)})
			}},
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
	r := result{Case: c, Tried: runs}
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
// Standard output goes to a file, as when a person redirects it, so that no pipe is timed; the
// checks read it back a line at a time.
//
// The harness never reads a whole output into memory: Linux starts the maximum resident set
// size of a process that Go starts (with vfork) at the peak of the harness itself, so the
// harness's own peak is a floor under every figure, and must stay small (it is printed).
func (e *env) timeOnce(dir string, argv, extraEnv []string) (time.Duration, int64, *output, error) {
	stdoutPath, stderrPath := filepath.Join(e.tmp, "stdout"), filepath.Join(e.tmp, "stderr")
	stdout, err := os.Create(stdoutPath)
	if err != nil {
		return 0, 0, nil, err
	}
	defer stdout.Close()
	stderr, err := os.Create(stderrPath)
	if err != nil {
		return 0, 0, nil, err
	}
	defer stderr.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clip(e.environ), extraEnv...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	start := time.Now()
	err = cmd.Run()
	elapsed := time.Since(start)

	out := &output{path: stdoutPath}
	if err != nil {
		msg := (&output{path: stderrPath}).head()
		return 0, 0, out, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, strings.TrimSpace(msg))
	}
	var peakKB int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peakKB = ru.Maxrss // KiB on Linux
	}
	return elapsed, peakKB, out, nil
}

// output is the standard output of a run, in a file.
type output struct{ path string }

// scan calls f on each line, without its newline, until f returns false.
func (o *output) scan(f func(line []byte) bool) error {
	file, err := os.Open(o.path)
	if err != nil {
		return err
	}
	defer file.Close()
	s := bufio.NewScanner(file)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		if !f(s.Bytes()) {
			break
		}
	}
	return s.Err()
}

// lines counts the newlines.
func (o *output) lines() (int, error) {
	file, err := os.Open(o.path)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := file.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
	}
}

// contains says whether a line holds want.
func (o *output) contains(want string) (bool, error) {
	found := false
	err := o.scan(func(line []byte) bool {
		found = bytes.Contains(line, []byte(want))
		return !found
	})
	return found, err
}

// head is the first lines, for error messages.
func (o *output) head() string {
	var lines []string
	o.scan(func(line []byte) bool {
		if len(lines) == 5 {
			lines = append(lines, "…")
			return false
		}
		lines = append(lines, string(line))
		return true
	})
	return strings.Join(lines, "\n")
}

// small returns the whole output of a command that prints little (a write), or an error when
// it is larger than 1 MB.
func (o *output) small() (string, error) {
	if fi, err := os.Stat(o.path); err != nil {
		return "", err
	} else if fi.Size() > 1<<20 {
		return "", fmt.Errorf("%s: %d bytes of output", o.path, fi.Size())
	}
	data, err := os.ReadFile(o.path)
	return string(data), err
}

// peakSelfKB is the peak resident set size of the harness, in KiB (VmHWM).
func peakSelfKB() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
			return kb
		}
	}
	return 0
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
