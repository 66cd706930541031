package gitrepo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	git "github.com/libgit2/git2go/v34"
)

// Kinds of remote failures that callers word differently.
var (
	// ErrUnreachable: the remote could not be reached (host unknown, connection refused,
	// no repository there).
	ErrUnreachable = errors.New("cannot reach the remote")
	// ErrAuthentication: the remote refused the credentials, or none were found.
	ErrAuthentication = errors.New("authentication failed")
	// ErrLocal: the local side failed during a remote operation (a read-only or full disk, no
	// permission on the repository or the cache): not the remote's fault.
	ErrLocal = errors.New("local failure")
)

// RemoteError is a failure of a remote operation, with the remote as the user named it. Its
// message never shows the password (nor the user) of a URL: see RedactURL.
type RemoteError struct {
	Remote string
	Kind   error // ErrUnreachable, ErrAuthentication, ErrLocal, or nil
	Err    error
}

func (e *RemoteError) Error() string {
	msg := redactText(e.Err.Error(), e.Remote)
	switch e.Kind {
	case nil:
		return fmt.Sprintf("'%s': %s", RedactURL(e.Remote), msg)
	case ErrLocal:
		return msg
	}
	return fmt.Sprintf("%s '%s': %s", e.Kind, RedactURL(e.Remote), msg)
}

// Reason is the message without the remote: "kind: what went wrong", without passwords.
func (e *RemoteError) Reason() string {
	msg := redactText(e.Err.Error(), e.Remote)
	if e.Kind != nil && e.Kind != ErrLocal {
		return fmt.Sprintf("%s: %s", e.Kind, msg)
	}
	return msg
}

func (e *RemoteError) Unwrap() []error { return []error{e.Kind, e.Err} }

// localErrnos are the errors of the local file system that a remote operation may meet while it
// writes what it fetched or reads what it sends.
var localErrnos = []syscall.Errno{syscall.EROFS, syscall.ENOSPC, syscall.EDQUOT, syscall.EACCES, syscall.EPERM, syscall.EIO}

// IsLocalFailure reports whether err is a failure of the local disk (read-only, full, no
// permission) rather than of the network or the remote.
func IsLocalFailure(err error) bool {
	if errors.Is(err, ErrLocal) {
		return true
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return slices.Contains(localErrnos, errno)
	}
	var gitErr *git.GitError
	if !errors.As(err, &gitErr) {
		return false
	}
	switch gitErr.Class {
	case git.ErrorClassNet, git.ErrorClassSSH, git.ErrorClassSSL, git.ErrorClassCallback:
		return false
	}
	// libgit2 reports the file system's errors with strerror's text (ErrorClassOS, like its
	// socket errors): a connection refused by a firewall reads "Permission denied" too.
	msg := strings.ToLower(gitErr.Message)
	if strings.Contains(msg, "connect") || strings.Contains(msg, "resolve") || strings.Contains(msg, "socket") {
		return false
	}
	for _, errno := range localErrnos {
		if strings.Contains(msg, strings.ToLower(errno.Error())) {
			return true
		}
	}
	return false
}

// remoteError classifies a libgit2 error of a remote operation.
func remoteError(remote string, err error) error {
	var gitErr *git.GitError
	var invalid *InvalidURLError
	kind := error(nil)
	switch {
	case errors.As(err, &invalid):
		return err
	case IsLocalFailure(err):
		kind = ErrLocal
	case errors.Is(err, errAuthenticationFailed):
		kind = ErrAuthentication
	case errors.As(err, &gitErr) && gitErr.Code == git.ErrorCodeAuth:
		kind = ErrAuthentication
	case errors.As(err, &gitErr) && (gitErr.Class == git.ErrorClassNet || gitErr.Class == git.ErrorClassOS ||
		gitErr.Class == git.ErrorClassSSH || gitErr.Class == git.ErrorClassSSL || gitErr.Code == git.ErrorCodeNotFound):
		kind = ErrUnreachable
		if strings.Contains(gitErr.Message, "401") || strings.Contains(gitErr.Message, "authentication") {
			kind = ErrAuthentication
		}
	}
	return &RemoteError{Remote: remote, Kind: kind, Err: err}
}

// openRemote opens a configured remote by name, or an anonymous remote for a URL or a path. A
// URL that Git's credential helpers must not be asked about (see CheckURL) is refused here,
// before any helper runs or any request is made.
func (r *Repository) openRemote(remote string) (*git.Remote, error) {
	if err := CheckURL(remote); err != nil {
		return nil, err
	}
	if err := useCertificates(); err != nil {
		return nil, err
	}
	var rem *git.Remote
	if ok, _ := git.RemoteNameIsValid(remote); ok {
		if named, err := r.repo.Remotes.Lookup(remote); err == nil {
			rem = named
		} else if !strings.ContainsAny(remote, ":/") {
			if _, err := os.Stat(remote); err != nil {
				return nil, &RemoteError{Remote: remote, Err: errors.New("no such remote, URL or path")}
			}
		}
	}
	if rem == nil {
		var err error
		if rem, err = r.repo.Remotes.CreateAnonymous(remote); err != nil {
			return nil, remoteError(remote, err)
		}
	}
	// A configured remote's URLs, as url.<base>.insteadOf rewrote them.
	overHTTP := false
	for _, u := range []string{rem.Url(), rem.PushUrl()} {
		if err := CheckURL(u); err != nil {
			rem.Free()
			return nil, err
		}
		scheme, _, _ := strings.Cut(u, "://")
		overHTTP = overHTTP || strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https")
	}
	if overHTTP {
		if err := r.refuseOffsiteRedirects(); err != nil {
			rem.Free()
			return nil, err
		}
	}
	return rem, nil
}

// refuseOffsiteRedirects makes libgit2 refuse an HTTP redirect to another host. libgit2 1.5
// follows one on the first request (http.followRedirects=initial, as git does) but then asks
// for credentials with the URL of the first host (transports/http.c passes the remote's URL to
// the callback, not the redirected one): the credential of the first host would go to the
// second, and a refusal there would make us reject it. git2go has no field for
// git_remote_redirect_t, and libgit2 reads the setting from the repository's configuration: a
// file of the highest level (app) that says http.followRedirects=false is added to it, read and
// removed at once (libgit2 keeps what it read when the file is gone), in the first folder of
// TMPDIR, /dev/shm and the user's cache that takes it. Redirects on the same host are still
// followed.
func (r *Repository) refuseOffsiteRedirects() error {
	cfg, err := r.loadConfig()
	if err != nil {
		return err
	}
	dirs := []string{os.TempDir(), "/dev/shm"}
	if cache, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, cache)
	}
	var f *os.File
	for _, dir := range dirs {
		if f, err = os.CreateTemp(dir, "git-model-redirects-*"); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("refusing HTTP redirects to other hosts: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString("[http]\n\tfollowRedirects = false\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = cfg.AddFile(f.Name(), git.ConfigLevelApp, true)
	}
	if err != nil {
		return fmt.Errorf("refusing HTTP redirects to other hosts: %w", err)
	}
	return nil
}

// remoteSession holds the callbacks of one remote operation and what they gathered.
type remoteSession struct {
	creds    *credentials
	rejected map[string]string // ref → the server's reason
	updated  map[string]bool   // refs the server took
	messages []string          // what the server said ("remote: …" lines)
	partial  string            // the start of a line whose end has not come yet
}

// addSideband gathers what the server says: libgit2 hands it over in chunks that may end in
// the middle of a line, so a line is kept only once its end has come.
func (s *remoteSession) addSideband(msg string) {
	s.partial += msg
	for {
		i := strings.IndexAny(s.partial, "\r\n")
		if i < 0 {
			return
		}
		if line := strings.TrimSpace(s.partial[:i]); line != "" {
			s.messages = append(s.messages, line)
		}
		s.partial = s.partial[i+1:]
	}
}

// serverMessages returns the lines the server said, the last one even without its end.
func (s *remoteSession) serverMessages() []string {
	if line := strings.TrimSpace(s.partial); line != "" {
		s.messages = append(s.messages, line)
	}
	s.partial = ""
	return s.messages
}

func (r *Repository) newSession() *remoteSession {
	dir := r.WorkDir()
	if dir == "" {
		dir = r.GitDir()
	}
	return &remoteSession{creds: newCredentials(dir), rejected: map[string]string{}, updated: map[string]bool{}}
}

func (s *remoteSession) callbacks() git.RemoteCallbacks {
	return git.RemoteCallbacks{
		CredentialsCallback: s.creds.callback,
		CertificateCheckCallback: func(cert *git.Certificate, valid bool, host string) error {
			if !valid {
				return fmt.Errorf("the certificate of '%s' is not valid", host)
			}
			return nil
		},
		SidebandProgressCallback: func(msg string) error {
			s.addSideband(msg)
			return nil
		},
		PushUpdateReferenceCallback: func(ref, status string) error {
			if status != "" {
				s.rejected[ref] = status
			} else {
				s.updated[ref] = true
			}
			return nil
		},
	}
}

// RemoteTags lists the tags a remote has: tag name (without refs/tags/) → the id its ref points to.
func (r *Repository) RemoteTags(remote string) (map[string]string, error) {
	rem, err := r.openRemote(remote)
	if err != nil {
		return nil, err
	}
	defer rem.Free()
	s := r.newSession()
	callbacks := s.callbacks()
	if err := rem.ConnectFetch(&callbacks, nil, nil); err != nil {
		return nil, remoteError(remote, err)
	}
	defer rem.Disconnect()
	heads, err := rem.Ls()
	if err != nil {
		return nil, remoteError(remote, err)
	}
	s.creds.approve()
	tags := map[string]string{}
	for _, h := range heads {
		if strings.HasPrefix(h.Name, tagsPrefix) && !strings.HasSuffix(h.Name, "^{}") {
			tags[strings.TrimPrefix(h.Name, tagsPrefix)] = h.Id.String()
		}
	}
	return tags, nil
}

// messagesError is a libgit2 error with what the server said, keeping the libgit2 error for
// classification.
type messagesError struct {
	err      error
	messages []string
}

func (e *messagesError) Error() string {
	return fmt.Sprintf("%v: %s", e.err, strings.Join(e.messages, "; "))
}

func (e *messagesError) Unwrap() error { return e.err }

// Fetch fetches refspecs from a remote, without following other tags and without writing
// FETCH_HEAD.
func (r *Repository) Fetch(remote string, refspecs []string) error {
	if len(refspecs) == 0 {
		return nil
	}
	rem, err := r.openRemote(remote)
	if err != nil {
		return err
	}
	defer rem.Free()
	s := r.newSession()
	opts := &git.FetchOptions{RemoteCallbacks: s.callbacks(), DownloadTags: git.DownloadTagsNone, Prune: git.FetchNoPrune}
	if err := rem.Fetch(refspecs, opts, "git-model: fetch"); err != nil {
		return remoteError(remote, err)
	}
	s.creds.approve()
	return nil
}

// TagUpdate is a tag that FetchTags brings from a remote.
type TagUpdate struct {
	Name string
	// Old is "" for a tag to create only where no local tag has the name; else the id the local
	// tag had when it was read, which it must still have to be updated (compare and swap).
	Old string
}

// What FetchTags did with each tag.
type TagOutcome int

const (
	TagCreated   TagOutcome = iota + 1
	TagUpdated              // moved from Old
	TagKept                 // a local tag with another target, found or created meanwhile
	TagUnchanged            // a local tag with the remote's target, created meanwhile
)

// tempNamespace is a folder of refs of its own for one run of FetchTags ("fetch": where it
// fetches to) or PushTags ("push": the objects it sends), never under refs/tags/, deleted when
// the run ends (deleteRefs).
func tempNamespace(kind string) string {
	return fmt.Sprintf("refs/git-model/%s/%d-%08x/", kind, os.Getpid(), rand.Uint32())
}

// FetchTags fetches tags from a remote without ever overwriting a local tag that was not read:
// the remote's tags are fetched, with the objects they need, under a temporary namespace of
// refs/git-model/fetch/; then each local tag is created only if none exists at that moment
// (checked under the ref's lock, as writes create tags), or, with Old, moved only if it still
// points to Old; then the temporary refs are deleted, also when something failed. It returns
// what it did with each tag, as far as it went.
func (r *Repository) FetchTags(remote string, tags []TagUpdate) (map[string]TagOutcome, error) {
	outcome := map[string]TagOutcome{}
	if len(tags) == 0 {
		return outcome, nil
	}
	ns := tempNamespace("fetch")
	refspecs := make([]string, len(tags))
	for i, t := range tags {
		refspecs[i] = "+" + tagsPrefix + t.Name + ":" + ns + t.Name
	}
	defer r.deleteRefs(ns)
	if err := r.Fetch(remote, refspecs); err != nil {
		return outcome, err
	}
	for _, t := range tags {
		ref, err := r.repo.References.Lookup(ns + t.Name)
		if err != nil {
			return outcome, fmt.Errorf("reading the tag '%s' fetched from '%s': %w", t.Name, RedactURL(remote), err)
		}
		id := ref.Target().String()
		ref.Free()
		if outcome[t.Name], err = r.updateFetchedTag(t, id); err != nil {
			delete(outcome, t.Name)
			return outcome, err
		}
	}
	return outcome, nil
}

// updateFetchedTag points the local tag t at id: created if no tag has its name, moved only
// from t.Old.
func (r *Repository) updateFetchedTag(t TagUpdate, id string) (TagOutcome, error) {
	refName := tagsPrefix + t.Name
	if t.Old == "" {
		err := r.createNewTag(t.Name, id)
		if err == nil {
			return TagCreated, nil
		}
		var locked *LockError
		if !errors.Is(err, ErrTagExists) && !errors.As(err, &locked) {
			return 0, fmt.Errorf("creating tag '%s': %w", t.Name, err)
		}
		// It exists, or another writer is creating it: what it points to decides.
		ref, lerr := r.repo.References.Lookup(refName)
		if lerr != nil {
			return 0, fmt.Errorf("creating tag '%s': %w", t.Name, err)
		}
		defer ref.Free()
		if ref.Target() != nil && ref.Target().String() == id {
			return TagUnchanged, nil
		}
		return TagKept, nil
	}
	ref, err := r.repo.References.Lookup(refName)
	if isCode(err, git.ErrorCodeNotFound) {
		return TagKept, nil // deleted here meanwhile: not the value that was read
	}
	if err != nil {
		return 0, fmt.Errorf("updating tag '%s': %w", t.Name, err)
	}
	defer ref.Free()
	if ref.Target() == nil || ref.Target().String() != t.Old {
		return TagKept, nil
	}
	oid, err := git.NewOid(id)
	if err != nil {
		return 0, err
	}
	// SetTarget is git_reference_set_target: under the ref's lock it checks that the ref still
	// has the target that Lookup read, and fails with GIT_EMODIFIED otherwise.
	moved, err := ref.SetTarget(oid, "git-model: fetch --force")
	switch {
	case err == nil:
		moved.Free()
		return TagUpdated, nil
	case isCode(err, git.ErrorCodeModified) || isCode(err, git.ErrorCodeLocked):
		return TagKept, nil
	}
	return 0, fmt.Errorf("updating tag '%s': %w", t.Name, err)
}

// deleteRefs deletes every ref under prefix, as far as it can: the temporary refs of a fetch.
func (r *Repository) deleteRefs(prefix string) {
	iter, err := r.repo.NewReferenceIteratorGlob(prefix + "*")
	if err != nil {
		return
	}
	var names []string
	for {
		ref, err := iter.Next()
		if err != nil {
			break
		}
		if strings.HasPrefix(ref.Name(), prefix) {
			names = append(names, ref.Name())
		}
		ref.Free()
	}
	iter.Free()
	for _, name := range names {
		if ref, err := r.repo.References.Lookup(name); err == nil {
			ref.Delete()
			ref.Free()
		}
	}
}

// RemoteURL is the URL a remote stands for: a configured remote's URL (its push URL when it
// has one, as url.<base>.insteadOf rewrote them), else the remote as given (a URL or a path).
func (r *Repository) RemoteURL(remote string) string {
	return r.remoteURL(remote, true)
}

// RemoteFetchURL is the URL a remote is fetched from: a configured remote's URL (never its
// push URL), as url.<base>.insteadOf rewrote it, else the remote as given.
func (r *Repository) RemoteFetchURL(remote string) string {
	return r.remoteURL(remote, false)
}

func (r *Repository) remoteURL(remote string, push bool) string {
	if ok, _ := git.RemoteNameIsValid(remote); ok {
		if named, err := r.repo.Remotes.Lookup(remote); err == nil {
			defer named.Free()
			if u := named.PushUrl(); push && u != "" {
				return u
			}
			return named.Url()
		}
	}
	return remote
}

// RemoteKey names a remote for the records kept about it: a configured remote and its URL
// are the same remote, a URL with or without its user and password too, and a local path is
// taken absolute and cleaned (file:// URLs as the path they name).
func (r *Repository) RemoteKey(remote string) string {
	url := r.RemoteURL(remote)
	if path, ok := LocalRemote(url); ok {
		return path
	}
	return RedactURL(url)
}

// DeleteTagIf deletes refs/tags/NAME only if it still points to id (compare and swap), and
// reports whether it did. libgit2's git_reference_delete checks, under the ref's lock, that
// the ref still has the target it was read with; deletions take turns on packed-refs as
// DeleteTag's do.
func (r *Repository) DeleteTagIf(name, id string) (bool, error) {
	unlock, err := r.Lock("packed-refs")
	if err != nil {
		return false, tagError("deleting", name, err)
	}
	defer unlock()
	deleted := false
	refLock := filepath.Join(r.CommonDir(), filepath.FromSlash(tagsPrefix+name)) + ".lock"
	err = retryLocked(r.refLockTimeout, func() error {
		return libgit2LockError(func() error {
			repo, err := git.OpenRepository(r.repo.Path()) // a fresh cache each try (DeleteTag)
			if err != nil {
				return err
			}
			defer repo.Free()
			ref, err := repo.References.Lookup(tagsPrefix + name)
			if isCode(err, git.ErrorCodeNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			defer ref.Free()
			if ref.Target() == nil || ref.Target().String() != id {
				return nil
			}
			err = ref.Delete()
			if isCode(err, git.ErrorCodeModified) {
				return nil
			}
			deleted = err == nil
			return err
		}(), refLock)
	})
	if err != nil {
		return false, tagError("deleting", name, err)
	}
	return deleted, nil
}

// PeelCommit returns the commit an object (a tag object or a commit) peels to, or false when
// the object is not here or peels to something else.
func (r *Repository) PeelCommit(id string) (string, bool) {
	oid, err := git.NewOid(id)
	if err != nil {
		return "", false
	}
	obj, err := r.repo.Lookup(oid)
	if err != nil {
		return "", false
	}
	defer obj.Free()
	peeled, err := obj.Peel(git.ObjectCommit)
	if err != nil {
		return "", false
	}
	defer peeled.Free()
	return peeled.Id().String(), true
}
