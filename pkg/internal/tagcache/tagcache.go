// Package tagcache owns the format of the tag cache, in pure Go: what the Git layer read from
// every tag object, kept so that a warm read reads no object at all (docs/architecture.md).
//
// Tag objects never change, so what was read from one need never be read again: the cache
// keeps, for every ref under refs/tags/, the object id it points to and what was read from
// that object, in ref-name order, so that a warm read walks the refs and the cache side by side
// and reads no object. It lives in the git directory, is replaced atomically, and carries a
// checksum: a cache that does not check out is ignored and rebuilt, never trusted. An entry
// counts only when the ref still points to the same object.
//
// The file, in order (uvarint and varint as encoding/binary writes them; a string is its
// length as a uvarint, then its bytes):
//
//	magic      "git-model tag cache 6\n"
//	refs       32 bytes  the digest of the refs it was read from (refs.Snapshot.Digest)
//	entries    uvarint   the number of entries, N
//	shared     uvarint   the number of shared strings, then each as a string
//	chunks     uvarint   ceil(N / Chunk), then the size in bytes of each chunk as a uvarint
//	chunk…     the entries, Chunk to a chunk (the last one the rest)
//	checksum   4 bytes   CRC-32C (Castagnoli) of everything before it, little-endian
//
// An entry:
//
//	name       string    the ref's name without "refs/tags/"
//	target     20 bytes  the object id the ref pointed to
//	flags      1 byte    flagAnnotated, flagCommit, flagWhen, and the peeled type in bits 1-2
//	commit     uvarint   with flagCommit: the peeled commit's 40-hex id, a shared string
//	tagger     2 uvarint annotated only: the tagger's name and email, shared strings
//	message    string    annotated only
//	when       2 varint  with flagWhen: Unix seconds, and the zone as git writes it (+0130 is 130)
//
// Commits and taggers, which many tags share, are so stored once; the chunks are decoded on
// every core at once.
package tagcache

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/parallel"
	"github.com/git-model/git-model/pkg/safefile"
)

// File is the cache, under the common git directory.
const File = "git-model/tag-cache"

// magic starts the file; a new layout gets a new one.
const magic = "git-model tag cache 6\n"

// The bits of an entry's flags byte.
const (
	flagAnnotated  = 1 << 0 // the ref points to a tag object
	peeledShift    = 1      // bits 1-2: the peeled type, its index in peeledTypes
	flagCommit     = 1 << 3 // it peels to a commit, whose id follows
	flagWhen       = 1 << 4 // a tagger time follows (even one at the zero instant)
	peeledTypeMask = 3
)

var peeledTypes = [...]object.Type{object.Commit, object.Tree, object.Blob}

// DigestSize is the size of the refs' digest that the cache keeps.
const DigestSize = 32

// Chunk is how many entries a chunk holds (the last one the rest).
const Chunk = 8192

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxSize caps the cache, read and written, like every file git-model reads (a FIFO or a device
// there is ignored, as a cache that does not check out is): at about a hundred bytes a tag it
// holds some five million tags, where safefile.MaxSize would hold only 150,000.
const maxSize = 32 * safefile.MaxSize

// Load reads the cache: the tags, in name order, the object each one's ref pointed to, and the
// digest of the refs they were read from; nil when there is none or it does not check out. Every string of the result is a slice
// of the file's content, which nothing writes to once read. The chunks are decoded on every
// core while the checksum is computed.
func Load(path string) (tags []object.TagRecord, targets []object.ID, refsDigest [DigestSize]byte) {
	data, err := safefile.Read(path, maxSize)
	if err != nil || len(data) < len(magic)+DigestSize+4 || string(data[:len(magic)]) != magic {
		return nil, nil, [DigestSize]byte{}
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	checked := make(chan bool, 1)
	go func() { checked <- crc32.Checksum(body, castagnoli) == sum }()
	text := unsafe.String(unsafe.SliceData(body), len(body))
	copy(refsDigest[:], text[len(magic):])
	d := decoder{s: text, pos: len(magic) + DigestSize}
	n, nShared := d.uvarint(), d.uvarint()
	const minEntry = 1 + len(object.ID{}) + 1 // an empty name, the target, the flags
	if d.bad || n > uint64(len(text)/minEntry) || nShared > uint64(len(text)) {
		<-checked
		return nil, nil, [DigestSize]byte{}
	}
	shared := make([]string, nShared)
	for i := range shared {
		shared[i] = d.string()
	}
	chunks := d.uvarint()
	if d.bad || chunks != (n+Chunk-1)/Chunk {
		<-checked
		return nil, nil, [DigestSize]byte{}
	}
	ends := make([]int, chunks) // where each chunk ends in text
	end := 0
	for i := range ends {
		size := d.uvarint()
		if d.bad || size > uint64(len(text)) {
			<-checked
			return nil, nil, [DigestSize]byte{}
		}
		end += int(size)
		ends[i] = end
	}
	start := d.pos
	if start+end != len(text) {
		<-checked
		return nil, nil, [DigestSize]byte{}
	}
	tags, targets = make([]object.TagRecord, n), make([]object.ID, n)
	ok := make([]bool, chunks)
	parallel.Each(len(ends), func(c int) {
		from := start
		if c > 0 {
			from += ends[c-1]
		}
		first := c * Chunk
		last := min(first+Chunk, int(n))
		d := decoder{s: text[:start+ends[c]], pos: from, shared: shared}
		ok[c] = d.entries(tags[first:last], targets[first:last]) && d.pos == len(d.s)
	})
	if !<-checked || slices.Contains(ok, false) {
		return nil, nil, [DigestSize]byte{}
	}
	return tags, targets, refsDigest
}

// entries decodes len(tags) entries; false when they do not decode.
func (d *decoder) entries(tags []object.TagRecord, targets []object.ID) bool {
	var loc *time.Location
	lastZone, haveLoc := 0, false
	for i := range tags {
		t := &tags[i]
		t.Name = d.string()
		copy(targets[i][:], d.bytes(len(object.ID{})))
		flags := d.byte()
		t.Annotated = flags&flagAnnotated != 0
		if kind := int(flags >> peeledShift & peeledTypeMask); kind < len(peeledTypes) {
			t.PeeledType = peeledTypes[kind]
		}
		if flags&flagCommit != 0 {
			t.Commit = d.sharedString()
		}
		if t.Annotated {
			t.TaggerName, t.TaggerEmail, t.Message = d.sharedString(), d.sharedString(), d.string()
		}
		if flags&flagWhen != 0 {
			unix, tz := d.varint(), int(d.varint())
			if !haveLoc || tz != lastZone {
				loc, lastZone, haveLoc = object.Zone(tz), tz, true
			}
			t.When = time.Unix(unix, 0).In(loc)
		}
		if d.bad {
			return false
		}
	}
	return true
}

// Write replaces the cache with tags, whose refs point to targets and were read from refs of
// the given digest, atomically. Failing to write it only costs speed, so errors are not
// reported.
func Write(path string, refsDigest [DigestSize]byte, targets []object.ID, tags []object.TagRecord) {
	b := make([]byte, 0, len(tags)*128)
	var sizes []int // of the chunks
	chunkStart := 0
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var shared []string
	number := map[string]int{}
	sharedStr := func(s string) {
		k, ok := number[s]
		if !ok {
			k = len(shared)
			number[s] = k
			shared = append(shared, s)
		}
		b = binary.AppendUvarint(b, uint64(k))
	}
	var lastLoc *time.Location // the zone and offset of the previous tag, which most tags share
	lastOffset, lastZone := 0, 0
	for i, t := range tags {
		if i > 0 && i%Chunk == 0 {
			sizes = append(sizes, len(b)-chunkStart)
			chunkStart = len(b)
		}
		str(t.Name)
		b = append(b, targets[i][:]...)
		flags := byte(0)
		if t.Annotated {
			flags |= flagAnnotated
		}
		if k := slices.Index(peeledTypes[:], t.PeeledType); k >= 0 {
			flags |= byte(k) << peeledShift
		}
		if len(t.Commit) == object.HexSize {
			flags |= flagCommit
		}
		if t.When != (time.Time{}) {
			flags |= flagWhen
		}
		b = append(b, flags)
		if flags&flagCommit != 0 {
			sharedStr(t.Commit)
		}
		if t.Annotated {
			sharedStr(t.TaggerName)
			sharedStr(t.TaggerEmail)
			str(t.Message)
		}
		if flags&flagWhen != 0 {
			if _, offset := t.When.Zone(); t.When.Location() != lastLoc || offset != lastOffset {
				lastLoc, lastOffset, lastZone = t.When.Location(), offset, object.ZoneNumber(t.When)
			}
			b = binary.AppendVarint(b, t.When.Unix())
			b = binary.AppendVarint(b, int64(lastZone))
		}
	}
	if len(tags) > 0 {
		sizes = append(sizes, len(b)-chunkStart)
	}
	header := append([]byte(magic), refsDigest[:]...)
	header = binary.AppendUvarint(header, uint64(len(tags)))
	header = binary.AppendUvarint(header, uint64(len(shared)))
	for _, s := range shared {
		header = binary.AppendUvarint(header, uint64(len(s)))
		header = append(header, s...)
	}
	header = binary.AppendUvarint(header, uint64(len(sizes)))
	for _, size := range sizes {
		header = binary.AppendUvarint(header, uint64(size))
	}
	file := make([]byte, 0, len(header)+len(b)+4) // one copy of the entries, not a growing one
	file = append(append(file, header...), b...)
	file = binary.LittleEndian.AppendUint32(file, crc32.Checksum(file, castagnoli))
	if len(file) > maxSize {
		return // it would not be read
	}
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		safefile.ReplaceCache(path, file) // readable by everyone who reads the repository, like its refs
	}
}

// decoder reads the cache's fields; bad records that the data ran short or was malformed.
type decoder struct {
	s      string
	pos    int
	bad    bool
	shared []string
}

// sharedString reads a shared string, stored as its number in the table.
func (d *decoder) sharedString() string {
	k := d.uvarint()
	if k >= uint64(len(d.shared)) {
		d.bad = true
		return ""
	}
	return d.shared[k]
}

func (d *decoder) bytes(n int) string {
	if d.bad || d.pos+n > len(d.s) {
		d.bad = true
		return ""
	}
	v := d.s[d.pos : d.pos+n]
	d.pos += n
	return v
}

func (d *decoder) byte() byte {
	if v := d.bytes(1); v != "" {
		return v[0]
	}
	return 0
}

func (d *decoder) uvarint() uint64 {
	return decodeVarint(d, binary.Uvarint)
}

func (d *decoder) varint() int64 {
	return decodeVarint(d, binary.Varint)
}

// decodeVarint reads one varint with decode (binary.Uvarint or binary.Varint).
func decodeVarint[T uint64 | int64](d *decoder, decode func([]byte) (T, int)) T {
	if d.bad {
		return 0
	}
	v, n := decode([]byte(d.s[d.pos:min(len(d.s), d.pos+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.s)) {
		d.bad = true
		return ""
	}
	return d.bytes(int(n))
}
