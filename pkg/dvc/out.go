package dvc

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Out is one output DVC tracks: a file or a directory whose content is in the DVC cache and,
// once pushed, on a remote.
type Out struct {
	// Path is the out's path as recorded, cleaned and slash-separated: relative to the .dvc
	// file's folder (joined with its wdir, if any) or to the dvc.lock's folder.
	Path string
	// MD5 is the 32 lowercase hexadecimal digits of the content's md5 (of the manifest for a
	// directory), without ".dir". It is empty when the entry records no md5 (an out never
	// committed, or one tracked by cloud versioning): there is then nothing to fetch.
	MD5 string
	// Dir is true for a directory, whose md5 names its manifest (ParseDirManifest).
	Dir bool
	// Size is the size in bytes (the sum of the files' sizes for a directory), -1 when the
	// entry does not record it (DVC 1 and early DVC 2).
	Size int64
	// NFiles is the number of files of a directory, 0 for a file or when not recorded.
	NFiles int
	// Legacy is true for an entry without `hash: md5` (DVC 1 and 2): its object is stored at
	// ab/cdef… on the remote, and at files/md5/ab/cdef… otherwise (DVC 3). See ObjectPath.
	Legacy bool
	// Remote is the remote the entry itself names (`remote:` of an out in a .dvc file), empty
	// for the default one. A dvc.lock does not record it: it is in dvc.yaml.
	Remote string
}

// ParseDVCFile returns the outs of a `.dvc` file. Outs with `cache: false` are left out: DVC
// keeps them neither in its cache nor on a remote (Git usually does). An empty file has no
// outs.
func ParseDVCFile(data []byte) ([]Out, error) {
	root, err := parseYAML(data)
	if err != nil || root == nil {
		return nil, err
	}
	top, err := mapping(root, "the .dvc file")
	if err != nil {
		return nil, err
	}
	wdir := ""
	if n := top["wdir"]; n != nil && !isNull(n) {
		// Single-stage files of DVC 1 (`dvc run -f x.dvc`) could set a working directory that
		// their paths are relative to.
		if wdir, err = scalar(n, "wdir"); err != nil {
			return nil, err
		}
	}
	return parseOuts(top["outs"], "", wdir, false)
}

// ParseLock returns the outs of a `dvc.lock`, stage by stage in the order of their names: the
// schema 2.0 of DVC 2 and DVC 3 (stages under `stages:`), and the format of DVC 1 (no schema
// key, stages at the top level).
func ParseLock(data []byte) ([]Out, error) {
	root, err := parseYAML(data)
	if err != nil || root == nil {
		return nil, err
	}
	top, err := mapping(root, "dvc.lock")
	if err != nil {
		return nil, err
	}
	stages, legacyFormat := top, true
	if n, ok := top["schema"]; ok {
		schema, err := scalar(n, "schema")
		if err != nil {
			return nil, err
		}
		if schema != "2.0" {
			return nil, fmt.Errorf("unsupported dvc.lock schema '%s'", shown(schema))
		}
		legacyFormat = false
		stages = nil
		if n := top["stages"]; n != nil && !isNull(n) {
			if stages, err = mapping(n, "stages"); err != nil {
				return nil, err
			}
		}
	}
	names := make([]string, 0, len(stages))
	for name := range stages {
		names = append(names, name)
	}
	sort.Strings(names)
	var outs []Out
	for _, name := range names {
		n := stages[name]
		if isNull(n) {
			continue
		}
		stage, err := mapping(n, fmt.Sprintf("stage '%s'", shown(name)))
		if err != nil {
			return nil, err
		}
		o, err := parseOuts(stage["outs"], fmt.Sprintf("stage '%s': ", shown(name)), "", legacyFormat)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o...)
	}
	return outs, nil
}

// parseOuts reads an `outs:` list; where prefixes its errors. legacyFormat is set for DVC 1
// files, whose entries are all legacy whatever they say.
func parseOuts(n *yaml.Node, where, wdir string, legacyFormat bool) ([]Out, error) {
	if n == nil || isNull(n) {
		return nil, nil
	}
	if err := noAlias(n); err != nil {
		return nil, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%souts: not a list", where)
	}
	var outs []Out
	for i, item := range n.Content {
		out, keep, err := parseOut(item, wdir, legacyFormat)
		if err != nil {
			if out.Path != "" {
				return nil, fmt.Errorf("%sout '%s': %w", where, shown(out.Path), err)
			}
			return nil, fmt.Errorf("%sout %d: %w", where, i+1, err)
		}
		if keep {
			outs = append(outs, out)
		}
	}
	return outs, nil
}

// parseOut reads one entry of an `outs:` list. On error, the returned Out carries the entry's
// path when it could be read, for the message.
func parseOut(n *yaml.Node, wdir string, legacyFormat bool) (out Out, keep bool, err error) {
	fields, err := mapping(n, "entry")
	if err != nil {
		return out, false, err
	}
	text := func(key string) (string, error) {
		n := fields[key]
		if n == nil || isNull(n) {
			return "", nil
		}
		return scalar(n, key)
	}
	raw, err := text("path")
	if err != nil {
		return out, false, err
	}
	if raw == "" {
		return out, false, errors.New("no path")
	}
	out.Path = raw
	if wdir != "" {
		raw = path.Join(wdir, raw)
	}
	clean, err := cleanPath(raw)
	if err != nil {
		return out, false, err
	}
	out.Path = clean
	md5, err := text("md5")
	if err != nil {
		return out, false, err
	}
	if md5 != "" {
		hex, isDir := strings.CutSuffix(md5, ".dir")
		if !isMD5(hex) {
			return out, false, fmt.Errorf("invalid md5 '%s'", shown(md5))
		}
		out.MD5, out.Dir = hex, isDir
	}
	hash, err := text("hash")
	if err != nil {
		return out, false, err
	}
	switch hash {
	case "", "md5-dos2unix":
		out.Legacy = true
	case "md5":
		out.Legacy = legacyFormat
	default:
		return out, false, fmt.Errorf("unsupported hash '%s'", shown(hash))
	}
	out.Size = -1
	if s, err := text("size"); err != nil {
		return out, false, err
	} else if s != "" {
		if out.Size, err = strconv.ParseInt(s, 10, 64); err != nil || out.Size < 0 {
			return out, false, fmt.Errorf("invalid size '%s'", shown(s))
		}
	}
	if s, err := text("nfiles"); err != nil {
		return out, false, err
	} else if s != "" {
		if out.NFiles, err = strconv.Atoi(s); err != nil || out.NFiles < 0 {
			return out, false, fmt.Errorf("invalid nfiles '%s'", shown(s))
		}
	}
	if out.Remote, err = text("remote"); err != nil {
		return out, false, err
	}
	cache, err := text("cache")
	if err != nil {
		return out, false, err
	}
	switch cache {
	case "", "true":
		keep = true
	case "false":
	default:
		return out, false, fmt.Errorf("invalid cache '%s'", shown(cache))
	}
	return out, keep, nil
}

// Find returns the out whose path is p, or else the directory out that contains p, with
// inside the path of p relative to that directory ("" when p is the out itself). Paths are
// compared cleaned and slash-separated; if directory outs nest (DVC refuses that), the deepest
// wins.
func Find(outs []Out, p string) (out Out, inside string, ok bool) {
	p = path.Clean(p)
	for _, o := range outs {
		if o.Path == p {
			return o, "", true
		}
	}
	for _, o := range outs {
		if !o.Dir || (ok && len(o.Path) <= len(out.Path)) {
			continue
		}
		if rest, found := strings.CutPrefix(p, o.Path+"/"); found {
			out, inside, ok = o, rest, true
		}
	}
	return out, inside, ok
}

// cleanPath cleans an out's path and refuses one that leaves the repository's tree.
func cleanPath(p string) (string, error) {
	c := path.Clean(p)
	switch {
	case strings.ContainsRune(p, 0):
		return "", errors.New("path contains a NUL byte")
	case path.IsAbs(c) || isWindowsAbs(c):
		return "", errors.New("absolute path")
	case c == ".":
		return "", errors.New("path is the repository itself")
	case c == ".." || strings.HasPrefix(c, "../"):
		return "", errors.New("path outside the repository")
	}
	return c, nil
}

// isWindowsAbs reports a path with a drive letter or a backslash root, which DVC writes for
// an out outside the repository on Windows.
func isWindowsAbs(p string) bool {
	if strings.HasPrefix(p, `\`) {
		return true
	}
	return len(p) >= 2 && p[1] == ':' && ('a' <= p[0]|0x20 && p[0]|0x20 <= 'z')
}

// isMD5 reports 32 lowercase hexadecimal digits, as DVC writes an md5.
func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// parseYAML returns the root node of a document, nil for an empty one. The walk of the
// returned tree refuses aliases, so a small file cannot expand into a huge one.
func parseYAML(data []byte) (root *yaml.Node, err error) {
	// yaml.v3 has panicked on malformed input in the past; a file in a commit is user input.
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("invalid YAML: %v", r)
		}
	}()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", oneLine(err.Error()))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, nil
	}
	return doc.Content[0], nil
}

// mapping returns the keys of a mapping node; what names it in errors. Duplicate keys, which
// YAML forbids, are refused.
func mapping(n *yaml.Node, what string) (map[string]*yaml.Node, error) {
	if err := noAlias(n); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: not a mapping", what)
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if err := noAlias(k); err != nil {
			return nil, err
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: a key is not a string", what)
		}
		if _, dup := m[k.Value]; dup {
			return nil, fmt.Errorf("%s: key '%s' appears twice", what, shown(k.Value))
		}
		m[k.Value] = n.Content[i+1]
	}
	return m, nil
}

// scalar returns a scalar's text as written (an md5 of digits only stays a string).
func scalar(n *yaml.Node, key string) (string, error) {
	if err := noAlias(n); err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("%s: not a string", key)
	}
	return n.Value, nil
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func noAlias(n *yaml.Node) error {
	if n.Kind == yaml.AliasNode {
		return errors.New("YAML aliases are not supported")
	}
	return nil
}

// shown returns a value from a file as an error message shows it: as it is when printable,
// else escaped as a Go string (so a message stays on one line), and cut short when long.
func shown(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "…"
	}
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		q := strconv.Quote(s)
		return q[1 : len(q)-1]
	}
	return s
}

// oneLine joins the lines of a multi-line error (yaml.v3 lists type errors one a line).
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
