package main

// Completion in the real shells, the way users get it: bash through Git's own completion
// script (which calls our _git_model), zsh through its own _git (which calls our _git-model),
// fish through complete -C, and readline itself in an interactive bash and zsh driven by tmux.
// The candidates come from the binary built for this run, reading a real repository.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// completionsDir holds the shell scripts under test (this test runs in cmd/git-model).
var completionsDir = func() string {
	dir, err := filepath.Abs(filepath.Join("..", "..", "completions"))
	if err != nil {
		panic(err)
	}
	return dir
}()

// The Debian paths of bash-completion and of Git's completion script (`make deps` installs
// both; Git's is part of the git package).
const (
	bashCompletionScript = "/usr/share/bash-completion/bash_completion"
	gitCompletionScript  = "/usr/share/bash-completion/completions/git"
)

// shellFixture is a repository with a small registry and the environment of the scenarios
// (setupEnv: clean HOME, no system config, fixed identities and dates, git-model on PATH):
//
//	segm-nn        v0.0.1 (dev) on c1, v1.0.0 (prod) on c2
//	churn          v0.0.1 on c2
//	models/cv:det  v0.0.1 on c2 (tag models/cv=det@v0.0.1)
//
// and the alias promote = 'model promote' in the repository's config.
type shellFixture struct {
	t    *testing.T
	work string   // the test's directory, outside the repository
	home string   // HOME
	repo string   // the work tree
	head string   // the full id of c2
	env  []string // the environment of every command run here
}

func newShellFixture(t *testing.T) *shellFixture {
	t.Helper()
	work := t.TempDir()
	env := &testscript.Env{WorkDir: work, Vars: []string{"TMPDIR=" + work, "LC_ALL=C.UTF-8", "TERM=xterm"}}
	if err := setupEnv(env); err != nil {
		t.Fatal(err)
	}
	f := &shellFixture{t: t, work: work, home: filepath.Join(work, ".home"), repo: filepath.Join(work, "repo"), env: env.Vars}
	f.git(work, "init", "-q", "repo")
	if err := os.MkdirAll(filepath.Join(f.repo, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.git(f.repo, "commit", "-q", "--allow-empty", "-m", "c1")
	f.git(f.repo, "tag", "-a", "segm-nn@v0.0.1", "-m", "r")
	f.git(f.repo, "tag", "-a", "segm-nn#dev#1", "-m", "a")
	f.git(f.repo, "commit", "-q", "--allow-empty", "-m", "c2")
	f.git(f.repo, "tag", "-a", "segm-nn@v1.0.0", "-m", "r")
	f.git(f.repo, "tag", "-a", "segm-nn#prod#2", "-m", "a")
	f.git(f.repo, "tag", "-a", "churn@v0.0.1", "-m", "r")
	f.git(f.repo, "tag", "-a", "models/cv=det@v0.0.1", "-m", "r")
	f.git(f.repo, "config", "alias.promote", "model promote")
	f.head = strings.TrimSpace(f.git(f.repo, "rev-parse", "HEAD"))
	return f
}

// git runs git in dir and returns its stdout, failing the test when it fails.
func (f *shellFixture) git(dir string, args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, f.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		f.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// writeFile writes a file under the test's directory and returns its path.
func (f *shellFixture) writeFile(name, content string, mode os.FileMode) string {
	f.t.Helper()
	path := filepath.Join(f.work, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		f.t.Fatal(err)
	}
	return path
}

// withEnv returns env with each "KEY=VALUE" of changes set and each "-KEY" removed.
func withEnv(env []string, changes ...string) []string {
	out := slices.Clone(env)
	for _, change := range changes {
		key, _, _ := strings.Cut(strings.TrimPrefix(change, "-"), "=")
		out = slices.DeleteFunc(out, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
		if !strings.HasPrefix(change, "-") {
			out = append(out, change)
		}
	}
	return out
}

// needShell skips the test when a shell is not installed; CI installs them all (make deps).
func needShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (make deps installs it); skipping its completion tests", name)
	}
	return path
}

// run runs argv in dir with env, with a timeout so that a hung shell fails the test instead of
// the whole run; it returns stdout and stderr.
func run(t *testing.T, env []string, dir string, argv ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out: %w", ctx.Err())
	}
	return stdout.String(), stderr.String(), err
}

// bashWordBreaks is bash's default COMP_WORDBREAKS without the blanks and quotes.
const bashWordBreaks = "><=;|&(:"

// bashCompWords splits a command line into COMP_WORDS as bash does before calling a
// completion function: blanks separate words, and a run of COMP_WORDBREAKS characters is a
// word of its own ("a:=b" is a, :=, b). A line ending in a blank completes an empty word.
// Quotes are not modelled: the test lines have none.
func bashCompWords(t *testing.T, line string) []string {
	t.Helper()
	if strings.ContainsAny(line, `"'\`) {
		t.Fatalf("bashCompWords does not model quoting: %q", line)
	}
	var words []string
	var word strings.Builder
	inBreaks := false
	flush := func() {
		if word.Len() > 0 {
			words = append(words, word.String())
			word.Reset()
		}
	}
	for _, r := range line {
		switch {
		case r == ' ' || r == '\t':
			flush()
		case strings.ContainsRune(bashWordBreaks, r):
			if !inBreaks {
				flush()
			}
			word.WriteRune(r)
			inBreaks = true
			continue
		default:
			if inBreaks {
				flush()
			}
			word.WriteRune(r)
		}
		inBreaks = false
	}
	flush()
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	return words
}

func TestBashCompWords(t *testing.T) {
	// What an interactive bash 5.2 sets COMP_WORDS to for these lines (checked by hand with a
	// completion function that prints them).
	for line, want := range map[string][]string{
		"git model pro":            {"git", "model", "pro"},
		"git model promote segm ":  {"git", "model", "promote", "segm", ""},
		"git model ls models/cv:d": {"git", "model", "ls", "models/cv", ":", "d"},
		"git model ls models/cv:":  {"git", "model", "ls", "models/cv", ":"},
		"x a:=b":                   {"x", "a", ":=", "b"},
		"x --version=v":            {"x", "--version", "=", "v"},
	} {
		if got := bashCompWords(t, line); !slices.Equal(got, want) {
			t.Errorf("bashCompWords(%q) = %q, want %q", line, got, want)
		}
	}
}

// bashDriver is what bash does on Tab, minus readline: with COMP_* set as bash sets them, call
// the function that `complete -p` names for the command, and print COMPREPLY, one per line.
// Arguments: our completion script, the line, then COMP_WORDS.
const bashDriver = `source ` + bashCompletionScript + `
source ` + gitCompletionScript + `
source "$1"
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
shift 2
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_TYPE=9
COMP_KEY=9
spec=$(complete -p -- "${COMP_WORDS[0]}") || exit 2
[[ $spec =~ -F\ ([^ ]+) ]] || { echo "not a function completion: $spec" >&2; exit 2; }
COMPREPLY=()
"${BASH_REMATCH[1]}" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
for reply in "${COMPREPLY[@]}"; do
	printf '%s\n' "$reply"
done
`

// TestBashCompletion completes through Git's own bash completion (`git model …` calls
// _git_model) and our `complete` for `git-model …`, and compares COMPREPLY: what readline
// puts in place of the word after the last COMP_WORDBREAKS character (so after "models/cv:"
// only "det" is inserted), with the trailing space that ends a complete word.
func TestBashCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	f := newShellFixture(t)
	driver := f.writeFile("complete.bash", bashDriver, 0o644)
	script := filepath.Join(completionsDir, "git-model.bash")
	sub := filepath.Join(f.repo, "sub", "deeper")

	for _, c := range []struct {
		name, dir, line string
		want            []string
	}{
		{"subcommand", f.repo, "git model pro", []string{"promote "}},
		{"artifact name", f.repo, "git model promote seg", []string{"segm-nn "}},
		{"stage after the name", f.repo, "git model promote segm-nn ", []string{"dev ", "prod "}},
		{"versions after NAME@", f.repo, "git model ls segm-nn@v", []string{"segm-nn@v0.0.1 ", "segm-nn@v1.0.0 "}},
		{"NAME@ offers latest", f.repo, "git model ls segm-nn@", []string{"segm-nn@latest ", "segm-nn@v0.0.1 ", "segm-nn@v1.0.0 "}},
		{"stages after NAME#", f.repo, "git model ls segm-nn#", []string{"segm-nn#dev ", "segm-nn#prod "}},
		{"long option", f.repo, "git model promote --ver", []string{"--version "}},
		{"value of --version", f.repo, "git model promote segm-nn prod --version ", []string{"v0.0.1 ", "v1.0.0 "}},
		// "=" is a word break: readline replaces only what follows it.
		{"value of --version=", f.repo, "git model promote segm-nn prod --version=v", []string{"v0.0.1 ", "v1.0.0 "}},
		// ":" is a word break too: only the part after it is replaced.
		{"DIR:NAME after the colon", f.repo, "git model ls models/cv:d", []string{"det "}},
		{"DIR:NAME right after the colon", f.repo, "git model ls models/cv:", []string{"det "}},
		{"DIR:NAME before the colon", f.repo, "git model ls mod", []string{"models/cv:det "}},
		{"from a subdirectory", sub, "git model promote seg", []string{"segm-nn "}},
		{"git -C from outside", f.work, "git -C " + f.repo + " model promote c", []string{"churn "}},
		{"git --git-dir from outside", f.work, "git --git-dir=" + f.repo + "/.git model promote c", []string{"churn "}},
		// alias.promote = 'model promote': Git's completion completes aliases as the command.
		{"alias: name", f.repo, "git promote seg", []string{"segm-nn "}},
		{"alias: stage", f.repo, "git promote segm-nn ", []string{"dev ", "prod "}},
		// GTO's names and git-model's aliases complete like the rest.
		{"which", f.repo, "git model whi", []string{"which "}},
		{"which: name", f.repo, "git model which seg", []string{"segm-nn "}},
		{"which: stage", f.repo, "git model which segm-nn ", []string{"dev ", "prod "}},
		{"latest: name", f.repo, "git model latest seg", []string{"segm-nn "}},
		{"deregister: name", f.repo, "git model deregister seg", []string{"segm-nn "}},
		{"assign: stage", f.repo, "git model assign segm-nn ", []string{"dev ", "prod "}},
		{"unassign: name", f.repo, "git model unassign seg", []string{"segm-nn "}},
		{"show: NAME#", f.repo, "git model show segm-nn#", []string{"segm-nn#dev ", "segm-nn#prod "}},
		{"ls options of GTO", f.repo, "git model ls --v", []string{"--verify ", "--version ", "--vs "}},
		{"standalone subcommand", f.repo, "git-model pro", []string{"promote "}},
		{"standalone NAME@", f.repo, "git-model ls segm-nn@v", []string{"segm-nn@v0.0.1 ", "segm-nn@v1.0.0 "}},
		{"standalone DIR:NAME", f.repo, "git-model ls models/cv:d", []string{"det "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			words := bashCompWords(t, c.line)
			argv := append([]string{bash, "--norc", "--noprofile", driver, script, c.line}, words...)
			stdout, stderr, err := run(t, f.env, c.dir, argv...)
			if err != nil {
				t.Fatalf("bash completion of %q: %v\n%s", c.line, err, stderr)
			}
			got := splitLines(stdout)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("in %s, %q<Tab>\nCOMPREPLY: %q\nwant:      %q\nCOMP_WORDS: %q\nstderr: %s",
					c.dir, c.line, got, c.want, words, stderr)
			}
		})
	}
}

// splitLines returns the lines of s without their newlines (none for "").
func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// TestFishCompletion asks fish what it offers (complete -C) with our completions first in
// fish_complete_path and git-model-git.fish sourced, as vendor_conf.d would at startup:
// candidates and their descriptions, separated by a tab.
func TestFishCompletion(t *testing.T) {
	fish := needShell(t, "fish")
	f := newShellFixture(t)
	// Only fish's own files: no user config, and no git-model installed elsewhere on the
	// machine (CI runs make install first) in the data directories.
	env := withEnv(f.env,
		"XDG_CONFIG_HOME="+filepath.Join(f.home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(f.home, ".local", "share"),
		"XDG_DATA_DIRS="+filepath.Join(f.work, "no-data-dirs"),
		"GIT_MODEL_COMPLETIONS="+completionsDir)
	const script = `set -p fish_complete_path $GIT_MODEL_COMPLETIONS
source $GIT_MODEL_COMPLETIONS/git-model-git.fish
complete -C $GIT_MODEL_LINE`
	const promote = "promote\tAssign a stage to a version"

	for _, c := range []struct {
		name, dir, line string
		want            []string
	}{
		{"subcommand", f.repo, "git model pro", []string{promote}},
		{"artifact name", f.repo, "git model promote seg", []string{"segm-nn"}},
		{"stage after the name", f.repo, "git model promote segm-nn ", []string{"dev", "prod"}},
		{"versions after NAME@", f.repo, "git model ls segm-nn@v", []string{"segm-nn@v0.0.1", "segm-nn@v1.0.0"}},
		{"stages after NAME#", f.repo, "git model ls segm-nn#", []string{"segm-nn#dev", "segm-nn#prod"}},
		{"value of --version", f.repo, "git model promote segm-nn prod --version ", []string{"v0.0.1", "v1.0.0"}},
		{"long option", f.repo, "git-model promote --ver", []string{"--version\tPromote this registered version instead of the one on REF"}},
		{"DIR:NAME", f.repo, "git model ls models/cv:d", []string{"models/cv:det"}},
		{"from a subdirectory", filepath.Join(f.repo, "sub"), "git model promote seg", []string{"segm-nn"}},
		{"git -C from outside", f.work, "git -C " + f.repo + " model promote c", []string{"churn"}},
		{"git --git-dir from outside", f.work, "git --git-dir=" + f.repo + "/.git model promote c", []string{"churn"}},
		{"alias", f.repo, "git promote segm-nn ", []string{"dev", "prod"}},
		{"standalone subcommand", f.repo, "git-model pro", []string{promote}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stdout, stderr, err := run(t, withEnv(env, "GIT_MODEL_LINE="+c.line), c.dir, fish, "-c", script)
			if err != nil || stderr != "" {
				t.Fatalf("fish complete -C %q: %v\n%s", c.line, err, stderr)
			}
			got := splitLines(stdout)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("in %s, complete -C %q\ngot:  %q\nwant: %q", c.dir, c.line, got, c.want)
			}
		})
	}
}

// tmuxSession is a terminal: a private tmux server (its own socket) running one program in
// one pane, killed when the test ends.
type tmuxSession struct {
	t      *testing.T
	socket string
	env    []string
}

var tmuxSessions atomic.Int64

// startTmux runs argv in dir on a new terminal, wide enough for the long paths of the tests.
func startTmux(t *testing.T, env []string, dir string, argv ...string) *tmuxSession {
	t.Helper()
	needShell(t, "tmux")
	// The socket lives in a directory of its own (short: a socket path has at most 107
	// bytes), removed with the server: tmux leaves the socket file behind when killed.
	sockets, err := os.MkdirTemp("", "gm-tmux-")
	if err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{
		t:      t,
		socket: fmt.Sprintf("git-model-test-%d", tmuxSessions.Add(1)),
		env:    withEnv(env, "-TMUX", "-TMUX_PANE", "TMUX_TMPDIR="+sockets),
	}
	t.Cleanup(func() {
		cmd := exec.Command("tmux", "-L", s.socket, "kill-server")
		cmd.Env = s.env
		cmd.Run() // the server is gone already when the program exited
		os.RemoveAll(sockets)
	})
	args := append([]string{"-f", "/dev/null", "new-session", "-d", "-x", "250", "-y", "30", "-c", dir}, argv...)
	s.tmux(args...)
	return s
}

// tmux runs a tmux command on the session's server.
func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...)
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// typeText types text literally; key presses the named keys (Tab, Enter, C-c).
func (s *tmuxSession) typeText(text string) { s.t.Helper(); s.tmux("send-keys", "-l", "--", text) }
func (s *tmuxSession) key(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys"}, keys...)...)
}

// screen returns what the terminal shows, without trailing blank lines.
func (s *tmuxSession) screen() string {
	s.t.Helper()
	return strings.TrimRight(s.tmux("capture-pane", "-p"), "\n")
}

// waitFor polls the screen until ok accepts it, for up to 10 seconds, and returns the last
// screen and whether ok accepted it.
func (s *tmuxSession) waitFor(ok func(screen string) bool) (string, bool) {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		screen := s.screen()
		if ok(screen) {
			return screen, true
		}
		if time.Now().After(deadline) {
			return screen, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastLineWith returns the last line of the screen that starts with prompt, or "", without
// trailing blanks (the terminal does not keep them apart from empty cells).
func lastLineWith(screen, prompt string) string {
	lines := strings.Split(screen, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], strings.TrimRight(prompt, " ")) {
			return strings.TrimRight(lines[i], " ")
		}
	}
	return ""
}

// completeInteractively types line and Tab at prompt and returns the command line once the
// shell changed it (or the screen after 10 seconds if it never does).
func completeInteractively(t *testing.T, s *tmuxSession, prompt, line string) (string, string) {
	t.Helper()
	s.typeText(line)
	typed := strings.TrimRight(prompt+line, " ")
	screen, ok := s.waitFor(func(screen string) bool { return lastLineWith(screen, prompt) == typed })
	if !ok {
		t.Fatalf("the shell did not echo %q:\n%s", line, screen)
	}
	s.key("Tab")
	screen, _ = s.waitFor(func(screen string) bool { return lastLineWith(screen, prompt) != typed })
	return lastLineWith(screen, prompt), screen
}

// TestBashInteractiveCompletion types Tab in a real interactive bash whose only
// configuration is bash-completion, Git's completion and ours, and reads the screen.
func TestBashInteractiveCompletion(t *testing.T) {
	bash := needShell(t, "bash")
	f := newShellFixture(t)
	const prompt = "ready$ "
	rc := f.writeFile("bashrc", "PS1='"+prompt+"'\n"+
		"source "+bashCompletionScript+"\n"+
		"source "+gitCompletionScript+"\n"+
		"source "+filepath.Join(completionsDir, "git-model.bash")+"\n", 0o644)
	inputrc := f.writeFile("inputrc", "", 0o644)
	env := withEnv(f.env, "INPUTRC="+inputrc, "HISTFILE=/dev/null")

	for _, c := range []struct{ name, line, want string }{
		{"artifact name", "git model promote seg", "git model promote segm-nn"},
		{"DIR:NAME after the colon", "git model ls models/cv:", "git model ls models/cv:det"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startTmux(t, env, f.repo, bash, "--noprofile", "--rcfile", rc, "-i")
			if screen, ok := s.waitFor(func(screen string) bool { return lastLineWith(screen, prompt) != "" }); !ok {
				t.Fatalf("no prompt from bash:\n%s", screen)
			}
			got, screen := completeInteractively(t, s, prompt, c.line)
			if want := prompt + c.want; got != want {
				t.Errorf("%q<Tab> shows %q, want %q\nscreen:\n%s", c.line, got, want, screen)
			}
		})
	}
}

// TestZshInteractiveCompletion types Tab in an interactive `zsh -f` (no startup files) whose
// fpath starts with completions/, after compinit: `git model …` goes through zsh's own _git.
func TestZshInteractiveCompletion(t *testing.T) {
	zsh := needShell(t, "zsh")
	f := newShellFixture(t)
	zdotdir := filepath.Join(f.work, "zdotdir")
	if err := os.MkdirAll(zdotdir, 0o755); err != nil {
		t.Fatal(err)
	}
	env := withEnv(f.env, "ZDOTDIR="+zdotdir)
	// The prompt is split in the typed setup line so that the screen shows it only once zsh
	// has run that line.
	const prompt = "zsh-ready% "
	setup := "fpath=(" + completionsDir + " $fpath); autoload -Uz compinit; compinit -u -D; PS1='zsh''-ready%% '"

	start := func(t *testing.T, dir string) *tmuxSession {
		s := startTmux(t, env, dir, zsh, "-f", "-i")
		if screen, ok := s.waitFor(func(screen string) bool { return strings.TrimSpace(screen) != "" }); !ok {
			t.Fatalf("no prompt from zsh:\n%s", screen)
		}
		s.typeText(setup)
		s.key("Enter")
		if screen, ok := s.waitFor(func(screen string) bool { return lastLineWith(screen, prompt) != "" }); !ok {
			t.Fatalf("zsh did not run the setup line:\n%s", screen)
		}
		return s
	}

	for _, c := range []struct{ name, dir, line, want string }{
		{"artifact name", f.repo, "git model promote seg", "git model promote segm-nn"},
		{"subcommand", f.repo, "git model pro", "git model promote"},
		{"standalone artifact name", f.repo, "git-model promote seg", "git-model promote segm-nn"},
		{"alias", f.repo, "git promote seg", "git promote segm-nn"},
		{"git --git-dir from outside", f.work, "git --git-dir=" + f.repo + "/.git model promote c", "git --git-dir=" + f.repo + "/.git model promote churn"},
		{"git -C from outside", f.work, "git -C " + f.repo + " model promote c", "git -C " + f.repo + " model promote churn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := start(t, c.dir)
			got, screen := completeInteractively(t, s, prompt, c.line)
			if want := prompt + c.want; got != want {
				t.Errorf("%q<Tab> shows %q, want %q\nscreen:\n%s", c.line, got, want, screen)
			}
		})
	}

	// An ambiguous NAME@ lists the candidates under the line.
	for _, line := range []string{"git-model ls segm-nn@", "git model ls segm-nn@"} {
		t.Run("candidates of "+line, func(t *testing.T) {
			s := start(t, f.repo)
			s.typeText(line)
			s.key("Tab")
			want := []string{"segm-nn@latest", "segm-nn@v0.0.1", "segm-nn@v1.0.0"}
			screen, ok := s.waitFor(func(screen string) bool {
				for _, w := range want {
					if !strings.Contains(screen, w) {
						return false
					}
				}
				return true
			})
			if !ok {
				t.Errorf("%q<Tab> does not list %q\nscreen:\n%s", line, want, screen)
			}
		})
	}
}
