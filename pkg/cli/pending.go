package cli

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/git-model/git-model/pkg/annotation"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/registry"
)

// Deletions and moved tags cannot be found by comparing tags with the remote's later, so the
// writes that make them record them in the git directory until they are pushed: one line per
// tag, "delete NAME" or "replace NAME".
const pendingFile = "git-model/pending-push"

type pending map[string]string // tag name → "delete" or "replace"

func readPending(repo *gitrepo.Repository) (pending, error) {
	p := pending{}
	f, err := os.Open(filepath.Join(repo.CommonDir(), pendingFile))
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return nil, fatalError(fmt.Errorf("reading %s: %w", pendingFile, err))
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if action, name, ok := strings.Cut(scanner.Text(), " "); ok && (action == "delete" || action == "replace") {
			p[name] = action
		}
	}
	return p, nil
}

func (p pending) write(repo *gitrepo.Repository) error {
	path := filepath.Join(repo.CommonDir(), pendingFile)
	if len(p) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fatalError(err)
		}
		return nil
	}
	names := make([]string, 0, len(p))
	for name := range p {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s %s\n", p[name], name)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fatalError(err)
	}
	if err := annotation.WriteFile(path, []byte(b.String())); err != nil {
		return fatalError(err)
	}
	return nil
}

// recordPending remembers the deletions and moves of a write until they are pushed.
func recordPending(repo *gitrepo.Repository, change registry.Change) error {
	if len(change.Delete) == 0 && !slices.ContainsFunc(change.Create, func(t registry.NewTag) bool { return t.Replace }) {
		return nil
	}
	p, err := readPending(repo)
	if err != nil {
		return err
	}
	for _, name := range change.Delete {
		p[name] = "delete"
	}
	for _, t := range change.Create {
		if t.Replace {
			p[t.Name] = "replace"
		} else {
			delete(p, t.Name)
		}
	}
	return p.write(repo)
}
