package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The server's guard, `git model hook pre-receive` (docs/trust.md §4), installed in a bare
// repository served by git daemon and pushed to with plain git push: the built-in rules (no
// deletion, no move, annotated, well-formed), the policy file of the default branch as it was
// before the push (stage order, signers: SSH principals of the server's allowed-signers file
// and OpenPGP fingerprints of the hook user's keyring), and branches left alone.

// guardFixture is the server, the clone that pushes to it, and the keys.
type guardFixture struct {
	e       *remoteEnv
	bare    string // the server's repository, relative to the work directory
	url     string
	adaKey  string // Ada's private SSH key, an allowed signer (ada@example.com)
	malKey  string // Mallory's private SSH key, not an allowed signer
	allowed string // the allowed-signers file
	gnupg   string // GNUPGHOME, the same for the clone and the hook
	fpr     string // Ada's OpenPGP key's fingerprint
}

// guardPolicy is the policy of the acceptance scenario.
const guardPolicy = `rules:
  - stages: [prod]
    promotes_from: [staging]
    signers: [ada@example.com]
`

// tagOn finds the tag that a write of git model printed ("… tag NAME on abc1234").
var tagOn = regexp.MustCompile(`tag (\S+) on [0-9a-f]{7,}`)

// write runs a git model write in the clone (git -c … model ARGS: the -c options first) and
// returns the tag it created.
func (g *guardFixture) write(args ...string) string {
	g.e.t.Helper()
	res := g.e.run("repo", nil, "git", args...)
	if res.code != 0 {
		g.e.t.Fatalf("git %s: exit %d, stderr %q, stdout %q", strings.Join(args, " "), res.code, res.stderr, res.stdout)
	}
	m := tagOn.FindStringSubmatch(res.stdout)
	if m == nil {
		g.e.t.Fatalf("git %s: no tag in its output %q", strings.Join(args, " "), res.stdout)
	}
	return m[1]
}

// sshSign is the -c options that sign with an SSH key.
func sshSign(key string) []string {
	return []string{"-c", "gpg.format=ssh", "-c", "user.signingKey=" + key}
}

// remoteLines are the lines of stderr that the server sent ("remote: …"), without the padding
// git adds to them.
func remoteLines(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimRight(line, " \r")
		if strings.HasPrefix(line, "remote: ") && strings.TrimSpace(strings.TrimPrefix(line, "remote:")) != "" {
			out = append(out, line)
		}
	}
	return out
}

// accepted pushes from the clone and fails unless the push succeeds without a word from the
// guard.
func (g *guardFixture) accepted(args ...string) {
	g.e.t.Helper()
	res := g.e.run("repo", nil, "git", append([]string{"push"}, args...)...)
	if res.code != 0 {
		g.e.t.Fatalf("git push %s: exit %d, want 0\n%s", strings.Join(args, " "), res.code, res.stderr)
	}
	if lines := remoteLines(res.stderr); len(lines) != 0 {
		g.e.t.Errorf("git push %s: the server said %q", strings.Join(args, " "), lines)
	}
}

// refused pushes from the clone and fails unless the push fails, git saying that the
// pre-receive hook declined each of rejected (the refs as git shows them: "SRC -> DST", or the
// name alone for a deletion) and the guard saying exactly want (the lines after "remote: ", in
// any order).
func (g *guardFixture) refused(push []string, rejected []string, want ...string) {
	g.e.t.Helper()
	res := g.e.run("repo", nil, "git", append([]string{"push"}, push...)...)
	if res.code != 1 {
		g.e.t.Errorf("git push %s: exit %d, want 1\n%s", strings.Join(push, " "), res.code, res.stderr)
	}
	for _, ref := range rejected {
		line := fmt.Sprintf(" ! [remote rejected] %s (pre-receive hook declined)", ref)
		if !strings.Contains(res.stderr, line) {
			g.e.t.Errorf("git push %s: stderr does not say %q:\n%s", strings.Join(push, " "), line, res.stderr)
		}
	}
	var got []string
	for _, line := range remoteLines(res.stderr) {
		got = append(got, strings.TrimPrefix(line, "remote: "))
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		g.e.t.Errorf("git push %s: the server said\n%s\nwant\n%s\n(stderr %q)", strings.Join(push, " "),
			strings.Join(got, "\n"), strings.Join(want, "\n"), res.stderr)
	}
}

// pushed is how git shows a ref that a push sends under its own name.
func pushed(ref string) string { return ref + " -> " + ref }

// serverHas reports whether the server has the tag.
func (g *guardFixture) serverHas(tag string) bool {
	g.e.t.Helper()
	return slices.Contains(g.e.tagNames(g.bare), tag)
}

// forget deletes tags of the clone that the server refused, so that the clone's registry is the
// server's again.
func (g *guardFixture) forget(tags ...string) {
	g.e.t.Helper()
	g.e.git("repo", append([]string{"tag", "-d"}, tags...)...)
}

// verifyTag runs git verify-tag in the clone: every tag the test signs with an allowed key
// passes it, as the guard's verdict never differs from git's.
func (g *guardFixture) verifyTag(tag string, good bool) {
	g.e.t.Helper()
	res := g.e.run("repo", nil, "git", "verify-tag", tag)
	if (res.code == 0) != good {
		g.e.t.Errorf("git verify-tag %s: exit %d, want good=%v\n%s", tag, res.code, good, res.stderr)
	}
}

func newGuardFixture(t *testing.T) *guardFixture {
	e := newRemoteEnv(t)
	g := &guardFixture{e: e, bare: "srv/models.git", allowed: e.path("allowed_signers"), gnupg: e.path("gnupg")}

	// Keys: two SSH keys, Ada's allowed and Mallory's not; an OpenPGP key in a throw-away
	// keyring that the clone and the hook share.
	if err := os.MkdirAll(e.path("keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"ada", "mallory"} {
		res := e.run("", nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", who, "-f", e.path("keys", who))
		if res.code != 0 {
			t.Fatalf("ssh-keygen: exit %d, %s", res.code, res.stderr)
		}
	}
	g.adaKey, g.malKey = e.path("keys", "ada"), e.path("keys", "mallory")
	adaPub, err := os.ReadFile(g.adaKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	e.writeFile("allowed_signers", "ada@example.com "+string(adaPub), 0o644)

	if err := os.Mkdir(g.gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars = append(e.vars, "GNUPGHOME="+g.gnupg)
	t.Cleanup(func() { e.run("", nil, "gpgconf", "--kill", "all") })
	if res := e.run("", nil, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", "Ada Lovelace <ada@example.com>", "ed25519", "sign", "never"); res.code != 0 {
		t.Fatalf("gpg --quick-gen-key: exit %d, %s", res.code, res.stderr)
	}
	res := e.run("", nil, "gpg", "--with-colons", "--fingerprint", "ada@example.com")
	for _, line := range strings.Split(res.stdout, "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			g.fpr = f[9]
			break
		}
	}
	if res.code != 0 || len(g.fpr) != 40 {
		t.Fatalf("gpg --fingerprint: exit %d, no fingerprint in %q", res.code, res.stdout)
	}

	// The server: the hook as docs/trust.md installs it, with the test's git-model on PATH and
	// the keyring of "the hook user".
	e.git("", "init", "-q", "--bare", "--initial-branch=main", g.bare)
	e.git(g.bare, "symbolic-ref", "HEAD", "refs/heads/main")
	e.git(g.bare, "config", "gpg.ssh.allowedSignersFile", g.allowed)
	e.writeHook(g.bare, "pre-receive", fmt.Sprintf(`#!/bin/sh
PATH=%s:$PATH
GNUPGHOME='%s'
export PATH GNUPGHOME
exec git model hook pre-receive
`, binDir, g.gnupg))
	g.url = e.startGitDaemon(e.path("srv")) + "/models.git"

	// The clone, which verifies as the server does.
	e.git("", "clone", "-q", g.url, "repo")
	e.git("repo", "config", "gpg.ssh.allowedSignersFile", g.allowed)
	return g
}

// TestPreReceiveGuard is the acceptance scenario of the guard, in order: each step builds on
// the server as the steps before left it.
func TestPreReceiveGuard(t *testing.T) {
	g := newGuardFixture(t)
	e := g.e
	step := func(name string, f func(t *testing.T)) {
		ok := t.Run(name, func(t *testing.T) {
			parent := e.t
			e.t = t
			defer func() { e.t = parent }()
			f(t)
		})
		if !ok {
			t.FailNow() // the steps after it build on it
		}
	}
	serverMain := func() string { return strings.TrimSpace(e.git(g.bare, "rev-parse", "refs/heads/main")) }
	var other, staging1 string // a commit off main, for v0.0.2 and for moving a tag; m#staging#N

	step("policy on main", func(t *testing.T) {
		e.writeFile("repo/artifacts.yaml", "m:\n  type: model\n  path: models/m.pt\n", 0o644)
		e.git("repo", "add", "artifacts.yaml")
		e.git("repo", "commit", "-q", "-m", "c1")
		e.writeFile("repo/.model-policy.yaml", guardPolicy, 0o644)
		e.git("repo", "add", ".model-policy.yaml")
		e.git("repo", "commit", "-q", "-m", "policy")
		g.accepted("origin", "main")
		if got, want := serverMain(), strings.TrimSpace(e.git("repo", "rev-parse", "main")); got != want {
			t.Errorf("the server's main is %s, want %s", got, want)
		}
		e.git("repo", "checkout", "-q", "-b", "other", "main~1")
		e.git("repo", "commit", "-q", "--allow-empty", "-m", "other")
		other = strings.TrimSpace(e.git("repo", "rev-parse", "HEAD"))
		e.git("repo", "checkout", "-q", "main")
	})

	step("register and staging pass", func(t *testing.T) {
		if tag := g.write("model", "register", "m"); tag != "m@v0.0.1" {
			t.Fatalf("register: tag %s", tag)
		}
		staging1 = g.write("model", "promote", "m", "staging", "--version", "v0.0.1")
		g.accepted("origin", "m@v0.0.1", staging1)
		if !g.serverHas("m@v0.0.1") || !g.serverHas(staging1) {
			t.Errorf("the server's tags: %v", e.tagNames(g.bare))
		}
	})

	step("unsigned prod refused", func(t *testing.T) {
		tag := g.write("model", "promote", "m", "prod", "--version", "v0.0.1", "--force")
		g.refused([]string{"origin", tag}, []string{pushed(tag)},
			"error: refusing refs/tags/"+tag+": unsigned; assigning prod needs a good signature by ada@example.com (.model-policy.yaml line 2)")
		if g.serverHas(tag) {
			t.Errorf("the server has %s", tag)
		}
		g.forget(tag)
	})

	step("prod signed by an unknown key refused", func(t *testing.T) {
		tag := g.write(append(sshSign(g.malKey), "model", "promote", "m", "prod", "--version", "v0.0.1", "--sign", "--force")...)
		if kind := e.git("repo", "cat-file", "-p", tag); !strings.Contains(kind, "-----BEGIN SSH SIGNATURE-----") {
			t.Fatalf("%s is not SSH-signed:\n%s", tag, kind)
		}
		g.verifyTag(tag, false) // git does not trust it either
		g.refused([]string{"origin", tag}, []string{pushed(tag)},
			"error: refusing refs/tags/"+tag+": unknown-key signature (no principal of gpg.ssh.allowedSignersFile matches the key); "+
				"assigning prod needs a good signature by ada@example.com (.model-policy.yaml line 2)")
		if g.serverHas(tag) {
			t.Errorf("the server has %s", tag)
		}
		g.forget(tag)
	})

	step("prod skipping staging refused", func(t *testing.T) {
		if tag := g.write("model", "register", "m", other); tag != "m@v0.0.2" {
			t.Fatalf("register: tag %s", tag)
		}
		g.accepted("origin", "m@v0.0.2")
		tag := g.write(append(sshSign(g.adaKey), "model", "promote", "m", "prod", "--version", "v0.0.2", "--sign", "--force")...)
		g.verifyTag(tag, true)
		g.refused([]string{"origin", tag}, []string{pushed(tag)},
			"error: refusing refs/tags/"+tag+": stage prod needs the version in staging first (.model-policy.yaml line 2)")
		if g.serverHas(tag) {
			t.Errorf("the server has %s", tag)
		}
		g.forget(tag)
	})

	step("deleting a registry tag refused", func(t *testing.T) {
		g.refused([]string{"origin", ":refs/tags/m@v0.0.1"}, []string{"m@v0.0.1"},
			"error: refusing refs/tags/m@v0.0.1: registry tags are never deleted")
		if !g.serverHas("m@v0.0.1") {
			t.Errorf("the server lost m@v0.0.1: %v", e.tagNames(g.bare))
		}
	})

	step("moving a registry tag refused", func(t *testing.T) {
		before := e.git(g.bare, "rev-parse", "refs/tags/"+staging1)
		e.git("repo", "tag", "-f", "-a", "-m", "x", staging1, other)
		g.refused([]string{"-f", "origin", staging1}, []string{pushed(staging1)},
			"error: refusing refs/tags/"+staging1+": registry tags are never moved")
		if after := e.git(g.bare, "rev-parse", "refs/tags/"+staging1); after != before {
			t.Errorf("the server's %s moved from %s to %s", staging1, before, after)
		}
		// the clone's tag back as the server has it
		e.git("repo", "fetch", "-q", "origin", "+refs/tags/"+staging1+":refs/tags/"+staging1)
	})

	step("a push relaxing the policy is judged by the old one", func(t *testing.T) {
		e.writeFile("repo/.model-policy.yaml", "rules: []\n", 0o644)
		e.git("repo", "commit", "-q", "-am", "relax the policy")
		tag := g.write("model", "promote", "m", "prod", "--version", "v0.0.1", "--force")
		was := serverMain()
		g.refused([]string{"origin", "main", tag}, []string{pushed("main"), pushed(tag)},
			"error: refusing refs/tags/"+tag+": unsigned; assigning prod needs a good signature by ada@example.com (.model-policy.yaml line 2)")
		if g.serverHas(tag) {
			t.Errorf("the server has %s", tag)
		}
		if now := serverMain(); now != was {
			t.Errorf("the refused push moved the server's main from %s to %s", was, now)
		}
		g.forget(tag)
		g.accepted("origin", "main") // a branch push alone is never judged
		if now, want := serverMain(), strings.TrimSpace(e.git("repo", "rev-parse", "main")); now != want {
			t.Errorf("the server's main is %s, want %s", now, want)
		}
	})

	step("a broken policy refuses registry tags, not branches", func(t *testing.T) {
		dev := g.write("model", "promote", "m", "dev", "--version", "v0.0.1") // before the policy breaks here too
		e.writeFile("repo/.model-policy.yaml", "rules: [\n", 0o644)
		e.git("repo", "commit", "-q", "-am", "break the policy")
		g.accepted("origin", "main")
		broken := strings.TrimSpace(e.git(g.bare, "rev-parse", "--short=7", "main"))
		res := e.run("repo", nil, "git", "push", "origin", dev)
		lines := remoteLines(res.stderr)
		if res.code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "remote: fatal: .model-policy.yaml at HEAD ("+broken+"): line 1: ") ||
			!strings.Contains(res.stderr, " ! [remote rejected] "+dev+" -> "+dev+" (pre-receive hook declined)") {
			t.Errorf("git push %s with a broken policy: exit %d, want 1 and one fatal line naming .model-policy.yaml at %s; stderr:\n%s", dev, res.code, broken, res.stderr)
		}
		if g.serverHas(dev) {
			t.Errorf("the server has %s", dev)
		}
		// fixed: the scenario's policy, and canary signed by Ada's OpenPGP key
		e.writeFile("repo/.model-policy.yaml", guardPolicy+"  - stages: [canary]\n    signers: ['"+g.fpr+"']\n", 0o644)
		e.git("repo", "commit", "-q", "-am", "fix the policy")
		g.accepted("origin", "main")
		g.accepted("origin", dev)
		if !g.serverHas(dev) {
			t.Errorf("the server lacks %s after the policy was fixed", dev)
		}
	})

	step("lightweight and malformed tags refused, others accepted", func(t *testing.T) {
		e.git("repo", "tag", "m#dev#9", "main~3")
		e.git("repo", "tag", "-a", "-m", "x", "m@v1.0", "main~3")
		g.refused([]string{"origin", "m#dev#9", "m@v1.0"}, []string{pushed("m#dev#9"), pushed("m@v1.0")},
			"error: refusing refs/tags/m#dev#9: a lightweight tag: registry tags are annotated (git tag -a), or no reader sees them",
			"error: refusing refs/tags/m@v1.0: not a registry tag that readers see: invalid version 'v1.0': "+
				"write 'v' and a SemVer 2.0.0 version, such as v1.2.3 or v1.0.0-rc.1")
		if g.serverHas("m#dev#9") || g.serverHas("m@v1.0") {
			t.Errorf("the server's tags: %v", e.tagNames(g.bare))
		}
		g.forget("m#dev#9", "m@v1.0")
		e.git("repo", "tag", "-a", "-m", "release", "release-2026")
		g.accepted("origin", "release-2026")
		if !g.serverHas("release-2026") {
			t.Errorf("the server lacks release-2026")
		}
	})

	step("signed prod after staging passes", func(t *testing.T) {
		// no --force: the clone judges it by the same policy and allowed signers
		tag := g.write(append(sshSign(g.adaKey), "model", "promote", "m", "prod", "--version", "v0.0.1", "--sign")...)
		g.verifyTag(tag, true)
		g.accepted("origin", tag)
		if !g.serverHas(tag) {
			t.Fatalf("the server lacks %s: %v", tag, e.tagNames(g.bare))
		}
		// in the clone, in the server, and of the server from the clone
		for _, args := range [][]string{{"repo", "verify", tag}, {g.bare, "verify", tag}, {"repo", "verify", "-R", e.path(g.bare), tag}} {
			res := e.model(args[0], args[1:]...)
			if res.code != 0 || !regexp.MustCompile(`(?m)^good +ada@example\.com +SHA256:\S+ +`+regexp.QuoteMeta(tag)+`$`).MatchString(res.stdout) {
				t.Errorf("git model %s in %s: exit %d, stdout %q, stderr %q", strings.Join(args[1:], " "), args[0], res.code, res.stdout, res.stderr)
			}
		}
	})

	step("OpenPGP signers", func(t *testing.T) {
		tag := g.write("model", "promote", "m", "canary", "--version", "v0.0.1", "--force")
		g.refused([]string{"origin", tag}, []string{pushed(tag)},
			"error: refusing refs/tags/"+tag+": unsigned; assigning canary needs a good signature by "+g.fpr+" (.model-policy.yaml line 5)")
		if g.serverHas(tag) {
			t.Errorf("the server has %s", tag)
		}
		g.forget(tag)

		tag = g.write("-c", "user.signingKey="+g.fpr, "model", "promote", "m", "canary", "--version", "v0.0.1", "--sign")
		if obj := e.git("repo", "cat-file", "-p", tag); !strings.Contains(obj, "-----BEGIN PGP SIGNATURE-----") {
			t.Fatalf("%s is not OpenPGP-signed:\n%s", tag, obj)
		}
		g.verifyTag(tag, true)
		g.accepted("origin", tag)
		if !g.serverHas(tag) {
			t.Errorf("the server lacks %s: %v", tag, e.tagNames(g.bare))
		}
		res := e.model(g.bare, "verify", tag)
		if res.code != 0 || !regexp.MustCompile(`(?m)^good .*`+g.fpr+` +`+regexp.QuoteMeta(tag)+`$`).MatchString(res.stdout) {
			t.Errorf("git model verify %s in the server: exit %d, stdout %q, stderr %q", tag, res.code, res.stdout, res.stderr)
		}
	})
}

// TestPreReceiveGuardHostile: what a pusher might try to get a tag past the guard. The policy is
// read from the branch HEAD names, never from a remote-tracking ref a pusher can create, and
// model.policyRef names a branch that no tag of the same name stands in for; a good signature
// counts only for the tag it was made for; a time far ahead or none at all is refused; and
// verify --policy refuses to judge by a detached HEAD's policy, which may be the pusher's own.
func TestPreReceiveGuardHostile(t *testing.T) {
	g := newGuardFixture(t)
	e := g.e
	e.writeFile("repo/.model-policy.yaml", guardPolicy, 0o644)
	e.git("repo", "add", ".model-policy.yaml")
	e.git("repo", "commit", "-q", "-m", "policy")
	g.accepted("origin", "main")
	g.write("model", "register", "m")
	staging := g.write("model", "promote", "m", "staging", "--version", "v0.0.1")
	g.accepted("origin", "m@v0.0.1", staging)
	unsigned := g.write("model", "promote", "m", "prod", "--version", "v0.0.1", "--force")
	refusal := "error: refusing refs/tags/" + unsigned + ": unsigned; assigning prod needs a good signature by ada@example.com (.model-policy.yaml line 2)"

	// A commit without the policy, pushed where a clone keeps its remote's HEAD: not read.
	e.git("repo", "checkout", "-q", "--orphan", "empty")
	e.git("repo", "rm", "-rq", "--cached", ".")
	e.git("repo", "commit", "-q", "--allow-empty", "-m", "no policy")
	empty := strings.TrimSpace(e.git("repo", "rev-parse", "HEAD"))
	e.git("repo", "checkout", "-q", "-f", "main")
	g.accepted("origin", empty+":refs/remotes/origin/HEAD")
	g.refused([]string{"origin", unsigned}, []string{pushed(unsigned)}, refusal)

	// model.policyRef main on the server, and a tag named main on the commit without a policy.
	e.git(g.bare, "config", "model.policyRef", "main")
	e.git("repo", "tag", "-a", "-m", "not a branch", "main", empty)
	g.accepted("origin", "refs/tags/main")
	g.refused([]string{"origin", unsigned}, []string{pushed(unsigned)}, refusal)
	g.forget(unsigned)

	// Ada's good signature, made for one tag, pushed under another name: refused; verify shows
	// it bad in the clone too.
	signed := g.write(append(sshSign(g.adaKey), "model", "promote", "m", "prod", "--version", "v0.0.1", "--sign")...)
	id := strings.TrimSpace(e.git("repo", "rev-parse", "refs/tags/"+signed))
	e.git("repo", "update-ref", "refs/tags/n#prod#1", id)
	g.refused([]string{"origin", "refs/tags/n#prod#1"}, []string{pushed("n#prod#1")},
		"error: refusing refs/tags/n#prod#1: its tag object is named '"+signed+"': a tag object is pushed under its own name")
	res := e.model("repo", "verify", "n#prod#1", "--json")
	if res.code != 1 || !strings.Contains(res.stdout, `"status": "bad"`) ||
		!strings.Contains(res.stdout, `"reason": "the signed tag object is named '`+signed+`', not 'n#prod#1'"`) {
		t.Errorf("verify of a signature reused under another name: exit %d\n%s", res.code, res.stdout)
	}
	e.git("repo", "tag", "-d", "n#prod#1")
	g.accepted("origin", signed)

	// A time far ahead would put every later event before it: refused (the client's check
	// refuses it too, --force passes that).
	res = e.run("repo", []string{"GIT_COMMITTER_DATE=2100-01-01T00:00:00Z"}, "git", "model", "register", "f", "--version", "v1.1.0")
	if res.code != 1 || !strings.Contains(res.stderr, "error: the policy refuses f@v1.1.0: its time 2100-01-01T00:00:00Z is in the future") {
		t.Errorf("a write dated 2100: exit %d, stderr %q", res.code, res.stderr)
	}
	res = e.run("repo", []string{"GIT_COMMITTER_DATE=2100-01-01T00:00:00Z"}, "git", "model", "register", "f", "--version", "v1.1.0", "--force")
	if res.code != 0 {
		t.Fatalf("register --force dated 2100: exit %d, stderr %q", res.code, res.stderr)
	}
	g.refused([]string{"origin", "f@v1.1.0"}, []string{pushed("f@v1.1.0")},
		"error: refusing refs/tags/f@v1.1.0: its time 2100-01-01T00:00:00Z is in the future")
	g.forget("f@v1.1.0")

	// A tag object without a tagger has no time: refused.
	head := strings.TrimSpace(e.git("repo", "rev-parse", "HEAD"))
	path := e.writeFile("notagger", "object "+head+"\ntype commit\ntag notagger@v1.0.0\n\nno tagger\n", 0o644)
	obj := strings.TrimSpace(e.git("repo", "hash-object", "-t", "tag", "-w", "--literally", path))
	e.git("repo", "update-ref", "refs/tags/notagger@v1.0.0", obj)
	g.refused([]string{"origin", "notagger@v1.0.0"}, []string{pushed("notagger@v1.0.0")},
		"error: refusing refs/tags/notagger@v1.0.0: its tag object has no tagger time: readers could not order it")

	// A CI checkout of a tag: HEAD detached, no remote HEAD. verify --policy refuses to guess.
	e.git("", "clone", "-q", g.url, "ci")
	e.git("ci", "remote", "set-head", "origin", "-d")
	e.git("ci", "checkout", "-q", "--detach", signed)
	res = e.model("ci", "verify", "--policy", signed)
	if res.code != 128 || res.stderr != "fatal: reading the policy: HEAD is detached and no default branch is known\n"+
		"hint: name the branch whose policy rules: git config model.policyRef main (after git fetch origin main: refs/remotes/origin/main)\n" {
		t.Errorf("verify --policy on a detached HEAD: exit %d, stderr %q", res.code, res.stderr)
	}
	e.git("ci", "config", "model.policyRef", "refs/remotes/origin/main")
	e.git("ci", "config", "gpg.ssh.allowedSignersFile", g.allowed)
	if res := e.model("ci", "verify", "--policy", signed); res.code != 0 {
		t.Errorf("verify --policy with model.policyRef: exit %d, stderr %q", res.code, res.stderr)
	}
}
