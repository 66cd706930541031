package cli

import (
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/git-model/git-model/pkg/internal/gitconfig"
)

// Terminal manners follow Git's: colour only on a terminal (color.model, then color.ui:
// always, never or auto), never with NO_COLOR or --no-color; long output goes through Git's
// pager (GIT_PAGER, core.pager, PAGER, less) when standard output is a terminal, unless
// --no-pager, pager.model=false or a pager already runs (GIT_PAGER_IN_USE).

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// configBool reads a Git boolean or "auto"; ok is false when unset or unreadable.
func (app *App) configValue(key string) (string, bool) {
	repo, err := app.Repo()
	if err != nil {
		return "", false
	}
	v, ok, err := repo.ConfigValue(key)
	return strings.ToLower(strings.TrimSpace(v)), ok && err == nil
}

// useColor decides once whether output is coloured.
func (app *App) useColor() bool {
	if app.color != nil {
		return *app.color
	}
	on := false
	switch {
	case app.global.NoColor, os.Getenv("NO_COLOR") != "":
	default:
		setting, ok := app.configValue("color.model")
		if !ok {
			setting, ok = app.configValue("color.ui")
		}
		value, isBool := gitconfig.ParseBool(setting)
		switch {
		case setting == "always":
			on = true
		case setting == "never", setting != "" && isBool && !value: // a key without a value is true
		default: // auto, true, unset: on a terminal, or into a pager (ours, or git's: git -p)
			on = app.paging || os.Getenv("GIT_PAGER_IN_USE") != "" || isTerminal(app.Stdout)
		}
	}
	app.color = &on
	return on
}

// paint wraps text in an SGR colour when colour is on.
func (app *App) paint(sgr, text string) string {
	if text == "" || text == none || !app.useColor() {
		return text
	}
	return "\x1b[" + sgr + "m" + text + "\x1b[m"
}

// The colours of the output, as Git's colour names map to SGR codes.
const (
	colorHeader  = "1"  // bold
	colorVersion = "32" // green, as Git shows branches
	colorWarning = "33" // yellow, for deprecated and deregistered
)

// startPager sends standard output through the user's pager, as Git does for long output.
func (app *App) startPager() {
	if app.global.NoPager || os.Getenv("GIT_PAGER_IN_USE") != "" || !isTerminal(app.Stdout) {
		return
	}
	if repo, err := app.Repo(); err == nil {
		if page, ok := repo.ConfigBool("pager.model"); ok && !page {
			return
		}
	}
	// As in Git, a variable or setting that is present but empty means no pager.
	pager, set := os.LookupEnv("GIT_PAGER")
	if !set {
		if repo, err := app.Repo(); err == nil {
			pager, set, _ = repo.ConfigValue("core.pager")
		}
	}
	if !set {
		pager, set = os.LookupEnv("PAGER")
	}
	if !set {
		pager = "less"
	}
	if pager == "" || pager == "cat" {
		return
	}
	cmd := exec.Command("sh", "-c", pager)
	cmd.Stdout, cmd.Stderr = app.Stdout, app.Stderr
	cmd.Env = append(os.Environ(), "GIT_PAGER_IN_USE=true")
	if os.Getenv("LESS") == "" {
		cmd.Env = append(cmd.Env, "LESS=FRX")
	}
	if os.Getenv("LV") == "" {
		cmd.Env = append(cmd.Env, "LV=-c")
	}
	in, err := cmd.StdinPipe()
	if err != nil || cmd.Start() != nil {
		return // no pager: write to the terminal directly
	}
	app.paging = true
	app.Stdout = in
	app.pager = func() {
		in.Close()
		cmd.Wait()
	}
}
