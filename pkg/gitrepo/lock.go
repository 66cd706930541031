package gitrepo

import "fmt"

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
