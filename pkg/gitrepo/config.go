package gitrepo

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/git-model/git-model/pkg/internal/gitconfig"
	"github.com/git-model/git-model/pkg/internal/object"
	git "github.com/libgit2/git2go/v34"
)

// ConfigValue returns the value of a git config key such as "model.stages", from the
// repository's configuration as libgit2 assembles it (the repository's config file over the
// global and XDG files over the system file). When the key has several values the last one
// wins, as with `git config --get`. ok is false when the key is not set. A key written without
// a value (`[model] push`) reads as "", as `git config --get` prints it.
//
// libgit2 does not see `git -c key=value` (GIT_CONFIG_PARAMETERS), GIT_CONFIG_NOSYSTEM or
// GIT_CONFIG_GLOBAL, and reads HOME once, when the process starts; the settings of `git -c`
// are read here, from the environment git passes them in, and win over the files.
func (r *Repository) ConfigValue(key string) (value string, ok bool, err error) {
	if value, ok := commandLineConfig(key); ok {
		return value, true, nil
	}
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

// ConfigBool reads a key as git reads a boolean: ok is false when the key is unset or holds
// something that is not a boolean (such as a pager command for pager.model). A key written
// without a value means true.
func (r *Repository) ConfigBool(key string) (value, ok bool) {
	v, set, err := r.ConfigValue(key)
	if !set || err != nil {
		return false, false
	}
	if v == "" { // a key written without a value, as libgit2 reads it
		return true, true
	}
	return gitconfig.ParseBool(v)
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

// commandLineConfig returns the last value that `git -c key=value` (GIT_CONFIG_PARAMETERS) or
// GIT_CONFIG_COUNT/GIT_CONFIG_KEY_n/GIT_CONFIG_VALUE_n give a key, as git itself would.
func commandLineConfig(key string) (value string, ok bool) {
	values := commandLineConfigValues(key)
	if len(values) == 0 {
		return "", false
	}
	return values[len(values)-1], true
}

// commandLineConfigValues returns every value that the command line gives a key, in order.
func commandLineConfigValues(key string) []string {
	want := canonicalKey(key)
	var values []string
	for _, kv := range parseConfigParameters(os.Getenv("GIT_CONFIG_PARAMETERS")) {
		if canonicalKey(kv[0]) == want {
			values = append(values, kv[1])
		}
	}
	if n, err := strconv.Atoi(os.Getenv("GIT_CONFIG_COUNT")); err == nil {
		for i := 0; i < n; i++ {
			if canonicalKey(os.Getenv(fmt.Sprintf("GIT_CONFIG_KEY_%d", i))) == want {
				values = append(values, os.Getenv(fmt.Sprintf("GIT_CONFIG_VALUE_%d", i)))
			}
		}
	}
	return values
}

// canonicalKey lowercases the section and the variable name of a key, which git compares
// without case; a subsection keeps its case.
func canonicalKey(key string) string {
	first, last := strings.Index(key, "."), strings.LastIndex(key, ".")
	if first < 0 {
		return strings.ToLower(key)
	}
	return strings.ToLower(key[:first]) + key[first:last] + strings.ToLower(key[last:])
}

// parseConfigParameters reads GIT_CONFIG_PARAMETERS: entries separated by blanks, each
// 'key'='value' (or the older 'key=value'), single-quoted as git's sq_quote writes them, where
// a quote or '!' outside the quotes is escaped with a backslash.
func parseConfigParameters(s string) [][2]string {
	var entries [][2]string
	var cur strings.Builder
	var key string
	hasKey := false
	flush := func() {
		text := cur.String()
		if hasKey {
			entries = append(entries, [2]string{key, text})
		} else if k, v, found := strings.Cut(text, "="); found {
			entries = append(entries, [2]string{k, v})
		} else if text != "" {
			entries = append(entries, [2]string{text, "true"})
		}
		cur.Reset()
		hasKey = false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
			} else {
				cur.WriteString(s[i+1 : i+1+end])
				i += end + 1
			}
		case c == '\\' && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
		case c == '=' && !hasKey:
			key, hasKey = cur.String(), true
			cur.Reset()
		case c == ' ' || c == '\t' || c == '\n':
			if cur.Len() > 0 || hasKey {
				flush()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 || hasKey {
		flush()
	}
	return entries
}

// RemoteNames lists the configured remotes (remote.NAME.url), as `git remote` does.
func (r *Repository) RemoteNames() ([]string, error) {
	names, err := r.repo.Remotes.List()
	if err != nil {
		return nil, fmt.Errorf("listing remotes: %w", err)
	}
	return names, nil
}

// localConfig opens the repository's own config file alone.
func (r *Repository) localConfig() (*git.Config, error) {
	cfg, err := r.repo.Config()
	if err != nil {
		return nil, err
	}
	defer cfg.Free()
	return cfg.OpenLevel(cfg, git.ConfigLevelLocal)
}

// BlobConfigValue reads key from a config file committed as a blob (a .lfsconfig), as
// `git config --blob=ID --get key` does; ok is false when the key is not set. libgit2 reads
// config files only from disk: the blob is written to git-model's temporary folder, read and
// removed.
func (r *Repository) BlobConfigValue(blobID, key string) (value string, ok bool, err error) {
	data, err := r.ReadBlob(blobID)
	if err != nil {
		return "", false, err
	}
	dir, err := r.tmpDir()
	if err != nil {
		return "", false, err
	}
	f, err := os.CreateTemp(dir, "blob-config-*")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(data)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return "", false, err
	}
	cfg, err := git.OpenOndisk(f.Name())
	if err != nil {
		return "", false, fmt.Errorf("reading config blob %s: %w", object.Short(blobID), err)
	}
	defer cfg.Free()
	value, err = cfg.LookupString(key)
	if isCode(err, git.ErrorCodeNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading '%s' from config blob %s: %w", key, object.Short(blobID), err)
	}
	return value, true, nil
}
