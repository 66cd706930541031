package main

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAnnotateKilled kills annotate with SIGKILL at moments spread over the whole of its run:
// whenever it dies, artifacts.yaml is the old file or the new one, never a part, and no
// temporary file is left in the work tree (it is written under .git/git-model/tmp and renamed
// into place). The binary is run itself, not through git, which would leave it running when
// killed.
func TestAnnotateKilled(t *testing.T) {
	r, _ := newConcurrencyRepo(t, 1)
	path := filepath.Join(r.dir, "artifacts.yaml")
	var b strings.Builder
	for i := range 5000 { // large enough that writing it takes a while
		fmt.Fprintf(&b, "m%d:\n  type: model\n  path: s3://bucket/m%d.pt\n", i, i)
	}
	old := b.String()
	annotate := func() (*exec.Cmd, chan struct{}) {
		if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(filepath.Join(binDir, "git-model"), "annotate", "m0", "--label", "killed")
		cmd.Dir, cmd.Env = r.dir, r.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		return cmd, done
	}

	// Watched runs: when the temporary file appears in .git/git-model/tmp (the write begins),
	// and when the run ends; a temporary file in the work tree fails the test at once. A write
	// can be too quick to be seen: the runs go on until one is.
	tmpDir := filepath.Join(r.dir, ".git", "git-model", "tmp")
	var took time.Duration
	writing := time.Duration(-1)
	for try := 0; writing < 0; try++ {
		if try == 10 {
			t.Fatal("10 runs of annotate, and no temporary file seen under .git/git-model/tmp")
		}
		cmd, done := annotate()
		start := time.Now()
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
				if list, _ := os.ReadDir(tmpDir); len(list) > 0 && writing < 0 {
					writing = time.Since(start)
				}
				if list, _ := filepath.Glob(filepath.Join(r.dir, ".artifacts.yaml.tmp-*")); len(list) > 0 {
					t.Fatalf("temporary file in the work tree: %s", list[0])
				}
			}
		}
		took = time.Since(start)
		if !cmd.ProcessState.Success() {
			t.Fatalf("annotate failed: %v", cmd.ProcessState)
		}
	}
	// Watching slows the run down: time runs that are not watched (the quickest of three, so
	// that a run slowed by other work on the machine does not push the kills past the end of
	// the others), and scale.
	unwatched := time.Duration(0)
	for range 3 {
		_, done := annotate()
		start := time.Now()
		<-done
		if d := time.Since(start); unwatched == 0 || d < unwatched {
			unwatched = d
		}
	}
	writing = writing * unwatched / took
	took = unwatched
	edited, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(edited) == old {
		t.Fatal("annotate changed nothing")
	}

	// Half the runs are killed at moments spread over the whole run, half over the write (from
	// a little before the temporary file was seen to the end).
	const runs = 30
	killed := 0
	for i := range runs {
		at := took * time.Duration(i) / runs * 5 / 4
		if i%2 == 1 && writing >= 0 {
			from := max(writing-time.Millisecond, 0)
			at = from + (took-from)*time.Duration(i)/runs
		}
		cmd, done := annotate()
		time.Sleep(at)
		cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("annotate did not die")
		}
		if status, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			killed++
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if string(got) != old && string(got) != string(edited) {
			t.Fatalf("run %d: artifacts.yaml is neither the old file nor the new (%d bytes)", i, len(got))
		}
		err = filepath.WalkDir(r.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if strings.Contains(d.Name(), ".tmp-") {
				t.Errorf("run %d: temporary file left in the work tree: %s", i, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("one run takes %v, the write begins after %v; %d of %d runs killed", took, writing, killed, runs)
	if killed < runs/3 {
		t.Errorf("only %d of %d runs were killed before they ended", killed, runs)
	}
}
