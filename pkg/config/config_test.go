package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseGTO(t *testing.T) {
	tests := []struct {
		name, data  string
		want        Config
		errContains string
	}{
		{name: "empty", data: "", want: Config{}},
		{name: "comment only", data: "# nothing\n", want: Config{}},
		{name: "stages and types", data: "stages: [dev, staging, prod]\ntypes:\n  - model\n  - dataset\n",
			want: Config{Stages: []string{"dev", "staging", "prod"}, Types: []string{"model", "dataset"}}},
		{name: "keys are case-insensitive", data: "STAGES: [dev]\n", want: Config{Stages: []string{"dev"}}},
		{name: "GTO keys accepted, index read", data: "emojis: false\nlog_level: DEBUG\nindex: models.yaml\nstages: [a]\n",
			want: Config{Stages: []string{"a"}, Index: "models.yaml"}},
		{name: "null list allows all", data: "stages:\n", want: Config{}},
		{name: "unknown key", data: "stages: [dev]\nstagez: [prod]\n", errContains: ".gto:2: unknown key 'stagez'"},
		{name: "not a mapping", data: "- dev\n", errContains: ".gto:1: expected a mapping"},
		{name: "stages not a list", data: "stages: dev\n", errContains: ".gto:1: 'stages' must be a list of names"},
		{name: "malformed YAML", data: "stages: [dev\n", errContains: ".gto: "},
		{name: "index in a folder", data: "index: conf/models.yaml\n", want: Config{Index: "conf/models.yaml"}},
		{name: "index out of the tree", data: "stages: [a]\nindex: ../x.yaml\n",
			errContains: ".gto:2: 'index' must be a file inside the work tree and outside .git, not '../x.yaml'"},
		{name: "index absolute", data: "index: /etc/passwd\n", errContains: "not '/etc/passwd'"},
		{name: "index in .git", data: "index: .git/config\n", errContains: "not '.git/config'"},
		{name: "index climbing", data: "index: sub/../../x\n", errContains: "not 'sub/../../x'"},
		{name: "index in .GIT", data: "index: a/.GIT/b\n", errContains: "not 'a/.GIT/b'"},
		{name: "index the top", data: "index: .\n", errContains: "not '.'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGTO([]byte(tt.data), ".gto")
			if tt.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("ParseGTO(%q) error = %v, want it to contain %q", tt.data, err, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseGTO(%q): %v", tt.data, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseGTO(%q) = %#v, want %#v", tt.data, got, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	gto := Config{Stages: []string{"dev", "prod"}}
	got := Resolve(gto, "a, b c", "model,dataset")
	want := Config{Stages: []string{"dev", "prod"}, Types: []string{"model", "dataset"}, StagesFrom: ".gto", TypesFrom: "model.types"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Resolve = %#v, want %#v (.gto wins for stages, git config gives types)", got, want)
	}
	if got := Resolve(Config{}, "", ""); got.Stages != nil || got.Types != nil {
		t.Errorf("Resolve with nothing set = %#v, want no allow-lists", got)
	}
	if got := Resolve(Config{}, "qa,\tprod", ""); !reflect.DeepEqual(got.Stages, []string{"qa", "prod"}) {
		t.Errorf("Resolve stages from git config = %#v", got.Stages)
	}
}

func TestCheck(t *testing.T) {
	cfg := Resolve(Config{Stages: []string{"dev", "prod"}}, "", "model, dataset")
	if err := cfg.CheckStage("prod"); err != nil {
		t.Errorf("CheckStage(prod) = %v", err)
	}
	if err := cfg.CheckStage("qa"); err == nil || err.Error() != "stage 'qa' is not allowed by .gto (allowed: dev, prod)" {
		t.Errorf("CheckStage(qa) = %v", err)
	}
	if err := cfg.CheckType("notebook"); err == nil || err.Error() != "type 'notebook' is not allowed by model.types (allowed: model, dataset)" {
		t.Errorf("CheckType(notebook) = %v", err)
	}
	if err := (Config{}).CheckType("anything"); err != nil {
		t.Errorf("CheckType without an allow-list = %v", err)
	}
}
