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
	"runtime"
	"unsafe"
)

// libgit2's error codes for a reference that changed or is locked by another writer.
const (
	errModified = -15 // GIT_EMODIFIED
	errLocked   = -14 // GIT_ELOCKED
	errExists   = -4  // GIT_EEXISTS
)

// createRef points refName at id: only if it does not exist yet unless replace, atomically.
// Another writer holding the reference's lock is reported as ErrTagExists too, so that the
// caller reads the tags again and retries.
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
	runtime.LockOSThread() // libgit2 keeps its last error per thread
	defer runtime.UnlockOSThread()
	code := C.create_ref(cDir, cName, cID, mustBeNew, cMsg)
	switch {
	case code == 0:
		return nil
	case code == errModified || code == errLocked || code == errExists:
		return ErrTagExists
	}
	if e := C.git_error_last(); e != nil {
		return errors.New(C.GoString(e.message))
	}
	return fmt.Errorf("libgit2 error %d", int(code))
}
