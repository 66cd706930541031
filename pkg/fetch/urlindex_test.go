package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestURLIndex(t *testing.T) {
	c := newCache(t)
	d := sha256Of("served")
	if _, ok := c.URLDigest("https://host/m.pkl"); ok {
		t.Fatal("empty cache knows a URL")
	}
	secretURL := "https://alice:s3cr3t@Host.example/models/m.pkl#part"
	if err := c.SetURLDigest(secretURL, d); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{secretURL, "https://host.example/models/m.pkl", "HTTPS://bob:other@HOST.EXAMPLE/models/m.pkl"} {
		if got, ok := c.URLDigest(u); !ok || got != d {
			t.Errorf("URLDigest(%q) = %v, %v; want %v", u, got, ok, d)
		}
	}
	for _, u := range []string{"https://host.example/models/other.pkl", "https://host.example/models/m.pkl?version=2", "http://host.example/models/m.pkl"} {
		if _, ok := c.URLDigest(u); ok {
			t.Errorf("URLDigest(%q) found the entry of another URL", u)
		}
	}
	// The file is named after the sha256 of the URL without its credentials, and neither its
	// name nor its content holds the URL or the password.
	sum := sha256.Sum256([]byte("https://host.example/models/m.pkl"))
	name := filepath.Join(c.Dir, "urls", hex.EncodeToString(sum[:]))
	if got := readFile(t, name); got != d.String()+"\n" {
		t.Errorf("index file holds %q", got)
	}
	for _, f := range files(t, c.Dir) {
		content := readFile(t, filepath.Join(c.Dir, f))
		for _, secret := range []string{"s3cr3t", "alice", "host.example"} {
			if strings.Contains(f, secret) || strings.Contains(content, secret) {
				t.Errorf("cache file %s holds %q", f, secret)
			}
		}
	}
	// An s3:// URL has its own entry.
	if err := c.SetURLDigest("s3://bucket/key", sha256Of("s3")); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.URLDigest("s3://bucket/key"); got != sha256Of("s3") {
		t.Errorf("s3 URL digest %v", got)
	}
	if got, _ := c.URLDigest(secretURL); got != d {
		t.Errorf("the https entry changed: %v", got)
	}
}

func TestURLIndexRefuses(t *testing.T) {
	c := newCache(t)
	if err := c.SetURLDigest("https://host/x", Digest{Algo: "sha1", Hex: "00"}); err == nil {
		t.Error("invalid digest recorded")
	}
	for _, u := range []string{"not a url", "/local/path", "https://user:pa ss@host/\x7f"} {
		err := c.SetURLDigest(u, sha256Of("x"))
		if err == nil {
			t.Errorf("SetURLDigest(%q) accepted", u)
		} else if strings.Contains(err.Error(), "pa ss") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	// A damaged index file is no digest.
	sum := sha256.Sum256([]byte("https://host/x"))
	os.MkdirAll(filepath.Join(c.Dir, "urls"), 0o755)
	os.WriteFile(filepath.Join(c.Dir, "urls", hex.EncodeToString(sum[:])), []byte("garbage"), 0o644)
	if _, ok := c.URLDigest("https://host/x"); ok {
		t.Error("garbage read as a digest")
	}
}
