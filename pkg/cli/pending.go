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
// tag, "delete NAME OLDID" or "replace NAME OLDID". OLDID is the lease: the id the tag had
// here before it was deleted or moved, which the remote's tag must still have for the push to
// delete or move it (anything else there is a teammate's tag, never to be overwritten). Lines
// written before leases existed ("delete NAME") read with an unknown lease, which no push
// acts on (see pushPlan).
const pendingFile = "git-model/pending-push"

// pendingLock is the lock (gitrepo.Repository.Lock) under which the record is read, changed and
// replaced: without it, two writes that read it at once would each write back their own
// addition and lose the other's.
const pendingLock = "pending-push"

// The actions of the record.
const (
	pendingDelete  = "delete"
	pendingReplace = "replace"
)

// pendingEntry is one tag of the record: its action and its lease ("" when unknown).
type pendingEntry struct {
	Action string
	Old    string
}

type pending map[string]pendingEntry // tag name → what to push

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
		fields := strings.Fields(line)
		if len(fields) < 2 || (fields[0] != pendingDelete && fields[0] != pendingReplace) {
			continue
		}
		e := pendingEntry{Action: fields[0]}
		if len(fields) > 2 && validID(fields[2]) {
			e.Old = fields[2]
		}
		p[fields[1]] = e
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
		if e := p[name]; e.Old != "" {
			fmt.Fprintf(&b, "%s %s %s\n", e.Action, name, e.Old)
		} else {
			fmt.Fprintf(&b, "%s %s\n", e.Action, name)
		}
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

// leasesOf reads what the tags that a change deletes or moves point to before it is applied:
// the leases of their records. The caller holds the artifact's lock, and all the tags of a
// change are of one artifact, so only that artifact's refs are read.
func leasesOf(repo *gitrepo.Repository, change registry.Change) (map[string]string, error) {
	var names []string
	names = append(names, change.Delete...)
	for _, t := range change.Create {
		if t.Replace {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	t, _ := registry.ParseTag(names[0])
	targets, err := repo.TagTargets(registry.TagArtifact(t.Artifact))
	if err != nil {
		return nil, fatalError(err)
	}
	leases := map[string]string{}
	for _, name := range names {
		leases[name] = targets[name]
	}
	return leases, nil
}

// validID reports whether s is a full hexadecimal object id.
func validID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789abcdef", rune(s[i])) {
			return false
		}
	}
	return true
}

// recordDeletions remembers tag deletions until they are pushed, each with its lease (the id
// it had here, leases). It runs before the tags are deleted, so that a crash between the two
// cannot lose the record (the remote would keep the tag, and fetch would bring it back). The
// record of a deletion that a crash prevented is harmless: push drops the record of a tag
// that is still here with its lease (pushPlan); a deletion that fails takes its record back
// (forgetDeletions). A tag deleted after a move that was not pushed keeps the lease of the
// move: the remote still has the tag from before it.
func recordDeletions(repo *gitrepo.Repository, names []string, leases map[string]string) error {
	if len(names) == 0 {
		return nil
	}
	return updatePending(repo, func(p pending) {
		for _, name := range names {
			old := leases[name]
			if e, ok := p[name]; ok && e.Action == pendingReplace {
				old = e.Old
			}
			p[name] = pendingEntry{Action: pendingDelete, Old: old}
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
// before the move, else a push would force the unmoved tag onto the remote), with the lease
// it had before the move (leases; an earlier move not pushed yet keeps its own). A tag created
// again after a deletion that was not pushed becomes a move from what the remote still has.
// The caller holds the artifact's lock, so no other write can record one of these names
// meanwhile: the first read needs no lock, and most writes stop there.
func recordCreations(repo *gitrepo.Repository, created []registry.NewTag, leases map[string]string) error {
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
			e, recorded := p[t.Name]
			switch {
			case recorded && e.Old != "":
				p[t.Name] = pendingEntry{Action: pendingReplace, Old: e.Old}
			case t.Replace:
				p[t.Name] = pendingEntry{Action: pendingReplace, Old: leases[t.Name]}
			default:
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

// undone reports whether a recorded deletion did not happen: a crash came between recording it
// and deleting the tag, which is still here (here, pointing to mine) as it was.
func (e pendingEntry) undone(mine string, here bool) bool {
	return here && e.Action == pendingDelete && e.Old == mine
}
