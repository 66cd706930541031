// Package config owns the registry's configuration: GTO's .gto file (YAML at the root of the
// work tree) and the settings that Git's own config holds under model.*.
package config

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/git-model/git-model/pkg/safefile"
)

// GTOFile is the name of GTO's configuration file at the root of the work tree.
const GTOFile = ".gto"

// Config is the registry configuration.
type Config struct {
	// Stages restricts stage names and fixes the order of stage columns; nil allows any.
	Stages []string
	// Types restricts artifact types; nil allows any.
	Types []string
	// Index is the name of the annotations file, "" for the default (artifacts.yaml).
	Index string
	// StagesFrom and TypesFrom name where the allow-lists come from, for messages.
	StagesFrom, TypesFrom string
}

// Resolve combines the settings of .gto with those of git config (model.stages, model.types):
// .gto wins for every key it sets, since it is committed and shared by the whole team (and
// read by GTO and Studio); git config serves repositories without it.
func Resolve(gto Config, gitStages, gitTypes string) Config {
	gto.StagesFrom, gto.TypesFrom = GTOFile, GTOFile
	if gto.Stages == nil {
		gto.Stages, gto.StagesFrom = SplitList(gitStages), "model.stages"
	}
	if gto.Types == nil {
		gto.Types, gto.TypesFrom = SplitList(gitTypes), "model.types"
	}
	return gto
}

// CheckStage enforces the stage allow-list, as writes do.
func (c Config) CheckStage(stage string) error {
	return check("stage", stage, c.Stages, c.StagesFrom)
}

// CheckType enforces the type allow-list, as writes do.
func (c Config) CheckType(typ string) error {
	return check("type", typ, c.Types, c.TypesFrom)
}

func check(what, value string, allowed []string, from string) error {
	if allowed == nil || slices.Contains(allowed, value) {
		return nil
	}
	list := strings.Join(allowed, ", ")
	if list == "" {
		list = "none"
	}
	return fmt.Errorf("%s '%s' is not allowed by %s (allowed: %s)", what, value, from, list)
}

// SplitList reads a list that git config holds as one value: names separated by commas or
// blanks ("dev, staging prod"). Nil for an empty value.
func SplitList(s string) []string {
	list := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(list) == 0 {
		return nil
	}
	return list
}

// gtoKeys are the keys GTO reads from .gto (case-insensitive). Those that only tune GTO's own
// output are accepted and ignored, so a .gto written for GTO is valid here.
var gtoKeys = map[string]bool{
	"stages": true, "types": true, "index": true, "log_level": true, "debug": true,
	"enrichments": true, "autoload_enrichments": true, "config_file_name": true, "emojis": true,
}

// ParseGTO parses the content of a .gto file; file names it in errors. Empty data is an empty
// configuration.
func ParseGTO(data []byte, file string) (Config, error) {
	var cfg Config
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return cfg, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cfg, fmt.Errorf("%s:%d: expected a mapping of settings", file, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		name := strings.ToLower(key.Value)
		if !gtoKeys[name] {
			return cfg, fmt.Errorf("%s:%d: unknown key '%s' (known keys: %s)", file, key.Line, key.Value, knownKeys())
		}
		if name == "index" {
			if err := value.Decode(&cfg.Index); err != nil || value.Kind != yaml.ScalarNode {
				return cfg, fmt.Errorf("%s:%d: 'index' must be a file name", file, value.Line)
			}
			// The file is read and written in every folder of artifacts: it must stay there.
			if cfg.Index != "" && (!safefile.InTree(cfg.Index) || path.Clean(cfg.Index) == ".") {
				return cfg, fmt.Errorf("%s:%d: 'index' must be a file inside the work tree and outside .git, not '%s'", file, value.Line, cfg.Index)
			}
			continue
		}
		var list *[]string
		switch name {
		case "stages":
			list = &cfg.Stages
		case "types":
			list = &cfg.Types
		default:
			continue
		}
		if value.Tag == "!!null" {
			continue
		}
		if err := value.Decode(list); err != nil || value.Kind != yaml.SequenceNode {
			return cfg, fmt.Errorf("%s:%d: '%s' must be a list of names", file, value.Line, key.Value)
		}
	}
	return cfg, nil
}

func knownKeys() string {
	keys := make([]string, 0, len(gtoKeys))
	for k := range gtoKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}
