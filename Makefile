# git-model: build, test and install. `make deps install` sets up a fresh Debian machine and
# installs the tool; `make test` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
# The Go release the product is built and tested with, fetched by the go command itself when the
# machine's Go is older (SECURITY.md says why).
export GOTOOLCHAIN ?= go1.27.3
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --always --dirty 2>/dev/null || echo 0.1.0-dev)

BINDIR  = $(DESTDIR)$(PREFIX)/bin
SHARE   = $(DESTDIR)$(PREFIX)/share
MANDIR  = $(SHARE)/man/man1
BASHDIR = $(SHARE)/bash-completion/completions
ZSHDIR  = $(SHARE)/zsh/site-functions
FISHDIR = $(SHARE)/fish/vendor_completions.d
FISHCONFDIR = $(SHARE)/fish/vendor_conf.d

# Debian packages the build and the tests need.
DEB_PACKAGES = git gcc pkg-config libgit2-dev zlib1g-dev python3 python3-yaml \
	bash-completion zsh fish tmux man-db
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LDFLAGS = -X github.com/git-model/git-model/pkg/cli.Version=$(VERSION)

.PHONY: all deps build test fuzz bench vulncheck install uninstall clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "apt-get install" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/git-model ./cmd/git-model

test:
	$(GO) vet ./...
	$(GO) test ./...

# Runs each parser fuzzer for a while; new failing inputs land in testdata/fuzz.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseTag -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzParseSemVer -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzParseShortcut -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzApply -fuzztime $(FUZZTIME) ./pkg/annotation
	$(GO) test -run '^$$' -fuzz FuzzTagCacheLoad -fuzztime $(FUZZTIME) ./pkg/gitrepo
	$(GO) test -run '^$$' -fuzz FuzzPatchDelta -fuzztime $(FUZZTIME) ./pkg/gitrepo

# Kills writes at random instants and checks what they leave (cmd/git-model/crash_test.go).
STRESS_ITERATIONS ?= 200
stress:
	$(GO) test -count=1 -run '^TestCrashWrites$$' -v ./cmd/git-model -stress.iterations=$(STRESS_ITERATIONS)

# Benchmarks (BENCHMARKS.md): the Go benchmarks of the parser and the state, then
# git-model-bench, which generates registry repositories of 1k to 40k tags under bench/repos
# (once; they are kept) and times the commands against git's own floors. The results go to
# $(BENCH_MD); `make bench BENCH_MD=BENCHMARKS.md` refreshes BENCHMARKS.md in place.
BENCH_DIR   ?= bench
BENCH_RUNS  ?= 11
BENCH_MD    ?= $(BENCH_DIR)/results.md
BENCH_FLAGS ?=

bench: build
	mkdir -p $(BENCH_DIR)
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/... >$(BENCH_DIR)/go-bench.txt || { cat $(BENCH_DIR)/go-bench.txt; exit 1; }
	cat $(BENCH_DIR)/go-bench.txt
	$(GO) build -trimpath -o bin/git-model-bench ./cmd/git-model-bench
	bin/git-model-bench -bin bin/git-model -repos $(BENCH_DIR)/repos -runs $(BENCH_RUNS) \
		-gobench $(BENCH_DIR)/go-bench.txt -markdown $(BENCH_MD) $(BENCH_FLAGS)

# Checks the code and its dependencies against the Go vulnerability database (SECURITY.md).
# The database is the Go module golang.org/x/vulndb, turned into govulncheck's layout by its own
# indexdb command; VULNDB=latest takes the newest one the module proxy serves.
VULNDB      ?= latest
GOVULNCHECK ?= v1.9.0

vulncheck:
	@osv=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	test -d "$$osv/data/osv" || { echo "no vulnerability database in '$$osv'" >&2; exit 1; }; \
	rm -rf bin/vulndb && \
	$(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB) -vulns "$$osv/data/osv" -out bin/vulndb && \
	$(GO) run golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK) -db file://$(CURDIR)/bin/vulndb ./...

install: build
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR) $(FISHCONFDIR)
	install -m 0755 bin/git-model $(BINDIR)/git-model
	install -m 0644 man/git-model.1 $(MANDIR)/git-model.1
	install -m 0644 completions/git-model.bash $(BASHDIR)/git-model
	install -m 0644 completions/_git-model $(ZSHDIR)/_git-model
	install -m 0644 completions/git-model.fish $(FISHDIR)/git-model.fish
	install -m 0644 completions/git-model-git.fish $(FISHCONFDIR)/git-model.fish

uninstall:
	rm -f $(BINDIR)/git-model $(MANDIR)/git-model.1 $(BASHDIR)/git-model $(ZSHDIR)/_git-model \
		$(FISHDIR)/git-model.fish $(FISHCONFDIR)/git-model.fish

clean:
	rm -rf bin
