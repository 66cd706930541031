package lfs

import (
	"path/filepath"
)

// Storage returns the folder of the repository's LFS store as git-lfs finds it: lfsStorage
// (the value of lfs.storage, "" when unset) when it is absolute, else lfsStorage joined to
// gitCommonDir, "lfs" when unset. Like git-lfs, it does not expand "~" (the value is read as a
// string, not as a path) and it uses the common Git directory, so that every worktree of a
// repository shares one store.
func Storage(gitCommonDir, lfsStorage string) string {
	if lfsStorage == "" {
		lfsStorage = "lfs"
	}
	if filepath.IsAbs(lfsStorage) {
		return filepath.Clean(lfsStorage)
	}
	return filepath.Join(gitCommonDir, lfsStorage)
}

// ObjectPath returns where the object oid is kept in the LFS store storage (as Storage gives
// it): storage/objects/<oid[0:2]>/<oid[2:4]>/<oid>. It returns "" for an oid that is not 64
// lowercase hexadecimal digits, so that no OID from a hostile blob or server reaches a path.
func ObjectPath(storage, oid string) string {
	if !ValidOID(oid) {
		return ""
	}
	return filepath.Join(storage, "objects", oid[0:2], oid[2:4], oid)
}
