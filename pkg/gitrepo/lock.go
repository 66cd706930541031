package gitrepo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	git "github.com/libgit2/git2go/v34"
)

// LockError is a lock file that exists already: another process holds it, or a process that
// crashed left it behind. It is worded as git words it, and the hint says what to do.
type LockError struct {
	Path string // the lock file
}

func (e *LockError) Error() string {
	return fmt.Sprintf("Unable to create '%s': File exists.", e.Path)
}

// Hint is printed after the error, as git prints its advice.
func (e *LockError) Hint() string {
	return "Another git process seems to be running in this repository. If none is, a process may " +
		"have crashed in this repository earlier: remove the file manually to continue."
}

// newLockError reports the lock file at path, made absolute as git names it.
func newLockError(path string) *LockError {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &LockError{Path: path}
}

// How long git waits for a lock that another process holds before it gives up (git config
// core.filesRefLockTimeout and core.packedRefsTimeout, in milliseconds; their defaults).
const (
	refLockTimeout        = 100 * time.Millisecond
	packedRefsLockTimeout = time.Second
)

// lockTimeout reads a lock timeout of git config as git does: milliseconds, 0 for no retry, a
// negative value for no limit; def when unset or unreadable.
func (r *Repository) lockTimeout(key string, def time.Duration) time.Duration {
	v, ok, err := r.ConfigValue(key)
	if !ok || err != nil {
		return def
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return def
	}
	return time.Duration(ms) * time.Millisecond
}

// refLockTimeout is how long a writer waits for the lock of a ref, or of packed-refs when path
// is that lock, as git waits.
func (r *Repository) refLockTimeout(path string) time.Duration {
	if filepath.Base(path) == "packed-refs.lock" {
		return r.lockTimeout("core.packedRefsTimeout", packedRefsLockTimeout)
	}
	return r.lockTimeout("core.filesRefLockTimeout", refLockTimeout)
}

// retryLocked calls try again while it fails with a *LockError, backing off the way git's
// lock_file_timeout does (about 1, 4, 9, 16… ms, randomised by ±25%, at most a second a try),
// until timeout (from timeoutOf, for the lock that failed) has passed; then it returns that
// LockError. A lock that another writer holds for a moment is waited for; one that a crash
// left behind is reported, as git reports it.
func retryLocked(timeoutOf func(lockPath string) time.Duration, try func() error) error {
	start := time.Now()
	multiplier, n := 1, 1
	for {
		err := try()
		var locked *LockError
		if !errors.As(err, &locked) {
			return err
		}
		timeout := timeoutOf(locked.Path)
		if timeout == 0 || timeout > 0 && time.Since(start) >= timeout {
			return err
		}
		time.Sleep(time.Duration(750+rand.IntN(500)) * time.Duration(multiplier) * time.Microsecond)
		if multiplier += 2*n + 1; multiplier > 1000 {
			multiplier = 1000
		} else {
			n++
		}
	}
}

// libgit2LockError turns libgit2's GIT_ELOCKED ("failed to lock file '…' for writing") into a
// LockError naming the lock file; fallback is the lock file to name when the message does not.
func libgit2LockError(err error, fallback string) error {
	var gitErr *git.GitError
	if !errors.As(err, &gitErr) || gitErr.Code != git.ErrorCodeLocked {
		return err
	}
	return newLockError(lockPathOf(gitErr.Message, fallback))
}

// lockPathOf finds the lock file in libgit2's message about it.
func lockPathOf(message, fallback string) string {
	const prefix, suffix = "failed to lock file '", "' for writing"
	_, rest, ok := strings.Cut(message, prefix)
	if !ok {
		return fallback
	}
	path, _, ok := strings.Cut(rest, suffix)
	if !ok || path == "" {
		return fallback
	}
	return path
}
