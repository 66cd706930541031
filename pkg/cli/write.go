package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
)

// tagFlags are the options of every command that writes a tag.
type tagFlags struct {
	Message  string `short:"m" long:"message" value-name:"MSG" description:"Message of the tag (default: GTO's message for the action)"`
	Simple   bool   `long:"simple" description:"Write the counter-less tag form (NAME#STAGE instead of NAME#STAGE#N)"`
	NoSimple bool   `long:"no-simple" description:"Write the numbered tag form (NAME@vX.Y.Z#N)"`
	Push     bool   `long:"push" description:"Push the tags to the remote (git config model.push true does it always)"`
	Remote   string `long:"remote" value-name:"REMOTE" description:"The remote to push to or to name in hints (default: model.remote, the branch's remote, origin)"`
	Sign     bool   `short:"s" long:"sign" description:"Sign the tags as git tag -s does, with Git's gpg.format, user.signingKey and gpg.<format>.program (git config model.sign true, or tag.gpgSign, does it always)"`
	NoSign   bool   `long:"no-sign" description:"Do not sign the tags, whatever model.sign and tag.gpgSign say"`
}

// signs decides whether the tags of a write are signed: --sign, --no-sign, then model.sign and
// tag.gpgSign.
func (f *tagFlags) signs(repo *gitrepo.Repository) (bool, error) {
	switch {
	case f.Sign && f.NoSign:
		return false, usageError(errors.New("--sign and --no-sign cannot be used together"))
	case f.Sign, f.NoSign:
		return f.Sign, nil
	}
	return repo.SignsByDefault(), nil
}

// options turns the flags into the registry's write options.
func (f *tagFlags) options() (registry.WriteOptions, error) {
	opts := registry.WriteOptions{Message: f.Message}
	switch {
	case f.Simple && f.NoSimple:
		return opts, usageError(errors.New("--simple and --no-simple cannot be used together"))
	case f.Simple:
		opts.Naming = registry.NamingSimple
	case f.NoSimple:
		opts.Naming = registry.NamingNumbered
	}
	if f.Message != "" && strings.TrimSpace(f.Message) == "" {
		return opts, usageError(errors.New("empty tag message"))
	}
	return opts, nil
}

// maxAttempts bounds how often a write is planned again after another process created one of
// its tags first.
const maxAttempts = 16

// write plans a change to one artifact from a fresh read of its tags and applies it, then
// publishes it or says how to.
func (app *App) write(artifact string, flags *tagFlags, plan func(*registry.State, registry.WriteOptions) (registry.Change, error), opts registry.WriteOptions) error {
	repo, err := app.tagRepo()
	if err != nil {
		return err
	}
	if opts.Now, err = app.now(); err != nil {
		return err
	}
	if app.sign, err = flags.signs(repo); err != nil {
		return err
	}
	change, err := app.writeLocked(repo, artifact, plan, opts)
	if err != nil {
		return err
	}
	return app.afterWrite(repo, flags, change)
}

// artifactLock names the lock of an artifact's writes (gitrepo.Repository.Lock): a hash of the
// name, so that any name, folders and all, makes one safe file name. The files stay, one per
// artifact ever written, empty (man/git-model.1, FILES).
func artifactLock(artifact string) string {
	sum := sha256.Sum256([]byte(artifact))
	return "artifact-" + hex.EncodeToString(sum[:16])
}

// writeLocked reads the artifact's tags, plans the change and applies it under the artifact's
// lock, so that concurrent git-model writes of one artifact take turns: each plans from the
// tags of the one before, so counters never repeat and tagger times never tie (docs/registry.md
// §3). A writer that does not take the lock (GTO, git tag) may still create a planned tag
// first: then the tags are read again and the change planned anew, so that concurrent
// automatic registrations all succeed with distinct versions while an explicit version that
// lost the race fails with the usual error. The deletions and moves are recorded for 'git
// model push' under the lock too, in the order the changes were made.
func (app *App) writeLocked(repo *gitrepo.Repository, artifact string, plan func(*registry.State, registry.WriteOptions) (registry.Change, error), opts registry.WriteOptions) (registry.Change, error) {
	unlock, err := repo.Lock(artifactLock(artifact))
	if err != nil {
		return registry.Change{}, fatalError(err)
	}
	defer unlock()
	var tagger *gitrepo.Identity
	var done []string // tags created so far, for the message of a failure half-way
	for attempt := 1; ; attempt++ {
		state, err := app.stateOf(artifact)
		if err != nil {
			return registry.Change{}, err
		}
		change, err := plan(state, opts)
		if err != nil {
			return registry.Change{}, app.planError(err)
		}
		app.warn(change.Warnings)
		for _, t := range change.Create {
			if !gitrepo.ValidTagName(t.Name) {
				return registry.Change{}, userError("'%s' is not a valid Git tag name (see git check-ref-format)", t.Name)
			}
		}
		if tagger == nil {
			id, err := repo.Committer()
			if err != nil {
				return registry.Change{}, fatalError(err)
			}
			tagger = &id
		}
		leases, err := leasesOf(repo, change)
		if err != nil {
			return registry.Change{}, err
		}
		if err := recordDeletions(repo, change.Delete, leases); err != nil {
			return registry.Change{}, err
		}
		deleted := 0
		err = app.apply(repo, state, change, *tagger, opts.Force, &done, &deleted)
		if err == nil {
			return change, recordCreations(repo, change.Create, leases)
		}
		// The tags that failed to go are still here: their records would be harmless, but a
		// write that fails leaves things as they were.
		forgetDeletions(repo, change.Delete[deleted:])
		if errors.Is(err, gitrepo.ErrTagExists) && attempt < maxAttempts {
			// A writer that does not take the lock got there first: wait a little, growing
			// with each try, then read what it wrote.
			time.Sleep(time.Duration(attempt*(5+rand.IntN(10))) * time.Millisecond)
			continue
		}
		var refused *policyRefusal
		if errors.As(err, &refused) {
			return registry.Change{}, err // nothing was created
		}
		if len(done) > 0 {
			return registry.Change{}, fatalError(fmt.Errorf("%w (tag '%s' was created and stays)", err, strings.Join(done, "', '")))
		}
		return registry.Change{}, fatalError(err)
	}
}

// afterWrite publishes a change that was applied, or says how to: the tags are pushed with
// --push (or model.push), else the commands that publish them are printed; the deletions and
// moves were recorded for 'git model push'.
func (app *App) afterWrite(repo *gitrepo.Repository, flags *tagFlags, change registry.Change) error {
	remote := app.remoteName(repo, flags.Remote)
	if app.pushAfterWrite(repo, flags.Push) {
		return app.pushChange(repo, remote, flags.Remote, change)
	}
	var push, pushDelete []string
	for _, t := range change.Create {
		if t.Replace {
			pushDelete = append(pushDelete, t.Name)
		}
		push = append(push, t.Name)
	}
	pushDelete = append(pushDelete, change.Delete...)
	if !knownRemote(repo, remote) {
		// 'git push origin …' would fail with "'origin' does not appear to be a git
		// repository": say how to get a remote instead; git model push sends it all later.
		fmt.Fprintf(app.Stdout, "To publish: git remote add %s URL, then git model push\n", shellQuote(remote))
		return nil
	}
	if len(pushDelete) > 0 {
		fmt.Fprintf(app.Stdout, "To publish: git push --delete %s %s\n", shellQuote(gitrepo.RedactURL(remote)), shellQuoteAll(pushDelete))
	}
	if len(push) > 0 {
		fmt.Fprintf(app.Stdout, "To publish: git push %s %s\n", shellQuote(gitrepo.RedactURL(remote)), shellQuoteAll(push))
	}
	return nil
}

// knownRemote reports whether git can push to remote: a configured remote, or a URL or a path
// (a name with ':' or '/', or "." and "..", as git tells them from remote names).
func knownRemote(repo *gitrepo.Repository, remote string) bool {
	if strings.ContainsAny(remote, ":/") || remote == "." || remote == ".." {
		return true
	}
	names, err := repo.RemoteNames()
	return err != nil || slices.Contains(names, remote) // unreadable: let git push say why
}

// apply creates and deletes the tags of a change, reporting each, then what each stage whose
// shown version changed shows now (state is the artifact's state the change was planned on);
// done collects the tags created and deleted counts the deletions made, for a failure half-way.
// The tag objects are written first and, unless force, judged by the policy (checkPolicy)
// before any ref is created.
func (app *App) apply(repo *gitrepo.Repository, state *registry.State, change registry.Change, tagger gitrepo.Identity, force bool, done *[]string, deleted *int) error {
	if len(change.Create) == 0 && len(change.Delete) == 0 {
		return errors.New("no tag to create or delete")
	}
	tags := make([]gitrepo.NewTag, len(change.Create))
	ids := make([]string, len(change.Create))
	for i, t := range change.Create {
		tags[i] = gitrepo.NewTag{Name: t.Name, Commit: t.Commit, Message: t.Message, Tagger: tagger, When: t.Time, Replace: t.Replace, Sign: app.sign}
		id, err := repo.WriteTag(tags[i])
		if err != nil {
			return err
		}
		ids[i] = id
	}
	if !force {
		if err := app.checkPolicy(repo, state, change.Create, ids); err != nil {
			return err
		}
	}
	for i, t := range change.Create {
		if err := repo.PointTag(tags[i], ids[i]); err != nil {
			return err
		}
		*done = append(*done, t.Name)
		e := &registry.Event{Tag: t.Tag, Name: t.Name}
		fmt.Fprintf(app.Stdout, "%s: tag %s on %s\n", sentence(e, shortVersion(t.Version)), t.Name, object.Short(t.Commit))
	}
	for _, name := range change.Delete {
		if err := repo.DeleteTag(name); err != nil {
			return err
		}
		*deleted++
		fmt.Fprintf(app.Stdout, "Deleted tag '%s'\n", name)
	}
	app.reportStages(state, change, tagger)
	return nil
}

// reportStages says what each stage of the change's artifact shows now, when that changed:
// "m: prod now shows v1.0.0", or "nothing" for a stage left empty. The tag lines say what was
// done, this line what it means: a deregistration or a demotion makes a stage fall back to an
// older version, and a stage assigned the version it shows already changes nothing (no line).
// The state after is derived from the one the change was planned on, reading nothing again.
func (app *App) reportStages(state *registry.State, change registry.Change, tagger gitrepo.Identity) {
	artifacts := map[string]bool{}
	for _, t := range change.Create {
		artifacts[t.Artifact] = true
	}
	for _, name := range change.Delete {
		if t, ok := registry.ParseTag(name); ok {
			artifacts[t.Artifact] = true
		}
	}
	after := stateAfter(state, change, tagger)
	for _, artifact := range slices.Sorted(maps.Keys(artifacts)) {
		for _, c := range stageChanges(state, after, artifact) {
			app.sayShows(c.artifact, c.stage, c.after)
		}
	}
}

// shortVersion abbreviates the commit id that names an unregistered version.
func shortVersion(v string) string {
	if registry.IsSemVer(v) {
		return v
	}
	return object.Short(v)
}

// now is the time of new tags: GIT_COMMITTER_DATE when set, as git tag uses it, else the clock.
func (app *App) now() (time.Time, error) {
	return dateFromEnv("GIT_COMMITTER_DATE")
}

// dateFromEnv reads a date the way git reads GIT_AUTHOR_DATE and GIT_COMMITTER_DATE; the clock
// when the variable is not set.
func dateFromEnv(name string) (time.Time, error) {
	env := os.Getenv(name)
	if env == "" {
		return time.Now(), nil
	}
	if t, ok := parseDate(env); ok {
		return t, nil
	}
	return time.Time{}, fatalError(fmt.Errorf("invalid date format '%s' in %s", env, name))
}

func gitSignature(id gitrepo.Identity, when time.Time) gitrepo.Signature {
	return gitrepo.Signature{Identity: id, When: when}
}

// shellUnsafe finds characters that a POSIX shell would interpret (Python's shlex.quote rule,
// which GTO's push hints follow).
var shellUnsafe = regexp.MustCompile(`[^\w@%+=:,./-]`)

// shellQuote quotes s for a POSIX shell, only when needed.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	if !shellUnsafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}

func shellQuoteAll(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	return strings.Join(quoted, " ")
}
