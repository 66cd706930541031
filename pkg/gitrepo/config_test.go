package gitrepo

import (
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

func TestConfigValue(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "config", "model.stages", "dev,staging,prod")
	gittest.Git(t, dir, "config", "model.push", "")
	gittest.Git(t, dir, "config", "--add", "model.remote", "origin")
	gittest.Git(t, dir, "config", "--add", "model.remote", "backup")
	r := openRepo(t, dir)

	for key, want := range map[string]string{
		"model.stages":       "dev,staging,prod",
		"Model.Stages":       "dev,staging,prod", // section and key names are case-insensitive
		"model.push":         "",
		"model.remote":       "backup", // the last value wins, as with git config --get
		"init.defaultbranch": "main",   // from the global file in HOME
	} {
		value, ok, err := r.ConfigValue(key)
		if err != nil || !ok || value != want {
			t.Errorf("ConfigValue(%q) = %q, %v, %v; want %q", key, value, ok, err, want)
		}
	}

	value, ok, err := r.ConfigValue("model.unset")
	if err != nil || ok || value != "" {
		t.Errorf("ConfigValue(model.unset) = %q, %v, %v; want not set", value, ok, err)
	}
	if _, _, err := r.ConfigValue("model"); err == nil || !strings.Contains(err.Error(), "'model'") {
		t.Errorf("ConfigValue(model): err = %v, want an error naming the key", err)
	}
}

func TestConfigValuesInGitOrder(t *testing.T) {
	dir := newRepo(t)
	gittest.Git(t, dir, "config", "--global", "--add", "model.stage", "global")
	gittest.Git(t, dir, "config", "--add", "model.stage", "dev")
	gittest.Git(t, dir, "config", "--add", "model.stage", "prod")
	r := openRepo(t, dir)

	values, err := r.ConfigValues("model.stage")
	want := strings.Split(gittest.Git(t, dir, "config", "--get-all", "model.stage"), "\n")
	if err != nil || strings.Join(values, ",") != strings.Join(want, ",") {
		t.Errorf("ConfigValues(model.stage) = %q, %v; want %q as git config --get-all", values, err, want)
	}
	if len(values) != 3 {
		t.Errorf("ConfigValues(model.stage) = %q, want 3 values", values)
	}
	if value, _, _ := r.ConfigValue("model.stage"); value != "prod" {
		t.Errorf("ConfigValue(model.stage) = %q, want the repository's last value 'prod'", value)
	}

	values, err = r.ConfigValues("model.unset")
	if err != nil || values != nil {
		t.Errorf("ConfigValues(model.unset) = %q, %v; want nil", values, err)
	}
}
