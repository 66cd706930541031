package main

// `make install` as a packager runs it (DESTDIR, PREFIX=/usr): exactly the binary, the man page
// and the three shells' completions, each where its tool looks; `make uninstall` takes them all
// away; and what was installed works: `git help model` and `git model --help` show the page,
// Git's bash completion loads ours on demand, fish loads ours from its vendor directories.

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the top of the source tree (this test runs in cmd/git-model).
var repoRoot = func() string {
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		panic(err)
	}
	return dir
}()

// installed lists the files below root with their permissions, as "mode path" relative to root.
func installed(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files = append(files, info.Mode().String()+" "+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// make runs make in the source tree with the given variables.
func runMake(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-C", repoRoot}, args...)...)
	// The variables are arguments; keep DESTDIR and PREFIX of the caller's environment out.
	cmd.Env = withEnv(os.Environ(), "-DESTDIR", "-PREFIX", "-MAKEFLAGS", "-MFLAGS")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// overstrike and sgr-free text: man formats for a terminal unless told otherwise.
var manFormatting = regexp.MustCompile(".\b|\x1b\\[[0-9;]*m")

func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatalf("make is needed: %v", err)
	}
	dest := t.TempDir()
	runMake(t, "install", "DESTDIR="+dest, "PREFIX=/usr")

	want := []string{
		"-rw-r--r-- usr/share/bash-completion/completions/git-model",
		"-rw-r--r-- usr/share/fish/vendor_completions.d/git-model.fish",
		"-rw-r--r-- usr/share/fish/vendor_conf.d/git-model.fish",
		"-rw-r--r-- usr/share/man/man1/git-model.1",
		"-rw-r--r-- usr/share/zsh/site-functions/_git-model",
		"-rwxr-xr-x usr/bin/git-model",
	}
	slices.Sort(want)
	if got := installed(t, dest); !slices.Equal(got, want) {
		t.Fatalf("make install DESTDIR=%s PREFIX=/usr installed\n%s\nwant\n%s", dest, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The installed files are those of the source tree.
	for src, dst := range map[string]string{
		"man/git-model.1":                "usr/share/man/man1/git-model.1",
		"completions/git-model.bash":     "usr/share/bash-completion/completions/git-model",
		"completions/_git-model":         "usr/share/zsh/site-functions/_git-model",
		"completions/git-model.fish":     "usr/share/fish/vendor_completions.d/git-model.fish",
		"completions/git-model-git.fish": "usr/share/fish/vendor_conf.d/git-model.fish",
	} {
		a, errA := os.ReadFile(filepath.Join(repoRoot, src))
		b, errB := os.ReadFile(filepath.Join(dest, dst))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("%s is not a copy of %s (%v, %v)", dst, src, errA, errB)
		}
	}

	usr := filepath.Join(dest, "usr")
	home := t.TempDir()
	env := []string{
		"PATH=" + filepath.Join(usr, "bin") + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"LC_ALL=C.UTF-8",
		"TERM=dumb",
	}

	t.Run("installed binary", func(t *testing.T) {
		stdout, stderr, err := run(t, env, home, "git", "model", "--version")
		if err != nil || !strings.HasPrefix(stdout, "git-model version ") {
			t.Errorf("git model --version with the installed binary: %v\n%s%s", err, stdout, stderr)
		}
	})

	// git help model runs man git-model; MANPATH names only the installed page.
	manEnv := withEnv(env, "MANPATH="+filepath.Join(usr, "share", "man"), "MANPAGER=cat", "MANWIDTH=80", "-PAGER", "-GIT_PAGER")
	for _, argv := range [][]string{{"git", "help", "model"}, {"git", "model", "--help"}} {
		t.Run(strings.Join(argv, " "), func(t *testing.T) {
			stdout, stderr, err := run(t, manEnv, home, argv...)
			page := manFormatting.ReplaceAllString(stdout, "")
			if err != nil || !regexp.MustCompile(`(?m)^NAME\n +git-model - keep a model registry in Git tags$`).MatchString(page) ||
				!strings.Contains(page, "SYNOPSIS") || !strings.Contains(page, "git model promote") {
				t.Errorf("%s with MANPATH=%s/share/man: %v\nstdout:\n%.600s\nstderr:\n%s", strings.Join(argv, " "), usr, err, page, stderr)
			}
		})
	}

	// Git's completion loads the completion of git-model from bash-completion's directories
	// when `git model` is completed; nothing is sourced by hand here.
	t.Run("bash loads the installed completion on demand", func(t *testing.T) {
		bash := needShell(t, "bash")
		f := newShellFixture(t)
		script := f.writeFile("lazy.bash", `source `+bashCompletionScript+`
source `+gitCompletionScript+`
COMP_LINE='git model promote seg'; COMP_POINT=${#COMP_LINE}
COMP_WORDS=(git model promote seg); COMP_CWORD=3
__git_wrap__git_main
printf '%s\n' "${COMPREPLY[@]}"
`, 0o644)
		env := withEnv(f.env,
			"PATH="+filepath.Join(usr, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
			"XDG_DATA_DIRS="+filepath.Join(usr, "share"),
			"BASH_COMPLETION_USER_DIR="+filepath.Join(f.work, "none"))
		stdout, stderr, err := run(t, env, f.repo, bash, "--norc", "--noprofile", script)
		if err != nil || stdout != "segm-nn \n" {
			t.Errorf("git model promote seg<Tab> with the installed files: %v\nCOMPREPLY: %q, want %q\n%s", err, stdout, "segm-nn \n", stderr)
		}
	})

	// fish reads vendor_conf.d at startup and vendor_completions.d on demand, in XDG_DATA_DIRS.
	t.Run("fish finds the installed completions", func(t *testing.T) {
		fish := needShell(t, "fish")
		f := newShellFixture(t)
		env := withEnv(f.env,
			"PATH="+filepath.Join(usr, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
			"XDG_CONFIG_HOME="+filepath.Join(f.home, ".config"),
			"XDG_DATA_HOME="+filepath.Join(f.home, ".local", "share"),
			"XDG_DATA_DIRS="+filepath.Join(usr, "share"))
		for line, want := range map[string]string{
			"git-model promote seg": "segm-nn\n",
			"git model promote seg": "segm-nn\n",
			"git model pro":         "promote\tAssign a stage to a version\n",
		} {
			stdout, stderr, err := run(t, withEnv(env, "LINE="+line), f.repo, fish, "-c", `complete -C $LINE`)
			if err != nil || stdout != want {
				t.Errorf("fish: complete -C %q with the installed files: %v\ngot %q, want %q\n%s", line, err, stdout, want, stderr)
			}
		}
	})

	runMake(t, "uninstall", "DESTDIR="+dest, "PREFIX=/usr")
	if left := installed(t, dest); len(left) > 0 {
		t.Errorf("make uninstall DESTDIR=%s PREFIX=/usr left\n%s", dest, strings.Join(left, "\n"))
	}
}

// TestManPageWarnings formats the page as man does and wants no warning from groff, tbl or man.
func TestManPageWarnings(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		t.Fatalf("man (man-db) is needed: %v", err)
	}
	page := filepath.Join(repoRoot, "man", "git-model.1")
	env := withEnv(os.Environ(), "MANWIDTH=80", "LC_ALL=C.UTF-8", "MANPAGER=cat", "-MANOPT", "-GROFF_NO_SGR")
	stdout, stderr, err := run(t, env, repoRoot, "man", "--warnings", "-l", page)
	if err != nil || stderr != "" {
		t.Errorf("man --warnings -l man/git-model.1: %v\n%s", err, stderr)
	}
	if !strings.Contains(manFormatting.ReplaceAllString(stdout, ""), "git-model - keep a model registry in Git tags") {
		t.Errorf("man -l man/git-model.1 does not show the NAME line:\n%.600s", stdout)
	}
}

// TestMakeInstallFishPrefix installs under a PREFIX that fish does not read (Debian's fish reads
// vendor directories only under XDG_DATA_DIRS, which it leaves unset, so never /usr/local): the
// start-up file that make install puts in fish's own conf.d (FISHSYSCONFDIR, /etc/fish/conf.d by
// default) makes a clean login shell find the completions. fish reads that directory itself at
// start-up; here, where /etc is not ours to write, the shell sources the file as fish would.
func TestMakeInstallFishPrefix(t *testing.T) {
	fish := needShell(t, "fish")
	root := t.TempDir()
	prefix, sysconf := filepath.Join(root, "local"), filepath.Join(root, "etc", "fish", "conf.d")
	runMake(t, "install", "PREFIX="+prefix, "FISHSYSCONFDIR="+sysconf)
	snippet := filepath.Join(sysconf, "git-model.fish")
	if _, err := os.Stat(snippet); err != nil {
		t.Fatalf("make install PREFIX=%s installed no start-up file for fish: %v", prefix, err)
	}
	f := newShellFixture(t)
	// A clean login environment: no XDG_DATA_DIRS, as on Debian 12.
	env := withEnv(f.env, "PATH="+filepath.Join(prefix, "bin")+string(os.PathListSeparator)+"/usr/bin:/bin",
		"-XDG_DATA_DIRS", "-XDG_DATA_HOME", "XDG_CONFIG_HOME="+filepath.Join(f.home, ".config"))
	for line, want := range map[string]string{
		"git-model promote seg": "segm-nn\n",
		"git model promote seg": "segm-nn\n",
		"git model reg":         "register\tRegister a version of an artifact\n",
	} {
		stdout, stderr, err := run(t, withEnv(env, "LINE="+line), f.repo, fish, "-l", "-c", `source `+snippet+`; complete -C $LINE`)
		if err != nil || stdout != want {
			t.Errorf("fish -l: complete -C %q with PREFIX=%s: %v\ngot %q, want %q\n%s", line, prefix, err, stdout, want, stderr)
		}
	}
	runMake(t, "uninstall", "PREFIX="+prefix, "FISHSYSCONFDIR="+sysconf)
	if _, err := os.Stat(snippet); !os.IsNotExist(err) {
		t.Errorf("make uninstall left %s (%v)", snippet, err)
	}
}
