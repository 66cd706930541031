package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LocksDir is where git-model keeps its own locks, under the common git directory.
const LocksDir = "git-model/locks"

// Lock takes git-model's exclusive lock called name (a file name), waiting while another
// process holds it, and returns the function that releases it.
//
// Unlike git's NAME.lock files, whose existence is the lock, these are ordinary files under
// $GIT_COMMON_DIR/git-model/locks/ locked with flock(2): the kernel releases the lock when the
// process ends, however it ends, so a crash or a kill -9 never leaves a stale one behind. The
// files stay when released: removing one would let a process that opened it just before lock
// a file that the next process no longer finds, and two of them would then hold "the" lock.
// Their names never end in .lock, so that neither git nor a user takes them for git's.
func (r *Repository) Lock(name string) (unlock func(), err error) {
	dir := filepath.Join(r.CommonDir(), filepath.FromSlash(LocksDir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("taking the lock %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	f, _, err := flockFile(path)
	if err != nil {
		return nil, fmt.Errorf("taking the lock %s: %s: %w", name, path, err)
	}
	return func() { f.Close() }, nil // closing the only descriptor releases the lock
}

// errLockNotRegular is a lock path that holds something other than a regular file.
var errLockNotRegular = errors.New("not a regular file")

// flockFile opens the file at path, created if needed, and takes its exclusive flock, waiting
// while another process holds it. O_NOFOLLOW and O_NONBLOCK: a symbolic link planted there is
// refused (ELOOP), never followed, and a FIFO is refused (errLockNotRegular), never waited on.
func flockFile(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = errLockNotRegular
	}
	for err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err == nil {
			return f, info, nil
		}
		if errors.Is(err, syscall.EINTR) {
			err = nil
		}
	}
	f.Close()
	return nil, nil, err
}
