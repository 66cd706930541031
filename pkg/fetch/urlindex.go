package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
)

// URLDigest returns the digest of what url served when it was last downloaded, for a source
// that has no digest of its own (a plain https:// or s3:// URL): Lookup then finds its bytes
// without a download. The URL's user name and password do not count.
func (c *Cache) URLDigest(url string) (Digest, bool) {
	name, err := urlIndexName(url)
	if err != nil {
		return Digest{}, false
	}
	root, err := c.openExisting()
	if err != nil {
		return Digest{}, false
	}
	defer root.Close()
	return readDigest(root, name)
}

// SetURLDigest records that url served the bytes of digest d. The index file is named after
// the sha256 of the URL without its user name and password, and holds only the digest: no
// secret of the URL is written anywhere. The query is kept in what is hashed, since it can
// choose the object (a version, a generation); a presigned URL, whose query changes at every
// signature, then simply never finds its entry again.
func (c *Cache) SetURLDigest(url string, d Digest) error {
	if err := d.check(); err != nil {
		return err
	}
	name, err := urlIndexName(url)
	if err != nil {
		return err
	}
	root, err := c.open()
	if err != nil {
		return err
	}
	defer root.Close()
	return writeSmall(root, name, d.String()+"\n")
}

// urlIndexName returns the name of the URL index file of raw: urls/ and the sha256 of the URL
// with no user information or fragment and with its scheme and host in lowercase.
func urlIndexName(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		// url.Parse's error quotes the URL, secrets and all: it is not passed on.
		return "", errors.New("invalid URL '" + RedactURL(raw) + "'")
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	sum := sha256.Sum256([]byte(u.String()))
	return filepath.Join("urls", hex.EncodeToString(sum[:])), nil
}
