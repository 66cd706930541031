package refs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// TestDigest checks that a snapshot's digest holds while the refs are unchanged and changes
// with every change a ref can see: a packed-refs file replaced as git replaces it (even by the
// same content), one rewritten in place with the same size, a loose ref added, moved or removed.
func TestDigest(t *testing.T) {
	const a, b = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"
	packed := "# pack-refs with: peeled fully-peeled sorted \n" + a + " refs/tags/m@v1.0.0\n"
	dir := fakeGitDir(t, packed, map[string]string{"m#prod#1": b + "\n"})
	digest := func() [32]byte {
		t.Helper()
		s, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.Digest()
	}
	first := digest()
	if again := digest(); again != first {
		t.Fatal("the digest of unchanged refs changed")
	}
	steps := []struct {
		what   string
		change func()
	}{
		{"packed-refs replaced by the same content (git's lock and rename)", func() {
			lock := filepath.Join(dir, "packed-refs.lock")
			gittest.WriteFile(t, lock, packed)
			if err := os.Rename(lock, filepath.Join(dir, "packed-refs")); err != nil {
				t.Fatal(err)
			}
		}},
		{"packed-refs rewritten in place, same size", func() {
			gittest.WriteFile(t, filepath.Join(dir, "packed-refs"), "# pack-refs with: peeled fully-peeled sorted \n"+b+" refs/tags/m@v1.0.0\n")
		}},
		{"a loose ref added", func() {
			gittest.WriteFile(t, filepath.Join(dir, "refs", "tags", "m#dev#2"), a+"\n")
		}},
		{"a loose ref moved", func() {
			gittest.WriteFile(t, filepath.Join(dir, "refs", "tags", "m#dev#2"), b+"\n")
		}},
		{"a loose ref removed", func() {
			if err := os.Remove(filepath.Join(dir, "refs", "tags", "m#prod#1")); err != nil {
				t.Fatal(err)
			}
		}},
		{"packed-refs removed", func() {
			if err := os.Remove(filepath.Join(dir, "packed-refs")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	// Every step leaves refs unlike any before, so no digest may repeat.
	seen := map[[32]byte]string{first: "the start"}
	for _, step := range steps {
		step.change()
		d := digest()
		if earlier, ok := seen[d]; ok {
			t.Errorf("after %s the digest is that of %s", step.what, earlier)
		}
		seen[d] = step.what
	}
}

// A linked folder under refs/tags, or refs/tags itself linked, is followed as git follows it:
// the whole listing leaves it to libgit2, an artifact's lookup reads through it.
func TestReadTagsLinkedFolders(t *testing.T) {
	const a = "1111111111111111111111111111111111111111"
	for _, linked := range []string{"refs/tags/d", "refs/tags"} {
		dir := fakeGitDir(t, "-", map[string]string{"m@v1.0.0": a + "\n"})
		target := t.TempDir()
		gittest.WriteFile(t, filepath.Join(target, "x@v1.0.0"), a+"\n")
		at := filepath.Join(dir, filepath.FromSlash(linked))
		if linked == "refs/tags" {
			if err := os.RemoveAll(at); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(target, at); err != nil {
			t.Fatal(err)
		}
		if refs, err := ReadTags(dir, ""); err != ErrFallback {
			t.Errorf("%s linked, ReadTags(\"\") = %v, %v; want ErrFallback", linked, refs, err)
		}
		want := "x@v1.0.0 " + a
		if linked == "refs/tags/d" {
			want = "d/x@v1.0.0 " + a
		}
		prefix, _, _ := strings.Cut(want, "@")
		if refs, err := ReadTags(dir, prefix); err != nil || len(refs) != 1 || refLines(refs)[0] != want {
			t.Errorf("%s linked, ReadTags(%q) = %v, %v; want %s", linked, prefix, refLines(refs), err, want)
		}
	}
}
