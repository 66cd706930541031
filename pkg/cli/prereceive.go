package cli

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/policy"
	"github.com/git-model/git-model/pkg/registry"
)

// preReceive is the server's guard (docs/trust.md §4): it judges the registry tags of a push
// before git accepts any of it, inside git's quarantine, where the pushed objects are readable
// (gitrepo.Open adds GIT_OBJECT_DIRECTORY) and the refs are still those before the push. Each
// refused tag gets one line on standard error, which git shows the pusher; any refusal refuses
// the push. A push with no registry tag is not judged at all.
func (c *hookCommand) preReceive(updates []pushedTag) error {
	var judged []pushedTag
	for _, u := range updates {
		if looksLikeRegistryTag(u.name) {
			judged = append(judged, u)
		}
	}
	if len(judged) == 0 {
		return nil
	}
	repo, err := c.app.Repo()
	if err != nil {
		return err
	}
	rules, err := c.app.loadPolicy()
	if err != nil {
		return err
	}
	if rules == nil {
		rules = &policy.Policy{} // the built-in rules still hold
	}
	g := guard{app: c.app, repo: repo, rules: rules, pusher: pushCertificate()}
	byArtifact := map[string][]pushedTag{}
	for _, u := range judged {
		t, ok := registry.ParseTag(u.name)
		if !ok {
			if u.new == "" {
				continue // taking a tag that no reader sees away is always fine
			}
			g.refuse(u.name, fmt.Sprintf("not a registry tag that readers see: %v", registry.NearMiss(u.name)))
			continue
		}
		byArtifact[t.Artifact] = append(byArtifact[t.Artifact], u)
	}
	for _, artifact := range slices.Sorted(maps.Keys(byArtifact)) {
		if err := g.judgeArtifact(artifact, byArtifact[artifact]); err != nil {
			return err
		}
	}
	if g.refused > 0 {
		return saidError()
	}
	return nil
}

// looksLikeRegistryTag reports whether a tag name is a registry tag, or looks meant as one
// (registry.NearMiss): the tags the guard judges.
func looksLikeRegistryTag(name string) bool {
	if t, ok := registry.ParseTag(name); ok {
		return t.Action != registry.ActionNone
	}
	return registry.NearMiss(name) != nil
}

// guard is one run of the pre-receive guard.
type guard struct {
	app     *App
	repo    *gitrepo.Repository
	rules   *policy.Policy
	pusher  signature.Result // the push certificate's signer (git push --signed); Unsigned without one
	refused int
}

// refuse prints one line for a refused tag.
func (g *guard) refuse(name, reason string) {
	g.refused++
	fmt.Fprintf(g.app.Stderr, "error: refusing refs/tags/%s: %s\n", terminalSafe(name), terminalSafe(reason))
}

// judgeArtifact judges the pushed tags of one artifact, against its events before the push and
// the pushed tags accepted before them, in the order of their events.
func (g *guard) judgeArtifact(artifact string, pushed []pushedTag) error {
	tags, err := g.repo.ArtifactTags(registry.TagArtifact(artifact))
	if err != nil {
		return fatalError(err)
	}
	var before []*registry.Event
	if a := registry.Build(tags).Artifacts[artifact]; a != nil {
		before = slices.Clone(a.Events)
	}
	type candidate struct {
		push  pushedTag
		event *registry.Event
		tag   gitrepo.Tag
	}
	var candidates []candidate
	for _, p := range pushed {
		switch {
		case p.new == "":
			if !g.rules.MayRewrite(g.pusher) {
				g.refuse(p.name, "registry tags are never deleted"+g.rewriters())
			}
			continue
		case p.old != "" && !g.rules.MayRewrite(g.pusher):
			// A move signed by a rewriter is judged below, with the new tag's signature.
			if sigs, err := g.app.verifyObjects(g.repo, []string{p.new}); err != nil {
				return err
			} else if !g.rules.MayRewrite(sigs[0]) {
				g.refuse(p.name, "registry tags are never moved"+g.rewriters())
				continue
			}
		}
		tag, err := g.repo.TagAt(p.name, p.new)
		if err != nil {
			return fatalError(err)
		}
		if !tag.Annotated {
			g.refuse(p.name, "a lightweight tag: registry tags are annotated (git tag -a), or no reader sees them")
			continue
		}
		if tag.Commit == "" {
			g.refuse(p.name, "it does not point to a commit")
			continue
		}
		t, _ := registry.ParseTag(p.name)
		e := &registry.Event{Tag: t, Name: p.name, Commit: tag.Commit, Time: tag.When}
		candidates = append(candidates, candidate{push: p, event: e, tag: tag})
	}
	slices.SortFunc(candidates, func(a, b candidate) int {
		if a.event.Before(b.event) {
			return -1
		}
		return 1
	})
	ids := make([]string, len(candidates))
	events := make([]*registry.Event, len(candidates))
	for i, cand := range candidates {
		ids[i], events[i] = cand.push.new, cand.event
	}
	sigs, err := g.app.signaturesAsked(g.repo, g.rules, events, ids)
	if err != nil {
		return err
	}
	// A moved tag's old event gives way to the new one, judged in its place.
	replaced := map[string]bool{}
	for _, cand := range candidates {
		replaced[cand.event.Name] = true
	}
	before = slices.DeleteFunc(before, func(e *registry.Event) bool { return replaced[e.Name] })
	for i, cand := range candidates {
		if reasons := g.rules.Judge(policyEvent(cand.event, sigs[i]), before, true); len(reasons) > 0 {
			g.refuse(cand.push.name, strings.Join(reasons, "; "))
			continue
		}
		before = append(before, cand.event)
	}
	return nil
}

// rewriters says who may rewrite registry tags, for a refusal.
func (g *guard) rewriters() string {
	if len(g.rules.Rewriters) == 0 {
		return ""
	}
	return fmt.Sprintf(" but by %s, with git push --signed (%s rewriters)", strings.Join(g.rules.Rewriters, ", "), policy.File)
}

// pushCertificate is the signer of the push certificate that receive-pack checked (git push
// --signed, with receive.certNonceSeed set on the server): good only when git found the
// signature good and the nonce right.
func pushCertificate() signature.Result {
	if os.Getenv("GIT_PUSH_CERT_STATUS") != "G" || os.Getenv("GIT_PUSH_CERT_NONCE_STATUS") != "OK" {
		return signature.Result{Status: signature.Unsigned}
	}
	key := os.Getenv("GIT_PUSH_CERT_KEY")
	s := signature.Result{Status: signature.Good, Format: signature.OpenPGP, Signer: os.Getenv("GIT_PUSH_CERT_SIGNER"), Key: key}
	if strings.HasPrefix(key, "SHA256:") {
		s.Format = signature.SSH
	} else {
		s.Fingerprint = strings.ToUpper(key)
	}
	return s
}
