// Package cli is the git-model command line: the go-flags wiring, one file per command, and
// the output formats. It turns user input into calls of the registry, annotation and gitrepo
// packages, and maps every failure to a one-line message and Git's exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"

	flags "github.com/jessevdk/go-flags"
)

// Version is the release of git-model; the Makefile sets it from `git describe`.
var Version = "0.1.0-dev"

// globalOptions are the options that come before the command.
type globalOptions struct {
	Version bool     `long:"version" description:"Print the version of git-model and exit"`
	NoPager bool     `long:"no-pager" description:"Do not send long output through a pager"`
	NoColor bool     `long:"no-color" description:"Do not colour the output"`
	Repos   []string `short:"R" long:"repo" value-name:"URL|PATH" description:"Read the registry of another repository: a path, or a URL mirrored in the cache (repeat on ls for a view of several)"`
	Offline bool     `long:"offline" description:"With --repo URL: read the cache as it is, without fetching"`
}

// command is one subcommand: its name, help and the options struct that go-flags fills.
type command struct {
	name, short, long string
	aliases           []string
	data              flags.Commander
}

// Main runs git-model with the arguments after the program name and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	args = joinDigestValues(args)
	var global globalOptions
	app := &App{Stdin: stdin, Stdout: stdout, Stderr: stderr, global: &global}
	defer app.Close()
	parser := newParser(app, &global)
	parser.CommandHandler = func(cmd flags.Commander, rest []string) error {
		switch {
		case global.Version:
			fmt.Fprintf(stdout, "git-model version %s (%s %s/%s)\n", Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		case cmd == nil && len(rest) > 0:
			return didYouMean(usageError(fmt.Errorf("'%s' is not a git model command; see 'git model --help'", rest[0])),
				rest[0], commandNames(commands(app)))
		case cmd == nil:
			cmd = &lsCommand{app: app}
		}
		return cmd.Execute(rest)
	}
	if mode := os.Getenv("GO_FLAGS_COMPLETION"); mode != "" {
		completing = &completionContext{app: app, parser: parser, args: args}
		parser.CompletionHandler = func(items []flags.Completion) {
			printCompletions(stdout, items, mode == "verbose")
		}
	}
	if completing == nil {
		if err := checkEmptyArguments(parser, args); err != nil {
			return app.report(err)
		}
	}
	_, err := parser.ParseArgs(args)
	return app.report(err)
}

// newParser builds the go-flags parser with every command.
func newParser(app *App, global *globalOptions) *flags.Parser {
	parser := flags.NewNamedParser("git model", flags.HelpFlag|flags.PassDoubleDash)
	parser.SubcommandsOptional = true
	parser.LongDescription = "git-model keeps a model registry in Git tags: versions, stage assignments " +
		"and deprecations are annotated tags that GTO, DVC and Iterative Studio read too. " +
		"With no command, 'git model' runs 'ls'."
	if _, err := parser.AddGroup("Global options", "", global); err != nil {
		panic(err) // the options struct is ours: a failure here is a programming error
	}
	for _, c := range commands(app) {
		cmd, err := parser.AddCommand(c.name, c.short, unwrap(c.long), c.data)
		if err != nil {
			panic(err)
		}
		cmd.Aliases = c.aliases
	}
	return parser
}

// commands lists every subcommand, in the order help shows them.
func commands(app *App) []command {
	return []command{
		{"ls", lsShort, lsLong, []string{"show"}, &lsCommand{app: app}},
		{"register", registerShort, registerLong, nil, &registerCommand{app: app}},
		{"promote", promoteShort, promoteLong, []string{"assign"}, &promoteCommand{app: app}},
		{"demote", demoteShort, demoteLong, []string{"unassign"}, &demoteCommand{app: app}},
		{"deprecate", deprecateShort, deprecateLong, nil, &deprecateCommand{app: app}},
		{"deregister", deregisterShort, deregisterLong, nil, &deregisterCommand{app: app}},
		{"annotate", annotateShort, annotateLong, nil, &annotateCommand{app: app}},
		{"remove", removeShort, removeLong, nil, &removeCommand{app: app}},
		{"describe", describeShort, describeLong, nil, &describeCommand{app: app}},
		{"get", getShort, getLong, nil, &getCommand{app: app}},
		{"push", pushShort, pushLong, nil, &pushCommand{app: app}},
		{"fetch", fetchShort, fetchLong, nil, &fetchCommand{app: app}},
		{"status", statusShort, statusLong, nil, &statusCommand{app: app}},
		{"history", historyShort, historyLong, nil, &historyCommand{app: app}},
		{"which", whichShort, whichLong, nil, &whichCommand{app: app}},
		{"latest", latestShort, latestLong, nil, &latestCommand{app: app}},
		{"check-ref", checkRefShort, checkRefLong, nil, &checkRefCommand{app: app}},
		{"verify", verifyShort, verifyLong, nil, &verifyCommand{app: app}},
		{"hook", hookShort, hookLong, nil, &hookCommand{app: app}},
		{"stages", stagesShort, stagesLong, nil, &stagesCommand{app: app}},
		{"doctor", doctorShort, doctorLong, nil, &doctorCommand{app: app}},
		{"serve", serveShort, serveLong, nil, &serveCommand{app: app}},
		{"demo", demoShort, demoLong, nil, &demoCommand{app: app}},
	}
}

// unwrap joins the lines of each paragraph of a help text, so that go-flags wraps it to the
// terminal's width without the breaks of the source.
func unwrap(text string) string {
	paragraphs := strings.Split(text, "\n\n")
	for i, p := range paragraphs {
		paragraphs[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paragraphs, "\n\n")
}

// printCompletions prints one completion per line; verbose adds "  # description" as
// go-flags does, which the zsh and fish scripts show beside each candidate.
func printCompletions(w io.Writer, items []flags.Completion, verbose bool) {
	for _, item := range items {
		if verbose && item.Description != "" {
			fmt.Fprintf(w, "%s  # %s\n", item.Item, item.Description)
		} else {
			fmt.Fprintln(w, item.Item)
		}
	}
}

// exitError is a failure with the message prefix and exit status that Git would use.
type exitError struct {
	prefix string // "error" or "fatal"
	code   int
	err    error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return "failed"
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// hintedError is an error with git's "hint:" line after it (App.report prints it).
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

// userError is an expected failure: an unknown artifact, a version that exists (exit 1).
func userError(format string, args ...any) error {
	return &exitError{"error", 1, fmt.Errorf(format, args...)}
}

// fatalError is a failure of the repository or of Git itself (exit 128).
func fatalError(err error) error {
	return &exitError{"fatal", 128, err}
}

// saidError is a failure whose reasons the command printed already, one line each (exit 1).
func saidError() error {
	return &exitError{"error", 1, nil}
}

// usageError is a command line that cannot be run as given (exit 129).
func usageError(err error) error {
	return &exitError{"error", 129, err}
}

// report prints err as one line on stderr and returns the exit status.
func (app *App) report(err error) int {
	if err == nil {
		return 0
	}
	var flagsErr *flags.Error
	if errors.As(err, &flagsErr) {
		if flagsErr.Type == flags.ErrHelp {
			fmt.Fprint(app.Stdout, flagsErr.Message)
			return 0
		}
		err = usageError(errors.New(flagsMessage(flagsErr)))
	}
	if errors.Is(err, syscall.EPIPE) {
		return 0 // the pager or the reader went away, as when git's output is cut short
	}
	var exit *exitError
	if !errors.As(err, &exit) {
		exit = &exitError{"fatal", 128, err}
	}
	if exit.err == nil {
		return exit.code // the command said why already
	}
	msg := terminalSafe(strings.ReplaceAll(exit.err.Error(), "\n", " "))
	fmt.Fprintf(app.Stderr, "%s: %s\n", exit.prefix, msg)
	var hinted interface{ Hint() string }
	if errors.As(err, &hinted) {
		fmt.Fprintf(app.Stderr, "hint: %s\n", hinted.Hint())
	}
	return exit.code
}

// flagsMessage rewords a go-flags error the way Git words its own.
func flagsMessage(err *flags.Error) string {
	msg := strings.NewReplacer("`", "'", "unknown flag", "unknown option", "for flag", "for option").Replace(err.Message)
	if msg != "" {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	return msg
}
