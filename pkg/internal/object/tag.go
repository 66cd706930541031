package object

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// TagRecord is one ref under refs/tags/ as the Git layer reads it and the registry takes it:
// the registry's input (docs/registry.md §3). It is the one record both share.
type TagRecord struct {
	Name        string    // short name, without "refs/tags/"
	Annotated   bool      // the ref points to a tag object
	Commit      string    // 40-hex id of the commit it peels to; "" when it peels to a tree or a blob
	PeeledType  Type      // what it finally points to: Commit, Tree or Blob
	TaggerName  string    // annotated only; "" when the tag object has no tagger
	TaggerEmail string    // annotated only; the tagger's email
	When        time.Time // tagger time, in the tagger's own time zone (see Zone); zero when none
	Message     string    // tag message without the trailing newline(s) and without a PGP/SSH signature block
}

// TagObject is what a tag object says.
type TagObject struct {
	Target      string // the id of the object it points to, as written (checked by the caller)
	TargetType  Type   // the type it declares for its target; 0 when unknown
	Name        string // the tag's name as the object writes it (its "tag" header): what a signature signs
	TaggerName  string
	TaggerEmail string
	When        time.Time // zero when there is no tagger or its time does not read
	Message     string    // cleaned: see CleanMessage
}

// ParseTag reads a raw tag object. With full false it reads only the target and its type (what
// peeling needs). The strings it returns are slices of data, which the caller hands over:
// nothing may write to it afterwards.
//
// A header given twice counts once, the first time, as git reads it: a crafted second tagger
// cannot change who an event's author is or when it happened.
func ParseTag(data []byte, full bool) TagObject {
	var t TagObject
	text := unsafe.String(unsafe.SliceData(data), len(data))
	header, message, _ := strings.Cut(text, "\n\n")
	var seenObject, seenType, seenName, seenTagger bool
	for len(header) > 0 {
		var line string
		line, header, _ = strings.Cut(header, "\n")
		key, value, _ := strings.Cut(line, " ")
		switch {
		case key == "object" && !seenObject:
			t.Target, seenObject = value, true
		case key == "type" && !seenType:
			t.TargetType, seenType = ParseType(value), true
		case key == "tag" && !seenName:
			seenName = true
			if full {
				t.Name = value
			}
		case key == "tagger" && !seenTagger:
			seenTagger = true
			if full {
				t.TaggerName, t.TaggerEmail, t.When = parseSignature(value)
			}
		}
	}
	if full {
		t.Message = CleanMessage(message)
	}
	return t
}

// parseSignature reads "Name <email> 1700000000 +0100".
func parseSignature(s string) (name, email string, when time.Time) {
	lt, gt := strings.IndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if lt < 0 || gt < lt {
		return strings.TrimSpace(s), "", time.Time{}
	}
	name, email = strings.TrimSpace(s[:lt]), s[lt+1:gt]
	rest := strings.TrimLeft(s[gt+1:], " ")
	stamp, zoneText, _ := strings.Cut(rest, " ")
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return name, email, time.Time{}
	}
	return name, email, time.Unix(secs, 0).In(Zone(ParseZone(zoneText)))
}

// signatureMarkers start the signature blocks that git appends to a signed tag's message
// (OpenPGP, X.509 and SSH).
var signatureMarkers = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SIGNED MESSAGE-----",
	"-----BEGIN SSH SIGNATURE-----",
}

// CleanMessage drops a signature block and the trailing newlines from a tag message. Like git,
// it treats the last line that starts with a signature marker as the start of the signature.
func CleanMessage(msg string) string {
	end := len(msg)
	for start := 0; start < len(msg); {
		for _, marker := range signatureMarkers {
			if strings.HasPrefix(msg[start:], marker) {
				end = start
				break
			}
		}
		next := strings.IndexByte(msg[start:], '\n')
		if next < 0 {
			break
		}
		start += next + 1
	}
	return strings.TrimRight(msg[:end], "\n")
}

// StripSpace cleans a message as git's default cleanup does for `git tag -m` ("strip"): lines
// that start with the comment character '#' go, trailing blanks of every line go, runs of
// empty lines become one, empty lines at either end go, and the message ends with a newline.
func StripSpace(msg string) string {
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// FormatTag writes the tag object that `git tag -a -m MESSAGE NAME COMMIT` writes, byte for
// byte (docs/registry.md §4, "The tag object"): the message cleaned with StripSpace, the tagger's time zone as
// ZoneText gives it.
func FormatTag(commit ID, name, taggerName, taggerEmail string, when time.Time, message string) []byte {
	return fmt.Appendf(nil, "object %s\ntype commit\ntag %s\ntagger %s <%s> %d %s\n\n%s",
		commit, name, taggerName, taggerEmail, when.Unix(), ZoneText(when), StripSpace(message))
}
