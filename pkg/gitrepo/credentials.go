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
	filled   []byte // the credential git credential fill gave, to approve or reject
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
		if c.attempts[git.CredentialTypeUserpassPlaintext] > 0 {
			c.reject()
			return nil, errAuthenticationFailed
		}
		c.attempts[git.CredentialTypeUserpassPlaintext]++
		user, password, err := c.fill(rawURL, usernameFromURL)
		if err != nil {
			return nil, err
		}
		return git.NewCredentialUserpassPlaintext(user, password)
	case allowed&git.CredentialTypeUsername != 0:
		return git.NewCredentialUsername(usernameFromURL)
	}
	return nil, errAuthenticationFailed
}

// fill asks Git's credential helpers (and, as Git does, the terminal) for a user and password.
func (c *credentials) fill(rawURL, user string) (string, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", fmt.Errorf("reading URL '%s': %w", rawURL, err)
	}
	var in bytes.Buffer
	fmt.Fprintf(&in, "protocol=%s\nhost=%s\n", u.Scheme, u.Host)
	if p := strings.TrimPrefix(u.Path, "/"); p != "" {
		fmt.Fprintf(&in, "path=%s\n", p)
	}
	if user != "" {
		fmt.Fprintf(&in, "username=%s\n", user)
	}
	out, err := c.git(in.Bytes(), "fill")
	if err != nil {
		return "", "", fmt.Errorf("%w: no credentials for '%s' from git credential (%v)", errAuthenticationFailed, u.Redacted(), err)
	}
	c.filled = out
	values := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			values[k] = v
		}
	}
	return values["username"], values["password"], nil
}

// approve tells the helpers that the credential worked, so that they may store it.
func (c *credentials) approve() {
	if c.filled != nil {
		c.git(c.filled, "approve")
	}
}

// reject tells the helpers that the credential was refused, so that they forget it.
func (c *credentials) reject() {
	if c.filled != nil {
		c.git(c.filled, "reject")
		c.filled = nil
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
