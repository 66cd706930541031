package lfs

import (
	"strings"
	"testing"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		remote, lfsURL, want string
	}{
		// https and http remotes: .git added when missing, then /info/lfs.
		{"https://github.com/owner/repo.git", "", "https://github.com/owner/repo.git/info/lfs"},
		{"https://github.com/owner/repo", "", "https://github.com/owner/repo.git/info/lfs"},
		{"https://github.com/owner/repo/", "", "https://github.com/owner/repo.git/info/lfs"},
		{"https://git.example.com:8443/group/sub/repo", "", "https://git.example.com:8443/group/sub/repo.git/info/lfs"},
		{"http://git.example.com/repo.git", "", "http://git.example.com/repo.git/info/lfs"},
		{"HTTPS://git.example.com/repo.git", "", "https://git.example.com/repo.git/info/lfs"},
		// A user name is kept, a password never.
		{"https://ada@git.example.com/repo.git", "", "https://ada@git.example.com/repo.git/info/lfs"},
		{"https://ada:s3cret@git.example.com/repo", "", "https://ada@git.example.com/repo.git/info/lfs"},
		// ssh remotes: https on the same host and path, without user and port.
		{"ssh://git@github.com/owner/repo.git", "", "https://github.com/owner/repo.git/info/lfs"},
		{"ssh://git@git.example.com:2222/owner/repo", "", "https://git.example.com/owner/repo.git/info/lfs"},
		{"ssh://git.example.com/~ada/repo.git", "", "https://git.example.com/~ada/repo.git/info/lfs"},
		{"git+ssh://git@git.example.com/repo.git", "", "https://git.example.com/repo.git/info/lfs"},
		{"ssh://[::1]:22/repo.git", "", "https://[::1]/repo.git/info/lfs"},
		{"git://git.example.com/repo", "", "https://git.example.com/repo.git/info/lfs"},
		// scp-like remotes.
		{"git@github.com:owner/repo.git", "", "https://github.com/owner/repo.git/info/lfs"},
		{"github.com:owner/repo", "", "https://github.com/owner/repo.git/info/lfs"},
		{"git@git.example.com:/srv/repo.git", "", "https://git.example.com/srv/repo.git/info/lfs"},
		{"git@[::1]:repo.git", "", "https://[::1]/repo.git/info/lfs"},
		{"[git.example.com:2222]:repo.git", "", "https://git.example.com/repo.git/info/lfs"},
		// lfs.url and remote.<name>.lfsurl are used as they are.
		{"git@github.com:owner/repo.git", "https://lfs.example.com/objects", "https://lfs.example.com/objects"},
		{"/srv/repo.git", "https://lfs.example.com/repo/", "https://lfs.example.com/repo"},
		{"", "https://ada:s3cret@lfs.example.com/x", "https://ada@lfs.example.com/x"},
		{"", "ssh://git@lfs.example.com/repo", "https://lfs.example.com/repo"},
	}
	for _, tt := range tests {
		got, err := Endpoint(tt.remote, tt.lfsURL)
		if err != nil || got != tt.want {
			t.Errorf("Endpoint(%q, %q) = %q, %v; want %q", tt.remote, tt.lfsURL, got, err, tt.want)
		}
	}
}

func TestEndpointErrors(t *testing.T) {
	tests := []struct {
		remote, lfsURL, want string
	}{
		{"file:///srv/repo.git", "", "LFS needs an HTTP(S) remote or a local store"},
		{"/srv/repo.git", "", "LFS needs an HTTP(S) remote or a local store"},
		{"../repo", "", "LFS needs an HTTP(S) remote or a local store"},
		{"./dir:with-colon", "", "LFS needs an HTTP(S) remote or a local store"},
		{"repo", "", "LFS needs an HTTP(S) remote or a local store"},
		{"ftp://ada:s3cret@example.com/repo", "", "scheme 'ftp'"},
		{"", "file:///srv/lfs", "LFS needs an HTTP(S) remote or a local store"},
		{"", "", "no remote URL"},
		{"https:///repo.git", "", "no host"},
		{"ssh://ada:s3cret@/repo.git", "", "no host"},
		{"https://ada:s3cret@exa mple.com/repo\n", "", "invalid remote URL"},
		{"@:repo", "", "no host"},
	}
	for _, tt := range tests {
		got, err := Endpoint(tt.remote, tt.lfsURL)
		if err == nil {
			t.Errorf("Endpoint(%q, %q) = %q, want an error", tt.remote, tt.lfsURL, got)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tt.want) || strings.Contains(msg, "s3cret") || strings.Contains(msg, "\n") {
			t.Errorf("Endpoint(%q, %q) error = %q, want one line with %q and no password", tt.remote, tt.lfsURL, msg, tt.want)
		}
	}
}
