package gitrepo

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// TestPushLocalRemoteURLs classifies remote URLs as git does (connect.c): file:// URLs and paths are
// local, scp-like and other URLs are not.
func TestPushLocalRemoteURLs(t *testing.T) {
	home := scrubEnv(t)
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		path string // "" when not local
	}{
		{"/srv/models.git", "/srv/models.git"},
		{"/srv/a b/models.git/", "/srv/a b/models.git"},
		{"file:///srv/models.git", "/srv/models.git"},
		{"file://localhost/srv/models.git", "/srv/models.git"}, // git drops the host
		{"file://anyhost/srv/models.git", "/srv/models.git"},
		{"file:///srv/a%20b/m%2Fx.git", "/srv/a b/m/x.git"},
		{"file:///srv/100%/x%zz", "/srv/100%/x%zz"}, // not escapes: kept, as git keeps them
		{"../origin.git", filepath.Join(filepath.Dir(wd), "origin.git")},
		{"origin", filepath.Join(wd, "origin")},
		{"./host:models.git", filepath.Join(wd, "host:models.git")},
		{"/srv/a:b", "/srv/a:b"},
		{"~/models.git", filepath.Join(home, "models.git")},
		{"~", home},
		{"host:models.git", ""},
		{"git@github.com:acme/models.git", ""},
		{"ssh://host/srv/models.git", ""},
		{"https://user:secret@host/models.git", ""},
		{"git://127.0.0.1:9418/models.git", ""},
		{"FILE:///srv/models.git", ""}, // git runs a helper git-remote-FILE
		{"ext::ssh host", ""},
		{"file://nopath", ""},
		{"", ""},
	} {
		path, ok := LocalRemote(tc.url)
		if ok != (tc.path != "") || path != tc.path {
			t.Errorf("LocalRemote(%q) = %q, %v; want %q, %v", tc.url, path, ok, tc.path, tc.path != "")
		}
	}
	if u, err := user.Current(); err == nil && u.HomeDir != "" && u.Username != "" {
		if path, ok := LocalRemote("~" + u.Username + "/x.git"); !ok || path != filepath.Join(u.HomeDir, "x.git") {
			t.Errorf("LocalRemote(~%s/x.git) = %q, %v; want %q", u.Username, path, ok, filepath.Join(u.HomeDir, "x.git"))
		}
	}
}

// localPushFixture is a repository with tags a, b and c, and a bare remote (in a folder whose
// name holds a space) whose pre-receive, update and post-receive hooks log what they see.
type localPushFixture struct {
	t      *testing.T
	dir    string // the work tree
	bare   string
	log    string // what the hooks ran with
	repo   *Repository
	tag    map[string]string // name → tag object id
	commit string
}

func newLocalPushFixture(t *testing.T) *localPushFixture {
	t.Helper()
	f := &localPushFixture{t: t, dir: newRepo(t), tag: map[string]string{}}
	root := filepath.Dir(f.dir)
	f.bare = filepath.Join(root, "srv dir", "origin.git")
	f.log = filepath.Join(root, "hooks.log")
	gittest.Git(t, root, "init", "-q", "--bare", f.bare)
	for _, hook := range []string{"pre-receive", "post-receive"} {
		writeHook(t, f.bare, hook, `#!/bin/sh
while read old new ref; do
	echo "`+hook+` $ref" >> "`+f.log+`"
	echo "`+hook+` saw ${ref#refs/tags/}"
done
`)
	}
	// The update hook declines tags named *reject*, one ref at a time.
	writeHook(t, f.bare, "update", `#!/bin/sh
echo "update $1" >> "`+f.log+`"
case "$1" in *reject*) echo "tag ${1#refs/tags/} is not welcome" >&2; exit 1 ;; esac
exit 0
`)
	// This clone's pre-push hook must not run (--no-verify), as for libgit2's pushes.
	writeHook(t, filepath.Join(f.dir, ".git"), "pre-push", "#!/bin/sh\necho pre-push >> \""+f.log+"\"\nexit 1\n")
	f.commit = gittest.Git(t, f.dir, "rev-parse", "HEAD")
	for _, name := range []string{"a", "b", "c", "to-reject"} {
		f.addTag(name, "first "+name)
	}
	f.repo = openRepo(t, f.dir)
	return f
}

func writeHook(t *testing.T, gitDir, name, script string) {
	t.Helper()
	path := filepath.Join(gitDir, "hooks", name)
	gittest.WriteFile(t, path, script)
	if err := os.Chmod(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// addTag creates (or replaces) the annotated tag name on HEAD.
func (f *localPushFixture) addTag(name, message string) string {
	f.t.Helper()
	gittest.Git(f.t, f.dir, "tag", "-f", "-a", name, "-m", message)
	f.tag[name] = gittest.Git(f.t, f.dir, "rev-parse", "refs/tags/"+name)
	return f.tag[name]
}

// remoteTag is the id of the remote's tag, or "".
func (f *localPushFixture) remoteTag(name string) string {
	f.t.Helper()
	out, _ := runGit(f.bare, "rev-parse", "-q", "--verify", "refs/tags/"+name)
	return strings.TrimSpace(out)
}

// hookLog returns what the hooks logged since the last call, and empties the log.
func (f *localPushFixture) hookLog() string {
	f.t.Helper()
	data, err := os.ReadFile(f.log)
	if err != nil && !os.IsNotExist(err) {
		f.t.Fatal(err)
	}
	os.Remove(f.log)
	return string(data)
}

func (f *localPushFixture) push(url string, updates ...RefUpdate) ([]RefResult, []string) {
	f.t.Helper()
	results, messages, err := f.repo.pushLocalMessages(url, updates)
	if err != nil {
		f.t.Fatalf("pushLocal(%q): %v", url, err)
	}
	return results, messages
}

// runGit runs git in dir, for what may fail.
func runGit(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return string(out), err
}

func wantResults(t *testing.T, what string, got []RefResult, want ...RefResult) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: results %+v, want %+v", what, got, want)
	}
}

// TestPushLocalRunsHooks pushes to a bare repository on a path: its hooks run as for git push,
// what they print comes back, leases hold or fail, and one ref refused by the update hook does
// not stop the others.
func TestPushLocalRunsHooks(t *testing.T) {
	f := newLocalPushFixture(t)
	// Three creations, one of them refused by the update hook. Whatever the environment says
	// of another repository (git model run from a hook, or with GIT_DIR), the push is this
	// repository's.
	other := filepath.Join(t.TempDir(), "other")
	gittest.Git(t, filepath.Dir(other), "init", "-q", other)
	leak := map[string]string{"GIT_DIR": filepath.Join(other, ".git"), "GIT_WORK_TREE": other,
		"GIT_INDEX_FILE": filepath.Join(other, "nowhere"), "GIT_OBJECT_DIRECTORY": filepath.Join(other, ".git", "objects")}
	for k, v := range leak {
		os.Setenv(k, v)
	}
	results, messages := f.push(f.bare,
		RefUpdate{Name: "a", New: f.tag["a"]}, RefUpdate{Name: "to-reject", New: f.tag["to-reject"]}, RefUpdate{Name: "b", New: f.tag["b"]})
	for k := range leak {
		os.Unsetenv(k) // scrubEnv registered their restoration
	}
	wantResults(t, "creations", results, RefResult{Name: "a"}, RefResult{Name: "to-reject", Reason: "hook declined"}, RefResult{Name: "b"})
	if f.remoteTag("a") != f.tag["a"] || f.remoteTag("b") != f.tag["b"] || f.remoteTag("to-reject") != "" {
		t.Errorf("the remote has a=%q b=%q to-reject=%q", f.remoteTag("a"), f.remoteTag("b"), f.remoteTag("to-reject"))
	}
	wantLog := "pre-receive refs/tags/a\npre-receive refs/tags/to-reject\npre-receive refs/tags/b\n" +
		"update refs/tags/a\nupdate refs/tags/to-reject\nupdate refs/tags/b\n" +
		"post-receive refs/tags/a\npost-receive refs/tags/b\n"
	if log := f.hookLog(); log != wantLog {
		t.Errorf("the hooks ran:\n%s\nwant:\n%s", log, wantLog)
	}
	wantMessages := []string{"pre-receive saw a", "pre-receive saw to-reject", "pre-receive saw b",
		"tag to-reject is not welcome", "error: hook declined to update refs/tags/to-reject",
		"post-receive saw a", "post-receive saw b"}
	if !reflect.DeepEqual(messages, wantMessages) {
		t.Errorf("messages %q, want %q", messages, wantMessages)
	}

	// A creation of a tag the remote has: with the same target it is up to date, with another
	// it is refused.
	oldA := f.tag["a"]
	f.addTag("a", "second a")
	results, _ = f.push(f.bare, RefUpdate{Name: "b", New: f.tag["b"]}, RefUpdate{Name: "a", New: f.tag["a"]})
	wantResults(t, "creations of existing tags", results, RefResult{Name: "b"}, RefResult{Name: "a", Reason: "already exists"})

	// A move whose lease fails, and one whose lease holds.
	results, _ = f.push(f.bare, RefUpdate{Name: "a", New: f.tag["a"], Old: f.tag["b"]})
	wantResults(t, "move with a stale lease", results, RefResult{Name: "a", Reason: "stale info"})
	if f.remoteTag("a") != oldA {
		t.Errorf("a stale lease moved the remote's tag")
	}
	f.hookLog()
	results, _ = f.push(f.bare, RefUpdate{Name: "a", New: f.tag["a"], Old: oldA})
	wantResults(t, "move with a lease that holds", results, RefResult{Name: "a"})
	if f.remoteTag("a") != f.tag["a"] {
		t.Errorf("the remote's a is %q, want %q", f.remoteTag("a"), f.tag["a"])
	}
	if log := f.hookLog(); !strings.Contains(log, "post-receive refs/tags/a") {
		t.Errorf("the move ran no post-receive: %q", log)
	}

	// Deletions: with a lease that fails, with one that holds.
	results, _ = f.push(f.bare, RefUpdate{Name: "b", Old: oldA})
	wantResults(t, "deletion with a stale lease", results, RefResult{Name: "b", Reason: "stale info"})
	results, messages = f.push(f.bare, RefUpdate{Name: "b", Old: f.tag["b"]}, RefUpdate{Name: "c", New: f.tag["c"]})
	wantResults(t, "deletion and creation", results, RefResult{Name: "b"}, RefResult{Name: "c"})
	if f.remoteTag("b") != "" || f.remoteTag("c") != f.tag["c"] {
		t.Errorf("after deleting b and creating c the remote has b=%q c=%q", f.remoteTag("b"), f.remoteTag("c"))
	}
	if want := []string{"pre-receive saw b", "pre-receive saw c", "post-receive saw b", "post-receive saw c"}; !reflect.DeepEqual(messages, want) {
		t.Errorf("deletion: messages %q, want %q", messages, want)
	}
	if log := f.hookLog(); strings.Contains(log, "pre-push") {
		t.Errorf("this clone's pre-push hook ran: %q", log)
	}
}

// TestPushLocalURLForms pushes through a relative path, a file:// URL (percent-encoded) and a
// path to a work tree's repository; a pre-receive hook refusing the push refuses every ref.
func TestPushLocalURLForms(t *testing.T) {
	f := newLocalPushFixture(t)
	root := filepath.Dir(f.dir)
	t.Chdir(f.dir)
	rel, err := filepath.Rel(f.dir, f.bare)
	if err != nil {
		t.Fatal(err)
	}
	results, _ := f.push(rel, RefUpdate{Name: "a", New: f.tag["a"]})
	wantResults(t, "relative path "+rel, results, RefResult{Name: "a"})
	fileURL := "file://" + strings.ReplaceAll(f.bare, " ", "%20")
	results, _ = f.push(fileURL, RefUpdate{Name: "b", New: f.tag["b"]})
	wantResults(t, fileURL, results, RefResult{Name: "b"})
	if f.remoteTag("a") != f.tag["a"] || f.remoteTag("b") != f.tag["b"] {
		t.Errorf("the remote lacks a or b")
	}

	writeHook(t, f.bare, "pre-receive", "#!/bin/sh\necho 'frozen: no pushes today' >&2\nexit 1\n")
	results, messages := f.push("file://"+f.bare, RefUpdate{Name: "c", New: f.tag["c"]}, RefUpdate{Name: "a", Old: f.tag["a"]})
	wantResults(t, "pre-receive refusal", results,
		RefResult{Name: "c", Reason: "pre-receive hook declined"}, RefResult{Name: "a", Reason: "pre-receive hook declined"})
	if len(messages) == 0 || messages[0] != "frozen: no pushes today" {
		t.Errorf("pre-receive refusal: messages %q", messages)
	}

	// A non-bare repository on a path (its checked-out branch is not touched by tag pushes).
	clone := filepath.Join(root, "clone with space")
	gittest.Git(t, root, "init", "-q", clone)
	results, _ = f.push("./"+filepath.Join("..", filepath.Base(clone)), RefUpdate{Name: "c", New: f.tag["c"]})
	wantResults(t, "work tree clone", results, RefResult{Name: "c"})
	if got, _ := runGit(clone, "rev-parse", "refs/tags/c"); strings.TrimSpace(got) != f.tag["c"] {
		t.Errorf("the clone's c is %q", got)
	}
}

// TestPushLocalCannotRun: no repository at the path, or no path at all, is an error that names
// the remote; the push changed nothing.
func TestPushLocalCannotRun(t *testing.T) {
	f := newLocalPushFixture(t)
	missing := filepath.Join(filepath.Dir(f.dir), "nowhere.git")
	results, err := f.repo.pushLocal(missing, []RefUpdate{{Name: "a", New: f.tag["a"]}})
	if err == nil || results != nil {
		t.Fatalf("push to %s: results %v, err %v", missing, results, err)
	}
	if msg := err.Error(); !strings.Contains(msg, missing) || !strings.Contains(msg, "does not appear to be a git repository") || strings.Contains(msg, "\n") {
		t.Errorf("push to %s: error %q", missing, msg)
	}
	if _, err := f.repo.pushLocal("https://host/x.git", []RefUpdate{{Name: "a", New: f.tag["a"]}}); err == nil {
		t.Errorf("pushLocal took an https URL")
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := f.repo.pushLocal(f.bare, []RefUpdate{{Name: "a", New: f.tag["a"]}}); err == nil || !strings.Contains(err.Error(), "git") {
		t.Errorf("push without git on PATH: %v", err)
	}
}
