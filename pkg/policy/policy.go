// Package policy reads the registry's committed policy file and judges registry events by it:
// stage order, who may sign which events, which tags may be deleted or moved, and what a new
// registry tag must be (docs/trust.md).
package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/registry"
	"gopkg.in/yaml.v3"
)

// File is the policy's path in the repository, read from one commit (docs/trust.md §2).
const File = ".model-policy.yaml"

// MaxSize is the size of the largest policy file read: a few rules take a few hundred bytes.
const MaxSize = 1 << 20

// Policy is a parsed policy file.
type Policy struct {
	// Since is when the rules took effect: events before it are not judged by `verify
	// --policy`; a tag being written or pushed is always judged.
	Since     time.Time
	Rules     []Rule
	Rewriters []string // who may delete or move registry tags, groups expanded
}

// Rule is one entry of the file's rules.
type Rule struct {
	Line         int // where it is in the file
	Artifacts    []*regexp.Regexp
	Stages       []string
	Actions      []registry.Action
	Signers      []string
	PromotesFrom []string
}

// file is the YAML the policy is written in.
type file struct {
	Since     string                `yaml:"since"`
	Signers   map[string]stringList `yaml:"signers"`
	Rules     []fileRule            `yaml:"rules"`
	Rewriters stringList            `yaml:"rewriters"`
}

type fileRule struct {
	Artifacts    stringList `yaml:"artifacts"`
	Stages       stringList `yaml:"stages"`
	Actions      stringList `yaml:"actions"`
	Signers      stringList `yaml:"signers"`
	PromotesFrom stringList `yaml:"promotes_from"`
	line         int
}

// stringList reads a list of strings, or one string as a list of one.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = stringList{n.Value}
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return err
	}
	*l = list
	return nil
}

func (r *fileRule) UnmarshalYAML(n *yaml.Node) error {
	if err := knownKeys(n, "a rule", "artifacts", "stages", "actions", "signers", "promotes_from"); err != nil {
		return err
	}
	type plain fileRule
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = fileRule(p)
	r.line = n.Line
	return nil
}

// isNull reports whether n is YAML's null (nothing, ~ or null), or an alias of it.
func isNull(n *yaml.Node) bool {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// knownKeys refuses a mapping with a key it does not name, and what is not a mapping.
func knownKeys(n *yaml.Node, what string, keys ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s is a mapping of %s", n.Line, what, strings.Join(keys, ", "))
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(keys, k.Value) {
			return fmt.Errorf("line %d: unknown key '%s' in %s (%s)", k.Line, k.Value, what, strings.Join(keys, ", "))
		}
	}
	return nil
}

// actionNames are the words the file uses for actions, GTO's commands among them.
var actionNames = map[string]registry.Action{
	"register": registry.ActionRegister, "deregister": registry.ActionDeregister,
	"assign": registry.ActionAssign, "promote": registry.ActionAssign,
	"unassign": registry.ActionUnassign, "demote": registry.ActionUnassign,
	"deprecate": registry.ActionDeprecate,
}

// Parse reads a policy file. Unknown keys, unknown actions, stages that are not stage names and
// rules that ask nothing are errors, so that a typo never relaxes a rule unseen. An error is one
// line: the control characters of the file's values are escaped in it.
func Parse(data []byte) (*Policy, error) {
	p, err := parse(data)
	if err != nil {
		return nil, errors.New(escapeControls(err.Error()))
	}
	return p, nil
}

// escapeControls writes the control characters of s as Go escapes (\n, \x1b).
func escapeControls(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func parse(data []byte) (*Policy, error) {
	var f file
	var doc, more yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, errors.New(strings.TrimPrefix(firstLine(err), "yaml: "))
	}
	if err := dec.Decode(&more); err != io.EOF {
		// Rules after a "---" would be read by no one: say so rather than ignore them.
		return nil, fmt.Errorf("line %d: one YAML document only", more.Line)
	}
	if len(doc.Content) > 0 && !isNull(doc.Content[0]) {
		top := doc.Content[0]
		if err := knownKeys(top, "the policy", "since", "signers", "rules", "rewriters"); err != nil {
			return nil, err
		}
		// yaml drops the empty entries of a list of structs: a rule left empty asks nothing.
		for i := 0; i < len(top.Content); i += 2 {
			if rules := top.Content[i+1]; top.Content[i].Value == "rules" && rules.Kind == yaml.SequenceNode {
				for j, n := range rules.Content {
					if isNull(n) {
						return nil, fmt.Errorf("rule %d (line %d): asks nothing (give signers or promotes_from)", j+1, n.Line)
					}
				}
			}
		}
		if err := top.Decode(&f); err != nil {
			msg := strings.TrimPrefix(firstLine(err), "yaml: unmarshal errors: ")
			if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
				msg = te.Errors[0] // whole, when a value in it has a newline
			}
			return nil, errors.New(typeError.ReplaceAllString(msg, "unexpected value$2 ($1)"))
		}
	}
	p := &Policy{}
	if f.Since != "" {
		t, err := parseSince(f.Since)
		if err != nil {
			return nil, err
		}
		p.Since = t
	}
	for group := range f.Signers {
		if strings.TrimSpace(group) == "" {
			return nil, errors.New("signers: a group needs a name")
		}
	}
	expand := func(names []string) []string {
		var out []string
		for _, n := range names {
			if members, ok := f.Signers[n]; ok {
				out = append(out, members...)
			} else {
				out = append(out, n)
			}
		}
		return out
	}
	p.Rewriters = expand(f.Rewriters)
	if slices.Contains(p.Rewriters, "") {
		return nil, errors.New("rewriters: an empty signer")
	}
	for i, fr := range f.Rules {
		r := Rule{Line: fr.line, Stages: fr.Stages, Signers: expand(fr.Signers), PromotesFrom: fr.PromotesFrom}
		where := fmt.Sprintf("rule %d (line %d)", i+1, fr.line)
		for _, pattern := range fr.Artifacts {
			if pattern == "" {
				return nil, fmt.Errorf("%s: an empty artifact pattern", where)
			}
			r.Artifacts = append(r.Artifacts, glob(pattern))
		}
		for _, s := range slices.Concat(fr.Stages, fr.PromotesFrom) {
			if err := registry.ValidateStage(s); err != nil {
				return nil, fmt.Errorf("%s: %v", where, err)
			}
		}
		for _, a := range fr.Actions {
			action, ok := actionNames[a]
			if !ok {
				return nil, fmt.Errorf("%s: unknown action '%s' (register, deregister, assign, unassign, deprecate)", where, a)
			}
			r.Actions = append(r.Actions, action)
		}
		if len(r.Actions) == 0 && len(r.Stages) > 0 {
			r.Actions = []registry.Action{registry.ActionAssign, registry.ActionUnassign}
		}
		if len(r.Signers) == 0 && len(r.PromotesFrom) == 0 {
			return nil, fmt.Errorf("%s: asks nothing (give signers or promotes_from)", where)
		}
		if len(fr.Signers) > 0 && slices.Contains(r.Signers, "") {
			return nil, fmt.Errorf("%s: an empty signer", where)
		}
		if len(fr.Signers) > 0 && len(r.Signers) == 0 {
			return nil, fmt.Errorf("%s: its signers name only empty groups", where)
		}
		p.Rules = append(p.Rules, r)
	}
	return p, nil
}

// parseSince reads the since key: a date, or a date and time (RFC 3339).
func parseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("since: '%s' is not a date (YYYY-MM-DD or RFC 3339)", s)
}

// glob turns an artifact pattern into a regular expression: '*' stands for any characters, '?'
// for one; the pattern matches the whole name.
func glob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// typeError is yaml's wording of a value of the wrong kind, which names Go types (and no value
// for a list or a mapping).
var typeError = regexp.MustCompile("cannot unmarshal (\\S+)( `[^`]*`)? into .*")

// firstLine is an error's first line, with yaml's indented details joined to it.
func firstLine(err error) string {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	if len(lines) > 1 && strings.HasSuffix(lines[0], ":") {
		return lines[0] + " " + strings.TrimSpace(lines[1])
	}
	return lines[0]
}

// Event is a registry tag to judge.
type Event struct {
	registry.Tag
	Name      string
	Commit    string
	Time      time.Time
	Annotated bool
	Signature signature.Result
}

// applies reports whether the rule concerns the event.
func (r *Rule) applies(e *Event) bool {
	if len(r.Artifacts) > 0 && !slices.ContainsFunc(r.Artifacts, func(re *regexp.Regexp) bool { return re.MatchString(e.Artifact) }) {
		return false
	}
	if len(r.Stages) > 0 && (e.Stage == "" || !slices.Contains(r.Stages, e.Stage)) {
		return false
	}
	return len(r.Actions) == 0 || slices.Contains(r.Actions, e.Action)
}

// Skew is how far in the future a new event's time may be: the clocks of teammates differ.
const Skew = 10 * time.Minute

// now is the clock that Skew counts from.
var now = time.Now

// Judge says what is wrong with an event, one reason each, nothing when the policy allows it.
// before are the artifact's events before it, oldest first. fresh is a tag being written or
// pushed: it must be annotated and not older than the artifact's newest event, and Since does
// not spare it.
func (p *Policy) Judge(e *Event, before []*registry.Event, fresh bool) []string {
	var reasons []string
	if fresh {
		if !e.Annotated {
			return []string{"a lightweight tag: registry tags are annotated (git tag -a)"}
		}
		if e.Time.IsZero() {
			return []string{"its tag object has no tagger time: readers could not order it"}
		}
		if limit := now().Add(Skew); e.Time.After(limit) {
			// A time far ahead would put every later event of the artifact before it.
			return []string{fmt.Sprintf("its time %s is in the future", e.Time.Format(time.RFC3339))}
		}
		if n := len(before); n > 0 && e.Time.Before(before[n-1].Time) {
			reasons = append(reasons, fmt.Sprintf("its time %s is before the artifact's newest event (%s, %s)",
				e.Time.Format(time.RFC3339), before[n-1].Name, before[n-1].Time.Format(time.RFC3339)))
		}
	} else if !p.Since.IsZero() && e.Time.Before(p.Since) {
		return nil
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		if !r.applies(e) {
			continue
		}
		if len(r.PromotesFrom) > 0 && e.Action == registry.ActionAssign && !promoted(e, before, r.PromotesFrom) {
			reasons = append(reasons, fmt.Sprintf("stage %s needs the version in %s first (%s line %d)",
				e.Stage, strings.Join(r.PromotesFrom, " or "), File, r.Line))
		}
		if len(r.Signers) > 0 && !SignedBy(e.Signature, r.Signers) {
			reasons = append(reasons, fmt.Sprintf("%s; %s needs a good signature by %s (%s line %d)",
				Describe(e.Signature), what(e), strings.Join(r.Signers, ", "), File, r.Line))
		}
	}
	return reasons
}

// RequiresSignature reports whether some rule names signers for the event.
func (p *Policy) RequiresSignature(e *Event) bool {
	for i := range p.Rules {
		if r := &p.Rules[i]; len(r.Signers) > 0 && r.applies(e) {
			return true
		}
	}
	return false
}

// MayRewrite reports whether one of the signatures is a rewriter's: deleting or moving a
// registry tag needs it.
func (p *Policy) MayRewrite(sigs ...signature.Result) bool {
	return slices.ContainsFunc(sigs, func(s signature.Result) bool { return SignedBy(s, p.Rewriters) })
}

// promoted reports whether the version of the commit was assigned one of the stages before.
func promoted(e *Event, before []*registry.Event, stages []string) bool {
	return slices.ContainsFunc(before, func(b *registry.Event) bool {
		return b.Action == registry.ActionAssign && b.Commit == e.Commit && slices.Contains(stages, b.Stage) && !b.Time.After(e.Time)
	})
}

// SignedBy reports whether a good signature was made by one of the signers: an SSH principal of
// the allowed-signers file, or an OpenPGP or X.509 key by its fingerprint or the long key id at
// its end (16 hex digits or more; spaces are ignored), the signing subkey's or the primary key's.
func SignedBy(s signature.Result, signers []string) bool {
	if s.Status != signature.Good {
		return false
	}
	for _, want := range signers {
		if s.Format == signature.SSH {
			if want == s.Signer {
				return true
			}
			continue
		}
		hex := strings.ToUpper(strings.ReplaceAll(want, " ", ""))
		if len(hex) < 16 || strings.Trim(hex, "0123456789ABCDEF") != "" {
			continue
		}
		for _, fp := range []string{s.Fingerprint, s.PrimaryFingerprint} {
			// A push certificate names its key by the long key id alone (16 hex digits).
			if fp != "" && (strings.HasSuffix(fp, hex) || len(fp) >= 16 && strings.HasSuffix(hex, fp)) {
				return true
			}
		}
	}
	return false
}

// Describe says what a signature is, for a reason: "unsigned", "signed by alice@example.com",
// "unknown-key signature (no principal …)".
func Describe(s signature.Result) string {
	switch s.Status {
	case signature.Unsigned, "":
		return "unsigned"
	case signature.Good:
		return "signed by " + Signer(s)
	}
	if s.Reason != "" {
		return fmt.Sprintf("%s signature (%s)", s.Status, s.Reason)
	}
	return string(s.Status) + " signature"
}

// Signer names who made a signature: the principal or user id, else the key.
func Signer(s signature.Result) string {
	switch {
	case s.Signer != "" && s.Format == signature.SSH:
		return s.Signer
	case s.PrimaryFingerprint != "":
		return s.PrimaryFingerprint
	case s.Fingerprint != "":
		return s.Fingerprint
	case s.Signer != "":
		return s.Signer
	}
	return s.Key
}

// what names an event's kind for a reason: "assigning prod", "registering".
func what(e *Event) string {
	switch e.Action {
	case registry.ActionAssign:
		return "assigning " + e.Stage
	case registry.ActionUnassign:
		return "unassigning " + e.Stage
	case registry.ActionRegister:
		return "registering"
	case registry.ActionDeregister:
		return "deregistering"
	}
	return "deprecating"
}
