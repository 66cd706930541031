package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/git-model/git-model/pkg/internal/object"
)

// tableTime is how tables show a time: git's --date=iso, in the tagger's own time zone, which
// is shown as the tag wrote it.
func tableTime(t time.Time) string {
	return t.Format("2006-01-02 15:04:05 ") + object.ZoneText(t)
}

// none fills an empty table cell.
const none = "-"

// writeTable prints rows under a header, columns aligned with two spaces between them and no
// trailing blanks. colorOf gives the colour of a cell (nil or "" for none); the header is bold.
func (app *App) writeTable(header []string, rows [][]string, colorOf func(col int, cell string) string) error {
	widths := make([]int, len(header))
	all := make([][]string, 0, len(rows)+1)
	for _, row := range append([][]string{header}, rows...) {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = terminalSafe(cell)
			widths[i] = max(widths[i], utf8.RuneCountInString(safe[i]))
		}
		all = append(all, safe)
	}
	var b strings.Builder
	for r, row := range all {
		for i, cell := range row {
			color := colorHeader
			if r > 0 {
				color = ""
				if colorOf != nil {
					color = colorOf(i, cell)
				}
			}
			if color != "" {
				b.WriteString(app.paint(color, cell))
			} else {
				b.WriteString(cell)
			}
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(cell)+2))
			}
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(app.Stdout, b.String())
	return err
}

// writeJSON prints v as indented JSON. Struct fields are declared in alphabetical order so
// that every object's keys are sorted, like those of maps.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonTime formats a time as RFC 3339 in its own time zone, as GTO's isoformat does.
func jsonTime(t time.Time) string {
	return t.Format(time.RFC3339)
}

// orNone returns s, or the empty-cell mark when s is empty.
func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

// nullable returns nil for an empty string, so JSON shows null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// field is one value that a flag asks to print alone.
type field struct {
	want  bool
	value string
}

// printFields prints the values that were asked for, one per line, in order.
func printFields(w io.Writer, fields ...field) {
	for _, f := range fields {
		if f.want {
			fmt.Fprintln(w, terminalSafe(f.value))
		}
	}
}

// terminalSafe shows the control characters of s as visible escapes (\n, \r, \x1b, \u009b),
// and bytes that are not UTF-8 as \xNN, so that a tag message, a tagger name or an annotation
// cannot move the cursor, recolour the screen or hide text on a terminal: C0 controls but tab,
// DEL and C1 controls (8-bit CSI among them). What is shown on a terminal goes through it;
// --json prints values exactly.
func terminalSafe(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r) && r != utf8.RuneError:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// unsafeRune reports whether a terminal could act on r: a C0 control but tab, DEL, a C1
// control, or a byte that is not UTF-8 (decoded as utf8.RuneError).
func unsafeRune(r rune) bool {
	return (r < 0x20 && r != '\t') || (r >= 0x7f && r < 0xa0) || r == utf8.RuneError
}
