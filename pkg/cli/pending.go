package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/registry"
	"github.com/git-model/git-model/pkg/safefile"
)

// Deletions and moved tags cannot be found by comparing tags with the remote's later, so the
// writes that make them record them in the git directory until they are pushed: one line per
// tag, "delete NAME" or "replace NAME".
const pendingFile = "git-model/pending-push"

// pendingLock is the lock (gitrepo.Repository.Lock) under which the record is read, changed and
// replaced: without it, two writes that read it at once would each write back their own
// addition and lose the other's.
const pendingLock = "pending-push"

type pending map[string]string // tag name → "delete" or "replace"

// readPending reads the record. It is replaced atomically, so reading it needs no lock; what
// is read for a change must be read under the lock (updatePending).
func readPending(repo *gitrepo.Repository) (pending, error) {
	p := pending{}
	data, err := safefile.Read(filepath.Join(repo.CommonDir(), pendingFile), 0)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fatalError(fmt.Errorf("reading %s: %w", pendingFile, unwrapPath(err)))
	}
	for _, line := range strings.Split(string(data), "\n") {
		if action, name, ok := strings.Cut(line, " "); ok && (action == "delete" || action == "replace") {
			p[name] = action
		}
	}
	return p, nil
}

// write replaces the record with p, or removes it when p is empty. The caller holds the lock.
func (p pending) write(repo *gitrepo.Repository) error {
	path := filepath.Join(repo.CommonDir(), pendingFile)
	if len(p) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fatalError(err)
		}
		return nil
	}
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s %s\n", p[name], name)
	}
	if err := safefile.Replace(path, []byte(b.String()), 0o644, ""); err != nil {
		return fatalError(fmt.Errorf("writing %s: %w", pendingFile, unwrapPath(err)))
	}
	return nil
}

// updatePending reads the record, lets change edit it and writes it back, all under the
// record's lock, so that concurrent writes and pushes each see the others' changes.
func updatePending(repo *gitrepo.Repository, change func(pending)) error {
	unlock, err := repo.Lock(pendingLock)
	if err != nil {
		return fatalError(err)
	}
	defer unlock()
	// A writer killed while replacing the record leaves its temporary file (safefile.Replace
	// names it .pending-push.tmp-…); only holders of the lock write one, so any there now is
	// such a leftover.
	dir := filepath.Join(repo.CommonDir(), filepath.Dir(pendingFile))
	leftovers, _ := filepath.Glob(filepath.Join(dir, "."+filepath.Base(pendingFile)+".tmp-*"))
	for _, name := range leftovers {
		os.Remove(name)
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	change(p)
	return p.write(repo)
}

// recordDeletions remembers tag deletions until they are pushed. It runs before the tags are
// deleted, so that a crash between the two cannot lose the record (the remote would keep the
// tag, and fetch would bring it back). The record of a deletion that a crash prevented is
// harmless: push drops the record of a tag that is still here (push.go); a deletion that
// fails takes its record back (forgetDeletions).
func recordDeletions(repo *gitrepo.Repository, names []string) error {
	if len(names) == 0 {
		return nil
	}
	return updatePending(repo, func(p pending) {
		for _, name := range names {
			p[name] = "delete"
		}
	})
}

// forgetDeletions takes back the records of deletions that failed. A failure to do so is
// not reported over the failure that caused it: the records are harmless (recordDeletions).
func forgetDeletions(repo *gitrepo.Repository, names []string) {
	if len(names) == 0 {
		return
	}
	_ = updatePending(repo, func(p pending) {
		for _, name := range names {
			delete(p, name)
		}
	})
}

// recordCreations runs after tags were created: a moved tag is recorded until pushed (not
// before the move, else a push would force the unmoved tag onto the remote), and a tag created
// again is no longer a deletion to push. The caller holds the artifact's lock, so no other
// write can record one of these names meanwhile: the first read needs no lock, and most writes
// stop there.
func recordCreations(repo *gitrepo.Repository, created []registry.NewTag) error {
	if len(created) == 0 {
		return nil
	}
	if p, err := readPending(repo); err != nil {
		return err
	} else if !needsUpdate(p, created) {
		return nil
	}
	return updatePending(repo, func(p pending) {
		for _, t := range created {
			if t.Replace {
				p[t.Name] = "replace"
			} else {
				delete(p, t.Name)
			}
		}
	})
}

// needsUpdate reports whether recording the creations would change p.
func needsUpdate(p pending, created []registry.NewTag) bool {
	for _, t := range created {
		if _, recorded := p[t.Name]; t.Replace || recorded {
			return true
		}
	}
	return false
}
