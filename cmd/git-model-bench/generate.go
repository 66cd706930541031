package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// generatorVersion changes whenever the generated repositories change; a repository whose
// stamp names another version is generated again.
const generatorVersion = 1

// baseTime is the date of the first commit (2023-11-14 22:13:20 UTC). Every commit and every
// annotated tag takes the next second, in the order the events happen, so tagger dates never
// tie and the generated repositories are identical, object for object, on every machine.
const baseTime = 1700000000

// stages are the stages each version is promoted to, in this order.
var stages = []string{"dev", "staging", "prod"}

// layout describes one generated repository.
type layout struct {
	Name string
	// Artifacts × Versions registrations a{i}@v1.{v/10}.{v%10}, each followed by one
	// assignment to every stage.
	Artifacts, Versions int
	// Commits is the length of the chain on main. Round v of registrations is on commit
	// (v+1)·Commits/Versions − 1, so the newest versions are on the tip.
	Commits int
	// Noise tags are not registry tags: release-K and ci/build-K (annotated), vX.Y.Z and
	// nightly-K (lightweight), in turn, spread evenly over the commits.
	Noise int
	// Targets says whether the performance targets are judged on this repository.
	Targets bool
	// Huge layouts are not in the default set unless -huge is given; they run when named in
	// -layouts.
	Huge bool
}

// layouts are the repositories `make bench` builds, smallest first.
var layouts = []layout{
	{Name: "1k", Artifacts: 10, Versions: 25, Commits: 25},
	{Name: "10k", Artifacts: 100, Versions: 25, Commits: 25},
	{Name: "40k", Artifacts: 100, Versions: 100, Commits: 100, Targets: true},
	{Name: "40k-noise", Artifacts: 100, Versions: 10, Commits: 100, Noise: 36000, Targets: true},
	{Name: "400k", Artifacts: 400, Versions: 250, Commits: 250, Targets: true},
	{Name: "1m", Artifacts: 1000, Versions: 250, Commits: 250, Targets: true, Huge: true},
}

func (l layout) registryTags() int { return l.Artifacts * l.Versions * (1 + len(stages)) }
func (l layout) tags() int         { return l.registryTags() + l.Noise }

// annotated counts the annotated tags: every registry tag and half of the noise.
func (l layout) annotated() int { return l.registryTags() + (l.Noise+3)/4 + (l.Noise+1)/4 }

// Describe says exactly what the repository holds; it is also the stamp's key.
func (l layout) Describe() string {
	s := fmt.Sprintf("%d commits; %d artifacts × %d versions × (1 registration + %d assignments %s) = %d annotated registry tags",
		l.Commits, l.Artifacts, l.Versions, len(stages), strings.Join(stages, "/"), l.registryTags())
	if l.Noise > 0 {
		s += fmt.Sprintf("; %d non-registry tags (%d annotated release-K and ci/build-K, %d lightweight vX.Y.Z and nightly-K)",
			l.Noise, (l.Noise+3)/4+(l.Noise+1)/4, l.Noise/4+(l.Noise+2)/4)
	}
	return s + fmt.Sprintf("; %d tags in all, refs packed", l.tags())
}

// sampleArtifact is the artifact that `ls NAME`, `history NAME`, register and promote use.
func (l layout) sampleArtifact() string { return "a7" }

// version is the version string of registration round v.
func version(v int) string { return fmt.Sprintf("v1.%d.%d", v/10, v%10) }

// lastAssignment is the newest tag of the sample artifact: its last version entering the last
// stage (its counter is the number of assignments so far).
func (l layout) lastAssignment() string {
	return fmt.Sprintf("%s#%s#%d", l.sampleArtifact(), stages[len(stages)-1], l.Versions*len(stages))
}

// stamp records what was generated, so that a repository is generated again only when it is
// missing, the generator changed, or an interrupted run left tags behind.
type stamp struct {
	Generator   int                `json:"generator"`
	Layout      string             `json:"layout"`
	Tags        int                `json:"tags"`
	Annotated   int                `json:"annotated"`
	Head        string             `json:"head"`
	GeneratedAt string             `json:"generated_at"`
	Seconds     float64            `json:"seconds"`
	Steps       map[string]float64 `json:"steps"` // seconds per step
}

func stampPath(dir string) string { return filepath.Join(dir, ".git", "git-model-bench.json") }

func readStamp(dir string) (*stamp, error) {
	data, err := os.ReadFile(stampPath(dir))
	if err != nil {
		return nil, err
	}
	var s stamp
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", stampPath(dir), err)
	}
	return &s, nil
}

// prepare returns the repository of a layout, generating it when needed, and puts main back on
// the generated tip (register and promote add commits to it).
func (e *env) prepare(l layout, root string, force bool) (dir string, s *stamp, generated bool, err error) {
	dir, err = filepath.Abs(filepath.Join(root, l.Name))
	if err != nil {
		return "", nil, false, err
	}
	if !force {
		s, err = readStamp(dir)
		reason := ""
		switch {
		case err != nil:
			reason = "no stamp"
		case s.Generator != generatorVersion:
			reason = fmt.Sprintf("generator %d, now %d", s.Generator, generatorVersion)
		case s.Layout != l.Describe():
			reason = "layout changed"
		default:
			n, cerr := e.countTags(dir)
			if cerr != nil || n != s.Tags {
				reason = fmt.Sprintf("%d tags, stamp says %d", n, s.Tags)
			}
		}
		if reason == "" {
			if _, err := e.git(dir, "update-ref", "refs/heads/main", s.Head); err != nil {
				return "", nil, false, err
			}
			return dir, s, false, nil
		}
		e.logf("%s: generating (%s)", l.Name, reason)
	}
	s, err = e.generate(l, dir)
	return dir, s, true, err
}

// countTags counts the refs under refs/tags, reading only their names (not the tag objects),
// a line at a time.
func (e *env) countTags(dir string) (int, error) {
	n := 0
	err := e.gitLines(dir, func([]byte) { n++ }, "for-each-ref", "--format=%(refname)", "refs/tags")
	return n, err
}

// gitLines runs git in dir with the fixed environment and calls f on each line of its standard
// output as it comes, so that no output is held in memory (see timeOnce: the harness's peak
// memory is a floor under every measured peak).
func (e *env) gitLines(dir string, f func(line []byte), args ...string) error {
	cmd := exec.Command(e.gitPath, args...)
	cmd.Dir = dir
	cmd.Env = e.environ
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	s := bufio.NewScanner(stdout)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		f(s.Bytes())
	}
	serr := s.Err()
	if serr != nil {
		io.Copy(io.Discard, stdout)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return serr
}

// generate builds the repository of a layout from nothing: fast-import from a stream written
// straight to its standard input, then packed refs and one pack, then a checkout of main.
func (e *env) generate(l layout, dir string) (*stamp, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	steps := map[string]float64{}
	start := time.Now()
	step := func(name string, f func() error) error {
		t := time.Now()
		err := f()
		steps[name] = time.Since(t).Seconds()
		return err
	}
	err := step("init", func() error {
		if _, err := e.git("", "init", "-q", "-b", "main", dir); err != nil {
			return err
		}
		// No automatic gc in the middle of a measurement.
		_, err := e.git(dir, "config", "gc.auto", "0")
		return err
	})
	if err == nil {
		err = step("fast-import", func() error { return e.fastImport(l, dir) })
	}
	// git pack-refs --all would also prune each loose ref under its own lock (with git 2.39:
	// 3.5 s at 40k, 116 s at 400k, more than 10 times as long); the loose tag refs are all in
	// packed-refs with the same values, so removing their directory leaves the same repository
	// (main stays loose; prepare rewrites it anyway). That halved the step at 40k; at 400k and
	// 1m, creating and removing the loose refs that fast-import writes (Git 2.39 has no other
	// way for it) dominates either way, and grows faster than the number of refs on this
	// file system. Only writing the pack and packed-refs without fast-import would avoid it.
	if err == nil {
		err = step("pack-refs", func() error { _, err := e.git(dir, "pack-refs", "--all", "--no-prune"); return err })
	}
	if err == nil {
		err = step("prune", func() error {
			tags := filepath.Join(dir, ".git", "refs", "tags")
			if err := os.RemoveAll(tags); err != nil {
				return err
			}
			return os.Mkdir(tags, 0o755)
		})
	}
	if err == nil {
		err = step("repack", func() error { _, err := e.git(dir, "repack", "-adq"); return err })
	}
	if err == nil {
		err = step("checkout", func() error { _, err := e.git(dir, "reset", "-q", "--hard", "main"); return err })
	}
	if err != nil {
		return nil, fmt.Errorf("generating %s: %w", l.Name, err)
	}
	total := time.Since(start).Seconds()
	head, err := e.git(dir, "rev-parse", "main")
	if err != nil {
		return nil, err
	}
	s := &stamp{Generator: generatorVersion, Layout: l.Describe(), Tags: l.tags(), Annotated: l.annotated(),
		Head: strings.TrimSpace(head), GeneratedAt: time.Now().UTC().Format(time.RFC3339), Seconds: total, Steps: steps}
	if err := e.verify(l, dir); err != nil {
		return nil, fmt.Errorf("generated %s: %w", l.Name, err)
	}
	data, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(stampPath(dir), append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	e.logf("%s: generated %d tags in %.2f s (fast-import %.2f s, pack-refs %.2f s, prune %.2f s, repack %.2f s, checkout %.2f s)",
		l.Name, s.Tags, total, steps["fast-import"], steps["pack-refs"], steps["prune"], steps["repack"], steps["checkout"])
	return s, nil
}

// fastImport writes the layout's history to git fast-import's standard input.
func (e *env) fastImport(l layout, dir string) error {
	cmd := exec.Command(e.gitPath, "fast-import", "--quiet", "--done")
	cmd.Dir = dir
	cmd.Env = e.environ
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	werr := writeHistory(w, l)
	if werr == nil {
		werr = w.Flush()
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return werr
}

// writeHistory writes the fast-import stream of a layout. Marks :1… are the commits.
func writeHistory(w *bufio.Writer, l layout) error {
	clock := baseTime
	tick := func() int { clock++; return clock }
	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	round := make(map[int]int, l.Versions) // commit index → registration round
	for v := 0; v < l.Versions; v++ {
		round[(v+1)*l.Commits/l.Versions-1] = v
	}
	counter := make([]int, l.Artifacts) // highest assignment counter per artifact
	noise := 0
	fmt.Fprintf(w, "feature done\n")
	for c := 0; c < l.Commits; c++ {
		t := tick()
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\n", c+1)
		fmt.Fprintf(w, "author Bench Author <author@example.com> %d +0000\n", t)
		fmt.Fprintf(w, "committer Bench Committer <committer@example.com> %d +0000\n", t)
		data(fmt.Sprintf("Training round %d\n", c))
		if c > 0 {
			fmt.Fprintf(w, "from :%d\n", c)
		}
		fmt.Fprintf(w, "M 100644 inline artifacts.yaml\n")
		data(annotations(l, c))
		fmt.Fprintf(w, "M 100644 inline metrics.txt\n")
		data(fmt.Sprintf("round: %d\naccuracy: 0.%04d\n", c, 5000+c))
		fmt.Fprintf(w, "\n")

		// The noise tags of this commit: tag k sits on commit k·Commits/Noise.
		for ; noise < l.Noise && noise*l.Commits/l.Noise == c; noise++ {
			k := noise / 4
			switch noise % 4 {
			case 0:
				fmt.Fprintf(w, "tag release-%d\nfrom :%d\ntagger Bench Releaser <release@example.com> %d +0000\n", k, c+1, tick())
				data(fmt.Sprintf("Release %d\n", k))
			case 1:
				fmt.Fprintf(w, "reset refs/tags/v%d.%d.%d\nfrom :%d\n\n", k/1000, (k/10)%100, k%10, c+1)
			case 2:
				fmt.Fprintf(w, "tag ci/build-%d\nfrom :%d\ntagger Bench CI <ci@example.com> %d +0000\n", k, c+1, tick())
				data(fmt.Sprintf("CI build %d\n", k))
			case 3:
				fmt.Fprintf(w, "reset refs/tags/nightly-%d\nfrom :%d\n\n", k, c+1)
			}
		}

		v, ok := round[c]
		if !ok {
			continue
		}
		for a := 0; a < l.Artifacts; a++ {
			name, ver := fmt.Sprintf("a%d", a), version(v)
			fmt.Fprintf(w, "tag %s@%s\nfrom :%d\ntagger Bench Tagger <tagger@example.com> %d +0000\n", name, ver, c+1, tick())
			data(fmt.Sprintf("Registering artifact %s version %s\n", name, ver))
			for _, stage := range stages {
				counter[a]++
				fmt.Fprintf(w, "tag %s#%s#%d\nfrom :%d\ntagger Bench Tagger <tagger@example.com> %d +0000\n", name, stage, counter[a], c+1, tick())
				data(fmt.Sprintf("Assigning stage %s to artifact %s version %s\n", stage, name, ver))
			}
		}
	}
	fmt.Fprintf(w, "done\n")
	return w.Flush()
}

// annotations is artifacts.yaml at commit c: every artifact, with a header naming the round so
// that each commit changes the file.
func annotations(l layout, c int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Annotations of the benchmark registry, training round %d.\n", c)
	for a := 0; a < l.Artifacts; a++ {
		fmt.Fprintf(&b, "a%d:\n  type: model\n  path: s3://bench-models/a%d/model.pt\n  description: Benchmark model %d\n  labels: [bench, team%d]\n",
			a, a, a, a%10)
	}
	return b.String()
}

// verify checks a generated repository: the number of tags and of annotated tags, that no tag
// ref is loose, and one tag object, byte for byte.
func (e *env) verify(l layout, dir string) error {
	total, annotated := 0, 0
	err := e.gitLines(dir, func(line []byte) {
		total++
		if string(line) == "tag" {
			annotated++
		}
	}, "for-each-ref", "--format=%(objecttype)", "refs/tags")
	if err != nil {
		return err
	}
	if total != l.tags() || annotated != l.annotated() {
		return fmt.Errorf("%d tags (%d annotated), want %d (%d)", total, annotated, l.tags(), l.annotated())
	}
	loose := 0
	err = filepath.WalkDir(filepath.Join(dir, ".git", "refs", "tags"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			loose++
		}
		return err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if loose > 0 {
		return fmt.Errorf("%d tag refs are loose, want all packed", loose)
	}
	tag := l.lastAssignment()
	body, err := e.git(dir, "cat-file", "-p", "refs/tags/"+tag)
	if err != nil {
		return err
	}
	// The sample's tagger time: the last tick of the sample artifact's last round.
	want := fmt.Sprintf("type commit\ntag %s\ntagger Bench Tagger <tagger@example.com> ", tag)
	msg := fmt.Sprintf("\n\nAssigning stage %s to artifact %s version %s\n", stages[len(stages)-1], l.sampleArtifact(), version(l.Versions-1))
	if !strings.HasPrefix(body, "object ") || !strings.Contains(body, want) || !strings.HasSuffix(body, msg) {
		return fmt.Errorf("tag %s reads:\n%s", tag, body)
	}
	e.logf("%s: %d tags (%d annotated), all packed; git cat-file -p %s:\n%s", l.Name, total, annotated, tag, indent(body))
	return nil
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// git runs git in dir with the fixed environment and returns its standard output.
func (e *env) git(dir string, args ...string) (string, error) {
	cmd := exec.Command(e.gitPath, args...)
	cmd.Dir = dir
	cmd.Env = e.environ
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
