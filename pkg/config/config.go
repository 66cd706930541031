// Package config owns the registry's configuration: GTO's .gto file (YAML at the root of the
// work tree) and the settings that Git's own config holds under model.*.
package config

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// GTOFile is the name of GTO's configuration file at the root of the work tree.
const GTOFile = ".gto"

// Config is the registry configuration.
type Config struct {
	// Stages restricts stage names and fixes the order of stage columns; nil allows any.
	Stages []string
	// Types restricts artifact types; nil allows any.
	Types []string
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
