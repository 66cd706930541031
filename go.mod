module github.com/git-model/git-model

go 1.26.0

toolchain go1.27.3

require (
	github.com/jessevdk/go-flags v1.6.1
	github.com/libgit2/git2go/v34 v34.0.0
	github.com/rogpeppe/go-internal v1.16.0
	gopkg.in/yaml.v3 v3.0.1
)

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)
