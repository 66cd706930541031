package gitrepo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unsafe"

	"github.com/git-model/git-model/pkg/safefile"
)

// Tag objects never change, so what was read from one need never be read again: the tag cache
// keeps, for every ref under refs/tags/, the object id it points to and what Tags read from
// that object, in ref-name order, so that a warm read walks the refs and the cache side by side
// and reads no object. It lives in the git directory, is replaced atomically (a temporary file
// renamed over it), and carries a checksum: a cache that does not check out is ignored and
// rebuilt, never trusted. An entry counts only when the ref still points to the same object.

// tagCacheFile is the cache, under the common git directory.
const tagCacheFile = "git-model/tag-cache"

// tagCacheMagic starts the file; a new layout gets a new one.
const tagCacheMagic = "git-model tag cache 5\n"

// The file: the magic, the number of entries, the shared strings (their number, then each,
// length-prefixed), the number of chunks and the length in bytes of each, the entries, and a
// CRC-32C of all that. Each entry: its name (length-prefixed), the 40-hex target, a flags byte
// (1 annotated; bits 1-2 the peeled type's index in peeledTypes; 8 a commit; 16 a tagger
// time), then the commit's number in the shared strings, the tagger name's and email's numbers
// and the message (annotated only), and the time as varint seconds and the zone as git writes it (+0130 is 130). Commits and
// taggers, which many tags share, are so stored once.

// cacheChunk is how many entries a chunk holds (the last one the rest); the chunks are decoded
// on every core at once.
const cacheChunk = 8192

var peeledTypes = []string{"commit", "tree", "blob"}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// tagCacheMaxSize caps the cache, read and written, like every file git-model reads (a FIFO or
// a device there is ignored, as a cache that does not check out is): at about a hundred bytes a
// tag it holds some two million tags, where safefile.MaxSize would hold only 150,000.
const tagCacheMaxSize = 16 * safefile.MaxSize

// loadTagCache reads the cache: the tags, in name order, and the object each one's ref pointed
// to; nil when there is none or it does not check out. Every string of the result is a slice
// of the file's content, which nothing writes to once read. The chunks are decoded on every
// core while the checksum is computed.
func loadTagCache(path string) (tags []Tag, targets []string) {
	data, err := safefile.Read(path, tagCacheMaxSize)
	if err != nil || len(data) < len(tagCacheMagic)+4 || string(data[:len(tagCacheMagic)]) != tagCacheMagic {
		return nil, nil
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	checked := make(chan bool, 1)
	go func() { checked <- crc32.Checksum(body, castagnoli) == sum }()
	text := unsafe.String(unsafe.SliceData(body), len(body))
	d := decoder{s: text, pos: len(tagCacheMagic)}
	n, nShared := d.uvarint(), d.uvarint()
	const minEntry = 1 + 40 + 1 // an empty name, the target, the flags
	if d.bad || n > uint64(len(text)/minEntry) || nShared > uint64(len(text)) {
		<-checked
		return nil, nil
	}
	shared := make([]string, nShared)
	for i := range shared {
		shared[i] = d.string()
	}
	chunks := d.uvarint()
	if d.bad || chunks != (n+cacheChunk-1)/cacheChunk {
		<-checked
		return nil, nil
	}
	ends := make([]int, chunks) // where each chunk ends in text
	end := 0
	for i := range ends {
		size := d.uvarint()
		if d.bad || size > uint64(len(text)) {
			<-checked
			return nil, nil
		}
		end += int(size)
		ends[i] = end
	}
	start := d.pos
	if start+end != len(text) {
		<-checked
		return nil, nil
	}
	tags, targets = make([]Tag, n), make([]string, n)
	ok := make([]bool, chunks)
	var wg sync.WaitGroup
	for c := range ends {
		wg.Go(func() {
			from := start
			if c > 0 {
				from += ends[c-1]
			}
			first := c * cacheChunk
			last := min(first+cacheChunk, int(n))
			d := decoder{s: text[:start+ends[c]], pos: from, shared: shared}
			ok[c] = d.entries(tags[first:last], targets[first:last]) && d.pos == len(d.s)
		})
	}
	wg.Wait()
	if !<-checked || slices.Contains(ok, false) {
		return nil, nil
	}
	return tags, targets
}

// entries decodes len(tags) entries; false when they do not decode.
func (d *decoder) entries(tags []Tag, targets []string) bool {
	var loc *time.Location
	lastZone, haveLoc := 0, false
	for i := range tags {
		t := &tags[i]
		t.Name = d.string()
		targets[i] = d.bytes(40)
		flags := d.byte()
		t.Annotated = flags&1 != 0
		if kind := int(flags >> 1 & 3); kind < len(peeledTypes) {
			t.PeeledType = peeledTypes[kind]
		}
		if flags&8 != 0 {
			t.Commit = d.sharedString()
		}
		if t.Annotated {
			t.TaggerName, t.TaggerEmail, t.Message = d.sharedString(), d.sharedString(), d.string()
		}
		if flags&16 != 0 {
			unix, tz := d.varint(), int(d.varint())
			if !haveLoc || tz != lastZone {
				loc, lastZone, haveLoc = zone(tz), tz, true
			}
			t.When = time.Unix(unix, 0).In(loc)
		}
		if d.bad {
			return false
		}
	}
	return true
}

// writeTagCache replaces the cache with the tags read for refs, atomically. Failing to write it
// only costs speed, so errors are not reported.
func writeTagCache(path string, refs []tagRef, tags []Tag) {
	var b bytes.Buffer
	b.Grow(len(tags) * 100)
	var sizes []int // of the chunks
	chunkStart := 0
	str := func(s string) {
		b.Write(binary.AppendUvarint(nil, uint64(len(s))))
		b.WriteString(s)
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
		b.Write(binary.AppendUvarint(nil, uint64(k)))
	}
	for i, t := range tags {
		if i > 0 && i%cacheChunk == 0 {
			sizes = append(sizes, b.Len()-chunkStart)
			chunkStart = b.Len()
		}
		str(t.Name)
		b.WriteString(refs[i].target)
		flags := byte(0)
		if t.Annotated {
			flags |= 1
		}
		for k, name := range peeledTypes {
			if name == t.PeeledType {
				flags |= byte(k) << 1
			}
		}
		if len(t.Commit) == 40 {
			flags |= 8
		}
		if t.When != (time.Time{}) { // a tagger time, even one at the zero instant
			flags |= 16
		}
		b.WriteByte(flags)
		if flags&8 != 0 {
			sharedStr(t.Commit)
		}
		if t.Annotated {
			sharedStr(t.TaggerName)
			sharedStr(t.TaggerEmail)
			str(t.Message)
		}
		if flags&16 != 0 {
			b.Write(binary.AppendVarint(nil, t.When.Unix()))
			b.Write(binary.AppendVarint(nil, int64(zoneNumber(t.When))))
		}
	}
	if len(tags) > 0 {
		sizes = append(sizes, b.Len()-chunkStart)
	}
	header := binary.AppendUvarint([]byte(tagCacheMagic), uint64(len(tags)))
	header = binary.AppendUvarint(header, uint64(len(shared)))
	for _, s := range shared {
		header = binary.AppendUvarint(header, uint64(len(s)))
		header = append(header, s...)
	}
	header = binary.AppendUvarint(header, uint64(len(sizes)))
	for _, size := range sizes {
		header = binary.AppendUvarint(header, uint64(size))
	}
	file := append(header, b.Bytes()...)
	file = binary.LittleEndian.AppendUint32(file, crc32.Checksum(file, castagnoli))
	if len(file) > tagCacheMaxSize {
		return // it would not be read
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tag-cache-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(file)
	cerr := tmp.Close()
	os.Chmod(tmp.Name(), 0o644) // readable by everyone who reads the repository, like its refs
	if errors.Join(werr, cerr) != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
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
