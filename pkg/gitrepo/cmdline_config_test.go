package gitrepo

import (
	"reflect"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

func TestParseConfigParameters(t *testing.T) {
	got := parseConfigParameters(`'alias.se'=''\!'/tmp/showenv.sh' 'color.ui'='never' 'x.y'='a b' 'old.style=v' 'it'\''s.k'='q'\''uote'`)
	want := [][2]string{{"alias.se", "!/tmp/showenv.sh"}, {"color.ui", "never"}, {"x.y", "a b"}, {"old.style", "v"}, {"it's.k", "q'uote"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseConfigParameters = %q, want %q", got, want)
	}
}

func TestCommandLineConfigWinsOverFiles(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q")
	gittest.Git(t, dir, "config", "color.ui", "always")
	gittest.Git(t, dir, "config", "model.remote", "origin")
	t.Setenv("GIT_CONFIG_PARAMETERS", `'Color.UI'='never' 'model.Remote'='upstream'`)
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "model.push")
	t.Setenv("GIT_CONFIG_VALUE_0", "true")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for key, want := range map[string]string{"color.ui": "never", "model.remote": "upstream", "model.push": "true"} {
		if v, ok, err := r.ConfigValue(key); err != nil || !ok || v != want {
			t.Errorf("ConfigValue(%q) = %q, %v, %v; want %q (git -c wins)", key, v, ok, err, want)
		}
	}
}
