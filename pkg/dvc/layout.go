package dvc

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// ObjectPath returns where a remote (or a cache) keeps an object, relative to the remote's
// URL and slash-separated: files/md5/ab/cdef… for a DVC 3 out, ab/cdef… for a legacy (DVC 2)
// one, with ".dir" appended for a directory's manifest. md5 is 32 lowercase hexadecimal
// digits (an Out's MD5; a trailing ".dir" is taken as dir); for anything else ObjectPath
// returns "".
func ObjectPath(md5 string, dir bool, legacy bool) string {
	if hex, ok := strings.CutSuffix(md5, ".dir"); ok {
		md5, dir = hex, true
	}
	if !isMD5(md5) {
		return ""
	}
	p := md5[:2] + "/" + md5[2:]
	if dir {
		p += ".dir"
	}
	if !legacy {
		p = "files/md5/" + p
	}
	return p
}

// DirEntry is one file of a directory out's manifest.
type DirEntry struct {
	// MD5 is the md5 of the file's content, 32 lowercase hexadecimal digits; the file is the
	// object ObjectPath(MD5, false, legacy) with legacy as the directory out's.
	MD5 string
	// RelPath is the file's path inside the directory, slash-separated.
	RelPath string
}

// ParseDirManifest reads a `.dir` object: a JSON list of objects with at least "md5" and
// "relpath" (other keys, which manifests for cloud-versioned remotes carry, are ignored). The
// entries are returned in the order given. It refuses an entry without a valid md5, a relpath
// that is empty, absolute, not clean or reaching out with "..", and a path given twice or
// both as a file and as a folder of another.
func ParseDirManifest(data []byte) ([]DirEntry, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid directory manifest: %w", err)
	}
	entries := make([]DirEntry, 0, len(raw))
	seen := make(map[string]bool, len(raw))
	for i, fields := range raw {
		var e DirEntry
		if err := json.Unmarshal(fields["relpath"], &e.RelPath); err != nil || e.RelPath == "" {
			return nil, fmt.Errorf("directory manifest: entry %d: no relpath", i+1)
		}
		if err := json.Unmarshal(fields["md5"], &e.MD5); err != nil || !isMD5(e.MD5) {
			return nil, fmt.Errorf("directory manifest: entry '%s': invalid md5", shown(e.RelPath))
		}
		if err := checkRelPath(e.RelPath); err != nil {
			return nil, fmt.Errorf("directory manifest: entry '%s': %w", shown(e.RelPath), err)
		}
		if seen[e.RelPath] {
			return nil, fmt.Errorf("directory manifest: entry '%s' appears twice", shown(e.RelPath))
		}
		seen[e.RelPath] = true
		entries = append(entries, e)
	}
	for _, e := range entries {
		for dir := path.Dir(e.RelPath); dir != "."; dir = path.Dir(dir) {
			if seen[dir] {
				return nil, fmt.Errorf("directory manifest: '%s' is both a file and a folder", shown(dir))
			}
		}
	}
	return entries, nil
}

// checkRelPath refuses a manifest path that could be written outside the directory.
func checkRelPath(p string) error {
	switch {
	case strings.ContainsRune(p, 0):
		return errors.New("path contains a NUL byte")
	case path.IsAbs(p) || isWindowsAbs(p):
		return errors.New("absolute path")
	case p == ".." || strings.HasPrefix(p, "../"):
		return errors.New("path outside the directory")
	case path.Clean(p) != p || p == ".":
		return errors.New("path not clean")
	}
	return nil
}

// DirMD5 returns the md5 (32 hexadecimal digits, without ".dir") that DVC gives a directory
// with these entries, to check a fetched manifest against its out's MD5. DVC 2 and DVC 3
// compute it alike (dvc/data/tree.py of DVC 2, dvc_data/hashfile/tree.py of DVC 3): the md5
// of the UTF-8 bytes of Python's
//
//	json.dumps(sorted([{"md5": MD5, "relpath": RELPATH}, …], key=relpath), sort_keys=True)
//
// that is "[" + the entries joined by ", " + "]", each entry {"md5": "…", "relpath": "…"},
// strings escaped as Python does with ensure_ascii: \" \\ \n \r \t \b \f, other characters
// below U+0020 and all from U+007F as \u00xx lower-case (beyond U+FFFF as a surrogate pair).
// DVC 2 hashed text with CRLF turned into LF, but that output has no raw CR, so the md5 is
// the same. The entries are sorted by relpath here (Python compares code points, which
// matches Go's byte order for UTF-8); invalid UTF-8 is written as \ufffd.
func DirMD5(entries []DirEntry) string {
	sum := md5.Sum(EncodeDirManifest(entries))
	return hex.EncodeToString(sum[:])
}

// EncodeDirManifest returns the manifest of entries as DirMD5 hashes it: the bytes DVC writes
// for a directory whose remote is not cloud-versioned, whose md5 names the directory.
func EncodeDirManifest(entries []DirEntry) []byte {
	sorted := make([]DirEntry, len(entries))
	copy(sorted, entries)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].RelPath < sorted[j].RelPath })
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range sorted {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"md5": `)
		writePythonJSONString(&b, e.MD5)
		b.WriteString(`, "relpath": `)
		writePythonJSONString(&b, e.RelPath)
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return []byte(b.String())
}

// writePythonJSONString writes s as Python's json.dumps writes a str with ensure_ascii=True.
func writePythonJSONString(b *strings.Builder, s string) {
	const hexDigits = "0123456789abcdef"
	u4 := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case ' ' <= r && r <= '~':
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			u4(0xd800 | (r>>10)&0x3ff)
			u4(0xdc00 | r&0x3ff)
		default:
			u4(r)
		}
	}
	b.WriteByte('"')
}
