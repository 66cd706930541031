package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Teams: two clones of one bare origin, acting as teammates, each case a real sequence of
// commands. Every case runs against the origin served by git daemon (libgit2's smart protocol,
// where the server checks each ref's old value) and as a plain path (git push, where the
// origin's hooks run too).

// team is an origin and the clones of two teammates, alice and bob.
type team struct {
	*remoteEnv
	url  string // how the clones name the origin
	bare string // the origin's directory, relative to the work directory
}

// bob's identity: his tags differ from alice's even when written in the same second.
var bob = []string{"GIT_COMMITTER_NAME=Bob", "GIT_COMMITTER_EMAIL=bob@example.com"}

// forEachTransport runs a team case over git daemon and over a path.
func forEachTransport(t *testing.T, run func(t *testing.T, tm *team)) {
	for _, transport := range []string{"daemon", "path"} {
		t.Run(transport, func(t *testing.T) {
			e := newRemoteEnv(t)
			e.git("", "init", "-q", "--bare", "srv/origin.git")
			url := e.path("srv", "origin.git")
			if transport == "daemon" {
				url = e.startGitDaemon(e.path("srv")) + "/origin.git"
			}
			e.newRepo("alice", 1)
			e.git("alice", "remote", "add", "origin", url)
			e.git("alice", "push", "-q", "origin", "main")
			e.git("", "clone", "-q", url, "bob")
			run(t, &team{remoteEnv: e, url: url, bare: "srv/origin.git"})
		})
	}
}

// bobModel runs git model as bob.
func (tm *team) bobModel(args ...string) remoteResult {
	tm.t.Helper()
	return tm.run("bob", bob, "git", append([]string{"model"}, args...)...)
}

func (tm *team) mustBob(args ...string) string {
	tm.t.Helper()
	res := tm.bobModel(args...)
	if res.code != 0 {
		tm.t.Fatalf("bob: git model %s: exit %d, stderr %q, stdout %q", strings.Join(args, " "), res.code, res.stderr, res.stdout)
	}
	return res.stdout
}

// refs is every tag of a repository with its id.
func (tm *team) refs(dir string) string {
	tm.t.Helper()
	return tm.git(dir, "for-each-ref", "--format=%(objectname) %(refname)", "refs/tags")
}

func (tm *team) rev(dir, ref string) string {
	tm.t.Helper()
	return strings.TrimSpace(tm.git(dir, "rev-parse", ref))
}

// TestTeamStaleDeletion: alice's push is refused, she deletes her tag (demote --delete,
// recorded with its id), bob pushes a newer tag of the same name. Alice's push must not delete
// bob's tag: a conflict, the origin unchanged; status says so; fetch takes bob's and drops the
// deletion.
func TestTeamStaleDeletion(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		block := tm.path("block")
		tm.writeHook(tm.bare, "pre-receive", fmt.Sprintf("#!/bin/sh\n[ -e %s ] && { echo 'frozen: no tags today' >&2; exit 1; }\nexit 0\n", block))
		tm.mustModel("alice", "register", "team/nn", "--push")
		tm.mustBob("fetch")

		tm.writeFile("block", "", 0o644)
		res := tm.model("alice", "promote", "team/nn", "prod", "--push")
		if res.code != 1 || !strings.Contains(res.stdout, " ! [rejected]   team/nn#prod#1 (pre-receive hook declined)") {
			t.Fatalf("promote --push to a frozen origin: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.stderr, "remote: frozen: no tags today") || strings.Contains(res.stderr, "fetch --force") {
			t.Errorf("promote --push stderr %q", res.stderr)
		}
		mine := tm.rev("alice", "refs/tags/team/nn#prod#1")
		tm.mustModel("alice", "demote", "team/nn", "prod", "--delete")
		pending, err := os.ReadFile(tm.path("alice", ".git", "git-model", "pending-push"))
		if err != nil || string(pending) != "delete team/nn#prod#1 "+mine+"\n" {
			t.Errorf("pending-push after demote --delete: %q (%v), want the deletion with its id %s", pending, err, mine)
		}
		os.Remove(block)
		tm.mustBob("promote", "team/nn", "prod", "--push")
		before := tm.refs(tm.bare)
		theirs := tm.rev(tm.bare, "refs/tags/team/nn#prod#1")
		if theirs == mine {
			t.Fatal("bob's tag is alice's: the test tests nothing")
		}

		res = tm.model("alice", "push")
		if res.code != 1 {
			t.Errorf("push of the stale deletion: exit %d, want 1 (stdout %q)", res.code, res.stdout)
		}
		want := "To origin\n ! [rejected]   team/nn#prod#1 (stale info: the remote's tag is not the one deleted here)\n"
		if !strings.HasSuffix(res.stdout, want[len("To origin\n"):]) {
			t.Errorf("push stdout %q, want %q", res.stdout, want)
		}
		if !strings.HasPrefix(res.stderr, "error: failed to push some tags to '") || strings.Contains(res.stderr, "--force") {
			t.Errorf("push stderr %q", res.stderr)
		}
		if after := tm.refs(tm.bare); after != before {
			t.Errorf("the origin changed:\n%s\nwas:\n%s", after, before)
		}

		out := tm.mustModel("alice", "status")
		if !regexp.MustCompile(`(?m)^\tteam/nn#prod#1  \(lease [0-9a-f]{7}\)  the remote's tag is not the one deleted here: a teammate's$`).MatchString(out) ||
			!strings.Contains(out, "to resolve: 'git model fetch' takes the remote's tag and drops the deletion") {
			t.Errorf("status:\n%s", out)
		}
		out = tm.mustModel("alice", "fetch")
		if !strings.Contains(out, " * [new tag]      team/nn#prod#1\n") {
			t.Errorf("fetch: %q", out)
		}
		if got := tm.rev("alice", "refs/tags/team/nn#prod#1"); got != theirs {
			t.Errorf("alice's team/nn#prod#1 is %s after fetch, want bob's %s", got, theirs)
		}
		if res := tm.model("alice", "push"); res.code != 0 || res.stderr != "Everything up-to-date\n" {
			t.Errorf("push after fetch: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		if after := tm.refs(tm.bare); after != before {
			t.Errorf("the origin changed after all:\n%s", after)
		}
	})
}

// lsJSON is what ls --json says of the stages of an artifact.
func (tm *team) stagesOf(dir, artifact string) map[string]string {
	tm.t.Helper()
	var out map[string]struct {
		Stage map[string]*string `json:"stage"`
	}
	res := tm.mustModel(dir, "ls", "--json")
	if err := json.Unmarshal([]byte(res), &out); err != nil {
		tm.t.Fatalf("ls --json: %v\n%s", err, res)
	}
	stages := map[string]string{}
	for stage, v := range out[artifact].Stage {
		if v != nil {
			stages[stage] = *v
		}
	}
	return stages
}

// TestTeamConcurrentPromote: alice and bob promote at once and both write the counter 1. Bob
// pushes first; alice's push renumbers her event (same action, version, commit, message and
// tagger, later time), fetches bob's, and pushes hers: both events kept, and both clones agree.
func TestTeamConcurrentPromote(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		const a = "models/cv:segm"
		tm.mustModel("alice", "register", a, "--push")
		tm.mustBob("fetch")
		tm.git("bob", "commit", "-q", "--allow-empty", "-m", "bob's model")
		tm.mustBob("promote", a, "prod") // registers v0.0.2, writes models/cv=segm#prod#1
		tm.mustModel("alice", "promote", a, "prod", "-m", "ship it")
		mine := tm.git("alice", "cat-file", "-p", "models/cv=segm#prod#1")
		tm.mustBob("push")

		out := tm.mustModel("alice", "push")
		want := "To origin\n * [new tag]    models/cv=segm#prod#2\n" +
			"Renumbered models/cv=segm#prod#1 as models/cv=segm#prod#2: the remote has a teammate's models/cv=segm#prod#1, now fetched; both events are kept\n" +
			"models/cv:segm: prod now shows v0.0.1\n"
		if out != want {
			t.Errorf("alice's push:\n%s\nwant:\n%s", out, want)
		}
		// the renumbered tag is alice's event: same commit, message and tagger, a later date
		again := tm.git("alice", "cat-file", "-p", "models/cv=segm#prod#2")
		for _, field := range []string{"object ", "type commit", "tagger Ada Lovelace <ada@example.com> ", "\nship it\n"} {
			if !strings.Contains(mine, field) || !strings.Contains(again, field) {
				t.Errorf("the renumbered tag lost %q:\n%s\nwas:\n%s", field, again, mine)
			}
		}
		if strings.Split(mine, "\n")[0] != strings.Split(again, "\n")[0] {
			t.Errorf("the renumbered tag is on another commit:\n%s\nwas:\n%s", again, mine)
		}
		if got, want := tm.rev("alice", "refs/tags/models/cv=segm#prod#1"), tm.rev("bob", "refs/tags/models/cv=segm#prod#1"); got != want {
			t.Errorf("alice's #prod#1 is %s, bob's %s", got, want)
		}
		tm.mustBob("fetch")
		if a, b := tm.refs("alice"), tm.refs("bob"); a != b || a != tm.refs(tm.bare) {
			t.Errorf("the clones and the origin disagree:\nalice:\n%s\nbob:\n%s\norigin:\n%s", a, b, tm.refs(tm.bare))
		}
		for _, dir := range []string{"alice", "bob"} {
			if got := tm.stagesOf(dir, a); got["prod"] != "v0.0.1" {
				t.Errorf("%s: prod shows %q, want v0.0.1", dir, got["prod"])
			}
			hist := tm.mustModel(dir, "history", a)
			if strings.Count(hist, "assignment") != 2 {
				t.Errorf("%s: history does not keep both assignments:\n%s", dir, hist)
			}
		}
	})
}

// TestTeamPushClosure: --push of an assignment whose registration was never pushed sends the
// registration first, so that the origin shows the version, never a bare commit id; so does
// git model push NAME, and model.push.
func TestTeamPushClosure(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		tm.mustModel("alice", "register", "team/nn")
		out := tm.mustModel("alice", "promote", "team/nn", "prod", "--push")
		if !strings.HasSuffix(out, "To origin\n * [new tag]    team/nn@v0.0.1\n * [new tag]    team/nn#prod#1\n") {
			t.Errorf("promote --push: %q", out)
		}
		tm.mustBob("fetch")
		if got := tm.stagesOf("bob", "team/nn"); got["prod"] != "v0.0.1" {
			t.Errorf("bob sees prod at %q, want v0.0.1", got["prod"])
		}
		// model.push, on another commit, and push NAME
		tm.git("alice", "commit", "-q", "--allow-empty", "-m", "c2")
		tm.mustModel("alice", "register", "team/nn")
		tm.git("alice", "config", "model.push", "true")
		out = tm.mustModel("alice", "promote", "team/nn", "dev")
		if !strings.HasSuffix(out, " * [new tag]    team/nn@v0.0.2\n * [new tag]    team/nn#dev#2\n") {
			t.Errorf("promote with model.push: %q", out)
		}
		tm.git("alice", "config", "model.push", "false")
		tm.git("alice", "commit", "-q", "--allow-empty", "-m", "c3")
		tm.mustModel("alice", "register", "x")
		tm.mustModel("alice", "register", "team/nn")
		tm.mustModel("alice", "promote", "team/nn", "staging")
		out = tm.mustModel("alice", "push", "team/nn")
		if out != "To origin\n * [new tag]    team/nn@v0.0.3\n * [new tag]    team/nn#staging#3\n" {
			t.Errorf("push team/nn: %q", out)
		}
		tm.mustBob("fetch")
		if got := tm.stagesOf("bob", "team/nn"); got["dev"] != "v0.0.2" || got["staging"] != "v0.0.3" {
			t.Errorf("bob sees %v", got)
		}
	})
}

// TestTeamPruneUnpublished: fetch --prune deletes a tag that came from the origin and is gone
// from it, and keeps (and lists) the tags never pushed.
func TestTeamPruneUnpublished(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		tm.mustModel("alice", "register", "a", "--push")
		tm.mustModel("alice", "register", "models:b")
		tm.mustModel("alice", "promote", "a", "dev")
		tm.mustBob("fetch")
		tm.mustBob("deprecate", "a", "v0.0.1", "--delete", "--push")
		if tm.hasRef(tm.bare, "refs/tags/a@v0.0.1") {
			t.Fatal("bob's deletion did not reach the origin")
		}
		out := tm.mustModel("alice", "fetch", "--prune")
		want := "From origin\n   [unpublished]  a#dev#1\n - [deleted]      a@v0.0.1\n   [unpublished]  models=b@v0.0.1\n"
		if out != want {
			t.Errorf("fetch --prune:\n%s\nwant:\n%s", out, want)
		}
		if tm.hasRef("alice", "refs/tags/a@v0.0.1") || !tm.hasRef("alice", "refs/tags/models=b@v0.0.1") || !tm.hasRef("alice", "refs/tags/a#dev#1") {
			t.Errorf("alice's tags after fetch --prune: %v", tm.tagNames("alice"))
		}
		out = tm.mustModel("alice", "status", "--offline")
		if !strings.Contains(out, "Tags not published:\n\ta#dev#1\n") || !strings.Contains(out, "\tmodels=b@v0.0.1\n") {
			t.Errorf("status --offline:\n%s", out)
		}
		// once pushed, they are published: a prune after the origin lost them deletes them
		tm.mustModel("alice", "push", "models:b")
		tm.git(tm.bare, "tag", "-d", "models=b@v0.0.1")
		out = tm.mustModel("alice", "fetch", "--prune")
		if !strings.Contains(out, " - [deleted]      models=b@v0.0.1\n") {
			t.Errorf("fetch --prune of a pushed tag gone from the origin: %q", out)
		}
	})
}

// TestTeamHookRejectsOne: the origin refuses prod assignments; status shows the refusal with
// the hook's reason, and a push of other tags goes (the refused one is retried alone).
func TestTeamHookRejectsOne(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		tm.writeHook(tm.bare, "pre-receive", `#!/bin/sh
while read old new ref; do
	case "$ref" in
	*'#prod'*) echo "protected tag ${ref#refs/tags/}: prod needs a review" >&2; exit 1 ;;
	esac
done
exit 0
`)
		tm.mustModel("alice", "register", "m", "--push")
		res := tm.model("alice", "promote", "m", "prod", "--push")
		if res.code != 1 || !strings.Contains(res.stdout, " ! [rejected]   m#prod#1 (pre-receive hook declined)\n") {
			t.Fatalf("promote --push: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		out := tm.mustModel("alice", "status")
		if !strings.Contains(out, "Tags the remote refused:\n\tm#prod#1  pre-receive hook declined: protected tag m#prod#1: prod needs a review\n") {
			t.Errorf("status:\n%s", out)
		}
		var list []map[string]string
		if err := json.Unmarshal([]byte(tm.mustModel("alice", "status", "--json")), &list); err != nil || len(list) != 1 ||
			list[0]["state"] != "rejected" || list[0]["tag"] != "m#prod#1" || !strings.Contains(list[0]["reason"], "prod needs a review") {
			t.Errorf("status --json: %v (%v)", list, err)
		}
		tm.mustModel("alice", "promote", "m", "dev")
		tm.mustModel("alice", "register", "n")
		res = tm.model("alice", "push")
		if res.code != 1 {
			t.Errorf("push: exit %d", res.code)
		}
		want := " * [new tag]    n@v0.0.1\n * [new tag]    m#dev#2\n ! [rejected]   m#prod#1 (pre-receive hook declined)\n"
		if !strings.HasSuffix(res.stdout, want) {
			t.Errorf("push stdout %q, want it to end with %q", res.stdout, want)
		}
		if !tm.hasRef(tm.bare, "refs/tags/m#dev#2") || !tm.hasRef(tm.bare, "refs/tags/n@v0.0.1") || tm.hasRef(tm.bare, "refs/tags/m#prod#1") {
			t.Errorf("the origin's tags: %v", tm.tagNames(tm.bare))
		}
		if out := tm.mustModel("alice", "status", "m"); strings.Contains(out, "m#dev#2") || !strings.Contains(out, "m#prod#1") {
			t.Errorf("status m:\n%s", out)
		}
	})
}

// TestTeamBatches: git model push sends at most model.pushBatch tags per push (3 by default,
// for GitHub's push events), registrations first; 0 sends everything at once.
func TestTeamBatches(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		log := tm.path("pushes.log")
		tm.writeHook(tm.bare, "pre-receive", fmt.Sprintf(`#!/bin/sh
refs=""
while read old new ref; do refs="$refs ${ref#refs/tags/}"; done
echo "$refs" >> %s
`, log))
		write := func(prefix string) {
			for _, n := range []string{"a", "b", "c", "d"} {
				tm.mustModel("alice", "promote", prefix+n, "prod")
			}
		}
		check := func(batch string, want []string) {
			t.Helper()
			os.Remove(log)
			if batch != "" {
				tm.git("alice", "config", "model.pushBatch", batch)
			}
			tm.mustModel("alice", "push")
			data, _ := os.ReadFile(log)
			got := strings.Split(strings.TrimSpace(string(data)), "\n")
			for i, line := range got { // the refs of one push in name order: git sorts them
				refs := strings.Fields(line)
				slices.Sort(refs)
				got[i] = " " + strings.Join(refs, " ")
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("model.pushBatch=%q: pushes\n%s\nwant\n%s", batch, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		write("")
		check("", []string{" a@v0.0.1 b@v0.0.1 c@v0.0.1", " d@v0.0.1", " a#prod#1 b#prod#1 c#prod#1", " d#prod#1"})
		write("x/")
		check("2", []string{" x/a@v0.0.1 x/b@v0.0.1", " x/c@v0.0.1 x/d@v0.0.1", " x/a#prod#1 x/b#prod#1", " x/c#prod#1 x/d#prod#1"})
		write("y/")
		check("0", []string{" y/a#prod#1 y/a@v0.0.1 y/b#prod#1 y/b@v0.0.1 y/c#prod#1 y/c@v0.0.1 y/d#prod#1 y/d@v0.0.1"})
		// a negative value means the same
		write("z/")
		check("-1", []string{" z/a#prod#1 z/a@v0.0.1 z/b#prod#1 z/b@v0.0.1 z/c#prod#1 z/c@v0.0.1 z/d#prod#1 z/d@v0.0.1"})
	})
}

// TestTeamLeaseRace: bob's push lands on the origin between the check of alice's lease and her
// push (the origin's update hook writes bob's tag just before receive-pack updates the ref):
// the origin refuses alice's move, and bob's tag stays.
func TestTeamLeaseRace(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tm *team) {
		tm.mustModel("alice", "register", "m")
		tm.mustModel("alice", "promote", "--simple", "m", "prod", "--push")
		tm.mustBob("fetch")
		tm.mustBob("promote", "--simple", "m", "prod", "--force", "--version", "v0.0.1", "-m", "bob's")
		tm.git("bob", "push", "-q", "origin", "refs/tags/m#prod:refs/keep/bob")
		bobs := tm.rev("bob", "refs/tags/m#prod")
		tm.writeHook(tm.bare, "update", fmt.Sprintf(`#!/bin/sh
if [ "$1" = refs/tags/m#prod ] && [ ! -e %[1]s ]; then
	touch %[1]s
	git update-ref refs/tags/m#prod %[2]s
fi
exit 0
`, tm.path("raced"), bobs))
		tm.git("alice", "commit", "-q", "--allow-empty", "-m", "c2")
		tm.mustModel("alice", "register", "m")
		tm.mustModel("alice", "promote", "--simple", "m", "prod", "--force")
		res := tm.model("alice", "push")
		if res.code != 1 || !strings.Contains(res.stdout, " * [new tag]    m@v0.0.2\n") ||
			!regexp.MustCompile(`(?m)^ ! \[rejected\]   m#prod \(.+\)$`).MatchString(res.stdout) {
			t.Errorf("push raced by bob: exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
		}
		if got := tm.rev(tm.bare, "refs/tags/m#prod"); got != bobs {
			t.Errorf("the origin's m#prod is %s, want bob's %s", got, bobs)
		}
		// the move is still to push, with its lease; the next push finds bob's tag and says so
		res = tm.model("alice", "push")
		if res.code != 1 || !strings.Contains(res.stdout, " ! [rejected]   m#prod (stale info: the remote's tag moved since it was moved here)\n") {
			t.Errorf("push again: exit %d, stdout %q", res.code, res.stdout)
		}
		if got := tm.rev(tm.bare, "refs/tags/m#prod"); got != bobs {
			t.Errorf("the origin's m#prod is %s, want bob's %s", got, bobs)
		}
	})
}
