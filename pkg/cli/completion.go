package cli

import (
	"reflect"
	"slices"
	"sort"
	"strings"

	flags "github.com/jessevdk/go-flags"

	"github.com/git-model/git-model/pkg/internal/tagcache"
	"github.com/git-model/git-model/pkg/registry"
)

// Shell completion follows go-flags' protocol: the shell scripts in completions/ run
// `GO_FLAGS_COMPLETION=1 git-model ARGS… PARTIAL` and offer the lines it prints. go-flags
// completes commands and options itself and asks the type of an argument for its values,
// without context, so the context of the one process that completes lives here.
var completing *completionContext

// completionContext is what completers need: the repository and the words typed so far.
type completionContext struct {
	app    *App
	parser *flags.Parser
	args   []string
	index  *tagIndex
}

// tagIndex is what tag names alone say (completion reads no tag object, to stay fast).
type tagIndex struct {
	artifacts []string
	versions  map[string][]string
	stages    map[string][]string // by artifact
	allStages []string
	pending   []string // items of a names index not decoded yet: the versions and stages of each artifact
}

// tags reads and indexes the tag names once, from the names index that the last completion
// left when the refs have not changed since (it answers in a blink at hundreds of thousands
// of tags), else from the tag names, leaving the index for the next.
func (c *completionContext) tags() *tagIndex {
	if c.index != nil {
		return c.index
	}
	c.index = &tagIndex{versions: map[string][]string{}, stages: map[string][]string{}}
	repo, err := c.app.Repo()
	if err != nil {
		return c.index
	}
	items, fresh, save := repo.LoadIndex(tagcache.NamesIndex)
	if fresh && len(items) > 0 && items[0] == namesIndexFormat+" "+Version {
		c.index.decode(items[1:])
		return c.index
	}
	names, err := repo.TagNames()
	if err != nil {
		return c.index
	}
	seen := map[[3]string]bool{}
	add := func(list []string, kind, artifact, value string) []string {
		if key := [3]string{kind, artifact, value}; !seen[key] {
			seen[key] = true
			return append(list, value)
		}
		return list
	}
	for _, name := range names {
		t, ok := registry.ParseTag(name)
		if !ok {
			continue
		}
		c.index.artifacts = add(c.index.artifacts, "a", "", t.Artifact)
		switch t.Action {
		case registry.ActionRegister:
			c.index.versions[t.Artifact] = add(c.index.versions[t.Artifact], "v", t.Artifact, t.Version)
		case registry.ActionAssign:
			c.index.stages[t.Artifact] = add(c.index.stages[t.Artifact], "s", t.Artifact, t.Stage)
			c.index.allStages = add(c.index.allStages, "S", "", t.Stage)
		}
	}
	if save != nil {
		save(append([]string{namesIndexFormat + " " + Version}, c.index.encode()...))
	}
	return c.index
}

// namesIndexFormat is the first item of a names index, with the release of git-model that wrote
// it: the layout and meaning of the others.
const namesIndexFormat = "git-model completion names 2"

// encode writes the index as the items of a names index: "a NAME" and "S STAGE" first, then
// "v NAME VERSION" and "s NAME STAGE", fields apart by NUL, each kind in the index's order.
func (x *tagIndex) encode() []string {
	var items []string
	for _, a := range x.artifacts {
		items = append(items, "a\x00"+a)
	}
	for _, s := range x.allStages {
		items = append(items, "S\x00"+s)
	}
	for _, a := range x.artifacts {
		for _, v := range x.versions[a] {
			items = append(items, "v\x00"+a+"\x00"+v)
		}
		for _, s := range x.stages[a] {
			items = append(items, "s\x00"+a+"\x00"+s)
		}
	}
	return items
}

// decode reads what encode wrote: the artifacts and stages now, the versions and stages of
// each artifact (a hundred thousand items at hundreds of thousands of tags) when first asked.
func (x *tagIndex) decode(items []string) {
	for i, item := range items {
		kind, rest, _ := strings.Cut(item, "\x00")
		switch kind {
		case "a":
			x.artifacts = append(x.artifacts, rest)
		case "S":
			x.allStages = append(x.allStages, rest)
		default:
			x.pending = items[i:]
			return
		}
	}
}

// versionsOf lists the versions registered of an artifact.
func (x *tagIndex) versionsOf(artifact string) []string {
	x.decodePending()
	return x.versions[artifact]
}

// stagesOf lists the stages an artifact was assigned.
func (x *tagIndex) stagesOf(artifact string) []string {
	x.decodePending()
	return x.stages[artifact]
}

func (x *tagIndex) decodePending() {
	for _, item := range x.pending {
		kind, rest, _ := strings.Cut(item, "\x00")
		artifact, value, _ := strings.Cut(rest, "\x00")
		switch kind {
		case "v":
			x.versions[artifact] = append(x.versions[artifact], value)
		case "s":
			x.stages[artifact] = append(x.stages[artifact], value)
		}
	}
	x.pending = nil
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// matching turns the candidates that start with match into completions, sorted.
func matching(match string, candidates []string) []flags.Completion {
	var out []flags.Completion
	for _, c := range candidates {
		if strings.HasPrefix(c, match) {
			out = append(out, flags.Completion{Item: c})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Item < out[j].Item })
	return out
}

// artifactNames lists the artifacts of the tags and of the work tree's annotations.
func (c *completionContext) artifactNames() []string {
	names := append([]string{}, c.tags().artifacts...)
	if notes, err := c.app.Annotations(); err == nil {
		if annotated, err := notes.Names("", []string{""}); err == nil {
			for _, n := range annotated {
				names = appendNew(names, n)
			}
		}
	}
	return names
}

// stages lists the configured stages and those in use.
func (c *completionContext) stages() []string {
	cfg, _ := c.app.Config()
	return registry.StageOrder(cfg.Stages, c.tags().allStages)
}

// artifactArg is an argument that names an artifact.
type artifactArg string

func (*artifactArg) Complete(match string) []flags.Completion {
	if completing == nil {
		return nil
	}
	return matching(match, completing.artifactNames())
}

// shortcutArg is an argument that names an artifact or, with a shortcut, one of its versions
// or stages: NAME@latest, NAME@vX.Y.Z, NAME#STAGE.
type shortcutArg string

func (*shortcutArg) Complete(match string) []flags.Completion {
	if completing == nil {
		return nil
	}
	if i := strings.IndexAny(match, "@#"); i >= 0 {
		name, idx := match[:i], completing.tags()
		var candidates []string
		if match[i] == '@' {
			candidates = append([]string{name + "@latest"}, prefixed(name+"@", idx.versionsOf(name))...)
		} else {
			candidates = prefixed(name+"#", idx.stagesOf(name))
		}
		return matching(match, candidates)
	}
	return matching(match, completing.artifactNames())
}

func prefixed(prefix string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = prefix + s
	}
	return out
}

// stageArg is an argument that names a stage.
type stageArg string

func (*stageArg) Complete(match string) []flags.Completion {
	if completing == nil {
		return nil
	}
	return matching(match, completing.stages())
}

// versionArg is an argument that names a version of the artifact named on the command line.
type versionArg string

func (*versionArg) Complete(match string) []flags.Completion {
	if completing == nil {
		return nil
	}
	return matching(match, completing.tags().versionsOf(completing.artifact()))
}

// refArg is an argument that names a commit: a branch, a tag that is not a registry tag, HEAD.
type refArg string

func (*refArg) Complete(match string) []flags.Completion {
	if completing == nil {
		return nil
	}
	repo, err := completing.app.Repo()
	if err != nil {
		return nil
	}
	refs := []string{"HEAD"}
	if branches, err := repo.BranchNames(); err == nil {
		refs = append(refs, branches...)
	}
	if tags, err := repo.TagNames(); err == nil {
		for _, t := range tags {
			if _, ok := registry.ParseTag(t); !ok {
				refs = append(refs, t)
			}
		}
	}
	return matching(match, refs)
}

// artifact returns the artifact named on the command line being completed: the first argument
// after the command that is not an option or an option's value.
func (c *completionContext) artifact() string {
	var cmd *flags.Command
	for i := 0; i < len(c.args)-1; i++ { // the last word is the one being completed
		word := c.args[i]
		switch {
		case word == "--":
			continue
		case strings.HasPrefix(word, "-"):
			if c.takesValue(cmd, word) {
				i++
			}
		case cmd == nil:
			cmd = c.parser.Find(word)
		default:
			return registry.ParseShortcut(word).Artifact
		}
	}
	return ""
}

// takesValue reports whether an option word ("--version", "-m") is followed by its value.
func (c *completionContext) takesValue(cmd *flags.Command, word string) bool {
	if strings.Contains(word, "=") || cmd == nil {
		return false
	}
	var opt *flags.Option
	if strings.HasPrefix(word, "--") {
		opt = cmd.FindOptionByLongName(strings.TrimPrefix(word, "--"))
	} else if len(word) == 2 {
		opt = cmd.FindOptionByShortName(rune(word[1]))
	}
	return opt != nil && opt.Field().Type.Kind() != reflect.Bool
}
