package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lockHint is the hint line that follows a LockError (pkg/gitrepo/lock.go).
const lockHint = "hint: Another git process seems to be running in this repository. If none is, a process may " +
	"have crashed in this repository earlier: remove the file manually to continue.\n"

// lockErrorText is what git-model prints for a lock file that exists, as git words it.
func lockErrorText(path string) string {
	return "fatal: Unable to create '" + path + "': File exists.\n" + lockHint
}

// tagForm is how an artifact name is written in its tag names ("dir:name" → "dir=name").
func tagForm(artifact string) string {
	return strings.Replace(artifact, ":", "=", 1)
}

// commonDir is the repository's git directory, as an absolute path without symbolic links, the
// way the error messages name it.
func (r *concurrencyRepo) commonDir() string {
	r.t.Helper()
	return strings.TrimSpace(r.git(r.dir, "rev-parse", "--path-format=absolute", "--git-common-dir"))
}

// refState is every ref and its target, to show that a failed write changed none.
func (r *concurrencyRepo) refState() string {
	r.t.Helper()
	return r.git(r.dir, "for-each-ref", "--format=%(objectname) %(refname)")
}

// deletedLine is how a write reports a deletion.
var deletedLine = regexp.MustCompile(`(?m)^Deleted tag '([^']+)'$`)

// TestConcurrentDeletePending runs 16 deletions (demote --delete, deprecate --delete) of 16
// artifacts at once: each is recorded in the pending record, none lost to another's
// read-modify-write, and the push that follows deletes them all on the remote. With the tags
// packed, the deletions also take turns on packed-refs.lock.
func TestConcurrentDeletePending(t *testing.T) {
	for _, packed := range []bool{false, true} {
		t.Run(fmt.Sprintf("packed=%v", packed), func(t *testing.T) {
			testConcurrentDeletePending(t, packed)
		})
	}
}

func testConcurrentDeletePending(t *testing.T, packed bool) {
	const n = 16
	r, commits := newConcurrencyRepo(t, 1)
	remote := filepath.Join(filepath.Dir(r.dir), "remote.git")
	r.git(filepath.Dir(r.dir), "init", "-q", "--bare", remote)
	r.git(r.dir, "remote", "set-url", "origin", remote) // newConcurrencyRepo names an origin that is never contacted
	names := make([]string, n)
	for i := range names {
		switch i % 3 {
		case 0:
			names[i] = fmt.Sprintf("m%d", i)
		case 1:
			names[i] = fmt.Sprintf("team/sub/m%d", i)
		default:
			names[i] = fmt.Sprintf("models/cv.v2:m%d", i)
		}
		r.git(r.dir, "model", "register", names[i], commits[0])
		r.git(r.dir, "model", "promote", names[i], "prod", commits[0])
	}
	r.git(r.dir, "model", "push")
	if packed {
		r.git(r.dir, "pack-refs", "--all")
	}
	procs := make([]*process, n)
	for i, name := range names {
		if i%2 == 0 {
			procs[i] = &process{args: []string{"model", "demote", "--delete", name, "prod"}}
		} else {
			procs[i] = &process{args: []string{"model", "deprecate", "--delete", name, "v0.0.1"}}
		}
	}
	r.runAll(procs)

	var deleted []string
	for i, p := range procs {
		if p.code != 0 || p.stderr.Len() != 0 {
			t.Errorf("git %s: exit %d, stderr %q", strings.Join(p.args, " "), p.code, p.stderr)
			continue
		}
		want := tagForm(names[i]) + "#prod#1"
		if i%2 == 1 {
			want = tagForm(names[i]) + "@v0.0.1"
		}
		var got []string
		for _, m := range deletedLine.FindAllStringSubmatch(p.stdout.String(), -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, []string{want}) {
			t.Errorf("git %s: deleted %q, want %q; stdout %q", strings.Join(p.args, " "), got, want, p.stdout)
		}
		deleted = append(deleted, got...)
	}
	sort.Strings(deleted)
	var record strings.Builder
	for _, name := range deleted {
		record.WriteString("delete " + name + "\n")
	}
	pendingPath := filepath.Join(r.dir, ".git", "git-model", "pending-push")
	// each deletion is recorded with its lease, the id the tag had
	got, err := os.ReadFile(pendingPath)
	withoutIDs := regexp.MustCompile(`(?m) [0-9a-f]{40}$`).ReplaceAllString(string(got), "")
	if err != nil || withoutIDs != record.String() || strings.Count(string(got), "\n") != len(deleted) {
		t.Errorf("pending record: %v\n%s\nwant\n%s(each with an id)", err, got, record.String())
	}
	r.noLockFiles()

	before := remoteTags(r, remote)
	cmd, stdout, stderr := r.command(r.dir, "model", "push")
	if err := cmd.Run(); err != nil {
		t.Fatalf("git model push: %v\n%s", err, stderr)
	}
	for _, name := range deleted {
		if !strings.Contains(stdout.String(), " - [deleted]    "+name+"\n") {
			t.Errorf("push does not report the deletion of %s:\n%s", name, stdout)
		}
	}
	var want []string
	for _, name := range before {
		if !slices.Contains(deleted, name) {
			want = append(want, name)
		}
	}
	if after := remoteTags(r, remote); !slices.Equal(after, want) || len(after) != 2*n-len(deleted) {
		t.Errorf("remote tags after the push:\n%q\nwant\n%q", after, want)
	}
	if _, err := os.Lstat(pendingPath); !os.IsNotExist(err) {
		t.Errorf("pending record still there after the push (%v)", err)
	}
}

// remoteTags lists the tag names of a bare repository.
func remoteTags(r *concurrencyRepo, bare string) []string {
	r.t.Helper()
	return strings.Fields(r.git(bare, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags"))
}

// TestConcurrentWritersOneArtifact starts ten writes of one artifact at once, mixing automatic
// and explicit registrations, promotions that register, promotions and a demotion: all
// succeed, take turns, and so never write two tags with one counter or one tagger second;
// ordered by tagger time, the counters increase, and the times follow one another second by
// second from the fixed GIT_COMMITTER_DATE (each write plans from the tags of the one before).
func TestConcurrentWritersOneArtifact(t *testing.T) {
	for _, artifact := range []string{"models/cv:segm-nn", "team/a/b"} {
		for round := 1; round <= races; round++ {
			t.Run(fmt.Sprintf("%s/round-%d", strings.ReplaceAll(artifact, "/", "_"), round), func(t *testing.T) {
				testConcurrentWritersOneArtifact(t, artifact)
			})
		}
	}
}

func testConcurrentWritersOneArtifact(t *testing.T, artifact string) {
	r, c := newConcurrencyRepo(t, 8)
	r.git(r.dir, "model", "register", artifact, c[0])
	r.git(r.dir, "model", "promote", artifact, "prod", c[0])
	procs := []*process{
		{args: []string{"model", "register", artifact, c[1]}},
		{args: []string{"model", "register", artifact, c[2]}},
		{args: []string{"model", "register", artifact, c[3]}},
		{args: []string{"model", "register", "--version", "v9.0.0", artifact, c[6]}},
		{args: []string{"model", "promote", artifact, "dev", c[4]}},
		{args: []string{"model", "promote", artifact, "qa", c[5]}},
		{args: []string{"model", "promote", artifact, "prod", c[7]}},
		{args: []string{"model", "promote", artifact, "staging", c[0]}},
		{args: []string{"model", "promote", "--simple", artifact, "canary", c[0]}},
		{args: []string{"model", "demote", artifact, "prod"}},
	}
	r.runAll(procs)
	for _, p := range procs {
		if p.code != 0 || p.stderr.Len() != 0 {
			t.Errorf("git %s: exit %d, stderr %q", strings.Join(p.args, " "), p.code, p.stderr)
		}
	}
	// 2 tags of the setup, 4 registrations, 3 promotions that register, 2 promotions, 1
	// demotion.
	const want = 2 + 4 + 3*2 + 2 + 1

	type tag struct {
		name    string
		counter int // 0 for the counter-less form
		when    time.Time
	}
	var tags []tag
	prefix := tagForm(artifact)
	for _, row := range r.tags() {
		rest, ok := strings.CutPrefix(row.name, prefix)
		if !ok || rest == "" || (rest[0] != '@' && rest[0] != '#') {
			t.Errorf("unexpected tag %s", row.name)
			continue
		}
		if row.kind != "tag" {
			t.Errorf("%s: object type %s, want an annotated tag", row.name, row.kind)
		}
		when, err := time.Parse(time.RFC3339, row.date)
		if err != nil {
			t.Errorf("%s: tagger date %q: %v", row.name, row.date, err)
		}
		tg := tag{name: row.name, when: when}
		if parts := strings.Split(rest, "#"); len(parts) == 3 {
			if tg.counter, err = strconv.Atoi(parts[2]); err != nil {
				t.Errorf("%s: counter %q", row.name, parts[2])
			}
		}
		tags = append(tags, tg)
	}
	if len(tags) != want {
		t.Errorf("%d tags, want %d: %v", len(tags), want, tags)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].when.Before(tags[j].when) })
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) // GIT_COMMITTER_DATE of setupEnv
	counters := map[int]string{}
	last := 0
	for i, tg := range tags {
		if w := base.Add(time.Duration(i) * time.Second); !tg.when.Equal(w) {
			t.Errorf("%s: tagger time %s, want %s (times in order: %v)", tg.name, tg.when.UTC().Format(time.RFC3339), w.Format(time.RFC3339), tags)
		}
		if tg.counter == 0 {
			continue
		}
		if other, dup := counters[tg.counter]; dup {
			t.Errorf("tags %s and %s have the same counter", other, tg.name)
		}
		counters[tg.counter] = tg.name
		if tg.counter <= last {
			t.Errorf("%s: counter %d after %d in tagger-time order", tg.name, tg.counter, last)
		}
		last = tg.counter
	}
	r.noLockFiles()
	r.ls()
	r.git(r.dir, "model", "history", "--json", artifact)
}

// TestStaleRefLock leaves the lock file of the tag that a write is about to create or delete,
// as a crash would: the write fails as git fails on it (exit 128, git's words naming the lock
// file, and the hint), changes nothing, and succeeds once the file is removed. Tags are
// written directly and through libgit2 (core.logAllRefUpdates=always), deleted loose and
// packed (packed-refs.lock).
func TestStaleRefLock(t *testing.T) {
	type write struct {
		what string
		args []string
		lock string // relative to the git directory; %s is the artifact's tag form
		pack bool
	}
	writes := []write{
		{"register", []string{"register", "%s", "HEAD"}, "refs/tags/%s@v0.0.2.lock", false},
		{"promote", []string{"promote", "%s", "prod", "HEAD~1"}, "refs/tags/%s#prod#1.lock", false},
		{"promote that registers", []string{"promote", "%s", "prod", "HEAD"}, "refs/tags/%s@v0.0.2.lock", false},
		{"deprecate", []string{"deprecate", "%s", "v0.0.1"}, "refs/tags/%s@v0.0.1!.lock", false},
		{"deprecate --delete", []string{"deprecate", "--delete", "%s", "v0.0.1"}, "refs/tags/%s@v0.0.1.lock", false},
		{"deprecate --delete, packed", []string{"deprecate", "--delete", "%s", "v0.0.1"}, "refs/tags/%s@v0.0.1.lock", true},
		{"deprecate --delete, packed-refs", []string{"deprecate", "--delete", "%s", "v0.0.1"}, "packed-refs.lock", true},
	}
	artifacts := []string{"segm-nn", "team/a/b", "models/cv:segm"} // each write meets each form
	for m, mode := range []string{"direct", "logAllRefUpdates=always"} {
		for i, w := range writes {
			artifact := artifacts[(i+m)%len(artifacts)]
			t.Run(strings.ReplaceAll(mode+"/"+artifact+"/"+w.what, "/", "_"), func(t *testing.T) {
				r, c := newConcurrencyRepo(t, 2)
				if mode != "direct" {
					r.git(r.dir, "config", "core.logAllRefUpdates", "always")
				}
				r.git(r.dir, "model", "register", artifact, c[0])
				if w.pack {
					r.git(r.dir, "pack-refs", "--all")
				}
				args := []string{"model"}
				for _, a := range w.args {
					args = append(args, strings.ReplaceAll(a, "%s", artifact))
				}
				lock := filepath.Join(r.commonDir(), filepath.FromSlash(strings.ReplaceAll(w.lock, "%s", tagForm(artifact))))
				if err := os.MkdirAll(filepath.Dir(lock), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(lock, nil, 0o644); err != nil {
					t.Fatal(err)
				}
				before := r.refState()
				cmd, stdout, stderr := r.command(r.dir, args...)
				err := cmd.Run()
				if code := cmd.ProcessState.ExitCode(); code != 128 {
					t.Errorf("git %s: exit %d (%v), want 128", strings.Join(args, " "), code, err)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				if want := lockErrorText(lock); stderr.String() != want {
					t.Errorf("stderr\n%q\nwant\n%q", stderr, want)
				}
				if after := r.refState(); after != before {
					t.Errorf("refs changed:\n%s\nwere\n%s", after, before)
				}
				pending := filepath.Join(r.dir, ".git", "git-model", "pending-push")
				if _, err := os.Lstat(pending); !os.IsNotExist(err) {
					data, _ := os.ReadFile(pending)
					t.Errorf("the failed write left a pending record: %q", data)
				}
				if err := os.Remove(lock); err != nil {
					t.Fatal(err)
				}
				if out, err := r.run(args...); err != nil {
					t.Errorf("git %s once the lock is gone: %v\n%s", strings.Join(args, " "), err, out)
				}
				r.noLockFiles()
			})
		}
	}
}

// run runs git and returns its combined output and error, for a command that may fail.
func (r *concurrencyRepo) run(args ...string) (string, error) {
	cmd, stdout, stderr := r.command(r.dir, args...)
	err := cmd.Run()
	return stdout.String() + stderr.String(), err
}
