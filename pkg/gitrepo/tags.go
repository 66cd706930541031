package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

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
	refs, release, err := r.tagRefs("")
	<-loaded
	if err != nil {
		return nil, err
	}
	defer release()
	if len(cached) == len(refs) && sameTargets(refs, cached, targets) {
		return cached, nil
	}
	tags, missing, err := r.readThroughCache(refs, cached, targets)
	if err != nil {
		return nil, err
	}
	// Rewriting the cache costs about as much as reading it: after a write or two (a handful of
	// new or deleted tags) the next reads rather read those few objects again.
	stale := len(cached) - (len(refs) - missing)
	if cached == nil || missing > cacheSlack || stale > cacheSlack {
		writeTagCache(cachePath, refs, tags)
	}
	return tags, nil
}

// ArtifactTags is Tags restricted to the tags of one artifact: those whose names are prefix (the
// artifact's name as tag names write it, "DIR=NAME" or "NAME") followed by '@' or '#'. Its cost
// follows the artifact's tags, not the repository's: it finds the artifact's lines in
// packed-refs and its loose refs in one folder, and reads their objects rather than the whole
// tag cache, unless they are many. It never writes the cache.
func (r *Repository) ArtifactTags(prefix string) ([]Tag, error) {
	refs, release, err := r.tagRefs(prefix)
	if err != nil {
		return nil, err
	}
	defer release()
	var cached []Tag
	var targets []string
	if len(refs) > directReads {
		cached, targets = loadTagCache(filepath.Join(r.CommonDir(), tagCacheFile))
	}
	tags, _, err := r.readThroughCache(refs, cached, targets)
	return tags, err
}

// directReads is how many tag objects ArtifactTags reads before it rather loads the tag cache
// (a cache of 40,000 tags loads in about the time 1,000 objects are read).
const directReads = 1000

// readThroughCache returns the tags of refs, taken from the cache (cached and the target of each,
// in name order) where it has them with the same target and read from their objects otherwise;
// missing counts the latter.
func (r *Repository) readThroughCache(refs []tagRef, cached []Tag, targets []string) (tags []Tag, missing int, err error) {
	tags = make([]Tag, len(refs))
	var unread []int
	j := 0 // refs and the cache are both in name order: walk them side by side
	for i, ref := range refs {
		for j < len(cached) && cached[j].Name < ref.name {
			j++
		}
		if j < len(cached) && cached[j].Name == ref.name && targets[j] == ref.target {
			tags[i] = cached[j]
		} else {
			unread = append(unread, i)
		}
	}
	if err := r.readObjects(refs, unread, tags); err != nil {
		return nil, 0, err
	}
	return tags, len(unread), nil
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

// tagRefs lists the refs under refs/tags/ (with a prefix, those of one artifact; see
// ArtifactTags), from Git's files when it can, else through libgit2. The refs are valid until
// release is called (see readTagRefs).
func (r *Repository) tagRefs(prefix string) (refs []tagRef, release func(), err error) {
	refs, release, err = readTagRefs(r.CommonDir(), prefix)
	if err == nil {
		return refs, release, nil
	}
	refs, err = r.libgit2TagRefs(prefix)
	return refs, noRelease, err
}

// libgit2TagRefs is tagRefs through libgit2.
func (r *Repository) libgit2TagRefs(prefix string) ([]tagRef, error) {
	iter, err := r.repo.NewReferenceIteratorGlob(tagsPrefix + "*")
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer iter.Free()
	var refs []tagRef
	for {
		ref, err := iter.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tags: %w", err)
		}
		name := strings.TrimPrefix(ref.Name(), tagsPrefix)
		if prefix != "" && !matchesArtifact(name, prefix) {
			ref.Free()
			continue
		}
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
	slices.SortFunc(refs, compareRefs)
	return refs, nil
}

// readObjects reads the targets of the refs at the given indexes into tags: straight from the
// pack files and loose objects on every core, then through libgit2, one at a time, what that
// could not find or read. An object that is there but corrupt is reported as it is.
func (r *Repository) readObjects(refs []tagRef, indexes []int, tags []Tag) error {
	failed := indexes
	if os.Getenv("GIT_OBJECT_DIRECTORY") == "" { // libgit2 alone follows it
		store := openObjectStore(filepath.Join(r.CommonDir(), "objects"))
		defer store.close()
		workers := min(runtime.GOMAXPROCS(0), len(indexes)/256+1)
		misses := make([][]int, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				misses[w], errs[w] = readSome(store, refs, indexes, tags, w, workers)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err // one line: the first
			}
		}
		failed = slices.Concat(misses...)
	}
	if len(failed) == 0 {
		return nil
	}
	odb, err := r.repo.Odb()
	if err != nil {
		return fmt.Errorf("reading tags: %w", err)
	}
	defer odb.Free()
	for _, i := range failed {
		info, err := readTarget(odbSource{odb}, refs[i].target)
		if err != nil {
			return fmt.Errorf("reading tag '%s': %w", refs[i].name, err)
		}
		tags[i] = info.tag(refs[i].name)
	}
	return nil
}

// TagAt reads a tag as Tags would read it if the ref name pointed to the object id: what a
// tag was before a push moved or deleted it, in a post-receive hook, where the old object is
// still in the object database. It goes through libgit2, which also reads alternates and the
// few objects such a caller needs.
func (r *Repository) TagAt(name, id string) (Tag, error) {
	odb, err := r.repo.Odb()
	if err != nil {
		return Tag{}, fmt.Errorf("reading tag '%s' at %s: %w", name, id, err)
	}
	defer odb.Free()
	info, err := readTarget(odbSource{odb}, id)
	if err != nil {
		return Tag{}, fmt.Errorf("reading tag '%s' at %s: %w", name, id, err)
	}
	return info.tag(name), nil
}

// readSome reads every workers-th of indexes, from the w-th, from the store, and returns those
// it could not read, for libgit2 to try, or the first corrupt one.
func readSome(store *objectStore, refs []tagRef, indexes []int, tags []Tag, w, workers int) (misses []int, err error) {
	src, err := store.reader()
	if err != nil {
		for j := w; j < len(indexes); j += workers {
			misses = append(misses, indexes[j])
		}
		return misses, nil
	}
	defer src.free()
	for j := w; j < len(indexes); j += workers {
		i := indexes[j]
		info, err := readTarget(src, refs[i].target)
		var corrupt *corruptObjectError
		if errors.As(err, &corrupt) {
			return nil, fmt.Errorf("reading tag '%s': %w", refs[i].name, err)
		}
		if err != nil {
			misses = append(misses, i)
			continue
		}
		tags[i] = info.tag(refs[i].name)
	}
	return misses, nil
}

// objectSource is what readTarget reads objects from: the object store, or libgit2.
type objectSource interface {
	read(id string) (kind string, data []byte, err error)
	exists(id string) bool
}

// odbSource reads objects through libgit2.
type odbSource struct{ odb *git.Odb }

func (s odbSource) read(id string) (string, []byte, error) {
	oid, err := git.NewOid(id)
	if err != nil {
		return "", nil, err
	}
	obj, err := s.odb.Read(oid)
	if err != nil {
		return "", nil, err
	}
	defer obj.Free()
	return strings.ToLower(obj.Type().String()), bytes.Clone(obj.Data()), nil
}

func (s odbSource) exists(id string) bool {
	oid, err := git.NewOid(id)
	return err == nil && s.odb.Exists(oid)
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
func readTarget(src objectSource, target string) (objectInfo, error) {
	var info objectInfo
	id := strings.Clone(target) // a slice of packed-refs, soon unmapped: errors and lightweight tags keep it
	kind, data, err := src.read(id)
	if err != nil {
		return info, err
	}
	for depth := 0; kind == "tag"; depth++ {
		if depth > 0 {
			if kind, data, err = src.read(id); err != nil {
				return info, err
			}
			if kind != "tag" {
				return info, fmt.Errorf("object %s is a %s, not a tag", id, kind)
			}
		}
		next, nextKind, outer := parseTagObject(data, depth == 0)
		if depth == 0 {
			info = outer
			info.annotated = true
		}
		if len(next) != 40 || !isHex(next) || nextKind == "" || depth > 16 {
			return info, fmt.Errorf("tag object %s cannot be read", id)
		}
		id, kind = next, nextKind
		if kind != "tag" && !src.exists(id) {
			return info, fmt.Errorf("object %s not found", id)
		}
	}
	switch kind {
	case "commit":
		info.peeledType, info.commit = "commit", id
	case "tree", "blob":
		info.peeledType = kind
	default:
		return info, fmt.Errorf("object %s has unexpected type '%s'", id, kind)
	}
	return info, nil
}

// parseTagObject reads a raw tag object: the id and type ("commit", "tree", "blob" or "tag"; ""
// for anything else) of the object it points to and, when full, its tagger, time and message.
// What it returns are slices of data, which the caller hands over: nothing may write to it.
func parseTagObject(data []byte, full bool) (target, kind string, info objectInfo) {
	text := unsafe.String(unsafe.SliceData(data), len(data))
	header, message, _ := strings.Cut(text, "\n\n")
	// A header given twice counts once, the first time, as git reads it: a crafted second
	// tagger cannot change who an event's author is or when it happened.
	var seenObject, seenType, seenTagger bool
	for len(header) > 0 {
		var line string
		line, header, _ = strings.Cut(header, "\n")
		key, value, _ := strings.Cut(line, " ")
		switch {
		case key == "object" && !seenObject:
			target, seenObject = value, true
		case key == "type" && !seenType:
			seenType = true
			switch value {
			case "commit", "tree", "blob", "tag":
				kind = value
			}
		case key == "tagger" && !seenTagger:
			seenTagger = true
			if full {
				info.taggerName, info.taggerEmail, info.when = parseSignature(value)
			}
		}
	}
	if full {
		info.message = cleanMessage(message)
	}
	return target, kind, info
}

// parseSignature reads "Name <email> 1700000000 +0100".
func parseSignature(s string) (name, email string, when time.Time) {
	lt, gt := strings.IndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if lt < 0 || gt < lt {
		return strings.TrimSpace(s), "", time.Time{}
	}
	name, email = strings.TrimSpace(s[:lt]), s[lt+1:gt]
	rest := strings.TrimLeft(s[gt+1:], " ")
	stamp, zoneText, _ := strings.Cut(rest, " ")
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return name, email, time.Time{}
	}
	return name, email, time.Unix(secs, 0).In(zone(parseZone(zoneText)))
}

// tag is the Tag of a ref named name whose target says info.
// The name is copied: a ref's name is a slice of packed-refs, which is soon unmapped.
func (info objectInfo) tag(name string) Tag {
	return Tag{Name: strings.Clone(name), Annotated: info.annotated, Commit: info.commit, PeeledType: info.peeledType,
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
	refs, release, err := r.tagRefs("")
	if err != nil {
		return nil, err
	}
	defer release()
	names := make([]string, len(refs))
	for i, ref := range refs {
		names[i] = strings.Clone(ref.name)
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

// HasArtifactTags reports whether any tag belongs to the artifact whose names start with prefix
// (as ArtifactTags takes it), reading ref names only: what a write needs to know cheaply before
// it treats a name as new.
func (r *Repository) HasArtifactTags(prefix string) (bool, error) {
	refs, release, err := r.tagRefs(prefix)
	if err != nil {
		return false, err
	}
	release()
	return len(refs) > 0, nil
}
