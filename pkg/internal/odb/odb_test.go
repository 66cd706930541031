package odb

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
)

// The fixtures of these tests are made with the git CLI (pkg/internal/gittest), never through
// the Git layer: the store is checked against what git itself reads.

// gitObject is an object as git cat-file prints it.
type gitObject struct {
	kind string
	data []byte
}

// gitObjects returns every object of the repository at dir, packed and loose, as git reads it.
func gitObjects(t *testing.T, dir string) map[object.ID]gitObject {
	t.Helper()
	out := gittest.GitInput(t, dir, "", "cat-file", "--batch-all-objects", "--batch") + "\n"
	objects := map[object.ID]gitObject{}
	for len(out) > 0 {
		header, rest, _ := strings.Cut(out, "\n")
		f := strings.Fields(header)
		if len(f) != 3 {
			t.Fatalf("git cat-file --batch header %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || len(rest) < size+1 || rest[size] != '\n' {
			t.Fatalf("git cat-file --batch: object %s of %s bytes does not fit its output", f[0], f[2])
		}
		objects[gittest.MustID(t, f[0])] = gitObject{kind: f[1], data: []byte(rest[:size])}
		out = rest[size+1:]
	}
	if len(objects) == 0 {
		t.Fatal("git cat-file --batch-all-objects listed no object")
	}
	return objects
}

// newReader opens the store of an object directory and a reader of it, freed at cleanup.
func newReader(t *testing.T, objects string) *Reader {
	t.Helper()
	store := Open(objects)
	r, err := store.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Free()
		store.Close()
	})
	return r
}

// assertReadsLikeGit checks that the reader returns, for every object git lists, the type and
// the exact bytes git returns, and that it says each exists.
func assertReadsLikeGit(t *testing.T, r *Reader, want map[object.ID]gitObject) {
	t.Helper()
	for id, obj := range want {
		kind, data, err := r.Read(id)
		if err != nil {
			t.Errorf("Read(%s) (a %s of %d bytes): %v", id, obj.kind, len(obj.data), err)
			continue
		}
		if kind.String() != obj.kind || !bytes.Equal(data, obj.data) {
			t.Errorf("Read(%s) = %s of %d bytes, git cat-file says %s of %d bytes (contents equal: %t)",
				id, kind, len(data), obj.kind, len(obj.data), bytes.Equal(data, obj.data))
		}
		if !r.Exists(id) {
			t.Errorf("Exists(%s) = false for an object git lists", id)
		}
	}
}

// assertStoreReadsLikeGit opens the store of the repository at dir and checks that it reads
// the objects of want as git does (assertReadsLikeGit) and finds no made-up one (assertMissing).
func assertStoreReadsLikeGit(t *testing.T, dir string, want map[object.ID]gitObject) {
	t.Helper()
	r := newReader(t, gittest.ObjectsDir(t, dir))
	assertReadsLikeGit(t, r, want)
	assertMissing(t, r)
}

// madeUpHex names no object of any repository of these tests.
const madeUpHex = "0123456789abcdef0123456789abcdef01234567"

var madeUpID, _ = object.ParseID(madeUpHex)

// assertMissing checks that the reader finds no made-up object.
func assertMissing(t *testing.T, r *Reader) {
	t.Helper()
	if r.Exists(madeUpID) {
		t.Errorf("Exists(%s) = true for a made-up id", madeUpID)
	}
	if kind, data, err := r.Read(madeUpID); !errors.Is(err, ErrNotStored) {
		t.Errorf("Read(%s) of a made-up id = %q, %d bytes, %v; want ErrNotStored", madeUpID, kind, len(data), err)
	}
}

// addHistory commits versions of a 200-line text file and of a 200 KB binary file, each a
// small edit of the one before, so that a repack stores most of them as deltas (the binary's
// with copies of 64 KB); an empty blob; an empty tree, tagged prefix-empty-tree; and, every
// fourth commit, an annotated tag prefix@v0.0.N with a long message shared by all, so that tag
// objects become deltas too.
func addHistory(t *testing.T, dir, prefix string, versions int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(prefix)), uint64(versions)))
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = fmt.Sprintf("%s line %d: %s", prefix, i, strings.Repeat("abcdefgh", i%9))
	}
	big := make([]byte, 200<<10)
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	shared := strings.Repeat("This version records the artifact's files, metrics and lineage. ", 20)
	gittest.WriteFile(t, filepath.Join(dir, prefix+"-empty"), "")
	gittest.Git(t, dir, "tag", prefix+"-empty-tree", gittest.GitInput(t, dir, "", "hash-object", "-w", "-t", "tree", "--stdin"))
	for v := range versions {
		lines[rng.IntN(len(lines))] = fmt.Sprintf("%s changed in version %d", prefix, v)
		gittest.WriteFile(t, filepath.Join(dir, prefix+".txt"), strings.Join(lines, "\n")+"\n")
		if v%5 == 0 {
			for range 3 {
				big[rng.IntN(len(big))] ^= 0x5a
			}
			gittest.WriteFile(t, filepath.Join(dir, prefix+".bin"), string(big))
		}
		gittest.Git(t, dir, "add", "-A")
		gittest.Git(t, dir, "commit", "-q", "-m", fmt.Sprintf("%s version %d", prefix, v))
		if v%4 == 0 {
			gittest.Git(t, dir, "tag", "-a", fmt.Sprintf("%s@v0.0.%d", prefix, v), "-m",
				fmt.Sprintf("Registering %s version v0.0.%d\n\n%s", prefix, v, shared))
		}
	}
}

// packStats is what a pack's entries are: how many of each type their headers give (6 is
// OFS_DELTA, 7 REF_DELTA), how many deltas of each kind of object, and the longest delta chain.
type packStats struct {
	types  map[int]int
	deltas map[string]int
	depth  int
}

func statPack(t *testing.T, idx string) packStats {
	t.Helper()
	pack, err := os.ReadFile(strings.TrimSuffix(idx, ".idx") + ".pack")
	if err != nil {
		t.Fatal(err)
	}
	entries := gittest.PackEntries(t, idx)
	bases := map[object.ID]object.ID{}
	stats := packStats{types: map[int]int{}, deltas: map[string]int{}}
	for _, e := range entries {
		stats.types[int(pack[e.Offset]>>4&7)]++
		bases[e.ID] = e.Base
		if !e.Base.IsZero() {
			stats.deltas[e.Kind]++
		}
	}
	for _, e := range entries {
		n := 0
		for id := e.ID; !bases[id].IsZero(); id = bases[id] {
			n++
		}
		stats.depth = max(stats.depth, n)
	}
	return stats
}

// TestObjectStoreReadsPackedObjectsLikeGit reads every object of packs made with OFS_DELTA
// entries, with 64-bit offsets in the index, and with REF_DELTA entries, and checks each against
// git cat-file.
func TestObjectStoreReadsPackedObjectsLikeGit(t *testing.T) {
	dir := gittest.NewRepo(t)
	gittest.AddVariedTags(t, dir)
	addHistory(t, dir, "m", 40)
	want := gitObjects(t, dir)

	t.Run("OFS_DELTA", func(t *testing.T) {
		gittest.Git(t, dir, "repack", "-adfq", "--window=50", "--depth=50")
		stats := statPack(t, gittest.OnePack(t, dir))
		if stats.types[ofsDelta] == 0 || stats.depth < 2 || stats.deltas["tag"] == 0 || stats.deltas["blob"] == 0 {
			t.Fatalf("setup: the pack has %d OFS_DELTA entries, deltas of %v, chains up to %d long; want deltas of deltas, of tags and blobs",
				stats.types[ofsDelta], stats.deltas, stats.depth)
		}
		assertStoreReadsLikeGit(t, dir, want)

		// What Read returns stays valid once the store is closed and its files unmapped.
		store := Open(gittest.ObjectsDir(t, dir))
		kept, err := store.Reader()
		if err != nil {
			t.Fatal(err)
		}
		read := map[object.ID][]byte{}
		for id := range want {
			if _, data, err := kept.Read(id); err == nil {
				read[id] = data
			}
		}
		kept.Free()
		store.Close()
		for id, data := range read {
			if !bytes.Equal(data, want[id].data) {
				t.Errorf("Read(%s), once the store is closed, holds other bytes", id)
			}
		}
	})

	t.Run("64-bit offsets", func(t *testing.T) {
		idx := gittest.OnePack(t, dir)
		content := gittest.Reindex(t, dir, idx, "2,256")
		if n := len(gittest.PackEntries(t, idx)); len(content) <= 8+256*4+n*28+40 {
			t.Fatalf("setup: the index of %d objects has no 64-bit offsets (%d bytes)", n, len(content))
		}
		assertStoreReadsLikeGit(t, dir, want)
	})

	t.Run("REF_DELTA", func(t *testing.T) {
		gittest.Git(t, dir, "-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq", "--window=50", "--depth=50")
		stats := statPack(t, gittest.OnePack(t, dir))
		if stats.types[refDelta] == 0 || stats.types[ofsDelta] != 0 || stats.depth < 2 || stats.deltas["tag"] == 0 {
			t.Fatalf("setup: the pack has %d REF_DELTA and %d OFS_DELTA entries, deltas of %v, chains up to %d long; want REF_DELTA only, deltas of deltas and of tags",
				stats.types[refDelta], stats.types[ofsDelta], stats.deltas, stats.depth)
		}
		assertStoreReadsLikeGit(t, dir, want)
	})

	t.Run("concurrent readers", func(t *testing.T) {
		store := Open(gittest.ObjectsDir(t, dir))
		var wg sync.WaitGroup
		for range 4 {
			r, err := store.Reader()
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer r.Free()
				for id, obj := range want {
					if kind, data, err := r.Read(id); err != nil || kind.String() != obj.kind || !bytes.Equal(data, obj.data) {
						t.Errorf("Read(%s) from one of 4 readers: %s of %d bytes, %v; want %s of %d bytes", id, kind, len(data), err, obj.kind, len(obj.data))
					}
				}
			}()
		}
		wg.Wait()
		store.Close()
	})
}

// TestObjectStoreReadsLooseObjectsLikeGit reads every object of a repository never packed.
func TestObjectStoreReadsLooseObjectsLikeGit(t *testing.T) {
	dir := gittest.NewRepo(t)
	gittest.AddVariedTags(t, dir)
	addHistory(t, dir, "m", 8)
	if idxs := gittest.PackIndexes(t, dir); len(idxs) != 0 {
		t.Fatalf("setup: the repository has packs %v", idxs)
	}
	assertStoreReadsLikeGit(t, dir, gitObjects(t, dir))
}

// TestObjectStoreReadsPacksAndLooseTogether reads a repository with two packs and loose objects.
func TestObjectStoreReadsPacksAndLooseTogether(t *testing.T) {
	dir := gittest.NewRepo(t)
	addHistory(t, dir, "first", 12)
	gittest.Git(t, dir, "repack", "-adq")
	addHistory(t, dir, "second", 9)
	gittest.Git(t, dir, "repack", "-dq") // the loose objects into a second pack
	gittest.AddVariedTags(t, dir)
	addHistory(t, dir, "third", 5)
	if idxs := gittest.PackIndexes(t, dir); len(idxs) != 2 {
		t.Fatalf("setup: %d packs, want 2", len(idxs))
	}
	if count := gittest.Git(t, dir, "count-objects"); strings.HasPrefix(count, "0 objects") {
		t.Fatalf("setup: no loose object: %s", count)
	}
	assertStoreReadsLikeGit(t, dir, gitObjects(t, dir))
}

// TestObjectStoreIDs checks that the store reads and finds the objects it holds by their ids,
// packed and loose, that ids next to theirs are neither read nor found (Read returns
// ErrNotStored, and Exists answers as Read does), and that no text but 40 lowercase hex digits
// becomes an id: the store takes object.ID, so a malformed id is refused by object.ParseID
// before it can reach the store (uppercase included: git writes ids in lowercase).
func TestObjectStoreIDs(t *testing.T) {
	dir := gittest.NewRepo(t)
	gittest.Git(t, dir, "tag", "-a", "packed", "-m", "packed")
	gittest.Git(t, dir, "repack", "-adq")
	gittest.Git(t, dir, "tag", "-a", "loose", "-m", "loose")
	targets := gittest.RefTargets(t, dir)
	r := newReader(t, gittest.ObjectsDir(t, dir))
	loose := targets["loose"]

	for _, text := range []string{"", "ab", loose[:39], loose + "0", loose + "00", "g" + loose[1:],
		strings.Repeat("z", 40), strings.ToUpper(loose), strings.ToUpper(targets["packed"])} {
		t.Run(fmt.Sprintf("%q", text), func(t *testing.T) {
			if id, ok := object.ParseID(text); ok {
				t.Errorf("object.ParseID(%q) = %s, true; want it refused", text, id)
			}
		})
	}

	for _, name := range []string{"packed", "loose"} {
		id := gittest.MustID(t, targets[name])
		t.Run("the "+name+" tag", func(t *testing.T) {
			if kind, _, err := r.Read(id); err != nil || kind != object.Tag {
				t.Errorf("Read(%s) = %q, %v; want the tag", id, kind, err)
			}
			if !r.Exists(id) {
				t.Errorf("Exists(%s) = false", id)
			}
		})
		first, last := id, id
		first[0] ^= 1
		last[len(last)-1] ^= 0x80
		for what, near := range map[string]object.ID{"first byte": first, "last byte": last} {
			t.Run(fmt.Sprintf("the %s tag's id with its %s changed", name, what), func(t *testing.T) {
				assertNotStored(t, r, near)
			})
		}
	}
	var ones object.ID
	for i := range ones {
		ones[i] = 0xff
	}
	for _, id := range []object.ID{{}, ones} {
		t.Run(id.String(), func(t *testing.T) { assertNotStored(t, r, id) })
	}
}

// assertNotStored checks that the reader neither reads nor finds the object id.
func assertNotStored(t *testing.T, r *Reader, id object.ID) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("Read or Exists(%s): panic: %v", id, p)
		}
	}()
	if kind, data, err := r.Read(id); !errors.Is(err, ErrNotStored) {
		t.Errorf("Read(%s) = %s of %d bytes, %v; want ErrNotStored", id, kind, len(data), err)
	}
	if r.Exists(id) {
		t.Errorf("Exists(%s) = true", id)
	}
}

// TestObjectStoreSkipsIndexVersion1 opens object directories with packs whose index is
// version 1, which the store does not read (the Git layer leaves their objects to libgit2; see
// TestTagsObjectStoreSkipsIndexVersion1 in pkg/gitrepo): the pack is skipped, and every one of
// its objects is ErrNotStored, never an error of another kind or other bytes; the objects of a
// version-2 pack beside it are read as git reads them.
func TestObjectStoreSkipsIndexVersion1(t *testing.T) {
	t.Run("repack with pack.indexVersion=1", func(t *testing.T) {
		dir := gittest.NewRepo(t)
		gittest.AddVariedTags(t, dir)
		addHistory(t, dir, "m", 6)
		want := gitObjects(t, dir)
		gittest.Git(t, dir, "-c", "pack.indexVersion=1", "repack", "-adfq")
		gittest.AssertIndexVersion1(t, gittest.OnePack(t, dir))
		store := Open(gittest.ObjectsDir(t, dir))
		if n := len(store.packs); n != 0 {
			t.Errorf("Open took %d packs with a version-1 index", n)
		}
		store.Close()
		r := newReader(t, gittest.ObjectsDir(t, dir))
		for id := range want {
			assertNotStored(t, r, id)
		}
		assertMissing(t, r)
	})

	t.Run("index-pack --index-version=1 beside a version-2 pack", func(t *testing.T) {
		dir := gittest.NewRepo(t)
		gittest.AddVariedTags(t, dir)
		gittest.Git(t, dir, "repack", "-adq")
		addHistory(t, dir, "second", 6)
		first, second := gittest.PackBeside(t, dir)
		want := gitObjects(t, dir)
		gittest.Reindex(t, dir, second, "1")
		gittest.AssertIndexVersion1(t, second)
		gittest.Git(t, dir, "fsck", "--no-dangling") // git reads the version-1 index

		store := Open(gittest.ObjectsDir(t, dir))
		if n := len(store.packs); n != 1 {
			t.Errorf("Open took %d packs, want only the one with a version-2 index", n)
		}
		store.Close()
		inSecond := map[object.ID]bool{}
		for _, e := range gittest.PackEntries(t, second) {
			inSecond[e.ID] = true
		}
		inFirst := map[object.ID]gitObject{}
		for _, e := range gittest.PackEntries(t, first) {
			if !inSecond[e.ID] {
				inFirst[e.ID] = want[e.ID]
			}
		}
		if len(inFirst) == 0 || len(inSecond) == 0 {
			t.Fatalf("setup: %d objects only in the version-2 pack, %d in the version-1 pack", len(inFirst), len(inSecond))
		}
		r := newReader(t, gittest.ObjectsDir(t, dir))
		assertReadsLikeGit(t, r, inFirst)
		for id := range inSecond {
			assertNotStored(t, r, id)
		}
		assertMissing(t, r)
	})
}

// flipEveryByte writes copies of the pack with one byte of the entry inverted, one copy per byte,
// and checks that reading the object from each copy fails or returns exactly the right bytes.
func flipEveryByte(t *testing.T, idx string, e gittest.PackEntry, want gitObject) {
	t.Helper()
	pack, err := os.ReadFile(strings.TrimSuffix(idx, ".idx") + ".pack")
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for i := e.Offset; i < e.Offset+e.Packed; i++ {
		objects := filepath.Join(t.TempDir(), "objects")
		damaged := bytes.Clone(pack)
		damaged[i] ^= 0xff
		gittest.WriteFile(t, filepath.Join(objects, "pack", filepath.Base(idx)), string(index))
		gittest.WriteFile(t, filepath.Join(objects, "pack", strings.TrimSuffix(filepath.Base(idx), ".idx")+".pack"), string(damaged))
		store := Open(objects)
		r, err := store.Reader()
		if err != nil {
			t.Fatal(err)
		}
		kind, data, err := r.Read(e.ID)
		r.Free()
		store.Close()
		if err != nil {
			failed++
		} else if kind.String() != want.kind || !bytes.Equal(data, want.data) {
			t.Errorf("%s with byte %d of its entry inverted: Read returned a %s of %d bytes, not the %s of %d bytes it is, and no error",
				e.ID, i-e.Offset, kind, len(data), want.kind, len(want.data))
		}
	}
	if failed == 0 {
		t.Errorf("%s: no damage to its %d-byte entry made Read fail", e.ID, e.Packed)
	}
}

// TestObjectStoreDamagedPackEntry damages a whole tag object and a delta (of a tag if there is
// one) in a pack, byte by byte: reading them must fail, never return other bytes.
func TestObjectStoreDamagedPackEntry(t *testing.T) {
	dir := gittest.NewRepo(t)
	gittest.AddVariedTags(t, dir)
	addHistory(t, dir, "m", 6)
	gittest.Git(t, dir, "repack", "-adfq")
	want := gitObjects(t, dir)
	idx := gittest.PackIndexes(t, dir)[0]
	var tag, delta *gittest.PackEntry
	entries := gittest.PackEntries(t, idx)
	for i, e := range entries {
		switch {
		case e.Kind == "tag" && e.Base.IsZero() && tag == nil:
			tag = &entries[i]
		case !e.Base.IsZero() && (delta == nil || e.Kind == "tag" && delta.Kind != "tag"):
			delta = &entries[i]
		}
	}
	if tag == nil || delta == nil {
		t.Fatalf("setup: the pack has no whole tag object or no delta")
	}
	flipEveryByte(t, idx, *tag, want[tag.ID])
	flipEveryByte(t, idx, *delta, want[delta.ID])
}

// TestObjectStoreDamagedLooseObject replaces a loose tag object's file with truncated,
// garbage and mislabelled content: reading it must fail.
func TestObjectStoreDamagedLooseObject(t *testing.T) {
	dir := gittest.NewRepo(t)
	id, path, valid := gittest.LooseTag(t, dir)
	content := gitObjects(t, dir)[id].data
	deflate := func(s string) string { return string(gittest.Deflate(t, []byte(s), zlib.DefaultCompression)) }
	garbage := make([]byte, len(valid))
	for i := range garbage {
		garbage[i] = byte(i*7 + 3)
	}
	cases := map[string]string{
		"empty":                        "",
		"first byte":                   string(valid[:1]),
		"first half":                   string(valid[:len(valid)/2]),
		"without its last byte":        string(valid[:len(valid)-1]),
		"garbage":                      string(garbage),
		"raw, not compressed":          "tag " + strconv.Itoa(len(content)) + "\x00" + string(content),
		"larger size declared":         deflate("tag " + strconv.Itoa(len(content)+1) + "\x00" + string(content)),
		"smaller size declared":        deflate("tag " + strconv.Itoa(len(content)-1) + "\x00" + string(content)),
		"other type":                   deflate("blob " + strconv.Itoa(len(content)) + "\x00" + string(content)),
		"unknown type":                 deflate("note " + strconv.Itoa(len(content)) + "\x00" + string(content)),
		"no header":                    deflate(string(content)),
		"other content":                deflate("tag 5\x00hello"),
		"one byte of content changed":  deflate("tag " + strconv.Itoa(len(content)) + "\x00" + strings.Replace(string(content), "churn", "chunk", 1)),
		"trailing bytes after content": deflate("tag " + strconv.Itoa(len(content)) + "\x00" + string(content) + "extra"),
	}
	for name, damaged := range cases {
		t.Run(name, func(t *testing.T) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			gittest.WriteFile(t, path, damaged)
			r := newReader(t, gittest.ObjectsDir(t, dir))
			if kind, data, err := r.Read(id); err == nil {
				t.Errorf("Read(%s) = %s of %d bytes, want an error", id, kind, len(data))
			}
		})
	}

	// The intact file, written back, reads again: the cases above damaged nothing else.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	gittest.WriteFile(t, path, string(valid))
	if kind, data, err := newReader(t, gittest.ObjectsDir(t, dir)).Read(id); err != nil || kind != object.Tag || !bytes.Equal(data, content) {
		t.Errorf("Read(%s) of the intact file = %s of %d bytes, %v", id, kind, len(data), err)
	}
}

// deltaSize encodes a size of a delta's header: 7 bits a byte, least significant first.
func deltaSize(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// makeDelta joins a header (source and target sizes) and instructions.
func makeDelta(src, dst uint64, ops ...[]byte) []byte {
	d := append(deltaSize(src), deltaSize(dst)...)
	for _, op := range ops {
		d = append(d, op...)
	}
	return d
}

// deltaCopy is the instruction that copies n bytes at off of the base, with only the nonzero
// bytes present; n 0x10000 is written with no size byte.
func deltaCopy(off, n uint32) []byte {
	op := []byte{0x80}
	for i := range 4 {
		if b := byte(off >> (8 * i)); b != 0 {
			op[0] |= 1 << i
			op = append(op, b)
		}
	}
	if n != 0x10000 {
		for i := range 3 {
			if b := byte(n >> (8 * i)); b != 0 {
				op[0] |= 0x10 << i
				op = append(op, b)
			}
		}
	}
	return op
}

// deltaInsert is the instruction that inserts s, at most 127 bytes.
func deltaInsert(s string) []byte {
	return append([]byte{byte(len(s))}, s...)
}

// patchOK applies a delta, recovering a panic as a test failure.
func patchOK(t *testing.T, base, d []byte) (out []byte, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("patchDelta(%d-byte base, % x) panicked: %v", len(base), d, p)
			err = errors.New("panic")
		}
	}()
	return patchDelta(base, d)
}

// TestPatchDeltaApplies checks copies and inserts, every way of encoding a copy included.
func TestPatchDeltaApplies(t *testing.T) {
	base := []byte("The quick brown fox jumps over the lazy dog")
	big := make([]byte, 0x10000+300)
	for i := range big {
		big[i] = byte(i * 31 >> 3)
	}
	for _, tc := range []struct {
		name        string
		base, delta []byte
		want        []byte
	}{
		{"copy", base, makeDelta(43, 9, deltaCopy(4, 5), deltaCopy(3, 1), deltaCopy(40, 3)), []byte("quick dog")},
		{"insert", base, makeDelta(43, 5, deltaInsert("hello")), []byte("hello")},
		{"copy and insert", base, makeDelta(43, 14, deltaCopy(0, 4), deltaInsert("slow "), deltaCopy(16, 3), deltaInsert("es")),
			[]byte("The slow foxes")},
		{"whole base", base, makeDelta(43, 43, deltaCopy(0, 43)), base},
		{"empty target", base, makeDelta(43, 0), []byte{}},
		{"empty base", nil, makeDelta(0, 3, deltaInsert("new")), []byte("new")},
		{"insert of 127 bytes", base, makeDelta(43, 127, deltaInsert(strings.Repeat("x", 127))), bytes.Repeat([]byte("x"), 127)},
		// All seven offset and size bytes present, zeros included.
		{"copy with every byte present", base, makeDelta(43, 5, []byte{0xff, 4, 0, 0, 0, 5, 0, 0}), []byte("quick")},
		{"copy with a zero size byte", big, makeDelta(uint64(len(big)), 0x10000, []byte{0x90, 0}), big[:0x10000]},
		{"copy with no size byte", big, makeDelta(uint64(len(big)), 0x10000+10, deltaCopy(300, 0x10000), deltaCopy(5, 10)),
			append(bytes.Clone(big[300:300+0x10000]), big[5:15]...)},
		{"copy of three size bytes", big, makeDelta(uint64(len(big)), 0x10001, deltaCopy(1, 0x10001)), big[1 : 1+0x10001]},
		{"copy at offset 0x10000", big, makeDelta(uint64(len(big)), 300, deltaCopy(0x10000, 300)), big[0x10000:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := patchOK(t, tc.base, tc.delta)
			if err != nil || !bytes.Equal(out, tc.want) {
				t.Errorf("patchDelta = %q (%d bytes), %v; want %q (%d bytes)", clip(out), len(out), err, clip(tc.want), len(tc.want))
			}
		})
	}
}

func clip(b []byte) []byte {
	return b[:min(len(b), 60)]
}

// TestPatchDeltaRejectsBadDeltas checks that malformed deltas are errors, never panics.
func TestPatchDeltaRejectsBadDeltas(t *testing.T) {
	base := []byte("The quick brown fox jumps over the lazy dog")
	for _, tc := range []struct {
		name  string
		delta []byte
	}{
		{"empty", nil},
		{"no target size", deltaSize(43)},
		{"source size unterminated", []byte{0xab}},
		{"target size unterminated", []byte{43, 0x85}},
		{"source size too small", makeDelta(42, 3, deltaCopy(0, 3))},
		{"source size too large", makeDelta(44, 3, deltaCopy(0, 3))},
		{"source size overlong", append(bytes.Repeat([]byte{0xff}, 11), 0x01, 3, 0x83, 'a', 'b', 'c')},
		{"target size too large", makeDelta(43, maxObjectSize+1, deltaCopy(0, 3))},
		{"target size of 2^64-1", append(deltaSize(43), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)},
		{"copy past the end", makeDelta(43, 4, deltaCopy(40, 4))},
		{"copy at an offset past the end", makeDelta(43, 1, deltaCopy(43, 1))},
		{"copy at offset 2^32-1", makeDelta(43, 3, deltaCopy(0xffffffff, 3))},
		{"copy of 0x10000 from a small base", makeDelta(43, 0x10000, deltaCopy(0, 0x10000))},
		{"copy past the target size", makeDelta(43, 4, deltaCopy(0, 5))},
		{"insert past the target size", makeDelta(43, 4, deltaInsert("hello"))},
		{"copy then insert past the target size", makeDelta(43, 6, deltaCopy(0, 3), deltaInsert("abcd"))},
		{"copy missing its offset byte", makeDelta(43, 3, []byte{0x81})},
		{"copy missing its size bytes", makeDelta(43, 3, []byte{0xb1, 4, 3})},
		{"insert cut short", makeDelta(43, 5, []byte{5, 'h', 'e'})},
		{"opcode 0", makeDelta(43, 3, deltaInsert("abc"), []byte{0})},
		{"opcode 0 first", makeDelta(43, 0, []byte{0})},
		{"result shorter than the target size", makeDelta(43, 10, deltaCopy(0, 9))},
		{"no instruction for a nonempty target", makeDelta(43, 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out, err := patchOK(t, base, tc.delta); err == nil {
				t.Errorf("patchDelta(base, % x) = %q, want an error", tc.delta, clip(out))
			}
		})
	}
}

// deltaReference applies a delta as git's patch-delta.c does, reading the header as patchDelta
// documents it: two sizes of at most ten bytes each, the target at most maxObjectSize.
func deltaReference(base, d []byte) ([]byte, bool) {
	size := func() (uint64, bool) {
		var v uint64
		for i := 0; i < 10 && len(d) > 0; i++ {
			c := d[0]
			d = d[1:]
			v |= uint64(c&0x7f) << (7 * i)
			if c < 0x80 {
				return v, true
			}
		}
		return 0, false
	}
	src, ok1 := size()
	dst, ok2 := size()
	if !ok1 || !ok2 || src != uint64(len(base)) || dst > maxObjectSize {
		return nil, false
	}
	out := []byte{}
	next := func() (byte, bool) {
		if len(d) == 0 {
			return 0, false
		}
		c := d[0]
		d = d[1:]
		return c, true
	}
	for len(d) > 0 {
		cmd, _ := next()
		switch {
		case cmd&0x80 != 0:
			var off, n uint64
			for i, shift := range []int{0, 8, 16, 24, 0, 8, 16} {
				if cmd&(1<<i) == 0 {
					continue
				}
				b, ok := next()
				if !ok {
					return nil, false
				}
				if i < 4 {
					off |= uint64(b) << shift
				} else {
					n |= uint64(b) << shift
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || n > dst-uint64(len(out)) {
				return nil, false
			}
			out = append(out, base[off:off+n]...)
		case cmd != 0:
			if uint64(cmd) > dst-uint64(len(out)) || int(cmd) > len(d) {
				return nil, false
			}
			out = append(out, d[:cmd]...)
			d = d[cmd:]
		default:
			return nil, false
		}
	}
	return out, uint64(len(out)) == dst
}

// FuzzPatchDelta checks that patchDelta never panics, and that it fails exactly when git's
// algorithm does and otherwise returns what it returns, whose length is the target size.
func FuzzPatchDelta(f *testing.F) {
	base := []byte("The quick brown fox jumps over the lazy dog")
	f.Add(base, makeDelta(43, 9, deltaCopy(4, 5), deltaCopy(3, 1), deltaCopy(40, 3)))
	f.Add(base, makeDelta(43, 14, deltaCopy(0, 4), deltaInsert("slow "), deltaCopy(16, 3), deltaInsert("es")))
	f.Add(base, makeDelta(43, 5, []byte{0xff, 4, 0, 0, 0, 5, 0, 0}))
	f.Add(base, makeDelta(43, 3, []byte{0x80}))
	f.Add(base, makeDelta(43, 4, deltaCopy(40, 4)))
	f.Add(base, makeDelta(43, 5, []byte{5, 'h', 'e'}))
	f.Add(base, makeDelta(43, 3, deltaInsert("abc"), []byte{0}))
	f.Add([]byte{}, []byte{0, 0})
	f.Fuzz(func(t *testing.T, base, d []byte) {
		out, err := patchDelta(base, d)
		want, ok := deltaReference(base, d)
		if (err == nil) != ok || (ok && !bytes.Equal(out, want)) {
			t.Fatalf("patchDelta(% x, % x) = % x, %v; git's algorithm gives % x (ok %t)", clip(base), clip(d), clip(out), err, clip(want), ok)
		}
		if err != nil {
			return
		}
		var dst uint64
		rest := d
		for _, skip := range []bool{true, false} { // the source size, then the target size
			var v uint64
			for i := 0; len(rest) > 0; i++ {
				c := rest[0]
				rest = rest[1:]
				v |= uint64(c&0x7f) << (7 * i)
				if c < 0x80 {
					break
				}
			}
			if !skip {
				dst = v
			}
		}
		if uint64(len(out)) != dst {
			t.Fatalf("patchDelta returned %d bytes, the delta's target size is %d", len(out), dst)
		}
	})
}

// TestInflater checks that zlib streams inflate to what was compressed, that one inflater
// serves stream after stream, errors included, and that damaged or truncated streams fail.
func TestInflater(t *testing.T) {
	z, err := newInflater()
	if err != nil {
		t.Fatal(err)
	}
	defer z.free()

	rng := rand.New(rand.NewPCG(7, 11))
	random := make([]byte, 100<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("object 0123456789abcdef\ntype commit\ntag m@v1.0.0\n", 2100))[:100<<10]
	contents := map[string][]byte{
		"empty":               {},
		"one byte":            {'x'},
		"tag object":          []byte("object " + madeUpHex + "\ntype commit\ntag m@v1.0.0\ntagger T <t@example.com> 1709294400 +0000\n\nRegistering\n"),
		"100 KB of text":      text,
		"100 KB of random":    random,
		"258 bytes of random": random[:inflateSlack],
	}
	inflate := func(t *testing.T, stream []byte, capacity int) ([]byte, error) {
		t.Helper()
		dst := make([]byte, 0, capacity)
		n, err := z.inflate(stream, dst)
		if err == nil && (n < 0 || n > capacity) {
			t.Fatalf("inflate wrote %d bytes into %d", n, capacity)
		}
		return dst[:n], err
	}

	for name, content := range contents {
		t.Run(name, func(t *testing.T) {
			for _, level := range []int{zlib.NoCompression, zlib.BestSpeed, zlib.DefaultCompression, zlib.BestCompression} {
				stream := gittest.Deflate(t, content, level)
				out, err := inflate(t, stream, len(content)+inflateSlack)
				if err != nil || !bytes.Equal(out, content) {
					t.Errorf("level %d: inflate = %d bytes, %v; want the %d bytes compressed", level, len(out), err, len(content))
				}
				// A pack holds other entries after the stream: they are not read.
				out, err = inflate(t, append(bytes.Clone(stream), "PACK trailing bytes"...), len(content)+inflateSlack)
				if err != nil || !bytes.Equal(out, content) {
					t.Errorf("level %d, bytes after the stream: inflate = %d bytes, %v; want the %d bytes compressed", level, len(out), err, len(content))
				}
				// Less room than the content: what fits, and no more.
				if len(content) > 1 {
					out, err = inflate(t, stream, len(content)/2)
					if err != nil || !bytes.Equal(out, content[:len(content)/2]) {
						t.Errorf("level %d, room for half: inflate = %d bytes, %v; want the first %d bytes", level, len(out), err, len(content)/2)
					}
				}
				// Cut anywhere, with room to spare, the stream is an error. Long streams
				// are cut at a sample of places.
				step := max(1, len(stream)/300)
				for cut := 0; cut < len(stream); cut += step {
					if out, err := inflate(t, stream[:cut], len(content)+inflateSlack); err == nil {
						t.Errorf("level %d, cut to %d of %d bytes: inflate = %d bytes, no error", level, cut, len(stream), len(out))
					}
				}
				for cut := max(0, len(stream)-6); cut < len(stream); cut++ {
					if out, err := inflate(t, stream[:cut], len(content)+inflateSlack); err == nil {
						t.Errorf("level %d, cut to %d of %d bytes: inflate = %d bytes, no error", level, cut, len(stream), len(out))
					}
				}
			}
		})
	}

	t.Run("damaged", func(t *testing.T) {
		stream := gittest.Deflate(t, contents["tag object"], zlib.DefaultCompression)
		for _, bad := range [][]byte{
			[]byte("not zlib at all"),
			append([]byte{0x78, 0x9c}, bytes.Repeat([]byte{0xff}, 40)...),
			append(bytes.Clone(stream[:len(stream)-4]), 0, 0, 0, 0), // wrong checksum
		} {
			if out, err := inflate(t, bad, 500); err == nil {
				t.Errorf("inflate(% x) = %q, want an error", clip(bad), out)
			}
		}
		if _, err := inflate(t, nil, 500); err == nil {
			t.Error("inflate of no input: no error")
		}
		// The inflater is reset after an error.
		if out, err := inflate(t, stream, 500); err != nil || !bytes.Equal(out, contents["tag object"]) {
			t.Errorf("inflate after errors = %q, %v", out, err)
		}
	})
}

// Two packs whose objects are each other's delta bases fail quickly, as one pack does.
func TestObjectStoreDeltaCycleAcrossPacks(t *testing.T) {
	a, b := sha1.Sum([]byte("a")), sha1.Sum([]byte("b"))
	dir := t.TempDir()
	for _, name := range []string{"1", "2"} {
		writeRefDeltaPack(t, dir, strings.Repeat(name, 40), map[[20]byte][20]byte{a: b, b: a})
	}
	r := newReader(t, dir)
	done := make(chan error, 1)
	go func() {
		_, _, err := r.Read(a)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("reading a delta of a delta of itself succeeded")
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("reading objects that are each other's delta bases in two packs had not returned after 10 s")
	}
}

// writeRefDeltaPack writes a pack and its index in the object directory dir, each object of
// objects (id → base) a REF_DELTA of its base.
func writeRefDeltaPack(t *testing.T, dir, name string, objects map[[20]byte][20]byte) {
	t.Helper()
	var pack bytes.Buffer
	pack.WriteString("PACK")
	binary.Write(&pack, binary.BigEndian, uint32(2))
	binary.Write(&pack, binary.BigEndian, uint32(len(objects)))
	var compressed bytes.Buffer
	z := zlib.NewWriter(&compressed)
	z.Write(makeDelta(10, 10, deltaInsert("0123456789")))
	z.Close()
	type entry struct {
		id     [20]byte
		offset uint32
	}
	var entries []entry
	for id, base := range objects {
		entries = append(entries, entry{id, uint32(pack.Len())})
		pack.WriteByte(refDelta<<4 | 10)
		pack.Write(base[:])
		pack.Write(compressed.Bytes())
	}
	sum := sha1.Sum(pack.Bytes())
	pack.Write(sum[:])
	slices.SortFunc(entries, func(x, y entry) int { return bytes.Compare(x.id[:], y.id[:]) })
	var idx bytes.Buffer
	idx.WriteString("\xfftOc\x00\x00\x00\x02")
	for first := range 256 {
		n := 0
		for _, e := range entries {
			if int(e.id[0]) <= first {
				n++
			}
		}
		binary.Write(&idx, binary.BigEndian, uint32(n))
	}
	for _, e := range entries {
		idx.Write(e.id[:])
	}
	idx.Write(make([]byte, 4*len(entries))) // the CRCs, which nothing reads
	for _, e := range entries {
		binary.Write(&idx, binary.BigEndian, e.offset)
	}
	idx.Write(sum[:])
	idxSum := sha1.Sum(idx.Bytes())
	idx.Write(idxSum[:])
	gittest.WriteFile(t, filepath.Join(dir, "pack", "pack-"+name+".pack"), pack.String())
	gittest.WriteFile(t, filepath.Join(dir, "pack", "pack-"+name+".idx"), idx.String())
}
