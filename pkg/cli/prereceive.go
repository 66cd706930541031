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
	rules, err := c.app.loadPolicy(true)
	if err != nil {
		return err
	}
	if rules == nil {
		rules = &policy.Policy{} // the built-in rules still hold
	}
	g := guard{app: c.app, repo: repo, rules: rules, pusher: pushCertificate()}
	byArtifact := map[string][]pushedTag{}
	for _, u := range judged {
		t, ok := registry.ParseEvent(u.name)
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
	_, event := registry.ParseEvent(name)
	return event || registry.NearMiss(name) != nil
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
	gone := map[string]bool{} // events the push deletes or replaces
	var candidates []*registry.Event
	var ids []string
	for _, p := range pushed {
		if p.old != "" {
			if reason, err := g.rewrite(p); err != nil {
				return err
			} else if reason != "" {
				g.refuse(p.name, reason)
				continue
			}
			gone[p.name] = true
			if p.new == "" {
				continue
			}
		}
		e, reason, err := g.pushedEvent(p)
		if err != nil {
			return err
		}
		if reason != "" {
			g.refuse(p.name, reason)
			continue
		}
		candidates, ids = append(candidates, e), append(ids, p.new)
	}
	order := make([]int, len(candidates))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if candidates[i].Before(candidates[j]) {
			return -1
		}
		return 1
	})
	sigs, err := g.app.signaturesAsked(g.repo, g.rules, candidates, ids)
	if err != nil {
		return err
	}
	before = slices.DeleteFunc(before, func(e *registry.Event) bool { return gone[e.Name] })
	for _, i := range order {
		if reasons := g.rules.Judge(policyEvent(candidates[i], sigs[i]), before, true); len(reasons) > 0 {
			g.refuse(candidates[i].Name, strings.Join(reasons, "; "))
			continue
		}
		before = append(before, candidates[i])
	}
	return nil
}

// rewrite judges the deletion or the move of a registry tag: only a rewriter may, who signed
// the push (a push certificate) or, for a move, the new tag. It returns why not, or "".
func (g *guard) rewrite(p pushedTag) (string, error) {
	if g.rules.MayRewrite(g.pusher) {
		return "", nil
	}
	if p.new == "" {
		return "registry tags are never deleted" + g.rewriters(), nil
	}
	sigs, err := g.app.verifyObjects(g.repo, []string{p.name}, []string{p.new})
	if err != nil || g.rules.MayRewrite(sigs[0]) {
		return "", err
	}
	return "registry tags are never moved" + g.rewriters(), nil
}

// pushedEvent reads the event a pushed tag makes, or says why it makes none that readers could
// trust: a lightweight tag, a tag of a tree or a blob, a tag object written for another name.
func (g *guard) pushedEvent(p pushedTag) (*registry.Event, string, error) {
	tag, err := g.repo.TagAt(p.name, p.new)
	if err != nil {
		return nil, "", fatalError(err)
	}
	switch {
	case !tag.Annotated:
		return nil, "a lightweight tag: registry tags are annotated (git tag -a), or no reader sees them", nil
	case tag.Commit == "":
		return nil, "it does not point to a commit", nil
	}
	own, err := g.repo.TagObjectName(p.new)
	if err != nil {
		return nil, "", fatalError(err)
	}
	if own != p.name {
		return nil, fmt.Sprintf("its tag object is named '%s': a tag object is pushed under its own name", own), nil
	}
	t, _ := registry.ParseEvent(p.name)
	return &registry.Event{Tag: t, Name: p.name, Commit: tag.Commit, Time: tag.When}, "", nil
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
	key, signer := os.Getenv("GIT_PUSH_CERT_KEY"), os.Getenv("GIT_PUSH_CERT_SIGNER")
	s := signature.Result{Status: signature.Good, Format: signature.OpenPGP, Signer: signer, Key: key}
	if strings.HasPrefix(key, "SHA256:") {
		s.Format = signature.SSH
		if signer == "" { // a key that no allowed signer holds: git says G all the same
			return signature.Result{Status: signature.UnknownKey}
		}
	} else {
		s.Fingerprint = strings.ToUpper(key)
	}
	return s
}
