package fetch

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// sha256Of and md5Of return the digests of data, as a source would record them.
func sha256Of(data string) Digest {
	sum := sha256.Sum256([]byte(data))
	return Digest{Algo: SHA256, Hex: hex.EncodeToString(sum[:])}
}

func md5Of(data string) Digest {
	sum := md5.Sum([]byte(data))
	return Digest{Algo: MD5, Hex: hex.EncodeToString(sum[:])}
}

func TestParseDigest(t *testing.T) {
	sha := sha256Of("model")
	for in, want := range map[string]Digest{
		sha.String():                           sha,
		"sha256:" + strings.ToUpper(sha.Hex):   sha,
		"md5:d41d8cd98f00b204e9800998ecf8427e": {Algo: MD5, Hex: "d41d8cd98f00b204e9800998ecf8427e"},
	} {
		got, err := ParseDigest(in)
		if err != nil || got != want {
			t.Errorf("ParseDigest(%q) = %v, %v; want %v", in, got, err, want)
		}
		if got.String() != strings.ToLower(in) {
			t.Errorf("String() = %q, want %q", got.String(), strings.ToLower(in))
		}
	}
	for _, in := range []string{
		"", "sha256", "sha256:", sha.Hex, "sha1:" + sha.Hex[:40], "sha256:" + sha.Hex[:63],
		"sha256:" + sha.Hex + "0", "sha256:" + sha.Hex[:63] + "g", "md5:" + sha.Hex, "md5:d41d8cd98f00b204e9800998ecf8427",
		"SHA256:" + sha.Hex, "sha256: " + sha.Hex[1:], "sha256:" + sha.Hex + "\nsecond line",
	} {
		_, err := ParseDigest(in)
		if err == nil {
			t.Errorf("ParseDigest(%q) accepted", in)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "invalid digest '") {
			t.Errorf("ParseDigest(%q) error %q, want one line starting \"invalid digest '\"", in, msg)
		}
	}
}
