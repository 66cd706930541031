package gitrepo

import (
	"errors"
	"fmt"
	"strings"
	"time"

	git "github.com/libgit2/git2go/v34"
)

// ErrUnknownRevision is wrapped by the error ResolveCommit returns for a revision that names
// nothing; the message names the revision: "unknown revision 'foo'".
var ErrUnknownRevision = errors.New("unknown revision")

// ResolveCommit resolves a commit-ish (branch, tag, "HEAD~2", abbreviated id…) to the full id
// of its commit and the committer time, in the committer's time zone. A revision that names
// nothing (including HEAD of a repository without commits) returns an error wrapping
// ErrUnknownRevision; one that names a tree or a blob returns an error saying so.
func (r *Repository) ResolveCommit(rev string) (id string, when time.Time, err error) {
	obj, err := r.repo.RevparseSingle(rev)
	if err != nil {
		if isCode(err, git.ErrorCodeNotFound) || isCode(err, git.ErrorCodeInvalidSpec) ||
			isCode(err, git.ErrorCodeUnbornBranch) || rev == "" {
			return "", time.Time{}, fmt.Errorf("%w '%s'", ErrUnknownRevision, rev)
		}
		if isCode(err, git.ErrorCodeAmbiguous) {
			return "", time.Time{}, fmt.Errorf("ambiguous revision '%s': %w", rev, err)
		}
		return "", time.Time{}, fmt.Errorf("resolving revision '%s': %w", rev, err)
	}
	defer obj.Free()

	peeled, err := obj.Peel(git.ObjectCommit)
	if err != nil {
		if kind := finalType(obj); kind != "" && kind != "commit" {
			return "", time.Time{}, fmt.Errorf("revision '%s' is a %s, not a commit", rev, kind)
		}
		return "", time.Time{}, fmt.Errorf("resolving revision '%s': %w", rev, err)
	}
	defer peeled.Free()
	commit, err := peeled.AsCommit()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("resolving revision '%s': %w", rev, err)
	}
	defer commit.Free()

	committer := commit.Committer()
	if committer == nil {
		return "", time.Time{}, fmt.Errorf("resolving revision '%s': commit %s has no committer", rev, commit.Id())
	}
	return commit.Id().String(), committer.When, nil
}

// finalType names the type of what obj points to once tags are peeled off, or "" when that
// cannot be read.
func finalType(obj *git.Object) string {
	if obj.Type() != git.ObjectTag {
		return strings.ToLower(obj.Type().String())
	}
	inner, err := obj.Peel(git.ObjectAny)
	if err != nil {
		return ""
	}
	defer inner.Free()
	return strings.ToLower(inner.Type().String())
}

// FirstParentAt returns the newest commit of HEAD's first-parent history whose committer date
// is not after when: the commit a branch stood at then, as far as its own history tells. ok is
// false when HEAD has no commit that old (or no commit at all).
func (r *Repository) FirstParentAt(when time.Time) (id string, ok bool, err error) {
	if r.IsEmpty() {
		return "", false, nil
	}
	head, _, err := r.ResolveCommit("HEAD")
	if err != nil {
		return "", false, err
	}
	oid, err := git.NewOid(head)
	if err != nil {
		return "", false, err
	}
	for {
		commit, err := r.repo.LookupCommit(oid)
		if err != nil {
			return "", false, fmt.Errorf("reading commit %s: %w", oid, err)
		}
		committer := commit.Committer()
		if committer != nil && !committer.When.After(when) {
			id := commit.Id().String()
			commit.Free()
			return id, true, nil
		}
		parent := commit.ParentId(0)
		commit.Free()
		if parent == nil {
			return "", false, nil
		}
		oid = parent
	}
}

// BranchNames returns the short names of the local branches.
func (r *Repository) BranchNames() ([]string, error) {
	return r.refNames("refs/heads/")
}

func (r *Repository) refNames(prefix string) ([]string, error) {
	iter, err := r.repo.NewReferenceIteratorGlob(prefix + "*")
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", prefix, err)
	}
	defer iter.Free()
	names := iter.Names()
	var out []string
	for {
		name, err := names.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", prefix, err)
		}
		if strings.HasPrefix(name, prefix) {
			out = append(out, strings.TrimPrefix(name, prefix))
		}
	}
}

// RefCommit returns the commit that the ref of that exact full name points to (refs/heads/main,
// refs/remotes/origin/HEAD, HEAD), following symbolic refs and peeling tags, with no guessing:
// a tag can never stand in for a branch of the same short name. ok is false when the ref does
// not exist, its branch is unborn, or it points to something that is not a commit.
func (r *Repository) RefCommit(name string) (id string, ok bool, err error) {
	ref, err := r.repo.References.Lookup(name)
	if isCode(err, git.ErrorCodeNotFound) || isCode(err, git.ErrorCodeInvalidSpec) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading ref '%s': %w", name, err)
	}
	defer ref.Free()
	resolved, err := ref.Resolve()
	if isCode(err, git.ErrorCodeNotFound) {
		return "", false, nil // an unborn branch
	}
	if err != nil {
		return "", false, fmt.Errorf("reading ref '%s': %w", name, err)
	}
	defer resolved.Free()
	id, ok = r.PeelCommit(resolved.Target().String())
	return id, ok, nil
}

// IsBare reports whether the repository has no work tree: one that people push to.
func (r *Repository) IsBare() bool {
	return r.repo.IsBare()
}
