// Package annotation owns what the registry says of an artifact besides its tags: where its
// file lives, its type, description and labels. They are kept in artifacts.yaml at the root of
// the repository (or of a monorepo folder), which this package reads and edits in place,
// keeping every other byte of the file, and in the artifacts: section of DVC's dvc.yaml, which
// it only reads.
package annotation

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/git-model/git-model/pkg/safefile"
)

// FileName is the annotations file of a repository or of a monorepo folder.
const FileName = "artifacts.yaml"

// DVCFileName is DVC's pipeline file, whose artifacts: section is read too.
const DVCFileName = "dvc.yaml"

// Annotation is what an annotations file says of one artifact.
type Annotation struct {
	Path        string   `json:"path"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Labels      []string `json:"labels"`
	// Virtual is true when Path is outside Git (the default); false when it must be tracked.
	Virtual bool `json:"virtual"`
	Custom  any  `json:"custom"`
	// Source is the file the annotation was read from.
	Source string `json:"source"`
}

// FilePath returns the annotations file of an artifact ("DIR:NAME" lives in DIR/artifacts.yaml)
// and the key it has there.
func FilePath(artifact, file string) (filePath, key string) {
	if dir, name, found := strings.Cut(artifact, ":"); found {
		return path.Join(dir, file), name
	}
	return file, artifact
}

// CheckFolder refuses a DIR:NAME whose folder would lead out of the work tree ("..") or into
// Git's own directory (".git", in any case): the name grammar allows them, a file path must not.
func CheckFolder(artifact string) error {
	dir, _, found := strings.Cut(artifact, ":")
	if found && !safefile.InTree(dir) {
		return fmt.Errorf("folder '%s' of '%s' is outside the work tree or inside .git", dir, artifact)
	}
	return nil
}

// File is a parsed annotations file.
type File struct {
	name string
	data []byte
	root *yaml.Node // the top-level mapping; nil for an empty file
}

// yamlLine finds the line number in yaml.v3's error messages.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// Parse parses an annotations file; name is used in errors, which give the line.
func Parse(name string, data []byte) (*File, error) {
	root, err := parseMapping(name, data)
	if err != nil {
		return nil, err
	}
	return &File{name: name, data: data, root: root}, nil
}

// parseMapping parses a YAML document whose top level must be a mapping; nil for an empty one.
func parseMapping(name string, data []byte) (*yaml.Node, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: not UTF-8 text", name)
	}
	// A Decoder, unlike Unmarshal, sees a second document, which GTO rejects and which a new
	// artifact, added at the end of the file, would land in.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc, next yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, parseError(name, data, err)
	}
	if err := dec.Decode(&next); err == nil {
		return nil, fmt.Errorf("%s:%d: more than one YAML document", name, next.Line)
	} else if err != io.EOF {
		return nil, parseError(name, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	switch {
	case root.Kind == yaml.ScalarNode && root.Tag == "!!null":
		return nil, nil
	case root.Kind != yaml.MappingNode:
		return nil, fmt.Errorf("%s:%d: expected a mapping of artifact names", name, root.Line)
	}
	// yaml.v3 keeps both of two equal keys in a node; an edit would change the first only.
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key := root.Content[i]
		if line, ok := seen[key.Value]; ok {
			return nil, fmt.Errorf("%s:%d: '%s' appears twice (first at line %d)", name, key.Line, key.Value, line)
		}
		seen[key.Value] = key.Line
	}
	return root, nil
}

// parseError is yamlError for a file that does not parse. yaml.v3 leaves out the line of an
// error on the first line, and of a control character: put it in.
func parseError(name string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if yamlLine.MatchString(msg) || strings.HasPrefix(msg, "unknown anchor") {
		return aliasLine(yamlError(name, err), name, data)
	}
	line := 1
	if strings.HasPrefix(msg, "control characters") {
		line += bytes.Count(data[:max(bytes.IndexFunc(data, isControl), 0)], []byte("\n"))
	}
	return yamlError(name, fmt.Errorf("line %d: %s", line, msg))
}

// isControl reports the characters yaml.v3 does not allow in a file.
func isControl(r rune) bool {
	return !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0x7e || r == 0x85 ||
		r >= 0xa0 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000)
}

// yamlError rewords a yaml.v3 error as "FILE:LINE: message".
func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], strings.ReplaceAll(msg[len(m[0]):], "\n", " "))
	}
	return fmt.Errorf("%s: %s", name, strings.ReplaceAll(msg, "\n", " "))
}

// unknownAnchor finds the anchor in yaml.v3's error for an alias to nothing, which has no line.
var unknownAnchor = regexp.MustCompile(`^[^:]+: unknown anchor '([^']*)' referenced$`)

// aliasLine adds the line of the first use of an unknown alias to yaml.v3's error for it.
func aliasLine(err error, name string, data []byte) error {
	m := unknownAnchor.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, "*"+m[1]) {
			return fmt.Errorf("%s:%d: unknown anchor '%s' referenced", name, i+1, m[1])
		}
	}
	return err
}

// Bytes returns the content of the file.
func (f *File) Bytes() []byte {
	return f.data
}

// Names returns the artifacts the file annotates, in file order.
func (f *File) Names() []string {
	var names []string
	for _, key := range f.keys() {
		names = append(names, key.Value)
	}
	return names
}

func (f *File) keys() []*yaml.Node {
	if f.root == nil {
		return nil
	}
	keys := make([]*yaml.Node, 0, len(f.root.Content)/2)
	for i := 0; i+1 < len(f.root.Content); i += 2 {
		keys = append(keys, f.root.Content[i])
	}
	return keys
}

// entry returns the key and value nodes of an artifact, or nils.
func (f *File) entry(name string) (key, value *yaml.Node) {
	if f.root == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(f.root.Content); i += 2 {
		if f.root.Content[i].Value == name {
			return f.root.Content[i], f.root.Content[i+1]
		}
	}
	return nil, nil
}

// fields is the form of an artifact's entry in artifacts.yaml (GTO's keys).
type fields struct {
	Type        string    `yaml:"type"`
	Path        string    `yaml:"path"`
	Virtual     *bool     `yaml:"virtual"`
	Labels      []string  `yaml:"labels"`
	Description string    `yaml:"description"`
	Custom      yaml.Node `yaml:"custom"`
}

// Get returns the annotation of an artifact; ok is false when the file does not name it.
func (f *File) Get(name string) (a Annotation, ok bool, err error) {
	_, value := f.entry(name)
	if value == nil {
		return Annotation{}, false, nil
	}
	var v fields
	if value.Kind == yaml.MappingNode {
		if err := value.Decode(&v); err != nil {
			return Annotation{}, true, yamlError(f.name, err)
		}
	} else if value.Tag != "!!null" {
		return Annotation{}, true, fmt.Errorf("%s:%d: the annotation of '%s' is not a mapping", f.name, value.Line, name)
	}
	a = Annotation{Path: v.Path, Type: v.Type, Description: v.Description, Labels: v.Labels, Virtual: v.Virtual == nil || *v.Virtual, Source: f.name}
	if v.Custom.Kind != 0 {
		if err := v.Custom.Decode(&a.Custom); err != nil {
			return Annotation{}, true, yamlError(f.name, err)
		}
	}
	return a, true, nil
}

// ParseDVC reads the artifacts: section of a dvc.yaml (keys path, type, desc, labels, meta).
func ParseDVC(name string, data []byte) (map[string]Annotation, error) {
	root, err := parseMapping(name, data)
	if err != nil || root == nil {
		return nil, err
	}
	var doc struct {
		Artifacts map[string]struct {
			Path   string    `yaml:"path"`
			Type   string    `yaml:"type"`
			Desc   string    `yaml:"desc"`
			Labels []string  `yaml:"labels"`
			Meta   yaml.Node `yaml:"meta"`
		} `yaml:"artifacts"`
	}
	if err := root.Decode(&doc); err != nil {
		return nil, yamlError(name, err)
	}
	out := make(map[string]Annotation, len(doc.Artifacts))
	for artifact, v := range doc.Artifacts {
		a := Annotation{Path: v.Path, Type: v.Type, Description: v.Desc, Labels: v.Labels, Virtual: true, Source: name}
		if v.Meta.Kind != 0 {
			if err := v.Meta.Decode(&a.Custom); err != nil {
				return nil, yamlError(name, err)
			}
		}
		out[artifact] = a
	}
	return out, nil
}

// errNotFound is returned by edits of an artifact the file does not name.
var errNotFound = errors.New("not annotated")

// scalarText formats a string as a YAML scalar on one line, quoted only when needed.
func scalarText(s string) string {
	node := yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	// yaml.v3 writes U+2028 and U+2029 as line breaks, and "<<" plain, which is a merge key.
	if strings.ContainsAny(s, "\n\r\t\u0085\u2028\u2029") || s == "" || s == "<<" {
		return strconv.Quote(s)
	}
	out, err := yaml.Marshal(&node)
	if err != nil {
		return strconv.Quote(s)
	}
	return string(bytes.TrimRight(out, "\n"))
}
