package gitrepo

import (
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// startDaemon serves the repositories under base over git:// with push enabled, on a free
// loopback port, until the test ends, and returns the URL of base.
func startDaemon(t *testing.T, base string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.Command("git", "daemon", "--reuseaddr", "--base-path="+base, "--export-all",
		"--enable=receive-pack", "--listen=127.0.0.1", "--port="+port, base)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting git daemon: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if conn, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			conn.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("git daemon does not answer")
		}
	}
	return "git://127.0.0.1:" + port
}

// TestPushTagsLeases pushes over git:// with leases: a lease that fails at the check sends
// nothing for its tag (the others go), and a teammate's push that lands between the check and
// the push makes the server refuse ours (libgit2 sends the id it checked as the old value),
// for a move, a creation and a deletion alike: the teammate's tag stays.
func TestPushTagsLeases(t *testing.T) {
	f := newLocalPushFixture(t)
	url := startDaemon(t, filepath.Dir(f.bare)) + "/origin.git"
	if url == "" || f.repo.RemoteKey(url) != url {
		t.Fatalf("RemoteKey(%q) = %q", url, f.repo.RemoteKey(url))
	}
	push := func(updates ...RefUpdate) []RefResult {
		t.Helper()
		results, err := f.repo.PushTags(url, updates)
		if err != nil {
			t.Fatalf("PushTags: %v", err)
		}
		return results
	}
	wantResults(t, "first push", push(RefUpdate{Name: "a", New: f.tag["a"]}, RefUpdate{Name: "b", New: f.tag["b"]},
		RefUpdate{Name: "to-reject", New: f.tag["to-reject"]}),
		RefResult{Name: "a"}, RefResult{Name: "b"}, RefResult{Name: "to-reject", Reason: "hook declined"})
	oldA, teammate := f.tag["a"], f.tag["b"]

	// a lease that does not hold: that tag is not sent, the other goes
	newA := f.addTag("a", "second a")
	wantResults(t, "stale lease", push(RefUpdate{Name: "a", New: newA, Old: f.tag["c"]}, RefUpdate{Name: "c", New: f.tag["c"]}),
		RefResult{Name: "a", Reason: StaleInfo}, RefResult{Name: "c"})
	if got := f.remoteTag("a"); got != oldA {
		t.Errorf("the remote's a is %s after a stale lease, want %s", got, oldA)
	}
	// already there: nothing to send, a success
	wantResults(t, "up to date", push(RefUpdate{Name: "c", New: f.tag["c"]}), RefResult{Name: "c"})

	// a teammate's push between the check and the push
	defer func() { afterLeaseCheck = func() {} }()
	for _, tc := range []struct {
		what string
		u    RefUpdate
		race []string // what the teammate does to the remote, as git update-ref arguments
	}{
		{"move", RefUpdate{Name: "a", New: newA, Old: oldA}, []string{"refs/tags/a", teammate}},
		{"creation", RefUpdate{Name: "d", New: newA}, []string{"refs/tags/d", teammate}},
		{"deletion", RefUpdate{Name: "c", Old: f.tag["c"]}, []string{"refs/tags/c", teammate}},
	} {
		afterLeaseCheck = func() { gittest.Git(t, f.bare, append([]string{"update-ref"}, tc.race...)...) }
		results := push(tc.u)
		if len(results) != 1 || results[0].Reason == "" || results[0].Reason == StaleInfo {
			t.Errorf("%s raced by a teammate: %+v, want the server's refusal", tc.what, results)
		}
		if got := f.remoteTag(tc.u.Name); got != teammate {
			t.Errorf("%s raced by a teammate: the remote's %s is %s, want the teammate's %s", tc.what, tc.u.Name, got, teammate)
		}
	}
	afterLeaseCheck = func() {}
	// without a race, the move goes with its lease
	wantResults(t, "move", push(RefUpdate{Name: "a", New: newA, Old: teammate}), RefResult{Name: "a"})
	if got := f.remoteTag("a"); got != newA {
		t.Errorf("the remote's a is %s after the move, want %s", got, newA)
	}
}
