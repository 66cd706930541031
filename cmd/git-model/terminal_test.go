package main

// Terminal manners, as Git has them: output goes through the user's pager only on a terminal
// (GIT_PAGER, then core.pager, then PAGER; not with --no-pager, pager.model=false or a pager
// that is cat), and colour only on a terminal or into Git's pager, never with NO_COLOR,
// --no-color or color.model / color.ui = never, always with color.model / color.ui = always.
// The terminal is a real pseudo-terminal: util-linux `script` runs the command on one and
// copies what it shows to its own standard output.

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// terminalFixture is the fixture of the completion tests, with colour left to the test
// (setupEnv sets NO_COLOR) and no pager chosen by the machine.
type terminalFixture struct {
	*shellFixture
	table string // what `git model ls` prints, without colour
}

func newTerminalFixture(t *testing.T) *terminalFixture {
	t.Helper()
	f := newShellFixture(t)
	f.env = withEnv(f.env, "-NO_COLOR", "-GIT_PAGER", "-PAGER", "-LESS", "TERM=xterm", "SHELL=/bin/sh")
	commit := f.head[:7]
	return &terminalFixture{shellFixture: f, table: "" +
		"name           latest  #dev    #prod   commit\n" +
		"churn          v0.0.1  -       -       " + commit + "\n" +
		"models/cv:det  v0.0.1  -       -       " + commit + "\n" +
		"segm-nn        v1.0.0  v0.0.1  v1.0.0  " + commit + "\n"}
}

// pager writes a pager that prefixes every line with label and a colon, and returns the
// command that runs it.
func (f *terminalFixture) pager(label string) string {
	return f.writeFile("pager-"+label, "#!/bin/sh\nexec sed 's/^/"+label+":/'\n", 0o755)
}

// config sets git config key in the repository for the rest of the (sub)test.
func (f *terminalFixture) config(t *testing.T, key, value string) {
	t.Helper()
	f.git(f.repo, "config", key, value)
	t.Cleanup(func() { f.git(f.repo, "config", "--unset-all", key) })
}

// onTerminal runs a shell command line in the repository with its standard streams on a
// pseudo-terminal and returns what the terminal showed, with its CRLF line ends as LF.
func (f *terminalFixture) onTerminal(t *testing.T, env []string, cmdline string) string {
	t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatalf("script (util-linux) is needed for a terminal: %v", err)
	}
	stdout, stderr, err := run(t, env, f.repo, "script", "-qec", cmdline, "/dev/null")
	if err != nil {
		t.Fatalf("on a terminal, %s: %v\n%s%s", cmdline, err, stdout, stderr)
	}
	return strings.ReplaceAll(stdout, "\r\n", "\n")
}

// piped runs a shell command line in the repository with its standard output on a pipe.
func (f *terminalFixture) piped(t *testing.T, env []string, cmdline string) string {
	t.Helper()
	stdout, stderr, err := run(t, env, f.repo, "sh", "-c", cmdline)
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmdline, err, stderr)
	}
	if stderr != "" {
		t.Errorf("%s: unexpected stderr:\n%s", cmdline, stderr)
	}
	return stdout
}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// prefixed returns table with label and a colon before every line.
func prefixed(label, table string) string {
	if label == "" {
		return table
	}
	return regexp.MustCompile("(?m)^").ReplaceAllString(strings.TrimSuffix(table, "\n"), label+":") + "\n"
}

func TestPager(t *testing.T) {
	f := newTerminalFixture(t)
	paged, core, envPager := f.pager("PAGED"), f.pager("CORE"), f.pager("ENV")

	for _, c := range []struct {
		name    string
		config  [][2]string // git config in the repository
		env     []string    // changes to the environment
		cmdline string
		want    string // the label of the pager that ran, "" for none
	}{
		{"GIT_PAGER through git", nil, []string{"GIT_PAGER=" + paged}, "git model ls", "PAGED"},
		{"GIT_PAGER run directly", nil, []string{"GIT_PAGER=" + paged}, "git-model ls", "PAGED"},
		{"git model --no-pager", nil, []string{"GIT_PAGER=" + paged}, "git model --no-pager ls", ""},
		{"git model ls --no-pager", nil, []string{"GIT_PAGER=" + paged}, "git model ls --no-pager", ""},
		{"git --no-pager model", nil, []string{"GIT_PAGER=" + paged}, "git --no-pager model ls", ""},
		{"git-model --no-pager", nil, []string{"GIT_PAGER=" + paged}, "git-model --no-pager ls", ""},
		{"GIT_PAGER=cat", nil, []string{"GIT_PAGER=cat", "PAGER=" + envPager}, "git model ls", ""},
		{"pager.model=false through git", [][2]string{{"pager.model", "false"}}, []string{"GIT_PAGER=" + paged}, "git model ls", ""},
		{"pager.model=false run directly", [][2]string{{"pager.model", "false"}}, []string{"GIT_PAGER=" + paged}, "git-model ls", ""},
		{"GIT_PAGER before core.pager and PAGER", [][2]string{{"core.pager", core}}, []string{"GIT_PAGER=" + paged, "PAGER=" + envPager}, "git model ls", "PAGED"},
		{"core.pager before PAGER", [][2]string{{"core.pager", core}}, []string{"PAGER=" + envPager}, "git model ls", "CORE"},
		{"core.pager run directly", [][2]string{{"core.pager", core}}, []string{"PAGER=" + envPager}, "git-model ls", "CORE"},
		{"PAGER", nil, []string{"PAGER=" + envPager}, "git model ls", "ENV"},
		// Git: an empty GIT_PAGER (or core.pager, or PAGER) means no pager at all.
		{"empty GIT_PAGER", nil, []string{"GIT_PAGER=", "PAGER=" + envPager}, "git model ls", ""},
		// Git itself runs the pager that pager.model names (or its own, for true).
		{"pager.model=command through git", [][2]string{{"pager.model", paged}}, []string{"PAGER=" + envPager}, "git model ls", "PAGED"},
		{"pager.model=true through git", [][2]string{{"pager.model", "true"}}, []string{"PAGER=" + envPager}, "git model ls", "ENV"},
		// git -p runs the pager itself; git-model must not start a second one.
		{"git -p", nil, []string{"GIT_PAGER=" + paged}, "git -p model ls", "PAGED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, kv := range c.config {
				f.config(t, kv[0], kv[1])
			}
			env := withEnv(f.env, c.env...)
			got := sgr.ReplaceAllString(f.onTerminal(t, env, c.cmdline), "")
			if want := prefixed(c.want, f.table); got != want {
				t.Errorf("on a terminal, %s with %q, config %q\ngot:\n%s\nwant:\n%s", c.cmdline, c.env, c.config, got, want)
			}
		})
	}

	// The other commands with long output page too; --json is for programs and never paged.
	for _, c := range []struct {
		cmdline, want string
	}{
		{"git model history", "PAGED"},
		{"git model history segm-nn", "PAGED"},
		{"git model ls segm-nn", "PAGED"},
		{"git model ls --json", ""},
		{"git model history --json", ""},
	} {
		t.Run(c.cmdline, func(t *testing.T) {
			text := f.piped(t, f.env, c.cmdline)
			got := sgr.ReplaceAllString(f.onTerminal(t, withEnv(f.env, "GIT_PAGER="+paged), c.cmdline), "")
			if want := prefixed(c.want, text); got != want {
				t.Errorf("on a terminal with GIT_PAGER, %s\ngot:\n%s\nwant:\n%s", c.cmdline, got, want)
			}
		})
	}

	t.Run("not a terminal", func(t *testing.T) {
		for _, cmdline := range []string{"git model ls", "git-model ls"} {
			env := withEnv(f.env, "GIT_PAGER="+paged, "PAGER="+envPager)
			if got := f.piped(t, env, cmdline); got != f.table {
				t.Errorf("%s | …: got\n%q\nwant (no pager, no colour)\n%q", cmdline, got, f.table)
			}
		}
	})
}

func TestColor(t *testing.T) {
	f := newTerminalFixture(t)
	const boldHeader = "\x1b[1mname\x1b[m"
	paged := f.pager("PAGED")

	for _, c := range []struct {
		name     string
		config   [][2]string
		env      []string
		cmdline  string
		terminal bool
		want     bool // whether the header is bold
	}{
		{"terminal", nil, nil, "git model ls", true, true},
		{"terminal run directly", nil, nil, "git-model ls", true, true},
		{"into the pager on a terminal", nil, []string{"GIT_PAGER=" + paged}, "git model ls", true, true},
		// Git colours what goes into the pager it started itself (GIT_PAGER_IN_USE).
		{"into git -p's pager", nil, []string{"GIT_PAGER=" + paged}, "git -p model ls", true, true},
		{"into the pager of pager.model", [][2]string{{"pager.model", paged}}, []string{"-GIT_PAGER"}, "git model ls", true, true},
		{"NO_COLOR", nil, []string{"NO_COLOR=1"}, "git model ls", true, false},
		{"git model --no-color", nil, nil, "git model --no-color ls", true, false},
		{"git model ls --no-color", nil, nil, "git model ls --no-color", true, false},
		{"color.model=never", [][2]string{{"color.model", "never"}}, nil, "git model ls", true, false},
		{"color.ui=never", [][2]string{{"color.ui", "never"}}, nil, "git model ls", true, false},
		{"color.ui=false", [][2]string{{"color.ui", "false"}}, nil, "git model ls", true, false},
		{"color.model=auto before color.ui=never", [][2]string{{"color.model", "auto"}, {"color.ui", "never"}}, nil, "git model ls", true, true},
		{"color.model=never before color.ui=always", [][2]string{{"color.model", "never"}, {"color.ui", "always"}}, nil, "git model ls", true, false},
		{"git -c color.ui=never", nil, nil, "git -c color.ui=never model ls", true, false},
		{"TERM=dumb", nil, []string{"TERM=dumb"}, "git model ls", true, false},
		{"pipe", nil, nil, "git model ls", false, false},
		{"pipe run directly", nil, nil, "git-model ls", false, false},
		{"pipe with color.model=always", [][2]string{{"color.model", "always"}}, nil, "git model ls", false, true},
		{"pipe with color.ui=always", [][2]string{{"color.ui", "always"}}, nil, "git model ls", false, true},
		{"pipe with git -c color.model=always", nil, nil, "git -c color.model=always model ls", false, true},
		{"NO_COLOR before color.model=always", [][2]string{{"color.model", "always"}}, []string{"NO_COLOR=1"}, "git model ls", false, false},
		{"--no-color before color.ui=always", [][2]string{{"color.ui", "always"}}, nil, "git model --no-color ls", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, kv := range c.config {
				f.config(t, kv[0], kv[1])
			}
			// No pager unless the case chooses one (or unsets GIT_PAGER for Git's own).
			env := withEnv(f.env, "GIT_PAGER=cat")
			env = withEnv(env, c.env...)
			var got string
			if c.terminal {
				got = f.onTerminal(t, env, c.cmdline)
			} else {
				got = f.piped(t, env, c.cmdline)
			}
			where := "piped"
			if c.terminal {
				where = "on a terminal"
			}
			switch {
			case c.want && !strings.Contains(got, boldHeader):
				t.Errorf("%s, %s with %q, config %q: the header is not bold (%q)\n%q", where, c.cmdline, c.env, c.config, boldHeader, got)
			case !c.want && strings.Contains(got, "\x1b["):
				t.Errorf("%s, %s with %q, config %q: escape codes in uncoloured output\n%q", where, c.cmdline, c.env, c.config, got)
			}
			// Colour or not, the text is the table.
			if text := sgr.ReplaceAllString(got, ""); !strings.Contains(text, "segm-nn        v1.0.0  v0.0.1  v1.0.0") {
				t.Errorf("%s, %s: not the table:\n%s", where, c.cmdline, got)
			}
		})
	}
}
