// Package object owns Git's object formats as git-model reads and writes them, in pure Go: the
// object id and the object type (one type each, used by every reader of the Git layer), the tag
// object (parsed and formatted byte for byte as git does, with its tagger's time zone kept as
// written), and the record of one ref under refs/tags/ that the Git layer hands to the
// registry. It does no I/O. The formats it implements are described in docs/registry.md (§3 for
// what is read from a tag, §4 for the tag object a write produces).
package object

import (
	"encoding/hex"
)

// ID is a SHA-1 object id. Repositories that use SHA-256 (extensions.objectFormat) are refused
// when they are opened, before any id is read.
type ID [20]byte

// HexSize is the length of an id written in hexadecimal.
const HexSize = 40

// ParseID reads a 40-hex id as Git writes it, in lowercase; ok is false for anything else.
func ParseID(s string) (id ID, ok bool) {
	if len(s) != HexSize {
		return id, false
	}
	bad := byte(0)
	for i := range id {
		hi, lo := nibble[s[2*i]], nibble[s[2*i+1]]
		bad |= hi | lo
		id[i] = hi<<4 | lo&15
	}
	return id, bad&0x80 == 0
}

// String is the id in lowercase hexadecimal, as Git writes it.
func (id ID) String() string {
	return hex.EncodeToString(id[:])
}

// IsZero reports whether id is all zeros (Git's "no object").
func (id ID) IsZero() bool {
	return id == ID{}
}

// IsHex reports whether s is lowercase hexadecimal, as Git writes object ids.
func IsHex(s string) bool {
	bad := byte(0)
	for i := 0; i < len(s); i++ {
		bad |= nibble[s[i]]
	}
	return bad&0x80 == 0
}

// nibble is the value of each lowercase hexadecimal digit, and 0x80 for every other byte: ParseID
// runs over every id of packed-refs, so it looks each byte up in a table.
var nibble = func() (t [256]byte) {
	for i := range t {
		t[i] = 0x80
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	return t
}()

// Short abbreviates a hexadecimal id for messages and tables, as git's default abbreviation does.
func Short(id string) string {
	if len(id) > 7 {
		return id[:7]
	}
	return id
}

// Type is the type of an object, numbered as pack files number them.
type Type int8

// The object types; 0 is none (an unknown type).
const (
	Commit Type = 1
	Tree   Type = 2
	Blob   Type = 3
	Tag    Type = 4
)

var typeNames = [...]string{Commit: "commit", Tree: "tree", Blob: "blob", Tag: "tag"}

// String is the type's name as Git writes it ("commit"); "" for none.
func (t Type) String() string {
	if t <= 0 || int(t) >= len(typeNames) {
		return ""
	}
	return typeNames[t]
}

// ParseType reads a type's name; 0 when it is not one of the four.
func ParseType(name string) Type {
	for t, n := range typeNames {
		if n != "" && n == name {
			return Type(t)
		}
	}
	return 0
}
