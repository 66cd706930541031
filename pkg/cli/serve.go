package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/git-model/git-model/pkg/gitrepo"
	"github.com/git-model/git-model/pkg/web"
)

const serveShort = "Serve a read-only web view of the registry"

const serveLong = `Serve the registry as web pages: the registry with its filters and search, each
artifact's versions, stages, annotations and a timeline of its events, the whole history,
and with several --repo (or model.repos outside a repository) the registries side by side.
The same data is served as JSON under /api/, with the keys of --json. Every request reads
the tags again, so a page is never stale; a --repo URL is fetched once per request.

The server binds to 127.0.0.1:8080 unless --listen says otherwise, answers only GET and
HEAD, and on a loopback address only to the host names localhost, 127.0.0.1 and [::1]. Its
pages run no script and load nothing from another site. Ctrl-C stops it.`

type serveCommand struct {
	app    *App
	Listen string `long:"listen" value-name:"ADDR" default:"127.0.0.1:8080" description:"Address and port to listen on (port 0: any free one); an address other than loopback lets anyone who reaches it read the registry"`
}

func (c *serveCommand) Execute(args []string) error {
	if err := noExtraArgs(args); err != nil {
		return err
	}
	repos, err := c.repos()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fatalError(fmt.Errorf("cannot listen on '%s': %v", c.Listen, unwrapNetError(err)))
	}
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(c.app.Stderr, "warning: listening on %s: anyone who can reach it can read the registry\n", addr)
	}
	srv := &http.Server{Handler: web.New(runInProcess, repos, addr.IP.IsLoopback(), Version), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	what := repos[0].Name
	if len(repos) > 1 {
		what = fmt.Sprintf("%d registries", len(repos))
	}
	fmt.Fprintf(c.app.Stdout, "Serving %s at http://%s/ (read-only; Ctrl-C stops)\n", terminalSafe(what), addr)
	select {
	case err := <-done:
		return fatalError(err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutdown)
	return nil
}

// repos are the registries the site shows: the current repository or the one --repo names,
// or several (--repo more than once, or model.repos outside a repository).
func (c *serveCommand) repos() ([]web.Repo, error) {
	specs, err := c.app.registryRepos()
	if err != nil {
		return nil, fatalError(err)
	}
	if len(specs) == 0 {
		repo, err := c.app.Repo() // fails here, before listening, outside a repository
		if err != nil {
			return nil, c.app.outsideRepository(err)
		}
		if len(c.app.global.Repos) == 0 {
			name := repo.WorkDir()
			if name == "" {
				name = repo.GitDir()
			}
			return []web.Repo{{Name: filepath.Clean(name)}}, nil
		}
		specs = c.app.global.Repos
	}
	repos := make([]web.Repo, len(specs))
	for i, spec := range specs {
		repos[i] = web.Repo{Name: gitrepo.RedactURL(spec), Args: []string{"--repo", spec}, URL: isURL(spec) && !c.app.global.Offline}
		if c.app.global.Offline {
			repos[i].Args = append(repos[i].Args, "--offline")
		}
		if len(specs) > 1 {
			repos[i].ID = siteID(repos[i].Name)
		}
	}
	return repos, nil
}

// siteID is a registry's part of the site's paths on the cross-repository view: readable,
// and the same at every start for the same repository (a hash of its name), so that links
// can be shared.
func siteID(name string) string {
	sum := sha256.Sum256([]byte(name))
	base := strings.Trim(unsafeChars.ReplaceAllString(filepath.Base(strings.TrimSuffix(strings.TrimRight(name, "/"), ".git")), "-"), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	return base + "-" + hex.EncodeToString(sum[:3])
}

// runInProcess runs git-model in this process for the site: a command with --json, its
// output captured.
func runInProcess(args []string) web.Result {
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return web.Result{Stdout: stdout.Bytes(), Stderr: stderr.String(), Code: code}
}

// unwrapNetError is the cause of a failure to listen, without the operation Go prefixes it
// with ("listen tcp 127.0.0.1:8080: bind: address already in use" → "address already in use").
func unwrapNetError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err
		}
		return op.Err
	}
	return err
}
