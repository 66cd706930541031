// Package signature reads signed tag objects and what Git's signing programs say about them,
// exactly as git does (docs/trust.md): where a signature starts, which format it is, and the
// status lines of gpg and gpgsm or the output of ssh-keygen, turned into one Result.
package signature

import (
	"bytes"
	"strings"
)

// Format is the kind of a signature, named as gpg.format names it.
type Format string

// The formats of gpg.format.
const (
	OpenPGP Format = "openpgp"
	X509    Format = "x509"
	SSH     Format = "ssh"
)

// markers are the first lines of a signature block, by format, as git knows them.
var markers = []struct {
	line   string
	format Format
}{
	{"-----BEGIN PGP SIGNATURE-----", OpenPGP},
	{"-----BEGIN PGP MESSAGE-----", OpenPGP},
	{"-----BEGIN SIGNED MESSAGE-----", X509},
	{"-----BEGIN SSH SIGNATURE-----", SSH},
}

// formatOf is the format of a signature block starting at line, or "" when line starts none.
func formatOf(line []byte) Format {
	for _, m := range markers {
		if bytes.HasPrefix(line, []byte(m.line)) {
			return m.format
		}
	}
	return ""
}

// Split cuts a raw tag object into the signed payload and the signature, at the last line that
// starts a signature block, as git's parse_signed_buffer does. ok is false for an unsigned tag.
func Split(raw []byte) (payload, sig []byte, format Format, ok bool) {
	match := -1
	for at := 0; at < len(raw); {
		if f := formatOf(raw[at:]); f != "" {
			match, format = at, f
		}
		eol := bytes.IndexByte(raw[at:], '\n')
		if eol < 0 {
			break
		}
		at += eol + 1
	}
	if match < 0 {
		return raw, nil, "", false
	}
	return raw[:match], raw[match:], format, true
}

// Status is what a check of a signature found.
type Status string

// The statuses of a check. Good is the only one that vouches for the signer.
const (
	Good       Status = "good"        // made by the signer's key, which is trusted enough
	Bad        Status = "bad"         // does not match the tag: the tag was changed after signing
	UnknownKey Status = "unknown-key" // made by a key that the keyring or the allowed signers do not hold
	Expired    Status = "expired"     // made by an expired key, or the signature has expired
	Revoked    Status = "revoked"     // made by a revoked key
	Untrusted  Status = "untrusted"   // good, but the key's trust is below gpg.minTrustLevel
	Unsigned   Status = "unsigned"    // the tag carries no signature
	Error      Status = "error"       // the program could not check it
)

// Result is one signature check.
type Result struct {
	Status Status
	Format Format
	// Signer is who the key belongs to: the user id of an OpenPGP key, the subject of an X.509
	// certificate, the principal of the allowed-signers file for SSH; "" when not known.
	Signer string
	// Key is the key id (OpenPGP, X.509) or the SHA256 fingerprint (SSH) that made it.
	Key string
	// Fingerprint and PrimaryFingerprint are the signing key's and its primary key's
	// fingerprints, in uppercase hex (OpenPGP, X.509).
	Fingerprint, PrimaryFingerprint string
	// Trust is gpg's trust in the key (undefined, never, marginal, fully, ultimate).
	Trust string
	// Reason is the program's own words when Status is not Good.
	Reason string
}

// TrustLevels are gpg's trust levels, lowest first (gpg.minTrustLevel takes one of them).
var TrustLevels = []string{"undefined", "never", "marginal", "fully", "ultimate"}

// TrustRank is the position of level in TrustLevels, -1 when unknown.
func TrustRank(level string) int {
	for i, l := range TrustLevels {
		if strings.EqualFold(l, level) {
			return i
		}
	}
	return -1
}

// ParseGPG reads the status lines (--status-fd) of gpg or gpgsm --verify, as git's
// parse_gpg_output reads them: one of GOODSIG, BADSIG, ERRSIG, EXPSIG, EXPKEYSIG, REVKEYSIG (two
// of them mean several signatures, which git refuses), VALIDSIG with the fingerprints, TRUST_*
// with the trust level. minTrust is gpg.minTrustLevel ("" for none).
func ParseGPG(status []byte, format Format, minTrust string) Result {
	r := Result{Format: format, Trust: "undefined"}
	seen := 0
	var result byte
	for _, line := range strings.Split(string(status), "\n") {
		line, ok := strings.CutPrefix(line, "[GNUPG:] ")
		if !ok {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "GOODSIG", "BADSIG", "ERRSIG", "EXPSIG", "EXPKEYSIG", "REVKEYSIG":
			if seen++; seen > 1 {
				return Result{Status: Error, Format: format, Trust: "undefined", Reason: "more than one signature"}
			}
			result = map[string]byte{"GOODSIG": 'G', "BADSIG": 'B', "ERRSIG": 'E', "EXPSIG": 'X', "EXPKEYSIG": 'Y', "REVKEYSIG": 'R'}[word]
			key, signer, _ := strings.Cut(rest, " ")
			r.Key = key
			if word != "ERRSIG" {
				r.Signer = signer
			}
		case "VALIDSIG":
			fields := strings.Split(rest, " ")
			r.Fingerprint = strings.ToUpper(fields[0])
			if len(fields) >= 10 {
				r.PrimaryFingerprint = strings.ToUpper(fields[9])
			}
		case "NO_PUBKEY":
			if result == 0 || result == 'E' {
				r.Reason = "no public key " + rest
			}
		default:
			if level, ok := strings.CutPrefix(word, "TRUST_"); ok {
				if TrustRank(level) < 0 {
					return Result{Status: Error, Format: format, Trust: "undefined", Reason: "unknown trust level " + level}
				}
				r.Trust = strings.ToLower(level)
			}
		}
	}
	switch result {
	case 'G':
		r.Status = Good
		if minTrust != "" && TrustRank(r.Trust) < TrustRank(minTrust) {
			r.Status, r.Reason = Untrusted, "trust "+r.Trust+" is below gpg.minTrustLevel "+strings.ToLower(minTrust)
		}
	case 'B':
		r.Status, r.Reason = Bad, "the signature does not match the tag"
	case 'E':
		r.Status = UnknownKey
		if r.Reason == "" {
			r.Status, r.Reason = Error, "the signature cannot be checked"
		}
	case 'X', 'Y':
		r.Status, r.Reason = Expired, "expired"
	case 'R':
		r.Status, r.Reason = Revoked, "the key is revoked"
	default:
		r.Status, r.Reason = Error, "no signature status"
	}
	return r
}

// ParseSSH reads the first line ssh-keygen -Y verify (or check-novalidate) wrote, as git's
// parse_ssh_output does: `Good "git" signature for PRINCIPAL with ALGO key FINGERPRINT` is a good
// signature by a known principal; `Good "git" signature with ALGO key FINGERPRINT` is a valid
// signature by a key that no allowed signer holds. found says whether find-principals found the
// key among the allowed signers.
func ParseSSH(out []byte, found bool) Result {
	r := Result{Format: SSH, Trust: "never"}
	line, _, _ := strings.Cut(string(out), "\n")
	line = strings.TrimSuffix(line, "\r")
	if rest, ok := strings.CutPrefix(line, `Good "git" signature for `); ok && found {
		i := strings.LastIndex(rest, " with ")
		if i <= 0 {
			return Result{Status: Bad, Format: SSH, Trust: "never", Reason: line}
		}
		r.Signer, rest = rest[:i], rest[i+1:]
		r.Status, r.Trust = Good, "fully"
		r.Key = keyOf(rest)
	} else if rest, ok := strings.CutPrefix(line, `Good "git" signature with `); ok {
		r.Status, r.Trust, r.Reason = UnknownKey, "undefined", "no principal of gpg.ssh.allowedSignersFile matches the key"
		r.Key = keyOf(rest)
	} else {
		r.Status, r.Reason = Bad, strings.TrimSpace(line)
		if r.Reason == "" {
			r.Reason = "the signature does not match the tag"
		}
		return r
	}
	if r.Key == "" {
		return Result{Status: Bad, Format: SSH, Trust: "never", Reason: line}
	}
	return r
}

// keyOf is what follows "key " in ssh-keygen's line: the key's fingerprint.
func keyOf(s string) string {
	_, key, ok := strings.Cut(s, "key ")
	if !ok {
		return ""
	}
	return key
}
