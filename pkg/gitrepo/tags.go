package gitrepo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	git "github.com/libgit2/git2go/v34"
)

const tagsPrefix = "refs/tags/"

// Tag is one ref under refs/tags/, as read in one pass.
type Tag struct {
	Name        string    // short name, without "refs/tags/"
	Annotated   bool      // the ref points to a tag object
	Commit      string    // 40-hex id of the commit it peels to; "" when it peels to a tree or a blob
	PeeledType  string    // "commit", "tree" or "blob": what it finally points to
	TaggerName  string    // annotated only; "" when the tag object has no tagger
	TaggerEmail string    // annotated only; the tagger's email
	When        time.Time // tagger time, in the tagger's own time zone (time.FixedZone with the offset); zero when none
	Message     string    // tag message without the trailing newline(s) and without a PGP/SSH signature block
}

// Tags reads every ref under refs/tags/ (nested names such as refs/tags/a/b@v1.0.0 included)
// once, loose and packed alike, and returns them sorted by Name. Each object is freed as soon as
// it has been read, so memory does not grow with the objects of tens of thousands of tags. A tag
// whose ref or objects cannot be read is an error that names the tag. A tag object that points
// to another tag object is peeled through to the end; the tagger and message are those of the
// outermost tag, the one the ref names.
func (r *Repository) Tags() ([]Tag, error) {
	odb, err := r.repo.Odb()
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer odb.Free()

	// libgit2 matches the glob with fnmatch semantics where '*' also matches '/', so nested
	// names are included; the prefix check below keeps that assumption honest.
	iter, err := r.repo.NewReferenceIteratorGlob(tagsPrefix + "*")
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer iter.Free()

	var tags []Tag
	for {
		ref, err := iter.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tags: %w", err)
		}
		fullName := ref.Name()
		if !strings.HasPrefix(fullName, tagsPrefix) {
			ref.Free()
			continue
		}
		name := strings.TrimPrefix(fullName, tagsPrefix)
		tag, err := r.readTag(odb, ref, name)
		ref.Free()
		if err != nil {
			return nil, fmt.Errorf("reading tag '%s': %w", name, err)
		}
		tags = append(tags, tag)
	}
	slices.SortFunc(tags, func(a, b Tag) int { return strings.Compare(a.Name, b.Name) })
	return tags, nil
}

// readTag reads what one ref under refs/tags/ names. The ref is freed by the caller.
func (r *Repository) readTag(odb *git.Odb, ref *git.Reference, name string) (Tag, error) {
	tag := Tag{Name: name}

	target := ref.Target()
	if ref.Type() == git.ReferenceSymbolic {
		resolved, err := ref.Resolve()
		if err != nil {
			return tag, err
		}
		target = resolved.Target()
		resolved.Free()
	}
	if target == nil {
		return tag, fmt.Errorf("ref has no target")
	}

	// The header alone tells a lightweight tag from an annotated one without parsing the object.
	_, objType, err := odb.ReadHeader(target)
	if err != nil {
		return tag, err
	}
	if objType == git.ObjectTag {
		tag.Annotated = true
		target, objType, err = r.readTagObject(target, &tag)
		if err != nil {
			return tag, err
		}
		// Trust the type the innermost tag object declares for its target (git fsck checks
		// it), but make a tag of a missing object an error here rather than in a later read.
		if !odb.Exists(target) {
			return tag, fmt.Errorf("object %s not found", target)
		}
	}

	switch objType {
	case git.ObjectCommit:
		tag.PeeledType = "commit"
		tag.Commit = target.String()
	case git.ObjectTree:
		tag.PeeledType = "tree"
	case git.ObjectBlob:
		tag.PeeledType = "blob"
	default:
		return tag, fmt.Errorf("object %s has unexpected type '%s'", target, strings.ToLower(objType.String()))
	}
	return tag, nil
}

// readTagObject fills the tagger and message from the tag object id and follows tag objects
// that point to further tag objects. It returns the id and declared type of the first object
// that is not a tag.
func (r *Repository) readTagObject(id *git.Oid, tag *Tag) (*git.Oid, git.ObjectType, error) {
	obj, err := r.repo.LookupTag(id)
	if err != nil {
		return nil, git.ObjectInvalid, err
	}
	if tagger := obj.Tagger(); tagger != nil {
		tag.TaggerName = tagger.Name
		tag.TaggerEmail = tagger.Email
		tag.When = tagger.When
	}
	tag.Message = cleanMessage(obj.Message())
	target, targetType := obj.TargetId(), obj.TargetType()
	obj.Free()

	for targetType == git.ObjectTag {
		inner, err := r.repo.LookupTag(target)
		if err != nil {
			return nil, git.ObjectInvalid, err
		}
		target, targetType = inner.TargetId(), inner.TargetType()
		inner.Free()
	}
	return target, targetType, nil
}

// signatureMarkers start the signature blocks that git appends to a signed tag's message
// (gpg-interface.c: OpenPGP, X.509 and SSH).
var signatureMarkers = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SIGNED MESSAGE-----",
	"-----BEGIN SSH SIGNATURE-----",
}

// cleanMessage drops a signature block and the trailing newlines from a tag message. Like git,
// it treats the last line that starts with a signature marker as the start of the signature.
func cleanMessage(msg string) string {
	end := len(msg)
	for start := 0; start < len(msg); {
		for _, marker := range signatureMarkers {
			if strings.HasPrefix(msg[start:], marker) {
				end = start
				break
			}
		}
		next := strings.IndexByte(msg[start:], '\n')
		if next < 0 {
			break
		}
		start += next + 1
	}
	return strings.TrimRight(msg[:end], "\n")
}

// TagNames returns the names of all refs under refs/tags/ without reading any object, for
// what needs only names (shell completion).
func (r *Repository) TagNames() ([]string, error) {
	return r.refNames(tagsPrefix)
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
