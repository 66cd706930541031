// Command git-model-bench is the benchmark harness of git-model (`make bench`). It generates
// registry repositories of 1k, 10k, 40k and 400k tags, one of 40k tags that are mostly not
// registry tags, and, on request, one of 1,000,000 tags (1m: named in -layouts, or added to the
// default set by -huge), with git fast-import fed straight from the program; then it times
// git-model's commands on each, as processes, against Git's own floors on the same repository
// (git for-each-ref reading only the tag names, or every tag object; git tag -a), and prints
// each median as a ratio to its floor, with the peak memory and the verdict against the
// performance targets (BENCHMARKS.md), including the targets across repositories: the growth
// of ls and completion from 40k to 400k and from 400k to 1m, and the one-artifact commands at
// 400k against 40k. It prints how long generating each repository took.
//
// Runs: every case runs once to warm up, then -runs times (BENCH_RUNS in the Makefile), except
// on the repositories of 400,000 tags or more, where the two cases that read every tag object,
// floor-objects and cold ls (several seconds each there), run min(-runs, 5) times, and
// min(-runs, 3) times at 1m; the runs column of the results says how many counted. All the other
// cases, which cost at most a few hundred milliseconds, keep -runs. With the default layouts and
// BENCH_RUNS=11 this keeps `make bench` within a few minutes once the repositories exist
// (on 2 cores, generating 400k takes 3 to 4 minutes the first time, 1m about ten).
//
// It builds nothing: give it the git-model binary with -bin (or have git-model on PATH). Every
// process runs in a fixed environment (a temporary HOME, no system config, no colour, no
// pager), so the developer's own Git configuration never leaks into the figures.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// env is what every process of a run shares.
type env struct {
	gitPath   string   // absolute path of git
	modelPath string   // absolute path of git-model
	environ   []string // the fixed environment of every process
	tmp       string   // HOME and the files that capture output
}

func (e *env) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "git-model-bench: "+format+"\n", args...)
}

func main() {
	os.Exit(run())
}

func run() int {
	reposDir := flag.String("repos", "bench/repos", "directory of the generated repositories")
	runs := flag.Int("runs", 7, "timed runs of each command (after one warm-up run); the median counts")
	bin := flag.String("bin", "", "the git-model binary (default: git-model on PATH)")
	only := flag.String("layouts", "", "comma-separated repositories to use, of "+layoutNames()+" (default: all but "+hugeNames()+")")
	huge := flag.Bool("huge", false, "also use the huge repositories ("+hugeNames()+"), which the default leaves out")
	markdown := flag.String("markdown", "", "also write the results as Markdown to `FILE` (between <!-- bench:begin --> and <!-- bench:end --> when the file has them)")
	goBench := flag.String("gobench", "", "output of `go test -bench` to include in the Markdown")
	regenerate := flag.Bool("regenerate", false, "generate the repositories even when they are up to date")
	strict := flag.Bool("strict", false, "exit 1 when a target is missed")
	generateOnly := flag.Bool("generate", false, "only generate the repositories that need it, and measure nothing")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: git-model-bench [options]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 || *runs < 1 {
		flag.Usage()
		return 129
	}
	selected, err := selectLayouts(*only, *huge)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		return 129
	}

	e, cleanup, err := newEnv(*bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
		return 128
	}
	defer cleanup()

	started := time.Now()
	rep := &report{Runs: *runs, Started: started.UTC(), Machine: e.machine()}
	failed := false
	for _, l := range selected {
		dir, s, generated, err := e.prepare(l, *reposDir, *regenerate)
		if err != nil {
			fmt.Fprintf(os.Stderr, "fatal: %v\n", err)
			return 128
		}
		if *generateOnly {
			e.logf("%s: %d tags, generated in %.2f s (%s)", l.Name, s.Tags, s.Seconds, map[bool]string{true: "now", false: "earlier, " + s.GeneratedAt}[generated])
			continue
		}
		repo := repoReport{Layout: l, Stamp: s, Generated: generated}
		for _, c := range e.cases(l, dir) {
			r := e.measure(dir, c, runsFor(l, c, *runs))
			if r.Err != nil {
				e.logf("%s: %s: %v", l.Name, c.Name, r.Err)
				failed = true
			} else {
				e.logf("%s: %-16s %8.1f ms  %6.1f MB", l.Name, c.Name, ms(r.Median), mb(r.PeakKB))
			}
			repo.Results = append(repo.Results, r)
			if c.Name == "ls warm" {
				_, err := os.Stat(filepath.Join(dir, ".git", "git-model"))
				repo.Cache = err == nil
			}
		}
		rep.Repos = append(rep.Repos, repo)
	}
	if *generateOnly {
		return 0
	}
	rep.Elapsed = time.Since(started)
	rep.HarnessKB = peakSelfKB()
	if *goBench != "" {
		data, err := os.ReadFile(*goBench)
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: %v\n", err)
			failed = true
		}
		rep.GoBench = string(data)
	}

	fmt.Print(rep.text())
	if *markdown != "" {
		if err := writeMarkdown(*markdown, rep.markdown()); err != nil {
			fmt.Fprintf(os.Stderr, "error: %v\n", err)
			failed = true
		} else {
			e.logf("wrote %s", *markdown)
		}
	}
	switch {
	case failed:
		return 1
	case *strict && rep.missed() > 0:
		return 1
	}
	return 0
}

func layoutNames() string {
	names := make([]string, len(layouts))
	for i, l := range layouts {
		names[i] = l.Name
	}
	return strings.Join(names, ",")
}

func hugeNames() string {
	var names []string
	for _, l := range layouts {
		if l.Huge {
			names = append(names, l.Name)
		}
	}
	return strings.Join(names, ",")
}

// selectLayouts returns the repositories named in only (all but the huge ones when only is
// empty), adding the huge ones when huge is set.
func selectLayouts(only string, huge bool) ([]layout, error) {
	var out []layout
	if only == "" {
		for _, l := range layouts {
			if !l.Huge {
				out = append(out, l)
			}
		}
	} else {
		for _, name := range strings.Split(only, ",") {
			i := slices.IndexFunc(layouts, func(l layout) bool { return l.Name == name })
			if i < 0 {
				return nil, fmt.Errorf("unknown repository '%s' (known: %s)", name, layoutNames())
			}
			if !slices.ContainsFunc(out, func(l layout) bool { return l.Name == name }) {
				out = append(out, layouts[i])
			}
		}
	}
	if huge {
		for _, l := range layouts {
			if l.Huge && !slices.ContainsFunc(out, func(o layout) bool { return o.Name == l.Name }) {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// runsFor is how many timed runs a case gets on a repository: fewer for the cases that read
// every tag object on the repositories of 400,000 tags or more (see the comment at the top).
func runsFor(l layout, c *benchCase, runs int) int {
	if c.Name != floorObjects && c.Name != "ls cold" {
		return runs
	}
	switch n := l.tags(); {
	case n >= 1_000_000:
		return min(runs, 3)
	case n >= 400_000:
		return min(runs, 5)
	}
	return runs
}

// newEnv finds git and git-model and sets up the fixed environment: HOME in a temporary
// directory whose .gitconfig gives only an identity, no system configuration, no colour, no
// pager, the C locale, UTC, and PATH starting with git-model's directory so that `git model`
// runs the binary under test.
func newEnv(bin string) (*env, func(), error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, nil, err
	}
	if bin == "" {
		bin = "git-model"
	}
	if !strings.Contains(bin, "/") {
		if bin, err = exec.LookPath(bin); err != nil {
			return nil, nil, fmt.Errorf("%v (build it with 'make build' and pass -bin bin/git-model)", err)
		}
	}
	modelPath, err := filepath.Abs(bin)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(modelPath); err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", "git-model-bench-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	home := filepath.Join(tmp, "home")
	gitconfig := "[user]\n\tname = Bench User\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n"
	if err := os.MkdirAll(home, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o644)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	e := &env{gitPath: gitPath, modelPath: modelPath, tmp: tmp, environ: []string{
		"PATH=" + filepath.Dir(modelPath) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"GIT_CONFIG_NOSYSTEM=1",
		"NO_COLOR=1",
		"GIT_PAGER=cat",
		"PAGER=cat",
		"LC_ALL=C",
		"TZ=UTC",
		"TMPDIR=" + tmp,
	}}
	// `git model` must run the binary under test, not another one earlier in git's exec path.
	direct, err1 := e.output(tmp, modelPath, "--version")
	viaGit, err2 := e.git(tmp, "model", "--version")
	if err1 != nil || err2 != nil || direct != viaGit {
		cleanup()
		return nil, nil, fmt.Errorf("'git model --version' says %q, '%s --version' says %q (%v, %v)",
			strings.TrimSpace(viaGit), modelPath, strings.TrimSpace(direct), err1, err2)
	}
	return e, cleanup, nil
}

// output runs a program in dir with the fixed environment and returns its standard output.
func (e *env) output(dir, program string, args ...string) (string, error) {
	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	cmd.Env = e.environ
	out, err := cmd.Output()
	return string(out), err
}

// writeMarkdown writes the results to file, or, when the file already holds the markers, only
// between them, keeping the rest of the file (BENCHMARKS.md).
func writeMarkdown(file, body string) error {
	const begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
	old, err := os.ReadFile(file)
	if err == nil {
		s := string(old)
		i, j := strings.Index(s, begin), strings.Index(s, end)
		if i >= 0 && j > i {
			return os.WriteFile(file, []byte(s[:i+len(begin)]+"\n"+body+s[j:]), 0o644)
		}
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(body), 0o644)
}
