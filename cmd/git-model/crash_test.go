package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// make stress runs the crash test long; a plain go test runs it briefly.
var (
	stressIterations = flag.Int("stress.iterations", 10, "how many writes TestCrashWrites kills")
	stressSeed       = flag.Uint64("stress.seed", 0, "seed of TestCrashWrites (0: from the clock; printed)")
)

// crashArtifacts are the artifacts the crash test writes: a plain name, a name with folders,
// and one with its annotations in a folder of its own.
var crashArtifacts = []string{"m", "team/m", "models/cv:segm"}

// annotationsFile is where an artifact's annotation lives in the work tree.
func annotationsFile(artifact string) string {
	if dir, _, ok := strings.Cut(artifact, ":"); ok {
		return dir + "/artifacts.yaml"
	}
	return "artifacts.yaml"
}

// TestCrashWrites kills writes with SIGKILL (the whole process group: git and git-model) after
// a random delay (the seed is printed; -stress.seed replays it), then checks what a crash may leave: every tag ref parses and names an object
// that exists, git fsck is clean, no lock file but a git lock a kill can leave (git has the
// same window; the next write on it must report it as git does, and it is then removed), an
// annotations file with its old or its whole new content (in the work tree and in HEAD), no
// temporary file in the work tree, and a registry that still reads.
func TestCrashWrites(t *testing.T) {
	seed := *stressSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -stress.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	r, _ := newConcurrencyRepo(t, 1)
	scratch := filepath.Join(filepath.Dir(r.dir), "scratch")
	for _, dir := range []string{r.dir, scratch} {
		if dir == scratch {
			r.git(filepath.Dir(r.dir), "init", "-q", scratch)
		}
		if err := os.MkdirAll(filepath.Join(dir, "models", "cv"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range crashArtifacts {
		r.git(r.dir, "model", "annotate", a, "--type", "model", "--commit")
		r.git(r.dir, "model", "register", a)
	}
	c := &crashCheck{r: r, scratch: scratch}
	// Most of a write's run is starting git and git-model, which is slower than the 30 ms of
	// the random part of the delay on most machines; a read's run, measured here, is added to
	// its range, so that kills fall anywhere from the start to after the end of the writes.
	startup := time.Duration(0)
	for range 3 {
		start := time.Now()
		r.git(r.dir, "model", "ls", "--json")
		startup = max(startup, time.Since(start))
	}
	t.Logf("delays: 0 to %v", startup+30*time.Millisecond)
	stats := map[string]int{}
	for i := range *stressIterations {
		a := crashArtifacts[rng.IntN(len(crashArtifacts))]
		args := c.pickWrite(rng, a, i)
		delay := time.Duration(rng.Int64N(int64(startup + 31*time.Millisecond)))
		if rng.IntN(10) == 0 {
			r.git(r.dir, "pack-refs", "--all") // so that deletions take packed-refs.lock too
		}
		desc := fmt.Sprintf("iteration %d (seed %d): git %s, killed after %v", i, seed, strings.Join(args, " "), delay)
		c.before(a, args)
		refs := r.refState()
		code := c.runKilled(args, delay)
		stats[fmt.Sprintf("exit %d", code)]++
		if r.refState() != refs {
			stats["tags changed"]++
		}
		c.after(desc, a, args, stats)
		if t.Failed() {
			t.Fatalf("stopping after %s", desc)
		}
	}
	t.Logf("%d writes: %v", *stressIterations, stats)
}

// crashCheck keeps what the invariants compare with.
type crashCheck struct {
	r       *concurrencyRepo
	scratch string // a repository where an annotation edit is made whole, to know its result

	oldFile, newFile, oldHead string // the annotations file: before, after the edit, in HEAD
	fileExisted               bool
}

// pickWrite chooses a write of artifact a that the registry's state makes likely to go
// through: versions come from ls --json.
func (c *crashCheck) pickWrite(rng *rand.Rand, a string, i int) []string {
	r := c.r
	stage := []string{"prod", "dev"}[rng.IntN(2)]
	var version string
	if v := r.ls()[a].Version; v != nil {
		version = *v
	}
	switch k := rng.IntN(11); {
	case k == 0 || version == "":
		r.git(r.dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("c%d", i))
		return []string{"model", "register", a}
	case k == 1:
		r.git(r.dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("c%d", i))
		return []string{"model", "promote", a, stage} // registers HEAD, then assigns
	case k == 2:
		return []string{"model", "promote", "--force", "--version", version, a, stage}
	case k == 3:
		return []string{"model", "demote", a, stage}
	case k == 4:
		return []string{"model", "demote", "--delete", a, stage}
	case k == 5:
		return []string{"model", "deprecate", a, version}
	case k == 6:
		return []string{"model", "deprecate", "--delete", a, version}
	case k == 7:
		return []string{"model", "deprecate", "--force", a}
	case k == 8:
		return []string{"model", "annotate", a, "--description", fmt.Sprintf("edit %d", i), "--label", fmt.Sprintf("l%d", i)}
	case k == 9:
		return []string{"model", "annotate", a, "--description", fmt.Sprintf("edit %d", i), "--commit"}
	default:
		return []string{"model", "remove", a, "--commit"}
	}
}

// before remembers the annotations file and, for an edit, what it becomes: the same edit
// made in the scratch repository on a copy of the file.
func (c *crashCheck) before(a string, args []string) {
	r := c.r
	path := annotationsFile(a)
	data, err := os.ReadFile(filepath.Join(r.dir, path))
	c.fileExisted = err == nil
	c.oldFile, c.newFile = string(data), string(data)
	c.oldHead = r.git(r.dir, "show", "HEAD:"+path)
	if args[1] != "annotate" && args[1] != "remove" {
		return
	}
	copyPath := filepath.Join(c.scratch, filepath.FromSlash(path))
	if err := os.WriteFile(copyPath, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
	edit := slicesWithout(args, "--commit")
	cmd, _, _ := r.command(c.scratch, edit...)
	if cmd.Run() != nil {
		return // an edit that fails (remove of an artifact that has no annotation) changes nothing
	}
	result, err := os.ReadFile(copyPath)
	if err != nil {
		r.t.Fatal(err)
	}
	c.newFile = string(result)
}

func slicesWithout(args []string, drop string) []string {
	var out []string
	for _, a := range args {
		if a != drop {
			out = append(out, a)
		}
	}
	return out
}

// runKilled starts git ARGS in a process group of its own and kills the group after delay
// (the write may have finished by then); it returns the exit status, -1 when killed.
func (c *crashCheck) runKilled(args []string, delay time.Duration) int {
	cmd, _, _ := c.r.command(c.r.dir, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		c.r.t.Fatal(err)
	}
	time.Sleep(delay)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH when it is over already
	err := cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		c.r.t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode()
}

// gitLock matches the lock files that git itself may leave when killed at the wrong instant,
// relative to the git directory: those of refs, packed-refs, HEAD and the index.
var gitLock = regexp.MustCompile(`^(refs/.+|packed-refs|HEAD|index)\.lock$`)

// after checks the invariants once a write was killed (or finished).
func (c *crashCheck) after(desc, a string, args []string, stats map[string]int) {
	r, t := c.r, c.r.t
	t.Helper()
	c.checkRefs(desc)
	common := r.commonDir()
	var stale []string
	err := filepath.WalkDir(common, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".lock") {
			return err
		}
		rel, _ := filepath.Rel(common, path)
		if !gitLock.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("%s: lock file left: %s", desc, rel)
		}
		stale = append(stale, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		stats["stale git lock"]++
		c.rerunOnStaleLocks(desc, args, stale, stats)
		for _, path := range stale {
			os.Remove(path)
		}
	}
	path := annotationsFile(a)
	data, err := os.ReadFile(filepath.Join(r.dir, path))
	if exists := err == nil; exists != c.fileExisted || string(data) != c.oldFile && string(data) != c.newFile {
		t.Errorf("%s: %s is neither its old content nor its new one:\n%s\nold:\n%s\nnew:\n%s", desc, path, data, c.oldFile, c.newFile)
	}
	if head := r.git(r.dir, "show", "HEAD:"+path); head != c.oldHead && head != c.newFile {
		t.Errorf("%s: HEAD's %s is neither its old content nor the new one:\n%s", desc, path, head)
	}
	status := r.git(r.dir, "status", "--porcelain", "--untracked-files=all", "--ignored")
	for _, line := range strings.Split(strings.TrimSuffix(status, "\n"), "\n") {
		if line != "" && (strings.HasPrefix(line, "??") || strings.HasPrefix(line, "!!") || !strings.HasSuffix(line, "artifacts.yaml")) {
			t.Errorf("%s: the work tree has %q", desc, line)
		}
	}
	for _, read := range [][]string{{"model", "ls", "--json"}, {"model", "history", "--json"}} {
		cmd, stdout, stderr := r.command(r.dir, read...)
		var v any
		if err := cmd.Run(); err != nil || stderr.Len() != 0 || json.Unmarshal(stdout.Bytes(), &v) != nil {
			t.Errorf("%s: git %s: %v, stderr %q, stdout %q", desc, strings.Join(read, " "), err, stderr, stdout)
		}
	}
}

// checkRefs checks that every tag ref parses and names an object that exists, and that git
// fsck finds nothing wrong (dangling tag objects of a killed write are fine).
func (c *crashCheck) checkRefs(desc string) {
	r, t := c.r, c.r.t
	cmd, stdout, stderr := r.command(r.dir, "for-each-ref", "--format=%(objectname)", "refs/tags")
	if err := cmd.Run(); err != nil || stderr.Len() != 0 {
		t.Errorf("%s: for-each-ref: %v\n%s", desc, err, stderr)
	}
	check, out, errOut := r.command(r.dir, "cat-file", "--batch-check")
	check.Stdin = bytes.NewReader(stdout.Bytes())
	if err := check.Run(); err != nil || errOut.Len() != 0 || strings.Contains(out.String(), "missing") {
		t.Errorf("%s: a tag names a missing object: %v\n%s%s", desc, err, out, errOut)
	}
	fsck, _, fsckErr := r.command(r.dir, "fsck", "--no-progress", "--no-dangling")
	if err := fsck.Run(); err != nil {
		t.Errorf("%s: git fsck: %v\n%s", desc, err, fsckErr)
	}
}

// rerunOnStaleLocks runs the killed write again over the lock files it left. A write that
// needs one of them must fail as git fails (exit 128, git's words and the hint) and change no
// ref; one that needs none of them may go through. It must not hang: the wait is bounded far
// above anything a write takes, and only to report a hang rather than block the test run.
func (c *crashCheck) rerunOnStaleLocks(desc string, args []string, stale []string, stats map[string]int) {
	r, t := c.r, c.r.t
	before := r.refState()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = r.dir, r.vars
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s: git %s over the stale locks %q hangs", desc, strings.Join(args, " "), stale)
	}
	code := cmd.ProcessState.ExitCode()
	switch {
	case code == 128 && strings.HasPrefix(stderr.String(), "fatal: Unable to create '"):
		stats["lock reported"]++
		found := false
		for _, path := range stale {
			found = found || stderr.String() == lockErrorText(path)
		}
		if !found {
			t.Errorf("%s: rerun over %q: stderr %q", desc, stale, stderr.String())
		}
		if after := r.refState(); after != before {
			t.Errorf("%s: rerun over %q failed but changed refs:\n%s\nwere\n%s", desc, stale, after, before)
		}
	case code == 128 && onlyIndexLocks(stale):
		// The index and HEAD belong to committing, whose wording of a held index is its own;
		// a tag write never takes them.
		stats["commit lock reported"]++
		if after := r.refState(); after != before {
			t.Errorf("%s: rerun over %q failed but changed refs", desc, stale)
		}
	case code == 0 || code == 1:
		stats["rerun without the lock"]++
		if code == 1 && !strings.HasPrefix(stderr.String(), "error: ") {
			t.Errorf("%s: rerun: exit 1, stderr %q", desc, stderr.String())
		}
	default:
		t.Errorf("%s: rerun over %q: %v, stdout %q, stderr %q", desc, stale, err, stdout.String(), stderr.String())
	}
	if code == 0 || code == 1 {
		c.checkRefs(desc + ", rerun")
	}
}

// onlyIndexLocks reports whether every stale lock belongs to committing: the index, HEAD, a
// branch.
func onlyIndexLocks(stale []string) bool {
	for _, path := range stale {
		base := filepath.Base(path)
		if base != "index.lock" && base != "HEAD.lock" && !strings.Contains(filepath.ToSlash(path), "/refs/heads/") {
			return false
		}
	}
	return true
}
