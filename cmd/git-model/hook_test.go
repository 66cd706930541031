package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

// `git model hook post-receive` installed in a bare origin, served by git daemon and as a
// path, pushed to with git push and with git model push: one line per stage whose shown
// version the push changed, whatever the number and order of the tags it carries.

// hookFixture is a clone with commits c1 and c2 (v0.0.1 and v0.0.2 of m, published) and a bare
// origin whose post-receive hook runs git model hook post-receive and logs what it printed.
type hookFixture struct {
	e      *remoteEnv
	url    string // the origin as the clone pushes to it
	bare   string // the origin's folder, relative to the work directory
	log    string
	c1, c2 string // the commits of v0.0.1 and v0.0.2
}

// newHookFixture makes the fixture; daemon serves the origin over git://, else the clone
// pushes to its path. args are the options of the hook command.
func newHookFixture(t *testing.T, daemon bool, args ...string) *hookFixture {
	e := newRemoteEnv(t)
	// A path with a space in it; git daemon serves a plainer name.
	f := &hookFixture{e: e, bare: "srv/origin with space.git", log: e.path("hook.log")}
	if daemon {
		f.bare = "srv/origin.git"
	}
	e.git("", "init", "-q", "--bare", f.bare)
	f.install(args...)
	f.url = e.path(f.bare)
	if daemon {
		f.url = e.startGitDaemon(e.path("srv")) + "/origin.git"
	}
	e.newRepo("repo", 0)
	e.writeFile("repo/artifacts.yaml", "m:\n  type: model\n  path: models/m-1.pt\n", 0o644)
	e.git("repo", "add", "artifacts.yaml")
	e.git("repo", "commit", "-q", "-m", "c1")
	e.writeFile("repo/artifacts.yaml", "m:\n  type: model\n  path: models/m-2.pt\n", 0o644)
	e.git("repo", "commit", "-q", "-am", "c2")
	f.c1 = strings.TrimSpace(e.git("repo", "rev-parse", "HEAD~1"))
	f.c2 = strings.TrimSpace(e.git("repo", "rev-parse", "HEAD"))
	e.git("repo", "remote", "add", "origin", f.url)
	e.mustModel("repo", "register", "m", "HEAD~1")
	e.mustModel("repo", "register", "m", "HEAD")
	e.git("repo", "push", "-q", "origin", "main", "m@v0.0.1", "m@v0.0.2")
	if got := f.lines(); len(got) != 0 {
		t.Fatalf("pushing a branch and registrations reported %q", got)
	}
	return f
}

// install writes the origin's post-receive hook, as the documentation has it, but with the
// test's git-model on PATH and its output also logged.
func (f *hookFixture) install(args ...string) {
	f.e.writeHook(f.bare, "post-receive", fmt.Sprintf(`#!/bin/sh
PATH=%s:$PATH
export PATH
git model hook post-receive %s "$@" 2>&1 | tee -a '%s'
`, binDir, strings.Join(args, " "), f.log))
}

// lines returns what the hook printed since the last call.
func (f *hookFixture) lines() []string {
	f.e.t.Helper()
	data, err := os.ReadFile(f.log)
	if err != nil && !os.IsNotExist(err) {
		f.e.t.Fatal(err)
	}
	os.Remove(f.log)
	return strings.FieldsFunc(string(data), func(r rune) bool { return r == '\n' })
}

// wantLines fails unless the hook printed exactly want since the last call.
func (f *hookFixture) wantLines(what string, want ...string) {
	f.e.t.Helper()
	if got := f.lines(); !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		f.e.t.Errorf("%s: the hook printed\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestHookPostReceive over git daemon, pushing with plain git push: two prod assignments in
// one push, in either order, report prod once with the newer assignment; a demotion reports
// the fallback; other tags and branches report nothing; deleting tags reports what the stage
// shows then, down to nothing.
func TestHookPostReceive(t *testing.T) {
	f := newHookFixture(t, true)
	e := f.e
	// Two assignments to prod, the newer first on the command line and last in time.
	e.mustModel("repo", "promote", "m", "prod", "--version", "v0.0.1")
	e.mustModel("repo", "promote", "m", "prod", "--version", "v0.0.2")
	res := e.run("repo", nil, "git", "push", "origin", "m#prod#2", "m#prod#1")
	if res.code != 0 {
		t.Fatalf("git push: exit %d, %s", res.code, res.stderr)
	}
	f.wantLines("two prod assignments, newer first", "m prod - v0.0.2 "+f.c2)
	// what the pusher sees: the hook's line, relayed by git
	if !strings.Contains(res.stderr, "remote: m prod - v0.0.2 "+f.c2) {
		t.Errorf("git push did not show the hook's line: %q", res.stderr)
	}

	// The same the other way round: the assignment pushed last in the list is the older one.
	e.mustModel("repo", "promote", "m", "staging", "--version", "v0.0.2")
	e.mustModel("repo", "promote", "m", "staging", "--version", "v0.0.1")
	e.mustModel("repo", "promote", "m", "dev", "--version", "v0.0.1")
	e.git("repo", "push", "-q", "origin", "m#staging#3", "m#dev#5", "m#staging#4")
	f.wantLines("staging and dev", "m dev - v0.0.1 "+f.c1, "m staging - v0.0.1 "+f.c1)

	// A demotion: prod falls back to v0.0.1.
	e.mustModel("repo", "demote", "m", "prod")
	e.git("repo", "push", "-q", "origin", "m#prod!#6")
	f.wantLines("demotion", "m prod v0.0.2 v0.0.1 "+f.c1)

	// Branches, tags that are not the registry's, a registration and a lightweight tag of
	// the registry's form: nothing changes what a stage shows.
	e.git("repo", "checkout", "-q", "-b", "feature")
	e.git("repo", "commit", "-q", "--allow-empty", "-m", "c3")
	e.git("repo", "tag", "-a", "v1.0", "-m", "release")
	e.git("repo", "tag", "m#qa#99")
	e.mustModel("repo", "register", "m")
	e.git("repo", "push", "-q", "origin", "feature", "v1.0", "m@v0.0.3", "m#qa#99")
	f.wantLines("unrelated refs")

	// Deleting the unassignment: prod shows v0.0.2 again.
	e.git("repo", "push", "-q", "origin", ":refs/tags/m#prod!#6")
	f.wantLines("deleting the unassignment", "m prod v0.0.1 v0.0.2 "+f.c2)
	// Deleting both assignments at once: prod shows nothing.
	e.git("repo", "push", "-q", "origin", ":refs/tags/m#prod#1", ":refs/tags/m#prod#2")
	f.wantLines("deleting every prod assignment", "m prod v0.0.2 - -")
	// A deregistration takes v0.0.1 out of dev and staging, where nothing else stands.
	e.mustModel("repo", "deprecate", "m", "v0.0.1")
	e.git("repo", "push", "-q", "origin", "m@v0.0.1!")
	f.wantLines("deregistration", "m dev v0.0.1 - -", "m staging v0.0.1 v0.0.2 "+f.c2)
}

// TestHookPostReceiveGitModelPush pushes with git model push, to the origin as a path (git's
// own push runs its hooks) and over git daemon, with --json: the objects carry the annotated
// path of the version the stage shows, read from the commit in the bare origin.
func TestHookPostReceiveGitModelPush(t *testing.T) {
	for _, daemon := range []bool{false, true} {
		t.Run(map[bool]string{false: "path", true: "daemon"}[daemon], func(t *testing.T) {
			f := newHookFixture(t, daemon, "--json")
			e := f.e
			e.mustModel("repo", "promote", "m", "prod", "--version", "v0.0.2")
			e.mustModel("repo", "promote", "m", "prod", "--version", "v0.0.1")
			e.mustModel("repo", "promote", "m", "dev", "--version", "v0.0.2")
			// The hook's lines reach the pusher too (stderr, as "remote: …"): they are not
			// checked here, the log is.
			if res := e.model("repo", "push"); res.code != 0 {
				t.Fatalf("git model push: exit %d, stderr %q", res.code, res.stderr)
			}
			lines := f.lines()
			var got []map[string]any
			for _, line := range lines {
				var obj map[string]any
				if err := json.Unmarshal([]byte(line), &obj); err != nil {
					t.Fatalf("the hook printed %q, not JSON: %v", line, err)
				}
				got = append(got, obj)
			}
			want := []map[string]any{
				{"artifact": "m", "stage": "dev", "before": nil, "after": "v0.0.2", "commit": f.c2, "path": "models/m-2.pt"},
				{"artifact": "m", "stage": "prod", "before": nil, "after": "v0.0.1", "commit": f.c1, "path": "models/m-1.pt"},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("git model push: the hook printed\n%s\nwant %v", strings.Join(lines, "\n"), want)
			}
			// keys sorted, one object per line
			if len(lines) > 0 && !strings.HasPrefix(lines[0], `{"after":"v0.0.2","artifact":"m","before":null,"commit":"`) {
				t.Errorf("JSON line %q: keys not in order", lines[0])
			}

			// A demotion with --delete, pushed by git model push: the deletion reaches the hook,
			// and prod falls back; a stage left empty is null.
			e.mustModel("repo", "demote", "m", "prod", "--delete")
			e.mustModel("repo", "demote", "m", "dev")
			if res := e.model("repo", "push"); res.code != 0 {
				t.Fatalf("git model push: exit %d, stderr %q", res.code, res.stderr)
			}
			f.wantLines("demotions",
				`{"after":null,"artifact":"m","before":"v0.0.2","commit":null,"path":null,"stage":"dev"}`,
				`{"after":"v0.0.2","artifact":"m","before":"v0.0.1","commit":"`+f.c2+`","path":"models/m-2.pt","stage":"prod"}`)
		})
	}
}

// TestHookPostReceiveInput: --stage keeps one stage; input that is not OLD NEW REFNAME is one
// line of error; a hook it does not run is a usage error; run by hand outside a push, it reads the
// lines it is given.
func TestHookPostReceiveInput(t *testing.T) {
	e := newRemoteEnv(t)
	e.newRepo("repo", 2)
	e.mustModel("repo", "promote", "m", "prod", "HEAD~1")
	e.mustModel("repo", "promote", "m", "dev", "HEAD~1")
	e.mustModel("repo", "promote", "m", "prod")
	zero := strings.Repeat("0", 40)
	tagID := func(name string) string { return strings.TrimSpace(e.git("repo", "rev-parse", "refs/tags/"+name)) }
	head := strings.TrimSpace(e.git("repo", "rev-parse", "HEAD"))
	// As if m#prod#3 and m#dev#2 had just been pushed (the other tags were there).
	input := fmt.Sprintf("%s %s refs/tags/m#prod#3\n%s %s refs/heads/main\n%s %s refs/tags/m#dev#2\n",
		zero, tagID("m#prod#3"), zero, head, zero, tagID("m#dev#2"))
	hook := func(stdin string, args ...string) remoteResult {
		cmd := append([]string{"model", "hook"}, args...)
		path := e.writeFile("stdin", stdin, 0o644)
		return e.run("repo", nil, "sh", append([]string{"-c", `exec git "$@" < "$0"`, path}, cmd...)...)
	}
	res := hook(input, "post-receive")
	if res.code != 0 || res.stderr != "" {
		t.Fatalf("hook: exit %d, stderr %q", res.code, res.stderr)
	}
	if want := fmt.Sprintf("m dev - v0.0.1 %s\nm prod v0.0.1 v0.0.2 %s\n", strings.TrimSpace(e.git("repo", "rev-parse", "HEAD~1")), head); res.stdout != want {
		t.Errorf("hook: stdout %q, want %q", res.stdout, want)
	}
	res = hook(input, "post-receive", "--stage", "prod")
	if !strings.HasPrefix(res.stdout, "m prod ") || strings.Count(res.stdout, "\n") != 1 {
		t.Errorf("hook --stage prod: stdout %q", res.stdout)
	}
	res = hook("garbage\n", "post-receive")
	if res.code != 1 || res.stdout != "" || !strings.HasPrefix(res.stderr, "error: ") {
		t.Errorf("hook with bad input: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
	oneLine(t, "bad input", res.stderr)
	res = hook(input, "update")
	if res.code != 129 || res.stderr != "error: unknown hook 'update': git model runs as pre-receive or post-receive\n" {
		t.Errorf("hook update: exit %d, stderr %q", res.code, res.stderr)
	}
	if res := hook("", "post-receive"); res.code != 0 || res.stdout != "" || res.stderr != "" {
		t.Errorf("hook with no input: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}
