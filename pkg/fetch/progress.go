package fetch

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Progress draws one line on a terminal that shows how far a download is (label, bytes done
// of the total, percent, rate) and rewrites itself with a carriage return, at most ten times a
// second. It draws from the reading goroutine, without one of its own: a stalled download
// keeps its last line until bytes come again. A disabled Progress draws nothing; the caller
// enables it on a terminal, for downloads of a few megabytes or more, and not with --quiet.
type Progress struct {
	w       io.Writer
	label   string
	total   int64
	enabled bool
	now     func() time.Time // time.Now, but for tests
	start   time.Time
	last    time.Time
	done    int64
	width   int // of the line drawn last, to blank it out
}

// progressInterval is the time between two drawings of the line.
const progressInterval = 100 * time.Millisecond

// NewProgress returns a Progress for a download of total bytes (-1 when unknown) that writes
// to w (standard error) when enabled.
func NewProgress(w io.Writer, label string, total int64, enabled bool) *Progress {
	return &Progress{w: w, label: label, total: total, enabled: enabled, now: time.Now}
}

// Reader returns r, counting the bytes read through it and drawing the line as they come.
func (p *Progress) Reader(r io.Reader) io.Reader {
	if !p.enabled {
		return r
	}
	p.start = p.now()
	p.last = p.start
	return &progressReader{r: r, p: p}
}

// Done ends the line, if one was drawn, as git ends its progress lines: drawn once more with
// the final count, then ", done." and a newline, so that what is printed next starts on a
// line of its own. A download too quick to draw a line leaves nothing.
func (p *Progress) Done() {
	if p.enabled && p.width > 0 {
		p.draw(p.now().Sub(p.start))
		fmt.Fprint(p.w, ", done.\n")
		p.width = 0
	}
}

// Abort ends a drawn line with a newline alone, for a download that failed: the error is
// printed next, on a line of its own.
func (p *Progress) Abort() {
	if p.enabled && p.width > 0 {
		fmt.Fprint(p.w, "\n")
		p.width = 0
	}
}

// add counts n bytes read and draws the line when the last drawing is old enough.
func (p *Progress) add(n int) {
	p.done += int64(n)
	if now := p.now(); now.Sub(p.last) >= progressInterval {
		p.last = now
		p.draw(now.Sub(p.start))
	}
}

// draw writes the line over the previous one, padded to blank out a longer one.
func (p *Progress) draw(elapsed time.Duration) {
	line := p.label + ": " + FormatBytes(p.done)
	if p.total > 0 {
		line += fmt.Sprintf(" / %s  %3d%%", FormatBytes(p.total), min(100, p.done*100/p.total))
	}
	if seconds := elapsed.Seconds(); seconds > 0 {
		line += "  " + FormatBytes(int64(float64(p.done)/seconds)) + "/s"
	}
	width := utf8.RuneCountInString(line)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", max(0, p.width-width)))
	p.width = width
}

// FormatBytes writes a byte count in binary units, as git does in its progress lines.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	value, suffix := float64(n)/unit, "KiB"
	for _, s := range []string{"MiB", "GiB", "TiB"} {
		if value < unit {
			break
		}
		value, suffix = value/unit, s
	}
	return fmt.Sprintf("%.1f %s", value, suffix)
}

// progressReader is the reader that Progress.Reader returns.
type progressReader struct {
	r io.Reader
	p *Progress
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.p.add(n)
	return n, err
}
