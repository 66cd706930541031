package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"unsafe"
)

// tagRef is one ref under refs/tags/: its name and the id of the object it points to.
type tagRef struct {
	name   string // without "refs/tags/"
	target string // 40-hex id
}

// errRefsFallback makes tagRefs leave a layout it does not read itself to libgit2.
var errRefsFallback = errors.New("refs need libgit2")

// readTagRefs lists the refs under refs/tags/, sorted by name, by reading the files Git keeps
// them in: the packed-refs file and the loose refs, which win over packed ones. It is several
// times faster than iterating through libgit2 at tens of thousands of tags. Anything it does
// not expect (a symbolic ref, an unknown line) returns errRefsFallback, and the caller asks
// libgit2 instead.
//
// packed-refs is mapped rather than read, as git does, and the names and ids of the refs are
// slices of it: they are valid until release is called, and what is kept longer must be
// copied (strings.Clone).
//
// With an artifact prefix (see ArtifactTags), it lists only that artifact's refs: the loose
// refs of one folder, and the lines of packed-refs found by searching for the name, which
// costs a small part of reading them all.
func readTagRefs(commonDir, prefix string) (refs []tagRef, release func(), err error) {
	if prefix != "" && !safeRefPrefix(prefix) {
		return nil, noRelease, errRefsFallback
	}
	// Loose refs first, then packed-refs, as git reads them: a ref that git pack-refs moves from
	// one to the other in between is then seen in the second.
	loose, err := readLooseTagRefs(filepath.Join(commonDir, "refs", "tags"), prefix)
	if err != nil {
		return nil, noRelease, err
	}
	text, release, err := openPackedRefs(commonDir)
	if err != nil {
		return nil, noRelease, err
	}
	if prefix == "" {
		refs, err = parsePackedRefs(text)
	} else {
		refs, err = findPackedRefs(text, prefix)
	}
	if err != nil {
		release()
		return nil, noRelease, err
	}
	if len(loose) > 0 {
		at := make(map[string]int, len(refs))
		for i, r := range refs {
			at[r.name] = i
		}
		for _, r := range loose {
			if i, ok := at[r.name]; ok {
				refs[i] = r
			} else {
				refs = append(refs, r)
			}
		}
	}
	if !slices.IsSortedFunc(refs, compareRefs) {
		slices.SortFunc(refs, compareRefs)
	}
	return refs, release, nil
}

func noRelease() {}

// openPackedRefs returns the content of packed-refs ("" when there is none), mapped: finding a
// few lines then touches few pages, and reading them all copies nothing. It is valid until
// release is called. (Git replaces packed-refs by renaming a new file over it and never writes
// into it, so the mapping does not change.)
func openPackedRefs(commonDir string) (text string, release func(), err error) {
	path := filepath.Join(commonDir, "packed-refs")
	data, err := mapFile(path)
	release = noRelease
	if err == nil {
		release = func() { syscall.Munmap(data) }
	} else {
		data, err = os.ReadFile(path) // empty, or a file system that cannot map
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "", noRelease, nil
	}
	if err != nil {
		return "", noRelease, err
	}
	return unsafe.String(unsafe.SliceData(data), len(data)), release, nil
}

func compareRefs(a, b tagRef) int { return strings.Compare(a.name, b.name) }

// parsePackedRefs reads every tag line of packed-refs.
func parsePackedRefs(text string) ([]tagRef, error) {
	refs := make([]tagRef, 0, strings.Count(text, "\n"))
	for len(text) > 0 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '^': // the object a ref peels to, which the cache knows already
			if len(line) != 41 {
				return nil, errRefsFallback
			}
		default:
			ref, isTag, err := parsePackedLine(line)
			if err != nil {
				return nil, err
			}
			if isTag {
				refs = append(refs, ref)
			}
		}
	}
	return refs, nil
}

// findPackedRefs reads the lines of packed-refs that name a ref of the artifact prefix: by
// binary search in a sorted file, else by searching the text for the name.
func findPackedRefs(text, prefix string) ([]tagRef, error) {
	if packedRefsSorted(text) {
		if refs, ok, err := searchPackedRefs(text, prefix); ok || err != nil {
			return refs, err
		}
	}
	var refs []tagRef
	needle := " " + tagsPrefix + prefix
	for from := 0; ; {
		i := strings.Index(text[from:], needle)
		if i < 0 {
			return refs, nil
		}
		at := from + i // where the space between the id and the name is
		from = at + len(needle)
		if from >= len(text) || text[from] != '@' && text[from] != '#' {
			continue
		}
		start := strings.LastIndexByte(text[:at], '\n') + 1
		end := strings.IndexByte(text[at:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += at
		}
		line := strings.TrimSuffix(text[start:end], "\r")
		if line[0] == '#' {
			continue
		}
		ref, _, err := parsePackedLine(line)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
}

// searchPackedRefs is findPackedRefs by binary search: the artifact's names start with
// prefix#, or with prefix@, two runs of records. ok is false when a line on the way does not
// read as a record.
func searchPackedRefs(text, prefix string) (refs []tagRef, ok bool, err error) {
	for _, mark := range []string{"#", "@"} {
		at, ok := lowerBound(text, tagsPrefix+prefix+mark)
		if !ok {
			return nil, false, nil
		}
		for ; at < len(text); at = nextRecord(text, at) {
			ref, isTag, err := parsePackedLine(recordLine(text, at))
			if err != nil {
				return nil, false, err
			}
			if !isTag || !strings.HasPrefix(ref.name, prefix+mark) {
				break
			}
			refs = append(refs, ref)
		}
	}
	return refs, true, nil
}

// hasPackedRef reports whether packed-refs has a line for refName, and whether it has refs
// below refName/ (the folder a ref of that name would need).
func hasPackedRef(text, refName string) (exists, below bool) {
	if packedRefsSorted(text) {
		at, ok := lowerBound(text, refName)
		next, nextOK := lowerBound(text, refName+"/")
		if ok && nextOK {
			exists = at < len(text) && recordName(text, at) == refName
			below = next < len(text) && strings.HasPrefix(recordName(text, next), refName+"/")
			return exists, below
		}
	}
	exists = strings.Contains(text, " "+refName+"\n") || strings.HasSuffix(text, " "+refName)
	return exists, strings.Contains(text, " "+refName+"/")
}

// Binary search in packed-refs, as git does: a file whose header says "sorted" (every git
// writes one) holds records in name order, each a line "ID NAME" and the line "^ID" of the
// object a tag peels to, if any. A record is found from any byte by going back to the start
// of its line, and over a "^" line. A line that does not read so makes the search give up.

// packedRefsSorted reports whether packed-refs says it is sorted, in lines that end in "\n" alone.
func packedRefsSorted(text string) bool {
	header, _, _ := strings.Cut(text, "\n")
	traits, ok := strings.CutPrefix(header, "# pack-refs with:")
	return ok && slices.Contains(strings.Fields(traits), "sorted") && !strings.HasSuffix(header, "\r")
}

// firstRecord is where the records start, after the header's comment lines.
func firstRecord(text string) int {
	at := 0
	for at < len(text) && text[at] == '#' {
		at = nextLine(text, at)
	}
	return at
}

func nextLine(text string, at int) int {
	if i := strings.IndexByte(text[at:], '\n'); i >= 0 {
		return at + i + 1
	}
	return len(text)
}

// nextRecord is where the record after the one at at starts.
func nextRecord(text string, at int) int {
	at = nextLine(text, at)
	for at < len(text) && text[at] == '^' {
		at = nextLine(text, at)
	}
	return at
}

func recordLine(text string, at int) string {
	line, _, _ := strings.Cut(text[at:], "\n")
	return line
}

// recordName is the ref name of the record at at; "" when the line does not read "ID NAME".
func recordName(text string, at int) string {
	line := recordLine(text, at)
	if len(line) < 42 || line[40] != ' ' || line[len(line)-1] == '\r' {
		return ""
	}
	return line[41:]
}

// lowerBound returns where the first record whose name is not less than name starts (len(text)
// when there is none); false when a line on the way does not read as a record.
func lowerBound(text, name string) (int, bool) {
	lo, hi := firstRecord(text), len(text)
	for lo < hi {
		mid := lo + (hi-lo)/2
		at := lo + strings.LastIndexByte(text[lo:mid], '\n') + 1 // the start of mid's line
		for at > lo && text[at] == '^' {
			at = lo + strings.LastIndexByte(text[lo:at-1], '\n') + 1
		}
		got := recordName(text, at)
		if got == "" {
			return 0, false
		}
		if got < name {
			lo = nextRecord(text, at)
		} else {
			hi = at
		}
	}
	return lo, true
}

// parsePackedLine reads an "ID NAME" line of packed-refs; isTag when it names a tag.
func parsePackedLine(line string) (ref tagRef, isTag bool, err error) {
	id, name, ok := strings.Cut(line, " ")
	if !ok || len(id) != 40 || !isHex(id) {
		return ref, false, errRefsFallback
	}
	rest, isTag := strings.CutPrefix(name, tagsPrefix)
	return tagRef{name: rest, target: id}, isTag, nil
}

// safeRefPrefix reports whether an artifact prefix can name a folder under refs/tags/ without
// leaving it; anything else is looked up the slow way.
func safeRefPrefix(prefix string) bool {
	for _, part := range strings.Split(prefix, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return !strings.ContainsAny(prefix, "\x00\\\n\r ")
}

// matchesArtifact reports whether a tag name belongs to the artifact prefix: the prefix, then
// '@' or '#'.
func matchesArtifact(name, prefix string) bool {
	return len(name) > len(prefix) && strings.HasPrefix(name, prefix) && (name[len(prefix)] == '@' || name[len(prefix)] == '#')
}

// readLooseTagRefs reads the loose refs under root (refs/tags), or with a prefix only those of
// its artifact. A ref or folder that goes away while it reads (deleted, or packed) is skipped:
// packed-refs, read next, has what was packed.
func readLooseTagRefs(root, prefix string) ([]tagRef, error) {
	if prefix == "" {
		return walkLooseRefs(root, root)
	}
	dir, base := ".", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir, base = prefix[:i], prefix[i+1:]
	}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return nil, err
	}
	var refs []tagRef
	for _, e := range entries {
		if !matchesArtifact(e.Name(), base) {
			continue
		}
		found, err := walkLooseRefs(root, filepath.Join(root, filepath.FromSlash(dir), e.Name()))
		if err != nil {
			return nil, err
		}
		refs = append(refs, found...)
	}
	return refs, nil
}

// walkLooseRefs reads the loose refs at or under start, named relative to root.
func walkLooseRefs(root, start string) ([]tagRef, error) {
	var refs []tagRef
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			if d != nil && d.IsDir() || path == start {
				return filepath.SkipDir
			}
			return nil
		}
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(path, ".lock") {
			return nil
		}
		content, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		id := strings.TrimSpace(string(content))
		if len(id) != 40 || !isHex(id) {
			return errRefsFallback // a symbolic ref, or something being written
		}
		refs = append(refs, tagRef{name: filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator))), target: id})
		return nil
	})
	return refs, err
}

// isHex reports whether s is lowercase hexadecimal, as Git writes object ids. It runs over every
// id of packed-refs, so it looks each byte up in a table.
func isHex(s string) bool {
	ok := true
	for i := 0; i < len(s); i++ {
		ok = ok && lowerHex[s[i]]
	}
	return ok
}

var lowerHex = func() (t [256]bool) {
	for _, c := range "0123456789abcdef" {
		t[c] = true
	}
	return t
}()
