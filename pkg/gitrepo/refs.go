package gitrepo

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
// times faster than iterating through libgit2 at tens of thousands of tags (the names and ids
// are slices of one copy of packed-refs). Anything it does not expect (a symbolic ref, an
// unknown line) returns errRefsFallback, and the caller asks libgit2 instead.
func readTagRefs(commonDir string) ([]tagRef, error) {
	// Loose refs first, then packed-refs, as git reads them: a ref that git pack-refs moves from
	// one to the other in between is then seen in the second.
	loose, err := readLooseTagRefs(filepath.Join(commonDir, "refs", "tags"))
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(commonDir, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	text := unsafe.String(unsafe.SliceData(data), len(data)) // data is never written to again
	refs := make([]tagRef, 0, strings.Count(text, "\n"))
	sorted := true
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
			id, name, ok := strings.Cut(line, " ")
			if !ok || len(id) != 40 || !isHex(id) {
				return nil, errRefsFallback
			}
			if rest, isTag := strings.CutPrefix(name, tagsPrefix); isTag {
				if n := len(refs); n > 0 && refs[n-1].name >= rest {
					sorted = false
				}
				refs = append(refs, tagRef{name: rest, target: id})
			}
		}
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
				refs, sorted = append(refs, r), false
			}
		}
	}
	if !sorted {
		slices.SortFunc(refs, func(a, b tagRef) int { return strings.Compare(a.name, b.name) })
	}
	return refs, nil
}

// readLooseTagRefs reads the loose refs under root (refs/tags). A ref or folder that goes away
// while it reads (deleted, or packed) is skipped: packed-refs, read next, has what was packed.
func readLooseTagRefs(root string) ([]tagRef, error) {
	var refs []tagRef
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			if d != nil && d.IsDir() || path == root {
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
