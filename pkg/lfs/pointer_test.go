package lfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

const (
	oidA = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
	oidB = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

func TestParsePointerValid(t *testing.T) {
	tests := []struct {
		name string
		data string
		want Pointer
	}{
		{"spec example", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oidA + "\nsize 12345\n",
			Pointer{OID: oidA, Size: 12345}},
		{"empty object", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oidB + "\nsize 0\n",
			Pointer{OID: oidB, Size: 0}},
		{"largest size", "version https://git-lfs.github.com/spec/v1\noid sha256:" + oidA + "\nsize 9223372036854775807\n",
			Pointer{OID: oidA, Size: 9223372036854775807}},
		{"extensions", "version https://git-lfs.github.com/spec/v1\next-0-foo sha256:" + oidB + "\next-1-bar.baz sha256:" + oidA +
			"\noid sha256:" + oidA + "\nsize 7\n",
			Pointer{OID: oidA, Size: 7, Extensions: []Extension{{"foo", 0, oidB}, {"bar.baz", 1, oidA}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParsePointer([]byte(tt.data))
			if !ok {
				t.Fatalf("ParsePointer(%q) is not a pointer", tt.data)
			}
			if got.OID != tt.want.OID || got.Size != tt.want.Size || !equalExtensions(got.Extensions, tt.want.Extensions) {
				t.Errorf("ParsePointer(%q) = %+v, want %+v", tt.data, got, tt.want)
			}
			if enc := string(got.Encode()); enc != tt.data {
				t.Errorf("Encode() = %q, want the parsed bytes %q", enc, tt.data)
			}
		})
	}
}

func equalExtensions(a, b []Extension) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParsePointerInvalid(t *testing.T) {
	const v = "version https://git-lfs.github.com/spec/v1\n"
	const oid = "oid sha256:" + oidA + "\n"
	const size = "size 12345\n"
	ext := func(key string) string { return key + " sha256:" + oidB + "\n" }
	tests := map[string]string{
		"empty":                    "",
		"plain text":               "hello, world\n",
		"no final newline":         v + oid + "size 12345",
		"CRLF line ends":           strings.ReplaceAll(v+oid+size, "\n", "\r\n"),
		"leading blank line":       "\n" + v + oid + size,
		"blank line inside":        v + "\n" + oid + size,
		"trailing blank line":      v + oid + size + "\n",
		"leading space":            " " + v + oid + size,
		"two spaces":               v + "oid  sha256:" + oidA + "\n" + size,
		"tab separator":            v + "oid\tsha256:" + oidA + "\n" + size,
		"trailing space in value":  v + oid + "size 12345 \n",
		"old version URL":          "version https://hawser.github.com/spec/v1\n" + oid + size,
		"alpha version URL":        "version http://git-media.io/v/2\n" + oid + size,
		"version v2":               "version https://git-lfs.github.com/spec/v2\n" + oid + size,
		"version upper case":       "version HTTPS://git-lfs.github.com/spec/v1\n" + oid + size,
		"version not first":        oid + v + size,
		"no version":               oid + size,
		"no oid":                   v + size,
		"no size":                  v + oid,
		"size before oid":          v + size + oid,
		"oid twice":                v + oid + oid + size,
		"size twice":               v + oid + size + size,
		"unknown key":              v + "foo bar\n" + oid + size,
		"unknown key after size":   v + oid + size + "zzz x\n",
		"trailing text":            v + oid + size + "and more",
		"oid sha1":                 v + "oid sha1:" + oidA[:40] + "\n" + size,
		"oid without method":       v + "oid " + oidA + "\n" + size,
		"oid upper case":           v + "oid sha256:" + strings.ToUpper(oidA) + "\n" + size,
		"oid short":                v + "oid sha256:" + oidA[:63] + "\n" + size,
		"oid long":                 v + "oid sha256:" + oidA + "0\n" + size,
		"oid not hex":              v + "oid sha256:" + strings.Repeat("g", 64) + "\n" + size,
		"oid path traversal":       v + "oid sha256:../../../../../etc/passwd" + strings.Repeat("0", 35) + "\n" + size,
		"size negative":            v + oid + "size -1\n",
		"size with plus":           v + oid + "size +1\n",
		"size leading zero":        v + oid + "size 012\n",
		"size empty":               v + oid + "size \n",
		"size hex":                 v + oid + "size 0x10\n",
		"size decimal point":       v + oid + "size 1.0\n",
		"size overflows int64":     v + oid + "size 9223372036854775808\n",
		"size with underscore":     v + oid + "size 1_000\n",
		"key without value":        v + "oid\n" + size,
		"extension after oid":      v + oid + ext("ext-0-foo") + size,
		"extensions unsorted":      v + ext("ext-1-foo") + ext("ext-0-bar") + oid + size,
		"extension priority twice": v + ext("ext-0-foo") + ext("ext-0-bar") + oid + size,
		"extension priority 10":    v + ext("ext-10-foo") + oid + size,
		"extension without name":   v + ext("ext-0-") + oid + size,
		"extension upper case":     v + ext("ext-0-Foo") + oid + size,
		"extension underscore":     v + ext("ext-0-foo_bar") + oid + size,
		"extension bad oid":        v + "ext-0-foo sha256:xyz\n" + oid + size,
		"extension key only":       v + "ext-0-foo\n" + oid + size,
		"NUL byte":                 v + oid + "size 1\x00\n",
		"git-lfs legacy comment":   "# git-media\n" + oidA + "\n",
		"too long": v + strings.Repeat(ext("ext-0-"+strings.Repeat("a", 100)), 1) +
			strings.Repeat("x", 1024) + oid + size,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if p, ok := ParsePointer([]byte(data)); ok {
				t.Errorf("ParsePointer(%q) = %+v, true; want not a pointer", data, p)
			}
		})
	}
}

// TestParsePointerSizeBound checks the specification's bound: shorter than 1024 bytes.
func TestParsePointerSizeBound(t *testing.T) {
	// Ten extensions with long names make a canonical pointer of any length around the bound.
	build := func(nameLen int) []byte {
		p := Pointer{OID: oidA, Size: 1}
		for i := 0; i < 10; i++ {
			p.Extensions = append(p.Extensions, Extension{Name: strings.Repeat("n", nameLen), Priority: i, OID: oidB})
		}
		return p.Encode()
	}
	var under, at []byte
	for n := 1; n < 100; n++ {
		if b := build(n); len(b) < MaxPointerSize {
			under = b
		} else {
			at = b
			break
		}
	}
	if _, ok := ParsePointer(under); !ok {
		t.Errorf("a canonical pointer of %d bytes is refused", len(under))
	}
	if _, ok := ParsePointer(at); ok {
		t.Errorf("a pointer of %d bytes (not under %d) is accepted", len(at), MaxPointerSize)
	}
}

// TestPointerFromGitLFS reads a pointer that the real git-lfs client committed, and finds its
// object where git-lfs stored it.
func TestPointerFromGitLFS(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if err := exec.Command("git", "lfs", "version").Run(); err != nil {
		t.Skip("git-lfs is not installed (`git lfs version` fails); TestPointerHandWritten covers the layout")
	}
	gittest.ScrubEnv(t)
	dir := gittest.InitRepo(t)
	gittest.Git(t, dir, "lfs", "install", "--local")
	gittest.Git(t, dir, "lfs", "track", "*.bin")
	content := "weights of a model\x00\x01\x02\n"
	gittest.WriteFile(t, filepath.Join(dir, "model.bin"), content)
	gittest.Git(t, dir, "add", ".gitattributes", "model.bin")
	gittest.Git(t, dir, "commit", "-q", "-m", "model")
	checkCommittedPointer(t, dir, content)
}

// TestPointerHandWritten does what TestPointerFromGitLFS does with a pointer and an object laid
// out by hand as git-lfs lays them out, so that it runs where git-lfs is not installed.
func TestPointerHandWritten(t *testing.T) {
	gittest.ScrubEnv(t)
	dir := gittest.InitRepo(t)
	content := "weights of a model\x00\x01\x02\n"
	sum := sha256.Sum256([]byte(content))
	p := Pointer{OID: hex.EncodeToString(sum[:]), Size: int64(len(content))}
	gittest.WriteFile(t, filepath.Join(dir, "model.bin"), string(p.Encode()))
	gittest.Git(t, dir, "add", "model.bin")
	gittest.Git(t, dir, "commit", "-q", "-m", "model")
	object := filepath.Join(dir, ".git", "lfs", "objects", p.OID[0:2], p.OID[2:4], p.OID)
	gittest.WriteFile(t, object, content)
	checkCommittedPointer(t, dir, content)
}

// checkCommittedPointer checks that the blob model.bin at HEAD of dir is a pointer to content,
// and that ObjectPath finds the object in the repository's LFS store.
func checkCommittedPointer(t *testing.T, dir, content string) {
	t.Helper()
	blob := gittest.Git(t, dir, "cat-file", "blob", "HEAD:model.bin") + "\n" // Git() drops the final newline
	p, ok := ParsePointer([]byte(blob))
	if !ok {
		t.Fatalf("the committed blob is not a pointer:\n%s", blob)
	}
	sum := sha256.Sum256([]byte(content))
	if want := hex.EncodeToString(sum[:]); p.OID != want || p.Size != int64(len(content)) {
		t.Fatalf("pointer = %+v, want oid %s size %d", p, want, len(content))
	}
	path := ObjectPath(Storage(gittest.CommonDir(t, dir), ""), p.OID)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the object is not at ObjectPath: %v", err)
	}
	if string(data) != content {
		t.Fatalf("the local object is %q, want the content", data)
	}
}

func FuzzParsePointer(f *testing.F) {
	seeds := []string{
		"",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" + oidA + "\nsize 12345\n",
		"version https://git-lfs.github.com/spec/v1\next-0-foo sha256:" + oidB + "\noid sha256:" + oidA + "\nsize 0\n",
		"version https://git-lfs.github.com/spec/v1\r\noid sha256:" + oidA + "\r\nsize 12345\r\n",
		"version https://git-lfs.github.com/spec/v1\noid sha256:" + oidA + "\nsize -1\n",
		"version https://git-lfs.github.com/spec/v1\next-9-a sha256:" + oidB + "\next-10-b sha256:" + oidB + "\n",
		"version https://git-lfs.github.com/spec/v1\n\n\n",
		"\n",
	}
	for _, seed := range seeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ok := ParsePointer(data)
		if !ok {
			return
		}
		// A pointer has exactly one encoding: whatever is accepted is that encoding.
		if enc := p.Encode(); !bytes.Equal(enc, data) {
			t.Fatalf("ParsePointer(%q) accepted a non-canonical pointer (canonical %q)", data, enc)
		}
		if !ValidOID(p.OID) || p.Size < 0 || ObjectPath("/repo/.git/lfs", p.OID) == "" {
			t.Fatalf("ParsePointer(%q) = %+v: invalid OID or size", data, p)
		}
	})
}
