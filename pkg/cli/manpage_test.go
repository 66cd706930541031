package cli

// The man page documents the parser: every command and alias, and every option of every
// command, so that a command or option added to the code and not to git-model.1 fails here
// instead of surprising the reader of `git help model`.

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	flags "github.com/jessevdk/go-flags"
)

// manPage is git-model.1 cut into sections, with the roff escapes that matter here
// normalised: `\-` is '-', `\&` and `\|` are nothing.
type manPage struct {
	sections map[string][]string // the lines of each section (.SH NAME), fonts kept
}

func readManPage(t *testing.T) *manPage {
	t.Helper()
	data, err := os.ReadFile("../../man/git-model.1")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(`\-`, "-", `\&`, "", `\|`, "", `\(en`, "-", `\(em`, "-").Replace(string(data))
	page := &manPage{sections: map[string][]string{}}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(line, ".SH "); ok {
			section = strings.Trim(name, `"`)
			continue
		}
		page.sections[section] = append(page.sections[section], line)
	}
	for _, name := range []string{"SYNOPSIS", "COMMANDS", "OPTIONS"} {
		if len(page.sections[name]) == 0 {
			t.Fatalf("man/git-model.1 has no %s section", name)
		}
	}
	return page
}

// plain drops the font escapes (\fB, \fI, \fR, \fP).
func plain(line string) string {
	return regexp.MustCompile(`\\f[BIRP]`).ReplaceAllString(line, "")
}

// optionWords finds the options ("-a", "--all") that a line names.
var optionWords = regexp.MustCompile(`(?:^|[^\w-])(--?[a-zA-Z][\w-]*)`)

func optionsIn(line string) []string {
	var out []string
	for _, m := range optionWords.FindAllStringSubmatch(plain(line), -1) {
		out = append(out, m[1])
	}
	return out
}

// synopsis returns, by command, the options of its SYNOPSIS lines ("" for the lines without a
// command, such as `git model --version`).
func (p *manPage) synopsis() map[string][]string {
	out := map[string][]string{}
	for _, line := range p.sections["SYNOPSIS"] {
		fields := strings.Fields(plain(line))
		if len(fields) < 2 || fields[0] != "git" || fields[1] != "model" {
			continue
		}
		cmd := ""
		if len(fields) > 2 && !strings.HasPrefix(fields[2], "-") {
			cmd = strings.Trim(fields[2], "[]")
		}
		out[cmd] = append(out[cmd], optionsIn(strings.Join(fields[2:], " "))...)
	}
	return out
}

// optionEntry is one .TP entry of OPTIONS: the options its tag names and the commands its
// text is about, from the parenthesised "(ls, history)" lists; none means every command.
type optionEntry struct {
	tag     string
	options []string
	scopes  []string
}

var scopeList = regexp.MustCompile(`\(([^()]*)\)`)

func (p *manPage) options() []optionEntry {
	var entries []optionEntry
	lines := p.sections["OPTIONS"]
	for i := 0; i < len(lines); i++ {
		if lines[i] != ".TP" || i+1 >= len(lines) {
			continue
		}
		e := optionEntry{tag: plain(lines[i+1]), options: optionsIn(lines[i+1])}
		for j := i + 2; j < len(lines) && !strings.HasPrefix(lines[j], ".TP") && !strings.HasPrefix(lines[j], ".PP"); j++ {
			for _, m := range scopeList.FindAllStringSubmatch(plain(lines[j]), -1) {
				for _, item := range strings.Split(m[1], ",") {
					if words := strings.Fields(item); len(words) > 0 {
						e.scopes = append(e.scopes, words[0])
					}
				}
			}
		}
		entries = append(entries, e)
	}
	return entries
}

// documents reports whether the page documents option (as "-a" or "--all") of command cmd:
// in the command's SYNOPSIS lines, or in an OPTIONS entry about that command (or about all).
// For a global option (cmd ""), anywhere in SYNOPSIS or OPTIONS.
func (p *manPage) documents(cmd, option string) bool {
	synopsis := p.synopsis()
	if cmd == "" {
		for _, opts := range synopsis {
			if slices.Contains(opts, option) {
				return true
			}
		}
	} else if slices.Contains(synopsis[cmd], option) {
		return true
	}
	for _, e := range p.options() {
		if slices.Contains(e.options, option) && (cmd == "" || len(e.scopes) == 0 || slices.Contains(e.scopes, cmd)) {
			return true
		}
	}
	return false
}

// testParser is the parser of git-model, with go-flags' help options, which it adds to every
// command when it parses.
func testParser(t *testing.T) *flags.Parser {
	t.Helper()
	var stdout, stderr bytes.Buffer
	parser := newParser(&App{Stdout: &stdout, Stderr: &stderr}, &globalOptions{})
	if _, err := parser.ParseArgs([]string{"--help"}); !flags.WroteHelp(err) {
		t.Fatalf("parsing --help: %v", err)
	}
	return parser
}

// groupOptions lists the options of a group and of the groups in it.
func groupOptions(g *flags.Group) []*flags.Option {
	opts := append([]*flags.Option{}, g.Options()...)
	for _, sub := range g.Groups() {
		opts = append(opts, groupOptions(sub)...)
	}
	return opts
}

// spellings are the ways an option is written: "-a" and "--all".
func spellings(o *flags.Option) []string {
	var out []string
	if o.ShortName != 0 {
		out = append(out, "-"+string(o.ShortName))
	}
	if o.LongName != "" {
		out = append(out, "--"+o.LongName)
	}
	return out
}

func TestManPageDocumentsEveryCommand(t *testing.T) {
	page := readManPage(t)
	parser := testParser(t)
	synopsis := page.synopsis()
	commands := strings.Join(page.sections["COMMANDS"], "\n")
	if len(parser.Commands()) == 0 {
		t.Fatal("the parser has no commands")
	}
	for _, cmd := range parser.Commands() {
		// A command is an entry of COMMANDS (".TP" then "\fBname\fR …") and has a SYNOPSIS line.
		if !regexp.MustCompile(`(?m)^\.TP\n\\fB` + regexp.QuoteMeta(cmd.Name) + `\\f[RP]`).MatchString(commands) {
			t.Errorf("command '%s' has no entry in the COMMANDS section of man/git-model.1", cmd.Name)
		}
		if _, ok := synopsis[cmd.Name]; !ok {
			t.Errorf("command '%s' has no line in the SYNOPSIS of man/git-model.1", cmd.Name)
		}
		for _, alias := range cmd.Aliases {
			if !strings.Contains(commands, `\fB`+alias+`\fR`) {
				t.Errorf("alias '%s' of '%s' is not in the COMMANDS section of man/git-model.1", alias, cmd.Name)
			}
		}
	}
}

func TestManPageDocumentsEveryOption(t *testing.T) {
	page := readManPage(t)
	parser := testParser(t)
	global := groupOptions(parser.Group)
	if len(global) == 0 {
		t.Fatal("no global options")
	}
	for _, o := range global {
		for _, name := range spellings(o) {
			if !page.documents("", name) {
				t.Errorf("global option '%s' is in neither the SYNOPSIS nor the OPTIONS of man/git-model.1", name)
			}
		}
	}
	for _, cmd := range parser.Commands() {
		for _, o := range groupOptions(cmd.Group) {
			for _, name := range spellings(o) {
				if !page.documents(cmd.Name, name) {
					t.Errorf("option '%s' of '%s' is in neither its SYNOPSIS line nor an OPTIONS entry about '%s' in man/git-model.1", name, cmd.Name, cmd.Name)
				}
			}
		}
	}
}

// TestManPageDocumentsOnlyRealOptions is the other way round: an option that a SYNOPSIS line
// or an OPTIONS entry gives a command exists for that command.
func TestManPageDocumentsOnlyRealOptions(t *testing.T) {
	page := readManPage(t)
	parser := testParser(t)
	has := func(cmd *flags.Command, name string) bool {
		groups := []*flags.Group{parser.Group}
		if cmd != nil {
			groups = append(groups, cmd.Group)
		}
		for _, g := range groups {
			for _, o := range groupOptions(g) {
				if slices.Contains(spellings(o), name) {
					return true
				}
			}
		}
		return false
	}
	for name, opts := range page.synopsis() {
		var cmd *flags.Command
		if name != "" {
			if cmd = parser.Find(name); cmd == nil {
				t.Errorf("the SYNOPSIS of man/git-model.1 has a line for '%s', which is not a command", name)
				continue
			}
		}
		for _, o := range opts {
			if !has(cmd, o) {
				t.Errorf("the SYNOPSIS of man/git-model.1 gives '%s' option '%s', which it does not have", name, o)
			}
		}
	}
	for _, e := range page.options() {
		for _, scope := range e.scopes {
			cmd := parser.Find(scope)
			if cmd == nil {
				continue // prose in parentheses
			}
			for _, o := range e.options {
				if !has(cmd, o) {
					t.Errorf("the OPTIONS entry '%s' of man/git-model.1 is about '%s', which has no option '%s'", e.tag, scope, o)
				}
			}
		}
	}
}
