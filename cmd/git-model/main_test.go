package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// update rewrites the expected files of the scenarios with what the binary printed; review
// the diff before committing it.
var update = flag.Bool("update", false, "rewrite the expected output files of testdata/*.txtar")

// binDir holds the git-model binary built for this test run; scenarios find it on PATH, so
// `git model …` dispatches to it exactly as it does for users.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "git-model-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// make test-dist runs the scenarios with the release binary that GIT_MODEL_TEST_BIN names.
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "git-model"), ".")
	if bin := os.Getenv("GIT_MODEL_TEST_BIN"); bin != "" {
		build = exec.Command("cp", bin, filepath.Join(dir, "git-model"))
	}
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building git-model:", err)
		os.Exit(2)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestScripts runs the end-to-end scenarios of testdata/*.txtar: each builds repositories
// with the real git and runs the real binary as `git model …`.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata",
		Setup:         setupEnv,
		UpdateScripts: *update,
		Condition:     condition,
	})
}

// condition answers the scenarios' own conditions: [root], the user that can chown files to
// another user and drop privileges (CI runs as root).
func condition(cond string) (bool, error) {
	if cond == "root" {
		return os.Geteuid() == 0, nil
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// gitConfig is the global Git configuration of every scenario.
const gitConfig = `[user]
	name = Ada Lovelace
	email = ada@example.com
[init]
	defaultBranch = main
[advice]
	detachedHead = false
`

// setupEnv gives each scenario a clean, fixed Git environment: its own HOME and global
// config, no system config, fixed identities and dates, UTC.
func setupEnv(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitConfig), 0o644); err != nil {
		return err
	}
	for k, v := range map[string]string{
		"PATH":                binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "Ada Lovelace",
		"GIT_AUTHOR_EMAIL":    "ada@example.com",
		"GIT_COMMITTER_NAME":  "Ada Lovelace",
		"GIT_COMMITTER_EMAIL": "ada@example.com",
		"GIT_AUTHOR_DATE":     "2024-01-01T00:00:00Z",
		"GIT_COMMITTER_DATE":  "2024-01-01T00:00:00Z",
		"TZ":                  "UTC",
		"NO_COLOR":            "1",
	} {
		env.Setenv(k, v)
	}
	return nil
}
