//go:build dist

package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The tests of the release artefacts of make dist, run by make test-dist (with the tag dist)
// together with every other test of this package, which then runs the release binary.

// distFile is an artefact that make test-dist names in the environment.
func distFile(t *testing.T, variable string) string {
	t.Helper()
	path := os.Getenv(variable)
	if path == "" {
		t.Fatalf("%s is not set: run these tests with make test-dist", variable)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDistBinaryLinksLibgit2Statically: the release binary needs no libgit2, mbedTLS, libssh2,
// http-parser, PCRE2 or zlib on the machine, and no glibc newer than 2.34.
func TestDistBinaryLinksLibgit2Statically(t *testing.T) {
	bin := distFile(t, "GIT_MODEL_TEST_BIN")
	ldd := output(t, "ldd", bin)
	for _, lib := range []string{"libgit2", "libmbed", "libssh2", "libhttp_parser", "libpcre2", "libz.so", "libcrypto"} {
		if strings.Contains(ldd, lib) {
			t.Errorf("the release binary links %s dynamically:\n%s", lib, ldd)
		}
	}
	symbols := output(t, "objdump", "-T", bin)
	for _, field := range strings.Fields(symbols) {
		if v, ok := strings.CutPrefix(strings.Trim(field, "()"), "GLIBC_"); ok && versionAbove(v, "2.34") {
			t.Errorf("the release binary needs %s, newer than the glibc 2.34 INSTALL promises", field)
		}
	}
	if v := output(t, bin, "--version"); !strings.HasPrefix(v, "git-model version ") {
		t.Errorf("--version printed %q", v)
	}
}

// versionAbove compares dotted version numbers.
func versionAbove(v, than string) bool {
	a, b := strings.Split(v, "."), strings.Split(than, ".")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = atoi(a[i])
		}
		if i < len(b) {
			y = atoi(b[i])
		}
		if x != y {
			return x > y
		}
	}
	return false
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// TestDistDeb: the .deb holds the binary, the man page and the completions under /usr, passes
// lintian, installs with dpkg -i (then git model --version, man git-model and bash completion
// work) and dpkg -r removes every file it installed.
func TestDistDeb(t *testing.T) {
	deb := distFile(t, "GIT_MODEL_TEST_DEB")
	contents := output(t, "dpkg-deb", "--contents", deb)
	files := []string{"/usr/bin/git-model", "/usr/share/man/man1/git-model.1.gz",
		"/usr/share/bash-completion/completions/git-model", "/usr/share/zsh/vendor-completions/_git-model",
		"/usr/share/fish/vendor_completions.d/git-model.fish", "/usr/share/fish/vendor_conf.d/git-model.fish",
		"/usr/share/doc/git-model/copyright"}
	for _, f := range files {
		if !strings.Contains(contents, "."+f+"\n") {
			t.Errorf("the .deb lacks %s:\n%s", f, contents)
		}
	}
	if depends := output(t, "dpkg-deb", "--field", deb, "Depends"); strings.Contains(depends, "libgit2") {
		t.Errorf("the .deb depends on libgit2: %s", depends)
	}
	lintian := exec.Command("lintian", "--fail-on", "error", deb)
	if out, err := lintian.CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, out)
	}
	if os.Geteuid() != 0 {
		t.Fatal("installing the .deb needs root, as CI runs")
	}
	output(t, "dpkg", "-i", deb)
	removed := false
	defer func() {
		if !removed {
			exec.Command("dpkg", "-r", "git-model").Run()
		}
	}()
	if v := output(t, "/usr/bin/git-model", "--version"); !strings.HasPrefix(v, "git-model version ") {
		t.Errorf("installed git-model --version printed %q", v)
	}
	if page := output(t, "man", "-P", "cat", "git-model"); !strings.Contains(page, "git-model - keep a model registry in Git tags") &&
		!strings.Contains(page, "git-model \\- keep") && !strings.Contains(page, "keep a model registry") {
		t.Errorf("man git-model does not show the page:\n%.300s", page)
	}
	// bash completion as a user's interactive shell loads it: bash-completion finds
	// /usr/share/bash-completion/completions/git-model on demand.
	script := `source /usr/share/bash-completion/bash_completion
_completion_loader git-model
COMP_WORDS=(git-model reg); COMP_CWORD=1; COMP_LINE="git-model reg"; COMP_POINT=${#COMP_LINE}
complete -p git-model >/dev/null && $(complete -p git-model | sed -E 's/.*-F ([^ ]+).*/\1/') git-model reg git-model
printf '%s\n' "${COMPREPLY[@]}"`
	if got := output(t, "bash", "-c", script); !strings.Contains(got, "register") {
		t.Errorf("bash completion of 'git-model reg' gave %q", got)
	}
	output(t, "dpkg", "-r", "git-model")
	removed = true
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("dpkg -r left %s", f)
		}
	}
}

// TestDistArm64 runs the cross-built arm64 binary under qemu-user-static (with Debian's
// multiarch arm64 libraries): --version, and a read of a test repository that git made. Its
// .deb passes lintian too.
func TestDistArm64(t *testing.T) {
	bin := distFile(t, "GIT_MODEL_TEST_BIN_ARM64")
	deb := distFile(t, "GIT_MODEL_TEST_DEB_ARM64")
	if f := output(t, "file", "-b", bin); !strings.Contains(f, "ARM aarch64") {
		t.Fatalf("the arm64 binary is %s", f)
	}
	if ldd := output(t, "aarch64-linux-gnu-readelf", "-d", bin); strings.Contains(ldd, "libgit2") {
		t.Errorf("the arm64 binary links libgit2 dynamically:\n%s", ldd)
	}
	if v := output(t, "qemu-aarch64-static", bin, "--version"); !strings.Contains(v, "linux/arm64") {
		t.Errorf("--version under qemu printed %q", v)
	}
	repo := t.TempDir()
	output(t, "git", "init", "-q", repo)
	output(t, "git", "-C", repo, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-q", "--allow-empty", "-m", "first")
	output(t, "git", "-C", repo, "-c", "user.name=A", "-c", "user.email=a@example.com", "tag", "-a", "nn@v1.0.0", "-m", "Registering")
	output(t, "git", "-C", repo, "-c", "user.name=A", "-c", "user.email=a@example.com", "tag", "-a", "nn#prod#1", "-m", "Assigning")
	cmd := exec.Command("qemu-aarch64-static", bin, "ls", "--json")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"prod": "v1.0.0"`) {
		t.Errorf("ls --json under qemu: %v\n%s", err, out)
	}
	if out, err := exec.Command("lintian", "--fail-on", "error", deb).CombinedOutput(); err != nil {
		t.Errorf("lintian of the arm64 .deb: %v\n%s", err, out)
	}
	if arch := output(t, "dpkg-deb", "--field", deb, "Architecture"); strings.TrimSpace(arch) != "arm64" {
		t.Errorf("the arm64 .deb says Architecture %q", arch)
	}
}
