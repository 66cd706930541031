package gitrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/internal/object"
	git "github.com/libgit2/git2go/v34"
)

// ErrTagExists is returned by CreateTag when a tag of that name exists already.
var ErrTagExists = errors.New("tag already exists")

// ErrNoIdentity is returned by Identity when Git would not know who is writing.
var ErrNoIdentity = errors.New(`unable to auto-detect the committer identity: please tell me who you are with ` +
	`git config --global user.name "Your Name" and git config --global user.email "you@example.com"`)

// Identity is who writes a tag.
type Identity struct {
	Name, Email string
}

// Committer returns the identity of a tagger or committer the way git chooses it:
// GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL, then user.name and user.email, then EMAIL for the
// address.
func (r *Repository) Committer() (Identity, error) {
	return r.identity("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
}

// Author is Committer for the author of a commit (GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL first).
func (r *Repository) Author() (Identity, error) {
	return r.identity("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL")
}

func (r *Repository) identity(nameEnv, emailEnv string) (Identity, error) {
	lookup := func(env, key string) (string, error) {
		if v := os.Getenv(env); v != "" {
			return v, nil
		}
		v, _, err := r.ConfigValue(key)
		return v, err
	}
	name, err := lookup(nameEnv, "user.name")
	if err != nil {
		return Identity{}, err
	}
	email, err := lookup(emailEnv, "user.email")
	if err != nil {
		return Identity{}, err
	}
	if email == "" {
		email = os.Getenv("EMAIL")
	}
	id := Identity{Name: stripCrud(name), Email: stripCrud(email)}
	if id.Name == "" || id.Email == "" {
		return Identity{}, ErrNoIdentity
	}
	return id, nil
}

// stripCrud removes what cannot stand in an identity line, as git does: angle brackets and
// newlines anywhere, blanks and punctuation at either end.
func stripCrud(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r == '\n' {
			return -1
		}
		return r
	}, s)
	return strings.Trim(s, " \t.,:;\"'")
}

// NewTag is an annotated tag to create.
type NewTag struct {
	Name    string // without "refs/tags/"
	Commit  string // 40-hex id of the tagged commit
	Message string
	Tagger  Identity
	When    time.Time
	// Replace moves an existing tag of that name; without it an existing tag is ErrTagExists.
	Replace bool
	// Sign appends a signature as `git tag -s` does (sign.go); a signer that fails creates
	// nothing and returns a *SignError.
	Sign bool
}

// ValidTagName reports whether name is a valid Git tag name (git check-ref-format).
func ValidTagName(name string) bool {
	ok, err := git.ReferenceNameIsValid(tagsPrefix + name)
	return err == nil && ok
}

// CreateTag writes an annotated tag object exactly as `git tag -a -m` does (the message is
// cleaned up the same way and ends with a newline) and points refs/tags/NAME at it. Without
// Replace the ref is created only if it does not exist, checked under its lock, so that
// concurrent writers never overwrite each other's tags.
func (r *Repository) CreateTag(t NewTag) error {
	id, err := r.WriteTag(t)
	if err != nil {
		return err
	}
	return r.PointTag(t, id)
}

// WriteTag writes the tag object of CreateTag, signed when asked, and returns its id, creating
// no ref: what a write checks against the policy before any of its tags exists.
func (r *Repository) WriteTag(t NewTag) (string, error) {
	if !ValidTagName(t.Name) {
		return "", fmt.Errorf("'%s' is not a valid Git tag name", t.Name)
	}
	target, err := git.NewOid(t.Commit)
	if err != nil {
		return "", fmt.Errorf("creating tag '%s': bad commit id '%s'", t.Name, t.Commit)
	}
	odb, err := r.repo.Odb()
	if err != nil {
		return "", fmt.Errorf("creating tag '%s': %w", t.Name, err)
	}
	defer odb.Free()
	if !odb.Exists(target) {
		return "", fmt.Errorf("creating tag '%s': commit %s not found", t.Name, t.Commit)
	}
	data := object.FormatTag(object.ID(*target), t.Name, t.Tagger.Name, t.Tagger.Email, t.When, t.Message)
	if t.Sign {
		sig, err := r.sign(t.Name, data, t.Tagger)
		if err != nil {
			return "", err
		}
		data = append(data, sig...)
	}
	id, err := odb.Write(data, git.ObjectTag)
	if err != nil {
		return "", fmt.Errorf("creating tag '%s': %w", t.Name, err)
	}
	return id.String(), nil
}

// PointTag points refs/tags/NAME at the tag object id that WriteTag wrote for t.
func (r *Repository) PointTag(t NewTag, id string) error {
	var err error
	if t.Replace {
		err = r.createRef(tagsPrefix+t.Name, id, true, "git-model: tag "+t.Name)
	} else {
		err = r.createNewTag(t.Name, id)
	}
	if err != nil {
		return tagError("creating", t.Name, err)
	}
	return nil
}

// tagError words a failed creation or deletion of a tag; a LockError stays as git words it.
func tagError(doing, name string, err error) error {
	var locked *LockError
	if errors.As(err, &locked) {
		return err
	}
	return fmt.Errorf("%s tag '%s': %w", doing, name, err)
}

// DeleteTag deletes refs/tags/NAME, loose and packed. libgit2 takes the ref's lock file, then
// packed-refs.lock when the tag is packed, and changes nothing when either exists (GIT_ELOCKED):
// that lock is waited for as git waits (core.filesRefLockTimeout, core.packedRefsTimeout), then
// reported as a LockError.
//
// libgit2 reads packed-refs before it takes packed-refs.lock, so two deletions at once can each
// write back the tag that the other deleted; git-model's deletions therefore take turns under
// the lock "packed-refs" (Lock). Git itself reads the file under its lock, and git-model's
// creations never write packed-refs.
func (r *Repository) DeleteTag(name string) error {
	unlock, err := r.Lock("packed-refs")
	if err != nil {
		return tagError("deleting", name, err)
	}
	defer unlock()
	refLock := filepath.Join(r.CommonDir(), filepath.FromSlash(tagsPrefix+name)) + ".lock"
	err = retryLocked(r.refLockTimeout, func() error {
		return libgit2LockError(retryFolderRace(func() error {
			// A repository of its own for each try: once a deletion failed on
			// packed-refs.lock, libgit2 1.5 takes the packed tag for gone in that
			// repository's cache, and a second try there returns success without touching
			// packed-refs.
			repo, err := git.OpenRepository(r.repo.Path())
			if err != nil {
				return err
			}
			defer repo.Free()
			return repo.Tags.Remove(name)
		}), refLock)
	})
	if err != nil {
		return tagError("deleting", name, err)
	}
	return nil
}

// HeadBranch returns the short name of the branch HEAD points to; ok is false on a detached
// HEAD.
func (r *Repository) HeadBranch() (name string, ok bool) {
	ref, err := r.repo.References.Lookup("HEAD")
	if err != nil {
		return "", false
	}
	defer ref.Free()
	target := ref.SymbolicTarget()
	if !strings.HasPrefix(target, "refs/heads/") {
		return "", false
	}
	return strings.TrimPrefix(target, "refs/heads/"), true
}
