package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

// What verify, --verify, the writes, the pre-receive hook and doctor share: the signatures of
// events and the policy of the commit that rules (docs/trust.md).

// policySource is the commit whose policy file rules (docs/trust.md §2), and how to name it:
// model.policyRef when set (a full ref name, a branch name, or a commit id); else, in a clone,
// the remote's default branch as last fetched (refs/remotes/REMOTE/HEAD); else the branch HEAD
// names. Refs are looked up by their exact full names, so that no tag can stand in for a branch.
// A repository that people push to (bare, or a hook's quarantine) never reads a remote-tracking
// ref, which a pusher could create. With strict (verify --policy, doctor, the guard) a detached
// HEAD is an error, since its commit may be the one being judged; a write reads it. ok is false
// when there is no such commit (an empty repository).
func (app *App) policySource(repo *gitrepo.Repository, strict bool) (commit, name string, ok bool, err error) {
	fail := func(err error) (string, string, bool, error) {
		return "", "", false, fatalError(fmt.Errorf("reading the policy: %w", err))
	}
	if ref, set, _ := repo.ConfigValue("model.policyRef"); set && ref != "" {
		full := ref
		switch {
		case object.IsHex(ref) && len(ref) == 40:
			if id, ok := repo.PeelCommit(ref); ok {
				return id, ref, true, nil
			}
			return fail(fmt.Errorf("model.policyRef '%s' names no commit", ref))
		case !strings.HasPrefix(ref, "refs/") && ref != "HEAD":
			full = "refs/heads/" + ref
		}
		id, ok, err := repo.RefCommit(full)
		if err == nil && !ok {
			err = fmt.Errorf("model.policyRef '%s' names no commit (%s)", ref, full)
		}
		if err != nil {
			return fail(err)
		}
		return id, ref, true, nil
	}
	hosting := repo.IsBare() || os.Getenv("GIT_QUARANTINE_PATH") != ""
	if !hosting && app.mirrorURL() == "" {
		remoteHead := "refs/remotes/" + app.remoteName(repo, "") + "/HEAD"
		if id, ok, err := repo.RefCommit(remoteHead); err != nil {
			return fail(err)
		} else if ok {
			return id, remoteHead, true, nil
		}
	}
	_, onBranch := repo.HeadBranch()
	if !onBranch && strict && !repo.IsEmpty() {
		return "", "", false, fatalError(&hintedError{
			err:  errors.New("reading the policy: HEAD is detached and no default branch is known"),
			hint: "name the branch whose policy rules: git config model.policyRef main (after git fetch origin main: refs/remotes/origin/main)"})
	}
	id, ok, err := repo.RefCommit("HEAD")
	if err != nil {
		return fail(err)
	}
	return id, "HEAD", ok, nil
}

// loadPolicy reads the policy file of policySource once; nil, with no error, when there is none.
// A policy that does not read is an error: it never counts as no rules.
func (app *App) loadPolicy(strict bool) (*policy.Policy, error) {
	if app.policyRead {
		return app.policy, nil
	}
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	commit, name, ok, err := app.policySource(repo, strict)
	if err != nil || !ok {
		return nil, err
	}
	app.policyFrom = name
	id, ok, err := repo.FileID(commit, policy.File)
	var size int64
	if err == nil && ok {
		size, err = repo.BlobSize(id)
	}
	var data []byte
	switch {
	case err == nil && ok && size > policy.MaxSize:
		err = fmt.Errorf("larger than %d KiB", policy.MaxSize>>10)
	case err == nil && ok:
		if data, err = repo.ReadBlob(id); err == nil {
			app.policy, err = policy.Parse(data)
		}
	}
	if err != nil {
		return nil, fatalError(fmt.Errorf("%s at %s (%s): %v", policy.File, name, object.Short(commit), err))
	}
	app.policyRead = true
	return app.policy, nil
}

// signatures checks the signatures of the tags of events, found by name among the refs.
func (app *App) signatures(events []*registry.Event) ([]signature.Result, error) {
	if len(events) == 0 {
		return nil, nil
	}
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	prefix := ""
	if !slices.ContainsFunc(events, func(e *registry.Event) bool { return e.Artifact != events[0].Artifact }) {
		prefix = registry.TagArtifact(events[0].Artifact)
	}
	targets, err := repo.TagTargets(prefix)
	if err != nil {
		return nil, fatalError(err)
	}
	names, ids := make([]string, len(events)), make([]string, len(events))
	for i, e := range events {
		names[i], ids[i] = e.Name, targets[e.Name]
	}
	return app.verifyObjects(repo, names, ids)
}

// verifyObjects checks the signatures of the tag objects ids of the tags names, each pair once
// per run; "" stands for a tag that is gone.
func (app *App) verifyObjects(repo *gitrepo.Repository, names, ids []string) ([]signature.Result, error) {
	if app.verifier == nil {
		v, err := repo.Verifier()
		if err != nil {
			return nil, fatalError(err)
		}
		app.verifier, app.checked = v, map[[2]string]signature.Result{}
	}
	var todoNames, todoIDs []string
	for i, id := range ids {
		if _, done := app.checked[[2]string{names[i], id}]; !done && id != "" {
			todoNames, todoIDs = append(todoNames, names[i]), append(todoIDs, id)
		}
	}
	checked, err := app.verifier.Verify(todoNames, todoIDs)
	if err != nil {
		return nil, fatalError(err)
	}
	for i, s := range checked {
		app.checked[[2]string{todoNames[i], todoIDs[i]}] = s
	}
	out := make([]signature.Result, len(ids))
	for i, id := range ids {
		out[i] = signature.Result{Status: signature.Unsigned}
		if id != "" {
			out[i] = app.checked[[2]string{names[i], id}]
		}
	}
	return out, nil
}

// signaturesAsked checks the signatures of the tag objects ids of events where a rule of the
// policy asks for signers; the others are Unsigned, unchecked: no program runs for them.
func (app *App) signaturesAsked(repo *gitrepo.Repository, rules *policy.Policy, events []*registry.Event, ids []string) ([]signature.Result, error) {
	out := make([]signature.Result, len(events))
	var asked []int
	var askedNames, askedIDs []string
	for i, e := range events {
		out[i] = signature.Result{Status: signature.Unsigned}
		if rules.RequiresSignature(policyEvent(e, out[i])) {
			asked, askedNames, askedIDs = append(asked, i), append(askedNames, e.Name), append(askedIDs, ids[i])
		}
	}
	sigs, err := app.verifyObjects(repo, askedNames, askedIDs)
	if err != nil {
		return nil, err
	}
	for j, i := range asked {
		out[i] = sigs[j]
	}
	return out, nil
}

// keepSigned leaves out of tags the registry tags whose signature is not good (--verify on
// ls): the registry as its signers made it. It says how many it left out.
func (app *App) keepSigned(repo *gitrepo.Repository, tags []gitrepo.Tag) ([]gitrepo.Tag, error) {
	targets, err := repo.TagRefs()
	if err != nil {
		return nil, fatalError(err)
	}
	var names, ids []string
	for _, t := range tags {
		if _, ok := registry.ParseEvent(t.Name); ok && t.Annotated {
			names, ids = append(names, t.Name), append(ids, targets[t.Name])
		}
	}
	sigs, err := app.verifyObjects(repo, names, ids)
	if err != nil {
		return nil, err
	}
	bad := map[string]bool{}
	for i, s := range sigs {
		if s.Status != signature.Good {
			bad[names[i]] = true
		}
	}
	if len(bad) > 0 {
		app.warn([]string{fmt.Sprintf("--verify: %d of %d events left out: not signed with a good signature ('git model verify' says why)", len(bad), len(names))})
	}
	return slices.DeleteFunc(tags, func(t gitrepo.Tag) bool { return bad[t.Name] }), nil
}

// policyEvent is an event as the policy judges it.
func policyEvent(e *registry.Event, sig signature.Result) *policy.Event {
	return &policy.Event{Tag: e.Tag, Name: e.Name, Commit: e.Commit, Time: e.Time, Annotated: true, Signature: sig}
}

// signatureJSON is the signature of an event in --json output.
type signatureJSON struct {
	Status      string  `json:"status"`
	Format      *string `json:"format"`
	Signer      *string `json:"signer"`
	Key         *string `json:"key"`
	Fingerprint *string `json:"fingerprint"`
	Trust       *string `json:"trust"`
	Reason      *string `json:"reason"`
}

func newSignatureJSON(s signature.Result) *signatureJSON {
	out := &signatureJSON{Status: string(s.Status), Reason: nullable(s.Reason)}
	if s.Status != signature.Unsigned {
		fp := s.PrimaryFingerprint
		if fp == "" {
			fp = s.Fingerprint
		}
		out.Format, out.Signer, out.Key, out.Fingerprint, out.Trust = nullable(string(s.Format)), nullable(s.Signer),
			nullable(s.Key), nullable(fp), nullable(s.Trust)
	}
	return out
}

// signerText is the signer column of tables: the principal (SSH), the user id (OpenPGP) or
// the subject (X.509); "-" when not known.
func signerText(s signature.Result) string {
	return orNone(s.Signer)
}

// keyText is the key column of tables: what policy files name signers by, the primary key's
// fingerprint for OpenPGP and X.509; the key's fingerprint for SSH.
func keyText(s signature.Result) string {
	if s.Format == signature.SSH {
		return orNone(s.Key)
	}
	return orNone(policy.Signer(signature.Result{Fingerprint: s.Fingerprint, PrimaryFingerprint: s.PrimaryFingerprint, Key: s.Key}))
}

// checkPolicy judges the tags a write is about to create, whose objects are written (ids) but
// whose refs are not, by the policy: each against its artifact's events and the tags of the
// change before it. One refusal makes the whole write fail, creating nothing. --force skips
// it; the server's guard (hook pre-receive) judges the tags again when they are pushed.
func (app *App) checkPolicy(repo *gitrepo.Repository, state *registry.State, creates []registry.NewTag, ids []string) error {
	rules, err := app.loadPolicy(false)
	if err != nil || rules == nil {
		return err
	}
	events := make([]*registry.Event, len(creates))
	for i, t := range creates {
		events[i] = &registry.Event{Tag: t.Tag, Name: t.Name, Commit: t.Commit, Time: t.Time}
	}
	sigs, err := app.signaturesAsked(repo, rules, events, ids)
	if err != nil {
		return err
	}
	before := map[string][]*registry.Event{}
	var refusals []string
	signingHelps := true // every refusal is of an unsigned tag, for that alone
	for i, t := range creates {
		if _, ok := before[t.Artifact]; !ok {
			if a := state.Artifacts[t.Artifact]; a != nil {
				before[t.Artifact] = slices.Clone(a.Events)
			}
		}
		e := events[i]
		if reasons := rules.Judge(policyEvent(e, sigs[i]), before[t.Artifact], true); len(reasons) > 0 {
			refusals = append(refusals, t.Name+": "+strings.Join(reasons, "; "))
			signingHelps = signingHelps && len(reasons) == 1 && sigs[i].Status == signature.Unsigned && rules.RequiresSignature(policyEvent(e, sigs[i]))
		}
		before[t.Artifact] = append(before[t.Artifact], e)
	}
	if len(refusals) == 0 {
		return nil
	}
	hint := "--force writes it anyway; the server's guard judges it again when it is pushed"
	if signingHelps {
		hint = "sign it with --sign (git config model.sign true signs every write)"
	}
	return &policyRefusal{&hintedError{err: userError("the policy refuses %s", strings.Join(refusals, "; ")), hint: hint}}
}

// policyRefusal is a write that the policy refused before creating anything.
type policyRefusal struct{ error }

func (e *policyRefusal) Unwrap() error { return e.error }
