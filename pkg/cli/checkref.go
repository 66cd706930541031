package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

const checkRefShort = "Tell what a registry tag did, for CI"

const checkRefLong = `Print one sentence saying what the tag REF did (REF is a tag name or refs/tags/NAME), or
with --json an object, or with --name, --version, --stage or --event just those fields, one per
line. A ref that is not a registry tag of this repository prints nothing and exits 0, so that a
CI job triggered by any tag can call it; --strict makes that exit 1. --verify checks the tag's
signature first, as git verify-tag does, and exits 1 unless it is good: a deploy job then
acts only on signed events.`

type checkRefCommand struct {
	app     *App
	JSON    bool `long:"json" description:"Print JSON"`
	Name    bool `long:"name" description:"Print the artifact name"`
	Version bool `long:"version" description:"Print the version"`
	Stage   bool `long:"stage" description:"Print the stage"`
	Event   bool `long:"event" description:"Print the event (registration, deregistration, assignment, unassignment, deprecation)"`
	Strict  bool `long:"strict" description:"Exit 1 when REF is not a registry tag"`
	Verify  bool `long:"verify" description:"Check the tag's signature as git verify-tag does: exit 1 unless it is good"`
	GitHub  bool `long:"github-output" description:"Also append name, version, stage, event, path and type to the file $GITHUB_OUTPUT names (GitHub Actions)"`
	Args    struct {
		Ref string `positional-arg-name:"REF" required:"yes"`
	} `positional-args:"yes"`
}

// refJSON is the object `check-ref --json` prints.
type refJSON struct {
	Artifact    string  `json:"artifact"`
	Author      string  `json:"author"`
	AuthorEmail string  `json:"author_email"`
	Commit      string  `json:"commit"`
	CreatedAt   string  `json:"created_at"`
	Event       string  `json:"event"`
	Message     string  `json:"message"`
	Stage       *string `json:"stage"`
	Tag         string  `json:"tag"`
	Version     *string `json:"version"`

	Signature *signatureJSON `json:"signature,omitempty"` // with --verify
}

func (c *checkRefCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	if c.GitHub && os.Getenv("GITHUB_OUTPUT") == "" {
		return usageError(errors.New("--github-output needs GITHUB_OUTPUT, which GitHub Actions sets"))
	}
	if _, err := c.app.Repo(); err != nil {
		return err
	}
	name := strings.TrimPrefix(c.Args.Ref, "refs/tags/")
	t, ok := registry.ParseEvent(name)
	if !ok {
		if err := registry.NearMiss(name); err != nil {
			// Meant as a registry tag, but no reader sees it: say why, as a warning without
			// --strict, so that a CI job that runs on every tag still succeeds.
			msg := fmt.Sprintf("'%s' is not a registry tag: %v", c.Args.Ref, err)
			if !c.Strict {
				c.app.warn([]string{msg})
			}
			return c.notAnEvent("%s", msg)
		}
		return c.notAnEvent("'%s' is not a registry tag", c.Args.Ref)
	}
	state, err := c.app.stateOf(t.Artifact)
	if err != nil {
		return err
	}
	e := findEvent(state, name)
	if e == nil {
		return c.notAnEvent("'%s' is not an annotated tag of this repository", name)
	}
	version := eventVersion(state, e, false)
	var sig *signatureJSON
	if c.Verify {
		sigs, err := c.app.signatures([]*registry.Event{e})
		if err != nil {
			return err
		}
		if s := sigs[0]; s.Status != signature.Good {
			return userError("%s: %s", e.Name, policy.Describe(s))
		}
		sig = newSignatureJSON(sigs[0])
	}
	if c.GitHub {
		if err := c.githubOutput(e, version); err != nil {
			return err
		}
	}
	switch {
	case c.JSON:
		return writeJSON(c.app.Stdout, refJSON{
			Artifact: e.Artifact, Author: e.Author, AuthorEmail: e.AuthorEmail, Commit: e.Commit,
			CreatedAt: jsonTime(e.Time), Event: e.Action.String(), Message: e.Message,
			Stage: nullable(e.Stage), Tag: e.Name, Version: nullable(version), Signature: sig,
		})
	case c.Name || c.Version || c.Stage || c.Event:
		printFields(c.app.Stdout, field{c.Name, e.Artifact}, field{c.Version, version}, field{c.Stage, e.Stage},
			field{c.Event, e.Action.String()})
		return nil
	}
	_, err = fmt.Fprintln(c.app.Stdout, sentence(e, eventVersion(state, e, true)))
	return err
}

// githubOutput appends the event's fields to $GITHUB_OUTPUT, as GitHub Actions reads step
// outputs: name=value lines. The path and type are those annotated at the tag's commit.
func (c *checkRefCommand) githubOutput(e *registry.Event, version string) error {
	file := os.Getenv("GITHUB_OUTPUT")
	note := c.app.annotation(e.Artifact, e.Commit)
	var b strings.Builder
	for _, kv := range [][2]string{{"name", e.Artifact}, {"version", version}, {"stage", e.Stage},
		{"event", e.Action.String()}, {"path", note.Path}, {"type", note.Type}} {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], strings.ReplaceAll(kv[1], "\n", " "))
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fatalError(fmt.Errorf("opening GITHUB_OUTPUT: %w", unwrapPath(err)))
	}
	defer f.Close()
	if _, err := f.WriteString(b.String()); err != nil {
		return fatalError(fmt.Errorf("writing GITHUB_OUTPUT: %w", err))
	}
	return nil
}

// notAnEvent prints nothing and succeeds, unless --strict asks for an error.
func (c *checkRefCommand) notAnEvent(format string, args ...any) error {
	if c.Strict {
		return userError(format, args...)
	}
	return nil
}

// findEvent returns the event of the annotated tag with that name, or nil.
func findEvent(state *registry.State, name string) *registry.Event {
	for _, e := range state.Events() {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// sentence says what an event did, in words.
func sentence(e *registry.Event, version string) string {
	switch e.Action {
	case registry.ActionRegister:
		return fmt.Sprintf("%s %s was registered", e.Artifact, version)
	case registry.ActionDeregister:
		return fmt.Sprintf("%s %s was deregistered", e.Artifact, version)
	case registry.ActionAssign:
		return fmt.Sprintf("%s %s was assigned to %s", e.Artifact, version, e.Stage)
	case registry.ActionUnassign:
		return fmt.Sprintf("%s %s was unassigned from %s", e.Artifact, version, e.Stage)
	}
	return fmt.Sprintf("%s was deprecated", e.Artifact)
}
