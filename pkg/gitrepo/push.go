package gitrepo

import (
	"errors"
	"strings"

	git "github.com/libgit2/git2go/v34"
)

// RefUpdate is one tag that a push changes on a remote, with a lease: the remote's tag must
// still be what the local side last knew it to be, so that a push never overwrites or deletes
// what a teammate pushed meanwhile.
type RefUpdate struct {
	Name string // the tag's name, without refs/tags/
	New  string // the local object id to send; "" deletes the remote tag
	Old  string // the id the remote's tag must have now; "" when it must not exist
}

// RefResult is what the remote did with one RefUpdate.
type RefResult struct {
	Name   string
	Reason string // "" when the remote took the update, else why it did not (its own words)
}

// StaleInfo is the reason of an update whose lease failed before anything was sent: git's own
// word for a --force-with-lease that does not hold.
const StaleInfo = "stale info"

// afterLeaseCheck runs between the check of the leases and the push; tests set it to make a
// teammate's push land exactly there.
var afterLeaseCheck = func() {}

// PushTags pushes tag updates to a remote, each under its lease, and returns one RefResult per
// update, in order. It fails as a whole only when the push could not run (the remote
// unreachable, credentials refused); a tag that the remote refuses is a RefResult with the
// remote's reason, and the others go on, as receive-pack takes or refuses refs one by one.
//
// The lease holds atomically over the network: the remote is connected for push, its
// advertised refs are listed and every lease is checked against them, then the push goes over
// the same connection. libgit2's git_remote_upload reuses a connected remote and sends, for
// each ref, the id the remote advertised as the old value, which receive-pack checks under the
// ref's lock: a teammate's push between the check and the push makes the server refuse the
// update ("failed to update ref"), never overwrite the teammate's tag. An update whose lease
// does not hold at the check is not sent (StaleInfo), as git push --force-with-lease leaves it
// out; an update the remote already has is a success and is not sent either.
//
// A remote that is a local path or a file:// URL is pushed with git's own git push
// (pushLocal), so that its hooks run as they do on a server.
func (r *Repository) PushTags(remote string, updates []RefUpdate) ([]RefResult, error) {
	if url, ok := r.localURL(remote); ok && len(updates) > 0 {
		results, err := r.pushLocal(url, updates)
		return results, localPushError(remote, err)
	}
	results, _, err := r.pushTags(remote, updates)
	return results, err
}

// PushTagsMessages is PushTags that also returns what the remote's hooks printed during the
// push (git's "remote: " lines, without the prefix and without passwords), for the caller to
// show as git push shows them.
func (r *Repository) PushTagsMessages(remote string, updates []RefUpdate) ([]RefResult, []string, error) {
	if url, ok := r.localURL(remote); ok && len(updates) > 0 {
		results, messages, err := r.pushLocalMessages(url, updates)
		return results, messages, localPushError(remote, err)
	}
	return r.pushTags(remote, updates)
}

// localURL is the URL of a remote that is a local path or a file:// URL (see localRemote).
func (r *Repository) localURL(remote string) (string, bool) {
	if CheckURL(remote) != nil {
		return "", false // refused by pushTags, before anything runs
	}
	url := r.RemoteURL(remote)
	_, ok := LocalRemote(url)
	return url, ok
}

// localPushError classifies a failure of pushLocal as the failures of other remotes are.
func localPushError(remote string, err error) error {
	var remoteErr *RemoteError
	if err == nil || errors.As(err, &remoteErr) {
		return err
	}
	return remoteError(remote, err)
}

// pushTags is PushTagsMessages over libgit2's transports.
func (r *Repository) pushTags(remote string, updates []RefUpdate) ([]RefResult, []string, error) {
	if len(updates) == 0 {
		return nil, nil, nil
	}
	rem, err := r.openRemote(remote)
	if err != nil {
		return nil, nil, err
	}
	defer rem.Free()
	s := r.newSession()
	callbacks := s.callbacks()
	if err := rem.ConnectPush(&callbacks, nil, nil); err != nil {
		return nil, nil, remoteError(remote, err)
	}
	defer rem.Disconnect()
	heads, err := rem.Ls()
	if err != nil {
		return nil, nil, remoteError(remote, err)
	}
	advertised := map[string]string{}
	for _, h := range heads {
		if strings.HasPrefix(h.Name, tagsPrefix) && !strings.HasSuffix(h.Name, "^{}") {
			advertised[strings.TrimPrefix(h.Name, tagsPrefix)] = h.Id.String()
		}
	}
	results := make([]RefResult, len(updates))
	var refspecs []string
	var sent []int
	ns := tempNamespace("push")
	defer r.deleteRefs(ns)
	for i, u := range updates {
		results[i].Name = u.Name
		have := advertised[u.Name]
		switch {
		case have == u.New: // there already (or, for a deletion, gone already)
			continue
		case have != u.Old:
			results[i].Reason = StaleInfo
			continue
		}
		if u.New == "" {
			refspecs = append(refspecs, refspec("", u))
		} else {
			// libgit2 pushes refs, not ids: a temporary ref holds the very object planned,
			// whatever the local tag points to by now. '+' only skips libgit2's own
			// fast-forward check, which means nothing for tags; the old value sent is still the
			// advertised one.
			src := ns + u.Name
			if err := r.createRef(src, u.New, true, "git-model: push"); err != nil {
				return nil, nil, err
			}
			refspecs = append(refspecs, "+"+refspec(src, u))
		}
		sent = append(sent, i)
	}
	if len(refspecs) == 0 {
		s.creds.approve()
		return results, nil, nil
	}
	afterLeaseCheck()
	opts := &git.PushOptions{RemoteCallbacks: s.callbacks()}
	if err := rem.Push(refspecs, opts); err != nil && len(s.rejected) == 0 && len(s.updated) == 0 {
		var gitErr *git.GitError
		if messages := s.serverMessages(); errors.As(err, &gitErr) && len(messages) > 0 {
			err = &messagesError{err: err, messages: messages}
		}
		return nil, nil, remoteError(remote, err)
	}
	s.creds.approve()
	for _, i := range sent {
		ref := tagsPrefix + updates[i].Name
		if why, refused := s.rejected[ref]; refused {
			results[i].Reason = redactText(why, remote)
		} else if !s.updated[ref] {
			results[i].Reason = "no answer from the remote"
		}
	}
	messages := s.serverMessages()
	for i, m := range messages {
		messages[i] = redactText(m, remote)
	}
	return results, messages, nil
}

// refspec is the refspec that pushes src (a ref or an object id) to the tag of u, or that
// deletes the tag when u.New is "".
func refspec(src string, u RefUpdate) string {
	if u.New == "" {
		return DeleteRefspec(u.Name)
	}
	return src + ":" + tagsPrefix + u.Name
}

// DeleteRefspec is the refspec that deletes the tag name from a remote (git push REMOTE
// :refs/tags/NAME).
func DeleteRefspec(name string) string {
	return ":" + tagsPrefix + name
}
