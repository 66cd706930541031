package cli

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	flags "github.com/jessevdk/go-flags"

	"github.com/git-model/git-model/pkg/registry"
)

// checkEmptyArguments refuses an empty option value (--version ”, --at=, -m ”) and an empty
// positional argument (deprecate NAME ”), which go-flags would take as given but which every
// command would read as "not given": `deprecate NAME ” --delete` would then delete every tag of
// the artifact instead of one version's. It follows the command line as go-flags does, so that
// it knows which words are the values of options and which command's options apply.
func checkEmptyArguments(parser *flags.Parser, args []string) error {
	cmd := parser.Command
	positionals := 0 // positional arguments of cmd seen so far
	onlyPositionals := false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "":
			return emptyPositional(cmd, positionals)
		case onlyPositionals || arg == "-" || !strings.HasPrefix(arg, "-"):
			if positionals == 0 && !onlyPositionals {
				if sub := cmd.Find(arg); sub != nil {
					cmd = sub
					continue
				}
			}
			positionals++
		case arg == "--":
			onlyPositionals = true
		case strings.HasPrefix(arg, "--"):
			name, value, inline := strings.Cut(arg[2:], "=")
			opt := cmd.FindOptionByLongName(name)
			switch {
			case opt == nil:
				// go-flags reports the unknown option
			case inline && value == "":
				return emptyValue(opt)
			case !inline && takesValue(opt):
				if i+1 < len(args) && args[i+1] == "" {
					return emptyValue(opt)
				}
				i++
			}
		default:
			// A cluster of short options (-fm MSG): the first one that takes a value takes
			// the rest of the word, or the next word when the rest is empty.
			for j, r := range arg[1:] {
				opt := cmd.FindOptionByShortName(r)
				if opt == nil || !takesValue(opt) {
					continue
				}
				if rest := arg[1+j+len(string(r)):]; rest == "" || rest == "=" {
					if rest == "=" || (i+1 < len(args) && args[i+1] == "") {
						return emptyValue(opt)
					}
					i++
				}
				break
			}
		}
	}
	return nil
}

// takesValue reports whether an option needs a value (a boolean flag does not).
func takesValue(opt *flags.Option) bool {
	if opt.OptionalArgument {
		return false
	}
	t := opt.Field().Type
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() != reflect.Bool && !(t.Kind() == reflect.Func && t.NumIn() == 0)
}

func emptyValue(opt *flags.Option) error {
	name := "-" + string(opt.ShortName)
	if opt.LongName != "" {
		name = "--" + opt.LongName
	}
	return usageError(fmt.Errorf("option '%s' needs a non-empty value", name))
}

// emptyPositional names the positional argument that was given empty: the index-th of cmd (a
// trailing list takes all the rest).
func emptyPositional(cmd *flags.Command, index int) error {
	args := cmd.Args()
	switch {
	case len(args) == 0 && len(cmd.Commands()) > 0 && index == 0:
		return usageError(errors.New("empty command name; see 'git model --help'"))
	case index < len(args):
		return usageError(fmt.Errorf("%s is empty", args[index].Name))
	case len(args) > 0 && args[len(args)-1].RequiredMaximum < 0:
		return usageError(fmt.Errorf("%s is empty", args[len(args)-1].Name))
	}
	return usageError(errors.New("empty argument"))
}

// noExtraArgs is a usage error for positional arguments that a command does not take.
func noExtraArgs(args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("unexpected argument '%s'", args[0]))
	}
	return nil
}

// UnmarshalFlag refuses a shortcut whose version lacks its "v" (nn@0.1.0) with the message
// that says how to write it, for every command that takes a shortcut: read whole as an
// artifact name, it would only be "neither an artifact name nor a shortcut".
func (s *shortcutArg) UnmarshalFlag(value string) error {
	if err := registry.ShortcutVersionError(value); err != nil {
		return userError("%v", err)
	}
	*s = shortcutArg(value)
	return nil
}

// digestValue is what an optional option's value looks like when it is a digest.
var digestValue = regexp.MustCompile(`^(?i:sha256|md5):`)

// joinDigestValues lets `annotate --checksum sha256:HEX` be written with a space, as options
// that take a value are: go-flags gives an option whose value is optional (--checksum alone
// computes it) only a value joined by '='. A word after --checksum that is a digest is joined
// to it; any other word stays a word of its own.
func joinDigestValues(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--" {
			return append(out, args[i:]...)
		}
		if args[i] == "--checksum" && i+1 < len(args) && digestValue.MatchString(args[i+1]) {
			out = append(out, "--checksum="+args[i+1])
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}
