package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	git "github.com/libgit2/git2go/v34"
)

// credentials answers libgit2's requests for credentials the way Git users expect: for SSH the
// agent, then the keys in ~/.ssh; for HTTP(S) Git's own credential helpers, through
// `git credential fill`, `approve` and `reject` (libgit2 has no helpers of its own).
type credentials struct {
	dir      string // where `git credential` runs, so that the repository's config applies
	attempts map[git.CredentialType]int
	sshKeys  []string
	filled   *credential // the one credential git credential fill gave, to approve or reject
}

// credential is what was asked of `git credential fill` and what it answered, as git's own
// struct credential holds it: approve and reject send these fields, never the helper's output.
type credential struct {
	url                  string // the URL libgit2 asked for, the only one it is good for
	protocol, host, path string
	username, password   string
	refused              bool // rejected already
}

func newCredentials(dir string) *credentials {
	c := &credentials{dir: dir, attempts: map[git.CredentialType]int{}}
	if home, err := os.UserHomeDir(); err == nil {
		for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
			if _, err := os.Stat(filepath.Join(home, ".ssh", name)); err == nil {
				c.sshKeys = append(c.sshKeys, filepath.Join(home, ".ssh", name))
			}
		}
	}
	return c
}

// errAuthenticationFailed stops libgit2 from asking again for credentials that were refused.
var errAuthenticationFailed = fmt.Errorf("authentication failed")

// callback is libgit2's credentials callback; it is called again after each refusal.
func (c *credentials) callback(rawURL, usernameFromURL string, allowed git.CredentialType) (*git.Credential, error) {
	switch {
	case allowed&git.CredentialTypeSSHKey != 0:
		user := usernameFromURL
		if user == "" {
			user = "git"
		}
		n := c.attempts[git.CredentialTypeSSHKey]
		c.attempts[git.CredentialTypeSSHKey]++
		if n == 0 && os.Getenv("SSH_AUTH_SOCK") != "" {
			return git.NewCredentialSSHKeyFromAgent(user)
		}
		if os.Getenv("SSH_AUTH_SOCK") != "" {
			n--
		}
		if n < len(c.sshKeys) {
			key := c.sshKeys[n]
			return git.NewCredentialSSHKey(user, key+".pub", key, "")
		}
		return nil, errAuthenticationFailed
	case allowed&git.CredentialTypeUserpassPlaintext != 0:
		if c.filled != nil {
			// Asked again: the credential was refused, if by the URL it was filled for. Asked
			// for another URL, it is neither sent there nor rejected for what another host did.
			if c.filled.url == rawURL {
				c.reject()
			}
			return nil, errAuthenticationFailed
		}
		cred, err := c.fill(rawURL, usernameFromURL)
		if err != nil {
			return nil, err
		}
		c.filled = cred
		return git.NewCredentialUserpassPlaintext(cred.username, cred.password)
	case allowed&git.CredentialTypeUsername != 0:
		return git.NewCredentialUsername(usernameFromURL)
	}
	return nil, errAuthenticationFailed
}

// InvalidURLError is a URL with a line break or a NUL in a part that would reach
// `git credential`, where it could add lines of its own to what the helpers read (git refuses
// these since 2.26.1, CVE-2020-5260). It is refused before any helper runs and before any
// request is made.
type InvalidURLError struct {
	URL  string
	Part string // "host", "path", "username"…
	Char string // "a newline"…
}

func (e *InvalidURLError) Error() string {
	return fmt.Sprintf("credential url cannot be parsed: '%s' (%s in its %s)", RedactURL(e.URL), e.Char, e.Part)
}

// badChar names the first line break or NUL in s, decoded or not.
func badChar(s string) string {
	if decoded, err := url.PathUnescape(s); err == nil && decoded != s {
		if what := badChar(decoded); what != "" {
			return what
		}
	}
	switch {
	case strings.Contains(s, "\n"):
		return "a newline"
	case strings.Contains(s, "\r"):
		return "a carriage return"
	case strings.Contains(s, "\x00"):
		return "a NUL"
	}
	if lower := strings.ToLower(s); strings.Contains(lower, "%0a") {
		return "a newline"
	} else if strings.Contains(lower, "%0d") {
		return "a carriage return"
	} else if strings.Contains(lower, "%00") {
		return "a NUL"
	}
	return ""
}

// credentialFields splits an http(s) URL into what `git credential` is told (protocol, host,
// path, username), each decoded as git decodes it, and refuses a URL with a line break or a NUL
// in any of them, encoded or not.
func credentialFields(rawURL string) (protocol, host, path, user string, err error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || !validScheme(scheme) {
		return "", "", "", "", fmt.Errorf("credential url cannot be parsed: '%s'", RedactURL(rawURL))
	}
	authority, p := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, p = rest[:i], rest[i:]
	}
	userinfo := ""
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo, authority = authority[:at], authority[at+1:]
	}
	name, _, _ := strings.Cut(userinfo, ":")
	for _, part := range []struct{ name, value string }{
		{"protocol", scheme}, {"host", authority}, {"path", p}, {"username", name},
	} {
		if what := badChar(part.value); what != "" {
			return "", "", "", "", &InvalidURLError{URL: rawURL, Part: part.name, Char: what}
		}
	}
	decode := func(s string) string {
		if d, err := url.PathUnescape(s); err == nil {
			return d
		}
		return s
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(scheme), decode(authority), decode(strings.TrimPrefix(p, "/")), decode(name), nil
}

// CheckURL refuses a URL that Git's credential helpers could be asked about with a line break
// or a NUL in it (see InvalidURLError); other URLs, paths and remote names pass.
func CheckURL(rawURL string) error {
	scheme, _, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil
	}
	switch strings.ToLower(scheme) {
	case "http", "https":
		_, _, _, _, err := credentialFields(rawURL)
		return err
	}
	return nil
}

// fill asks Git's credential helpers (and, as Git does, the terminal) for a user and password.
func (c *credentials) fill(rawURL, user string) (*credential, error) {
	protocol, host, path, urlUser, err := credentialFields(rawURL)
	if err != nil {
		return nil, err
	}
	if user == "" {
		user = urlUser
	}
	if what := badChar(user); what != "" {
		return nil, &InvalidURLError{URL: rawURL, Part: "username", Char: what}
	}
	cred := &credential{url: rawURL, protocol: protocol, host: host, path: path, username: user}
	out, err := c.git(cred.input(false), "fill")
	if err != nil {
		return nil, fmt.Errorf("%w: no credentials for '%s' from git credential (%s)", errAuthenticationFailed,
			RedactURL(rawURL), redactText(err.Error(), rawURL))
	}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\r"), "=")
		switch k {
		case "username":
			cred.username = v
		case "password":
			cred.password = v
		}
	}
	if badChar(cred.username) != "" || strings.ContainsAny(cred.password, "\r\n\x00") {
		return nil, fmt.Errorf("%w: git credential gave a user or password for '%s' with a line break or a NUL",
			errAuthenticationFailed, RedactURL(rawURL))
	}
	return cred, nil
}

// input is what `git credential` reads about cred: the fields asked for, and with the password
// the user and password that fill returned.
func (cred *credential) input(withPassword bool) []byte {
	var in bytes.Buffer
	fmt.Fprintf(&in, "protocol=%s\nhost=%s\n", cred.protocol, cred.host)
	if cred.path != "" {
		fmt.Fprintf(&in, "path=%s\n", cred.path)
	}
	if cred.username != "" {
		fmt.Fprintf(&in, "username=%s\n", cred.username)
	}
	if withPassword {
		fmt.Fprintf(&in, "password=%s\n", cred.password)
	}
	return in.Bytes()
}

// approve tells the helpers that the credential worked, so that they may store it.
func (c *credentials) approve() {
	if c.filled != nil && !c.filled.refused {
		c.git(c.filled.input(true), "approve")
	}
}

// reject tells the helpers that the credential was refused, so that they forget it.
func (c *credentials) reject() {
	if c.filled != nil && !c.filled.refused {
		c.git(c.filled.input(true), "reject")
		c.filled.refused = true
	}
}

func (c *credentials) git(input []byte, action string) ([]byte, error) {
	cmd := exec.Command("git", "credential", action)
	cmd.Dir = c.dir
	cmd.Stdin = bytes.NewReader(append(input, '\n'))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			msg = strings.TrimPrefix(strings.ReplaceAll(msg, "\n", " "), "fatal: ")
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return out, nil
}

// HTTPCredentials asks Git's credential helpers for the user and password of an HTTP(S) URL
// that libgit2 does not fetch (a Git LFS server), and tells them whether it worked, as git-lfs
// does: `git credential fill`, `approve`, `reject`.
type HTTPCredentials struct {
	c *credentials
}

// HTTPCredentials returns the credential helpers of the repository's config.
func (r *Repository) HTTPCredentials() *HTTPCredentials {
	return &HTTPCredentials{c: newCredentials(r.GitDir())}
}

// Fill returns a user and password for the URL; ok is false when the helpers have none.
func (h *HTTPCredentials) Fill(rawURL string) (user, password string, ok bool, err error) {
	cred, err := h.c.fill(rawURL, "")
	if errors.Is(err, errAuthenticationFailed) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, err
	}
	return cred.username, cred.password, cred.username != "" || cred.password != "", nil
}

// Approve tells the helpers that the credential worked.
func (h *HTTPCredentials) Approve(rawURL, user, password string) {
	h.send(rawURL, user, password, "approve")
}

// Reject tells the helpers that the server refused the credential, so that they forget it.
func (h *HTTPCredentials) Reject(rawURL, user, password string) {
	h.send(rawURL, user, password, "reject")
}

func (h *HTTPCredentials) send(rawURL, user, password, action string) {
	protocol, host, path, _, err := credentialFields(rawURL)
	if err != nil {
		return
	}
	cred := &credential{url: rawURL, protocol: protocol, host: host, path: path, username: user, password: password}
	h.c.git(cred.input(true), action)
}
