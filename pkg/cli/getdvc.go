package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/git-model/git-model/pkg/dvc"
	"github.com/git-model/git-model/pkg/fetch"
	"github.com/git-model/git-model/pkg/internal/object"
)

// The DVC side of 'get' (docs/get.md): a path that is not in the commit's tree is looked for
// among the outs of the .dvc files and dvc.lock files committed beside it, and its bytes are
// fetched from the local DVC cache or from the DVC remote that .dvc/config names.

// maxManifest bounds the size of a directory's manifest: a few hundred bytes a file.
const maxManifest = 64 << 20

// dvcStore is where DVC objects are read: a local folder, an HTTP(S) URL or an s3:// URL.
type dvcStore struct {
	name  string // the remote's name, as shown
	kind  string // local, http, s3
	base  string
	s3    fetch.S3Options
	cache string // the local DVC cache of the work tree, "" when there is none
}

// dvcPayload finds the DVC out that tracks p at the commit and makes its payload.
func (g *getter) dvcPayload(p string) (*payload, error) {
	out, inside, found, err := g.findDVCOut(p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, userError("'%s' is not in the repository at commit %s, and no .dvc file or dvc.lock there tracks it",
			p, object.Short(g.commit))
	}
	if out.MD5 == "" {
		return nil, userError("DVC records no md5 for '%s' at commit %s: nothing to fetch", p, object.Short(g.commit))
	}
	store, err := g.dvcStore(out.Remote)
	if err != nil {
		return nil, err
	}
	pl := &payload{kind: "dvc", from: p}
	filePiece := func(rel, md5 string, size int64) piece {
		return piece{rel: rel, want: []fetch.Digest{{Algo: fetch.MD5, Hex: md5}}, size: size,
			opens: store.openers(dvc.ObjectPath(md5, false, out.Legacy))}
	}
	if !out.Dir {
		pl.pieces = []piece{filePiece("", out.MD5, out.Size)}
		return pl, nil
	}
	entries, err := g.dvcManifest(store, out)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		switch {
		case inside == "":
			pl.pieces = append(pl.pieces, filePiece(e.RelPath, e.MD5, -1))
		case e.RelPath == inside:
			pl.pieces = []piece{filePiece("", e.MD5, -1)}
			return pl, nil
		case strings.HasPrefix(e.RelPath, inside+"/"):
			pl.pieces = append(pl.pieces, filePiece(e.RelPath[len(inside)+1:], e.MD5, -1))
		}
	}
	if len(pl.pieces) == 0 {
		return nil, userError("'%s' is not in the DVC directory '%s' at commit %s", p, strings.TrimSuffix(p, "/"+inside), object.Short(g.commit))
	}
	pl.folder = true
	return pl, nil
}

// findDVCOut looks for the out of p: in P.dvc or the .dvc file of a folder above it, then in
// the dvc.lock of its folder or of a folder above it.
func (g *getter) findDVCOut(p string) (out dvc.Out, inside string, found bool, err error) {
	type file struct {
		name  string
		parse func([]byte) ([]dvc.Out, error)
	}
	var files []file
	for d := p; d != "."; d = path.Dir(d) {
		files = append(files, file{d + ".dvc", dvc.ParseDVCFile})
	}
	for d := path.Dir(p); ; d = path.Dir(d) {
		files = append(files, file{path.Join(d, "dvc.lock"), dvc.ParseLock})
		if d == "." {
			break
		}
	}
	for _, f := range files {
		data, ok, err := g.repo.ReadFile(g.commit, f.name)
		if err != nil {
			return out, "", false, userError("%v", err)
		}
		if !ok {
			continue
		}
		outs, err := f.parse(data)
		if err != nil {
			return out, "", false, userError("%s at commit %s: %v", f.name, object.Short(g.commit), err)
		}
		rel := strings.TrimPrefix(p, path.Dir(f.name)+"/")
		if out, inside, ok := dvc.Find(outs, rel); ok {
			return out, inside, true, nil
		}
	}
	return out, "", false, nil
}

// dvcStore reads .dvc/config at the commit and returns the remote named (the default one for
// ""), with the work tree's DVC cache in front of it.
func (g *getter) dvcStore(name string) (*dvcStore, error) {
	data, ok, err := g.repo.ReadFile(g.commit, ".dvc/config")
	if err != nil {
		return nil, userError("%v", err)
	}
	if !ok {
		return nil, userError("no .dvc/config at commit %s: no DVC remote to fetch from", object.Short(g.commit))
	}
	cfg, err := dvc.ParseConfig(data)
	if err != nil {
		return nil, userError(".dvc/config at commit %s: %v", object.Short(g.commit), err)
	}
	remote, err := cfg.Remote(name)
	if err != nil {
		return nil, userError("%v", err)
	}
	s := &dvcStore{name: remote.Name, base: remote.URL}
	if top := g.repo.WorkDir(); top != "" {
		s.cache = filepath.Join(top, ".dvc", "cache")
	}
	switch scheme := dvc.Scheme(remote.URL); scheme {
	case "":
		s.kind = "local"
		top := g.repo.WorkDir()
		if top == "" && !filepath.IsAbs(remote.URL) && !strings.HasPrefix(remote.URL, "~") {
			return nil, userError("DVC remote '%s' is the relative path '%s', which needs a work tree", remote.Name, remote.URL)
		}
		s.base = dvc.ResolveLocal(remote.URL, filepath.Join(top, ".dvc"))
	case "http", "https":
		s.kind = "http"
	case "s3":
		s.kind = "s3"
		s.s3 = fetch.S3Options{Endpoint: remote.Options["endpointurl"], Region: remote.Options["region"], Profile: remote.Options["profile"]}
	default:
		return nil, userError("DVC remote '%s' is a %s:// remote: git model get reads local, http(s):// and s3:// remotes", remote.Name, scheme)
	}
	return s, nil
}

// openers are the places of an object: the work tree's DVC cache, then the remote.
func (s *dvcStore) openers(objPath string) []opener {
	remote := func(ctx context.Context) (source, error) { return s.open(ctx, objPath) }
	if s.cache == "" {
		return []opener{remote}
	}
	local := func(context.Context) (source, error) {
		return openLocal(filepath.Join(s.cache, filepath.FromSlash(objPath)))
	}
	return []opener{local, remote}
}

// open opens an object of the remote.
func (s *dvcStore) open(ctx context.Context, objPath string) (source, error) {
	switch s.kind {
	case "local":
		src, err := openLocal(filepath.Join(s.base, filepath.FromSlash(objPath)))
		if errors.Is(err, fs.ErrNotExist) {
			return src, fmt.Errorf("%s is not in the DVC remote '%s' (%s): %w", objPath, s.name, s.base, fetch.ErrNotFound)
		}
		return src, err
	case "http":
		return httpSource(ctx, strings.TrimRight(s.base, "/")+"/"+objPath)
	}
	body, size, err := fetch.S3Get(ctx, strings.TrimRight(s.base, "/")+"/"+objPath, s.s3)
	return source{body, size, true}, err
}

// dvcManifest returns the files of a directory out: its manifest from the download cache, or
// read from the DVC cache or the remote, checked against the out's md5 and kept in the download
// cache in DVC's own encoding.
func (g *getter) dvcManifest(store *dvcStore, out dvc.Out) ([]dvc.DirEntry, error) {
	want := fetch.Digest{Algo: fetch.MD5, Hex: out.MD5}
	if e, ok := g.cache.Lookup(want); ok {
		if entries, err := readManifest(g.ctx, func(context.Context) (source, error) { return openLocal(e.Path) }, out); err == nil {
			return entries, nil
		}
	}
	var err error
	for _, open := range store.openers(dvc.ObjectPath(out.MD5, true, out.Legacy)) {
		var entries []dvc.DirEntry
		if entries, err = readManifest(g.ctx, open, out); err == nil {
			canonical := dvc.EncodeDirManifest(entries)
			if _, err := g.cache.Put(strings.NewReader(string(canonical)), []fetch.Digest{want}, int64(len(canonical))); err != nil {
				return nil, fatalError(err)
			}
			return entries, nil
		}
	}
	return nil, err
}

// readManifest reads and checks the manifest of a directory out from one place.
func readManifest(ctx context.Context, open opener, out dvc.Out) ([]dvc.DirEntry, error) {
	src, err := open(ctx)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(src.body, maxManifest+1))
	src.body.Close()
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("the manifest of the DVC directory '%s' is larger than %d bytes", out.Path, maxManifest)
	}
	entries, err := dvc.ParseDirManifest(data)
	if err != nil {
		return nil, fmt.Errorf("the DVC directory '%s': %v", out.Path, err)
	}
	if got := dvc.DirMD5(entries); got != out.MD5 {
		return nil, fmt.Errorf("the manifest of the DVC directory '%s' does not match: want md5:%s, got md5:%s", out.Path, out.MD5, got)
	}
	return entries, nil
}
