package gitrepo

import (
	"fmt"

	git "github.com/libgit2/git2go/v34"
)

// ConfigValue returns the value of a git config key such as "model.stages", from the
// repository's configuration as libgit2 assembles it (the repository's config file over the
// global and XDG files over the system file). When the key has several values the last one
// wins, as with `git config --get`. ok is false when the key is not set. A key written without
// a value (`[model] push`) reads as "", as `git config --get` prints it.
//
// libgit2 does not see `git -c key=value` (GIT_CONFIG_PARAMETERS), GIT_CONFIG_NOSYSTEM or
// GIT_CONFIG_GLOBAL, and reads HOME once, when the process starts.
func (r *Repository) ConfigValue(key string) (value string, ok bool, err error) {
	cfg, err := r.loadConfig()
	if err != nil {
		return "", false, err
	}
	value, err = cfg.LookupString(key)
	if isCode(err, git.ErrorCodeNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading config '%s': %w", key, err)
	}
	return value, true, nil
}

// ConfigValues returns every value of a multi-valued key, lowest priority first (the order of
// `git config --get-all`), or nil when the key is not set.
func (r *Repository) ConfigValues(key string) ([]string, error) {
	cfg, err := r.loadConfig()
	if err != nil {
		return nil, err
	}
	return configValues(cfg, key)
}

func (r *Repository) loadConfig() (*git.Config, error) {
	if r.config != nil {
		return r.config, nil
	}
	cfg, err := r.repo.Config()
	if err != nil {
		return nil, fmt.Errorf("reading git config: %w", err)
	}
	r.config = cfg
	return cfg, nil
}

func configValues(cfg *git.Config, key string) ([]string, error) {
	iter, err := cfg.NewMultivarIterator(key, "")
	if err != nil {
		return nil, fmt.Errorf("reading config '%s': %w", key, err)
	}
	defer iter.Free()

	// libgit2 iterates from the lowest-priority file up, in file order, as git does.
	var values []string
	for {
		entry, err := iter.Next()
		if isCode(err, git.ErrorCodeIterOver) {
			return values, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading config '%s': %w", key, err)
		}
		values = append(values, entry.Value)
	}
}

// GlobalConfigValues returns every value of a key in the global and system configuration, for
// when there is no repository (git config --global --get-all, with the system file too).
func GlobalConfigValues(key string) ([]string, error) {
	cfg, err := git.OpenDefault()
	if err != nil {
		return nil, fmt.Errorf("reading git config: %w", err)
	}
	defer cfg.Free()
	return configValues(cfg, key)
}
