package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-model/git-model/pkg/fetch"
	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/internal/object"
	"github.com/git-model/git-model/pkg/lfs"
	"github.com/git-model/git-model/pkg/safefile"
)

// What 'get' writes, and where each of its files comes from (docs/get.md): a file or folder
// committed in the repository, a Git LFS object, a DVC-tracked file or folder, or a URL.

// payload is what get writes: one file, or the files of a folder.
type payload struct {
	kind   string // where the bytes come from: git, git-lfs, dvc, http, s3
	from   string // the repository path or the URL (redacted), as shown
	folder bool
	pieces []piece
}

// piece is one file of a payload.
type piece struct {
	rel  string         // its path inside the folder; "" for a lone file
	want []fetch.Digest // the digests its bytes must have; none when the source has none
	size int64          // the size the source records, -1 when it records none
	url  string         // for a URL without a digest: the URL whose last download the cache remembers
	// opens are the places that may hold the bytes, tried in order: a local copy first (an
	// LFS store, DVC's cache), then the remote. A place that fails, has no copy or gives other
	// bytes is passed over for the next; the last one's failure is the error.
	opens []opener
}

// opener opens the bytes of a piece in one place.
type opener func(ctx context.Context) (source, error)

// source is an opened piece: its bytes, their size (-1 when unknown), and whether they come
// over the network (the progress line is for those).
type source struct {
	body    io.ReadCloser
	size    int64
	network bool
}

// getter resolves and fetches the payload of one version.
type getter struct {
	app     *App
	repo    *gitrepo.Repository
	commit  string
	ctx     context.Context
	cache   *fetch.Cache
	refresh bool // download a URL without a digest again

	lfsFound bool // lfsRemote and lfsErr are set
	lfsRemote
	lfsErr error
}

// resolve finds the payload of an annotated path: a URL, or a path in the repository relative
// to dir (the folder of the annotations file).
func (g *getter) resolve(dir, annotated string) (*payload, error) {
	if scheme, _, ok := strings.Cut(annotated, "://"); ok {
		return g.urlPayload(strings.ToLower(scheme), annotated)
	}
	p := path.Join(dir, annotated)
	if p == "." || !safefile.InTree(p) {
		return nil, userError("path '%s' is not a file in the repository (it leads out of it or into .git)", annotated)
	}
	kind, id, err := g.repo.Stat(g.commit, p)
	if err != nil {
		return nil, userError("%v", err)
	}
	switch kind {
	case gitrepo.PathFile:
		pc, isLFS, err := g.blobPiece(id, "")
		if err != nil {
			return nil, err
		}
		return &payload{kind: gitKind(isLFS), from: p, pieces: []piece{pc}}, nil
	case gitrepo.PathFolder:
		files, err := g.repo.TreeFiles(id)
		if err != nil {
			return nil, userError("'%s' at commit %s: %v", p, object.Short(g.commit), err)
		}
		pl := &payload{kind: "git", from: p, folder: true}
		for _, f := range files {
			pc, isLFS, err := g.blobPiece(f.ID, f.Path)
			if err != nil {
				return nil, err
			}
			if isLFS {
				pl.kind = gitKind(true)
			}
			pl.pieces = append(pl.pieces, pc)
		}
		return pl, nil
	}
	return g.dvcPayload(p)
}

func gitKind(isLFS bool) string {
	if isLFS {
		return "git-lfs"
	}
	return "git"
}

// urlPayload is the payload of an annotated URL: https:// and http://, s3://.
func (g *getter) urlPayload(scheme, rawURL string) (*payload, error) {
	shown := fetch.RedactURL(rawURL)
	var open opener
	switch scheme {
	case "https", "http":
		open = func(ctx context.Context) (source, error) {
			return httpSource(ctx, rawURL)
		}
	case "s3":
		open = func(ctx context.Context) (source, error) {
			body, size, err := fetch.S3Get(ctx, rawURL, fetch.S3Options{})
			return source{body, size, true}, err
		}
	default:
		return nil, userError("unknown scheme '%s' in the path '%s': git model get reads https://, http://, s3:// and paths in the repository",
			scheme, shown)
	}
	return &payload{kind: map[string]string{"https": "http", "http": "http", "s3": "s3"}[scheme], from: shown,
		pieces: []piece{{size: -1, url: rawURL, opens: []opener{open}}}}, nil
}

// httpClient sends get's HTTP requests: Go's default transport (proxies from the environment,
// a 30 s connection timeout), and a server that does not start answering within a minute is
// given up on rather than waited for forever. A body may take as long as it needs.
var httpClient = &http.Client{Transport: func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = time.Minute
	return t
}()}

// httpSource sends a GET for rawURL.
func httpSource(ctx context.Context, rawURL string) (source, error) {
	body, size, err := fetch.HTTPGet(ctx, httpClient, rawURL, nil)
	return source{body, size, true}, err
}

// blobPiece is a committed file: its bytes, or the LFS object its pointer stands for.
func (g *getter) blobPiece(id, rel string) (piece, bool, error) {
	size, err := g.repo.BlobSize(id)
	if err != nil {
		return piece{}, false, fatalError(err)
	}
	read := func() ([]byte, error) { return g.repo.ReadBlob(id) }
	if size < lfs.MaxPointerSize {
		data, err := read()
		if err != nil {
			return piece{}, false, fatalError(err)
		}
		if p, ok := lfs.ParsePointer(data); ok {
			pc, err := g.lfsPiece(p, rel)
			return pc, true, err
		}
		read = func() ([]byte, error) { return data, nil }
	}
	return piece{rel: rel, size: size, opens: []opener{func(context.Context) (source, error) {
		data, err := read()
		return source{io.NopCloser(bytes.NewReader(data)), int64(len(data)), false}, err
	}}}, false, nil
}

// lfsPiece is the object of an LFS pointer: from the repository's LFS store when it is there,
// else from the remote's.
func (g *getter) lfsPiece(p lfs.Pointer, rel string) (piece, error) {
	if len(p.Extensions) > 0 {
		return piece{}, userError("the LFS pointer of object %s names extensions (%s), which git model get does not apply",
			p.OID, p.Extensions[0].Name)
	}
	storage, _, _ := g.repo.ConfigValue("lfs.storage")
	local := func(context.Context) (source, error) {
		return openLocal(lfs.ObjectPath(lfs.Storage(g.repo.CommonDir(), storage), p.OID))
	}
	remote := func(ctx context.Context) (source, error) { return g.openLFSRemote(ctx, p) }
	return piece{rel: rel, want: []fetch.Digest{{Algo: fetch.SHA256, Hex: p.OID}}, size: p.Size,
		opens: []opener{local, remote}}, nil
}

// openLFSRemote opens an LFS object of the remote: its store when it is a local repository,
// else through the batch API of its LFS server.
func (g *getter) openLFSRemote(ctx context.Context, p lfs.Pointer) (source, error) {
	if !g.lfsFound {
		g.lfsRemote, g.lfsErr = g.findLFSRemote()
		g.lfsFound = true
	}
	if g.lfsErr != nil {
		return source{}, g.lfsErr
	}
	if g.store != "" {
		src, err := openLocal(lfs.ObjectPath(g.store, p.OID))
		if errors.Is(err, fs.ErrNotExist) {
			return source{}, fmt.Errorf("LFS object %s is not in the store of the remote '%s': %w", p.OID, g.store, fetch.ErrNotFound)
		}
		return src, err
	}
	client := &lfs.Client{HTTP: httpClient, Creds: g.repo.HTTPCredentials()}
	action, err := client.Download(ctx, g.endpoint, p)
	if err != nil {
		return source{}, err
	}
	header := http.Header{}
	for name, value := range action.Header {
		header.Set(name, value)
	}
	body, size, err := fetch.HTTPGet(ctx, httpClient, action.Href, header)
	return source{body, size, true}, err
}

// openLocal opens a regular file of a local store.
func openLocal(name string) (source, error) {
	f, err := os.Open(name)
	if err != nil {
		return source{}, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("'%s' is not a regular file", name)
	}
	if err != nil {
		f.Close()
		return source{}, err
	}
	return source{f, info.Size(), false}, nil
}

// lfsRemote is where the LFS objects of the repository are fetched from: the batch API at
// endpoint, or, for a remote that is a local repository, its store.
type lfsRemote struct {
	endpoint string
	store    string
}

// findLFSRemote finds the LFS server as git-lfs does for a download: lfs.url, then
// remote.NAME.lfsurl, in git config then in the .lfsconfig committed at the version, else
// derived from the remote's URL (the --repo URL, else remote.lfsdefault, the current branch's
// remote, origin, or the only remote).
func (g *getter) findLFSRemote() (lfsRemote, error) {
	remoteURL, name := g.app.mirrorURL(), ""
	if remoteURL == "" {
		name = g.defaultRemote()
		if name != "" {
			remoteURL = g.repo.RemoteFetchURL(name)
		}
	}
	keys := []string{"lfs.url"}
	if name != "" {
		keys = append(keys, "remote."+name+".lfsurl")
	}
	lfsURL := ""
	for _, key := range keys {
		if v, ok, _ := g.repo.ConfigValue(key); ok && v != "" {
			lfsURL = v
			break
		}
	}
	if lfsURL == "" {
		if id, ok, _ := g.repo.FileID(g.commit, ".lfsconfig"); ok {
			for _, key := range keys {
				if v, ok, _ := g.repo.BlobConfigValue(id, key); ok && v != "" {
					lfsURL = v
					break
				}
			}
		}
	}
	if lfsURL == "" {
		if remoteURL == "" {
			return lfsRemote{}, errors.New("the LFS object is not in the local store, and there is no remote to download it from (git remote add origin URL, or git config lfs.url URL)")
		}
		if dir, ok := gitrepo.LocalRemote(remoteURL); ok {
			gitDir := dir
			if info, err := os.Stat(filepath.Join(dir, ".git")); err == nil && info.IsDir() {
				gitDir = filepath.Join(dir, ".git")
			}
			return lfsRemote{store: lfs.Storage(gitDir, "")}, nil
		}
	}
	endpoint, err := lfs.Endpoint(remoteURL, lfsURL)
	if err != nil {
		return lfsRemote{}, err
	}
	return lfsRemote{endpoint: endpoint}, nil
}

// defaultRemote is the remote git-lfs fetches from: remote.lfsdefault, the current branch's
// remote, origin, or the only remote; "" when there is none.
func (g *getter) defaultRemote() string {
	if v, ok, _ := g.repo.ConfigValue("remote.lfsdefault"); ok && v != "" {
		return v
	}
	if branch, ok := g.repo.HeadBranch(); ok {
		if v, ok, _ := g.repo.ConfigValue("branch." + branch + ".remote"); ok && v != "" && v != "." {
			return v
		}
	}
	names, _ := g.repo.RemoteNames()
	for _, n := range names {
		if n == "origin" {
			return n
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return ""
}
