package fetch

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// The digest algorithms the cache knows: sha256 names its objects and is what Git LFS and
// artifacts.yaml record; md5 is what DVC records.
const (
	SHA256 = "sha256"
	MD5    = "md5"
)

// Digest is the checksum of a file's bytes, as "sha256:<64 hex digits>" or "md5:<32 hex
// digits>". Hex is always lowercase, so two Digests of the same bytes compare equal with ==.
type Digest struct {
	Algo string
	Hex  string
}

// ParseDigest parses "sha256:HEX" or "md5:HEX" (hex digits in either case).
func ParseDigest(s string) (Digest, error) {
	algo, hexDigits, ok := strings.Cut(s, ":")
	d := Digest{Algo: algo, Hex: strings.ToLower(hexDigits)}
	if !ok || d.check() != nil {
		return Digest{}, fmt.Errorf("invalid digest '%s': want sha256:<64 hex digits> or md5:<32 hex digits>", shorten(s))
	}
	return d, nil
}

// String returns the digest as ParseDigest reads it.
func (d Digest) String() string {
	return d.Algo + ":" + d.Hex
}

// check reports whether d is a digest the cache can use: a known algorithm and the right
// number of lowercase hex digits.
func (d Digest) check() error {
	size := 0
	switch d.Algo {
	case SHA256:
		size = sha256.Size
	case MD5:
		size = md5.Size
	default:
		return fmt.Errorf("unknown digest algorithm '%s'", shorten(d.Algo))
	}
	if len(d.Hex) != 2*size || strings.ToLower(d.Hex) != d.Hex {
		return fmt.Errorf("invalid %s digest '%s'", d.Algo, shorten(d.Hex))
	}
	if _, err := hex.DecodeString(d.Hex); err != nil {
		return fmt.Errorf("invalid %s digest '%s'", d.Algo, shorten(d.Hex))
	}
	return nil
}

// newHash returns a hash of the digest's algorithm; check must have accepted it.
func newHash(algo string) hash.Hash {
	if algo == MD5 {
		return md5.New()
	}
	return sha256.New()
}

// sumOf returns the digest that h, a hash of algorithm algo, has computed so far.
func sumOf(algo string, h hash.Hash) Digest {
	return Digest{Algo: algo, Hex: hex.EncodeToString(h.Sum(nil))}
}

// shorten cuts a value quoted in an error to a readable length and to one line.
func shorten(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i] + "…"
	}
	if len(s) > 80 {
		s = strings.ToValidUTF8(s[:80], "") + "…"
	}
	return s
}
