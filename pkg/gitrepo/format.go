package gitrepo

/*
#cgo pkg-config: libgit2
#include <git2.h>

// allow_extensions lets libgit2 open repositories that declare the extensions objectFormat and
// refStorage (which libgit2 1.5 refuses by name), so that checkFormat can read their values
// and accept or refuse the repository with a message of its own.
static int allow_extensions(void) {
	const char *names[] = {"objectformat", "refstorage"};
	return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, names, (size_t)2);
}
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
)

var extensionsAllowed = sync.OnceFunc(func() { C.allow_extensions() })

// FormatError is a repository whose format git-model cannot read: SHA-256 object ids, or refs
// kept in a reftable. Nothing in it is read or written.
type FormatError struct {
	Path   string
	Key    string // the extension, as git spells it
	Value  string
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("repository '%s' declares %s = %s: %s", e.Path, e.Key, e.Value, e.Reason)
}

// checkFormat accepts the repository formats that both libgit2 1.5 and git-model's own readers
// read: SHA-1 object ids and the "files" ref storage (loose refs and packed-refs), whether or
// not the repository declares them. A SHA-256 repository or a reftable is refused before any
// ref or object is read (docs/architecture.md).
func (r *Repository) checkFormat() error {
	cfg, err := r.localConfig()
	if err != nil {
		return err
	}
	defer cfg.Free()
	for _, ext := range []struct{ key, want, reason string }{
		{"extensions.objectFormat", "sha1", "git-model reads repositories of SHA-1 object ids only (libgit2 1.5, which it is built on, has no SHA-256)"},
		{"extensions.refStorage", "files", "git-model reads refs from loose files and packed-refs only, not from a reftable"},
	} {
		v, err := cfg.LookupString(ext.key)
		if err != nil { // not declared: the default, SHA-1 and files
			continue
		}
		if !strings.EqualFold(strings.TrimSpace(v), ext.want) {
			return &FormatError{Path: strings.TrimSuffix(r.GitDir(), "/"), Key: ext.key, Value: v, Reason: ext.reason}
		}
	}
	return nil
}
