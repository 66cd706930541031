package gitrepo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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
// once, loose and packed alike, and returns them sorted by Name. A tag whose ref or objects
// cannot be read is an error that names the tag. A tag object that points to another tag
// object is peeled through to the end; the tagger and message are those of the outermost tag,
// the one the ref names.
//
// What was read from each tag object is kept in the tag cache, so that a warm read reads the
// ref files and the cache and no object at all; objects missing from the cache are read in
// parallel.
func (r *Repository) Tags() ([]Tag, error) {
	// Read the cache while reading the refs: two files, two cores.
	cachePath := filepath.Join(r.CommonDir(), tagCacheFile)
	var cached []Tag
	var targets []string
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		cached, targets = loadTagCache(cachePath)
	}()
	refs, err := r.tagRefs()
	<-loaded
	if err != nil {
		return nil, err
	}
	if len(cached) == len(refs) && sameTargets(refs, cached, targets) {
		return cached, nil
	}
	tags := make([]Tag, len(refs))
	var missing []int
	j := 0 // refs and the cache are both in name order: walk them side by side
	for i, ref := range refs {
		for j < len(cached) && cached[j].Name < ref.name {
			j++
		}
		if j < len(cached) && cached[j].Name == ref.name && targets[j] == ref.target {
			tags[i] = cached[j]
		} else {
			missing = append(missing, i)
		}
	}
	if err := r.readObjects(refs, missing, tags); err != nil {
		return nil, err
	}
	// Rewriting the cache costs about as much as reading it: after a write or two (a handful of
	// new or deleted tags) the next reads rather read those few objects again.
	stale := len(cached) - (len(refs) - len(missing))
	if cached == nil || len(missing) > cacheSlack || stale > cacheSlack {
		writeTagCache(cachePath, refs, tags)
	}
	return tags, nil
}

// cacheSlack is how many tags the cache may miss, or hold in excess, before it is rewritten.
const cacheSlack = 16

// sameTargets reports whether the cache holds exactly the refs, each with the same target.
func sameTargets(refs []tagRef, cached []Tag, targets []string) bool {
	for i, ref := range refs {
		if cached[i].Name != ref.name || targets[i] != ref.target {
			return false
		}
	}
	return true
}

// tagRefs lists the refs under refs/tags/, from Git's files when it can, else through libgit2.
func (r *Repository) tagRefs() ([]tagRef, error) {
	refs, err := readTagRefs(r.CommonDir())
	if err == nil {
		return refs, nil
	}
	iter, err := r.repo.NewReferenceIteratorGlob(tagsPrefix + "*")
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer iter.Free()
	refs = refs[:0]
	for {
		ref, err := iter.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tags: %w", err)
		}
		name := strings.TrimPrefix(ref.Name(), tagsPrefix)
		if ref.Type() == git.ReferenceSymbolic {
			resolved, err := ref.Resolve()
			ref.Free()
			if err != nil {
				return nil, fmt.Errorf("reading tag '%s': %w", name, err)
			}
			ref = resolved
		}
		if target := ref.Target(); target != nil {
			refs = append(refs, tagRef{name: name, target: target.String()})
		}
		ref.Free()
	}
	slices.SortFunc(refs, func(a, b tagRef) int { return strings.Compare(a.name, b.name) })
	return refs, nil
}

// readObjects reads the targets of the refs at the given indexes into tags, in parallel when
// there are many: each worker opens the repository anew, since libgit2 1.5 can crash when one
// object database is read from several threads at once. (Not when the environment moves the
// objects, which a repository opened anew would not see.)
func (r *Repository) readObjects(refs []tagRef, indexes []int, tags []Tag) error {
	workers := min(runtime.GOMAXPROCS(0), len(indexes)/512+1)
	if os.Getenv("GIT_OBJECT_DIRECTORY") != "" || os.Getenv("GIT_ALTERNATE_OBJECT_DIRECTORIES") != "" {
		workers = 1
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = r.readSome(refs, indexes, tags, w, workers)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // one line: the first failure
		}
	}
	return nil
}

// readSome reads every workers-th of indexes, from the w-th, with its own handle on the
// repository.
func (r *Repository) readSome(refs []tagRef, indexes []int, tags []Tag, w, workers int) error {
	repo := r.repo
	if workers > 1 {
		own, err := git.OpenRepositoryExtended(r.repo.Path(), git.RepositoryOpenNoSearch, "")
		if err != nil {
			return fmt.Errorf("reading tags: %w", err)
		}
		defer own.Free()
		repo = own
	}
	odb, err := repo.Odb()
	if err != nil {
		return fmt.Errorf("reading tags: %w", err)
	}
	defer odb.Free()
	for j := w; j < len(indexes); j += workers {
		i := indexes[j]
		info, err := readTarget(odb, refs[i].target)
		if err != nil {
			return fmt.Errorf("reading tag '%s': %w", refs[i].name, err)
		}
		tags[i] = info.tag(refs[i].name)
	}
	return nil
}

// objectInfo is what the object a tag ref points to says, as Tag holds it.
type objectInfo struct {
	annotated   bool
	commit      string
	peeledType  string
	taggerName  string
	taggerEmail string
	when        time.Time
	message     string
}

// readTarget reads the object a tag ref points to: a tag object (parsed here, from its raw
// content, and peeled through any tag objects it points to) or a commit, tree or blob. As git
// fsck checks, the type a tag object declares for its target is trusted; the target must exist.
func readTarget(odb *git.Odb, target string) (objectInfo, error) {
	var info objectInfo
	oid, err := git.NewOid(target)
	if err != nil {
		return info, err
	}
	obj, err := odb.Read(oid)
	if err != nil {
		return info, err
	}
	kind := obj.Type()
	id := target
	for depth := 0; kind == git.ObjectTag; depth++ {
		if depth > 0 {
			if obj, err = odb.Read(oid); err != nil {
				return info, err
			}
		}
		next, nextKind, outer := parseTagObject(obj.Data(), depth == 0)
		obj.Free()
		if depth == 0 {
			info = outer
			info.annotated = true
		}
		if oid, err = git.NewOid(next); err != nil || depth > 16 {
			return info, fmt.Errorf("tag object %s cannot be read", id)
		}
		id, kind = next, nextKind
		if kind != git.ObjectTag && !odb.Exists(oid) {
			return info, fmt.Errorf("object %s not found", id)
		}
	}
	if kind != git.ObjectTag && id == target {
		obj.Free() // a lightweight tag: the commit, tree or blob itself was read
	}
	switch kind {
	case git.ObjectCommit:
		info.peeledType, info.commit = "commit", id
	case git.ObjectTree:
		info.peeledType = "tree"
	case git.ObjectBlob:
		info.peeledType = "blob"
	default:
		return info, fmt.Errorf("object %s has unexpected type '%s'", id, strings.ToLower(kind.String()))
	}
	return info, nil
}

// objectTypes are the types a tag object can declare for its target.
var objectTypes = map[string]git.ObjectType{"commit": git.ObjectCommit, "tree": git.ObjectTree, "blob": git.ObjectBlob, "tag": git.ObjectTag}

// parseTagObject reads a raw tag object: the id and type of the object it points to and, when
// full, its tagger, time and message. It copies what it keeps out of data, which libgit2 owns.
func parseTagObject(data []byte, full bool) (target string, kind git.ObjectType, info objectInfo) {
	header, message, _ := bytes.Cut(data, []byte("\n\n"))
	kind = git.ObjectInvalid
	for _, line := range bytes.Split(header, []byte{'\n'}) {
		key, value, _ := bytes.Cut(line, []byte{' '})
		switch string(key) {
		case "object":
			target = string(value)
		case "type":
			if k, ok := objectTypes[string(value)]; ok {
				kind = k
			}
		case "tagger":
			if full {
				info.taggerName, info.taggerEmail, info.when = parseSignature(value)
			}
		}
	}
	if full {
		info.message = cleanMessage(string(message))
	}
	return target, kind, info
}

// parseSignature reads "Name <email> 1700000000 +0100".
func parseSignature(b []byte) (name, email string, when time.Time) {
	lt, gt := bytes.IndexByte(b, '<'), bytes.LastIndexByte(b, '>')
	if lt < 0 || gt < lt {
		return string(bytes.TrimSpace(b)), "", time.Time{}
	}
	name, email = string(bytes.TrimSpace(b[:lt])), string(b[lt+1:gt])
	fields := strings.Fields(string(b[gt+1:]))
	if len(fields) < 1 {
		return name, email, time.Time{}
	}
	secs, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return name, email, time.Time{}
	}
	offset := 0
	if len(fields) > 1 && len(fields[1]) == 5 {
		h, herr := strconv.Atoi(fields[1][1:3])
		m, merr := strconv.Atoi(fields[1][3:5])
		if herr == nil && merr == nil {
			offset = h*3600 + m*60
			if fields[1][0] == '-' {
				offset = -offset
			}
		}
	}
	return name, email, time.Unix(secs, 0).In(zone(offset))
}

// tag is the Tag of a ref named name whose target says info.
func (info objectInfo) tag(name string) Tag {
	return Tag{Name: name, Annotated: info.annotated, Commit: info.commit, PeeledType: info.peeledType,
		TaggerName: info.taggerName, TaggerEmail: info.taggerEmail, When: info.when, Message: info.message}
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
	refs, err := r.tagRefs()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(refs))
	for i, ref := range refs {
		names[i] = ref.name
	}
	return names, nil
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
