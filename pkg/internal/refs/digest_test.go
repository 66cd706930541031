package refs

import (
	"os"
	"path/filepath"
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
