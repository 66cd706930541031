package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The remote features against real servers on loopback, which each test starts and stops
// itself: git daemon (git://, where the remote's hooks run, unlike file:// remotes that libgit2
// writes into directly) and smart HTTP (git http-backend behind a Go server with basic
// authentication, the password coming from a credential helper in the test's Git config). The
// scenarios that need no server are testdata/remote-*.txtar.

// remoteCommandTimeout bounds every command a test runs: a command that asks for credentials
// again and again, or waits on a server forever, fails the test instead of hanging it.
const remoteCommandTimeout = 60 * time.Second

// remoteEnv is a clean environment as the scenarios have it (setupEnv: HOME, global config,
// fixed identity and dates, git-model on PATH), with the cache in the work directory and no
// terminal prompts.
type remoteEnv struct {
	t    *testing.T
	work string
	vars []string
}

func newRemoteEnv(t *testing.T) *remoteEnv {
	t.Helper()
	work := t.TempDir()
	env := &testscript.Env{WorkDir: work, Vars: []string{
		"TMPDIR=" + work,
		"LC_ALL=C",
		"GIT_TERMINAL_PROMPT=0",
		"XDG_CACHE_HOME=" + filepath.Join(work, "cache"),
		"GIT_CEILING_DIRECTORIES=" + work,
	}}
	if err := setupEnv(env); err != nil {
		t.Fatal(err)
	}
	return &remoteEnv{t: t, work: work, vars: env.Vars}
}

// path is a path in the work directory.
func (e *remoteEnv) path(elem ...string) string {
	if len(elem) > 0 && filepath.IsAbs(elem[0]) {
		return filepath.Join(elem...)
	}
	return filepath.Join(append([]string{e.work}, elem...)...)
}

// remoteResult is what a command did.
type remoteResult struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// run runs a command in dir (relative to the work directory) with the environment and extra
// variables, within remoteCommandTimeout.
func (e *remoteEnv) run(dir string, extra []string, name string, args ...string) remoteResult {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), remoteCommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = e.path(dir)
	cmd.Env = append(append([]string{}, e.vars...), extra...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := remoteResult{stdout: stdout.String(), stderr: stderr.String(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		e.t.Fatalf("%s %s: no answer within %v (stdout %q, stderr %q)", name, strings.Join(args, " "), remoteCommandTimeout, res.stdout, res.stderr)
	case err == nil:
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	default:
		e.t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return res
}

// git runs git in dir and returns its stdout, failing the test when it fails.
func (e *remoteEnv) git(dir string, args ...string) string {
	e.t.Helper()
	res := e.run(dir, nil, "git", args...)
	if res.code != 0 {
		e.t.Fatalf("git %s: exit %d\n%s", strings.Join(args, " "), res.code, res.stderr)
	}
	return res.stdout
}

// model runs `git model ARGS…` in dir.
func (e *remoteEnv) model(dir string, args ...string) remoteResult {
	e.t.Helper()
	return e.run(dir, nil, "git", append([]string{"model"}, args...)...)
}

// mustModel runs `git model ARGS…` and fails the test unless it succeeds with nothing on stderr.
func (e *remoteEnv) mustModel(dir string, args ...string) string {
	e.t.Helper()
	res := e.model(dir, args...)
	if res.code != 0 || res.stderr != "" {
		e.t.Fatalf("git model %s: exit %d, stderr %q, stdout %q", strings.Join(args, " "), res.code, res.stderr, res.stdout)
	}
	return res.stdout
}

// writeFile writes a file in the work directory.
func (e *remoteEnv) writeFile(name, content string, mode os.FileMode) string {
	e.t.Helper()
	path := e.path(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// newRepo creates a repository with commits c1…cN.
func (e *remoteEnv) newRepo(dir string, commits int) {
	e.t.Helper()
	e.git("", "init", "-q", dir)
	for i := 1; i <= commits; i++ {
		e.git(dir, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("c%d", i))
	}
}

// hasRef reports whether the repository at dir has ref.
func (e *remoteEnv) hasRef(dir, ref string) bool {
	e.t.Helper()
	return e.run(dir, nil, "git", "rev-parse", "--verify", "-q", ref).code == 0
}

// hasObject reports whether the repository at dir has the object id.
func (e *remoteEnv) hasObject(dir, id string) bool {
	e.t.Helper()
	return e.run(dir, nil, "git", "cat-file", "-e", id).code == 0
}

// oneLine fails unless text is exactly one line.
func oneLine(t *testing.T, what, text string) {
	t.Helper()
	if strings.Count(text, "\n") != 1 || !strings.HasSuffix(text, "\n") {
		t.Errorf("%s: want exactly one line, have %q", what, text)
	}
}

// closedPort is a loopback port on which nothing listens: one that was free a moment ago.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// waitForPort polls until something accepts connections on addr, or fails after a deadline;
// exited reports an early death of the server.
func waitForPort(t *testing.T, addr string, exited func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if err := exited(); err != nil {
			t.Fatalf("the server on %s exited: %v", addr, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing accepts connections on %s: %v", addr, err)
		}
		time.Sleep(delay)
	}
}

// startGitDaemon serves every repository under base over git:// with push enabled, on a free
// loopback port, until the test ends. It returns the URL of base.
func (e *remoteEnv) startGitDaemon(base string) string {
	e.t.Helper()
	port := strconv.Itoa(closedPort(e.t))
	cmd := exec.Command("git", "daemon", "--reuseaddr", "--base-path="+base, "--export-all",
		"--enable=receive-pack", "--informative-errors", "--listen=127.0.0.1", "--port="+port, base)
	cmd.Env = e.vars
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // the daemon and the children it forks
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("starting git daemon: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var exitErr atomic.Value
	e.t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	})
	exited := func() error {
		select {
		case err := <-done:
			exitErr.Store(fmt.Errorf("%v: %s", err, log.String()))
			done <- err
		default:
		}
		if err, ok := exitErr.Load().(error); ok {
			return err
		}
		return nil
	}
	waitForPort(e.t, "127.0.0.1:"+port, exited)
	return "git://127.0.0.1:" + port
}

// writeHook installs an executable hook in a bare repository.
func (e *remoteEnv) writeHook(bare, name, script string) {
	e.t.Helper()
	e.writeFile(filepath.Join(bare, "hooks", name), script, 0o755)
}

// tagNames lists the tags of the repository at dir.
func (e *remoteEnv) tagNames(dir string) []string {
	e.t.Helper()
	return strings.Fields(e.git(dir, "tag", "-l"))
}

// TestRemoteGitDaemon pushes and fetches over git://: --push on a write, push, fetch (the
// registry tags and the objects they need, nothing else), ls -R through the mirror.
func TestRemoteGitDaemon(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	url := e.startGitDaemon(e.path("srv")) + "/origin.git"

	e.newRepo("repo", 1)
	out := e.mustModel("repo", "register", "m", "--push", "--remote", url)
	want := regexp.MustCompile(`^m v0.0.1 was registered: tag m@v0.0.1 on [0-9a-f]{7}\nTo ` + regexp.QuoteMeta(url) + `\n \* \[new tag\]    m@v0.0.1\n$`)
	if !want.MatchString(out) {
		t.Errorf("register --push: unexpected stdout %q", out)
	}
	local := e.git("repo", "rev-parse", "m@v0.0.1")
	if remote := e.git("srv/origin.git", "rev-parse", "m@v0.0.1"); remote != local {
		t.Errorf("the remote's m@v0.0.1 is %s, the local one %s", remote, local)
	}
	if kind := e.git("srv/origin.git", "cat-file", "-t", "m@v0.0.1"); kind != "tag\n" {
		t.Errorf("the remote's m@v0.0.1 is a %s, want an annotated tag", kind)
	}

	// push: what the remote lacks, as a configured remote
	e.git("repo", "remote", "add", "origin", url)
	e.mustModel("repo", "promote", "m", "dev")
	e.mustModel("repo", "register", "n")
	out = e.mustModel("repo", "push")
	if want := "To origin\n * [new tag]    n@v0.0.1\n * [new tag]    m#dev#1\n"; out != want { // registrations first
		t.Errorf("push: stdout %q, want %q", out, want)
	}
	if res := e.model("repo", "push"); res.code != 0 || res.stdout != "" || res.stderr != "Everything up-to-date\n" {
		t.Errorf("push with nothing to push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	// a deletion, over the network
	e.mustModel("repo", "demote", "m", "dev", "--delete")
	if out := e.mustModel("repo", "push"); out != "To origin\n - [deleted]    m#dev#1\n" {
		t.Errorf("push of a deletion: stdout %q", out)
	}
	if got := e.tagNames("srv/origin.git"); strings.Join(got, " ") != "m@v0.0.1 n@v0.0.1" {
		t.Errorf("the remote's tags: %v", got)
	}

	// things on the remote that are not the registry's: a branch with its own commit, and a tag
	e.git("repo", "checkout", "-q", "-b", "feature")
	e.git("repo", "commit", "-q", "--allow-empty", "-m", "only-on-feature")
	e.git("repo", "tag", "-a", "v1.0", "-m", "release")
	e.git("repo", "push", "-q", url, "feature", "v1.0")
	e.git("repo", "checkout", "-q", "main")
	e.git("repo", "push", "-q", url, "main")
	feature := strings.TrimSpace(e.git("repo", "rev-parse", "feature"))
	release := strings.TrimSpace(e.git("repo", "rev-parse", "v1.0"))

	// fetch into a repository that has nothing
	e.git("", "init", "-q", "reader")
	out = e.mustModel("reader", "fetch", "--remote", url)
	if want := "From " + url + "\n * [new tag]      m@v0.0.1\n * [new tag]      n@v0.0.1\n"; out != want {
		t.Errorf("fetch: stdout %q, want %q", out, want)
	}
	refs := e.git("reader", "for-each-ref", "--format=%(refname) %(objecttype) %(*objecttype)")
	if want := "refs/tags/m@v0.0.1 tag commit\nrefs/tags/n@v0.0.1 tag commit\n"; refs != want {
		t.Errorf("refs after fetch:\n%s\nwant:\n%s", refs, want)
	}
	if e.hasObject("reader", feature) || e.hasObject("reader", release) {
		t.Errorf("fetch brought objects that no registry tag needs (branch commit %v, release tag %v)",
			e.hasObject("reader", feature), e.hasObject("reader", release))
	}

	// ls -R git://…: through the mirror, which holds the registry only
	out = e.mustModel("", "ls", "-R", url)
	if !regexp.MustCompile(`(?m)^m +v0.0.1 `).MatchString(out) || !regexp.MustCompile(`(?m)^n +v0.0.1 `).MatchString(out) {
		t.Errorf("ls -R %s: %q", url, out)
	}
	mirrors, _ := filepath.Glob(e.path("cache", "git-model", "*.git"))
	if len(mirrors) != 1 {
		t.Fatalf("want one mirror in the cache, have %v", mirrors)
	}
	if tags := e.tagNames(mirrors[0]); strings.Join(tags, " ") != "m@v0.0.1 n@v0.0.1" {
		t.Errorf("the mirror's tags: %v", tags)
	}
	if e.hasObject(mirrors[0], feature) || e.hasObject(mirrors[0], release) {
		t.Errorf("the mirror holds objects that no registry tag needs")
	}
}

// TestRemoteUnreachable pushes, fetches and reads through a URL whose port nothing listens on:
// one line, the retry hint after a write, the local tags kept, and no long wait.
func TestRemoteUnreachable(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 1)
	for _, url := range []string{
		fmt.Sprintf("git://127.0.0.1:%d/origin.git", closedPort(t)),
		fmt.Sprintf("http://127.0.0.1:%d/origin.git", closedPort(t)),
	} {
		t.Run(strings.SplitN(url, ":", 2)[0], func(t *testing.T) {
			res := e.model("repo", "promote", "m", "prod", "--push", "--remote", url)
			if res.code != 1 {
				t.Errorf("promote --push: exit %d, want 1", res.code)
			}
			oneLine(t, "promote --push stderr", res.stderr)
			for _, want := range []string{"error: ", "cannot reach", url, "git model push"} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("promote --push stderr %q does not say %q", res.stderr, want)
				}
			}
			// the hint retries the same push: to the remote it named, not to the default one
			if !regexp.MustCompile(`git model push --remote '?` + regexp.QuoteMeta(url)).MatchString(res.stderr) {
				t.Errorf("promote --push --remote %s: the retry hint does not name the remote: %q", url, res.stderr)
			}
			if !strings.Contains(res.stdout, "was assigned to prod: tag m#prod#") {
				t.Errorf("promote --push stdout %q", res.stdout)
			}
			if !e.hasRef("repo", "refs/tags/m#prod#1") || !e.hasRef("repo", "refs/tags/m@v0.0.1") {
				t.Errorf("the local tags are gone after a failed push: %v", e.tagNames("repo"))
			}
			for _, args := range [][]string{{"push", "--remote", url}, {"fetch", "--remote", url}} {
				res := e.model("repo", args...)
				if res.code != 1 {
					t.Errorf("%v: exit %d, want 1", args, res.code)
				}
				oneLine(t, fmt.Sprint(args), res.stderr)
				if !strings.Contains(res.stderr, "cannot reach") || !strings.Contains(res.stderr, url) {
					t.Errorf("%v: stderr %q", args, res.stderr)
				}
				if res.took > 20*time.Second {
					t.Errorf("%v took %v", args, res.took)
				}
			}
			res = e.model("", "ls", "-R", url)
			if res.code == 0 || res.stdout != "" {
				t.Errorf("ls -R %s: exit %d, stdout %q", url, res.code, res.stdout)
			}
			oneLine(t, "ls -R stderr", res.stderr)
			e.git("repo", "tag", "-d", "m#prod#1", "m@v0.0.1")
		})
	}
}

// TestRemoteHookRejects pushes over git:// to a remote whose pre-receive hook refuses prod
// assignments: a line per refused tag with the remote's reason, the hook's words as git shows
// them ("remote: …"), then the error and its hint; exit 1, the local tags kept.
func TestRemoteHookRejects(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	e.writeHook("srv/origin.git", "pre-receive", `#!/bin/sh
while read old new ref; do
	case "$ref" in
	*'#prod'*) echo "protected tag ${ref#refs/tags/}: prod needs a review" >&2; exit 1 ;;
	esac
done
exit 0
`)
	url := e.startGitDaemon(e.path("srv")) + "/origin.git"
	e.newRepo("repo", 1)
	e.git("repo", "remote", "add", "origin", url)
	e.mustModel("repo", "register", "m", "--push")

	wantStderr := "remote: protected tag m#prod#1: prod needs a review\nerror: failed to push some tags to 'origin'\n" +
		"hint: the tags stay here; 'git model status' says why each was refused and what to do, then 'git model push' sends them\n"
	res := e.model("repo", "promote", "m", "prod", "--push")
	if res.code != 1 || res.stderr != wantStderr || !strings.HasSuffix(res.stdout, "To origin\n ! [rejected]   m#prod#1 (pre-receive hook declined)\n") {
		t.Errorf("promote --push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	if !e.hasRef("repo", "refs/tags/m#prod#1") {
		t.Errorf("the local tag m#prod#1 is gone after the remote refused it")
	}
	if e.hasRef("srv/origin.git", "refs/tags/m#prod#1") {
		t.Errorf("the remote has m#prod#1 although its hook refused it")
	}
	// push retries it, and is refused the same way
	res = e.model("repo", "push")
	if res.code != 1 || res.stderr != wantStderr || res.stdout != "To origin\n ! [rejected]   m#prod#1 (pre-receive hook declined)\n" {
		t.Errorf("push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}

	// Several refused tags: their registrations go; each assignment is tried, the ones refused
	// before alone, and reported in a stable order, so that it reads the same on every run.
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		e.mustModel("repo", "promote", name, "prod")
	}
	var first string
	for i := 0; i < 3; i++ {
		res := e.model("repo", "push")
		if res.code != 1 {
			t.Fatalf("push of refused tags: exit %d, stderr %q", res.code, res.stderr)
		}
		rejected := regexp.MustCompile(`(?m)^ ! \[rejected\]   ([a-z]#prod#\d+) \(pre-receive hook declined\)$`).FindAllStringSubmatch(res.stdout, -1)
		if len(rejected) != 6 {
			t.Errorf("push: want 6 refused tags, stdout %q", res.stdout)
		}
		if i == 0 {
			first = res.stdout
			if !strings.Contains(first, " * [new tag]    e@v0.0.1\n") {
				t.Errorf("the registrations did not go: %q", first)
			}
		} else if res.stdout != strings.Join(regexp.MustCompile(`(?m)^ \* .*\n`).Split(first, -1), "") {
			t.Errorf("the same refused push reads differently:\n%s%s", first, res.stdout)
			break
		}
	}
	if got := e.tagNames("srv/origin.git"); strings.Join(got, " ") != "a@v0.0.1 b@v0.0.1 c@v0.0.1 d@v0.0.1 e@v0.0.1 m@v0.0.1" {
		t.Errorf("the remote's tags: %v", got)
	}
}

// TestRemoteDeployment is the CI/CD story end to end: a bare origin whose post-receive hook runs
// `git model check-ref` for every pushed tag and records a deployment only for an assignment to
// prod. Promoting to dev deploys nothing; promoting to prod deploys exactly that version, once.
func TestRemoteDeployment(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	deploys, checks := e.path("deploys.log"), e.path("checks.log")
	e.writeHook("srv/origin.git", "post-receive", fmt.Sprintf(`#!/bin/sh
# git-model must be on the hook's PATH; GIT_DIR is the bare repository.
PATH=%s:$PATH
export PATH
zero=0000000000000000000000000000000000000000
while read old new ref; do
	case "$ref" in refs/tags/*) ;; *) continue ;; esac
	[ "$new" = "$zero" ] && continue
	fields=$(git model check-ref --event --stage --name --version "$ref") || {
		echo "check-ref failed for $ref" >> %[2]s
		continue
	}
	name=$(printf '%%s\n' "$fields" | sed -n 1p)
	version=$(printf '%%s\n' "$fields" | sed -n 2p)
	stage=$(printf '%%s\n' "$fields" | sed -n 3p)
	event=$(printf '%%s\n' "$fields" | sed -n 4p)
	echo "${ref#refs/tags/} $event $stage" >> %[2]s
	if [ "$event" = assignment ] && [ "$stage" = prod ]; then
		echo "deploy $name $version" >> %[3]s
	fi
done
`, binDir, checks, deploys))
	url := e.startGitDaemon(e.path("srv")) + "/origin.git"
	e.newRepo("repo", 1)
	e.git("repo", "remote", "add", "origin", url)
	e.git("repo", "push", "-q", "origin", "main")

	e.mustModel("repo", "promote", "m", "dev", "--push")
	if _, err := os.Stat(deploys); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("promote m dev --push deployed something")
	}
	e.git("repo", "commit", "-q", "--allow-empty", "-m", "c2")
	e.mustModel("repo", "register", "m", "--push")
	e.mustModel("repo", "promote", "m", "prod", "--push")

	data, err := os.ReadFile(deploys)
	if err != nil {
		t.Fatalf("no deployment recorded: %v", err)
	}
	if got, want := string(data), "deploy m v0.0.2\n"; got != want {
		t.Errorf("deployments:\n%s\nwant:\n%s", got, want)
	}
	// the hook saw every pushed tag, and check-ref read each of them
	log, err := os.ReadFile(checks)
	if err != nil {
		t.Fatal(err)
	}
	want := "m@v0.0.1 registration \nm#dev#1 assignment dev\nm@v0.0.2 registration \nm#prod#2 assignment prod\n"
	if string(log) != want {
		t.Errorf("the hook's check-ref log:\n%s\nwant:\n%s", log, want)
	}
}

// gitHTTPServer serves the repositories under a directory over smart HTTP (git http-backend
// through CGI), to user/secret only.
type gitHTTPServer struct {
	srv         *httptest.Server
	requests    atomic.Int64
	refused     atomic.Int64
	uploadPacks atomic.Int64 // fetches that got as far as asking for objects
}

func (e *remoteEnv) startGitHTTP(root string) *gitHTTPServer {
	e.t.Helper()
	backend := e.gitHTTPBackend(root)
	s := &gitHTTPServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		user, password, ok := r.BasicAuth()
		if !ok || user != "user" || password != "secret" {
			s.refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			s.uploadPacks.Add(1)
		}
		backend.ServeHTTP(w, r)
	}))
	e.t.Cleanup(s.srv.Close)
	if !strings.HasPrefix(s.srv.URL, "http://127.0.0.1:") {
		e.t.Fatalf("the test server is not on loopback: %s", s.srv.URL)
	}
	return s
}

// gitHTTPBackend serves the repositories under root over smart HTTP: git http-backend through
// CGI, as the user the request authenticated as (if any).
func (e *remoteEnv) gitHTTPBackend(root string) http.Handler {
	e.t.Helper()
	execPath := strings.TrimSpace(e.git("", "--exec-path"))
	backend := filepath.Join(execPath, "git-http-backend")
	serverHome := e.path("server-home")
	if err := os.MkdirAll(serverHome, 0o755); err != nil {
		e.t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _, _ := r.BasicAuth()
		// net/http/cgi refuses chunked request bodies, which libgit2 sends when it pushes: hand
		// the CGI the body with its length instead (bounded, as these tests push little).
		if len(r.TransferEncoding) > 0 {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
				return
			}
			r.Body, r.ContentLength, r.TransferEncoding = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
		}
		(&cgi.Handler{
			Path: backend,
			Dir:  root,
			Env: []string{
				"GIT_PROJECT_ROOT=" + root,
				"GIT_HTTP_EXPORT_ALL=1",
				"REMOTE_USER=" + user,
				"HOME=" + serverHome,
				"GIT_CONFIG_NOSYSTEM=1",
			},
		}).ServeHTTP(w, r)
	})
}

// credentialHelper is a credential helper that always answers user and password.
func credentialHelper(password string) string {
	return fmt.Sprintf("!f() { echo username=user; echo password=%s; }; f", password)
}

// TestRemoteSmartHTTP pushes, fetches and reads over smart HTTP with basic authentication, the
// password coming from the credential helper of the user's Git config; a wrong password fails
// with one line, soon; ls -R URL works through the cache, and --offline reads the cache once
// the server is gone.
func TestRemoteSmartHTTP(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	e.git("srv/origin.git", "config", "http.receivepack", "true")
	server := e.startGitHTTP(e.path("srv"))
	url := server.srv.URL + "/origin.git"
	e.git("", "config", "--global", "credential.helper", credentialHelper("secret"))

	e.newRepo("repo", 1)
	e.git("repo", "remote", "add", "origin", url)
	out := e.mustModel("repo", "promote", "m", "prod", "--push")
	if !strings.HasSuffix(out, "To origin\n * [new tag]    m@v0.0.1\n * [new tag]    m#prod#1\n") {
		t.Errorf("promote --push over HTTP: stdout %q", out)
	}
	if got := e.tagNames("srv/origin.git"); strings.Join(got, " ") != "m#prod#1 m@v0.0.1" {
		t.Errorf("the server's tags after the push: %v", got)
	}
	if server.refused.Load() == 0 {
		t.Errorf("the server never asked for credentials: the test does not test authentication")
	}

	// fetch with the same helper
	e.git("", "init", "-q", "reader")
	e.git("reader", "remote", "add", "origin", url)
	out = e.mustModel("reader", "fetch")
	if want := "From origin\n * [new tag]      m#prod#1\n * [new tag]      m@v0.0.1\n"; out != want {
		t.Errorf("fetch over HTTP: stdout %q, want %q", out, want)
	}

	// a wrong password: one line saying authentication failed, exit 1, bounded, local tags kept
	wrong := []string{"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=credential.helper", "GIT_CONFIG_VALUE_1=" + credentialHelper("wrong")}
	e.mustModel("repo", "register", "n")
	for _, args := range [][]string{{"push"}, {"fetch"}, {"register", "o", "--push"}} {
		before := server.requests.Load()
		res := e.run("repo", wrong, "git", append([]string{"model"}, args...)...)
		if res.code != 1 {
			t.Errorf("%v with a wrong password: exit %d, want 1 (stderr %q)", args, res.code, res.stderr)
		}
		oneLine(t, fmt.Sprintf("%v stderr", args), res.stderr)
		if !strings.Contains(res.stderr, "authentication failed") {
			t.Errorf("%v with a wrong password: stderr %q does not say authentication failed", args, res.stderr)
		}
		if strings.Contains(res.stderr, "wrong") {
			t.Errorf("%v: the password leaks into the error: %q", args, res.stderr)
		}
		if n := server.requests.Load() - before; n > 10 {
			t.Errorf("%v with a wrong password made %d requests", args, n)
		}
		if res.took > 20*time.Second {
			t.Errorf("%v with a wrong password took %v", args, res.took)
		}
	}
	if !e.hasRef("repo", "refs/tags/n@v0.0.1") || !e.hasRef("repo", "refs/tags/o@v0.0.1") {
		t.Errorf("local tags lost after a refused push: %v", e.tagNames("repo"))
	}
	if e.hasRef("srv/origin.git", "refs/tags/n@v0.0.1") {
		t.Errorf("the server took a push with a wrong password")
	}

	// no credentials at all (no helper, no terminal): one line, exit 1
	none := []string{"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0="}
	res := e.run("repo", none, "git", "model", "push")
	if res.code != 1 {
		t.Errorf("push without credentials: exit %d, want 1 (stderr %q)", res.code, res.stderr)
	}
	oneLine(t, "push without credentials", res.stderr)
	if !strings.Contains(res.stderr, "authentication failed") {
		t.Errorf("push without credentials: stderr %q does not say authentication failed", res.stderr)
	}

	// ls -R URL through the cache; --offline once the server is gone
	first := e.mustModel("", "ls", "-R", url)
	if !regexp.MustCompile(`(?m)^m +v0.0.1 +v0.0.1 `).MatchString(first) {
		t.Errorf("ls -R %s: %q", url, first)
	}
	if mirrors, _ := filepath.Glob(e.path("cache", "git-model", "*.git")); len(mirrors) != 1 {
		t.Errorf("want one mirror in the cache, have %v", mirrors)
	}
	// refreshed incrementally: with nothing new upstream, no objects are asked for; with a new
	// tag, one fetch, and the new tag shows
	packs := server.uploadPacks.Load()
	if out := e.mustModel("", "ls", "-R", url); out != first {
		t.Errorf("ls -R again:\n%s\nwant:\n%s", out, first)
	}
	if n := server.uploadPacks.Load() - packs; n != 0 {
		t.Errorf("a refresh with nothing new upstream fetched objects %d times", n)
	}
	e.git("repo", "commit", "-q", "--allow-empty", "-m", "c2")
	e.mustModel("repo", "register", "m", "--version", "v0.1.0")
	e.git("repo", "push", "-q", "origin", "m@v0.1.0")
	packs = server.uploadPacks.Load()
	first = e.mustModel("", "ls", "-R", url)
	if !regexp.MustCompile(`(?m)^m +v0.1.0 +v0.0.1 `).MatchString(first) {
		t.Errorf("ls -R after a new tag upstream: %q", first)
	}
	if n := server.uploadPacks.Load() - packs; n != 1 {
		t.Errorf("a refresh with one new tag upstream fetched %d times, want once", n)
	}
	server.srv.Close()
	if out := e.mustModel("", "ls", "--offline", "-R", url); out != first {
		t.Errorf("ls --offline -R after the server stopped:\n%s\nwant:\n%s", out, first)
	}
	res = e.model("", "ls", "-R", url)
	if res.code == 0 {
		t.Errorf("ls -R with the server stopped succeeded: %q", res.stdout)
	}
	oneLine(t, "ls -R with the server stopped", res.stderr)
}

// TestRemoteCrossRepository reads three registries at once, one over git://, one a local path,
// one a URL whose port nothing listens on: the two are shown with a repo column, the third is
// one error line, exit 1.
func TestRemoteCrossRepository(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/b.git")
	base := e.startGitDaemon(e.path("srv"))
	b := base + "/b.git"
	e.newRepo("a", 1)
	e.mustModel("a", "promote", "churn", "prod")
	e.newRepo("bwork", 1)
	e.git("bwork", "remote", "add", "origin", b)
	e.mustModel("bwork", "promote", "segm", "dev", "--push")
	e.git("bwork", "push", "-q", "origin", "main")
	a := e.path("a")
	c := fmt.Sprintf("git://127.0.0.1:%d/c.git", closedPort(t))

	check := func(t *testing.T, res remoteResult) {
		t.Helper()
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		var errLines []string
		for _, line := range strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n") {
			if strings.Contains(line, a) || strings.Contains(line, b) {
				t.Errorf("an error about a readable repository: %q", line)
			}
			if strings.Contains(line, c) {
				errLines = append(errLines, line)
			}
		}
		if len(errLines) != 1 || !strings.HasPrefix(errLines[0], "error: ") {
			t.Errorf("want one error line for %s, have %q", c, res.stderr)
		}
	}

	res := e.model("", "ls", "-R", a, "-R", c, "-R", b)
	check(t, res)
	rows := regexp.MustCompile(`(?m)^(\S+) +(\S+) +v0\.0\.1 `).FindAllStringSubmatch(res.stdout, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1]+" "+r[2])
	}
	if want := []string{a + " churn", b + " segm"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows %q, want %q\n%s", got, want, res.stdout)
	}
	if !strings.HasPrefix(res.stdout, "repo ") {
		t.Errorf("no repo column: %q", res.stdout)
	}

	res = e.model("", "ls", "--json", "-R", a, "-R", c, "-R", b)
	check(t, res)
	var byRepo map[string]map[string]struct {
		Version string            `json:"version"`
		Stage   map[string]string `json:"stage"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &byRepo); err != nil {
		t.Fatalf("ls --json: %v\n%s", err, res.stdout)
	}
	if len(byRepo) != 2 || byRepo[a]["churn"].Stage["prod"] != "v0.0.1" || byRepo[b]["segm"].Stage["dev"] != "v0.0.1" {
		t.Errorf("ls --json keyed by repository: %s", res.stdout)
	}

	// the same three from the global model.repos, outside any repository
	for _, r := range []string{a, c, b} {
		e.git("", "config", "--global", "--add", "model.repos", r)
	}
	res = e.model("", "ls")
	check(t, res)
	if !strings.Contains(res.stdout, "churn") || !strings.Contains(res.stdout, "segm") {
		t.Errorf("ls with model.repos: %q", res.stdout)
	}
}

// TestRemoteExamples checks the CI examples: valid YAML, the GitHub workflow triggered by the
// assignment and unassignment tags only, and reading only the outputs that check-ref
// --github-output writes.
func TestRemoteExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples/*.yml (%v)", err)
	}
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s", python)
	}
	var github string
	for _, f := range files {
		cmd := exec.Command(python, "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", f)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s is not valid YAML: %v\n%s", f, err, stderr.String())
			continue
		}
		if strings.Contains(filepath.Base(f), "github") {
			github = string(out)
		}
	}
	if github == "" {
		t.Fatal("no GitHub example")
	}
	var workflow map[string]any
	if err := json.Unmarshal([]byte(github), &workflow); err != nil {
		t.Fatal(err)
	}
	on, ok := workflow["on"]
	if !ok {
		on = workflow["true"] // YAML 1.1 reads the key on as a boolean
	}
	var tags []string
	if push, ok := on.(map[string]any)["push"].(map[string]any); ok {
		for _, p := range push["tags"].([]any) {
			tags = append(tags, p.(string))
		}
	}
	if strings.Join(tags, " ") != "**#** **@*!" {
		t.Errorf("the GitHub workflow's tag filters are %q, want ['**#**', '**@*!']", tags)
	}
	// GitHub's filters: * matches any characters but /, ** any characters. Assignments,
	// unassignments and deregistrations may change what a stage shows; the rest may not.
	filter := regexp.MustCompile(`^(.*#.*|.*@[^/]*!)$`)
	for tag, want := range map[string]bool{
		"segm#prod#1": true, "segm#prod!#2": true, "segm#prod": true, "models/cv=segm#prod#3": true,
		"segm@v1.0.0!": true, "models/cv=segm@v1.0.0!": true, "segm@v1.0.0!#4": true,
		"segm@v1.0.0": false, "segm@deprecated": false, "v1.0": false,
	} {
		if filter.MatchString(tag) != want {
			t.Errorf("%q on %s: %v, want %v", tags, tag, !want, want)
		}
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "examples", "github-actions-deploy.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "git model check-ref --github-output") {
		t.Errorf("the GitHub workflow does not call check-ref --github-output")
	}
	written := map[string]bool{"name": true, "version": true, "stage": true, "event": true, "path": true, "type": true}
	for _, m := range regexp.MustCompile(`steps\.model\.outputs\.(\w+)`).FindAllStringSubmatch(string(raw), -1) {
		if !written[m[1]] {
			t.Errorf("the GitHub workflow reads the output %q, which check-ref --github-output does not write", m[1])
		}
	}
}
