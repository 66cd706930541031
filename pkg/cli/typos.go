package cli

import (
	"errors"
	"fmt"
	"slices"

	"github.com/git-model/git-model/pkg/registry"
)

// didYouMean adds to err the names within two edits of name ("did you mean 'a'?"), as git
// does for a mistyped command; err is returned as it is when there is none.
func didYouMean(err error, name string, candidates []string) error {
	similar := registry.Similar(name, candidates)
	switch len(similar) {
	case 0:
		return err
	case 1:
		return &hintedError{err, fmt.Sprintf("did you mean '%s'?", similar[0])}
	}
	return &hintedError{err, fmt.Sprintf("did you mean one of %s?", quoteList(similar))}
}

// knownArtifacts lists the artifacts of the repository's tags (read by name only) and of the
// work tree's annotations: what a mistyped artifact name is compared with.
func (app *App) knownArtifacts() []string {
	return (&completionContext{app: app}).artifactNames()
}

// unknownArtifact is the error for an artifact the registry does not know, with the known
// artifacts it is close to.
func (app *App) unknownArtifact(name string) error {
	return didYouMean(userError("unknown artifact '%s'", name), name, app.knownArtifacts())
}

// planError words a write that the registry refused, with the artifacts it may have meant
// when it does not know the artifact.
func (app *App) planError(err error) error {
	var unknown *registry.UnknownArtifactError
	if errors.As(err, &unknown) {
		return app.unknownArtifact(unknown.Name)
	}
	return userError("%v", err)
}

// checkNewArtifact refuses a write that would create an artifact whose name is within two
// edits of one that exists (segm-nm beside segm-nn), unless allowed (--new, --force): a typo
// would otherwise start a second registry of the same model.
func (app *App) checkNewArtifact(name string, allowed bool) error {
	if allowed {
		return nil
	}
	// Most writes are to an artifact that has tags: find that out from its own refs, at its
	// cost, before listing every artifact of the repository.
	repo, err := app.Repo()
	if err != nil {
		return err
	}
	if has, err := repo.HasArtifactTags(registry.TagArtifact(name)); err != nil || has {
		return nil // a write that cannot read the refs reports it itself
	}
	known := app.knownArtifacts()
	if slices.Contains(known, name) {
		return nil
	}
	similar := registry.Similar(name, known)
	if len(similar) == 0 {
		return nil
	}
	return &hintedError{userError("'%s' would be a new artifact, and %s exists", name, quoteList(similar)),
		fmt.Sprintf("did you mean '%s'? Use --new to create '%s' all the same", similar[0], name)}
}

// commandNames lists the commands and their aliases.
func commandNames(cmds []command) []string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
		names = append(names, c.aliases...)
	}
	return names
}
