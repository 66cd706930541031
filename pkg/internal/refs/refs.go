// Package refs reads the refs under refs/tags/ from the files of Git's "files" ref storage, in
// pure Go: the packed-refs file and the loose refs, which win over packed ones. At tens of
// thousands of tags it is several times faster than iterating through libgit2. Anything it
// does not expect (a symbolic ref, an unknown line, a prefix that could leave refs/tags/)
// returns ErrFallback, and the caller asks libgit2 instead (docs/architecture.md).
//
// packed-refs is mapped rather than read, as git maps it; a Packed owns its mapping and hands
// out only copies, so nothing a caller keeps points into a file that is unmapped.
package refs

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/git-model/git-model/pkg/internal/object"
)

// TagsPrefix is the folder of tag refs.
const TagsPrefix = "refs/tags/"

// Ref is one ref under refs/tags/: its name and the id of the object it points to.
type Ref struct {
	Name   string // without "refs/tags/"
	Target object.ID
}

// ErrFallback makes the caller leave a layout the readers do not read to libgit2.
var ErrFallback = errors.New("refs need libgit2")

// Compare orders refs by name, as Git lists them.
func Compare(a, b Ref) int { return strings.Compare(a.Name, b.Name) }

// ReadTags lists the refs under refs/tags/ of the repository whose common git directory is
// commonDir, sorted by name. With an artifact prefix ("DIR=NAME" or "NAME", see
// MatchesArtifact) it lists only that artifact's refs: the loose refs of one folder, and the
// lines of packed-refs found by searching for the name, which costs a small part of reading
// them all.
func ReadTags(commonDir, prefix string) ([]Ref, error) {
	if prefix != "" && !safePrefix(prefix) {
		return nil, ErrFallback
	}
	s, err := open(commonDir, prefix)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if prefix == "" {
		return s.Tags()
	}
	found, err := s.packed.ArtifactTags(prefix)
	if err != nil {
		return nil, err
	}
	return merge(found, s.loose), nil
}

// Snapshot is every ref under refs/tags/ as it is on disk at one moment: the loose refs, read,
// and packed-refs, mapped. It owns the mapping and hands out only copies; it must be closed.
type Snapshot struct {
	loose  []Ref
	packed *Packed
	info   fs.FileInfo // of packed-refs; nil when there is none
}

// Open takes a snapshot of the tag refs under commonDir.
func Open(commonDir string) (*Snapshot, error) {
	return open(commonDir, "")
}

func open(commonDir, prefix string) (*Snapshot, error) {
	// Loose refs first, then packed-refs, as git reads them: a ref that git pack-refs moves from
	// one to the other in between is then seen in the second.
	loose, err := readLoose(filepath.Join(commonDir, "refs", "tags"), prefix)
	if err != nil {
		return nil, err
	}
	packed, info, err := openPacked(commonDir)
	if err != nil {
		return nil, err
	}
	return &Snapshot{loose: loose, packed: packed, info: info}, nil
}

// Close unmaps packed-refs.
func (s *Snapshot) Close() {
	s.packed.Close()
}

// Tags lists every tag ref, loose refs winning over packed ones, sorted by name.
func (s *Snapshot) Tags() ([]Ref, error) {
	packed, err := s.packed.Tags()
	if err != nil {
		return nil, err
	}
	return merge(packed, s.loose), nil
}

// Digest identifies the snapshot's content: two snapshots with the same digest list the same
// refs with the same targets. It covers the loose refs (names and targets), and packed-refs by
// its device, inode, size, and modification and change times: git replaces packed-refs by
// renaming a new file over it, and the kernel sets the change time of every write and rename.
// Two versions of the file can share all of these only when both were written within one tick
// of the file system's clock (the inode of a deleted file is reused at once) or on a file
// system without nanoseconds; so, as git does for racily clean files, a packed-refs written in
// the last few seconds (racyWindow), or with times in whole seconds, is also identified by a
// CRC-32C of its content, which costs a small part of parsing it. A snapshot taken once the
// file has aged then has a digest of another shape, never equal to one taken while it was
// racy. A cache of what was read from the refs keeps the digest it was made from and is valid
// while it holds.
func (s *Snapshot) Digest() [sha256.Size]byte {
	h := sha256.New()
	var b []byte
	if s.info != nil {
		b = binary.AppendVarint(b, s.info.Size())
		b = binary.AppendVarint(b, s.info.ModTime().UnixNano())
		check := true
		if st, ok := s.info.Sys().(*syscall.Stat_t); ok {
			b = binary.AppendUvarint(b, uint64(st.Dev))
			b = binary.AppendUvarint(b, uint64(st.Ino))
			b = binary.AppendVarint(b, int64(st.Ctim.Sec)*1e9+int64(st.Ctim.Nsec))
			changed := time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
			if m := s.info.ModTime(); m.After(changed) {
				changed = m
			}
			coarse := st.Mtim.Nsec == 0 && st.Ctim.Nsec == 0
			check = coarse || time.Since(changed) < racyWindow
		}
		b = append(b, boolByte(check))
		if check {
			b = binary.LittleEndian.AppendUint32(b, s.packed.checksum())
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.loose)))
	h.Write(b)
	for _, r := range s.loose {
		h.Write([]byte(r.Name))
		h.Write([]byte{0})
		h.Write(r.Target[:])
	}
	var d [sha256.Size]byte
	h.Sum(d[:0])
	return d
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// racyWindow is how recently packed-refs may have been written for its digest to include its
// content: longer than any file system's clock tick, and than the 2 seconds of the coarsest.
const racyWindow = 3 * time.Second

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// merge returns packed with the loose refs in place of the packed ones of the same names,
// sorted by name.
func merge(packed, loose []Ref) []Ref {
	refs := packed
	if len(loose) > 0 {
		at := make(map[string]int, len(refs))
		for i, r := range refs {
			at[r.Name] = i
		}
		for _, r := range loose {
			if i, ok := at[r.Name]; ok {
				refs[i] = r
			} else {
				refs = append(refs, r)
			}
		}
	}
	if !slices.IsSortedFunc(refs, Compare) {
		slices.SortFunc(refs, Compare)
	}
	return refs
}

// MatchesArtifact reports whether a tag name belongs to the artifact prefix: the prefix, then
// '@' or '#' (docs/registry.md §2).
func MatchesArtifact(name, prefix string) bool {
	return len(name) > len(prefix) && strings.HasPrefix(name, prefix) && (name[len(prefix)] == '@' || name[len(prefix)] == '#')
}

// safePrefix reports whether an artifact prefix can name a folder under refs/tags/ without
// leaving it; anything else is looked up the slow way.
func safePrefix(prefix string) bool {
	for _, part := range strings.Split(prefix, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return !strings.ContainsAny(prefix, "\x00\\\n\r ")
}

// readLoose reads the loose refs under root (refs/tags), or with a prefix only those of its
// artifact. A ref or folder that goes away while it reads (deleted, or packed) is skipped:
// packed-refs, read next, has what was packed.
func readLoose(root, prefix string) ([]Ref, error) {
	if prefix == "" {
		return walkLoose(root, root)
	}
	dir, base := ".", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir, base = prefix[:i], prefix[i+1:]
	}
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return nil, err
	}
	var refs []Ref
	for _, e := range entries {
		if !MatchesArtifact(e.Name(), base) {
			continue
		}
		found, err := walkLoose(root, filepath.Join(root, filepath.FromSlash(dir), e.Name()))
		if err != nil {
			return nil, err
		}
		refs = append(refs, found...)
	}
	return refs, nil
}

// walkLoose reads the loose refs at or under start, named relative to root.
func walkLoose(root, start string) ([]Ref, error) {
	var refs []Ref
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
		if d.Type()&fs.ModeSymlink != 0 {
			return ErrFallback // a linked folder or ref, which git follows: libgit2 reads them
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
		id, ok := object.ParseID(strings.TrimSpace(string(content)))
		if !ok {
			return ErrFallback // a symbolic ref, or something being written
		}
		refs = append(refs, Ref{Name: filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator))), Target: id})
		return nil
	})
	return refs, err
}

// copyNames makes the names of refs copies, all in one allocation, of what may be slices of a
// mapping.
func copyNames(refs []Ref) {
	size := 0
	for _, r := range refs {
		size += len(r.Name)
	}
	arena := make([]byte, 0, size)
	for i, r := range refs {
		start := len(arena)
		arena = append(arena, r.Name...)
		refs[i].Name = unsafe.String(unsafe.SliceData(arena[start:]), len(r.Name))
	}
}
