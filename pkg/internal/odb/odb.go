// Package odb reads objects straight from an object directory, in pure Go but for the system
// zlib (with cgo; compress/zlib without): its pack files, each through its version-2 index,
// with their deltas, and its loose objects. It is the fast path under the tag reader of the
// Git layer; what it cannot read is left to libgit2 (docs/architecture.md).
package odb

import (
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/safefile"
)

// Store reads objects straight from an object directory: its pack files, each through its
// version-2 index, and its loose objects. Every object it returns hashed to the id it was asked
// for, so a damaged file can make it fail but never lie. The Git layer reads tag objects with it on every
// core at once (libgit2 1.5 takes about three times as long per object and cannot share one
// object database between threads); what it cannot read (an object of an alternate object
// directory, a pack whose index is not version 2 (git index-pack --index-version=1 writes
// version 1) or cannot be mapped, an object too large or
// too deep in deltas) is left to libgit2; an object it holds but cannot read is reported as
// corrupt.
//
// Pack and index files are mapped read-only until close: Git replaces them by renaming new ones
// into place and never rewrites one, so a mapping stays valid even when a repack deletes the
// file. Nothing the store returns points into them.
type Store struct {
	dir   string
	packs []*packFile
}

// packFile is one pack and its index.
type packFile struct {
	fanout  []byte // 256 big-endian counts: objects whose id's first byte is ≤ i
	ids     []byte // the sorted 20-byte ids
	offsets []byte // big-endian 4-byte offsets, or indexes into large with the high bit set
	large   []byte // big-endian 8-byte offsets
	data    []byte // the pack
	idx     []byte // the whole index, as mapped
}

// The types of pack entries besides the four of object.Type: deltas.
const (
	ofsDelta = 6
	refDelta = 7
)

// maxObjectSize bounds what the store inflates; a larger object is left to libgit2.
const maxObjectSize = 64 << 20

// maxDeltaDepth bounds a chain of deltas (git pack-objects allows 4095).
const maxDeltaDepth = 4096

var (
	ErrNotStored   = errors.New("object not in the pack files or loose objects")
	ErrUnsupported = errors.New("object left to libgit2") // too large, or too deep in deltas
)

// Open maps the packs of an object directory. A pack it cannot use is skipped: its
// objects are then read through libgit2.
func Open(dir string) *Store {
	s := &Store{dir: dir}
	idxs, _ := filepath.Glob(filepath.Join(dir, "pack", "pack-*.idx"))
	for _, idx := range idxs {
		if p, err := openPack(idx); err == nil {
			s.packs = append(s.packs, p)
		}
	}
	return s
}

// Close unmaps the packs.
func (s *Store) Close() {
	for _, p := range s.packs {
		safefile.Unmap(p.idx)
		safefile.Unmap(p.data)
	}
	s.packs = nil
}

// openPack maps a version-2 index and its pack, checking the index's layout.
func openPack(idxPath string) (*packFile, error) {
	idx, err := safefile.Map(idxPath)
	if err != nil {
		return nil, err
	}
	const header = 8 + 256*4
	n := 0
	if len(idx) >= header+40 {
		n = int(binary.BigEndian.Uint32(idx[header-4:]))
	}
	end := header + n*(20+4+4)
	if len(idx) < header+40 || string(idx[:8]) != "\xfftOc\x00\x00\x00\x02" || end+40 > len(idx) || (len(idx)-end-40)%8 != 0 {
		safefile.Unmap(idx)
		return nil, errors.New("not a version-2 pack index")
	}
	data, err := safefile.Map(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		safefile.Unmap(idx)
		return nil, err
	}
	if len(data) < 12+20 || string(data[:4]) != "PACK" {
		safefile.Unmap(idx)
		safefile.Unmap(data)
		return nil, errors.New("bad pack")
	}
	return &packFile{
		fanout:  idx[8:header],
		ids:     idx[header : header+n*20],
		offsets: idx[header+n*24 : end],
		large:   idx[end : len(idx)-40],
		data:    data,
		idx:     idx,
	}, nil
}

// find returns where the pack holds the object id.
func (p *packFile) find(id []byte) (int, bool) {
	lo := 0
	if id[0] > 0 {
		lo = int(binary.BigEndian.Uint32(p.fanout[(int(id[0])-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(p.fanout[int(id[0])*4:]))
	hi = min(hi, len(p.ids)/20)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(p.ids[mid*20:mid*20+20], id); {
		case c == 0:
			off := uint64(binary.BigEndian.Uint32(p.offsets[mid*4:]))
			if off&0x80000000 != 0 {
				k := int(off & 0x7fffffff)
				if k >= len(p.large)/8 {
					return 0, false
				}
				off = binary.BigEndian.Uint64(p.large[k*8:])
			}
			if off < 12 || off >= uint64(len(p.data)-20) {
				return 0, false
			}
			return int(off), true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false
}

// Reader reads objects from a store for one goroutine at a time: it keeps its own
// decompressor and hash.
type Reader struct {
	store *Store
	z     *inflater
	sum   hash.Hash
	arena []byte // what zlib inflates into: objects one after another, room for its fast path after the last
}

// Reader returns a reader of the store, which must be freed.
func (s *Store) Reader() (*Reader, error) {
	z, err := newInflater()
	if err != nil {
		return nil, err
	}
	return &Reader{store: s, z: z, sum: sha1.New()}, nil
}

// Free releases the reader's decompressor.
func (r *Reader) Free() {
	r.z.free()
}

// Read returns the type and content of the object id. An error is ErrNotStored or
// ErrUnsupported (libgit2 may do better), or a *CorruptError.
func (r *Reader) Read(id object.ID) (object.Type, []byte, error) {
	kind, data, err := r.readID(id[:], 0)
	switch {
	case errors.Is(err, ErrNotStored) || errors.Is(err, ErrUnsupported):
		return 0, nil, err
	case err != nil:
		return 0, nil, &CorruptError{ID: id, Cause: err}
	}
	return kind, data, nil
}

// CorruptError is an object that the store holds but cannot read: libgit2 could not
// either (and, for some damage, would never return: libgit2 1.5 loops forever on a truncated
// loose object), so it is reported as it is.
type CorruptError struct {
	ID    object.ID
	Cause error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("object %s is corrupt (%v)", e.ID, e.Cause)
}

// Exists reports whether the store holds the object id, reading nothing.
func (r *Reader) Exists(id object.ID) bool {
	for _, p := range r.store.packs {
		if _, ok := p.find(id[:]); ok {
			return true
		}
	}
	_, err := os.Lstat(r.store.loosePath(id[:]))
	return err == nil
}

func (s *Store) loosePath(id []byte) string {
	name := hex.EncodeToString(id)
	return filepath.Join(s.dir, name[:2], name[2:])
}

// readID reads an object by its raw id: from each pack that has it, then loose, until a copy
// hashes to the id. When none does, the error is the loose copy's or, when there is none, the
// first pack's. The base of a delta (depth >
// 0) is read from its first copy only, so that deltas that are each other's bases across packs
// fail in as many steps as maxDeltaDepth rather than in packs^maxDeltaDepth.
func (r *Reader) readID(id []byte, depth int) (object.Type, []byte, error) {
	var first error
	for _, p := range r.store.packs {
		if off, ok := p.find(id); ok {
			kind, data, err := r.readPacked(p, off, depth)
			if err = r.check(id, kind, data, err); err == nil || depth > 0 {
				return kind, data, err
			}
			first = cmp.Or(first, err)
		}
	}
	kind, data, err := r.readLoose(id)
	if err = r.check(id, kind, data, err); err == nil {
		return kind, data, nil
	}
	if errors.Is(err, ErrNotStored) && first != nil {
		err = first
	}
	return 0, nil, err
}

var errHash = errors.New("its content does not hash to its id")

// check returns err, or errHash when the object read does not hash to id.
func (r *Reader) check(id []byte, kind object.Type, data []byte, err error) error {
	if err != nil {
		return err
	}
	r.sum.Reset()
	r.sum.Write(strconv.AppendInt([]byte(kind.String()+" "), int64(len(data)), 10))
	r.sum.Write([]byte{0})
	r.sum.Write(data)
	var sum [sha1.Size]byte
	if !bytes.Equal(r.sum.Sum(sum[:0]), id) {
		return errHash
	}
	return nil
}

// readPacked reads the object at offset off of a pack, applying deltas.
func (r *Reader) readPacked(p *packFile, off, depth int) (object.Type, []byte, error) {
	if depth > maxDeltaDepth {
		return 0, nil, ErrUnsupported
	}
	data := p.data[:len(p.data)-20] // the trailer is the pack's checksum
	if off >= len(data) {
		return 0, nil, errors.New("bad pack offset")
	}
	c := data[off]
	kind, size := object.Type(c>>4&7), uint64(c&15)
	pos := off + 1
	for shift := 4; c&0x80 != 0; shift += 7 {
		if pos >= len(data) || shift > 56 {
			return 0, nil, errors.New("bad pack entry")
		}
		c = data[pos]
		size |= uint64(c&0x7f) << shift
		pos++
	}
	switch kind {
	case object.Commit, object.Tree, object.Blob, object.Tag:
		body, err := r.inflate(data[pos:], size)
		return kind, body, err
	case ofsDelta:
		var back int
		for i := 0; ; i++ {
			if pos >= len(data) || i > 8 {
				return 0, nil, errors.New("bad delta offset")
			}
			c = data[pos]
			pos++
			if i > 0 {
				back++
			}
			back = back<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
		if back <= 0 || back > off {
			return 0, nil, errors.New("bad delta offset")
		}
		baseKind, base, err := r.readPacked(p, off-back, depth+1)
		if err != nil {
			return 0, nil, err
		}
		return r.applyDelta(baseKind, base, data[pos:], size)
	case refDelta:
		if pos+20 > len(data) {
			return 0, nil, errors.New("bad delta base")
		}
		baseKind, base, err := r.readID(data[pos:pos+20], depth+1)
		if err != nil {
			return 0, nil, err
		}
		return r.applyDelta(baseKind, base, data[pos+20:], size)
	}
	return 0, nil, fmt.Errorf("unknown pack entry type %d", kind)
}

// applyDelta inflates a delta of size bytes from src and applies it to base.
func (r *Reader) applyDelta(kind object.Type, base, src []byte, size uint64) (object.Type, []byte, error) {
	delta, err := r.inflate(src, size)
	if err != nil {
		return 0, nil, err
	}
	out, err := patchDelta(base, delta)
	return kind, out, err
}

// patchDelta applies a git delta (pack-format.txt: source size, target size, then copy and
// insert instructions) to base.
func patchDelta(base, delta []byte) ([]byte, error) {
	errBad := errors.New("bad delta")
	varint := func() (uint64, bool) {
		var v uint64
		for shift := 0; len(delta) > 0 && shift < 64; shift += 7 {
			c := delta[0]
			delta = delta[1:]
			v |= uint64(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, true
			}
		}
		return 0, false
	}
	srcSize, ok1 := varint()
	dstSize, ok2 := varint()
	if !ok1 || !ok2 || srcSize != uint64(len(base)) {
		return nil, errBad
	}
	if dstSize > maxObjectSize {
		return nil, ErrUnsupported
	}
	out := make([]byte, 0, dstSize)
	for len(delta) > 0 {
		op := delta[0]
		delta = delta[1:]
		switch {
		case op&0x80 != 0: // copy from base: offset and size, little-endian, present bytes only
			var off, n uint64
			for i := range 7 {
				if op&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, errBad
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					n |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || uint64(len(out))+n > dstSize {
				return nil, errBad
			}
			out = append(out, base[off:off+n]...)
		case op != 0: // insert the next op bytes
			if int(op) > len(delta) || uint64(len(out))+uint64(op) > dstSize {
				return nil, errBad
			}
			out = append(out, delta[:op]...)
			delta = delta[op:]
		default:
			return nil, errBad
		}
	}
	if uint64(len(out)) != dstSize {
		return nil, errBad
	}
	return out, nil
}

// readLoose reads a loose object: "TYPE SIZE\0" and the content, compressed together. It
// inflates the start of the file to learn the size, then reads the whole file, which zlib
// cannot have made much larger than the content, and inflates it. The file is hostile until
// it hashes to its id: anything but a regular file (a FIFO would block a read, a device never
// end one), a file larger than its declared content could compress to, or a declared size past
// maxObjectSize for a tag (which git-model reads whole, and no tag comes near) is corrupt, and
// never left to libgit2, which would block or read it whole.
func (r *Reader) readLoose(id []byte) (object.Type, []byte, error) {
	f, err := safefile.Open(r.store.loosePath(id))
	switch {
	case errors.Is(err, os.ErrNotExist):
		return 0, nil, ErrNotStored
	case errors.Is(err, safefile.ErrNotRegular):
		return 0, nil, errors.New("loose object is not a regular file")
	case err != nil:
		return 0, nil, fmt.Errorf("%w: %v", ErrUnsupported, err) // not readable here: libgit2 says why
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	bad := errors.New("loose object cannot be read")
	start := make([]byte, min(info.Size(), looseHeadBytes))
	if _, err := io.ReadFull(f, start); err != nil {
		return 0, nil, bad
	}
	var head [32]byte
	n, err := r.z.inflate(start, head[:])
	nul := bytes.IndexByte(head[:n], 0)
	if err != nil || nul < 0 {
		return 0, nil, bad
	}
	kindName, sizeText, _ := strings.Cut(string(head[:nul]), " ")
	size, err := strconv.ParseUint(sizeText, 10, 64)
	kind := object.ParseType(kindName)
	if err != nil || kind == 0 {
		return 0, nil, bad
	}
	if size > maxObjectSize && kind == object.Tag {
		return 0, nil, fmt.Errorf("loose tag object declares %d bytes", size)
	}
	bound := compressBound(uint64(nul) + 1 + size)
	if uint64(info.Size()) > bound {
		return 0, nil, errors.New("loose object file is larger than its content could compress to")
	}
	if size > maxObjectSize {
		return 0, nil, ErrUnsupported
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	compressed, err := safefile.ReadAll(f, int64(bound))
	if err != nil {
		return 0, nil, bad // it grew past what its content compresses to
	}
	whole := make([]byte, nul+1+int(size), nul+1+int(size)+inflateSlack)
	if n, err := r.z.inflate(compressed, whole); err != nil || n != len(whole) {
		return 0, nil, bad
	}
	return kind, whole[nul+1:], nil
}

// looseHeadBytes is how much of a loose object file is read to inflate its header: zlib's own
// header and the first block's, then "TYPE SIZE\0".
const looseHeadBytes = 4096

// compressBound is the most that zlib's deflate makes of n bytes, with room for other
// deflaters that emit fixed Huffman codes (9 bits for some bytes) where zlib would store.
func compressBound(n uint64) uint64 {
	return n + n/8 + 1024
}

// inflate decompresses size bytes from the zlib stream at the start of src into a slice of
// exactly that size, which nothing else is written to (what is read from it is kept for as long
// as the registry is). The objects of a reader are inflated one after another into shared
// blocks of arenaSize: the room zlib wants after its output (inflateSlack) is where the next
// object goes, so that tens of thousands of small tag objects cost a few allocations rather
// than one and a copy each.
func (r *Reader) inflate(src []byte, size uint64) ([]byte, error) {
	if size > maxObjectSize {
		return nil, ErrUnsupported
	}
	n := int(size)
	if cap(r.arena)-len(r.arena) < n+inflateSlack {
		r.arena = make([]byte, 0, max(n+inflateSlack, arenaSize))
	}
	at := len(r.arena)
	if got, err := r.z.inflate(src, r.arena[at:at+n:at+n+inflateSlack]); err != nil || got != n {
		return nil, errInflate
	}
	r.arena = r.arena[:at+n]
	return r.arena[at : at+n : at+n], nil
}

// arenaSize is the size of the blocks that objects are inflated into.
const arenaSize = 256 << 10
