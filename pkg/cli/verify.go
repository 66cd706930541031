package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

const verifyShort = "Check the signatures of the registry's events, or the policy"

const verifyLong = `Check the signature of every event as git verify-tag does, with Git's own programs and
trust rules (gpg and its keyring and trust, gpg.minTrustLevel; gpgsm for X.509;
ssh-keygen with gpg.ssh.allowedSignersFile, its namespaces and validity dates, and
gpg.ssh.revocationFile), and print one row per event, newest first: the status (good,
bad, unknown-key, expired, revoked, untrusted, unsigned or error), the signer (the
allowed-signers principal for SSH, the user id for OpenPGP, the subject for X.509), the
key (its fingerprint: policy files name OpenPGP and X.509 signers by it) and the tag. NAME selects the events of an artifact, of NAME@vX.Y.Z or NAME#STAGE, or the one
tag of that name. Exits 1 when an event is not good.

With --policy, judge the events by the registry's policy file instead (.model-policy.yaml
of the default branch: model.policyRef, else REMOTE/HEAD, else HEAD): one error line per
event it refuses, and exit 1 when it refuses one. Events older than its 'since' are not
judged. This is the check a CI job runs where the server cannot run 'git model hook
pre-receive' (GitHub).`

type verifyCommand struct {
	app    *App
	Policy bool `long:"policy" description:"Judge the events by the policy file of the default branch"`
	JSON   bool `long:"json" description:"Print JSON instead of a table"`
	Args   struct {
		Name shortcutArg `positional-arg-name:"NAME"`
	} `positional-args:"yes"`
}

// verifiedJSON is one event of `verify --json`.
type verifiedJSON struct {
	Artifact  string         `json:"artifact"`
	Event     string         `json:"event"`
	Ref       string         `json:"ref"`
	Signature *signatureJSON `json:"signature"`
	Timestamp string         `json:"timestamp"`
	Policy    []string       `json:"policy,omitempty"` // what the policy refuses, with --policy
}

func (c *verifyCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	name := string(c.Args.Name)
	artifact := registry.ParseShortcut(name).Artifact
	if p, ok := registry.ParseEvent(name); ok {
		artifact = p.Artifact // a tag name (segm-nn#prod#3) reads the tags of its artifact
	}
	state, err := c.app.stateOf(artifact)
	if err != nil {
		return err
	}
	events, err := c.events(state, name)
	if err != nil {
		return err
	}
	var rules *policy.Policy
	if c.Policy {
		if rules, err = c.app.loadPolicy(true); err != nil {
			return err
		}
		if rules == nil {
			where := "in this repository"
			if c.app.policyFrom != "" {
				where = "at " + c.app.policyFrom
			}
			c.app.warn([]string{fmt.Sprintf("no %s %s: nothing to judge by", policy.File, where)})
		}
	}
	sigs, err := c.app.signatures(events)
	if err != nil {
		return err
	}
	refused := make([][]string, len(events))
	if rules != nil {
		position := map[*registry.Event]int{}
		for _, a := range state.Artifacts {
			for i, e := range a.Events {
				position[e] = i
			}
		}
		for i, e := range events {
			before := state.Artifacts[e.Artifact].Events[:position[e]]
			refused[i] = rules.Judge(policyEvent(e, sigs[i]), before, false)
		}
	}
	if err := c.print(events, sigs, refused); err != nil {
		return err
	}
	return c.outcome(events, sigs, refused)
}

// events are the events NAME selects, newest first: one tag's, or as history selects them.
func (c *verifyCommand) events(state *registry.State, name string) ([]*registry.Event, error) {
	if e := findEvent(state, name); e != nil {
		return []*registry.Event{e}, nil
	}
	keep, err := c.app.eventFilter(state, name)
	if err != nil {
		return nil, err
	}
	var events []*registry.Event
	for _, e := range slices.Backward(state.Events()) {
		if keep(e) {
			events = append(events, e)
		}
	}
	return events, nil
}

func (c *verifyCommand) print(events []*registry.Event, sigs []signature.Result, refused [][]string) error {
	if c.JSON {
		out := make([]verifiedJSON, len(events))
		for i, e := range events {
			out[i] = verifiedJSON{Artifact: e.Artifact, Event: e.Action.String(), Ref: e.Name,
				Signature: newSignatureJSON(sigs[i]), Timestamp: jsonTime(e.Time), Policy: refused[i]}
		}
		return writeJSON(c.app.Stdout, out)
	}
	if len(events) == 0 {
		return nil
	}
	rows := make([][]string, len(events))
	for i, e := range events {
		rows[i] = []string{string(sigs[i].Status), signerText(sigs[i]), keyText(sigs[i]), e.Name}
	}
	return c.app.writeTable([]string{"status", "signer", "key", "tag"}, rows, nil)
}

// outcome is the exit status: 1 when an event is not good (or, with --policy, when the policy
// refuses one), with one line per refusal.
func (c *verifyCommand) outcome(events []*registry.Event, sigs []signature.Result, refused [][]string) error {
	if c.Policy {
		n := 0
		for i, reasons := range refused {
			if len(reasons) > 0 {
				fmt.Fprintf(c.app.Stderr, "error: %s: %s\n", terminalSafe(events[i].Name), terminalSafe(strings.Join(reasons, "; ")))
				n++
			}
		}
		if n > 0 {
			return userError("the policy refuses %s of %d", plural(n, "event"), len(events))
		}
		return nil
	}
	bad := 0
	for _, s := range sigs {
		if s.Status != signature.Good {
			bad++
		}
	}
	if bad > 0 {
		return userError("not signed with a good signature: %d of %s", bad, plural(len(events), "event"))
	}
	return nil
}
