package tagcache

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
)

// These tests hold the cache's format: what Write writes, Load gives back, entry for entry;
// whatever else is in the file, Load returns nil and never panics. How the Git layer uses the
// cache (warm reads, when it is rewritten, what a read does with a cache that does not load) is
// tested in pkg/gitrepo (tagcache_test.go).

var (
	hexA = strings.Repeat("a", 40)
	hexB = strings.Repeat("b", 40)
	hexC = strings.Repeat("c", 40)
	hexD = strings.Repeat("0123456789", 4)
)

// testDigest stands for the digest of the refs that encodeCache writes.
var testDigest = func() (d [DigestSize]byte) {
	for i := range d {
		d[i] = byte(0xa0 + i)
	}
	return d
}()

// countAt is where the entry count starts in a cache file: after the magic and the refs'
// digest. Only the tests of corrupt bytes need to know it.
const countAt = len(magic) + DigestSize

// cacheEntry is one entry of the cache file: the object a ref pointed to and the record read
// from it.
type cacheEntry struct {
	target object.ID
	tag    object.TagRecord
}

// cacheEntries reads the cache file at path; ok is false when it does not load.
func cacheEntries(path string) (entries []cacheEntry, ok bool) {
	tags, targets, _ := Load(path)
	if tags == nil {
		return nil, false
	}
	if len(targets) != len(tags) {
		panic(fmt.Sprintf("Load returned %d tags and %d targets", len(tags), len(targets)))
	}
	for i := range tags {
		entries = append(entries, cacheEntry{target: targets[i], tag: tags[i]})
	}
	return entries, true
}

func cacheLoads(path string) bool {
	_, ok := cacheEntries(path)
	return ok
}

// encodeCache returns the bytes Write writes for entries, with testDigest.
func encodeCache(t testing.TB, entries []cacheEntry) []byte {
	t.Helper()
	targets := make([]object.ID, len(entries))
	tags := make([]object.TagRecord, len(entries))
	for i, e := range entries {
		targets[i], tags[i] = e.target, e.tag
	}
	path := filepath.Join(t.TempDir(), "tag-cache")
	Write(path, testDigest, targets, tags)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withChecksum appends a valid checksum to body, as Write does.
func withChecksum(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
}

// writeTemp writes content to a new file of its own and returns its path.
func writeTemp(t testing.TB, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tag-cache")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// otherMagic is the magic of another version of the cache's layout.
func otherMagic() []byte {
	magic := []byte(magic)
	magic[len(magic)-2]++ // "…cache N\n" → "…cache N+1\n"
	return magic
}

// recount changes the entry count that follows the magic and the digest in a cache body.
func recount(t *testing.T, body []byte, delta int) []byte {
	t.Helper()
	rest := body[countAt:]
	n, size := binary.Uvarint(rest)
	if size <= 0 {
		t.Fatal("cannot read the entry count")
	}
	out := append(slices.Clone(body[:countAt]), binary.AppendUvarint(nil, uint64(int(n)+delta))...)
	return append(out, rest[size:]...)
}

// version5 encodes entries in the layout of version 5 of the cache, the one before targets were
// stored as 20 bytes: the same fields, each target as its 40 hexadecimal digits, the peeled
// type by name. Files of that layout are left behind by older git-model.
func version5(entries []cacheEntry) []byte {
	var body []byte
	var shared []string
	number := map[string]int{}
	str := func(s string) {
		body = binary.AppendUvarint(body, uint64(len(s)))
		body = append(body, s...)
	}
	sharedStr := func(s string) {
		k, ok := number[s]
		if !ok {
			k = len(shared)
			number[s] = k
			shared = append(shared, s)
		}
		body = binary.AppendUvarint(body, uint64(k))
	}
	for _, e := range entries {
		t := e.tag
		str(t.Name)
		body = append(body, e.target.String()...)
		flags := byte(0)
		if t.Annotated {
			flags |= 1
		}
		flags |= byte(slices.Index([]string{"commit", "tree", "blob"}, t.PeeledType.String())) << 1 & 6
		if t.Commit != "" {
			flags |= 8
		}
		if !t.When.IsZero() {
			flags |= 16
		}
		body = append(body, flags)
		if t.Commit != "" {
			sharedStr(t.Commit)
		}
		if t.Annotated {
			sharedStr(t.TaggerName)
			sharedStr(t.TaggerEmail)
			str(t.Message)
		}
		if !t.When.IsZero() {
			body = binary.AppendVarint(body, t.When.Unix())
			body = binary.AppendVarint(body, int64(object.ZoneNumber(t.When)))
		}
	}
	file := binary.AppendUvarint([]byte("git-model tag cache 5\n"), uint64(len(entries)))
	file = binary.AppendUvarint(file, uint64(len(shared)))
	for _, s := range shared {
		file = binary.AppendUvarint(file, uint64(len(s)))
		file = append(file, s...)
	}
	if len(entries) == 0 {
		file = binary.AppendUvarint(file, 0)
	} else {
		file = binary.AppendUvarint(file, 1)
		file = binary.AppendUvarint(file, uint64(len(body)))
	}
	return withChecksum(append(file, body...))
}

// sampleEntries are a few tags of different kinds, as a repository's first read caches them:
// annotated and lightweight tags of a commit and an annotated tag of a tree, in name order.
func sampleEntries(t testing.TB) []cacheEntry {
	when := time.Unix(1709294400, 0).In(object.Zone(530))
	annotated := func(name, message string) object.TagRecord {
		return object.TagRecord{Name: name, Annotated: true, Commit: hexD, PeeledType: object.Commit,
			TaggerName: "Cy Committer", TaggerEmail: "cy@example.com", When: when, Message: message}
	}
	tree := annotated("tree", "a tree")
	tree.Commit, tree.PeeledType = "", object.Tree
	return []cacheEntry{
		{gittest.MustID(t, hexA), object.TagRecord{Name: "churn#dev#2", Commit: hexD, PeeledType: object.Commit}},
		{gittest.MustID(t, hexB), annotated("churn#prod#1", "Assigning stage prod")},
		{gittest.MustID(t, hexC), annotated("churn@v1.0.0", "Registering artifact churn version v1.0.0")},
		{gittest.MustID(t, hexA), tree},
	}
}

// What Write writes, Load gives back exactly: every field of every kind of record, and each
// tagger time in the very time zone the tag object's reader gives it (object.Zone), so that a
// warm read is identical to a cold one, time.Location pointers included.
func TestRoundTrip(t *testing.T) {
	zoned := func(unix int64, tz int) time.Time { return time.Unix(unix, 0).In(object.Zone(tz)) }
	var entries []cacheEntry
	add := func(tag object.TagRecord) {
		entries = append(entries, cacheEntry{target: object.ID{byte(len(entries)), 0xfe, 0x01}, tag: tag})
	}
	signed := func(name string, tz int) object.TagRecord {
		return object.TagRecord{Name: name, Annotated: true, Commit: hexB, PeeledType: object.Commit,
			TaggerName: "T", TaggerEmail: "t@example.com", When: zoned(1709294400, tz), Message: "Registering " + name}
	}
	for i, tz := range []int{530, -800, 0, 1245, -930, 1400, -1200, 75, 5, -1} {
		add(signed(fmt.Sprintf("churn@v1.0.%d", i), tz))
	}
	add(object.TagRecord{Name: "light", Commit: hexC, PeeledType: object.Commit})
	add(object.TagRecord{Name: "tree-light", PeeledType: object.Tree})
	add(object.TagRecord{Name: "blob-light", PeeledType: object.Blob})
	add(object.TagRecord{Name: "tree-annotated", Annotated: true, PeeledType: object.Tree, TaggerName: "T", TaggerEmail: "t@example.com",
		When: zoned(1709294400, 100), Message: "a tree"})
	add(object.TagRecord{Name: "blob-annotated", Annotated: true, PeeledType: object.Blob, TaggerName: "T", TaggerEmail: "t@example.com",
		When: zoned(1709294400, 100), Message: "a blob"})
	add(object.TagRecord{Name: "no-tagger", Annotated: true, Commit: hexB, PeeledType: object.Commit, Message: "old tag"})
	add(object.TagRecord{Name: "no-tagger-tree", Annotated: true, PeeledType: object.Tree})
	add(object.TagRecord{Name: "no-email", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "Only A Name"})
	add(object.TagRecord{Name: "no-date", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T", TaggerEmail: "t@example.com"})
	add(object.TagRecord{Name: "unicode", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "Zoë Ærøskøbing",
		TaggerEmail: "zoë@example.com", When: zoned(1709366400, 200), Message: "Zoë tags — ünïcödé"})
	add(object.TagRecord{Name: "latin1", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(1709294400, 100), Message: "caf\xe9 \xff\xfe"})
	add(object.TagRecord{Name: "multi-line", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(1709294400, 100), Message: "subject\n\nbody line\n\x00"})
	add(object.TagRecord{Name: "zero-instant", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(-62135596800, 100), Message: "at time.Time{}'s instant"})
	add(object.TagRecord{Name: "zero-instant-utc", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(-62135596800, 0)})
	add(object.TagRecord{Name: "epoch", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(0, 0)})
	add(object.TagRecord{Name: "far", Annotated: true, Commit: hexB, PeeledType: object.Commit, TaggerName: "T",
		TaggerEmail: "t@example.com", When: zoned(99999999999, -1200)})
	add(object.TagRecord{Name: "", Commit: hexA, PeeledType: object.Commit}) // no ref has it, but the format holds it
	add(object.TagRecord{Name: "x/y/z#dev#10", Annotated: true, Commit: hexA, PeeledType: object.Commit, TaggerName: "",
		TaggerEmail: "", When: zoned(1709294400, 0), Message: ""})
	slices.SortFunc(entries, func(a, b cacheEntry) int { return strings.Compare(a.tag.Name, b.tag.Name) })

	path := writeTemp(t, encodeCache(t, entries))
	got, ok := cacheEntries(path)
	if !ok || len(got) != len(entries) {
		t.Fatalf("the cache loads %v with %d entries, want %d", ok, len(got), len(entries))
	}
	if _, _, digest := Load(path); digest != testDigest {
		t.Errorf("the cache loads with the digest %x, want %x", digest, testDigest)
	}
	for i := range got {
		if got[i] != entries[i] {
			t.Errorf("entry %d:\n  got  %+v\n  want %+v", i, got[i], entries[i])
		}
	}
}

// A cache of no tags loads as an empty list, not as nil (no cache), with its digest.
func TestEmptyCacheLoads(t *testing.T) {
	tags, targets, digest := Load(writeTemp(t, encodeCache(t, nil)))
	if tags == nil || len(tags) != 0 || len(targets) != 0 || digest != testDigest {
		t.Errorf("an empty cache loads as %#v, %#v, %x; want empty, not nil, and %x", tags, targets, digest, testDigest)
	}
	if tags, targets, digest := Load(filepath.Join(t.TempDir(), "none")); tags != nil || targets != nil || digest != [DigestSize]byte{} {
		t.Errorf("a missing cache loads as %#v, %#v, %x; want nil and no digest", tags, targets, digest)
	}
}

// The digest of the refs is kept as Write is given it, zero included; a cache that does not
// load has none.
func TestDigest(t *testing.T) {
	entries := sampleEntries(t)
	targets := []object.ID{entries[0].target}
	tags := []object.TagRecord{entries[0].tag}
	for _, digest := range [][DigestSize]byte{{}, testDigest, {DigestSize - 1: 1}} {
		path := filepath.Join(t.TempDir(), "tag-cache")
		Write(path, digest, targets, tags)
		got, _, gotDigest := Load(path)
		if len(got) != 1 || gotDigest != digest {
			t.Errorf("Write with the digest %x: Load = %d tags, digest %x", digest, len(got), gotDigest)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-1] ^= 1
		if got, _, gotDigest := Load(writeTemp(t, data)); got != nil || gotDigest != [DigestSize]byte{} {
			t.Errorf("a cache with a bad checksum loads %d tags with the digest %x; want nil and no digest", len(got), gotDigest)
		}
	}
}

// Write makes the folder the cache goes in; where it cannot write (a directory where the file
// goes, a file where its folder goes) it writes nothing, and Load of such a path is nil.
func TestWriteWhereItCan(t *testing.T) {
	entries := sampleEntries(t)
	targets := []object.ID{entries[0].target}
	tags := []object.TagRecord{entries[0].tag}

	path := filepath.Join(t.TempDir(), "git-model", "tag-cache")
	Write(path, testDigest, targets, tags)
	if !cacheLoads(path) {
		t.Errorf("Write into a folder that did not exist: the cache does not load")
	}

	dir := filepath.Join(t.TempDir(), "tag-cache")
	if err := os.MkdirAll(filepath.Join(dir, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	Write(dir, testDigest, targets, tags)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Errorf("the directory in the cache's place was replaced (stat: %v)", err)
	}
	if cacheLoads(dir) {
		t.Errorf("a directory loads as a cache")
	}
	if leftover, _ := os.ReadDir(filepath.Dir(dir)); len(leftover) != 1 {
		t.Errorf("Write over a directory left %d files beside it, want none", len(leftover)-1)
	}

	file := filepath.Join(t.TempDir(), "git-model")
	if err := os.WriteFile(file, []byte("not a directory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Write(filepath.Join(file, "tag-cache"), testDigest, targets, tags)
	if cacheLoads(filepath.Join(file, "tag-cache")) {
		t.Errorf("a cache under a file loads")
	}
}

// A cache of several chunks (Chunk entries each, the last one shorter or exactly full) loads
// back entry for entry; one whose chunk table does not match its entries, even with a good
// checksum, does not load.
func TestChunks(t *testing.T) {
	when := time.Unix(1709294400, 0).In(time.FixedZone("+0100", 3600)) // named as git shows it
	for _, n := range []int{Chunk - 1, Chunk, Chunk + 1, 2*Chunk + 7} {
		entries := make([]cacheEntry, n)
		for i := range entries {
			name := fmt.Sprintf("m%d@v0.0.%06d", i%7, i)
			entries[i] = cacheEntry{target: gittest.MustID(t, fmt.Sprintf("%040x", i)), tag: object.TagRecord{Name: name, Annotated: true,
				Commit: fmt.Sprintf("%040x", i+1), PeeledType: object.Commit, TaggerName: "T", TaggerEmail: "t@example.com",
				When: when.Add(time.Duration(i) * time.Second), Message: "Registering " + name}}
		}
		slices.SortFunc(entries, func(a, b cacheEntry) int { return strings.Compare(a.tag.Name, b.tag.Name) })
		content := encodeCache(t, entries)
		got, ok := cacheEntries(writeTemp(t, content))
		if !ok || len(got) != n {
			t.Fatalf("%d entries: the cache loads %v with %d entries", n, ok, len(got))
		}
		for i := range got {
			if got[i].target != entries[i].target || !reflect.DeepEqual(got[i].tag, entries[i].tag) {
				t.Fatalf("%d entries: entry %d is %+v, want %+v", n, i, got[i], entries[i])
			}
		}

		// The chunk table follows the magic, the digest, the entry count, the shared strings and
		// the chunk count.
		body := content[:len(content)-4]
		d := decoder{s: string(body), pos: countAt}
		count := d.uvarint()
		sharedAt := d.pos
		for range d.uvarint() {
			d.string()
		}
		sharedEnd := d.pos
		sizes := make([]uint64, d.uvarint())
		for i := range sizes {
			sizes[i] = d.uvarint()
		}
		entriesAt := d.pos
		if d.bad || len(sizes) != (n+Chunk-1)/Chunk {
			t.Fatalf("%d entries: the header does not read: %d chunks", n, len(sizes))
		}
		retable := func(sizes []uint64) []byte {
			out := binary.AppendUvarint(slices.Clone(body[:countAt]), count)
			out = append(out, body[sharedAt:sharedEnd]...)
			out = binary.AppendUvarint(out, uint64(len(sizes)))
			for _, size := range sizes {
				out = binary.AppendUvarint(out, size)
			}
			return withChecksum(append(out, body[entriesAt:]...))
		}
		if !cacheLoads(writeTemp(t, retable(sizes))) {
			t.Fatalf("%d entries: the cache rebuilt with its own chunk table does not load", n)
		}
		short := slices.Clone(sizes)
		short[0]--
		bad := map[string][]uint64{
			"a chunk a byte short": short,
			"one chunk less":       sizes[:len(sizes)-1],
			"one chunk more":       append(slices.Clone(sizes), 0),
		}
		if len(sizes) > 1 {
			moved := slices.Clone(short)
			moved[1]++
			bad["a chunk boundary moved by one byte"] = moved
		}
		noShared := binary.AppendUvarint(slices.Clone(body[:countAt]), count)
		noShared = binary.AppendUvarint(noShared, 0)
		if cacheLoads(writeTemp(t, withChecksum(append(noShared, body[sharedEnd:]...)))) {
			t.Errorf("%d entries, without the shared strings the entries number: the cache loads", n)
		}
		for what, bad := range bad {
			if cacheLoads(writeTemp(t, retable(bad))) {
				t.Errorf("%d entries, %s: the cache loads", n, what)
			}
		}
	}
}

// A cache that does not check out does not load, whatever is wrong with it, and Load never
// panics on it.
func TestCorruptCacheDoesNotLoad(t *testing.T) {
	valid := encodeCache(t, sampleEntries(t))
	if !cacheLoads(writeTemp(t, valid)) {
		t.Fatal("setup: the valid cache does not load")
	}

	t.Run("truncated to every length", func(t *testing.T) {
		for n := range len(valid) {
			if cacheLoads(writeTemp(t, valid[:n])) {
				t.Errorf("a cache truncated to %d of %d bytes loads", n, len(valid))
			}
		}
	})

	t.Run("one bit flipped", func(t *testing.T) {
		for bit := range 8 * len(valid) {
			flipped := slices.Clone(valid)
			flipped[bit/8] ^= 1 << (bit % 8)
			if cacheLoads(writeTemp(t, flipped)) {
				t.Errorf("a cache with bit %d flipped loads", bit)
			}
		}
	})

	t.Run("garbage", func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		body := valid[:len(valid)-4]
		for range 200 {
			garbage := make([]byte, rng.Intn(2*len(valid)))
			rng.Read(garbage)
			for _, content := range [][]byte{
				garbage,
				append([]byte(magic), garbage...),
				withChecksum(append([]byte(magic), garbage...)),
				withChecksum(append(slices.Clone(body[:countAt+1]), garbage...)),
			} {
				cacheLoads(writeTemp(t, content)) // must not panic
			}
		}
	})

	body := valid[:len(valid)-4]
	for _, tc := range []struct {
		name    string
		content []byte
	}{
		{"empty file", nil},
		{"only the magic", []byte(magic)},
		{"only the magic and the digest", body[:countAt]},
		{"only the magic and the digest, good checksum", withChecksum(body[:countAt])},
		{"another version's magic, good checksum", withChecksum(append(otherMagic(), body[len(magic):]...))},
		{"no magic, good checksum", withChecksum(body[len(magic):])},
		{"trailing bytes, good checksum", withChecksum(append(slices.Clone(body), 0))},
		{"one entry more counted, good checksum", withChecksum(recount(t, body, +1))},
		{"one entry fewer counted, good checksum", withChecksum(recount(t, body, -1))},
		{"checksum missing", body},
		{"checksum doubled", append(slices.Clone(valid), valid[len(valid)-4:]...)},
		{"zeroed", make([]byte, len(valid))},
		{"text", []byte("churn@v1.0.0 0123456789012345678901234567890123456789\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if cacheLoads(writeTemp(t, tc.content)) {
				t.Errorf("the cache loads")
			}
		})
	}
}

// A cache written by an older git-model (version 5: the targets in hexadecimal) does not load,
// with its own magic or with this version's: it is rebuilt, never misread.
func TestOldFormatDoesNotLoad(t *testing.T) {
	for what, entries := range map[string][]cacheEntry{"no entries": nil, "a few tags": sampleEntries(t)} {
		old := version5(entries)
		if cacheLoads(writeTemp(t, old)) {
			t.Errorf("%s: a version 5 cache loads", what)
		}
		if entries == nil {
			continue // with no entries, the two layouts are the same bytes
		}
		relabelled := withChecksum(append([]byte(magic), old[len(magic):len(old)-4]...))
		if cacheLoads(writeTemp(t, relabelled)) {
			t.Errorf("%s: a version 5 cache with this version's magic loads", what)
		}
	}
}

// A cache whose checksum is right but whose values no tag object can give (written by a buggy
// or future writer, or by hand) may be trusted, but must not crash the reader.
func TestChecksummedNonsenseDoesNotPanic(t *testing.T) {
	for _, tc := range gittest.NonsenseTaggerTimes() {
		t.Run(tc.Name, func(t *testing.T) {
			entry := sampleEntries(t)[2]
			entry.tag.When = tc.When
			content := encodeCache(t, []cacheEntry{entry})
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("Load panicked on a checksummed cache holding a tagger time %s: %v", tc.Name, p)
				}
			}()
			cacheLoads(writeTemp(t, content))
		})
	}
}

// FuzzTagCacheLoad feeds Load arbitrary files, as they are and with their checksum made right,
// so that the fuzzer reaches the decoder behind the checksum; it must never panic. The seeds
// run with go test; go test -fuzz=FuzzTagCacheLoad explores further. Seeds in the layout of
// an older version (version5) must simply not load.
func FuzzTagCacheLoad(f *testing.F) {
	when := time.Unix(1709294400, 0).In(object.Zone(530))
	entries := []cacheEntry{
		{target: gittest.MustID(f, hexA), tag: object.TagRecord{Name: "churn@v1.0.0", Annotated: true, Commit: hexB, PeeledType: object.Commit,
			TaggerName: "T", TaggerEmail: "t@example.com", When: when, Message: "Registering"}},
		{target: gittest.MustID(f, hexB), tag: object.TagRecord{Name: "light", Commit: hexB, PeeledType: object.Commit}},
		{target: gittest.MustID(f, hexC), tag: object.TagRecord{Name: "tree", Annotated: true, PeeledType: object.Tree, Message: "no tagger"}},
		{target: gittest.MustID(f, hexD), tag: object.TagRecord{Name: "x/y#blob#1", PeeledType: object.Blob}},
	}
	f.Add(encodeCache(f, nil))
	f.Add(encodeCache(f, entries))
	f.Add([]byte(magic))
	f.Add(version5(nil))
	f.Add(version5(entries))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		for i, content := range [][]byte{data, withChecksum(data)} {
			path := filepath.Join(dir, fmt.Sprint(i))
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			cacheLoads(path)
		}
	})
}
