package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	flags "github.com/jessevdk/go-flags"

	"github.com/git-model/git-model/pkg/fetch"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/registry"
	"github.com/git-model/git-model/pkg/safefile"
)

const getShort = "Write the file or folder of a version of an artifact"

const getLong = `Write the model of NAME@vX.Y.Z, NAME@latest or NAME#STAGE (plain NAME: its latest version)
to -o PATH, by default to the file or folder name of its path in the current folder. The path
is the one annotated at the version's commit (artifacts.yaml, else dvc.yaml), as 'describe'
prints it: a file or folder committed in the repository (read from the commit, also through
a --repo mirror), a Git LFS pointer (the object from the local LFS store, else through the
LFS batch API of the remote, with Git's credential helpers), a file or folder tracked by DVC
(a .dvc file or dvc.lock at that commit; from the local DVC cache, else the DVC remote of
.dvc/config: a local folder, http(s):// or s3://), an https:// URL or an s3:// URL (AWS_*
variables and ~/.aws files, as the AWS CLI).

Every byte is checked before it is written: against the sha256 of the LFS pointer, the md5
DVC records, and the checksum annotated with 'annotate --checksum'. Downloads are kept in a
cache by digest ($XDG_CACHE_HOME/git-model/objects), so getting a version again reads
nothing from the network; a URL without a checksum is reused from the cache until --refresh.
The output appears whole, by a rename, or not at all: a failed check, a cut download or a
missing object leave nothing at PATH. -o - writes a file to standard output.`

type getCommand struct {
	app     *App
	Output  flags.Filename `short:"o" long:"output" value-name:"PATH" description:"Write here (a file, a folder, or - for standard output) instead of the name of the artifact's path in the current folder"`
	Quiet   bool           `short:"q" long:"quiet" description:"Print nothing but errors, and no progress"`
	JSON    bool           `long:"json" description:"Print JSON: where the model went, its sha256 and size"`
	Refresh bool           `long:"refresh" description:"Download a URL that has no checksum again rather than reuse the cached copy"`
	Args    struct {
		Name shortcutArg `positional-arg-name:"NAME" required:"yes"`
	} `positional-args:"yes"`
}

// getJSON is the object `get --json` prints.
type getJSON struct {
	Artifact string  `json:"artifact"`
	Cached   bool    `json:"cached"`
	Commit   string  `json:"commit"`
	Files    int     `json:"files"`
	From     string  `json:"from"`
	Output   string  `json:"output"`
	Path     string  `json:"path"`
	SHA256   *string `json:"sha256"`
	Size     int64   `json:"size"`
	Source   string  `json:"source"`
	Version  string  `json:"version"`
}

// progressMin is the size from which a download draws a progress line.
const progressMin = 4 << 20

func (c *getCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	name := string(c.Args.Name)
	artifact, version, commit, err := c.app.resolveName(name, true)
	if err != nil {
		return err
	}
	a, err := c.app.annotationOf(name, artifact, version, commit)
	if err != nil {
		return err
	}
	if a.Path == "" {
		return &hintedError{userError("%s (%s) has no path annotated in %s at its commit %s", name, version, a.Source, object.Short(commit)),
			fmt.Sprintf("annotate it and commit: git model annotate %s --path PATH --commit", artifact)}
	}
	checksum, err := annotatedChecksum(a.Custom)
	if err != nil {
		return userError("%s (%s): %v in %s", name, version, err, a.Source)
	}
	repo, err := c.app.Repo()
	if err != nil {
		return err
	}
	cache, err := fetch.DefaultCache()
	if err != nil {
		return fatalError(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &getter{app: c.app, repo: repo, commit: commit, ctx: ctx, cache: cache, refresh: c.Refresh}
	dir, _ := registry.SplitArtifactName(artifact)
	pl, err := g.resolve(dir, a.Path)
	if err != nil {
		return interrupted(ctx, getError(name, version, err))
	}
	if checksum != nil {
		if pl.folder {
			return userError("%s (%s) annotates a checksum, but '%s' is a folder", name, version, a.Path)
		}
		pl.pieces[0].want = append(pl.pieces[0].want, *checksum)
	}
	dst, err := c.destination(a.Path, pl.folder)
	if err != nil {
		return err
	}
	got, err := c.fetchAll(g, pl, path.Base(a.Path))
	if err != nil {
		return interrupted(ctx, getError(name, version, err))
	}
	if err := c.install(pl, got, dst); err != nil {
		return userError("%v", err)
	}
	return c.report(getJSON{Artifact: artifact, Cached: got.cached, Commit: commit, Files: len(pl.pieces),
		From: pl.from, Output: dst, Path: a.Path, SHA256: got.sha256(pl), Size: got.size, Source: pl.kind, Version: version})
}

// fetched is what fetchAll gathered: each piece's cached file by its path in the folder.
type fetched struct {
	files  map[string]string
	first  fetch.Entry
	cached bool
	size   int64
}

// sha256 is the digest of a single file, none for a folder.
func (f fetched) sha256(pl *payload) *string {
	if pl.folder {
		return nil
	}
	s := f.first.SHA256.String()
	return &s
}

// fetchAll brings every piece into the cache, checked, with a progress line on a terminal.
func (c *getCommand) fetchAll(g *getter, pl *payload, base string) (fetched, error) {
	f := fetched{files: make(map[string]string, len(pl.pieces)), cached: true}
	progress := !c.Quiet && !c.JSON && isTerminal(c.app.Stderr)
	for i, pc := range pl.pieces {
		label := base
		if pc.rel != "" {
			label = pc.rel
		}
		e, hit, err := g.fetch(pc, label, c.app.Stderr, progress)
		if err != nil {
			return f, err
		}
		if i == 0 {
			f.first = e
		}
		f.files[pc.rel] = e.Path
		f.cached = f.cached && hit
		f.size += e.Size
	}
	return f, nil
}

// install writes the fetched file or folder to dst, whole or not at all.
func (c *getCommand) install(pl *payload, f fetched, dst string) error {
	switch {
	case dst == "-":
		return copyOut(c.app.Stdout, f.first.Path)
	case pl.folder:
		return fetch.InstallDir(f.files, dst)
	}
	return fetch.Install(f.first.Path, dst)
}

// report prints the summary line (on stderr when the model went to stdout) or the JSON.
func (c *getCommand) report(j getJSON) error {
	dst := j.Output
	if abs, err := filepath.Abs(dst); err == nil && dst != "-" {
		j.Output = abs
	}
	if c.JSON {
		return writeJSON(c.app.Stdout, j)
	}
	if c.Quiet {
		return nil
	}
	out := c.app.Stdout
	if dst == "-" {
		out = c.app.Stderr
	}
	what := fmt.Sprintf("%s, %s", fetch.FormatBytes(j.Size), plural(j.Files, "file"))
	if j.SHA256 != nil {
		what = fmt.Sprintf("%s, %s", fetch.FormatBytes(j.Size), *j.SHA256)
	}
	fmt.Fprintf(out, "Wrote %s %s to %s (%s)\n", j.Artifact, j.Version, terminalSafe(shownOutput(dst, j.SHA256 == nil)), what)
	return nil
}

// shownOutput names the output in the summary line.
func shownOutput(dst string, folder bool) string {
	switch {
	case dst == "-":
		return "standard output"
	case folder:
		return "'" + strings.TrimSuffix(dst, "/") + "/'"
	}
	return "'" + dst + "'"
}

// destination is where the payload goes: -o as given (inside it, for a file and an existing
// folder), or the name of the annotated path in the current folder.
func (c *getCommand) destination(annotated string, folder bool) (string, error) {
	base := annotated
	if u, err := url.Parse(annotated); err == nil && u.Scheme != "" {
		base = u.Path
	}
	base = path.Base(strings.TrimRight(base, "/"))
	named := func() (string, error) {
		if base == "" || base == "." || base == ".." || base == "/" || !safefile.InTree(base) {
			return "", userError("cannot name the output after '%s'; give -o PATH", fetch.RedactURL(annotated))
		}
		return base, nil
	}
	switch out := string(c.Output); {
	case out == "-" && folder:
		return "", usageError(errors.New("-o - writes a file, and this artifact is a folder"))
	case out == "-" && c.JSON:
		return "", usageError(errors.New("--json and -o - both write to standard output"))
	case out == "-":
		return out, nil
	case out == "":
		return named()
	case !folder:
		if info, err := os.Stat(out); (err == nil && info.IsDir()) || strings.HasSuffix(out, "/") {
			name, err := named()
			return filepath.Join(out, name), err
		}
	}
	return string(c.Output), nil
}

// fetch returns a cached copy of a piece's bytes, verified against every digest it must have:
// the cache's, else a download (drawing a progress line on a terminal) stored in the cache.
// hit says the cache had it.
func (g *getter) fetch(pc piece, label string, stderr io.Writer, progress bool) (e fetch.Entry, hit bool, err error) {
	if e, ok := g.lookup(pc.want); ok {
		return e, true, nil
	}
	if len(pc.want) == 0 && pc.url != "" && !g.refresh {
		if d, ok := g.cache.URLDigest(pc.url); ok {
			if e, ok := g.cache.Lookup(d); ok {
				return e, true, nil
			}
		}
	}
	for i, open := range pc.opens {
		last := i == len(pc.opens)-1
		var src source
		if src, err = open(g.ctx); err == nil {
			e, err = g.keep(pc, src, label, stderr, progress)
		}
		if err == nil || last || g.ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return e, false, err
	}
	if len(pc.want) == 0 && pc.url != "" {
		g.cache.SetURLDigest(pc.url, e.SHA256) // a record for the next get; without it, a download again
	}
	return e, false, nil
}

// keep copies an opened source into the cache, checking its size and digests.
func (g *getter) keep(pc piece, src source, label string, stderr io.Writer, progress bool) (fetch.Entry, error) {
	defer src.body.Close()
	size := pc.size
	switch {
	case size < 0:
		size = src.size
	case src.size >= 0 && src.size != size:
		// Other bytes than the recorded ones: not a download cut short, nor one too long.
		want := ""
		if len(pc.want) > 0 {
			want = ", " + pc.want[0].String()
		}
		return fetch.Entry{}, fmt.Errorf("content does not match: want %d bytes%s, the source has %d bytes", size, want, src.size)
	}
	bar := fetch.NewProgress(stderr, label, size, progress && src.network && (size < 0 || size >= progressMin))
	e, err := g.cache.Put(bar.Reader(src.body), pc.want, size)
	if err != nil {
		bar.Abort()
		return e, err
	}
	bar.Done()
	return e, nil
}

// lookup finds in the cache the object that has every digest of want.
func (g *getter) lookup(want []fetch.Digest) (fetch.Entry, bool) {
	if len(want) == 0 {
		return fetch.Entry{}, false
	}
	e, ok := g.cache.Lookup(want[0])
	for _, d := range want[1:] {
		if !ok {
			break
		}
		other, found := g.cache.Lookup(d)
		ok = found && other.Path == e.Path
	}
	return e, ok
}

// copyOut writes a cached file to standard output.
func copyOut(w io.Writer, name string) error {
	f, err := safefile.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// annotatedChecksum reads custom.checksum of an annotation, where 'annotate --checksum' writes
// it: nil when there is none.
func annotatedChecksum(custom any) (*fetch.Digest, error) {
	m, ok := custom.(map[string]any)
	if !ok {
		return nil, nil
	}
	v, ok := m["checksum"]
	if !ok || v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("custom.checksum is not a string")
	}
	d, err := fetch.ParseDigest(s)
	if err != nil {
		return nil, fmt.Errorf("custom.checksum: %v", err)
	}
	return &d, nil
}

// getError turns a failure to fetch into the one-line error the user reads: which version,
// what was not found, refused, cut short or did not match, and that nothing was written.
func getError(name, version string, err error) error {
	var exit *exitError
	if errors.As(err, &exit) {
		return err
	}
	return userError("getting %s (%s): %v; nothing written", name, version, err)
}

// interrupted is the error of a get stopped by Ctrl-C or SIGTERM: exit 130, as a shell
// reports a command killed by SIGINT, once every temporary file is gone.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &exitError{"error", 130, errors.New("interrupted; nothing written")}
	}
	return err
}
