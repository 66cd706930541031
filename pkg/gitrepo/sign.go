package gitrepo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Signing a tag is done as `git tag -s` does it (gpg-interface.c), with Git's own programs:
// libgit2 signs nothing. The signature of the tag object's bytes is appended to them, and the
// whole is written as the tag object, which `git verify-tag` checks and every reader of tags
// (GTO, git-model) reads as a tag whose message ends before the signature.

// SignError is a signature that could not be made: the program, and the last line it said.
type SignError struct {
	Tag     string
	Program string
	Reason  string
}

func (e *SignError) Error() string {
	return fmt.Sprintf("signing tag '%s' failed (%s): %s", e.Tag, e.Program, e.Reason)
}

// SignsByDefault reports whether tags are signed when no option says: model.sign, else
// tag.gpgSign, as git config sets them.
func (r *Repository) SignsByDefault() bool {
	if v, ok := r.ConfigBool("model.sign"); ok {
		return v
	}
	v, _ := r.ConfigBool("tag.gpgSign")
	return v
}

// sign returns the signature of payload, the bytes of the tag object name, made with the
// format (gpg.format: openpgp, x509 or ssh), key (user.signingKey, else the tagger for
// OpenPGP and X.509, gpg.ssh.defaultKeyCommand for SSH) and program (gpg.<format>.program) of
// Git's config.
func (r *Repository) sign(name string, payload []byte, tagger Identity) ([]byte, error) {
	format := "openpgp"
	if v, ok, _ := r.ConfigValue("gpg.format"); ok && v != "" {
		format = strings.ToLower(v)
	}
	key, _, _ := r.ConfigValue("user.signingKey")
	program := func(def string) string {
		if p, ok, _ := r.ConfigValue("gpg." + format + ".program"); ok && p != "" {
			return p
		}
		if format == "openpgp" {
			if p, ok, _ := r.ConfigValue("gpg.program"); ok && p != "" {
				return p
			}
		}
		return def
	}
	switch format {
	case "openpgp", "x509":
		def := "gpg"
		if format == "x509" {
			def = "gpgsm"
		}
		if key == "" {
			key = tagger.Name + " <" + tagger.Email + ">"
		}
		return gpgSign(name, program(def), key, payload)
	case "ssh":
		return r.sshSign(name, program("ssh-keygen"), key, payload)
	}
	return nil, &SignError{Tag: name, Program: "gpg.format", Reason: fmt.Sprintf("unsupported value '%s' (openpgp, x509 or ssh)", format)}
}

// gpgSign signs with gpg or gpgsm: a detached, armored signature on standard output, and a
// SIG_CREATED line on the status file descriptor when it was made.
func gpgSign(name, program, key string, payload []byte) ([]byte, error) {
	cmd := exec.Command(program, "--status-fd=2", "-bsau", key)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil || !bytes.Contains(append([]byte("\n"), stderr.Bytes()...), []byte("\n[GNUPG:] SIG_CREATED ")) {
		return nil, &SignError{Tag: name, Program: program, Reason: lastLine(stderr.String(), err)}
	}
	return stdout.Bytes(), nil
}

// sshSign signs with ssh-keygen -Y sign, in the namespace "git": the key is a private key file
// (or its public half, whose private key the agent holds), or a public key given literally
// ("ssh-ed25519 AAAA…" or "key::…"), which the agent must hold; without one, the first line of
// gpg.ssh.defaultKeyCommand's output names it.
func (r *Repository) sshSign(name, program, key string, payload []byte) ([]byte, error) {
	if key == "" {
		command, ok, _ := r.ConfigValue("gpg.ssh.defaultKeyCommand")
		if !ok || command == "" {
			return nil, &SignError{Tag: name, Program: program, Reason: "either user.signingKey or gpg.ssh.defaultKeyCommand needs to be configured"}
		}
		out, err := exec.Command("sh", "-c", command).Output()
		key, _, _ = strings.Cut(string(out), "\n")
		if err != nil || strings.TrimSpace(key) == "" {
			return nil, &SignError{Tag: name, Program: "gpg.ssh.defaultKeyCommand", Reason: "it gave no key"}
		}
	}
	tmp, err := os.MkdirTemp("", "git-model-sign-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	args := []string{"-Y", "sign", "-n", "git"}
	literal, isLiteral := strings.CutPrefix(key, "key::")
	if !isLiteral && strings.HasPrefix(key, "ssh-") {
		literal, isLiteral = key, true
	}
	if isLiteral {
		keyFile := filepath.Join(tmp, "key.pub")
		if err := os.WriteFile(keyFile, []byte(literal+"\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "-f", keyFile, "-U")
	} else {
		args = append(args, "-f", expandUserPath(key))
	}
	buffer := filepath.Join(tmp, "payload")
	if err := os.WriteFile(buffer, payload, 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(program, append(args, buffer)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, &SignError{Tag: name, Program: program, Reason: lastLine(stderr.String(), err)}
	}
	sig, err := os.ReadFile(buffer + ".sig")
	if err != nil || len(sig) == 0 {
		return nil, &SignError{Tag: name, Program: program, Reason: "no signature was written"}
	}
	return sig, nil
}

// lastLine is the last line a signing program said that is not a status line, else err.
func lastLine(stderr string, err error) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if line := strings.TrimSpace(lines[i]); line != "" && !strings.HasPrefix(line, "[GNUPG:]") {
			return line
		}
	}
	if err != nil {
		return err.Error()
	}
	return "no signature was made"
}
