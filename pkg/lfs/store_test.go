package lfs

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestStorage(t *testing.T) {
	tests := []struct{ common, storage, want string }{
		{"/repo/.git", "", "/repo/.git/lfs"},
		{"/repo/.git", "/mnt/lfs-cache", "/mnt/lfs-cache"},
		{"/repo/.git", "/mnt/lfs-cache/", "/mnt/lfs-cache"},
		{"/repo/.git", "big", "/repo/.git/big"},
		{"/repo/.git", "../lfs-store", "/repo/lfs-store"},
		{"/srv/bare.git", "", "/srv/bare.git/lfs"},
	}
	for _, tt := range tests {
		if got := Storage(tt.common, tt.storage); got != filepath.FromSlash(tt.want) {
			t.Errorf("Storage(%q, %q) = %q, want %q", tt.common, tt.storage, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	want := filepath.FromSlash("/repo/.git/lfs/objects/4d/7a/" + oidA)
	if got := LocalPath("/repo/.git", oidA); got != want {
		t.Errorf("LocalPath = %q, want %q", got, want)
	}
	if got := ObjectPath(Storage("/repo/.git", "/mnt/cache"), oidA); got != filepath.FromSlash("/mnt/cache/objects/4d/7a/"+oidA) {
		t.Errorf("ObjectPath with lfs.storage = %q", got)
	}
	for _, oid := range []string{"", "4d7a", strings.ToUpper(oidA), "../../" + oidA[6:], oidA + "/"} {
		if got := LocalPath("/repo/.git", oid); got != "" {
			t.Errorf("LocalPath(%q) = %q, want \"\" for an invalid oid", oid, got)
		}
	}
}

func TestCopy(t *testing.T) {
	content := "hello\n"
	p := Pointer{OID: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", Size: 6}
	var out bytes.Buffer
	if err := Copy(&out, strings.NewReader(content), p); err != nil || out.String() != content {
		t.Fatalf("Copy = %q, %v", out.String(), err)
	}
	tests := map[string]struct{ data, want string }{
		"short":        {"hello", "has 5 bytes, its pointer says 6"},
		"long":         {"hello\nworld", "larger than its pointer's size 6"},
		"other object": {"HELLO\n", "has SHA-256"},
	}
	for name, tt := range tests {
		err := Copy(&bytes.Buffer{}, strings.NewReader(tt.data), p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Copy error = %v, want %q", name, err, tt.want)
		}
	}
}
