package tagcache

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"

	"github.com/git-model/git-model/pkg/safefile"
)

// An index is a file beside the tag cache that keeps what was derived from the tags while they
// do not change: a list of strings, whose meaning is its writer's, valid while the digest of the
// tag refs it was made from holds. Two are kept:
//
//   - NamesIndex: what tag names alone say (artifacts, their versions and stages), for shell
//     completion, which must answer in a blink at hundreds of thousands of tags and so neither
//     parses packed-refs nor loads the tag cache;
//   - SummaryIndex: what `git model ls` shows of the registry (what each stage of each
//     artifact shows, the latest versions, the warnings of reading the tags), so that listing
//     an unchanged registry derives nothing again.
//
// The file, in order:
//
//	magic      "git-model names index 1\n"
//	refs       32 bytes  the digest of the refs it was made from (refs.Snapshot.Digest)
//	items      uvarint   the number of items, then each as a string (uvarint length, bytes)
//	checksum   4 bytes   CRC-32C of everything before it, little-endian
//
// What the items mean is the caller's; the index is valid only while the refs' digest holds.
const (
	NamesIndex   = "git-model/names-index"
	SummaryIndex = "git-model/ls-summary"
)

const indexMagic = "git-model names index 1\n"

// LoadIndex returns the items of the index at path when it was made from refs of the given
// digest; false when there is none, it was made from other refs, or it does not check out.
func LoadIndex(path string, refsDigest [DigestSize]byte) ([]string, bool) {
	data, err := safefile.Read(path, safefile.MaxSize)
	head := len(indexMagic) + DigestSize
	if err != nil || len(data) < head+4 || string(data[:len(indexMagic)]) != indexMagic ||
		!bytes.Equal(data[len(indexMagic):head], refsDigest[:]) {
		return nil, false
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, false
	}
	d := decoder{s: string(body), pos: head}
	n := d.uvarint()
	if d.bad || n > uint64(len(body)) {
		return nil, false
	}
	items := make([]string, n)
	for i := range items {
		items[i] = d.string()
	}
	if d.bad || d.pos != len(d.s) {
		return nil, false
	}
	return items, true
}

// WriteIndex replaces the index at path with items made from refs of the given digest,
// atomically; failing to write it only costs speed.
func WriteIndex(path string, refsDigest [DigestSize]byte, items []string) {
	b := append([]byte(indexMagic), refsDigest[:]...)
	b = binary.AppendUvarint(b, uint64(len(items)))
	for _, s := range items {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	if len(b) <= safefile.MaxSize && os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		safefile.ReplaceCache(path, b)
	}
}
