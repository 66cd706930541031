package gitrepo

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// tagRef is one ref under refs/tags/: its name, the object it points to, and (from packed-refs)
// the object that peels to, when Git recorded it.
type tagRef struct {
	name   string // without "refs/tags/"
	target string // 40-hex id
	peeled string // 40-hex id, or ""
}

// errRefsFallback makes tagRefs leave a layout it does not read itself to libgit2.
var errRefsFallback = errors.New("refs need libgit2")

// readTagRefs lists the refs under refs/tags/ by reading the files Git keeps them in: the
// packed-refs file (with the peeled ids it already holds) and the loose refs, which win over
// packed ones. It is several times faster than iterating through libgit2 at tens of thousands
// of tags; anything it does not expect (a symbolic ref, an unknown line) returns
// errRefsFallback, and the caller asks libgit2 instead.
func readTagRefs(commonDir string) ([]tagRef, error) {
	refs := map[string]tagRef{}
	data, err := os.ReadFile(filepath.Join(commonDir, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var last string // the ref a "^" line peels
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case len(line) == 0 || line[0] == '#':
		case line[0] == '^':
			if len(line) != 41 || last == "" {
				return nil, errRefsFallback
			}
			r := refs[last]
			r.peeled = string(line[1:])
			refs[last] = r
		default:
			id, name, ok := bytes.Cut(line, []byte{' '})
			if !ok || len(id) != 40 {
				return nil, errRefsFallback
			}
			last = ""
			if rest, isTag := bytes.CutPrefix(name, []byte(tagsPrefix)); isTag {
				last = string(rest)
				refs[last] = tagRef{name: last, target: string(id)}
			}
		}
	}
	root := filepath.Join(commonDir, "refs", "tags")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || strings.HasSuffix(path, ".lock") {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		id := string(bytes.TrimSpace(content))
		if len(id) != 40 || !isHex(id) {
			return errRefsFallback // a symbolic ref, or something being written
		}
		name := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if old, ok := refs[name]; !ok || old.target != id {
			refs[name] = tagRef{name: name, target: id}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]tagRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b tagRef) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
