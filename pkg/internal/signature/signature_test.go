package signature

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

const (
	fpr     = "916B3F8E2E90801CFDF03720A2D3A6840E080F07"
	primary = "0123456789ABCDEF0123456789ABCDEF01234567"
	header  = "object 0123456789abcdef0123456789abcdef01234567\ntype commit\ntag m@v1.0.0\n" +
		"tagger Tess Tagger <tess@example.com> 1709294400 +0100\n\n"
	pgpSig  = "-----BEGIN PGP SIGNATURE-----\n\niHUEABYKAB0WIQSRaz+O\n=abcd\n-----END PGP SIGNATURE-----\n"
	pgpMsg  = "-----BEGIN PGP MESSAGE-----\n\nowGbwMvMwCX2\n-----END PGP MESSAGE-----\n"
	x509Sig = "-----BEGIN SIGNED MESSAGE-----\nMIAGCSqGSIb3DQEHAqCAMIACAQEx\n-----END SIGNED MESSAGE-----\n"
	sshSig  = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3No\n-----END SSH SIGNATURE-----\n"
)

var statuses = []Status{Good, Bad, UnknownKey, Expired, Revoked, Untrusted, Unsigned, Error}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name, raw, payload string
		format             Format
		ok                 bool
	}{
		{"empty", "", "", "", false},
		{"unsigned", header + "Registering\n", header + "Registering\n", "", false},
		{"unsigned without final newline", header + "Registering", header + "Registering", "", false},
		{"pgp signature", header + "m\n" + pgpSig, header + "m\n", OpenPGP, true},
		{"pgp message", header + "m\n" + pgpMsg, header + "m\n", OpenPGP, true},
		{"x509", header + "m\n" + x509Sig, header + "m\n", X509, true},
		{"ssh", header + "m\n" + sshSig, header + "m\n", SSH, true},
		{"marker inside a line", header + "see -----BEGIN PGP SIGNATURE----- above\n", header + "see -----BEGIN PGP SIGNATURE----- above\n", "", false},
		{"indented marker", header + " -----BEGIN SSH SIGNATURE-----\nx\n", header + " -----BEGIN SSH SIGNATURE-----\nx\n", "", false},
		{"truncated marker", header + "-----BEGIN PGP SIGNATURE----\nx\n", header + "-----BEGIN PGP SIGNATURE----\nx\n", "", false},
		{"lowercase marker", header + "-----begin pgp signature-----\nx\n", header + "-----begin pgp signature-----\nx\n", "", false},
		{"the last marker wins", header + "m\n" + pgpSig + "quoted\n" + sshSig, header + "m\n" + pgpSig + "quoted\n", SSH, true},
		{"a marker in the message, then the signature", header + "m\n\n" + sshSig + "more\n" + pgpSig, header + "m\n\n" + sshSig + "more\n", OpenPGP, true},
		{"marker at the start", pgpSig, "", OpenPGP, true},
		{"marker on the last line without newline", header + "m\n-----BEGIN SSH SIGNATURE-----", header + "m\n", SSH, true},
		{"marker followed by text on its line", header + "m\n-----BEGIN PGP SIGNATURE-----trailing\nx\n", header + "m\n", OpenPGP, true},
		{"marker after CRLF", header + "m\r\n" + x509Sig, header + "m\r\n", X509, true},
		{"empty lines before the marker", header + "\n\n\n" + pgpSig, header + "\n\n\n", OpenPGP, true},
		{"non-UTF-8 message", header + "caf\xe9 \xff\n" + pgpSig, header + "caf\xe9 \xff\n", OpenPGP, true},
		{"NUL bytes", header + "a\x00b\n" + sshSig, header + "a\x00b\n", SSH, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			keep := bytes.Clone(raw)
			payload, sig, format, ok := Split(raw)
			if string(payload) != tc.payload || format != tc.format || ok != tc.ok {
				t.Fatalf("Split = %q, %q, %q, %v; want payload %q, format %q, ok %v", payload, sig, format, ok, tc.payload, tc.format, tc.ok)
			}
			if want := tc.raw[len(tc.payload):]; string(sig) != want {
				t.Errorf("sig = %q, want %q", sig, want)
			}
			if !ok && sig != nil {
				t.Errorf("sig = %q for an unsigned tag, want nil", sig)
			}
			if !bytes.Equal(raw, keep) {
				t.Errorf("Split changed its input")
			}
		})
	}
}

func TestFormatOf(t *testing.T) {
	for line, want := range map[string]Format{
		"-----BEGIN PGP SIGNATURE-----":  OpenPGP,
		"-----BEGIN PGP MESSAGE-----":    OpenPGP,
		"-----BEGIN SIGNED MESSAGE-----": X509,
		"-----BEGIN SSH SIGNATURE-----":  SSH,
		"-----BEGIN PGP PUBLIC KEY-----": "",
		"-----END PGP SIGNATURE-----":    "",
		"":                               "",
	} {
		if got := formatOf([]byte(line)); got != want {
			t.Errorf("formatOf(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestTrustRank(t *testing.T) {
	for i, level := range TrustLevels {
		if got := TrustRank(level); got != i {
			t.Errorf("TrustRank(%q) = %d, want %d", level, got, i)
		}
		if got := TrustRank(strings.ToUpper(level)); got != i {
			t.Errorf("TrustRank(%q) = %d, want %d", strings.ToUpper(level), got, i)
		}
	}
	for _, level := range []string{"", "full", "ultimately", "unknown"} {
		if got := TrustRank(level); got != -1 {
			t.Errorf("TrustRank(%q) = %d, want -1", level, got)
		}
	}
}

func TestParseGPG(t *testing.T) {
	const (
		keyID    = "A2D3A6840E080F07"
		newsig   = "[GNUPG:] NEWSIG t@example.com\n[GNUPG:] KEY_CONSIDERED " + fpr + " 0\n"
		goodsig  = "[GNUPG:] GOODSIG " + keyID + " T <t@example.com>\n"
		validsig = "[GNUPG:] VALIDSIG " + fpr + " 2026-12-03 1796332406 0 4 0 22 8 00 " + primary + "\n"
	)
	for _, tc := range []struct {
		name, status, minTrust string
		format                 Format
		want                   Result
	}{
		{"good", newsig + goodsig + validsig + "[GNUPG:] TRUST_ULTIMATE 0 pgp\n", "", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "ultimate"}},
		{"good, human lines between", "gpg: Signature made today\n" + goodsig + "gpg: Good signature from \"T\"\n" + validsig + "[GNUPG:] TRUST_FULLY 0 shell\n", "", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "fully"}},
		{"good, trust at the minimum", goodsig + validsig + "[GNUPG:] TRUST_MARGINAL 0 pgp\n", "marginal", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "marginal"}},
		{"good, minimum in capitals", goodsig + "[GNUPG:] TRUST_ULTIMATE\n", "ULTIMATE", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "ultimate"}},
		{"untrusted", goodsig + validsig + "[GNUPG:] TRUST_MARGINAL 0 pgp\n", "fully", OpenPGP,
			Result{Status: Untrusted, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "marginal",
				Reason: "trust marginal is below gpg.minTrustLevel fully"}},
		{"untrusted without a trust line", goodsig, "Marginal", OpenPGP,
			Result{Status: Untrusted, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "undefined",
				Reason: "trust undefined is below gpg.minTrustLevel marginal"}},
		{"trust never", goodsig + "[GNUPG:] TRUST_NEVER 0 pgp\n", "undefined", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "never"}},
		{"bad", newsig + "[GNUPG:] BADSIG " + keyID + " T <t@example.com>\n", "", OpenPGP,
			Result{Status: Bad, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "undefined", Reason: "the signature does not match the tag"}},
		{"unknown key", newsig + "[GNUPG:] ERRSIG " + keyID + " 22 8 00 1796332406 9 " + fpr + "\n[GNUPG:] NO_PUBKEY " + keyID + "\n", "", OpenPGP,
			Result{Status: UnknownKey, Format: OpenPGP, Key: keyID, Trust: "undefined", Reason: "no public key " + keyID}},
		{"unknown key, NO_PUBKEY first", "[GNUPG:] NO_PUBKEY " + keyID + "\n[GNUPG:] ERRSIG " + keyID + " 22 8 00 1796332406 9 -\n", "", OpenPGP,
			Result{Status: UnknownKey, Format: OpenPGP, Key: keyID, Trust: "undefined", Reason: "no public key " + keyID}},
		{"error without NO_PUBKEY", "[GNUPG:] ERRSIG " + keyID + " 22 8 00 1796332406 4 -\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Key: keyID, Trust: "undefined", Reason: "the signature cannot be checked"}},
		{"expired signature", "[GNUPG:] EXPSIG " + keyID + " T <t@example.com>\n" + validsig, "", OpenPGP,
			Result{Status: Expired, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "undefined", Reason: "expired"}},
		{"expired key", "[GNUPG:] EXPKEYSIG " + keyID + " T <t@example.com>\n", "", OpenPGP,
			Result{Status: Expired, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "undefined", Reason: "expired"}},
		{"revoked key", "[GNUPG:] REVKEYSIG " + keyID + " T <t@example.com>\n", "", OpenPGP,
			Result{Status: Revoked, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Trust: "undefined", Reason: "the key is revoked"}},
		{"good and bad", goodsig + "[GNUPG:] BADSIG " + keyID + " M <m@evil.example>\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "more than one signature"}},
		{"two good", goodsig + validsig + goodsig + validsig, "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "more than one signature"}},
		{"unknown trust level", goodsig + "[GNUPG:] TRUST_TOTAL 0 pgp\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "unknown trust level TOTAL"}},
		{"validsig in lowercase", goodsig + "[GNUPG:] VALIDSIG " + strings.ToLower(fpr) + " 2026-12-03 1796332406 0 4 0 22 8 00 " + strings.ToLower(primary) + "\n", "", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Signer: "T <t@example.com>", Key: keyID, Fingerprint: fpr, PrimaryFingerprint: primary, Trust: "undefined"}},
		{"validsig without the primary fingerprint (x509)", "[GNUPG:] GOODSIG 2A1B3C4D /CN=Tess\n[GNUPG:] VALIDSIG " + fpr + " 20260101T000000 20260101T000000 0 0 1 8 00\n[GNUPG:] TRUST_FULLY 0 chain\n", "", X509,
			Result{Status: Good, Format: X509, Signer: "/CN=Tess", Key: "2A1B3C4D", Fingerprint: fpr, Trust: "fully"}},
		{"goodsig without a user id", "[GNUPG:] GOODSIG " + keyID + "\n", "", OpenPGP,
			Result{Status: Good, Format: OpenPGP, Key: keyID, Trust: "undefined"}},
		{"human text only", "gpg: Good signature from \"T <t@example.com>\"\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "no signature status"}},
		{"status prefix without a space", "[GNUPG:]GOODSIG " + keyID + " T\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "no signature status"}},
		{"status not at the start of the line", " [GNUPG:] GOODSIG " + keyID + " T\n", "", OpenPGP,
			Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "no signature status"}},
		{"empty", "", "", OpenPGP, Result{Status: Error, Format: OpenPGP, Trust: "undefined", Reason: "no signature status"}},
		{"only other status lines", newsig + "[GNUPG:] PLAINTEXT 74 0\n", "", X509,
			Result{Status: Error, Format: X509, Trust: "undefined", Reason: "no signature status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseGPG([]byte(tc.status), tc.format, tc.minTrust); got != tc.want {
				t.Errorf("ParseGPG =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestParseSSH(t *testing.T) {
	const key = "SHA256:Zcn4UGbYk1mO1xPcmXq8fL3XmN1mG1kR8N4Q0qfIpLA"
	bad := func(reason string) Result { return Result{Status: Bad, Format: SSH, Trust: "never", Reason: reason} }
	for _, tc := range []struct {
		name, out string
		found     bool
		want      Result
	}{
		{"good", `Good "git" signature for t@example.com with ED25519 key ` + key + "\n", true,
			Result{Status: Good, Format: SSH, Signer: "t@example.com", Key: key, Trust: "fully"}},
		{"good, CRLF", `Good "git" signature for t@example.com with ED25519 key ` + key + "\r\n", true,
			Result{Status: Good, Format: SSH, Signer: "t@example.com", Key: key, Trust: "fully"}},
		{"good, no newline", `Good "git" signature for t@example.com with RSA key ` + key, true,
			Result{Status: Good, Format: SSH, Signer: "t@example.com", Key: key, Trust: "fully"}},
		{"principal with ' with '", `Good "git" signature for Tess with Keys with ECDSA key ` + key + "\n", true,
			Result{Status: Good, Format: SSH, Signer: "Tess with Keys", Key: key, Trust: "fully"}},
		{"principal with spaces", `Good "git" signature for a b  c with ED25519 key ` + key + "\n", true,
			Result{Status: Good, Format: SSH, Signer: "a b  c", Key: key, Trust: "fully"}},
		{"second line ignored", `Good "git" signature for t@example.com with ED25519 key ` + key + "\nsomething else\n", true,
			Result{Status: Good, Format: SSH, Signer: "t@example.com", Key: key, Trust: "fully"}},
		{"unknown key", `Good "git" signature with ED25519 key ` + key + "\n", false,
			Result{Status: UnknownKey, Format: SSH, Key: key, Trust: "undefined", Reason: "no principal of gpg.ssh.allowedSignersFile matches the key"}},
		{"unknown key, found", `Good "git" signature with ED25519 key ` + key + "\n", true,
			Result{Status: UnknownKey, Format: SSH, Key: key, Trust: "undefined", Reason: "no principal of gpg.ssh.allowedSignersFile matches the key"}},
		{"principal line but not found", `Good "git" signature for t@example.com with ED25519 key ` + key + "\n", false,
			bad(`Good "git" signature for t@example.com with ED25519 key ` + key)},
		{"empty principal", `Good "git" signature for  with ED25519 key ` + key, true,
			bad(`Good "git" signature for  with ED25519 key ` + key)},
		{"no ' with '", `Good "git" signature for t@example.com using ED25519 key ` + key, true,
			bad(`Good "git" signature for t@example.com using ED25519 key ` + key)},
		{"no key", `Good "git" signature for t@example.com with ED25519 ` + key, true,
			bad(`Good "git" signature for t@example.com with ED25519 ` + key)},
		{"unknown key without key", `Good "git" signature with ED25519`, false, bad(`Good "git" signature with ED25519`)},
		{"failure", "Signature verification failed: incorrect signature\nCould not verify signature.\n", true,
			bad("Signature verification failed: incorrect signature")},
		{"good on the second line", "Could not verify signature.\n" + `Good "git" signature for t@example.com with ED25519 key ` + key, true,
			bad("Could not verify signature.")},
		{"other namespace", `Good "file" signature for t@example.com with ED25519 key ` + key, true,
			bad(`Good "file" signature for t@example.com with ED25519 key ` + key)},
		{"empty", "", true, bad("the signature does not match the tag")},
		{"blank first line", "  \nGood", false, bad("the signature does not match the tag")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ParseSSH([]byte(tc.out), tc.found); got != tc.want {
				t.Errorf("ParseSSH =\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

// run runs a program in dir with stdin and extra environment, and returns its standard output
// and standard error; a program that does not start fails the test, one that fails does not.
func run(t *testing.T, dir string, stdin []byte, env []string, name string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out.Bytes(), errOut.Bytes(), err
}

// mustRun is run for a program that must succeed; it returns its standard output.
func mustRun(t *testing.T, dir string, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	out, errOut, err := run(t, dir, stdin, nil, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errOut)
	}
	return out
}

func requirePrograms(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if _, err := exec.LookPath(name); err != nil {
			t.Skipf("%s is not installed (make deps installs it): %v", name, err)
		}
	}
}

// splitTag reads the raw tag object of the tag name as git stores it and splits it, checking
// that it is signed in format.
func splitTag(t *testing.T, dir, name string, format Format) (payload, sig []byte) {
	t.Helper()
	raw := mustRun(t, dir, nil, "git", "cat-file", "tag", name)
	payload, sig, got, ok := Split(raw)
	if !ok || got != format {
		t.Fatalf("Split(tag %s) = format %q, ok %v; want %q, true\n%s", name, got, ok, format, raw)
	}
	if !bytes.Equal(append(bytes.Clone(payload), sig...), raw) {
		t.Fatalf("payload and signature of %s do not make the tag", name)
	}
	return payload, sig
}

func writeTemp(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSplitGPGTags signs tags with git tag -s and a real OpenPGP key, and checks that the payload
// Split cuts is the one gpg verifies, and that ParseGPG reads gpg's and git's status lines.
func TestSplitGPGTags(t *testing.T) {
	requirePrograms(t, "git", "gpg", "gpgconf")
	dir := gittest.NewRepo(t)
	gnupg := t.TempDir()
	t.Setenv("GNUPGHOME", gnupg)
	t.Cleanup(func() { run(t, gnupg, nil, nil, "gpgconf", "--kill", "gpg-agent") })
	mustRun(t, gnupg, nil, "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
		"--quick-gen-key", "T <t@example.com>", "ed25519", "sign", "never")
	var fingerprint string
	for _, line := range strings.Split(string(mustRun(t, gnupg, nil, "gpg", "--with-colons", "--fingerprint", "t@example.com")), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			fingerprint = f[9]
			break
		}
	}
	if len(fingerprint) != 40 {
		t.Fatalf("no fingerprint of the new key (%q)", fingerprint)
	}
	sign := []string{"-c", "user.signingKey=" + fingerprint, "-c", "gpg.program=gpg"}
	gittest.Git(t, dir, append(sign, "tag", "-s", "-m", "msg", "t1")...)
	message := writeTemp(t, "message", []byte("Assigning stage prod\n\nquoted below:\n"+pgpSig+sshSig+"after the quote\n"))
	gittest.Git(t, dir, append(sign, "tag", "-s", "--cleanup=verbatim", "-F", message, "t3")...)

	verify := func(t *testing.T, payload, sig []byte, env ...string) Result {
		t.Helper()
		sigFile := writeTemp(t, "sig.asc", sig)
		status, _, _ := run(t, dir, payload, env, "gpg", "--status-fd=1", "--verify", sigFile, "-")
		return ParseGPG(status, OpenPGP, "")
	}
	for _, name := range []string{"t1", "t3"} {
		t.Run(name, func(t *testing.T) {
			payload, sig := splitTag(t, dir, name, OpenPGP)
			if !bytes.HasPrefix(sig, []byte("-----BEGIN PGP SIGNATURE-----\n")) || !bytes.HasSuffix(sig, []byte("-----END PGP SIGNATURE-----\n")) {
				t.Fatalf("signature of %s: %q", name, sig)
			}
			if name == "t3" && !bytes.HasSuffix(payload, []byte(pgpSig+sshSig+"after the quote\n")) {
				t.Fatalf("Split did not cut t3 at the last marker: payload %q", payload)
			}
			r := verify(t, payload, sig)
			if r.Status != Good || r.Fingerprint != fingerprint || r.PrimaryFingerprint != fingerprint ||
				r.Signer != "T <t@example.com>" || !strings.HasSuffix(fingerprint, r.Key) || r.Trust != "ultimate" {
				t.Fatalf("gpg --verify of Split's payload: %+v; want good by %s", r, fingerprint)
			}
			// git's own check reads the same status lines the same way.
			_, status, err := run(t, dir, nil, nil, "git", "verify-tag", "--raw", name)
			if err != nil {
				t.Fatalf("git verify-tag %s: %v\n%s", name, err, status)
			}
			if g := ParseGPG(status, OpenPGP, "fully"); g != r {
				t.Errorf("git verify-tag --raw: %+v, gpg: %+v", g, r)
			}
			// A changed payload is a bad signature.
			tampered := bytes.Replace(payload, []byte("tag "+name), []byte("tag x"+name[1:]), 1)
			if r := verify(t, tampered, sig); r.Status != Bad || r.Signer != "T <t@example.com>" {
				t.Errorf("gpg --verify of a changed payload: %+v; want bad", r)
			}
			// The whole object, as if the signature were the first marker's, fails too.
			if r := verify(t, payload[:len(payload)-1], sig); r.Status != Bad {
				t.Errorf("gpg --verify of a truncated payload: %+v; want bad", r)
			}
			// A keyring without the key cannot check it.
			empty := t.TempDir()
			t.Cleanup(func() { run(t, empty, nil, []string{"GNUPGHOME=" + empty}, "gpgconf", "--kill", "gpg-agent") })
			if r := verify(t, payload, sig, "GNUPGHOME="+empty); r.Status != UnknownKey || !strings.HasSuffix(fingerprint, r.Key) {
				t.Errorf("gpg --verify without the key: %+v; want unknown-key", r)
			}
		})
	}
}

// TestSplitSSHTags signs tags with git tag -s and an SSH key, and checks that the payload Split
// cuts is the one ssh-keygen -Y verify accepts, and that ParseSSH reads its output.
func TestSplitSSHTags(t *testing.T) {
	requirePrograms(t, "git", "ssh-keygen")
	dir := gittest.NewRepo(t)
	keys := t.TempDir()
	key := filepath.Join(keys, "key")
	mustRun(t, keys, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "t@example.com", "-f", key)
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	pubFields := strings.Fields(string(pub))
	allowed := writeTemp(t, "allowed_signers", []byte("t@example.com "+pubFields[0]+" "+pubFields[1]+"\n"))
	keyFingerprint := strings.Fields(string(mustRun(t, keys, nil, "ssh-keygen", "-l", "-E", "sha256", "-f", key+".pub")))[1]

	sign := []string{"-c", "gpg.format=ssh", "-c", "user.signingKey=" + key, "-c", "gpg.ssh.program=ssh-keygen"}
	gittest.Git(t, dir, append(sign, "tag", "-s", "-m", "msg", "t2")...)
	message := writeTemp(t, "message", []byte("Registering\n\n"+sshSig+"quoted\n"+pgpSig+"end of quote\n"))
	gittest.Git(t, dir, append(sign, "tag", "-s", "--cleanup=verbatim", "-F", message, "t4")...)

	verify := func(t *testing.T, payload, sig []byte) Result {
		t.Helper()
		sigFile := writeTemp(t, "sig", sig)
		stdout, stderr, _ := run(t, dir, payload, nil, "ssh-keygen", "-Y", "verify", "-n", "git", "-f", allowed, "-I", "t@example.com", "-s", sigFile)
		return ParseSSH(append(stdout, stderr...), true)
	}
	for _, name := range []string{"t2", "t4"} {
		t.Run(name, func(t *testing.T) {
			payload, sig := splitTag(t, dir, name, SSH)
			if !bytes.HasPrefix(sig, []byte("-----BEGIN SSH SIGNATURE-----\n")) || !bytes.HasSuffix(sig, []byte("-----END SSH SIGNATURE-----\n")) {
				t.Fatalf("signature of %s: %q", name, sig)
			}
			if name == "t4" && !bytes.HasSuffix(payload, []byte(sshSig+"quoted\n"+pgpSig+"end of quote\n")) {
				t.Fatalf("Split did not cut t4 at the last marker: payload %q", payload)
			}
			r := verify(t, payload, sig)
			want := Result{Status: Good, Format: SSH, Signer: "t@example.com", Key: keyFingerprint, Trust: "fully"}
			if r != want {
				t.Fatalf("ssh-keygen -Y verify of Split's payload: %+v; want %+v", r, want)
			}
			// git verify-tag writes ssh-keygen's words on its standard error.
			_, stderr, err := run(t, dir, nil, nil, "git", "-c", "gpg.ssh.allowedSignersFile="+allowed, "verify-tag", name)
			if err != nil {
				t.Fatalf("git verify-tag %s: %v\n%s", name, err, stderr)
			}
			if g := ParseSSH(stderr, true); g != want {
				t.Errorf("git verify-tag: %+v; want %+v", g, want)
			}
			// A valid signature by a key no allowed signer holds.
			sigFile := writeTemp(t, "sig", sig)
			out, _, err := run(t, dir, payload, nil, "ssh-keygen", "-Y", "check-novalidate", "-n", "git", "-s", sigFile)
			if err != nil {
				t.Fatalf("ssh-keygen -Y check-novalidate: %v\n%s", err, out)
			}
			if r := ParseSSH(out, false); r.Status != UnknownKey || r.Key != keyFingerprint || r.Signer != "" {
				t.Errorf("ssh-keygen -Y check-novalidate: %+v; want unknown-key %s", r, keyFingerprint)
			}
			// A changed payload is a bad signature.
			tampered := bytes.Replace(payload, []byte("tag "+name), []byte("tag x"+name[1:]), 1)
			if r := verify(t, tampered, sig); r.Status != Bad || r.Signer != "" {
				t.Errorf("ssh-keygen -Y verify of a changed payload: %+v; want bad", r)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		"",
		"\n",
		header + "m\n",
		header + "m\n" + pgpSig,
		header + "m\n" + pgpMsg,
		header + "m\n" + x509Sig,
		header + "m\n" + sshSig,
		header + "m\n" + pgpSig + "quoted\n" + sshSig,
		header + "see -----BEGIN PGP SIGNATURE----- above\n",
		pgpSig,
		"-----BEGIN SSH SIGNATURE-----",
		"x\n-----BEGIN PGP SIGNATURE----",
		"\r\n-----BEGIN SIGNED MESSAGE-----\r\n",
		"caf\xe9\n\x00\n-----BEGIN PGP MESSAGE-----\xff",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		keep := bytes.Clone(raw)
		payload, sig, format, ok := Split(raw)
		if !bytes.Equal(raw, keep) {
			t.Fatalf("Split changed its input")
		}
		if !bytes.Equal(append(bytes.Clone(payload), sig...), raw) {
			t.Fatalf("payload %q + sig %q is not the input %q", payload, sig, raw)
		}
		// The reference: the last line that starts with a marker.
		lines := bytes.SplitAfter(raw, []byte("\n"))
		last, at := -1, 0
		var lastFormat Format
		for _, line := range lines {
			for _, m := range markers {
				if bytes.HasPrefix(line, []byte(m.line)) {
					last, lastFormat = at, m.format
				}
			}
			at += len(line)
		}
		if !ok {
			if sig != nil || format != "" || last >= 0 {
				t.Fatalf("unsigned, but sig %q, format %q, marker line at %d", sig, format, last)
			}
			return
		}
		if last != len(payload) || format != lastFormat {
			t.Fatalf("cut at %d (%q), want the last marker line at %d (%q)", len(payload), format, last, lastFormat)
		}
		if len(payload) > 0 && payload[len(payload)-1] != '\n' {
			t.Fatalf("the signature does not start a line: payload %q", payload)
		}
		if !slices.ContainsFunc(markers, func(m struct {
			line   string
			format Format
		}) bool {
			return m.format == format && bytes.HasPrefix(sig, []byte(m.line))
		}) {
			t.Fatalf("sig %q does not start with a %s marker", sig, format)
		}
	})
}

func FuzzParseGPG(f *testing.F) {
	for _, seed := range []string{
		"",
		"[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG A2D3A6840E080F07 T <t@example.com>\n[GNUPG:] VALIDSIG " + fpr + " 2026-12-03 1796332406 0 4 0 22 8 00 " + fpr + "\n[GNUPG:] TRUST_ULTIMATE 0 pgp\n",
		"[GNUPG:] BADSIG A2D3A6840E080F07 T <t@example.com>\n",
		"[GNUPG:] ERRSIG A2D3A6840E080F07 22 8 00 1796332406 9 -\n[GNUPG:] NO_PUBKEY A2D3A6840E080F07\n",
		"[GNUPG:] ERRSIG A2D3A6840E080F07 22 8 00 1796332406 4 -\n",
		"[GNUPG:] EXPSIG K U\n[GNUPG:] EXPKEYSIG K U\n",
		"[GNUPG:] REVKEYSIG K U\n",
		"[GNUPG:] GOODSIG\n[GNUPG:] VALIDSIG\n[GNUPG:] TRUST_\n",
		"[GNUPG:] TRUST_BOGUS\n[GNUPG:] GOODSIG K\n",
		"[GNUPG:] GOODSIG K /CN=x\n[GNUPG:] VALIDSIG F a b c\n[GNUPG:] TRUST_FULLY 0 chain\n",
		"gpg: Good signature\n[GNUPG:]GOODSIG K\n",
	} {
		f.Add([]byte(seed), "", false)
		f.Add([]byte(seed), "fully", true)
	}
	f.Add([]byte("[GNUPG:] GOODSIG K U\n"), "bogus", false)
	f.Fuzz(func(t *testing.T, status []byte, minTrust string, x509 bool) {
		format := OpenPGP
		if x509 {
			format = X509
		}
		r := ParseGPG(status, format, minTrust)
		if !slices.Contains(statuses, r.Status) || r.Status == Unsigned {
			t.Fatalf("status %q", r.Status)
		}
		if r.Format != format {
			t.Fatalf("format %q, want %q", r.Format, format)
		}
		if TrustRank(r.Trust) < 0 {
			t.Fatalf("trust %q is not a trust level", r.Trust)
		}
		if r.Status == Good && !bytes.Contains(status, []byte("[GNUPG:] GOODSIG")) {
			t.Fatalf("good without GOODSIG: %q", status)
		}
		if r.Status != Good && r.Reason == "" {
			t.Fatalf("%s without a reason", r.Status)
		}
		if r.Status == Good && minTrust != "" && TrustRank(minTrust) >= 0 && TrustRank(r.Trust) < TrustRank(minTrust) {
			t.Fatalf("good with trust %s below %s", r.Trust, minTrust)
		}
	})
}

func FuzzParseSSH(f *testing.F) {
	const key = "SHA256:Zcn4UGbYk1mO1xPcmXq8fL3XmN1mG1kR8N4Q0qfIpLA"
	for _, seed := range []string{
		"",
		`Good "git" signature for t@example.com with ED25519 key ` + key + "\n",
		`Good "git" signature for a with b with RSA key ` + key,
		`Good "git" signature with ED25519 key ` + key + "\r\n",
		`Good "git" signature for  with ED25519 key ` + key,
		`Good "git" signature for x with key`,
		`Good "git" signature with key `,
		"Signature verification failed: incorrect signature\nCould not verify signature.\n",
	} {
		f.Add([]byte(seed), true)
		f.Add([]byte(seed), false)
	}
	f.Fuzz(func(t *testing.T, out []byte, found bool) {
		r := ParseSSH(out, found)
		if !slices.Contains([]Status{Good, UnknownKey, Bad}, r.Status) {
			t.Fatalf("status %q", r.Status)
		}
		if r.Format != SSH || TrustRank(r.Trust) < 0 {
			t.Fatalf("format %q, trust %q", r.Format, r.Trust)
		}
		first, _, _ := bytes.Cut(out, []byte("\n"))
		switch r.Status {
		case Good:
			if !found || r.Signer == "" || r.Key == "" || r.Trust != "fully" || !bytes.HasPrefix(first, []byte(`Good "git" signature for `)) {
				t.Fatalf("good: %+v from %q (found %v)", r, out, found)
			}
		case UnknownKey:
			if r.Signer != "" || r.Key == "" || !bytes.HasPrefix(first, []byte(`Good "git" signature with `)) {
				t.Fatalf("unknown-key: %+v from %q", r, out)
			}
		case Bad:
			if r.Signer != "" || r.Key != "" || r.Trust != "never" || r.Reason == "" {
				t.Fatalf("bad: %+v from %q", r, out)
			}
		}
	})
}
