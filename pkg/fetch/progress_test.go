package fetch

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// clock is a fake time that advances by step at each reading.
type clock struct {
	t    time.Time
	step time.Duration
}

func (c *clock) now() time.Time {
	c.t = c.t.Add(c.step)
	return c.t
}

// chunks reads its data n bytes at a time, as a network connection would give it.
type chunks struct {
	data []byte
	n    int
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// readAll reads r to its end with a buffer of size bytes, returning what it read.
func readAll(t *testing.T, r io.Reader, size int) []byte {
	t.Helper()
	var out []byte
	buf := make([]byte, size)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestProgress(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, "model.pkl", 4<<20, true)
	p.now = (&clock{t: time.Unix(0, 0), step: 50 * time.Millisecond}).now
	data := bytes.Repeat([]byte{1}, 4<<20)
	if got := readAll(t, p.Reader(&chunks{data: data, n: 1 << 20}), 1<<20); !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes through the progress", len(got))
	}
	drawn := out.String()
	// Reads of 1 MiB at 50 ms steps: the line is drawn every other read, not at each.
	lines := strings.Split(strings.TrimPrefix(drawn, "\r"), "\r")
	if len(lines) != 2 {
		t.Errorf("drawn %d times, want 2: %q", len(lines), drawn)
	}
	want := "model.pkl: 2.0 MiB / 4.0 MiB   50%  20.0 MiB/s" // 2 MiB in the first 100 ms
	if lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[len(lines)-1], "model.pkl: 4.0 MiB / 4.0 MiB  100%") {
		t.Errorf("last line %q", lines[len(lines)-1])
	}
	if strings.Contains(drawn, "\n") {
		t.Errorf("the line is not rewritten in place: %q", drawn)
	}
	out.Reset()
	p.Done()
	if got := out.String(); !strings.HasPrefix(got, "\rmodel.pkl: 4.0 MiB / 4.0 MiB  100%") || !strings.HasSuffix(got, ", done.\n") {
		t.Errorf("Done wrote %q, want the final line and done", got)
	}
	out.Reset()
	p.Done()
	p.Abort()
	if out.Len() != 0 {
		t.Errorf("second Done wrote %q", out.String())
	}
}

func TestProgressAbort(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, "model.pkl", 4<<20, true)
	p.now = (&clock{t: time.Unix(0, 0), step: 100 * time.Millisecond}).now
	readAll(t, p.Reader(&chunks{data: make([]byte, 1<<20), n: 1 << 19}), 1<<19)
	out.Reset()
	p.Abort()
	if out.String() != "\n" {
		t.Errorf("Abort wrote %q, want a newline", out.String())
	}
}

func TestProgressUnknownTotal(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, "x", -1, true)
	p.now = (&clock{t: time.Unix(0, 0), step: time.Second}).now
	readAll(t, p.Reader(&chunks{data: make([]byte, 3000), n: 1000}), 1000)
	lines := strings.Split(out.String(), "\r")
	if want := []string{"", "x: 1000 B  1000 B/s", "x: 2.0 KiB  1000 B/s", "x: 2.9 KiB  1000 B/s", "x: 2.9 KiB  750 B/s "}; !slices.Equal(lines, want) {
		t.Errorf("lines %q, want %q", lines, want)
	}
	// A shorter line blanks out the end of the longer one before it.
	out.Reset()
	p.label = ""
	p.draw(0)
	if got, want := out.String(), "\r: 2.9 KiB"+strings.Repeat(" ", len("x: 2.9 KiB  750 B/s")-len(": 2.9 KiB")); got != want {
		t.Errorf("shorter line %q, want %q", got, want)
	}
}

func TestProgressDisabled(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, "model.pkl", 10, false)
	r := strings.NewReader("0123456789")
	if p.Reader(r) != io.Reader(r) {
		t.Error("a disabled progress wraps the reader")
	}
	p.Done()
	if out.Len() != 0 {
		t.Errorf("a disabled progress wrote %q", out.String())
	}
	// Enabled, but finished before the first interval: nothing drawn, nothing to clear.
	p = NewProgress(&out, "model.pkl", 10, true)
	io.ReadAll(p.Reader(strings.NewReader("0123456789")))
	p.Done()
	if out.Len() != 0 {
		t.Errorf("a quick download wrote %q", out.String())
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		5 << 20: "5.0 MiB", 3 << 30: "3.0 GiB", 2 << 40: "2.0 TiB", 5000 << 40: "5000.0 TiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
