package cli

import (
	"slices"

	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/registry"
)

const historyShort = "Show the events of the registry, newest first"

const historyLong = `Print every event (registration, deregistration, assignment, unassignment, deprecation)
newest first: its time, artifact, version, stage, commit, author (the tagger) and tag. With NAME, only the events of
that artifact; NAME@vX.Y.Z, NAME@latest and NAME#STAGE narrow them to a version or a stage.`

type historyCommand struct {
	app     *App
	Reverse bool   `long:"reverse" description:"Oldest event first"`
	JSON    bool   `long:"json" description:"Print JSON instead of a table"`
	At      string `long:"at" value-name:"WHEN" description:"Ignore events after WHEN (a date, a date and time, a relative date such as '2 weeks ago', or a commit)"`
	Verify  bool   `long:"verify" description:"Check each event's signature as git verify-tag does, and show its status and signer"`
	Args    struct {
		Name shortcutArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

// eventJSON is one event of `history --json`, with GTO's keys.
type eventJSON struct {
	Artifact    string  `json:"artifact"`
	Author      string  `json:"author"`
	AuthorEmail string  `json:"author_email"`
	Commit      string  `json:"commit"`
	Event       string  `json:"event"`
	Message     string  `json:"message"`
	Ref         string  `json:"ref"`
	Stage       *string `json:"stage"`
	Timestamp   string  `json:"timestamp"`
	Version     *string `json:"version"`

	Signature *signatureJSON `json:"signature,omitempty"` // with --verify
}

func (c *historyCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	state, err := c.app.StateAt(c.At, registry.ParseShortcut(string(c.Args.Name)).Artifact)
	if err != nil {
		return err
	}
	if !c.JSON {
		c.app.startPager()
	}
	keep, err := c.app.eventFilter(state, string(c.Args.Name))
	if err != nil {
		return err
	}
	all := state.Events()
	events := make([]*registry.Event, 0, len(all))
	for _, e := range all {
		if keep(e) {
			events = append(events, e)
		}
	}
	if !c.Reverse {
		slices.Reverse(events)
	}
	var sigs []signature.Result
	if c.Verify {
		if sigs, err = c.app.signatures(events); err != nil {
			return err
		}
	}
	if c.JSON {
		out := make([]eventJSON, len(events))
		for i, e := range events {
			out[i] = eventJSON{
				Artifact: e.Artifact, Author: e.Author, AuthorEmail: e.AuthorEmail, Commit: e.Commit,
				Event: e.Action.String(), Message: e.Message, Ref: e.Name, Stage: nullable(e.Stage),
				Timestamp: jsonTime(e.Time), Version: nullable(eventVersion(state, e, false)),
			}
			if c.Verify {
				out[i].Signature = newSignatureJSON(sigs[i])
			}
		}
		return writeJSON(c.app.Stdout, out)
	}
	if len(events) == 0 {
		return nil
	}
	header := []string{"time", "artifact", "event", "version", "stage", "commit", "author", "tag"}
	if c.Verify {
		header = append(header, "signature", "signer")
	}
	rows := make([][]string, len(events))
	for i, e := range events {
		rows[i] = []string{tableTime(e.Time), e.Artifact, e.Action.String(), orNone(eventVersion(state, e, true)),
			orNone(e.Stage), object.Short(e.Commit), orNone(e.Author), e.Name}
		if c.Verify {
			rows[i] = append(rows[i], string(sigs[i].Status), signerText(sigs[i]))
		}
	}
	return c.app.writeTable(header, rows,
		func(col int, _ string) string {
			if col == 3 {
				return colorVersion
			}
			return ""
		})
}

// eventFilter returns which events NAME selects: all without NAME, an artifact's, or those of
// one version or one stage of it.
func (app *App) eventFilter(state *registry.State, name string) (func(*registry.Event) bool, error) {
	if name == "" {
		return func(*registry.Event) bool { return true }, nil
	}
	a, sc, err := app.findArtifact(state, name)
	if err != nil {
		return nil, err
	}
	var version *registry.Version
	switch {
	case sc.Latest:
		if version = a.Latest(); version == nil {
			return nil, userError("artifact '%s' has no active version", a.Name)
		}
	case sc.Version != "":
		if version = a.Version(sc.Version); version == nil {
			return nil, userError("artifact '%s' has no version '%s'", a.Name, sc.Version)
		}
	}
	return func(e *registry.Event) bool {
		switch {
		case e.Artifact != a.Name:
			return false
		case version != nil:
			return state.VersionOf(e) == version
		case sc.Stage != "":
			return e.Stage == sc.Stage
		}
		return true
	}, nil
}

// eventVersion is the version an event concerns, "" for a deprecation; short says whether an
// unregistered commit is abbreviated, as tables show it.
func eventVersion(state *registry.State, e *registry.Event, short bool) string {
	v := state.VersionOf(e)
	switch {
	case v == nil:
		return ""
	case short:
		return displayName(v)
	}
	return v.Name
}
