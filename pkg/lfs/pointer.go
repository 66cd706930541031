package lfs

import (
	"bytes"
	"strconv"
	"strings"
)

// MaxPointerSize is the bound of the specification: a pointer is shorter than this, so a blob
// of this size or more is never a pointer and need not be read whole to decide.
const MaxPointerSize = 1024

// Version is the version line's value of the only pointer format there is (v1). git-lfs also
// reads two pre-release URLs from 2014; no pointer written by a released git-lfs carries them.
const Version = "https://git-lfs.github.com/spec/v1"

// Pointer is a parsed LFS pointer: the object that stands in the working tree for the blob.
type Pointer struct {
	// OID is the SHA-256 of the object's content, 64 lowercase hexadecimal digits.
	OID string
	// Size is the object's size in bytes.
	Size int64
	// Extensions are the pointer's ext-N-NAME lines by ascending priority, nil for almost
	// every pointer. git-lfs runs the named extension programs over the object to make the
	// working-tree file, so a caller that cannot run them must refuse such a pointer rather
	// than hand out the stored object as if it were the file.
	Extensions []Extension
}

// Extension is one ext-PRIORITY-NAME line of a pointer (git-lfs docs/extensions.md): the
// object that the extension NAME produced when the file was cleaned.
type Extension struct {
	Name     string
	Priority int
	OID      string
}

// ParsePointer returns the pointer that data encodes, and false when data is not a pointer in
// the one canonical encoding of the specification (see the package documentation). It reads
// data only, never panics, and accepts no prefix or suffix around the pointer.
func ParsePointer(data []byte) (Pointer, bool) {
	if len(data) == 0 || len(data) >= MaxPointerSize || data[len(data)-1] != '\n' {
		return Pointer{}, false
	}
	lines := strings.Split(string(data[:len(data)-1]), "\n")
	// version, oid and size, and at most ten extensions (one per priority) between them.
	if len(lines) < 3 || len(lines) > 13 || lines[0] != "version "+Version {
		return Pointer{}, false
	}
	var p Pointer
	last := len(lines) - 1
	for i, line := range lines[1 : last-1] {
		ext, ok := parseExtension(line)
		if !ok || (i > 0 && ext.Priority <= p.Extensions[i-1].Priority) {
			return Pointer{}, false
		}
		p.Extensions = append(p.Extensions, ext)
	}
	oid, ok := strings.CutPrefix(lines[last-1], "oid sha256:")
	if !ok || !ValidOID(oid) {
		return Pointer{}, false
	}
	size, ok := parseSize(strings.CutPrefix(lines[last], "size "))
	if !ok {
		return Pointer{}, false
	}
	p.OID, p.Size = oid, size
	return p, true
}

// parseExtension parses one "ext-N-NAME sha256:<hex>" line. NAME keeps to the characters the
// specification allows in a key.
func parseExtension(line string) (Extension, bool) {
	key, value, ok := strings.Cut(line, " ")
	if !ok {
		return Extension{}, false
	}
	rest, ok := strings.CutPrefix(key, "ext-")
	if !ok || len(rest) < 3 || rest[0] < '0' || rest[0] > '9' || rest[1] != '-' {
		return Extension{}, false
	}
	name := rest[2:]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return Extension{}, false
		}
	}
	oid, ok := strings.CutPrefix(value, "sha256:")
	if !ok || !ValidOID(oid) {
		return Extension{}, false
	}
	return Extension{Name: name, Priority: int(rest[0] - '0'), OID: oid}, true
}

// parseSize accepts the decimal form strconv.FormatInt gives of a non-negative int64, and no
// other spelling of it ("+1", "01", "1 "), since each would be a second encoding of a pointer.
func parseSize(value string, ok bool) (int64, bool) {
	if !ok || value == "" || len(value) > 1 && value[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(value); i++ {
		if value[i] < '0' || value[i] > '9' {
			return 0, false
		}
	}
	size, err := strconv.ParseInt(value, 10, 64)
	return size, err == nil
}

// ValidOID reports whether oid is a SHA-256 as LFS writes it: 64 lowercase hexadecimal digits.
// Only such an OID is ever joined into a path or sent to a server.
func ValidOID(oid string) bool {
	if len(oid) != 64 {
		return false
	}
	for i := 0; i < len(oid); i++ {
		if c := oid[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Encode returns the canonical encoding of p, the bytes git-lfs commits for it.
func (p Pointer) Encode() []byte {
	var b bytes.Buffer
	b.WriteString("version " + Version + "\n")
	for _, ext := range p.Extensions {
		b.WriteString("ext-" + strconv.Itoa(ext.Priority) + "-" + ext.Name + " sha256:" + ext.OID + "\n")
	}
	b.WriteString("oid sha256:" + p.OID + "\n")
	b.WriteString("size " + strconv.FormatInt(p.Size, 10) + "\n")
	return b.Bytes()
}
