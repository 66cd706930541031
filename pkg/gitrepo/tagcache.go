package gitrepo

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Tag objects never change, so what was read from one need never be read again: the tag cache
// keeps, by object id, what Tags needs of each object that a tag ref points to. It lives in the
// git directory, is replaced atomically (a temporary file renamed over it), and carries a
// checksum: a cache that does not check out is ignored and rebuilt, never trusted.

// tagCacheFile is the cache, under the common git directory.
const tagCacheFile = "git-model/tag-cache"

// tagCacheMagic starts the file; a new layout gets a new one.
const tagCacheMagic = "git-model tag cache 1\n"

// objectInfo is what a tag ref's target says, as Tag holds it (without the ref's name).
type objectInfo struct {
	annotated   bool
	commit      string
	peeledType  string
	taggerName  string
	taggerEmail string
	when        time.Time
	message     string
}

var peeledTypes = []string{"commit", "tree", "blob"}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// loadTagCache reads the cache; nil when there is none or it does not check out.
func loadTagCache(path string) map[[20]byte]objectInfo {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < len(tagCacheMagic)+4 || string(data[:len(tagCacheMagic)]) != tagCacheMagic {
		return nil
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil
	}
	text := string(body) // one copy: every string of the cache is a slice of it
	d := decoder{s: text, pos: len(tagCacheMagic)}
	n := d.uvarint()
	if d.bad || n > uint64(len(text)) {
		return nil
	}
	cache := make(map[[20]byte]objectInfo, n)
	for i := uint64(0); i < n && !d.bad; i++ {
		var key [20]byte
		copy(key[:], d.bytes(20))
		flags := d.byte()
		commit := d.bytes(20)
		info := objectInfo{annotated: flags&1 != 0}
		if kind := int(flags >> 1 & 3); kind < len(peeledTypes) {
			info.peeledType = peeledTypes[kind]
		}
		if flags&8 != 0 {
			info.commit = hex.EncodeToString([]byte(commit))
		}
		if info.annotated {
			unix, offset := d.varint(), d.varint()
			info.taggerName, info.taggerEmail, info.message = d.string(), d.string(), d.string()
			if flags&16 != 0 {
				info.when = time.Unix(unix, 0).In(zone(int(offset)))
			}
		}
		cache[key] = info
	}
	if d.bad || d.pos != len(text) {
		return nil
	}
	return cache
}

// writeTagCache replaces the cache with entries, atomically. Failing to write it only costs
// speed, so errors are not reported.
func writeTagCache(path string, entries map[[20]byte]objectInfo) {
	var b bytes.Buffer
	b.WriteString(tagCacheMagic)
	b.Write(binary.AppendUvarint(nil, uint64(len(entries))))
	for key, info := range entries {
		b.Write(key[:])
		flags := byte(0)
		if info.annotated {
			flags |= 1
		}
		for i, t := range peeledTypes {
			if t == info.peeledType {
				flags |= byte(i) << 1
			}
		}
		var commit [20]byte
		if id, err := hex.DecodeString(info.commit); err == nil && len(id) == 20 {
			flags |= 8
			copy(commit[:], id)
		}
		if !info.when.IsZero() {
			flags |= 16
		}
		b.WriteByte(flags)
		b.Write(commit[:])
		if info.annotated {
			_, offset := info.when.Zone()
			b.Write(binary.AppendVarint(nil, info.when.Unix()))
			b.Write(binary.AppendVarint(nil, int64(offset)))
			for _, s := range []string{info.taggerName, info.taggerEmail, info.message} {
				b.Write(binary.AppendUvarint(nil, uint64(len(s))))
				b.WriteString(s)
			}
		}
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(b.Bytes(), castagnoli)))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tag-cache-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b.Bytes())
	cerr := tmp.Close()
	if errors.Join(werr, cerr) != nil || os.Rename(tmp.Name(), path) != nil {
		os.Remove(tmp.Name())
	}
}

// zone returns the time zone of a tagger offset, shared between equal offsets.
func zone(offset int) *time.Location {
	zonesMu.Lock()
	defer zonesMu.Unlock()
	if loc, ok := zones[offset]; ok {
		return loc
	}
	loc := time.FixedZone("", offset)
	zones[offset] = loc
	return loc
}

var (
	zonesMu sync.Mutex
	zones   = map[int]*time.Location{}
)

// decoder reads the cache's fields; bad records that the data ran short or was malformed.
type decoder struct {
	s   string
	pos int
	bad bool
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
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint([]byte(d.s[d.pos:min(len(d.s), d.pos+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.pos += n
	return v
}

func (d *decoder) varint() int64 {
	if d.bad {
		return 0
	}
	v, n := binary.Varint([]byte(d.s[d.pos:min(len(d.s), d.pos+binary.MaxVarintLen64)]))
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
