package gitrepo

/*
#cgo pkg-config: libgit2
#include <git2.h>

// disable_owner_validation turns libgit2's own check of who owns a repository off: it knows
// neither safe.directory=* nor `git -c safe.directory=…`, and without any safe.directory it
// fails with "config value 'safe.directory' was not found". checkOwnership does git's check.
static int disable_owner_validation(void) {
	return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
}
*/
import "C"

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var ownerValidationOff = sync.OnceFunc(func() { C.disable_owner_validation() })

// DubiousOwnershipError is a repository found by searching from the current directory that
// belongs to another user and that no safe.directory setting trusts: git refuses to work in it,
// since its config could run commands (core.fsmonitor, hooks, filters) as the current user.
type DubiousOwnershipError struct {
	Path string // the top of the work tree, or the git directory of a bare repository
}

func (e *DubiousOwnershipError) Error() string {
	return fmt.Sprintf("detected dubious ownership in repository at '%s'", e.Path)
}

// Hint says how to trust the repository, in git's words.
func (e *DubiousOwnershipError) Hint() string {
	return "To add an exception for this directory, call: git config --global --add safe.directory " + e.Path
}

// checkOwnership refuses a repository that git would refuse (setup.c, ensure_valid_ownership):
// the work tree, the git directory and, for a linked worktree, its .git file must belong to the
// current user (or, for root, to the user SUDO_UID names), unless safe.directory in the system,
// global or command-line configuration names the repository's path or is '*'. An empty value
// forgets the values before it. The repository's own config is not asked: it is what is not
// trusted yet.
func checkOwnership(gitFile, workTree, gitDir string) error {
	owned := func(path string) bool {
		if path == "" {
			return true
		}
		info, err := os.Lstat(path)
		if err != nil {
			return true // what cannot be read is reported by what reads it
		}
		st, ok := info.Sys().(*syscall.Stat_t)
		return !ok || ownedByCurrentUser(st.Uid)
	}
	if owned(gitFile) && owned(workTree) && owned(gitDir) {
		return nil
	}
	path := workTree
	if path == "" {
		path = gitDir
	}
	values, _ := GlobalConfigValues("safe.directory")
	values = append(values, commandLineConfigValues("safe.directory")...)
	safe := false
	for _, v := range values {
		switch {
		case v == "":
			safe = false
		case v == "*":
			safe = true
		case expandHome(v) == path:
			safe = true
		}
	}
	if safe {
		return nil
	}
	return &DubiousOwnershipError{Path: path}
}

// ownedByCurrentUser compares a file's owner with the effective user, or, when that is root,
// also with SUDO_UID, as git does so that `sudo git …` works in the invoking user's clone.
func ownedByCurrentUser(uid uint32) bool {
	euid := os.Geteuid()
	if int(uid) == euid {
		return true
	}
	if euid == 0 {
		if sudo, err := strconv.ParseUint(os.Getenv("SUDO_UID"), 10, 32); err == nil {
			return uint32(sudo) == uid
		}
	}
	return false
}

// expandHome reads a path value as git's config does: a leading ~/ is the home folder.
func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}
