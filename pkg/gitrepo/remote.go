package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	git "github.com/libgit2/git2go/v34"
)

// Kinds of remote failures that callers word differently.
var (
	// ErrUnreachable: the remote could not be reached (host unknown, connection refused,
	// no repository there).
	ErrUnreachable = errors.New("cannot reach the remote")
	// ErrAuthentication: the remote refused the credentials, or none were found.
	ErrAuthentication = errors.New("authentication failed")
)

// RemoteError is a failure of a remote operation, with the remote as the user named it.
type RemoteError struct {
	Remote string
	Kind   error // ErrUnreachable, ErrAuthentication, or nil
	Err    error
}

func (e *RemoteError) Error() string {
	if e.Kind != nil {
		return fmt.Sprintf("%s '%s': %v", e.Kind, e.Remote, e.Err)
	}
	return fmt.Sprintf("'%s': %v", e.Remote, e.Err)
}

func (e *RemoteError) Unwrap() []error { return []error{e.Kind, e.Err} }

// remoteError classifies a libgit2 error of a remote operation.
func remoteError(remote string, err error) error {
	var gitErr *git.GitError
	kind := error(nil)
	switch {
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

// openRemote opens a configured remote by name, or an anonymous remote for a URL or a path.
func (r *Repository) openRemote(remote string) (*git.Remote, error) {
	if ok, _ := git.RemoteNameIsValid(remote); ok {
		if rem, err := r.repo.Remotes.Lookup(remote); err == nil {
			return rem, nil
		}
		if !strings.ContainsAny(remote, ":/") {
			if _, err := os.Stat(remote); err != nil {
				return nil, &RemoteError{Remote: remote, Err: errors.New("no such remote, URL or path")}
			}
		}
	}
	rem, err := r.repo.Remotes.CreateAnonymous(remote)
	if err != nil {
		return nil, remoteError(remote, err)
	}
	return rem, nil
}

// remoteSession holds the callbacks of one remote operation and what they gathered.
type remoteSession struct {
	creds    *credentials
	rejected map[string]string // ref → the server's reason
	messages []string          // what the server said ("remote: …" lines)
}

func (r *Repository) newSession() *remoteSession {
	dir := r.WorkDir()
	if dir == "" {
		dir = r.GitDir()
	}
	return &remoteSession{creds: newCredentials(dir), rejected: map[string]string{}}
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
			for _, line := range strings.FieldsFunc(msg, func(r rune) bool { return r == '\n' || r == '\r' }) {
				if line = strings.TrimSpace(line); line != "" {
					s.messages = append(s.messages, line)
				}
			}
			return nil
		},
		PushUpdateReferenceCallback: func(ref, status string) error {
			if status != "" {
				s.rejected[ref] = status
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
		s.creds.reject()
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

// PushRejectedError lists the refs a remote refused, with its reasons and what it said.
type PushRejectedError struct {
	Remote   string
	Rejected map[string]string
	Messages []string
}

func (e *PushRejectedError) Error() string {
	var refs []string
	for ref, why := range e.Rejected {
		refs = append(refs, fmt.Sprintf("%s (%s)", strings.TrimPrefix(ref, tagsPrefix), why))
	}
	slices.Sort(refs)
	msg := fmt.Sprintf("'%s' rejected %s", e.Remote, strings.Join(refs, ", "))
	if len(e.Messages) > 0 {
		msg += ": " + strings.Join(e.Messages, "; ")
	}
	return msg
}

// Push sends refspecs (such as refs/tags/x:refs/tags/x, or :refs/tags/x to delete) to a remote
// in one push. Refs the remote refuses make a *PushRejectedError.
func (r *Repository) Push(remote string, refspecs []string) error {
	rem, err := r.openRemote(remote)
	if err != nil {
		return err
	}
	defer rem.Free()
	s := r.newSession()
	if err := rem.Push(refspecs, &git.PushOptions{RemoteCallbacks: s.callbacks()}); err != nil {
		if len(s.rejected) > 0 {
			return &PushRejectedError{Remote: remote, Rejected: s.rejected, Messages: s.messages}
		}
		var gitErr *git.GitError
		if errors.As(err, &gitErr) && len(s.messages) > 0 {
			err = fmt.Errorf("%v: %s", err, strings.Join(s.messages, "; "))
		}
		return remoteError(remote, err)
	}
	s.creds.approve()
	if len(s.rejected) > 0 {
		return &PushRejectedError{Remote: remote, Rejected: s.rejected, Messages: s.messages}
	}
	return nil
}

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
