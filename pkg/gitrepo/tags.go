package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	git "github.com/libgit2/git2go/v34"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/odb"
	"github.com/git-model/git-model/pkg/internal/parallel"
	"github.com/git-model/git-model/pkg/internal/refs"
	"github.com/git-model/git-model/pkg/internal/tagcache"
)

// This file is the one place that chooses, for reading tags, between the pure readers
// (pkg/internal/refs, odb, tagcache) and libgit2: docs/architecture.md draws the fast paths
// and their fallbacks.

const tagsPrefix = refs.TagsPrefix

// Tag is one ref under refs/tags/, as read in one pass: the record the registry takes.
type Tag = object.TagRecord

// Tags reads every ref under refs/tags/ (nested names such as refs/tags/a/b@v1.0.0 included)
// once, loose and packed alike, and returns them sorted by Name. A tag whose ref or objects
// cannot be read is an error that names the tag. A tag object that points to another tag
// object is peeled through to the end; the tagger and message are those of the outermost tag,
// the one the ref names.
//
// What was read from each tag object is kept in the tag cache with the digest of the refs it
// was read from, so that a warm read checks the ref files' digest (refs.Snapshot.Digest) and
// reads the cache, and neither parses packed-refs nor reads any object; objects missing from
// the cache are read in parallel. A cache to write again is written in the background while
// the caller goes on with the tags; Close waits for it.
func (r *Repository) Tags() ([]Tag, error) {
	r.writing.Wait() // a cache still being written by an earlier read
	r.readDigest = nil

	// Read the cache while reading the refs: two files, two cores.
	cachePath := filepath.Join(r.CommonDir(), tagcache.File)
	var cached []Tag
	var targets []object.ID
	var cachedDigest [tagcache.DigestSize]byte
	loaded := make(chan struct{})
	go func() {
		defer close(loaded)
		cached, targets, cachedDigest = tagcache.Load(cachePath)
	}()
	snap, err := refs.Open(r.CommonDir())
	if errors.Is(err, refs.ErrFallback) {
		<-loaded
		return r.readTags(cached, targets, nil, [tagcache.DigestSize]byte{})
	}
	if err != nil {
		<-loaded
		return nil, err
	}
	defer snap.Close()
	digest := snap.Digest()
	<-loaded
	if cached != nil && digest == cachedDigest {
		r.readDigest = &digest
		return cached, nil
	}
	return r.readTags(cached, targets, snap, digest)
}

// readTags is Tags past the cache's digest: the refs of the snapshot (through libgit2 when it
// is nil), taken from the cache where they point to the same objects and read otherwise, and
// the cache written again when it was far from them.
func (r *Repository) readTags(cached []Tag, targets []object.ID, snap *refs.Snapshot, digest [tagcache.DigestSize]byte) ([]Tag, error) {
	var list []refs.Ref
	var err error
	if snap != nil {
		list, err = snap.Tags()
		if errors.Is(err, refs.ErrFallback) {
			snap, digest = nil, [tagcache.DigestSize]byte{}
		}
	}
	if snap == nil {
		list, err = r.libgit2TagRefs("")
	}
	if err != nil {
		return nil, err
	}
	if snap != nil {
		r.readDigest = &digest
	}
	if len(cached) == len(list) && sameTargets(list, cached, targets) {
		r.writeTagCache(digest, list, cached) // the digest changed, not the tags
		return cached, nil
	}
	tags, missing, err := r.readThroughCache(list, cached, targets)
	if err != nil {
		return nil, err
	}
	// Rewriting the cache costs about as much as reading it: after a write or two (a handful of
	// new or deleted tags) the next reads rather read those few objects again.
	stale := len(cached) - (len(list) - missing)
	if cached == nil || missing > cacheSlack || stale > cacheSlack {
		r.writeTagCache(digest, list, tags)
	}
	return tags, nil
}

// writeTagCache writes the cache of tags, read from the refs of list, whose digest is given
// (zero when libgit2 read them: the cache then never matches a digest, and its entries are
// still used one by one).
func (r *Repository) writeTagCache(digest [tagcache.DigestSize]byte, list []refs.Ref, tags []Tag) {
	ids := make([]object.ID, len(list))
	for i, ref := range list {
		ids[i] = ref.Target
	}
	path := filepath.Join(r.CommonDir(), tagcache.File)
	// Written while the caller derives the registry from the tags, which nobody writes to: Close
	// waits for it.
	r.writing.Go(func() { tagcache.Write(path, digest, ids, tags) })
}

// ArtifactTags is Tags restricted to the tags of one artifact: those whose names are prefix (the
// artifact's name as tag names write it, "DIR=NAME" or "NAME") followed by '@' or '#'. Its cost
// follows the artifact's tags, not the repository's: it finds the artifact's lines in
// packed-refs and its loose refs in one folder, and reads their objects rather than the whole
// tag cache, unless they are many. It never writes the cache.
func (r *Repository) ArtifactTags(prefix string) ([]Tag, error) {
	list, err := r.tagRefs(prefix)
	if err != nil {
		return nil, err
	}
	var cached []Tag
	var targets []object.ID
	path := filepath.Join(r.CommonDir(), tagcache.File)
	if info, err := os.Stat(path); err == nil && len(list) > directReads && int64(len(list))*directReadBytes > info.Size() {
		cached, targets, _ = tagcache.Load(path)
	}
	tags, _, err := r.readThroughCache(list, cached, targets)
	return tags, err
}

// ArtifactTags reads an artifact's tag objects rather than load the whole tag cache, unless
// they are more than directReads and reading them costs more than loading the cache: reading
// one object costs about what loading directReadBytes of the cache does (a cache of 40,000 tags,
// some 4 MB, loads in about the time 1,000 objects are read), so at 400,000 tags an artifact of
// 1,000 tags is read directly.
const (
	directReads     = 1000
	directReadBytes = 4 << 10
)

// readThroughCache returns the tags of refs, taken from the cache (cached and the target of each,
// in name order) where it has them with the same target and read from their objects otherwise;
// missing counts the latter.
func (r *Repository) readThroughCache(list []refs.Ref, cached []Tag, targets []object.ID) (tags []Tag, missing int, err error) {
	tags = make([]Tag, len(list))
	var unread []int
	j := 0 // the refs and the cache are both in name order: walk them side by side
	for i, ref := range list {
		for j < len(cached) && cached[j].Name < ref.Name {
			j++
		}
		if j < len(cached) && cached[j].Name == ref.Name && targets[j] == ref.Target {
			tags[i] = cached[j]
		} else {
			unread = append(unread, i)
		}
	}
	if err := r.readObjects(list, unread, tags); err != nil {
		return nil, 0, err
	}
	return tags, len(unread), nil
}

// cacheSlack is how many tags the cache may miss, or hold in excess, before it is rewritten.
const cacheSlack = 16

// sameTargets reports whether the cache holds exactly the refs, each with the same target.
func sameTargets(list []refs.Ref, cached []Tag, targets []object.ID) bool {
	for i, ref := range list {
		if cached[i].Name != ref.Name || targets[i] != ref.Target {
			return false
		}
	}
	return true
}

// tagRefs lists the refs under refs/tags/ (with a prefix, those of one artifact; see
// ArtifactTags), from Git's files when it can (pkg/internal/refs), else through libgit2.
func (r *Repository) tagRefs(prefix string) ([]refs.Ref, error) {
	list, err := refs.ReadTags(r.CommonDir(), prefix)
	if !errors.Is(err, refs.ErrFallback) {
		return list, err
	}
	return r.libgit2TagRefs(prefix)
}

// libgit2TagRefs is tagRefs through libgit2.
func (r *Repository) libgit2TagRefs(prefix string) ([]refs.Ref, error) {
	iter, err := r.repo.NewReferenceIteratorGlob(tagsPrefix + "*")
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer iter.Free()
	var list []refs.Ref
	for {
		ref, err := iter.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tags: %w", err)
		}
		name := strings.TrimPrefix(ref.Name(), tagsPrefix)
		if prefix != "" && !refs.MatchesArtifact(name, prefix) {
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
			list = append(list, refs.Ref{Name: name, Target: object.ID(*target)})
		}
		ref.Free()
	}
	slices.SortFunc(list, refs.Compare)
	return list, nil
}

// readObjects reads the targets of the refs at the given indexes into tags: straight from the
// pack files and loose objects on every core (pkg/internal/odb), then through libgit2, one at a
// time, what that could not find or read. An object that is there but corrupt is reported as
// it is.
func (r *Repository) readObjects(list []refs.Ref, indexes []int, tags []Tag) error {
	failed := indexes
	// Only libgit2 follows GIT_OBJECT_DIRECTORY, except in a server hook's quarantine, where the
	// objects of the refs are all in the repository's own directory still.
	if os.Getenv("GIT_OBJECT_DIRECTORY") == "" || os.Getenv("GIT_QUARANTINE_PATH") != "" {
		store := odb.Open(filepath.Join(r.CommonDir(), "objects"))
		defer store.Close()
		workers := parallel.Workers(len(indexes), 256)
		misses := make([][]int, workers)
		errs := make([]error, workers)
		parallel.Run(len(indexes), workers, func(w, from, to int) {
			misses[w], errs[w] = readSome(store, list, indexes[from:to], tags)
		})
		if err := errors.Join(errs...); err != nil {
			return errs[slices.IndexFunc(errs, func(e error) bool { return e != nil })] // one line: the first
		}
		failed = slices.Concat(misses...)
	}
	if len(failed) == 0 {
		return nil
	}
	db, err := r.repo.Odb()
	if err != nil {
		return fmt.Errorf("reading tags: %w", err)
	}
	defer db.Free()
	for _, i := range failed {
		info, err := readTarget(odbSource{db}, list[i].Target)
		if err != nil {
			return fmt.Errorf("reading tag '%s': %w", list[i].Name, err)
		}
		tags[i] = info.tag(list[i].Name, object.ID.String)
	}
	return nil
}

// TagAt reads a tag as Tags would read it if the ref name pointed to the object id: what a
// tag was before a push moved or deleted it, in a post-receive hook, where the old object is
// still in the object database. It goes through libgit2, which also reads alternates and the
// few objects such a caller needs.
func (r *Repository) TagAt(name, id string) (Tag, error) {
	target, ok := object.ParseID(id)
	if !ok {
		return Tag{}, fmt.Errorf("reading tag '%s': bad object id '%s'", name, id)
	}
	db, err := r.repo.Odb()
	if err != nil {
		return Tag{}, fmt.Errorf("reading tag '%s' at %s: %w", name, id, err)
	}
	defer db.Free()
	info, err := readTarget(odbSource{db}, target)
	if err != nil {
		return Tag{}, fmt.Errorf("reading tag '%s' at %s: %w", name, id, err)
	}
	return info.tag(name, object.ID.String), nil
}

// readSome reads the refs at indexes from the store, and returns those it could not read, for
// libgit2 to try, or the first corrupt one.
func readSome(store *odb.Store, list []refs.Ref, indexes []int, tags []Tag) (misses []int, err error) {
	src, err := store.Reader()
	if err != nil {
		return indexes, nil
	}
	defer src.Free()
	commits := map[object.ID]string{} // a commit's id in hexadecimal once, for the tags it shares
	hex := func(id object.ID) string {
		s, ok := commits[id]
		if !ok {
			s = id.String()
			commits[id] = s
		}
		return s
	}
	for _, i := range indexes {
		info, err := readTarget(src, list[i].Target)
		var corrupt *odb.CorruptError
		if errors.As(err, &corrupt) {
			return nil, fmt.Errorf("reading tag '%s': %w", list[i].Name, err)
		}
		if err != nil {
			misses = append(misses, i)
			continue
		}
		tags[i] = info.tag(list[i].Name, hex)
	}
	return misses, nil
}

// objectSource is what readTarget reads objects from: the pure reader (*odb.Reader), or libgit2.
type objectSource interface {
	Read(id object.ID) (object.Type, []byte, error)
	Exists(id object.ID) bool
}

// odbSource reads objects through libgit2.
type odbSource struct{ odb *git.Odb }

func (s odbSource) Read(id object.ID) (object.Type, []byte, error) {
	obj, err := s.odb.Read((*git.Oid)(&id))
	if err != nil {
		return 0, nil, err
	}
	defer obj.Free()
	return object.ParseType(strings.ToLower(obj.Type().String())), bytes.Clone(obj.Data()), nil
}

func (s odbSource) Exists(id object.ID) bool {
	return s.odb.Exists((*git.Oid)(&id))
}

// objectInfo is what the object a tag ref points to says, as Tag holds it.
type objectInfo struct {
	annotated bool
	commit    object.ID // when peeled is a commit
	peeled    object.Type
	outer     object.TagObject // the tag object the ref names
}

// readTarget reads the object a tag ref points to: a tag object (parsed, from its raw content,
// and peeled through any tag objects it points to) or a commit, tree or blob. As git fsck
// checks, the type a tag object declares for its target is trusted; the target must exist.
func readTarget(src objectSource, target object.ID) (objectInfo, error) {
	var info objectInfo
	id := target
	kind, data, err := src.Read(id)
	if err != nil {
		return info, err
	}
	for depth := 0; kind == object.Tag; depth++ {
		if depth > 0 {
			if kind, data, err = src.Read(id); err != nil {
				return info, err
			}
			if kind != object.Tag {
				return info, fmt.Errorf("object %s is a %s, not a tag", id, kind)
			}
		}
		t := object.ParseTag(data, depth == 0)
		if depth == 0 {
			info.outer, info.annotated = t, true
		}
		next, ok := object.ParseID(t.Target)
		if !ok || t.TargetType == 0 || depth > 16 {
			return info, fmt.Errorf("tag object %s cannot be read", id)
		}
		id, kind = next, t.TargetType
		if kind != object.Tag && !src.Exists(id) {
			return info, fmt.Errorf("object %s not found", id)
		}
	}
	switch kind {
	case object.Commit:
		info.peeled, info.commit = kind, id
	case object.Tree, object.Blob:
		info.peeled = kind
	default:
		return info, fmt.Errorf("object %s has unexpected type '%s'", id, kind)
	}
	return info, nil
}

// tag is the Tag of a ref named name whose target says info, the commit's id written by hex.
func (info objectInfo) tag(name string, hex func(object.ID) string) Tag {
	t := Tag{Name: name, Annotated: info.annotated, PeeledType: info.peeled,
		TaggerName: info.outer.TaggerName, TaggerEmail: info.outer.TaggerEmail, When: info.outer.When, Message: info.outer.Message}
	if info.peeled == object.Commit {
		t.Commit = hex(info.commit)
	}
	return t
}

// TagNames returns the names of all refs under refs/tags/ without reading any object, for
// what needs only names (shell completion).
func (r *Repository) TagNames() ([]string, error) {
	r.readDigest = nil
	var list []refs.Ref
	snap, err := refs.Open(r.CommonDir())
	if err == nil {
		defer snap.Close()
		if list, err = snap.Tags(); err == nil {
			digest := snap.Digest()
			r.readDigest = &digest
		}
	}
	if errors.Is(err, refs.ErrFallback) {
		list, err = r.libgit2TagRefs("")
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, ref := range list {
		names[i] = ref.Name
	}
	return names, nil
}

// HasArtifactTags reports whether any tag belongs to the artifact whose names start with prefix
// (as ArtifactTags takes it), reading ref names only: what a write needs to know cheaply before
// it treats a name as new.
func (r *Repository) HasArtifactTags(prefix string) (bool, error) {
	list, err := r.tagRefs(prefix)
	if err != nil {
		return false, err
	}
	return len(list) > 0, nil
}

// TagRefs returns what every ref under refs/tags/ points to (tag name → object id), reading no
// object.
func (r *Repository) TagRefs() (map[string]string, error) {
	return r.TagTargets("")
}

// TagTargets returns what the tags whose names start with prefix point to (name → object
// id), reading no object: prefix is an artifact's name as tag names write it ("DIR=NAME"),
// and the cost follows that artifact's tags, as ArtifactTags.
func (r *Repository) TagTargets(prefix string) (map[string]string, error) {
	list, err := r.tagRefs(prefix)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, ref := range list {
		out[ref.Name] = ref.Target.String()
	}
	return out, nil
}

// RefsDigest identifies the tag refs as they are now (refs.Snapshot.Digest), for caches of
// what their names say; ok is false where the pure reader cannot read them.
func (r *Repository) RefsDigest() (digest [tagcache.DigestSize]byte, ok bool) {
	snap, err := refs.Open(r.CommonDir())
	if err != nil {
		return digest, false
	}
	defer snap.Close()
	return snap.Digest(), true
}

// LoadIndex returns the items of an index (tagcache.NamesIndex, tagcache.SummaryIndex) when it
// was made from the tag refs as they are now (fresh). Otherwise save makes items the index of
// the refs as the last Tags or TagNames read them, the read the items were derived from (nothing
// is saved when that read went through libgit2, or there was none): an index is never kept
// under the digest of refs it was not made from, even when they change in between.
func (r *Repository) LoadIndex(name string) (items []string, fresh bool, save func(items []string)) {
	path := filepath.Join(r.CommonDir(), filepath.FromSlash(name))
	if digest, ok := r.RefsDigest(); ok {
		if items, ok := tagcache.LoadIndex(path, digest); ok {
			return items, true, nil
		}
	}
	return nil, false, func(items []string) {
		if r.readDigest != nil {
			tagcache.WriteIndex(path, *r.readDigest, items)
		}
	}
}
