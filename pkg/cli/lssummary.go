package cli

import (
	"encoding/json"
	"fmt"

	"github.com/git-model/git-model/pkg/internal/tagcache"
	"github.com/git-model/git-model/pkg/registry"
)

// registrySummary is what `ls` without NAME shows of a registry's tags under its stage options:
// for every artifact (in name order), whether it is active, its latest version and what each
// stage shows; the stages in use; and the warnings of reading the tags. The rows of `ls` are
// made from it and from the annotations, which it does not hold.
//
// It is kept in the index tagcache.SummaryIndex, with the options it was made under, and is
// valid while the tag refs are unchanged (the tags are all the registry is: docs/registry.md
// §1): listing an unchanged registry of hundreds of thousands of tags then derives nothing.
type registrySummary struct {
	Warnings  []string          `json:"warnings"`
	Stages    []string          `json:"stages"` // State.StagesInUse
	Artifacts []summaryArtifact `json:"artifacts"`
	byName    map[string]*summaryArtifact
}

// summaryArtifact is one artifact of a registrySummary.
type summaryArtifact struct {
	Name         string                   `json:"name"`
	Active       bool                     `json:"active"`
	Latest       string                   `json:"latest,omitempty"`
	LatestCommit string                   `json:"latest_commit,omitempty"`
	Shows        map[string][]cellVersion `json:"shows,omitempty"` // stage → the versions its cell shows
}

// cellVersion is a version in a stage's cell: as the table shows it, and its full name.
type cellVersion struct {
	Display string `json:"display"`
	Name    string `json:"name"`
}

// summaryFormat names the layout and meaning of the summary; a new one, or another release of
// git-model (whose reading of the tags may differ), makes old summaries stale.
const summaryFormat = "git-model ls summary 1"

// summarize makes the summary of state under the command's stage options.
func (c *lsCommand) summarize(state *registry.State) *registrySummary {
	sum := &registrySummary{Warnings: state.Warnings, Stages: state.StagesInUse()}
	for _, name := range state.Names() {
		a := state.Artifacts[name]
		sa := summaryArtifact{Name: name, Active: a.Active}
		if latest := a.Latest(); latest != nil {
			sa.Latest, sa.LatestCommit = latest.Name, latest.Commit
		}
		for _, stage := range a.Stages() {
			for _, v := range c.stageVersions(a, stage) {
				if sa.Shows == nil {
					sa.Shows = map[string][]cellVersion{}
				}
				sa.Shows[stage] = append(sa.Shows[stage], cellVersion{Display: displayName(v), Name: v.Name})
			}
		}
		sum.Artifacts = append(sum.Artifacts, sa)
	}
	return sum
}

// artifact returns the summary of the artifact name; nil when the tags have none.
func (s *registrySummary) artifact(name string) *summaryArtifact {
	if s.byName == nil {
		s.byName = make(map[string]*summaryArtifact, len(s.Artifacts))
		for i := range s.Artifacts {
			s.byName[s.Artifacts[i].Name] = &s.Artifacts[i]
		}
	}
	return s.byName[name]
}

// options names the stage options the summary depends on.
func (c *lsCommand) options() string {
	order := c.Sort
	if order != "semver" { // "timestamp", "time", or "" where no parser set the default
		order = "timestamp"
	}
	return fmt.Sprintf("%s (git-model %s) sort=%s vs=%d av=%d ro=%t all-in-stage=%t", summaryFormat, Version,
		order, countOr(c.VS, 1), countOr(c.AV, -1), c.RO, c.AllInStage)
}

// registrySummary returns the summary of the registry of app as the tags are now: from the
// index when the tags have not changed since it was made under the same options, else derived
// from the tags (and kept in the index). The warnings of reading the tags are printed either way.
func (c *lsCommand) registrySummary(app *App) (*registrySummary, error) {
	repo, err := app.Repo()
	if err != nil {
		return nil, err
	}
	items, fresh, save := repo.LoadIndex(tagcache.SummaryIndex)
	if fresh && len(items) == 2 && items[0] == c.options() {
		var sum registrySummary
		if json.Unmarshal([]byte(items[1]), &sum) == nil {
			app.warn(sum.Warnings)
			return &sum, nil
		}
	}
	state, err := app.StateAt("", "")
	if err != nil {
		return nil, err
	}
	sum := c.summarize(state)
	if save != nil {
		if data, err := json.Marshal(sum); err == nil {
			save([]string{c.options(), string(data)})
		}
	}
	return sum, nil
}
