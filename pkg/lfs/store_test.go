package lfs

import (
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

func TestObjectPath(t *testing.T) {
	want := filepath.FromSlash("/repo/.git/lfs/objects/4d/7a/" + oidA)
	if got := ObjectPath(Storage("/repo/.git", ""), oidA); got != want {
		t.Errorf("ObjectPath = %q, want %q", got, want)
	}
	if got := ObjectPath(Storage("/repo/.git", "/mnt/cache"), oidA); got != filepath.FromSlash("/mnt/cache/objects/4d/7a/"+oidA) {
		t.Errorf("ObjectPath with lfs.storage = %q", got)
	}
	for _, oid := range []string{"", "4d7a", strings.ToUpper(oidA), "../../" + oidA[6:], oidA + "/"} {
		if got := ObjectPath("/repo/.git/lfs", oid); got != "" {
			t.Errorf("ObjectPath(%q) = %q, want \"\" for an invalid oid", oid, got)
		}
	}
}
