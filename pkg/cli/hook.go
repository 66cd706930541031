package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/registry"
)

const hookShort = "Run as a server-side Git hook: guard pushed registry tags, or say what each stage shows after a push"

const hookLong = `Installed as a repository's hooks/pre-receive (#!/bin/sh, then exec git model hook
pre-receive), judge every pushed registry tag before git accepts the push, by the rules of
docs/trust.md and the policy file (.model-policy.yaml) of the default branch as it was before
the push: a registry tag is never deleted or moved (except by a rewriter of the policy, with
git push --signed), a tag that looks like a registry tag must parse and be annotated, its time
must not be before the artifact's newest event, and the policy's stage order and signers
hold. Each refused tag gets one line, and the push is refused; a push without registry tags
is never judged.

Installed as hooks/post-receive (#!/bin/sh, then exec git model hook post-receive "$@"), read
the ref updates of the push from standard input (OLD NEW REFNAME, one per line) and print one
line per stage whose shown version the push changed: artifact, stage, the version it showed
before, the version it shows now (- for none) and that version's commit; with --json one JSON
object per line. However many assignment tags the push carries, and in whatever order, each
stage is reported once, with the version it ends up showing: deploy that, not the tags one by
one. Branches and other tags are ignored.`

type hookCommand struct {
	app   *App
	JSON  bool   `long:"json" description:"Print one JSON object per line: artifact, stage, before, after, commit, path"`
	Stage string `long:"stage" value-name:"STAGE" description:"Report only this stage"`
	Args  struct {
		Hook string `positional-arg-name:"HOOK" required:"yes" description:"The hook to run: pre-receive or post-receive"`
	} `positional-args:"yes"`
}

// hookJSON is one line of `hook post-receive --json`.
type hookJSON struct {
	After    *string `json:"after"`
	Artifact string  `json:"artifact"`
	Before   *string `json:"before"`
	Commit   *string `json:"commit"`
	Path     *string `json:"path"`
	Stage    string  `json:"stage"`
}

// pushedTag is one tag that a push created, moved or deleted.
type pushedTag struct {
	name     string
	old, new string // object ids; "" for none
}

func (c *hookCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if c.Args.Hook != "post-receive" && c.Args.Hook != "pre-receive" {
		return usageError(fmt.Errorf("unknown hook '%s': git model runs as pre-receive or post-receive", c.Args.Hook))
	}
	if c.Args.Hook == "pre-receive" && (c.JSON || c.Stage != "") {
		return usageError(errors.New("--json and --stage are options of post-receive"))
	}
	updates, err := c.readUpdates()
	if err != nil {
		return err
	}
	if c.Args.Hook == "pre-receive" {
		return c.preReceive(updates)
	}
	var pushed []pushedTag
	for _, u := range updates {
		if _, ok := registry.ParseEvent(u.name); ok {
			pushed = append(pushed, u)
		}
	}
	repo, err := c.app.Repo()
	if err != nil {
		return err
	}
	byArtifact := map[string][]pushedTag{}
	for _, p := range pushed {
		t, _ := registry.ParseTag(p.name)
		byArtifact[t.Artifact] = append(byArtifact[t.Artifact], p)
	}
	var out []stageChange
	for _, artifact := range slices.Sorted(maps.Keys(byArtifact)) {
		changes, err := c.changes(repo, artifact, byArtifact[artifact])
		if err != nil {
			return err
		}
		out = append(out, changes...)
	}
	return c.print(out)
}

// readUpdates reads the lines git gives pre-receive and post-receive, OLD NEW REFNAME, and keeps
// the tags among them.
func (c *hookCommand) readUpdates() ([]pushedTag, error) {
	var pushed []pushedTag
	sc := bufio.NewScanner(c.app.Stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 || !isObjectID(fields[0]) || !isObjectID(fields[1]) {
			return nil, userError("%s: cannot read '%s' (want OLD NEW REFNAME)", c.Args.Hook, line)
		}
		name, ok := strings.CutPrefix(fields[2], "refs/tags/")
		if !ok {
			continue
		}
		pushed = append(pushed, pushedTag{name: name, old: unlessZero(fields[0]), new: unlessZero(fields[1])})
	}
	if err := sc.Err(); err != nil {
		return nil, fatalError(fmt.Errorf("reading standard input: %w", err))
	}
	return pushed, nil
}

// changes compares what the artifact's stages show now with what they showed before the push:
// the current tags with the pushed updates undone, a created tag taken away, a moved or
// deleted one read back from its old object, which post-receive still has.
func (c *hookCommand) changes(repo *gitrepo.Repository, artifact string, pushed []pushedTag) ([]stageChange, error) {
	tags, err := repo.ArtifactTags(registry.TagArtifact(artifact))
	if err != nil {
		return nil, fatalError(err)
	}
	after := registry.Build(tags)
	c.app.warn(after.Warnings)
	undone := make(map[string]bool, len(pushed))
	for _, p := range pushed {
		undone[p.name] = true
	}
	before := slices.DeleteFunc(slices.Clone(tags), func(t gitrepo.Tag) bool { return undone[t.Name] })
	for _, p := range pushed {
		if p.old == "" {
			continue
		}
		old, err := repo.TagAt(p.name, p.old)
		if err != nil {
			return nil, fatalError(err)
		}
		before = append(before, old)
	}
	slices.SortFunc(before, func(a, b gitrepo.Tag) int { return strings.Compare(a.Name, b.Name) })
	changes := stageChanges(registry.Build(before), after, artifact)
	if c.Stage != "" {
		changes = slices.DeleteFunc(changes, func(ch stageChange) bool { return ch.stage != c.Stage })
	}
	return changes, nil
}

// print writes one line per change: words for people and shell scripts (`while read artifact
// stage before after commit`), or JSON objects.
func (c *hookCommand) print(changes []stageChange) error {
	enc := json.NewEncoder(c.app.Stdout)
	enc.SetEscapeHTML(false)
	for _, ch := range changes {
		var before, after, commit string
		if ch.before != nil {
			before = ch.before.Name
		}
		if ch.after != nil {
			after, commit = ch.after.Name, ch.after.Commit
		}
		if c.JSON {
			var path *string
			if commit != "" {
				path = nullable(c.app.annotation(ch.artifact, commit).Path)
			}
			if err := enc.Encode(hookJSON{After: nullable(after), Artifact: ch.artifact, Before: nullable(before),
				Commit: nullable(commit), Path: path, Stage: ch.stage}); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintf(c.app.Stdout, "%s %s %s %s %s\n", terminalSafe(ch.artifact), terminalSafe(ch.stage),
			terminalSafe(orNone(before)), terminalSafe(orNone(after)), orNone(commit)); err != nil {
			return err
		}
	}
	return nil
}

// isObjectID reports whether s is an object id as git writes them: 40 (SHA-1) or 64 (SHA-256)
// lowercase hex digits.
func isObjectID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// unlessZero is an object id, or "" for git's all-zero id of a ref that does not exist.
func unlessZero(id string) string {
	if strings.Trim(id, "0") == "" {
		return ""
	}
	return id
}
