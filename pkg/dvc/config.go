package dvc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Remote is one `['remote "NAME"']` section of `.dvc/config`.
type Remote struct {
	// Name is the remote's name, lower-cased as DVC reads it.
	Name string
	// URL is where the remote is: a local path (see ResolveLocal), http(s)://, s3://, …
	URL string
	// Options are the section's other keys (endpointurl, region, profile, …), keys lower-cased,
	// values as written.
	Options map[string]string
}

// Config is what git-model needs of `.dvc/config`: the remotes and the default one.
type Config struct {
	// DefaultRemote is `remote` of the `[core]` section, lower-cased; "" when not set.
	DefaultRemote string
	// Remotes are the remotes by (lower-cased) name.
	Remotes map[string]Remote
}

// namedSection is DVC's pattern for a named section, applied after lower-casing (dvc/config.py,
// _parse_named).
var namedSection = regexp.MustCompile(`^\s*(remote|machine|db)\s*"(.*)"\s*$`)

// ParseConfig reads `.dvc/config`, which DVC reads with Python's configobj and then lower-cases
// every section name and key (so remote names are case-insensitive). It handles what DVC
// writes and what people type: `[section]` lines, quoted or not, `key = value` lines with the
// value quoted ('…' or "…") or not, `#` comments, a trailing comment after an unquoted value,
// indentation and blank lines. It refuses what configobj refuses (a line that is neither, a
// duplicate section or key) and what DVC never writes: nested sections, multi-line (triple-quoted)
// values and comma lists. It does not do configobj's %(name)s interpolation.
func ParseConfig(data []byte) (*Config, error) {
	c := &Config{Remotes: map[string]Remote{}}
	text := strings.TrimPrefix(string(data), "\ufeff")
	sections := map[string]map[string]string{}
	var current map[string]string
	var currentName string
	for i, line := range strings.Split(text, "\n") {
		lineNo := i + 1
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			name, err := sectionName(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", lineNo, err)
			}
			name = strings.ToLower(name)
			if _, dup := sections[name]; dup {
				return nil, fmt.Errorf("line %d: duplicate section '%s'", lineNo, shown(name))
			}
			current, currentName = map[string]string{}, name
			sections[name] = current
			continue
		}
		key, value, err := keyValue(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		key = strings.ToLower(key)
		if current == nil {
			// Keys before any section are configobj's top level, which DVC does not use.
			current, currentName = map[string]string{}, ""
			sections[""] = current
		}
		if _, dup := current[key]; dup {
			return nil, fmt.Errorf("line %d: duplicate key '%s' in section '%s'", lineNo, shown(key), shown(currentName))
		}
		current[key] = value
	}
	if core := sections["core"]; core != nil {
		c.DefaultRemote = strings.ToLower(core["remote"])
	}
	for name, keys := range sections {
		m := namedSection.FindStringSubmatch(name)
		if m == nil || m[1] != "remote" {
			continue
		}
		r := Remote{Name: m[2], URL: keys["url"], Options: map[string]string{}}
		for k, v := range keys {
			if k != "url" {
				r.Options[k] = v
			}
		}
		c.Remotes[r.Name] = r
	}
	return c, nil
}

// sectionName returns the name of a `[name]` line, unquoted as configobj does.
func sectionName(line string) (string, error) {
	bad := fmt.Errorf("invalid section line '%s'", shown(line))
	s := strings.TrimSpace(line[1:])
	if strings.HasPrefix(s, "[") {
		return "", errors.New("nested sections are not supported")
	}
	var name, rest string
	var ok bool
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		// A quoted name may contain "]".
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 {
			return "", bad
		}
		name = s[1 : end+1]
		rest, ok = strings.CutPrefix(strings.TrimSpace(s[end+2:]), "]")
	} else {
		name, rest, ok = strings.Cut(s, "]")
	}
	rest = strings.TrimSpace(rest)
	if !ok || strings.TrimSpace(name) == "" || (rest != "" && rest[0] != '#') {
		return "", bad
	}
	return strings.TrimSpace(name), nil
}

// keyValue splits a `key = value` line as configobj does.
func keyValue(line string) (key, value string, err error) {
	bad := fmt.Errorf("invalid line '%s' (neither a section nor a key)", shown(line))
	rest := line
	if line[0] == '"' || line[0] == '\'' {
		end := strings.IndexByte(line[1:], line[0])
		if end < 0 {
			return "", "", bad
		}
		key = line[1 : end+1]
		var ok bool
		if rest, ok = strings.CutPrefix(strings.TrimSpace(line[end+2:]), "="); !ok {
			return "", "", bad
		}
	} else {
		var ok bool
		key, rest, ok = strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return "", "", bad
		}
	}
	value, err = configValue(strings.TrimSpace(rest))
	if err != nil {
		return "", "", fmt.Errorf("value of '%s': %w", shown(key), err)
	}
	return key, value, nil
}

// configValue reads a value: quoted, or unquoted up to a `#` comment.
func configValue(v string) (string, error) {
	if strings.HasPrefix(v, `'''`) || strings.HasPrefix(v, `"""`) {
		return "", errors.New("multi-line values are not supported")
	}
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", errors.New("unterminated quote")
		}
		rest := strings.TrimSpace(v[end+2:])
		if rest != "" && rest[0] != '#' {
			if rest[0] == ',' {
				return "", errors.New("lists are not supported")
			}
			return "", errors.New("text after the closing quote")
		}
		return v[1 : end+1], nil
	}
	v, _, _ = strings.Cut(v, "#")
	v = strings.TrimSpace(v)
	if strings.Contains(v, ",") {
		// configobj makes a list of an unquoted value with a comma; DVC quotes such values.
		return "", errors.New("lists are not supported (quote the value)")
	}
	return v, nil
}

// Remote returns the remote of that name, case-insensitively as DVC looks it up, or the
// default remote (core.remote) for "". A URL of the form remote://OTHER/PATH is resolved as
// DVC does: OTHER's URL joined with PATH, OTHER's options overridden by this remote's.
func (c *Config) Remote(name string) (Remote, error) {
	if name == "" {
		if c.DefaultRemote == "" {
			if len(c.Remotes) == 0 {
				return Remote{}, errors.New("no DVC remote configured: dvc remote add -d NAME URL")
			}
			return Remote{}, errors.New("no default DVC remote: dvc remote default NAME")
		}
		name = c.DefaultRemote
	}
	return c.resolve(strings.ToLower(name), 0)
}

// maxRemoteRefs bounds a chain of remote://… references, which could loop.
const maxRemoteRefs = 10

func (c *Config) resolve(name string, depth int) (Remote, error) {
	r, ok := c.Remotes[name]
	if !ok {
		return Remote{}, fmt.Errorf("unknown DVC remote '%s'", shown(name))
	}
	if r.URL == "" {
		return Remote{}, fmt.Errorf("DVC remote '%s' has no url", shown(name))
	}
	ref, ok := strings.CutPrefix(r.URL, "remote://")
	if !ok {
		return r, nil
	}
	if depth >= maxRemoteRefs {
		return Remote{}, fmt.Errorf("DVC remote '%s': too many remote:// references (a loop?)", shown(name))
	}
	baseName, rel, _ := strings.Cut(ref, "/")
	base, err := c.resolve(strings.ToLower(baseName), depth+1)
	if err != nil {
		return Remote{}, fmt.Errorf("DVC remote '%s': %w", shown(name), err)
	}
	opts := make(map[string]string, len(base.Options)+len(r.Options))
	for k, v := range base.Options {
		opts[k] = v
	}
	for k, v := range r.Options {
		opts[k] = v
	}
	// DVC joins with the separator only, even after a URL that ends with one.
	url := base.URL + "/" + strings.TrimLeft(rel, "/")
	return Remote{Name: r.Name, URL: url, Options: opts}, nil
}

// schemeURL is DVC's test for a URL rather than a local path (dvc/config.py, _resolve).
var schemeURL = regexp.MustCompile(`^(\w+)://`)

// Scheme returns the scheme of a remote's URL in lower case ("s3", "https" …), or "" for a
// local path, as DVC tells them apart.
func Scheme(remoteURL string) string {
	if m := schemeURL.FindStringSubmatch(remoteURL); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// ResolveLocal returns the directory a local remote's URL names, as DVC resolves it when it
// loads the config: a URL with a scheme (s3://, https://, remote://…) or an absolute path is
// returned as it is, ~ and ~/… are expanded to the home directory, and any other path is
// relative to configDir, the folder of the config file (the .dvc directory, not the
// repository's top). configDir should be absolute.
func ResolveLocal(remoteURL, configDir string) string {
	if schemeURL.MatchString(remoteURL) || filepath.IsAbs(remoteURL) {
		return remoteURL
	}
	if remoteURL == "~" || strings.HasPrefix(remoteURL, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, remoteURL[1:])
		}
	}
	return filepath.Join(configDir, filepath.FromSlash(remoteURL))
}
