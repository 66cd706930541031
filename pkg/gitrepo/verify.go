package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/parallel"
	"github.com/git-model/git-model/pkg/internal/signature"
	git "github.com/libgit2/git2go/v34"
)

// Verifying a tag is done as `git verify-tag` does it (gpg-interface.c), with Git's own
// programs and therefore Git's trust rules: gpg's keyring and trust database (gpg.minTrustLevel),
// gpgsm's certificates, and for SSH gpg.ssh.allowedSignersFile with its principals, namespaces
// and validity dates, checked at the tagger's time, and gpg.ssh.revocationFile (docs/trust.md).

// Verifier checks tag signatures with the programs and files of one repository's config.
type Verifier struct {
	repo     *Repository
	programs map[signature.Format]string
	allowed  string // gpg.ssh.allowedSignersFile; "" when not configured
	revoked  string // gpg.ssh.revocationFile
	minTrust string // gpg.minTrustLevel
}

// Verifier reads the config that verification needs, once.
func (r *Repository) Verifier() (*Verifier, error) {
	v := &Verifier{repo: r, programs: map[signature.Format]string{
		signature.OpenPGP: "gpg", signature.X509: "gpgsm", signature.SSH: "ssh-keygen"}}
	for _, kv := range [][2]string{{"gpg.program", "openpgp"}, {"gpg.openpgp.program", "openpgp"},
		{"gpg.x509.program", "x509"}, {"gpg.ssh.program", "ssh"}} {
		if p, ok, _ := r.ConfigValue(kv[0]); ok && p != "" {
			v.programs[signature.Format(kv[1])] = p
		}
	}
	v.allowed, v.revoked = r.configPath("gpg.ssh.allowedSignersFile"), r.configPath("gpg.ssh.revocationFile")
	if t, ok, _ := r.ConfigValue("gpg.minTrustLevel"); ok && t != "" {
		if signature.TrustRank(t) < 0 {
			return nil, fmt.Errorf("invalid value for 'gpg.minTrustLevel': '%s'", t)
		}
		v.minTrust = t
	}
	return v, nil
}

// Verify checks the tag objects ids (40-hex) of the tags names, several programs at a time;
// results are in the order of ids. An id that is not a tag object (a lightweight tag) is
// Unsigned. A good signature of a tag object whose own name (its "tag" header, which the
// signature covers) is not the tag's is Bad: a signature made for one tag proves nothing of
// another.
func (v *Verifier) Verify(names, ids []string) ([]signature.Result, error) {
	raws := make([][]byte, len(ids))
	db, err := v.repo.repo.Odb()
	if err != nil {
		return nil, fmt.Errorf("reading tags: %w", err)
	}
	defer db.Free()
	for i, id := range ids {
		oid, err := git.NewOid(id)
		if err != nil {
			return nil, fmt.Errorf("bad object id '%s'", id)
		}
		obj, err := db.Read(oid)
		if err != nil {
			return nil, fmt.Errorf("reading tag object %s: %w", id, err)
		}
		if obj.Type() == git.ObjectTag {
			raws[i] = bytes.Clone(obj.Data())
		}
		obj.Free()
	}
	out := make([]signature.Result, len(ids))
	parallel.Each(len(ids), func(i int) {
		out[i] = v.check(raws[i])
		if out[i].Status == signature.Good {
			if own := object.ParseTag(raws[i], true).Name; own != names[i] {
				out[i].Status, out[i].Reason = signature.Bad, fmt.Sprintf("the signed tag object is named '%s', not '%s'", own, names[i])
			}
		}
	})
	return out, nil
}

// TagObjectName returns the name that the tag object id writes in its "tag" header.
func (r *Repository) TagObjectName(id string) (string, error) {
	oid, err := git.NewOid(id)
	if err != nil {
		return "", fmt.Errorf("bad object id '%s'", id)
	}
	db, err := r.repo.Odb()
	if err != nil {
		return "", err
	}
	defer db.Free()
	obj, err := db.Read(oid)
	if err != nil {
		return "", fmt.Errorf("reading tag object %s: %w", id, err)
	}
	defer obj.Free()
	if obj.Type() != git.ObjectTag {
		return "", fmt.Errorf("object %s is not a tag", id)
	}
	return object.ParseTag(bytes.Clone(obj.Data()), true).Name, nil
}

// check verifies one raw tag object.
func (v *Verifier) check(raw []byte) signature.Result {
	payload, sig, format, ok := signature.Split(raw)
	if raw == nil || !ok {
		return signature.Result{Status: signature.Unsigned}
	}
	tmp, err := os.CreateTemp("", ".git_vtag_tmp")
	if err == nil {
		defer os.Remove(tmp.Name())
		_, err = tmp.Write(sig)
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return failed(format, fmt.Errorf("could not write the signature: %w", err))
	}
	if format == signature.SSH {
		return v.checkSSH(payload, tmp.Name())
	}
	program := v.programs[format]
	args := []string{"--status-fd=1", "--verify", tmp.Name(), "-"}
	if format == signature.OpenPGP {
		args = append([]string{"--keyid-format=long"}, args...)
	}
	stdout, stderr, err := run(program, args, payload)
	var notRun *exec.Error
	if errors.As(err, &notRun) {
		return failed(format, fmt.Errorf("cannot run %s: %w", program, notRun.Err))
	}
	r := signature.ParseGPG(stdout, format, v.minTrust)
	if err != nil && r.Status == signature.Good {
		// A good signature whose program still failed, as gpgsm does for a certificate whose
		// chain it does not trust: git takes the failure.
		r.Status, r.Reason = signature.Untrusted, lastLine(string(stderr), err)
	}
	return r
}

// checkSSH finds the principals of the allowed signers that hold the key, then verifies with
// each until one is good; a key no principal holds is checked without them, to name it.
func (v *Verifier) checkSSH(payload []byte, sigFile string) signature.Result {
	program := v.programs[signature.SSH]
	if v.allowed == "" {
		return failed(signature.SSH, errors.New("gpg.ssh.allowedSignersFile needs to be configured and exist for ssh signature verification"))
	}
	var at []string
	if when := object.ParseTag(payload, true).When; !when.IsZero() {
		// SSH validity dates have no time zone: the local one, as git does.
		at = []string{"-Overify-time=" + when.Local().Format("20060102150405")}
	}
	found, errOut, err := run(program, append([]string{"-Y", "find-principals", "-f", v.allowed, "-s", sigFile}, at...), nil)
	var notRun *exec.Error
	if errors.As(err, &notRun) {
		return failed(signature.SSH, fmt.Errorf("cannot run %s: %w", program, notRun.Err))
	}
	if err != nil || len(bytes.TrimSpace(found)) == 0 {
		out, stderr, _ := run(program, append([]string{"-Y", "check-novalidate", "-n", "git", "-s", sigFile}, at...), payload)
		return signature.ParseSSH(append(append(out, stderr...), errOut...), false)
	}
	var last []byte
	for _, principal := range strings.Split(string(found), "\n") {
		principal = strings.TrimSuffix(principal, "\r")
		if principal == "" {
			continue
		}
		args := []string{"-Y", "verify", "-n", "git", "-f", v.allowed, "-I", principal, "-s", sigFile}
		if v.revoked != "" {
			if _, err := os.Stat(v.revoked); err == nil {
				args = append(args, "-r", v.revoked)
			}
		}
		out, stderr, err := run(program, append(args, at...), payload)
		last = append(out, stderr...)
		if err == nil && bytes.HasPrefix(out, []byte("Good")) {
			return signature.ParseSSH(out, true)
		}
	}
	return signature.ParseSSH(last, true)
}

// configPath is a path of the config ("" when unset): "~" expanded, and a relative path taken
// from the top of the work tree (the git directory of a bare repository), where git runs.
func (r *Repository) configPath(key string) string {
	p, ok, _ := r.ConfigValue(key)
	if !ok || p == "" {
		return ""
	}
	p = expandUserPath(p)
	if !filepath.IsAbs(p) {
		base := r.WorkDir()
		if base == "" {
			base = r.GitDir()
		}
		p = filepath.Join(base, p)
	}
	return p
}

// run runs a program with input on its standard input.
func run(program string, args []string, input []byte) (stdout, stderr []byte, err error) {
	cmd := exec.Command(program, args...)
	cmd.Stdin = bytes.NewReader(input)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// failed is a check that could not be made.
func failed(format signature.Format, err error) signature.Result {
	return signature.Result{Status: signature.Error, Format: format, Trust: "undefined", Reason: err.Error()}
}
