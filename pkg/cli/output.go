package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// tableTime is how tables show a time: git's --date=iso, in the tagger's own time zone.
const tableTime = "2006-01-02 15:04:05 -0700"

// none fills an empty table cell.
const none = "-"

// writeTable prints rows under a header, columns aligned with two spaces between them and no
// trailing blanks. colorOf gives the colour of a cell (nil or "" for none); the header is bold.
func (app *App) writeTable(header []string, rows [][]string, colorOf func(col int, cell string) string) error {
	widths := make([]int, len(header))
	all := append([][]string{header}, rows...)
	for _, row := range all {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
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
			fmt.Fprintln(w, f.value)
		}
	}
}
