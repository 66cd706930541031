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
# fish reads vendor directories only under XDG_DATA_DIRS, which Debian leaves unset (fish then
# reads /usr/share alone): for any PREFIX but /usr, a start-up file in fish's own conf.d points
# it at ours (completions/git-model-prefix.fish.in). FISHSYSCONFDIR= installs none.
FISHSYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),,/etc/fish/conf.d)

# Debian packages the build and the tests need (arm64 ones for the release's cross build;
# libgit2-dev and libhttp-parser-dev of arm64 cannot be installed beside amd64's: dist-arch
# unpacks them under dist/ instead).
DEB_PACKAGES = git gcc pkg-config libgit2-dev zlib1g-dev python3 python3-yaml \
	bash-completion zsh fish tmux man-db libssl-dev lintian gnupg gpgsm openssh-client git-lfs jq chromium \
	gcc-aarch64-linux-gnu zlib1g-dev:arm64 libmbedtls-dev:arm64 libssh2-1-dev:arm64 libpcre2-dev:arm64 \
	libssl-dev:arm64 libgssapi-krb5-2:arm64 qemu-user-static
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

LDFLAGS = -X github.com/git-model/git-model/pkg/cli.Version=$(VERSION)

.PHONY: all deps build test fuzz bench vulncheck dist dist-arch test-dist install install-files uninstall clean demo screenshots

all: build

deps:
	@dpkg --print-foreign-architectures | grep -qx arm64 || $(SUDO) dpkg --add-architecture arm64
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

# The pure packages build without cgo (no libgit2): their fuzzers' seeds run that way too.
PURE_PKGS = ./pkg/internal/... ./pkg/registry ./pkg/safefile ./pkg/policy ./pkg/lfs ./pkg/dvc ./pkg/fetch ./pkg/web
test:
	$(GO) vet ./...
	CGO_ENABLED=0 $(GO) vet $(PURE_PKGS)
	CGO_ENABLED=0 $(GO) test -run '^Fuzz' $(PURE_PKGS)
	$(GO) test ./...

# Runs each parser fuzzer for a while; new failing inputs land in testdata/fuzz.
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseTag -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzParseSemVer -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzParseShortcut -fuzztime $(FUZZTIME) ./pkg/registry
	$(GO) test -run '^$$' -fuzz FuzzApply -fuzztime $(FUZZTIME) ./pkg/annotation
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseTag -fuzztime $(FUZZTIME) ./pkg/internal/object
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzPacked -fuzztime $(FUZZTIME) ./pkg/internal/refs
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzTagCacheLoad -fuzztime $(FUZZTIME) ./pkg/internal/tagcache
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzPatchDelta -fuzztime $(FUZZTIME) ./pkg/internal/odb
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzSplit -fuzztime $(FUZZTIME) ./pkg/internal/signature
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseGPG -fuzztime $(FUZZTIME) ./pkg/internal/signature
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseSSH -fuzztime $(FUZZTIME) ./pkg/internal/signature
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./pkg/policy
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParsePointer -fuzztime $(FUZZTIME) ./pkg/lfs
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseDVCFile -fuzztime $(FUZZTIME) ./pkg/dvc
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseLock -fuzztime $(FUZZTIME) ./pkg/dvc
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseConfig -fuzztime $(FUZZTIME) ./pkg/dvc
	CGO_ENABLED=0 $(GO) test -run '^$$' -fuzz FuzzParseDirManifest -fuzztime $(FUZZTIME) ./pkg/dvc

# Kills writes at random instants and checks what they leave (cmd/git-model/crash_test.go).
STRESS_ITERATIONS ?= 200
stress:
	$(GO) test -count=1 -run '^TestCrashWrites$$' -v ./cmd/git-model -stress.iterations=$(STRESS_ITERATIONS)

# Benchmarks (BENCHMARKS.md): the Go benchmarks of the parser and the state, then
# git-model-bench, which generates registry repositories of 1k to 400k tags under bench/repos
# (once; they are kept) and times the commands against git's own floors. The results go to
# $(BENCH_MD); `make bench BENCH_MD=BENCHMARKS.md` refreshes BENCHMARKS.md in place. The
# repository of 1,000,000 tags is left out unless asked for: BENCH_FLAGS=-huge adds it, and
# BENCH_FLAGS='-layouts 40k,400k,1m' names it.
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

install: build install-files

# install-files installs BIN (the binary just built, or the release binary of make dist).
BIN ?= bin/git-model
install-files:
	install -d $(BINDIR) $(MANDIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR) $(FISHCONFDIR)
	install -m 0755 $(BIN) $(BINDIR)/git-model
	install -m 0644 man/git-model.1 $(MANDIR)/git-model.1
	install -m 0644 completions/git-model.bash $(BASHDIR)/git-model
	install -m 0644 completions/_git-model $(ZSHDIR)/_git-model
	install -m 0644 completions/git-model.fish $(FISHDIR)/git-model.fish
	install -m 0644 completions/git-model-git.fish $(FISHCONFDIR)/git-model.fish
	if [ -n "$(FISHSYSCONFDIR)" ]; then \
		install -d $(DESTDIR)$(FISHSYSCONFDIR) && \
		sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@FISHDIR@|$(PREFIX)/share/fish/vendor_completions.d|g' \
			-e 's|@FISHCONFDIR@|$(PREFIX)/share/fish/vendor_conf.d|g' completions/git-model-prefix.fish.in \
			>$(DESTDIR)$(FISHSYSCONFDIR)/git-model.fish && \
		chmod 0644 $(DESTDIR)$(FISHSYSCONFDIR)/git-model.fish; \
	fi

uninstall:
	rm -f $(BINDIR)/git-model $(MANDIR)/git-model.1 $(BASHDIR)/git-model $(ZSHDIR)/_git-model \
		$(FISHDIR)/git-model.fish $(FISHCONFDIR)/git-model.fish
	if [ -n "$(FISHSYSCONFDIR)" ]; then rm -f $(DESTDIR)$(FISHSYSCONFDIR)/git-model.fish; fi

# Release artefacts (README, Install): on Debian 12, for amd64 and arm64 (cross-built with
# Debian's multiarch libgit2-dev:arm64 and gcc-aarch64-linux-gnu), a binary with libgit2 and its
# dependencies linked statically (packaging/libgit2.pc; glibc and GSSAPI stay dynamic), a
# tarball with the man page, the completions and INSTALL, a .deb, and SHA256SUMS, under dist/.
# `make test-dist` runs the tests against them (the arm64 binary under qemu-user-static).
DIST_DIR     ?= dist
DIST_ARCHES  ?= amd64 arm64
DIST_VERSION := $(shell echo '$(VERSION)' | sed -e 'y/-/+/' -e 's/^v\([0-9]\)/\1/;t' -e 's/^/0.0.0+git/')
DIST_ARCH    ?= $(shell $(GO) env GOARCH)
DIST_NAME     = git-model-$(DIST_VERSION)-linux-$(DIST_ARCH)
DEB_NAME      = git-model_$(DIST_VERSION)_$(DIST_ARCH).deb
CC_amd64      = x86_64-linux-gnu-gcc
CC_arm64      = aarch64-linux-gnu-gcc
# The static libraries of another architecture that Debian 12 cannot install beside this one's.
CROSS_LIBS    = $(DIST_DIR)/libs-$(DIST_ARCH)
CROSS_DEBS    = libgit2-dev libhttp-parser-dev
DEB_ROOT      = $(DIST_DIR)/deb-$(DIST_ARCH)

dist:
	rm -rf $(DIST_DIR) && mkdir -p $(DIST_DIR)
	for arch in $(DIST_ARCHES); do $(MAKE) --no-print-directory dist-arch DIST_ARCH=$$arch || exit 1; done
	cd $(DIST_DIR) && sha256sum *.tar.gz *.deb >SHA256SUMS
	@ls $(DIST_DIR)/*.tar.gz $(DIST_DIR)/*.deb $(DIST_DIR)/SHA256SUMS

# dist-arch builds the artefacts of one architecture (DIST_ARCH).
dist-arch:
	mkdir -p $(DIST_DIR)/$(DIST_NAME)/completions $(CROSS_LIBS)
	if [ "$(DIST_ARCH)" != "$$(dpkg --print-architecture)" ]; then \
		cd $(CROSS_LIBS) && apt-get download -qq $(addsuffix :$(DIST_ARCH),$(CROSS_DEBS)) 2>/dev/null && \
		for deb in *.deb; do dpkg-deb -x "$$deb" .; done; fi
	PKG_CONFIG_PATH=$(CURDIR)/packaging PKG_CONFIG_LIBDIR=$(CURDIR)/packaging CGO_ENABLED=1 GOARCH=$(DIST_ARCH) \
		CC=$(CC_$(DIST_ARCH)) CGO_LDFLAGS="-L$(CURDIR)/$(CROSS_LIBS)/usr/lib/$$($(CC_$(DIST_ARCH)) -dumpmachine)" \
		$(GO) build -a -tags static,system_libgit2 -trimpath -buildmode=pie \
		-ldflags '-s -w $(LDFLAGS)' -o $(DIST_DIR)/$(DIST_NAME)/git-model ./cmd/git-model
	install -m 0644 man/git-model.1 packaging/INSTALL $(DIST_DIR)/$(DIST_NAME)/
	install -m 0644 completions/git-model.bash completions/_git-model completions/git-model.fish \
		completions/git-model-git.fish $(DIST_DIR)/$(DIST_NAME)/completions/
	tar -C $(DIST_DIR) --owner=0 --group=0 --sort=name -czf $(DIST_DIR)/$(DIST_NAME).tar.gz $(DIST_NAME)
	$(MAKE) --no-print-directory install-files PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_ROOT) \
		BIN=$(DIST_DIR)/$(DIST_NAME)/git-model ZSHDIR=$(CURDIR)/$(DEB_ROOT)/usr/share/zsh/vendor-completions
	gzip -9n $(DEB_ROOT)/usr/share/man/man1/git-model.1
	install -d $(DEB_ROOT)/DEBIAN $(DEB_ROOT)/usr/share/doc/git-model $(DEB_ROOT)/usr/share/lintian/overrides
	install -m 0644 packaging/deb/copyright $(DEB_ROOT)/usr/share/doc/git-model/copyright
	printf 'git-model (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- git-model maintainers <git-model@users.noreply.github.com>  %s\n' \
		'$(DIST_VERSION)' '$(DIST_VERSION)' "$$(date -R -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))" \
		| gzip -9n >$(DEB_ROOT)/usr/share/doc/git-model/changelog.gz
	install -m 0644 packaging/deb/lintian-overrides $(DEB_ROOT)/usr/share/lintian/overrides/git-model
	sed -e 's/@VERSION@/$(DIST_VERSION)/' -e 's/@ARCH@/$(DIST_ARCH)/' \
		-e "s/@SIZE@/$$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)/" packaging/deb/control >$(DEB_ROOT)/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(DEB_ROOT) $(DIST_DIR)/$(DEB_NAME) >/dev/null
	rm -rf $(DEB_ROOT) $(CROSS_LIBS)

# Runs the end-to-end tests (and those of the release artefacts) with the release binary of
# this machine's architecture, and the arm64 binary under qemu.
test-dist:
	test -x $(DIST_DIR)/$(DIST_NAME)/git-model || $(MAKE) --no-print-directory dist
	GIT_MODEL_TEST_BIN=$(CURDIR)/$(DIST_DIR)/$(DIST_NAME)/git-model GIT_MODEL_TEST_DEB=$(CURDIR)/$(DIST_DIR)/$(DEB_NAME) \
		GIT_MODEL_TEST_BIN_ARM64=$(CURDIR)/$(DIST_DIR)/git-model-$(DIST_VERSION)-linux-arm64/git-model \
		GIT_MODEL_TEST_DEB_ARM64=$(CURDIR)/$(DIST_DIR)/git-model_$(DIST_VERSION)_arm64.deb \
		$(GO) test -count=1 -tags dist ./cmd/git-model

# Builds the sample registry of `git model demo` in a temporary folder with the binary built
# here (the one make install installs) and shows it.
# The README's pictures of `git model serve`, taken by its browser test in headless Chromium
# on the demo registry.
screenshots:
	mkdir -p docs/images
	GIT_MODEL_SCREENSHOTS=$(CURDIR)/docs/images $(GO) test ./cmd/git-model -run '^TestServeBrowser$$' -count=1

demo: build
	@dir=$$(mktemp -d) && bin=$(CURDIR)/bin/git-model && \
	"$$bin" demo "$$dir/registry" >/dev/null && cd "$$dir/registry" && \
	echo '$$ git model ls' && "$$bin" --no-pager ls && echo && \
	echo '$$ git model ls models/cv:segm-nn' && "$$bin" --no-pager ls models/cv:segm-nn && echo && \
	echo '$$ git model history' && "$$bin" --no-pager history && echo && \
	echo "The sample registry is in $$dir/registry: cd there and try git model (git model demo DIR makes another)."

clean:
	rm -rf bin
