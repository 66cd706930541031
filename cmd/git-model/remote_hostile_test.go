package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Hostile input at the remote boundary: URLs made to inject lines into what git credential
// reads, redirects to another host, passwords in URLs, cache entries that git-model did not
// make, tags written locally while a fetch runs, and a local disk that refuses writes.

// recordingServer is a loopback HTTP server that records every request and the passwords of
// its Authorization headers, and hands requests to next (nil: 401 asking for credentials).
type recordingServer struct {
	srv       *httptest.Server
	url       string // as the tests name it: http://HOST:PORT
	mu        sync.Mutex
	requests  int
	passwords []string
}

func (e *remoteEnv) startRecording(host string, next func(s *recordingServer, w http.ResponseWriter, r *http.Request)) *recordingServer {
	e.t.Helper()
	s := &recordingServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		if _, pw, ok := r.BasicAuth(); ok {
			s.passwords = append(s.passwords, pw)
		}
		s.mu.Unlock()
		if next == nil {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next(s, w, r)
	}))
	e.t.Cleanup(s.srv.Close)
	s.url = strings.Replace(s.srv.URL, "127.0.0.1", host, 1)
	return s
}

func (s *recordingServer) seen() (int, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, append([]string(nil), s.passwords...)
}

// basicAuth checks user/password on a request, asking for them when missing or wrong.
func basicAuth(w http.ResponseWriter, r *http.Request, password string) bool {
	if user, pw, ok := r.BasicAuth(); ok && user == "user" && pw == password {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return false
}

// credentialStore configures git's store helper with ~/.git-credentials holding a password for
// each of the given http://HOST:PORT, and returns the file's path and content.
func (e *remoteEnv) credentialStore(hosts map[string]string) (string, string) {
	e.t.Helper()
	var b strings.Builder
	for url, password := range hosts {
		fmt.Fprintf(&b, "%s\n", strings.Replace(url, "http://", "http://user:"+password+"@", 1))
	}
	path := e.writeFile(filepath.Join(".home", ".git-credentials"), b.String(), 0o600)
	e.git("", "config", "--global", "credential.helper", "store")
	return path, b.String()
}

func (e *remoteEnv) fileContent(path string) string {
	e.t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(data)
}

// TestHostileCredentialURLs: URLs with an encoded or raw newline, carriage return or NUL in
// their host, path or user are refused, one fatal line, before any request and before any
// credential helper runs, whichever command and however the URL is given.
func TestHostileCredentialURLs(t *testing.T) {
	e := newRemoteEnv(t)
	a := e.startRecording("127.0.0.1", nil)
	b := e.startRecording("localhost", nil)
	store, content := e.credentialStore(map[string]string{a.url: "secretA", b.url: "secretB"})
	helperLog := e.path("helper.log")
	// a second helper that records being run: it must never be
	e.git("", "config", "--global", "--add", "credential.helper", "!f() { echo \"$1\" >> "+helperLog+"; }; f")
	e.newRepo("repo", 1)
	e.mustModel("repo", "register", "m")
	hostA := strings.TrimPrefix(a.url, "http://")
	hostB := strings.TrimPrefix(b.url, "http://")

	urls := map[string]string{ // URL → the part the error names
		a.url + "/origin.git%0ahost=" + hostB:         "path",
		a.url + "/origin.git%0Ahost=" + hostB:         "path",
		a.url + "/x%0d/origin.git":                    "path",
		a.url + "/x%0D%0Aprotocol=https":              "path",
		a.url + "/x%00y":                              "path",
		a.url + "/x\nhost=" + hostB:                   "path",
		"http://u%0a@" + hostA + "/origin.git":        "username",
		"http://u%0d%0ahost=" + hostB + "@" + hostA:   "username",
		"http://%00@" + hostA + "/x":                  "username",
		"http://user:pw%0a@" + hostA + "/x%0ay":       "path",
		"http://127.0.0.1%0a" + hostB + "/origin.git": "host",
		"http://" + hostA + "%0d/x":                   "host",
		"HTTP://" + hostA + "%00/x":                   "host",
		"https://u%0A@" + hostA + "/x":                "username",
	}
	i := 0
	for url, part := range urls {
		i++
		e.git("repo", "remote", "add", fmt.Sprintf("evil%d", i), url)
		for _, args := range [][]string{
			{"fetch", "--remote", url},
			{"push", "--remote", url},
			{"push", "--remote", fmt.Sprintf("evil%d", i)},
			{"fetch", "--remote", fmt.Sprintf("evil%d", i)},
			{"ls", "-R", url},
			{"promote", "m", "dev", "--push", "--remote", url},
		} {
			res := e.model("repo", args...)
			what := fmt.Sprintf("%q", args)
			if res.code != 128 {
				t.Errorf("%s: exit %d, want 128 (stderr %q)", what, res.code, res.stderr)
			}
			oneLine(t, what, res.stderr)
			if !strings.HasPrefix(res.stderr, "fatal: credential url cannot be parsed: '") ||
				!strings.Contains(res.stderr, "in its "+part+")") {
				t.Errorf("%s: stderr %q, want git's refusal naming the %s", what, res.stderr, part)
			}
			if strings.Contains(res.stderr, "pw") {
				t.Errorf("%s: the password shows: %q", what, res.stderr)
			}
			if args[0] == "promote" {
				e.git("repo", "tag", "-d", "m#dev#1")
			}
		}
	}
	// rewritten by url.<base>.insteadOf: the URL that would be used is checked
	e.git("", "config", "--global", "url."+a.url+"/x%0a.insteadOf", "evil:")
	res := e.model("repo", "fetch", "--remote", "evil:y")
	if res.code != 128 || !strings.HasPrefix(res.stderr, "fatal: credential url cannot be parsed:") {
		t.Errorf("fetch through insteadOf: exit %d, stderr %q", res.code, res.stderr)
	}
	for _, s := range []*recordingServer{a, b} {
		if n, _ := s.seen(); n != 0 {
			t.Errorf("the server at %s had %d requests", s.url, n)
		}
	}
	if got := e.fileContent(store); got != content {
		t.Errorf("the credential store changed:\n%s\nwas:\n%s", got, content)
	}
	if _, err := os.Stat(helperLog); err == nil {
		t.Errorf("a credential helper ran: %s", e.fileContent(helperLog))
	}
	// the same URLs, cleaned, do reach the server, and the store's password for it: the
	// refusals above are about the URLs, not about the setup
	res = e.model("repo", "fetch", "--remote", a.url+"/origin.git")
	if n, pws := a.seen(); n == 0 || len(pws) == 0 || pws[0] != "secretA" {
		t.Errorf("a clean URL: %d requests, passwords %q (exit %d, %q)", n, pws, res.code, res.stderr)
	}
}

// TestHostileRedirect: a server that redirects to another host never gets there the password
// of the first, before or after authenticating, and nothing is rejected from the store because
// of what the other host did. A redirect on the same host is still followed.
func TestHostileRedirect(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	e.newRepo("work", 1)
	e.mustModel("work", "register", "m")
	e.git("work", "push", "-q", e.path("srv/origin.git"), "--tags")
	backend := e.gitHTTPBackend(e.path("srv"))
	other := e.startRecording("localhost", nil) // always asks for credentials
	var afterAuth atomic.Bool
	a := e.startRecording("127.0.0.1", func(s *recordingServer, w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/moved.git/"): // on the same host
			http.Redirect(w, r, strings.Replace(r.URL.String(), "/moved.git/", "/origin.git/", 1), http.StatusMovedPermanently)
			return
		case strings.HasPrefix(r.URL.Path, "/away.git/") && !afterAuth.Load():
			http.Redirect(w, r, other.url+"/origin.git/info/refs?"+r.URL.RawQuery, http.StatusFound)
			return
		}
		if !basicAuth(w, r, "secretA") {
			return
		}
		if strings.HasPrefix(r.URL.Path, "/away.git/") {
			http.Redirect(w, r, other.url+"/origin.git/info/refs?"+r.URL.RawQuery, http.StatusFound)
			return
		}
		backend.ServeHTTP(w, r)
	})
	store, content := e.credentialStore(map[string]string{a.url: "secretA", other.url: "secretB"})
	e.git("", "init", "-q", "reader")

	for _, auth := range []bool{false, true} { // redirected before, then after authenticating
		afterAuth.Store(auth)
		for _, args := range [][]string{
			{"fetch", "--remote", a.url + "/away.git"},
			{"push", "--remote", a.url + "/away.git"},
			{"ls", "-R", a.url + "/away.git"},
		} {
			res := e.model("reader", args...)
			what := fmt.Sprintf("%q after auth %v", args, auth)
			if res.code == 0 {
				t.Errorf("%s succeeded: %q", what, res.stdout)
			}
			oneLine(t, what, res.stderr)
			if !strings.Contains(res.stderr, "redirect") || strings.Contains(res.stderr, "secret") {
				t.Errorf("%s: stderr %q", what, res.stderr)
			}
		}
	}
	if _, pws := other.seen(); len(pws) > 0 {
		t.Errorf("the other host received passwords: %q", pws)
	}
	if _, pws := a.seen(); len(pws) == 0 {
		t.Errorf("the first host never received its password: the test does not test the redirect after authentication")
	}
	if got := e.fileContent(store); got != content {
		t.Errorf("the credential store changed:\n%s\nwas:\n%s", got, content)
	}
	// same host, another path: followed, and the store's password works
	out := e.mustModel("reader", "fetch", "--remote", a.url+"/moved.git")
	if !strings.Contains(out, "[new tag]      m@v0.0.1") {
		t.Errorf("fetch through a redirect on the same host: %q", out)
	}
}

// TestHostilePasswordsNeverPrinted: a URL's password (and user) is never in the output, in an
// error, in a hint, nor in the cache's folder names; two URLs that differ only by the password
// share one mirror.
func TestHostilePasswordsNeverPrinted(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	e.git("srv/origin.git", "config", "http.receivepack", "true")
	backend := e.gitHTTPBackend(e.path("srv"))
	s := e.startRecording("127.0.0.1", func(s *recordingServer, w http.ResponseWriter, r *http.Request) {
		if basicAuth(w, r, "Sup3rSecret") {
			backend.ServeHTTP(w, r)
		}
	})
	good := "http://user:Sup3rSecret@" + strings.TrimPrefix(s.url, "http://") + "/origin.git"
	wrong := "http://user:Wr0ngPass@" + strings.TrimPrefix(s.url, "http://") + "/origin.git"
	closed := fmt.Sprintf("http://user:Cl0sedPass@127.0.0.1:%d/origin.git", closedPort(t))
	shown := s.url + "/origin.git"
	secrets := []string{"Sup3rSecret", "Wr0ngPass", "Cl0sedPass", "user:", "user@"}

	var outputs []string
	run := func(dir string, args ...string) remoteResult {
		t.Helper()
		res := e.model(dir, args...)
		outputs = append(outputs, fmt.Sprintf("%s %d:\n%s%s", args[0], len(outputs), res.stdout, res.stderr))
		return res
	}
	e.newRepo("repo", 1)
	if res := run("repo", "register", "m", "--push", "--remote", good); res.code != 0 || !strings.Contains(res.stdout, "To "+shown+"\n") {
		t.Errorf("register --push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	if res := run("repo", "register", "n", "--remote", good); !strings.Contains(res.stdout, "To publish: git push "+shown+" n@v0.0.1\n") {
		t.Errorf("register's hint: %q", res.stdout)
	}
	if res := run("repo", "push", "--remote", good); res.code != 0 || res.stdout != "To "+shown+"\n * [new tag]    n@v0.0.1\n" {
		t.Errorf("push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	e.git("", "init", "-q", "reader")
	if res := run("reader", "fetch", "--remote", good); res.code != 0 || !strings.HasPrefix(res.stdout, "From "+shown+"\n") {
		t.Errorf("fetch: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	// a tag the remote has with another target: both messages name the remote
	e.git("reader", "commit", "-q", "--allow-empty", "-m", "other")
	e.git("reader", "tag", "-f", "-a", "m@v0.0.1", "-m", "mine")
	if res := run("reader", "fetch", "--remote", good); res.code != 1 || !strings.Contains(res.stderr, "kept 'm@v0.0.1', which '"+shown+"'") {
		t.Errorf("fetch keeping a tag: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := run("reader", "push", "--remote", good, "m"); res.code != 1 || !strings.Contains(res.stderr, "to '"+shown+"'") || !strings.Contains(res.stdout, "m@v0.0.1 (already exists") {
		t.Errorf("push of a conflicting tag: exit %d, stderr %q", res.code, res.stderr)
	}
	// failures: a wrong password, a closed port; with the retry hint
	for _, url := range []string{wrong, closed} {
		for _, args := range [][]string{
			{"promote", "m", "dev", "--push", "--remote", url},
			{"push", "--remote", url},
			{"fetch", "--remote", url},
		} {
			res := run("repo", args...)
			if res.code != 1 {
				t.Errorf("%q: exit %d, want 1 (stderr %q)", args, res.code, res.stderr)
			}
			oneLine(t, fmt.Sprintf("%q", args), res.stderr)
			if args[0] == "promote" && !strings.Contains(res.stderr, "git model push --remote http://") {
				t.Errorf("%q: no retry hint: %q", args, res.stderr)
			}
		}
		e.git("repo", "tag", "-d", "m#dev#1")
	}
	// reading through the cache, alone and with others; offline with another password
	for _, args := range [][]string{
		{"ls", "-R", good},
		{"ls", "-R", good, "-R", e.path("repo")},
		{"ls", "--json", "-R", good, "-R", e.path("repo")},
		{"ls", "-R", good, "-R", closed},
		{"ls", "-R", wrong},
		{"ls", "-R", closed},
	} {
		res := run("", args...)
		if last := args[len(args)-1]; (last == wrong || last == closed) && res.code == 0 {
			t.Errorf("%q succeeded", args)
		}
	}
	if res := run("", "ls", "--offline", "-R", strings.Replace(good, "Sup3rSecret", "Ch4nged", 1)); res.code != 0 || !strings.Contains(res.stdout, "m ") {
		t.Errorf("ls --offline with another password does not read the same mirror: exit %d, %q %q", res.code, res.stdout, res.stderr)
	}
	if res := run("", "ls", "-R", good, "-R", e.path("repo")); !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(shown) + ` +m `).MatchString(res.stdout) {
		t.Errorf("ls over two repositories: the repo column does not show %s: %q", shown, res.stdout)
	}
	for _, out := range outputs {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%q shows in the output of %s", secret, out)
			}
		}
	}
	mirrors := 0
	filepath.Walk(e.path("cache"), func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		for _, secret := range secrets[:3] {
			if strings.Contains(path, secret) {
				t.Errorf("the cache path %s holds a password", path)
			}
		}
		if strings.HasSuffix(path, ".git") && info.IsDir() && filepath.Dir(path) == e.path("cache", "git-model") {
			mirrors++
			if cfg := e.fileContent(filepath.Join(path, "config")); strings.Contains(cfg, "Sup3rSecret") || strings.Contains(cfg, "user") {
				t.Errorf("the mirror's config holds the user or the password:\n%s", cfg)
			}
		}
		return nil
	})
	if mirrors != 1 {
		t.Errorf("want one mirror for URLs that differ by their password only, have %d", mirrors)
	}
}

// treeState describes every file under dir (path, kind, size, content hash), to check that
// something was left untouched.
func treeState(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d", path, info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", data)
		}
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHostileMirrorCache: a cache entry that is a symbolic link (the folder or its lock file),
// or a repository that git-model did not make, is refused with an error naming it and left
// as it is; a failed first fetch leaves neither a folder nor a lock file.
func TestHostileMirrorCache(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	url := e.startGitDaemon(e.path("srv")) + "/origin.git"
	e.newRepo("work", 1)
	e.mustModel("work", "register", "m", "--push", "--remote", url)
	e.mustModel("", "ls", "-R", url)
	mirrors, _ := filepath.Glob(e.path("cache", "git-model", "*.git"))
	if len(mirrors) != 1 {
		t.Fatalf("want one mirror, have %v", mirrors)
	}
	mirror := mirrors[0]
	if _, err := os.Stat(mirror + ".lock"); err != nil {
		t.Fatalf("no lock file next to the mirror: %v", err)
	}
	saved := e.path("saved.git")
	if err := os.Rename(mirror, saved); err != nil {
		t.Fatal(err)
	}
	e.mustModel("work", "promote", "m", "prod", "--push", "--remote", url) // something to fetch

	refused := func(what, path string) {
		t.Helper()
		for _, args := range [][]string{{"ls", "-R", url}, {"ls", "--offline", "-R", url}, {"history", "-R", url}} {
			res := e.model("", args...)
			if res.code != 128 {
				t.Errorf("%s, %q: exit %d, want 128 (stderr %q)", what, args, res.code, res.stderr)
			}
			oneLine(t, what, res.stderr)
			if !strings.HasPrefix(res.stderr, "fatal: the cache entry '"+path+"' ") {
				t.Errorf("%s, %q: stderr %q does not name %s", what, args, res.stderr, path)
			}
		}
	}

	// the folder is a symbolic link to a mirror (that git-model made) elsewhere
	if err := os.Symlink(saved, mirror); err != nil {
		t.Fatal(err)
	}
	before := treeState(t, saved)
	refused("a symbolic link", mirror)
	if after := treeState(t, saved); after != before {
		t.Errorf("the target of the symbolic link changed")
	}
	os.Remove(mirror)

	// the lock file is a symbolic link, to a file and to nowhere
	os.Remove(mirror + ".lock")
	target := e.writeFile("target", "keep\n", 0o644)
	for _, to := range []string{target, e.path("nowhere")} {
		if err := os.Symlink(to, mirror+".lock"); err != nil {
			t.Fatal(err)
		}
		refused("a symbolic link as lock", mirror+".lock")
		if _, err := os.Lstat(e.path("nowhere")); err == nil {
			t.Errorf("the lock's symbolic link was followed: %s created", e.path("nowhere"))
		}
		os.Remove(mirror + ".lock")
	}
	if got := e.fileContent(target); got != "keep\n" {
		t.Errorf("the lock's target changed: %q", got)
	}

	// repositories that git-model did not make: bare, with a work tree, a mirror without the mark
	e.git("", "init", "-q", "--bare", mirror)
	e.git("", "clone", "-q", "--bare", e.path("work"), e.path("plain.git"))
	for _, make := range []func(){
		func() { e.git("", "init", "-q", "--bare", mirror) },
		func() { e.git("", "init", "-q", mirror); e.writeFile(filepath.Join(mirror, "f"), "x", 0o644) },
		func() { e.git("", "clone", "-q", "--bare", e.path("work"), mirror) },
		func() { e.git("", "clone", "-q", "--bare", saved, mirror) }, // a copy: git clone leaves the mark
		func() {
			e.git("", "clone", "-q", "--bare", saved, mirror)
			e.git(mirror, "config", "gitmodel.mirror", "git://elsewhere/origin.git")
		},
		func() { e.writeFile(filepath.Join(mirror), "a file\n", 0o644) },
	} {
		os.RemoveAll(mirror)
		make()
		before := treeState(t, mirror)
		refused("not git-model's", mirror)
		if after := treeState(t, mirror); after != before {
			t.Errorf("a cache entry that git-model did not make was modified:\n%s\nwas:\n%s", after, before)
		}
	}
	// put back, it is used again
	os.RemoveAll(mirror)
	if err := os.Rename(saved, mirror); err != nil {
		t.Fatal(err)
	}
	if out := e.mustModel("", "ls", "-R", url); !strings.Contains(out, "prod") {
		t.Errorf("ls -R through the mirror put back: %q", out)
	}

	// a failed first fetch, and --offline on nothing: no folder, no lock file left
	for _, args := range [][]string{
		{"ls", "-R", fmt.Sprintf("git://127.0.0.1:%d/gone.git", closedPort(t))},
		{"ls", "-R", strings.TrimSuffix(url, "origin.git") + "missing.git"},
		{"ls", "--offline", "-R", strings.TrimSuffix(url, "origin.git") + "never.git"},
	} {
		res := e.model("", args...)
		if res.code != 128 {
			t.Errorf("%q: exit %d, want 128 (stderr %q)", args, res.code, res.stderr)
		}
		entries, _ := os.ReadDir(e.path("cache", "git-model"))
		var names []string
		for _, entry := range entries {
			if entry.Name() != filepath.Base(mirror) && entry.Name() != filepath.Base(mirror)+".lock" {
				names = append(names, entry.Name())
			}
		}
		if len(names) > 0 {
			t.Errorf("%q left %v in the cache", args, names)
		}
	}
}

// slowServer serves srv over smart HTTP, holding the first object request (the fetch proper)
// until release is closed: the window in which the test writes a local tag.
type slowServer struct {
	url     string
	held    chan struct{} // closed when a request is held
	release chan struct{}
	once    sync.Once
}

func (e *remoteEnv) startSlow(root string) *slowServer {
	backend := e.gitHTTPBackend(root)
	s := &slowServer{held: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/git-upload-pack") {
			s.once.Do(func() { close(s.held) })
			select {
			case <-s.release:
			case <-time.After(30 * time.Second):
			}
		}
		backend.ServeHTTP(w, r)
	}))
	e.t.Cleanup(srv.Close)
	s.url = srv.URL + "/origin.git"
	return s
}

// start runs `git model ARGS…` in dir without waiting.
func (e *remoteEnv) start(dir string, args ...string) func() remoteResult {
	e.t.Helper()
	cmd := exec.Command("git", append([]string{"model"}, args...)...)
	cmd.Dir = e.path(dir)
	cmd.Env = e.vars
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	done := make(chan struct{})
	var res remoteResult
	go func() {
		err := cmd.Wait()
		res = remoteResult{stdout: stdout.String(), stderr: stderr.String()}
		if exit, ok := err.(*exec.ExitError); ok {
			res.code = exit.ExitCode()
		} else if err != nil {
			res.code = -1
		}
		close(done)
	}()
	return func() remoteResult {
		select {
		case <-done:
		case <-time.After(remoteCommandTimeout):
			cmd.Process.Kill()
			<-done
			e.t.Fatalf("git model %q: no answer within %v", args, remoteCommandTimeout)
		}
		return res
	}
}

// TestHostileFetchRace: tags written locally while a fetch runs (git tag -a, git model
// register, a tag moved under fetch --force) are kept and reported, never overwritten; the
// other tags are fetched; the temporary refs are gone after, also after a failed fetch.
func TestHostileFetchRace(t *testing.T) {
	e := newRemoteEnv(t)
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	e.newRepo("work", 1)
	e.mustModel("work", "promote", "m", "prod")
	e.mustModel("work", "register", "n")
	e.git("work", "push", "-q", e.path("srv/origin.git"), "--tags")
	remoteM := strings.TrimSpace(e.git("srv/origin.git", "rev-parse", "m@v0.0.1"))

	noTempRefs := func(dir string) {
		t.Helper()
		if refs := e.git(dir, "for-each-ref", "refs/git-model/"); refs != "" {
			t.Errorf("temporary refs left in %s:\n%s", dir, refs)
		}
	}
	for i, write := range []struct {
		name  string
		force bool
		setup func(dir string) // before the fetch
		race  func(dir string) // while it is held
	}{
		{"git tag -a", false, nil, func(dir string) { e.git(dir, "tag", "-a", "m@v0.0.1", "-m", "local") }},
		{"git model register", false, nil, func(dir string) { e.mustModel(dir, "register", "m") }},
		{"moved under --force", true,
			func(dir string) { e.git(dir, "tag", "-a", "m@v0.0.1", "-m", "first") },
			func(dir string) {
				e.git(dir, "commit", "-q", "--allow-empty", "-m", "later")
				e.git(dir, "tag", "-f", "-a", "m@v0.0.1", "-m", "moved")
			}},
	} {
		t.Run(write.name, func(t *testing.T) {
			slow := e.startSlow(e.path("srv"))
			dir := fmt.Sprintf("reader%d", i)
			e.newRepo(dir, 2) // a HEAD of its own: a tag registered here differs from the remote's
			if write.setup != nil {
				write.setup(dir)
			}
			args := []string{"fetch", "--remote", slow.url}
			if write.force {
				args = append(args, "--force")
			}
			wait := e.start(dir, args...)
			select {
			case <-slow.held:
			case <-time.After(remoteCommandTimeout):
				t.Fatal("the fetch never asked for objects")
			}
			write.race(dir)
			local := e.git(dir, "rev-parse", "m@v0.0.1")
			close(slow.release)
			res := wait()
			if res.code != 1 {
				t.Errorf("exit %d, want 1 (stdout %q, stderr %q)", res.code, res.stdout, res.stderr)
			}
			oneLine(t, "stderr", res.stderr)
			if !strings.HasPrefix(res.stderr, "error: kept 'm@v0.0.1', which '"+slow.url+"' has with another target") {
				t.Errorf("stderr %q", res.stderr)
			}
			if after := e.git(dir, "rev-parse", "m@v0.0.1"); after != local || strings.TrimSpace(after) == remoteM {
				t.Errorf("the local m@v0.0.1 was overwritten: %s, was %s", after, local)
			}
			if strings.Contains(res.stdout, "m@v0.0.1") {
				t.Errorf("stdout reports m@v0.0.1: %q", res.stdout)
			}
			for _, tag := range []string{"m#prod#1", "n@v0.0.1"} {
				if !e.hasRef(dir, "refs/tags/"+tag) || !strings.Contains(res.stdout, "[new tag]      "+tag) {
					t.Errorf("%s not fetched: stdout %q", tag, res.stdout)
				}
			}
			noTempRefs(dir)
		})
	}

	// without a race, --force moves the tag (compare and swap that succeeds)
	e.newRepo("forced", 1)
	e.git("forced", "tag", "-a", "m@v0.0.1", "-m", "mine")
	out := e.mustModel("forced", "fetch", "--force", "--remote", e.path("srv/origin.git"))
	if !strings.Contains(out, " t [tag update]   m@v0.0.1") || strings.TrimSpace(e.git("forced", "rev-parse", "m@v0.0.1")) != remoteM {
		t.Errorf("fetch --force: %q", out)
	}
	noTempRefs("forced")

	// a fetch that fails once it has asked for objects: nothing created, no temporary refs
	backend := e.gitHTTPBackend(e.path("srv"))
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	defer failing.Close()
	e.newRepo("failed", 1)
	res := e.model("failed", "fetch", "--remote", failing.URL+"/origin.git")
	if res.code != 1 || len(e.tagNames("failed")) != 0 {
		t.Errorf("a failed fetch: exit %d, stderr %q, tags %v", res.code, res.stderr, e.tagNames("failed"))
	}
	noTempRefs("failed")
}

// asNobody runs `git model ARGS…` in dir as the user nobody, whom the files' permissions bind
// (root ignores them).
func (e *remoteEnv) asNobody(dir string, args ...string) remoteResult {
	e.t.Helper()
	return e.run(dir, nil, "setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", "git", "model"}, args...)...)
}

// openUp lets nobody reach the work directory, the binary and the global config.
func (e *remoteEnv) openUp() {
	e.t.Helper()
	for _, dir := range []string{filepath.Dir(e.work), e.work, e.path(".home"), binDir} {
		if err := os.Chmod(dir, 0o755); err != nil {
			e.t.Fatal(err)
		}
	}
	tmp := e.path("tmp")
	if err := os.MkdirAll(tmp, 0o1777); err != nil {
		e.t.Fatal(err)
	}
	os.Chmod(tmp, 0o1777)
	e.vars = append(e.vars, "TMPDIR="+tmp)
}

// chownTree gives dir to nobody (so that libgit2's ownership check passes) and takes the write
// permission away from everything in it.
func chownTree(t *testing.T, dir string, writable bool) {
	t.Helper()
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(path, 65534, 65534); err != nil {
			return err
		}
		mode := info.Mode().Perm() &^ 0o222
		if writable {
			mode |= 0o200
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func localFailure(t *testing.T, what string, res remoteResult, want string) {
	t.Helper()
	if res.code != 128 {
		t.Errorf("%s: exit %d, want 128 (stderr %q)", what, res.code, res.stderr)
	}
	oneLine(t, what, res.stderr)
	if !strings.HasPrefix(res.stderr, "fatal: ") || strings.Contains(res.stderr, "cannot reach") ||
		!strings.Contains(strings.ToLower(res.stderr), want) {
		t.Errorf("%s: stderr %q, want a local failure saying %q", what, res.stderr, want)
	}
}

// TestHostileLocalDisk: a local repository or cache that refuses writes (read-only, full) makes
// fetch and the mirror's refresh fail as local failures: exit 128, "fatal:", never "cannot reach
// the remote".
func TestHostileLocalDisk(t *testing.T) {
	e := newRemoteEnv(t)
	e.openUp()
	e.git("", "config", "--global", "--add", "safe.directory", "*") // git as root, on nobody's
	e.git("", "init", "-q", "--bare", "srv/origin.git")
	url := e.startGitDaemon(e.path("srv")) + "/origin.git"
	e.newRepo("work", 1)
	e.mustModel("work", "promote", "m", "prod", "--push", "--remote", url)

	// a repository that nobody may read but not write
	e.newRepo("readonly", 1)
	chownTree(t, e.path("readonly"), false)
	for _, args := range [][]string{{"fetch", "--remote", url}, {"fetch", "--force", "--remote", url}} {
		localFailure(t, fmt.Sprintf("%q in a read-only repository", args), e.asNobody("readonly", args...), "permission denied")
	}
	if tags := e.tagNames("readonly"); len(tags) != 0 {
		t.Errorf("tags in the read-only repository: %v", tags)
	}
	// the same, writable: it works as nobody (the failure above is the permissions')
	chownTree(t, e.path("readonly"), true)
	if res := e.asNobody("readonly", "fetch", "--remote", url); res.code != 0 {
		t.Errorf("fetch as nobody in a writable repository: exit %d, stderr %q", res.code, res.stderr)
	}

	// a cache that nobody may not write: no mirror yet, then a mirror to refresh
	cacheEnv := "XDG_CACHE_HOME=" + e.path("rocache")
	if err := os.MkdirAll(e.path("rocache", "git-model"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := e.run("", []string{cacheEnv}, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "git", "model", "ls", "-R", url)
	localFailure(t, "ls -R with a read-only cache", res, "permission denied")
	if res := e.run("", []string{cacheEnv}, "git", "model", "ls", "-R", url); res.code != 0 {
		t.Fatalf("ls -R as root: exit %d, stderr %q", res.code, res.stderr)
	}
	e.mustModel("work", "register", "n", "--push", "--remote", url) // something new to fetch
	chownTree(t, e.path("rocache"), false)
	mirrors, _ := filepath.Glob(e.path("rocache", "git-model", "*.git"))
	if len(mirrors) != 1 {
		t.Fatalf("mirrors: %v", mirrors)
	}
	os.Chmod(mirrors[0]+".lock", 0o644) // the lock may be taken; the mirror may not be written
	res = e.run("", []string{cacheEnv}, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "git", "model", "ls", "-R", url)
	localFailure(t, "refreshing a read-only mirror", res, "permission denied")

	// a full disk: a small tmpfs, filled up
	full := e.path("full")
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", full).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs for a full disk: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", full).Run() })
	e.git("", "init", "-q", "--template=", filepath.Join(full, "repo"))
	filler, err := os.Create(filepath.Join(full, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 4096)
	for {
		if _, err := filler.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	filler.Close()
	for _, args := range [][]string{{"fetch", "--remote", url}} {
		res := e.model(filepath.Join(full, "repo"), args...)
		localFailure(t, fmt.Sprintf("%q on a full disk", args), res, "no space left on device")
	}
	res = e.run("", []string{"XDG_CACHE_HOME=" + filepath.Join(full, "cache")}, "git", "model", "ls", "-R", url)
	localFailure(t, "ls -R with a full cache", res, "no space left on device")
}
