package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/safefile"
)

// What git-model knows of each remote it pushed to or fetched from, in a file per remote under
// $GIT_DIR/git-model/remotes/, named by a hash of the remote's key (gitrepo.RemoteKey: the URL
// without user and password, a configured remote counting as its URL, a path made absolute):
//
//	# git-model: registry tags published to URL
//	published ID NAME          the tag NAME was, with the id ID, on that remote (pushed or fetched)
//	rejected ID NAME REASON    the remote refused NAME with the id ID, for REASON
//
// fetch --prune deletes a local tag only when this record says that it came from the remote
// with the id it still has here: a tag that was never published is kept. status reads the
// rejections. Records are changed under a lock and replaced atomically, as the pending record.
const remotesDir = "git-model/remotes"

// remoteRecord is the record of one remote.
type remoteRecord struct {
	key       string
	published map[string]string    // tag name → id
	rejected  map[string]rejection // tag name → what the remote said
}

type rejection struct {
	ID, Reason string
}

// recordFile is the file and the lock name of a remote's record.
func recordFile(repo *gitrepo.Repository, key string) (path, lock string) {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:16])
	return filepath.Join(repo.CommonDir(), filepath.FromSlash(remotesDir), name), "remote-" + name
}

// readRemoteRecord reads the record of the remote with that key; none is an empty record. It
// is replaced atomically, so reading needs no lock; what is read for a change is read under it
// (updateRemoteRecord).
func readRemoteRecord(repo *gitrepo.Repository, key string) (*remoteRecord, error) {
	rec := &remoteRecord{key: key, published: map[string]string{}, rejected: map[string]rejection{}}
	path, _ := recordFile(repo, key)
	data, err := safefile.Read(path, 0)
	if errors.Is(err, os.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return nil, fatalError(fmt.Errorf("reading %s: %w", filepath.Join(remotesDir, filepath.Base(path)), unwrapPath(err)))
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.SplitN(line, " ", 4)
		if len(fields) < 3 || !validID(fields[1]) {
			continue
		}
		switch fields[0] {
		case "published":
			rec.published[fields[2]] = fields[1]
		case "rejected":
			r := rejection{ID: fields[1]}
			if len(fields) == 4 {
				r.Reason = fields[3]
			}
			rec.rejected[fields[2]] = r
		}
	}
	return rec, nil
}

// write replaces the record; the caller holds its lock.
func (rec *remoteRecord) write(repo *gitrepo.Repository) error {
	path, _ := recordFile(repo, rec.key)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fatalError(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# git-model: registry tags published to %s\n", oneLineText(rec.key))
	for _, name := range sortedKeys(rec.published) {
		fmt.Fprintf(&b, "published %s %s\n", rec.published[name], name)
	}
	for _, name := range sortedKeys(rec.rejected) {
		r := rec.rejected[name]
		fmt.Fprintf(&b, "rejected %s %s %s\n", r.ID, name, oneLineText(r.Reason))
	}
	if err := safefile.Replace(path, []byte(b.String()), 0o644, ""); err != nil {
		return fatalError(fmt.Errorf("writing %s: %w", filepath.Join(remotesDir, filepath.Base(path)), unwrapPath(err)))
	}
	return nil
}

// oneLineText keeps a reason or a URL on its line of the record.
func oneLineText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// remoteUpdate is what one push or fetch learnt of a remote's tags.
type remoteUpdate struct {
	published map[string]string // the remote has the tag with that id (pushed, fetched, found)
	gone      []string          // the remote no longer has the tag (a deletion pushed, a prune)
	rejected  map[string]rejection
}

func newRemoteUpdate() *remoteUpdate {
	return &remoteUpdate{published: map[string]string{}, rejected: map[string]rejection{}}
}

// empty reports whether the update changes nothing.
func (u *remoteUpdate) empty() bool {
	return len(u.published) == 0 && len(u.gone) == 0 && len(u.rejected) == 0
}

// recordRemote applies what a push or fetch learnt to the remote's record, under its lock: a
// tag published there is no longer rejected, a tag refused is recorded with the reason.
func recordRemote(repo *gitrepo.Repository, key string, u *remoteUpdate) error {
	if u.empty() {
		return nil
	}
	_, lock := recordFile(repo, key)
	unlock, err := repo.Lock(lock)
	if err != nil {
		return fatalError(err)
	}
	defer unlock()
	rec, err := readRemoteRecord(repo, key)
	if err != nil {
		return err
	}
	for name, id := range u.published {
		rec.published[name] = id
		delete(rec.rejected, name)
	}
	for _, name := range u.gone {
		delete(rec.published, name)
		delete(rec.rejected, name)
	}
	for name, r := range u.rejected {
		rec.rejected[name] = r
	}
	return rec.write(repo)
}
