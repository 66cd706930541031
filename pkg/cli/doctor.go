package cli

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/config"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

const doctorShort = "Check the registry for what GTO, DVC or teammates would read wrongly"

const doctorLong = `Read the repository's tags, configuration, annotations and remotes, and report each problem
on one line with the command that fixes it: an artifact with two active versions on one commit
(GTO cannot read it), tags that look like registry tags but that no reader parses (nn@1.0.0,
nn@v1.0, nn#Prod!x), lightweight registry tags (GTO ignores them), numbered events of an
artifact whose tagger times tie or go backwards (readers see them in another order than they
were made), a remote whose fetch brings no tags, a .gto, artifacts.yaml or dvc.yaml that
does not parse, and events that the policy (.model-policy.yaml of the default branch) refuses:
unsigned or not signed by a signer it names where it names some, or a version that reached a
stage without the one it must come from. A policy file that does not read is a problem too.

Notes are what is merely not done yet: tags not published to the remote and deletions waiting
for 'git model push', as the last push and fetch recorded them (doctor never contacts the
remote; 'git model status' does). Notes do not change the exit status: doctor exits 1 when it
reports a problem, 0 otherwise. A repository without a remote is not a problem.`

type doctorCommand struct {
	app  *App
	JSON bool `long:"json" description:"Print a JSON list of findings (kind, severity, subject, message, fix)"`

	remote string // the remote that fixes push to, as writes choose it (remoteName)
}

// finding is one thing doctor reports. Fields are in alphabetical order (writeJSON).
type finding struct {
	Fix      string `json:"fix"`
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	Severity string `json:"severity"` // problem or note
	Subject  string `json:"subject"`  // a tag, an artifact, a remote or a file
}

// The severities: a problem makes doctor exit 1, a note does not.
const (
	severityProblem = "problem"
	severityNote    = "note"
)

func (c *doctorCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	repo, err := c.app.Repo() // -R PATH checks another repository; it only reads
	if err != nil {
		return err
	}
	c.remote = c.app.remoteName(repo, "")
	tags, err := repo.Tags()
	if err != nil {
		return fatalError(err)
	}
	// Built here rather than by App.State, whose warnings would repeat the findings on stderr.
	state := registry.Build(tags)
	var found []finding
	found = append(found, c.tagFindings(tags)...)
	found = append(found, c.stateFindings(state)...)
	remoteFound, err := c.remoteFindings(repo)
	if err != nil {
		return err
	}
	found = append(found, remoteFound...)
	found = append(found, c.fileFindings(state)...)
	policyFound, err := c.policyFindings(state)
	if err != nil {
		return err
	}
	found = append(found, policyFound...)
	notes, err := c.publishNotes(repo)
	if err != nil {
		return err
	}
	found = append(found, notes...)

	problems := 0
	for _, f := range found {
		if f.Severity == severityProblem {
			problems++
		}
	}
	if c.JSON {
		if found == nil {
			found = []finding{}
		}
		if err := writeJSON(c.app.Stdout, found); err != nil {
			return err
		}
	} else {
		c.print(found)
	}
	if problems > 0 {
		return userError("%s found", plural(problems, "problem"))
	}
	return nil
}

// print shows one line per finding, then what to do: "problem: SUBJECT: MESSAGE", with the fix
// on the next line, as status shows "to resolve".
func (c *doctorCommand) print(found []finding) {
	w := c.app.Stdout
	if len(found) == 0 {
		fmt.Fprintln(w, "No problem found")
		return
	}
	for _, f := range found {
		fmt.Fprintln(w, terminalSafe(fmt.Sprintf("%s: %s: %s", f.Severity, f.Subject, f.Message)))
		fmt.Fprintln(w, terminalSafe("\t  to fix: "+f.Fix))
	}
}

// plural is "1 problem" or "2 problems".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// tagFindings reports the tags that readers skip: names that look like registry tags but do
// not parse (registry.NearMiss), and lightweight registry tags, which make no event.
func (c *doctorCommand) tagFindings(tags []gitrepo.Tag) []finding {
	var found []finding
	for _, t := range tags {
		parsed, ok := registry.ParseTag(t.Name)
		switch {
		case !ok:
			if err := registry.NearMiss(t.Name); err != nil {
				found = append(found, finding{Kind: "unparsable-tag", Severity: severityProblem, Subject: t.Name,
					Message: fmt.Sprintf("GTO and git-model ignore this tag: %v", err),
					Fix:     c.nearMissFix(t)})
			}
		case t.Commit == "" && t.Annotated:
			found = append(found, finding{Kind: "tag-not-on-commit", Severity: severityProblem, Subject: t.Name,
				Message: fmt.Sprintf("the tag points to a %s, not a commit: no reader makes an event of it", t.PeeledType),
				Fix:     fmt.Sprintf("git tag -d %s, then write the event again on a commit with git model%s", shellQuote(t.Name), c.ifPushed(false, gitrepo.DeleteRefspec(t.Name)))})
		case !t.Annotated && parsed.Action != registry.ActionNone:
			e := &registry.Event{Tag: parsed, Name: t.Name}
			version := parsed.Version
			if version == "" {
				version = object.Short(t.Commit)
			}
			found = append(found, finding{Kind: "lightweight-tag", Severity: severityProblem, Subject: t.Name,
				Message: "a lightweight tag: GTO and git-model read only annotated tags, so this event does not exist for them",
				Fix: fmt.Sprintf("git tag -a -f -m %s %s %s%s",
					shellQuote(sentence(e, version)), shellQuote(t.Name), shellQuote(t.Name+"^{}"), c.ifPushed(true, t.Name))})
		}
	}
	return found
}

// nearMissFix says how to replace a tag that no reader parses: write the event again with
// git-model, then delete the tag. A registration whose version lacks its "v" says the command.
func (c *doctorCommand) nearMissFix(t gitrepo.Tag) string {
	drop := "git tag -d " + shellQuote(t.Name) + c.ifPushed(false, gitrepo.DeleteRefspec(t.Name))
	if i := strings.IndexByte(t.Name, '@'); i > 0 && t.Commit != "" {
		version, _, _ := strings.Cut(t.Name[i+1:], "#")
		if registry.VersionWithoutV(version) != nil {
			artifact := registry.UserArtifact(t.Name[:i])
			return fmt.Sprintf("git model register %s --version %s %s && %s", shellQuote(artifact),
				"v"+strings.TrimPrefix(version, "V"), object.Short(t.Commit), drop)
		}
	}
	return "write the event again with git model (register, promote, demote, deprecate), then " + drop
}

// ifPushed is the remark that says how to send a fixed tag to the remote, if it was pushed
// already: git push, with --force when the tag was rewritten, of refspec.
func (c *doctorCommand) ifPushed(force bool, refspec string) string {
	push := "git push "
	if force {
		push += "--force "
	}
	return " (then " + push + shellQuote(gitrepo.RedactURL(c.remote)) + " " + shellQuote(refspec) + ", if it was pushed)"
}

// stateFindings reports what the registry's state holds that readers stumble on: artifacts
// with two active versions on one commit, and numbered events whose times tie or go backwards.
func (c *doctorCommand) stateFindings(state *registry.State) []finding {
	var found []finding
	for _, name := range state.Names() {
		a := state.Artifacts[name]
		byCommit := a.ActiveVersionsByCommit()
		for _, commit := range sortedKeys(byCommit) {
			vs := byCommit[commit]
			var names []string
			for _, v := range vs {
				names = append(names, v.Name)
			}
			keep := vs[0]
			var fixes []string
			for _, v := range vs[1:] {
				fixes = append(fixes, fmt.Sprintf("git model deprecate %s %s --delete && ", shellQuote(a.Name), v.Name))
			}
			found = append(found, finding{Kind: "two-versions-on-commit", Severity: severityProblem, Subject: a.Name,
				Message: fmt.Sprintf("commit %s carries %d active versions (%s): GTO refuses to read the artifact",
					object.Short(commit), len(vs), strings.Join(names, ", ")),
				Fix: fmt.Sprintf("%sgit model push (keeps %s, the first registered)", strings.Join(fixes, ""), keep.Name)})
		}
		for _, s := range a.TimeSlips() {
			found = append(found, c.timeSlipFinding(a.Name, s))
		}
	}
	return found
}

// timeSlipFinding words a pair of events whose times do not follow their counters, and how to
// date the later one again: the same tag, message and commit, dated one second after the
// earlier one, as writes date new tags (docs/registry.md §3).
func (c *doctorCommand) timeSlipFinding(artifact string, s registry.TimeSlip) finding {
	how := fmt.Sprintf("is dated before it (%s, %s)", jsonTime(s.Later.Time), jsonTime(s.Earlier.Time))
	readers := "every reader shows them in the other order"
	if s.Tie {
		how = fmt.Sprintf("has the same time (%s)", jsonTime(s.Later.Time))
		readers = "GTO leaves their order to chance"
	}
	when := s.Earlier.Time.Add(time.Second)
	name := shellQuote(s.Later.Name)
	return finding{Kind: "time-order", Severity: severityProblem, Subject: s.Later.Name,
		Message: fmt.Sprintf("written after %s of '%s' (its counter is greater), it %s: %s",
			s.Earlier.Name, artifact, how, readers),
		Fix: fmt.Sprintf(`GIT_COMMITTER_DATE='%d %s' git tag -a -f -m "$(git tag -l --format='%%(contents)' %s)" %s %s%s`,
			when.Unix(), object.ZoneText(when), name, name, shellQuote(s.Later.Name+"^{}"), c.ifPushed(true, s.Later.Name))}
}

// remoteFindings reports the remotes whose fetch brings no tags: 'git fetch' and 'git pull'
// then never bring a teammate's registry events (only 'git model fetch' would).
func (c *doctorCommand) remoteFindings(repo *gitrepo.Repository) ([]finding, error) {
	names, err := repo.RemoteNames()
	if err != nil {
		return nil, fatalError(err)
	}
	var found []finding
	for _, remote := range names {
		specs, err := repo.ConfigValues("remote." + remote + ".fetch")
		if err != nil {
			return nil, fatalError(err)
		}
		tagOpt, _, err := repo.ConfigValue("remote." + remote + ".tagOpt")
		if err != nil {
			return nil, fatalError(err)
		}
		if msg, fix := fetchBringsNoTags(remote, specs, tagOpt); msg != "" {
			found = append(found, finding{Kind: "remote-without-tags", Severity: severityProblem, Subject: remote,
				Message: msg, Fix: fix})
		}
	}
	return found, nil
}

// fetchBringsNoTags says why a fetch from a remote brings no registry tags, "" when it brings
// them. git fetch brings the tags of refs/tags/* refspecs, and with no --no-tags (tagOpt) the
// tags that point into the history it fetched; a negative refspec ^refs/tags/… keeps them out
// either way.
func fetchBringsNoTags(remote string, specs []string, tagOpt string) (msg, fix string) {
	key := "remote." + remote + ".fetch"
	for _, spec := range specs {
		if src, ok := strings.CutPrefix(spec, "^"); ok && (strings.HasPrefix(src, "refs/tags/") || src == "refs/*") {
			return fmt.Sprintf("the fetch refspec '%s' keeps tags out: 'git fetch' never brings a teammate's registry tags", spec),
				fmt.Sprintf("git config --fixed-value --unset %s %s", key, shellQuote(spec))
		}
	}
	if tagOpt != "--no-tags" {
		return "", ""
	}
	for _, spec := range specs {
		src, _, _ := strings.Cut(strings.TrimPrefix(spec, "+"), ":")
		if src == "refs/tags/*" || src == "refs/*" {
			return "", ""
		}
	}
	return fmt.Sprintf("remote.%s.tagOpt is --no-tags and no fetch refspec takes refs/tags/*: 'git fetch' never brings a teammate's registry tags", remote),
		fmt.Sprintf("git config --unset remote.%s.tagOpt (or: git config --add %s '+refs/tags/*:refs/tags/*')", remote, key)
}

// fileFindings reports the configuration and annotation files of the work tree (HEAD's tree in
// a bare repository) that do not parse: .gto, and artifacts.yaml and dvc.yaml at the root and
// in the folder of each DIR:NAME artifact. Reads only warn about them, so they can go unseen.
func (c *doctorCommand) fileFindings(state *registry.State) []finding {
	var found []finding
	if _, err := c.app.Config(); err != nil {
		found = append(found, finding{Kind: "config", Severity: severityProblem, Subject: config.GTOFile,
			Message: err.Error(), Fix: fmt.Sprintf("correct %s as the message says (GTO and Studio read it too)", config.GTOFile)})
	}
	notes, err := c.app.Annotations()
	if err != nil {
		return found
	}
	dirs := map[string]bool{"": true}
	for _, name := range state.Names() {
		dir, _ := registry.SplitArtifactName(name)
		dirs[dir] = true
	}
	for _, dir := range sortedKeys(dirs) {
		if dir != "" && annotation.CheckFolder(dir+":x") != nil {
			continue // a folder outside the work tree is never read (annotations.Lookup)
		}
		index, dvc := path.Join(dir, notes.index), path.Join(dir, annotation.DVCFileName)
		if _, err := notes.file("", index); err != nil {
			found = append(found, annotationFinding(index, err))
		}
		if _, err := notes.dvcFile("", dvc); err != nil {
			found = append(found, annotationFinding(dvc, err))
		}
	}
	return found
}

func annotationFinding(file string, err error) finding {
	return finding{Kind: "annotations", Severity: severityProblem, Subject: file, Message: err.Error(),
		Fix: fmt.Sprintf("correct %s as the message says; 'git model describe NAME' reads it back", file)}
}

// publishNotes notes what is not published yet to the remote that writes name in their hints,
// from what the last push and fetch recorded (status --offline): doctor is a local check, fast
// and usable without a network, and 'git model status' asks the remote. Nothing is noted for a
// repository without that remote.
func (c *doctorCommand) publishNotes(repo *gitrepo.Repository) ([]finding, error) {
	remote := c.remote
	if !knownRemote(repo, remote) {
		return nil, nil
	}
	status := &statusCommand{app: c.app}
	entries, err := status.entries(repo, remote, pushScope{}, nil, true)
	if err != nil {
		return nil, err
	}
	// One note per kind: a clone that never pushed would otherwise list every tag.
	byState := map[string][]string{}
	fixes := map[string]string{}
	for _, e := range entries {
		byState[e.State] = append(byState[e.State], e.Tag)
		fixes[e.State] = e.Fix
	}
	var found []finding
	shown := gitrepo.RedactURL(remote)
	for _, h := range statusHeadings {
		tags := byState[h.state]
		if len(tags) == 0 {
			continue
		}
		slices.Sort(tags)
		found = append(found, finding{Kind: h.state, Severity: severityNote, Subject: shown,
			Message: fmt.Sprintf("%s (as last pushed and fetched): %s", strings.ToLower(h.heading[:1])+h.heading[1:], quoteList(tags)),
			Fix:     fixes[h.state] + " (git model status compares with the remote itself)"})
	}
	return found, nil
}

// policyFindings reports a policy file that does not read, and the events that the policy
// refuses (docs/trust.md): events without a good signature by a signer it names, and versions
// that reached a stage without the stage before it. Only the events a rule asks signers for are
// verified, with Git's programs.
func (c *doctorCommand) policyFindings(state *registry.State) ([]finding, error) {
	rules, err := c.app.loadPolicy(false)
	if err != nil {
		var exit *exitError
		if errors.As(err, &exit) && exit.code == 128 {
			return []finding{{Kind: "policy-file", Severity: severityProblem, Subject: policy.File, Message: exit.err.Error(),
				Fix: fmt.Sprintf("correct %s on the default branch as the message says: until then the server's guard refuses every registry tag", policy.File)}}, nil
		}
		return nil, err
	}
	if rules == nil {
		return nil, nil
	}
	events := state.Events()
	var signed []*registry.Event
	for _, e := range events {
		if rules.RequiresSignature(policyEvent(e, signature.Result{})) {
			signed = append(signed, e)
		}
	}
	sigs, err := c.app.signatures(signed)
	if err != nil {
		return nil, err
	}
	sigOf := make(map[*registry.Event]signature.Result, len(signed))
	for i, e := range signed {
		sigOf[e] = sigs[i]
	}
	var found []finding
	for _, name := range state.Names() {
		a := state.Artifacts[name]
		for i, e := range a.Events {
			sig, ok := sigOf[e]
			if !ok {
				sig = signature.Result{Status: signature.Unsigned}
			}
			reasons := rules.Judge(policyEvent(e, sig), a.Events[:i], false)
			if len(reasons) == 0 {
				continue
			}
			fix := "an event cannot change afterwards without moving its tag: record when the rules took effect with 'since:' in " + policy.File
			if ok && sig.Status != signature.Good {
				fix += ", or have a rewriter sign it again (git tag -f -s) and push it with git push --signed --force"
			}
			found = append(found, finding{Kind: "policy", Severity: severityProblem, Subject: e.Name,
				Message: "the policy refuses it: " + strings.Join(reasons, "; "), Fix: fix})
		}
	}
	return found, nil
}
