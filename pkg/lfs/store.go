package lfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
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

// LocalPath returns where the object oid is kept in the default LFS store of the repository
// whose common Git directory is gitCommonDir: <gitCommonDir>/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>,
// or "" for an invalid oid. When lfs.storage is set, use ObjectPath(Storage(…), oid).
func LocalPath(gitCommonDir, oid string) string {
	return ObjectPath(Storage(gitCommonDir, ""), oid)
}

// Copy copies the object of p from r to w and checks on the way that it has p's size and
// SHA-256, reading at most one byte more than the size. An error means w got content that is
// not the object: write to a temporary file and keep it only when Copy returns nil.
func Copy(w io.Writer, r io.Reader, p Pointer) error {
	hash := sha256.New()
	limit := p.Size
	if limit < math.MaxInt64 {
		limit++ // one byte more tells a longer object from one of the right size
	}
	n, err := io.Copy(io.MultiWriter(w, hash), io.LimitReader(r, limit))
	if err != nil {
		return err
	}
	if n != p.Size {
		if n > p.Size {
			return fmt.Errorf("object '%s' is larger than its pointer's size %d", p.OID, p.Size)
		}
		return fmt.Errorf("object '%s' has %d bytes, its pointer says %d", p.OID, n, p.Size)
	}
	if sum := hex.EncodeToString(hash.Sum(nil)); sum != p.OID {
		return fmt.Errorf("object '%s' has SHA-256 '%s': it is damaged or not that object", p.OID, sum)
	}
	return nil
}
