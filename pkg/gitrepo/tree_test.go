package gitrepo

import (
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
	"github.com/git-model/git-model/pkg/internal/object"
)

func TestReadFile(t *testing.T) {
	dir := newRepo(t)
	first := gittest.Git(t, dir, "rev-parse", "HEAD")
	gittest.CommitFile(t, dir, "artifacts.yaml", "churn:\n  type: dataset\n", "retype")
	second := gittest.CommitFile(t, dir, "models/cv/artifacts.yaml", "segm:\n  path: s3://b/m.pt\n", "nested")
	r := openRepo(t, dir)

	for _, tc := range []struct {
		commit, path, want string
	}{
		{first, "artifacts.yaml", "churn:\n  type: model\n"},
		{second, "artifacts.yaml", "churn:\n  type: dataset\n"},
		{second, "models/cv/artifacts.yaml", "segm:\n  path: s3://b/m.pt\n"},
		{second, "./models/cv/artifacts.yaml", "segm:\n  path: s3://b/m.pt\n"},
		{second, "/artifacts.yaml", "churn:\n  type: dataset\n"},
	} {
		data, ok, err := r.ReadFile(tc.commit, tc.path)
		if err != nil || !ok || string(data) != tc.want {
			t.Errorf("ReadFile(%s, %q) = %q, %v, %v; want %q", object.Short(tc.commit), tc.path, data, ok, err, tc.want)
		}
	}

	// Missing paths are not errors: the file was added later, or never existed.
	for _, tc := range []struct{ commit, path string }{
		{first, "models/cv/artifacts.yaml"},
		{second, "dvc.yaml"},
		{second, "artifacts.yaml/child"},
		{second, "models/nope/artifacts.yaml"},
	} {
		data, ok, err := r.ReadFile(tc.commit, tc.path)
		if err != nil || ok || data != nil {
			t.Errorf("ReadFile(%s, %q) = %q, %v, %v; want not found without error", object.Short(tc.commit), tc.path, data, ok, err)
		}
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := newRepo(t)
	head := gittest.CommitFile(t, dir, "models/cv/artifacts.yaml", "segm: {}\n", "nested")
	blob := gittest.Git(t, dir, "rev-parse", "HEAD:artifacts.yaml")
	r := openRepo(t, dir)

	for _, tc := range []struct {
		commit, path, want string
	}{
		{head, "models", "reading 'models' at commit " + head[:7] + ": path is a directory"},
		{head, "models/cv/", "reading 'models/cv' at commit " + head[:7] + ": path is a directory"},
		{head, "", "path is a directory"},
		{"not-an-id", "artifacts.yaml", "invalid commit id 'not-an-id'"},
		{head[:7], "artifacts.yaml", "invalid commit id '" + head[:7] + "'"},
		{strings.Repeat("ab", 20), "artifacts.yaml", "reading 'artifacts.yaml' at commit ababab"},
		{blob, "artifacts.yaml", "reading 'artifacts.yaml' at commit " + blob[:7]},
	} {
		data, ok, err := r.ReadFile(tc.commit, tc.path)
		if err == nil || ok || data != nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadFile(%q, %q) = %q, %v, %v; want an error containing %q", tc.commit, tc.path, data, ok, err, tc.want)
		}
	}
}
