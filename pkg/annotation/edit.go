package annotation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Edit is a change to the annotation of one artifact; nil and empty fields leave what the file
// says as it is.
type Edit struct {
	Path, Type, Description *string
	Virtual                 *bool
	AddLabels, RemoveLabels []string
	Custom                  []KeyValue // set custom.KEY to VALUE, in order
}

// KeyValue is one entry of an artifact's custom mapping.
type KeyValue struct {
	Key, Value string
}

// Apply returns the file with the annotation of an artifact changed (created when the file
// does not name it). Only the lines of what changes are touched: every other byte of the
// file, comments, blank lines and key order included, stays as it was.
func (f *File) Apply(name string, e Edit) (*File, error) {
	// YAML holds only Unicode text: a value that is not UTF-8 would be read back as other
	// characters.
	values := slices.Concat([]string{name}, e.AddLabels, e.RemoveLabels)
	for _, v := range []*string{e.Path, e.Type, e.Description} {
		if v != nil {
			values = append(values, *v)
		}
	}
	for _, kv := range e.Custom {
		values = append(values, kv.Key, kv.Value)
	}
	for _, v := range values {
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("%s: %q is not UTF-8 text", f.name, v)
		}
	}
	ed := &editor{name: f.name, data: f.data}
	if err := ed.ensureEntry(name); err != nil {
		return nil, err
	}
	// New fields come in GTO's order: type, path, virtual, labels, description, custom.
	for _, field := range []struct {
		key   string
		value *string
	}{{"type", e.Type}, {"path", e.Path}} {
		if field.value != nil {
			if err := ed.setScalar(name, []string{field.key}, scalarText(*field.value)); err != nil {
				return nil, err
			}
		}
	}
	if e.Virtual != nil {
		if err := ed.setScalar(name, []string{"virtual"}, fmt.Sprint(*e.Virtual)); err != nil {
			return nil, err
		}
	}
	if len(e.AddLabels) > 0 || len(e.RemoveLabels) > 0 {
		if err := ed.editLabels(name, e.AddLabels, e.RemoveLabels); err != nil {
			return nil, err
		}
	}
	if e.Description != nil {
		if err := ed.setScalar(name, []string{"description"}, scalarText(*e.Description)); err != nil {
			return nil, err
		}
	}
	for _, kv := range e.Custom {
		if err := ed.setScalar(name, []string{"custom", kv.Key}, customText(kv.Value)); err != nil {
			return nil, err
		}
	}
	return Parse(f.name, ed.data)
}

// Remove returns the file without the annotation of an artifact, and the comment lines
// directly above it; an error when the file does not name it.
func (f *File) Remove(name string) (*File, error) {
	ed := &editor{name: f.name, data: f.data}
	doc, err := ed.parse()
	if err != nil {
		return nil, err
	}
	i := doc.find(name)
	if i < 0 {
		return nil, fmt.Errorf("%s: '%s' is %w", f.name, name, errNotFound)
	}
	if doc.root.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("%s: cannot remove from a mapping written in flow style ({...})", f.name)
	}
	first, last := doc.root.Content[2*i].Line, doc.entryEnd(i)
	for first > 1 && isComment(doc.lines[first-2]) && indentOf(doc.lines[first-2]) == 0 {
		first--
	}
	// Take away the blank lines that set the entry apart from the next one (from the one
	// before, for the last entry), so that the spacing of the file stays as it was.
	before, after := first, last
	for before > 1 && strings.TrimSpace(doc.lines[before-2]) == "" {
		before--
	}
	for after < doc.end() && strings.TrimSpace(doc.lines[after]) == "" {
		after++
	}
	switch {
	case after > last && (before < first || first == 1):
		last = after
	case before < first && last == doc.end():
		first = before
	}
	ed.replace(doc, first, last, nil)
	return Parse(f.name, ed.data)
}

// editor applies edits to the text of a file one at a time, parsing it again after each, so
// that every edit sees the line numbers of the text as it is.
type editor struct {
	name string
	data []byte
}

// parsed is the text of the file as lines, with its top-level mapping.
type parsed struct {
	lines   []string // without line ends
	ends    []string // the end of each line as it is in the file: "\n", "\r\n", or "" for a last line without one
	newline string   // the end of new lines: "\r\n" when the file has any, else "\n"
	root    *yaml.Node
}

func (ed *editor) parse() (*parsed, error) {
	root, err := parseMapping(ed.name, ed.data)
	if err != nil {
		return nil, err
	}
	// Each line keeps its own end, so that a file mixing "\r\n" and "\n", or without a final
	// newline, keeps them; the line numbers must be those yaml.v3 counts, which also breaks
	// lines at a lone "\r" and at U+0085, U+2028 and U+2029: such a file is not edited.
	doc := &parsed{newline: "\n", root: root}
	text := string(ed.data)
	if strings.Contains(text, "\r\n") {
		doc.newline = "\r\n"
	}
	for text != "" {
		line, rest, found := strings.Cut(text, "\n")
		end := ""
		if found {
			end = "\n"
			if strings.HasSuffix(line, "\r") {
				line, end = line[:len(line)-1], "\r\n"
			}
		}
		if strings.ContainsAny(line, "\r\u0085\u2028\u2029") {
			return nil, fmt.Errorf("%s:%d: cannot edit a line broken by a carriage return alone or by U+0085, U+2028 or U+2029", ed.name, len(doc.lines)+1)
		}
		doc.lines, doc.ends = append(doc.lines, line), append(doc.ends, end)
		text = rest
	}
	return doc, nil
}

// replace puts new lines in place of lines first..last (1-based, inclusive; last = first-1
// inserts before first) and stores the text. Whether the file ends with a newline is kept.
func (ed *editor) replace(doc *parsed, first, last int, lines []string) {
	ends := make([]string, len(lines))
	for i := range ends {
		ends[i] = doc.newline
	}
	outLines := slices.Concat(doc.lines[:first-1], lines, doc.lines[last:])
	outEnds := slices.Concat(doc.ends[:first-1], ends, doc.ends[last:])
	var text strings.Builder
	for i, line := range outLines {
		end := outEnds[i]
		switch {
		case i == len(outLines)-1 && len(doc.ends) > 0:
			end = doc.ends[len(doc.ends)-1]
		case end == "":
			end = doc.newline
		}
		text.WriteString(line + end)
	}
	ed.data = []byte(text.String())
}

// find returns the index of an artifact's entry in the top-level mapping, or -1.
func (doc *parsed) find(name string) int {
	if doc.root == nil {
		return -1
	}
	for i := 0; 2*i+1 < len(doc.root.Content); i++ {
		if doc.root.Content[2*i].Value == name {
			return i
		}
	}
	return -1
}

// entryEnd returns the last line of the i-th top-level entry: the line before the next entry,
// or the end of the file, less blank lines and top-level comments that lead into what follows.
func (doc *parsed) entryEnd(i int) int {
	end := doc.end()
	if 2*(i+1) < len(doc.root.Content) {
		end = doc.root.Content[2*(i+1)].Line - 1
	}
	return doc.trimEnd(doc.root.Content[2*i].Line, end, 1)
}

// end returns the last line of the document: the line before its end marker ("..."), which
// only comments can follow, or else the last line of the file.
func (doc *parsed) end() int {
	for i, line := range doc.lines {
		if line == "..." || strings.HasPrefix(line, "... ") || strings.HasPrefix(line, "...\t") || strings.HasPrefix(line, "...#") {
			return i
		}
	}
	return len(doc.lines)
}

// onlyComments reports whether lines first..last are all blank lines and comments.
func (doc *parsed) onlyComments(first, last int) bool {
	for _, line := range doc.lines[first-1 : last] {
		if strings.TrimSpace(line) != "" && !isComment(line) {
			return false
		}
	}
	return true
}

// trimEnd backs up from end over blank lines, and over comments indented less than minIndent,
// never above first.
func (doc *parsed) trimEnd(first, end, minIndent int) int {
	for end > first {
		line := doc.lines[end-1]
		if strings.TrimSpace(line) == "" || (isComment(line) && indentOf(line) < minIndent) {
			end--
			continue
		}
		break
	}
	return end
}

// ensureEntry appends "name:" to the file when it does not annotate the artifact yet.
func (ed *editor) ensureEntry(name string) error {
	doc, err := ed.parse()
	if err != nil {
		return err
	}
	if doc.find(name) >= 0 {
		return nil
	}
	if doc.root != nil && doc.root.Style&yaml.FlowStyle != 0 {
		if ed.dropEmpty(doc, doc.root) { // GTO writes {} when it removes the last artifact
			return ed.ensureEntry(name)
		}
		return fmt.Errorf("%s: cannot add to a mapping written in flow style ({...})", ed.name)
	}
	n := doc.end()
	ed.replace(doc, n+1, n, []string{scalarText(name) + ":"})
	return nil
}

// block is a mapping in the text: its node, the line of its key, its last line and the
// indentation of its keys.
type block struct {
	node   *yaml.Node // nil when the mapping is empty (a key with no value)
	key    int        // line of the key that holds the mapping
	last   int
	indent int
}

// entry parses the text as it is now and finds an artifact's entry in it.
func (ed *editor) entry(name string) (*parsed, int, error) {
	doc, err := ed.parse()
	if err != nil {
		return nil, 0, err
	}
	i := doc.find(name)
	if i < 0 { // an edit before this one changed the file beyond recognition
		return nil, 0, fmt.Errorf("%s: cannot edit '%s' in place", ed.name, name)
	}
	return doc, i, nil
}

// setScalar sets the field at path (below the artifact's entry) to a scalar's text, creating
// the mappings on the way.
func (ed *editor) setScalar(name string, path []string, text string) error {
	doc, i, err := ed.entry(name)
	if err != nil {
		return err
	}
	b := block{node: doc.root.Content[2*i+1], key: doc.root.Content[2*i].Line, last: doc.entryEnd(i), indent: -1}
	for depth, key := range path {
		if ed.dropEmpty(doc, b.node) {
			return ed.setScalar(name, path, text)
		}
		b, err = doc.childBlock(ed.name, b, depth)
		if err != nil {
			return err
		}
		k, v, end := doc.field(b, key)
		last := depth == len(path)-1
		switch {
		case k == nil:
			// Insert the missing field, and for an intermediate one the mappings it opens.
			var lines []string
			for j, missing := range path[depth:] {
				line := strings.Repeat(" ", b.indent+j*doc.indentStep()) + scalarText(missing) + ":"
				if depth+j == len(path)-1 {
					line += " " + text
				}
				lines = append(lines, line)
			}
			ed.replace(doc, b.last+1, b.last, lines)
			return nil
		case last && v.Kind == yaml.ScalarNode && v.Line == k.Line && v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && doc.onlyComments(k.Line+1, end):
			line := doc.lines[k.Line-1]
			prefix := line[:byteColumn(line, v.Column)]
			if v.Tag == "!!null" && v.Value == "" {
				prefix = line[:byteColumn(line, k.Column)] + scalarText(key) + ": "
			}
			ed.replace(doc, k.Line, k.Line, []string{prefix + text + lineComment(line, k, v)})
			return nil
		case last:
			// A value over several lines, or a mapping or a list, gives way to the scalar.
			ed.replace(doc, k.Line, end, []string{doc.lines[k.Line-1][:byteColumn(doc.lines[k.Line-1], k.Column)] + scalarText(key) + ": " + text})
			return nil
		}
		b = block{node: v, key: k.Line, last: end, indent: -1}
	}
	return nil
}

// dropEmpty rewrites "key: ~" (or null, or {}, which GTO writes for an artifact with no
// fields) as "key:", so that fields can go under it, and drops a line left blank; false when
// the value is none of these.
func (ed *editor) dropEmpty(doc *parsed, v *yaml.Node) bool {
	var text string
	switch {
	case v == nil:
		return false
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		text = v.Value
	case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0 && len(v.Content) == 0:
		text = "{}"
	}
	if text == "" {
		return false
	}
	line := doc.lines[v.Line-1]
	at := byteColumn(line, v.Column)
	if !strings.HasPrefix(line[at:], text) {
		return false
	}
	rest := []string{strings.TrimRight(line[:at], " \t") + line[at+len(text):]}
	if strings.TrimSpace(rest[0]) == "" {
		rest = nil
	}
	ed.replace(doc, v.Line, v.Line, rest)
	return true
}

// childBlock fills in the indentation of a block, checking that it is a block mapping that can
// be edited line by line.
func (doc *parsed) childBlock(file string, b block, depth int) (block, error) {
	switch {
	case b.node == nil || (b.node.Kind == yaml.ScalarNode && b.node.Tag == "!!null"):
		b.node = nil
		b.indent = indentOf(doc.lines[b.key-1]) + doc.indentStep()
	case b.node.Kind != yaml.MappingNode:
		return b, fmt.Errorf("%s:%d: expected a mapping", file, b.node.Line)
	case b.node.Style&yaml.FlowStyle != 0:
		return b, fmt.Errorf("%s:%d: cannot edit a mapping written in flow style ({...}); write it as a block", file, b.node.Line)
	case len(b.node.Content) == 0:
		b.indent = indentOf(doc.lines[b.key-1]) + doc.indentStep()
	default:
		b.indent = b.node.Content[0].Column - 1
	}
	return b, nil
}

// field finds a key of a block mapping: its key and value nodes and the last line of its
// value.
func (doc *parsed) field(b block, key string) (k, v *yaml.Node, end int) {
	if b.node == nil {
		return nil, nil, 0
	}
	for j := 0; 2*j+1 < len(b.node.Content); j++ {
		if b.node.Content[2*j].Value != key {
			continue
		}
		k, v = b.node.Content[2*j], b.node.Content[2*j+1]
		end = b.last
		if 2*(j+1) < len(b.node.Content) {
			end = b.node.Content[2*(j+1)].Line - 1
		}
		return k, v, doc.trimEnd(k.Line, end, k.Column)
	}
	return nil, nil, 0
}

// editLabels adds and removes labels, keeping the style of the list: a flow list ([a, b]) is
// rewritten on its line, a block list gains or loses item lines.
func (ed *editor) editLabels(name string, add, remove []string) error {
	doc, i, err := ed.entry(name)
	if err != nil {
		return err
	}
	if ed.dropEmpty(doc, doc.root.Content[2*i+1]) {
		return ed.editLabels(name, add, remove)
	}
	b, err := doc.childBlock(ed.name, block{node: doc.root.Content[2*i+1], key: doc.root.Content[2*i].Line, last: doc.entryEnd(i)}, 0)
	if err != nil {
		return err
	}
	k, v, end := doc.field(b, "labels")
	var current []string
	if v != nil && v.Kind == yaml.SequenceNode {
		for _, item := range v.Content {
			// The value of an alias (*a) is not in its node: it would be written as "a".
			if item.Kind != yaml.ScalarNode {
				return fmt.Errorf("%s:%d: 'labels' must be a list of strings", ed.name, item.Line)
			}
			current = append(current, item.Value)
		}
	} else if v != nil && v.Tag != "!!null" {
		return fmt.Errorf("%s:%d: 'labels' must be a list", ed.name, v.Line)
	}
	want := slices.DeleteFunc(slices.Clone(current), func(l string) bool { return slices.Contains(remove, l) })
	for _, l := range add {
		if !slices.Contains(want, l) {
			want = append(want, l)
		}
	}
	if slices.Equal(want, current) {
		return nil
	}
	keyPrefix := strings.Repeat(" ", b.indent)
	if k != nil {
		keyPrefix = doc.lines[k.Line-1][:byteColumn(doc.lines[k.Line-1], k.Column)]
	}
	block := v != nil && v.Kind == yaml.SequenceNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0
	if !block || len(want) == 0 {
		line := keyPrefix + "labels: " + flowList(want)
		if k == nil {
			ed.replace(doc, b.last+1, b.last, []string{line})
		} else {
			ed.replace(doc, k.Line, end, []string{line + lineComment(doc.lines[k.Line-1], k, v)})
		}
		return nil
	}
	// A block list: drop the lines of removed items, then add lines for new ones after the
	// last item kept, in the style of the first item.
	itemIndent := v.Content[0].Column - 3
	var lines []string
	for j, item := range v.Content {
		itemEnd := end
		if j+1 < len(v.Content) {
			itemEnd = v.Content[j+1].Line - 1
		}
		if slices.Contains(want, item.Value) {
			lines = append(lines, doc.lines[item.Line-1:itemEnd]...)
		}
	}
	for _, l := range want {
		if !slices.Contains(current, l) {
			lines = append(lines, strings.Repeat(" ", itemIndent)+"- "+scalarText(l))
		}
	}
	ed.replace(doc, v.Content[0].Line, end, lines)
	return nil
}

func flowList(items []string) string {
	quoted := make([]string, len(items))
	for i, item := range items {
		quoted[i] = scalarText(item)
		// Plain in a block, these end an item in a flow list, or start a key (yaml.v3's
		// yaml_parser_scan_plain_scalar and yaml_parser_fetch_next_token).
		if quoted[i] == item && (strings.ContainsAny(item, ",?[]{}") || strings.HasPrefix(item, ":")) {
			quoted[i] = strconv.Quote(item)
		}
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}

// indentStep is the indentation the file uses for nested mappings: that of the first artifact
// with fields, else two spaces.
func (doc *parsed) indentStep() int {
	if doc.root != nil {
		for j := 1; j < len(doc.root.Content); j += 2 {
			if v := doc.root.Content[j]; v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle == 0 && len(v.Content) > 0 {
				return v.Content[0].Column - 1
			}
		}
	}
	return 2
}

// lineComment returns the comment that ends a field's line, with the blanks before it as
// they are in the line.
func lineComment(line string, k, v *yaml.Node) string {
	for _, c := range []string{v.LineComment, k.LineComment} {
		if i := strings.LastIndex(line, c); c != "" && i >= 0 {
			return line[len(strings.TrimRight(line[:i], " \t")):]
		}
	}
	return ""
}

func isComment(line string) bool {
	return strings.HasPrefix(strings.TrimSpace(line), "#")
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

// byteColumn converts yaml.v3's 1-based column, counted in characters, to a byte offset in line.
func byteColumn(line string, column int) int {
	n := 0
	for i := range line {
		if n == column-1 {
			return i
		}
		n++
	}
	return len(line)
}

// customText writes a custom value as YAML reads what a user types: a number, a boolean or null
// written the way YAML writes it keeps its type (rows=1500 writes rows: 1500); anything else is
// a string, quoted when needed (id=007 stays the string "007").
func customText(value string) string {
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err == nil {
		switch v.(type) {
		case int, float64, bool, nil:
			if out, err := yaml.Marshal(v); err == nil && strings.TrimSpace(string(out)) == value {
				return value
			}
		}
	}
	return scalarText(value)
}
