package refs

import (
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/safefile"
)

// Packed is a snapshot of the packed-refs file: its content as it was when opened, mapped (git
// replaces packed-refs by renaming a new file over it and never writes into it, so the mapping
// does not change). Every ref it returns is a copy; it must be closed.
type Packed struct {
	data   []byte   // the content: the mapping, or what was read
	text   string   // data as a string
	mapped bool     // data is a mapping
	file   *os.File // the file mapped, open until Close; nil when there is none
}

// OpenPacked opens packed-refs under commonDir; a missing file is an empty snapshot.
func OpenPacked(commonDir string) (*Packed, error) {
	p, _, err := openPacked(commonDir)
	return p, err
}

// openPacked is OpenPacked, with what the open file's stat said (nil when there is none).
func openPacked(commonDir string) (*Packed, fs.FileInfo, error) {
	path := filepath.Join(commonDir, "packed-refs")
	f, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Packed{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	p := &Packed{file: f}
	data, err := safefile.MapFile(f, info.Size())
	if err == nil {
		p.mapped = true
	} else if data, err = safefile.ReadAll(f, maxPackedRefs); err != nil { // empty, or a file system that cannot map
		f.Close()
		return nil, nil, err
	}
	p.data, p.text = data, unsafe.String(unsafe.SliceData(data), len(data))
	return p, info, nil
}

// checksum is the CRC-32C of the content. It reads the open file (the very file mapped: git
// never writes into packed-refs) rather than the mapping, whose first touch of every page costs
// more than reading it: a digest then costs a small part of parsing the file.
func (p *Packed) checksum() uint32 {
	if !p.mapped {
		return crc32.Checksum(p.data, castagnoli)
	}
	buf := make([]byte, 1<<20)
	var sum uint32
	for off := 0; off < len(p.data); {
		n, err := p.file.ReadAt(buf[:min(len(buf), len(p.data)-off)], int64(off))
		if err != nil && n == 0 { // cannot happen to a file open for reading; the mapping says it
			return crc32.Update(sum, castagnoli, p.data[off:])
		}
		sum = crc32.Update(sum, castagnoli, buf[:n])
		off += n
	}
	return sum
}

// Close unmaps the file; nothing may be read from the snapshot afterwards.
func (p *Packed) Close() {
	if p.mapped {
		safefile.Unmap(p.data)
	}
	if p.file != nil {
		p.file.Close()
	}
	p.data, p.text, p.mapped, p.file = nil, "", false, nil
}

// Tags reads every tag line.
func (p *Packed) Tags() ([]Ref, error) {
	text := p.text
	refs := make([]Ref, 0, strings.Count(text, "\n"))
	for len(text) > 0 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		line = strings.TrimSuffix(line, "\r")
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '^': // the object a ref peels to, which the caller reads itself
			if len(line) != 41 {
				return nil, ErrFallback
			}
		default:
			ref, isTag, err := parseLine(line)
			if err != nil {
				return nil, err
			}
			if isTag {
				refs = append(refs, ref)
			}
		}
	}
	copyNames(refs)
	return refs, nil
}

// ArtifactTags reads the lines that name a ref of the artifact prefix: by binary search in a
// sorted file, else by searching the text for the name.
func (p *Packed) ArtifactTags(prefix string) ([]Ref, error) {
	refs, err := p.findArtifact(prefix)
	copyNames(refs)
	return refs, err
}

func (p *Packed) findArtifact(prefix string) ([]Ref, error) {
	text := p.text
	if sorted(text) {
		if refs, ok, err := search(text, prefix); ok || err != nil {
			return refs, err
		}
	}
	var refs []Ref
	needle := " " + TagsPrefix + prefix
	for from := 0; ; {
		i := strings.Index(text[from:], needle)
		if i < 0 {
			return refs, nil
		}
		at := from + i // where the space between the id and the name is
		from = at + len(needle)
		if from >= len(text) || text[from] != '@' && text[from] != '#' {
			continue
		}
		start := strings.LastIndexByte(text[:at], '\n') + 1
		end := strings.IndexByte(text[at:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += at
		}
		line := strings.TrimSuffix(text[start:end], "\r")
		if line[0] == '#' {
			continue
		}
		ref, isTag, err := parseLine(line)
		if err != nil {
			return nil, err
		}
		if isTag && MatchesArtifact(ref.Name, prefix) { // the needle may stand inside a name
			refs = append(refs, ref)
		}
	}
}

// search is findArtifact by binary search: the artifact's names start with prefix#, or with
// prefix@, two runs of records. ok is false when a line on the way does not read as a record.
func search(text, prefix string) (refs []Ref, ok bool, err error) {
	for _, mark := range []string{"#", "@"} {
		at, ok := lowerBound(text, TagsPrefix+prefix+mark)
		if !ok {
			return nil, false, nil
		}
		for ; at < len(text); at = nextRecord(text, at) {
			ref, isTag, err := parseLine(recordLine(text, at))
			if err != nil {
				return nil, false, err
			}
			if !isTag || !strings.HasPrefix(ref.Name, prefix+mark) {
				break
			}
			refs = append(refs, ref)
		}
	}
	return refs, true, nil
}

// Has reports whether packed-refs has a line for refName, and whether it has refs below
// refName/ (the folder a ref of that name would need).
func (p *Packed) Has(refName string) (exists, below bool) {
	text := p.text
	if sorted(text) {
		at, ok := lowerBound(text, refName)
		next, nextOK := lowerBound(text, refName+"/")
		if ok && nextOK {
			exists = at < len(text) && recordName(text, at) == refName
			below = next < len(text) && strings.HasPrefix(recordName(text, next), refName+"/")
			return exists, below
		}
	}
	exists = strings.Contains(text, " "+refName+"\n") || strings.HasSuffix(text, " "+refName)
	return exists, strings.Contains(text, " "+refName+"/")
}

// Binary search in packed-refs, as git does: a file whose header says "sorted" (every git
// writes one) holds records in name order, each a line "ID NAME" and the line "^ID" of the
// object a tag peels to, if any. A record is found from any byte by going back to the start
// of its line, and over a "^" line. A line that does not read so makes the search give up.

// sorted reports whether packed-refs says it is sorted, in lines that end in "\n" alone.
func sorted(text string) bool {
	header, _, _ := strings.Cut(text, "\n")
	traits, ok := strings.CutPrefix(header, "# pack-refs with:")
	return ok && slices.Contains(strings.Fields(traits), "sorted") && !strings.HasSuffix(header, "\r")
}

// firstRecord is where the records start, after the header's comment lines.
func firstRecord(text string) int {
	at := 0
	for at < len(text) && text[at] == '#' {
		at = nextLine(text, at)
	}
	return at
}

func nextLine(text string, at int) int {
	if i := strings.IndexByte(text[at:], '\n'); i >= 0 {
		return at + i + 1
	}
	return len(text)
}

// nextRecord is where the record after the one at at starts.
func nextRecord(text string, at int) int {
	at = nextLine(text, at)
	for at < len(text) && text[at] == '^' {
		at = nextLine(text, at)
	}
	return at
}

func recordLine(text string, at int) string {
	line, _, _ := strings.Cut(text[at:], "\n")
	return line
}

// recordName is the ref name of the record at at; "" when the line does not read "ID NAME".
func recordName(text string, at int) string {
	line := recordLine(text, at)
	if len(line) < 42 || line[40] != ' ' || line[len(line)-1] == '\r' {
		return ""
	}
	return line[41:]
}

// lowerBound returns where the first record whose name is not less than name starts (len(text)
// when there is none); false when a line on the way does not read as a record.
func lowerBound(text, name string) (int, bool) {
	lo, hi := firstRecord(text), len(text)
	for lo < hi {
		mid := lo + (hi-lo)/2
		at := lo + strings.LastIndexByte(text[lo:mid], '\n') + 1 // the start of mid's line
		for at > lo && text[at] == '^' {
			at = lo + strings.LastIndexByte(text[lo:at-1], '\n') + 1
		}
		got := recordName(text, at)
		if got == "" {
			return 0, false
		}
		if got < name {
			lo = nextRecord(text, at)
		} else {
			hi = at
		}
	}
	return lo, true
}

// parseLine reads an "ID NAME" line of packed-refs; isTag when it names a tag. The name is a
// slice of the line.
func parseLine(line string) (ref Ref, isTag bool, err error) {
	id, name, ok := strings.Cut(line, " ")
	target, idOK := object.ParseID(id)
	if !ok || !idOK {
		return ref, false, ErrFallback
	}
	rest, isTag := strings.CutPrefix(name, TagsPrefix)
	return Ref{Name: rest, Target: target}, isTag, nil
}

// maxPackedRefs caps a packed-refs file that is read rather than mapped: some forty million refs.
const maxPackedRefs = 4 << 30
