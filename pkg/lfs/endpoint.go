package lfs

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Endpoint returns the URL of the LFS server (the prefix of /objects/batch) as git-lfs derives
// it for downloads:
//
//   - lfsURL, when not empty: the value the caller found in lfs.url, remote.<name>.lfsurl or
//     .lfsconfig, used as it is (an ssh URL is turned into https as below, without .git/info/lfs);
//   - else from remoteURL: https://host/path/repo and http://… give …/repo.git/info/lfs (".git"
//     added when missing, a trailing slash dropped); ssh://[user@]host[:port]/path, git+ssh://,
//     ssh+git://, git://host/path and scp-like [user@]host:path give https://host/path.git/info/lfs,
//     git-lfs's answer when it does not authenticate over ssh (git-lfs-authenticate), which
//     git-model does not do; the ssh user and port do not apply to https and are dropped.
//
// A file:// URL or a path is an error: such a remote has no LFS server, only a store that
// the caller reads with Storage. Rewrites by url.<base>.insteadOf are the caller's: pass the
// rewritten URL.
//
// The URL returned keeps the user name of an http(s) URL (it chooses the credentials that Git's
// helpers give) but never its password, and no error carries a password either.
func Endpoint(remoteURL, lfsURL string) (string, error) {
	if lfsURL != "" {
		return endpointFrom(lfsURL, false)
	}
	if remoteURL == "" {
		return "", errors.New("no remote URL to find the LFS server from")
	}
	return endpointFrom(remoteURL, true)
}

// endpointFrom turns raw into an LFS server URL; fromRemote says raw is a Git remote's URL, to
// which git-lfs appends .git/info/lfs.
func endpointFrom(raw string, fromRemote bool) (string, error) {
	var u *url.URL
	if strings.Contains(raw, "://") {
		parsed, err := url.Parse(raw)
		if err != nil || parsed.Opaque != "" {
			return "", fmt.Errorf("invalid remote URL '%s'", oneLine(withoutPassword(raw)))
		}
		if u, err = endpointFromURL(parsed); err != nil {
			return "", err
		}
	} else if host, path, ok := splitSCPLike(raw); ok {
		if !validHost(host) {
			return "", fmt.Errorf("invalid remote URL '%s': no host", oneLine(raw))
		}
		u = &url.URL{Scheme: "https", Host: bracketIPv6(host), Path: "/" + strings.TrimPrefix(path, "/")}
	} else {
		return "", fmt.Errorf("remote '%s' is a local path: LFS needs an HTTP(S) remote or a local store", oneLine(raw))
	}
	// A trailing slash would leave "repo/.git/info/lfs"; git-lfs drops it.
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.Fragment, u.RawFragment = "", ""
	if fromRemote {
		if !strings.HasSuffix(u.Path, ".git") {
			u.Path += ".git"
		}
		u.Path += "/info/lfs"
	}
	return u.String(), nil
}

// endpointFromURL maps a URL with a scheme to the https (or http) URL of its LFS server.
func endpointFromURL(u *url.URL) (*url.URL, error) {
	shown := oneLine(withoutPassword(u.String()))
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
		if u.Host == "" {
			return nil, fmt.Errorf("invalid remote URL '%s': no host", shown)
		}
		out := *u
		out.Scheme = strings.ToLower(u.Scheme)
		if u.User != nil {
			out.User = url.User(u.User.Username())
		}
		return &out, nil
	case "ssh", "git+ssh", "ssh+git", "git":
		host := u.Hostname()
		if !validHost(host) {
			return nil, fmt.Errorf("invalid remote URL '%s': no host", shown)
		}
		return &url.URL{Scheme: "https", Host: bracketIPv6(host), Path: u.Path}, nil
	case "file":
		return nil, fmt.Errorf("remote '%s' is a local path: LFS needs an HTTP(S) remote or a local store", shown)
	default:
		return nil, fmt.Errorf("remote '%s' has scheme '%s': LFS needs an HTTP(S) remote or a local store", shown, oneLine(u.Scheme))
	}
}

// splitSCPLike splits Git's scp-like syntax [user@]host:path into the host (without user,
// brackets or port) and the path; ok is false when raw is not in that syntax, that is when no
// colon comes before the first slash (git's url_is_local_not_ssh). The host may be bracketed:
// [::1]:path, or [host:port]:path as git-lfs reads it.
func splitSCPLike(raw string) (host, path string, ok bool) {
	authority := raw
	if at := strings.IndexByte(raw, '@'); at >= 0 && !strings.ContainsAny(raw[:at], "/:") {
		authority = raw[at+1:]
	}
	if inner, bracketed := strings.CutPrefix(authority, "["); bracketed {
		end := strings.Index(inner, "]:")
		if end < 0 || strings.Contains(inner[:end], "/") {
			return "", "", false
		}
		host, path = inner[:end], inner[end+2:]
		if strings.Count(host, ":") == 1 { // [host:port], not an IPv6 address
			host, _, _ = strings.Cut(host, ":")
		}
		return host, path, true
	}
	colon := strings.IndexByte(authority, ':')
	slash := strings.IndexByte(authority, '/')
	if colon < 0 || slash >= 0 && slash < colon || colon == 0 && authority == raw {
		return "", "", false
	}
	return authority[:colon], authority[colon+1:], true
}

// validHost reports whether host can stand in a URL's authority as it is: not empty, and none
// of the characters that would end it or start a user, a path, a query or a fragment.
func validHost(host string) bool {
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; c <= ' ' || c == 0x7f || strings.IndexByte("/\\?#@[]", c) >= 0 {
			return false
		}
	}
	return true
}

// bracketIPv6 puts an IPv6 address (the only host with colons left) back in brackets.
func bracketIPv6(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// withoutPassword returns raw with the password of its userinfo left out and the user name
// kept, and raw itself when it has none: the form of a URL in every message.
func withoutPassword(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if at < 0 {
		return raw
	}
	user, _, _ := strings.Cut(rest[:at], ":")
	return scheme + "://" + user + "@" + rest[at+1:]
}

// oneLine returns s with control characters escaped and cut to a length that fits a message,
// so that nothing from a remote's URL or a server can break an error into several lines or
// forge one.
func oneLine(s string) string {
	const max = 300
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			b.WriteString("…")
			break
		}
		switch {
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r == '\u0085' || r == '\u2028' || r == '\u2029':
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
