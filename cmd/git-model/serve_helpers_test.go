package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// served is a `git model serve` the test started, and what it printed.
type served struct {
	url    string // http://127.0.0.1:PORT, without the final slash
	cmd    *exec.Cmd
	mu     sync.Mutex
	stderr bytes.Buffer
}

var servingLine = regexp.MustCompile(`^Serving .* at (http://[^ ]+)/ \(read-only; Ctrl-C stops\)$`)

// serve starts `git-model [GLOBAL…] serve --listen 127.0.0.1:0` in dir (args go before
// "serve": -R and the like; serveArgs after it), waits for the line that gives its address,
// and stops it with SIGINT when the test ends, checking that it then exits 0. It runs the
// binary itself rather than through git, so that the signal reaches the server alone.
func (e *remoteEnv) serve(dir string, args []string, serveArgs ...string) *served {
	e.t.Helper()
	all := append(append([]string{}, args...), "serve")
	if len(serveArgs) == 0 {
		serveArgs = []string{"--listen", "127.0.0.1:0"}
	}
	cmd := exec.Command(filepath.Join(binDir, "git-model"), append(all, serveArgs...)...)
	cmd.Dir = e.path(dir)
	cmd.Env = e.vars
	s := &served{cmd: cmd}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stderr = writerFunc(func(p []byte) (int, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.stderr.Write(p)
	})
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSuffix(line, "\n")
		io.Copy(io.Discard, r)
	}()
	select {
	case line := <-lines:
		m := servingLine.FindStringSubmatch(line)
		if m == nil {
			cmd.Process.Kill()
			cmd.Wait()
			e.t.Fatalf("git model serve printed %q, stderr %q", line, s.errText())
		}
		s.url = m[1]
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		e.t.Fatalf("git model serve gave no address within a minute; stderr %q", s.errText())
	}
	e.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("git model serve stopped by SIGINT: %v; stderr %q", err, s.errText())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			e.t.Errorf("git model serve did not stop on SIGINT")
		}
	})
	return s
}

func (s *served) errText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// get fetches a path of the site and returns the response and its body.
func (s *served) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(s.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, string(body)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
