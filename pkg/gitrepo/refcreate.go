package gitrepo

/*
#cgo pkg-config: libgit2
#include <stdlib.h>
#include <string.h>
#include <git2.h>

// create_ref points a reference at id. With must_be_new it succeeds only if the reference does
// not exist, checked under the reference's lock (git_reference_create_matching with an all-zero
// expected id), so that two writers can never both create it; git2go does not expose this call.
static int create_ref(const char *git_dir, const char *name, const char *hex, int must_be_new, const char *log_message) {
	git_repository *repo = NULL;
	git_reference *ref = NULL;
	git_oid id, zero;
	int error = git_repository_open(&repo, git_dir);
	if (error < 0)
		return error;
	error = git_oid_fromstr(&id, hex);
	if (error == 0) {
		memset(&zero, 0, sizeof(zero));
		error = git_reference_create_matching(&ref, repo, name, &id, 1, must_be_new ? &zero : NULL, log_message);
	}
	git_reference_free(ref);
	git_repository_free(repo);
	return error;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"unsafe"

	"github.com/git-model/git-model/pkg/internal/refs"
)

// libgit2's error codes for a reference that changed or is locked by another writer.
const (
	errModified = -15 // GIT_EMODIFIED
	errLocked   = -14 // GIT_ELOCKED
	errExists   = -4  // GIT_EEXISTS
)

// createNewTag creates the tag ref refs/tags/NAME pointing at id, only if no tag has that name,
// the way git creates a loose ref: under the lock file refs/tags/NAME.lock, it checks that no
// loose or packed ref has the name or stands where its folders would go (or the reverse),
// writes the id to the lock file and renames it into place. Unlike libgit2, which loads and
// scans all of packed-refs to create one ref, this costs the same at 40,000 tags as at 10.
// A ref that must be logged (core.logAllRefUpdates=always, or a reflog already there) is left
// to libgit2, which writes reflogs.
func (r *Repository) createNewTag(name, id string) error {
	common := r.CommonDir()
	refName := tagsPrefix + name
	path := filepath.Join(common, filepath.FromSlash(refName))
	if v, _, _ := r.ConfigValue("core.logAllRefUpdates"); strings.EqualFold(v, "always") || fileExists(filepath.Join(common, "logs", filepath.FromSlash(refName))) {
		return r.createRef(refName, id, false, "git-model: tag "+name)
	}
	conflict := func(other string) error {
		return fmt.Errorf("'%s' exists; cannot create '%s'", other, refName)
	}
	var lock *os.File
	err := retryLocked(r.refLockTimeout, func() error {
		var err error
		for range 3 { // git pack-refs may remove the folder, emptied, between the two: again
			if err = os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
					return conflict(firstFile(common, refName))
				}
				return err
			}
			lock, err = os.OpenFile(path+".lock", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
			if !errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
		if errors.Is(err, fs.ErrExist) {
			// Another writer holds the lock (waited for), or a crash left it (reported as
			// git reports it, not as a tag that exists: the caller would retry in vain).
			return newLockError(path + ".lock")
		}
		return err
	})
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			lock.Close()
			os.Remove(lock.Name())
		}
	}()
	if info, err := os.Lstat(path); err == nil {
		if !info.IsDir() {
			return ErrTagExists
		}
		if !removeEmptyDirs(path) { // as git does, a folder of empty folders gives way
			return conflict(refName + "/…")
		}
	}
	packed, err := refs.OpenPacked(common)
	if err != nil {
		return err
	}
	defer packed.Close()
	exists, below := packed.Has(refName)
	if exists {
		return ErrTagExists
	}
	if below {
		return conflict(refName + "/…")
	}
	for i := len(tagsPrefix); i < len(refName); i++ {
		if refName[i] == '/' {
			if exists, _ := packed.Has(refName[:i]); exists {
				return conflict(refName[:i])
			}
		}
	}
	if _, err := lock.WriteString(id + "\n"); err != nil {
		return err
	}
	if err := lock.Close(); err != nil {
		return err
	}
	if err := os.Rename(lock.Name(), path); err != nil {
		os.Remove(lock.Name())
		return err
	}
	done = true
	return nil
}

// firstFile names the first folder of refName that is a file, for a message.
func firstFile(common, refName string) string {
	for i := len(tagsPrefix); i < len(refName); i++ {
		if refName[i] == '/' {
			if info, err := os.Stat(filepath.Join(common, filepath.FromSlash(refName[:i]))); err == nil && !info.IsDir() {
				return refName[:i]
			}
		}
	}
	return refName
}

// removeEmptyDirs removes dir if it holds nothing but empty folders, and reports whether it did.
func removeEmptyDirs(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() || !removeEmptyDirs(filepath.Join(dir, e.Name())) {
			return false
		}
	}
	return os.Remove(dir) == nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// createRef points refName at id: only if it does not exist yet unless replace, atomically.
// A ref that exists (or changed, with replace) is ErrTagExists, so that the caller reads the
// tags again and retries; the ref's lock file, held by another writer, is waited for as git
// waits, then reported as a LockError.
func (r *Repository) createRef(refName, id string, replace bool, message string) error {
	cDir, cName, cID, cMsg := C.CString(r.repo.Path()), C.CString(refName), C.CString(id), C.CString(message)
	defer func() {
		for _, p := range []*C.char{cDir, cName, cID, cMsg} {
			C.free(unsafe.Pointer(p))
		}
	}()
	mustBeNew := C.int(1)
	if replace {
		mustBeNew = 0
	}
	lockPath := filepath.Join(r.CommonDir(), filepath.FromSlash(refName)) + ".lock"
	runtime.LockOSThread() // libgit2 keeps its last error per thread
	defer runtime.UnlockOSThread()
	once := func() error {
		code := C.create_ref(cDir, cName, cID, mustBeNew, cMsg)
		var message string
		if e := C.git_error_last(); e != nil {
			message = C.GoString(e.message)
		}
		switch {
		case code == 0:
			return nil
		case code == errLocked:
			return newLockError(lockPathOf(message, lockPath))
		case code == errModified || code == errExists:
			return ErrTagExists
		case message != "":
			return errors.New(message)
		}
		return fmt.Errorf("libgit2 error %d", int(code))
	}
	return retryLocked(r.refLockTimeout, func() error { return retryFolderRace(once) })
}

// retryFolderRace calls try again, twice at most, when libgit2 failed to create the folder of
// a ref's lock file because another writer removed a parent folder in between (a deletion
// removes the folders it emptied, as git does): git tries again then too
// (raceproof_create_file in git's object-file.c), as createNewTag does.
func retryFolderRace(try func() error) error {
	for i := 1; ; i++ {
		err := try()
		if err == nil || i == 3 || !strings.HasPrefix(err.Error(), "failed to make directory '") ||
			!strings.HasSuffix(err.Error(), ": No such file or directory") {
			return err
		}
	}
}
