// Package lfs owns what git-model needs of Git LFS to hand out a model file that is committed as
// an LFS pointer: the pointer format, the local object store under the Git directory, the LFS
// server's URL as git-lfs derives it from a remote, and the download half of the batch API.
//
// It is pure Go (no cgo) and runs no git command: the caller reads the blob, the Git directory
// and the configuration values (lfs.url, remote.<name>.lfsurl, lfs.storage) and passes them in,
// and supplies Git's credential helpers through the Credentials interface.
//
// A pointer (Git LFS specification v1, docs/spec.md of git-lfs) is a UTF-8 text blob of fewer
// than 1024 bytes, one "key value\n" line per key, version first and the other keys sorted:
//
//	version https://git-lfs.github.com/spec/v1\n
//	ext-0-NAME sha256:<64 hex>\n       optional, up to ten, priorities 0-9 ascending
//	oid sha256:<64 lowercase hex>\n
//	size <decimal, no sign, no leading zero>\n
//
// The specification says a pointer has exactly one valid encoding, and ParsePointer accepts
// only that one: a blob that merely resembles a pointer (CRLF line ends, blank lines, spaces
// around values, upper-case hex, unknown keys, trailing text) is a plain file and is handed out
// as it is.
//
// The local object of a pointer lives at <storage>/objects/<oid[0:2]>/<oid[2:4]>/<oid>, where
// the storage is <git-common-dir>/lfs unless lfs.storage says otherwise.
package lfs
