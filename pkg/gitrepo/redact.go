package gitrepo

import (
	"regexp"
	"strings"
)

// splitUserinfo finds the user name and password of a URL: scheme://userinfo@host/… or the
// scp-like userinfo@host:path. It returns what comes before the userinfo, the userinfo and what
// follows the @; ok is false when there is no userinfo, or when url is not a URL (a path, a
// remote's name).
func splitUserinfo(url string) (prefix, userinfo, rest string, ok bool) {
	if i := strings.Index(url, "://"); i > 0 {
		if !validScheme(url[:i]) {
			return "", "", "", false
		}
		// The userinfo ends at the last @ of the authority: an @ in the path does not count
		// (as in transport_anonymize_url), and one left unencoded in a password does not end it.
		authority := url[i+3:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority = authority[:end]
		}
		at := strings.LastIndex(authority, "@")
		if at < 0 {
			return "", "", "", false
		}
		return url[:i+3], authority[:at], url[i+3+at+1:], true
	}
	// scp-like: user@host:path, where the @ comes before the first / and a : follows it.
	head := url
	if slash := strings.Index(url, "/"); slash >= 0 {
		head = url[:slash]
	}
	at := strings.LastIndex(head, "@")
	if at < 0 || !strings.Contains(url[at+1:], ":") {
		return "", "", "", false
	}
	return "", url[:at], url[at+1:], true
}

func validScheme(s string) bool {
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// RedactURL returns url as git prints it (transport_anonymize_url in git's transport.c): without
// the user name and the password of its userinfo, so that https://user:secret@host/x reads
// https://host/x and user@host:x reads host:x. A path or a remote's name is returned as it is.
// Every URL that reaches the output or an error goes through it.
func RedactURL(url string) string {
	if prefix, _, rest, ok := splitUserinfo(url); ok {
		return prefix + rest
	}
	return url
}

// urlWithoutPassword returns url with the password of its userinfo left out and the user name
// kept: what identifies a remote and a user there, whatever the password.
func urlWithoutPassword(url string) string {
	prefix, userinfo, rest, ok := splitUserinfo(url)
	if !ok {
		return url
	}
	user, _, _ := strings.Cut(userinfo, ":")
	return prefix + user + "@" + rest
}

// MirrorKey is what names the mirror of url in the cache: url without its password, so that no
// password reaches a folder name and a URL whose password changed keeps its mirror.
func MirrorKey(url string) string {
	return urlWithoutPassword(url)
}

// userinfoInText finds the userinfo of URLs in free text, such as libgit2's messages or what a
// server said.
var userinfoInText = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/\s'"]*@`)

// redactText removes the userinfo of every URL in a message, and the given URLs wherever they
// appear whole, in the form RedactURL gives them.
func redactText(msg string, urls ...string) string {
	for _, url := range urls {
		if redacted := RedactURL(url); redacted != url {
			msg = strings.ReplaceAll(msg, url, redacted)
		}
	}
	return userinfoInText.ReplaceAllString(msg, "$1")
}
