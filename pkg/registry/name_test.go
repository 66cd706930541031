package registry

import (
	"strings"
	"testing"
)

// nameVectors holds every row of docs/tag-vectors.md V2: whether the value is a valid short name
// (and stage) and whether it is a valid full artifact name as the user types it.
var nameVectors = []struct {
	value string
	short bool
	full  bool
}{
	{"1", true, true},
	{"m", true, true},
	{"nn", true, true},
	{"m1", true, true},
	{"1nn", true, true},
	{"A", true, true},
	{"model-prod", true, true},
	{"model-prod-v1", true, true},
	{"model_prod_v1", true, true},
	{"model_A", true, true},
	{"dvclive/model", true, true},
	{"DVCLive/Model", true, true},
	{"a--b", true, true},
	{"a//b", true, true}, // valid by the grammar; refused by Git when written
	{"a/-/b", true, true},
	{"", false, false},
	{"m/", false, false},
	{"/m", false, false},
	{"###", false, false},
	{"@@@", false, false},
	{"a model", false, false},
	{"_model", false, false},
	{"-model", false, false},
	{"model-", false, false},
	{"a_", false, false},
	{"a.b", false, false},
	{"a=b", false, false},
	{"a;b", false, false},
	{"é", false, false},
	{"model@1", false, false},
	{"model#1", false, false},
	{"@namespace/model", false, false},
	{"a:b", false, true},
	{"dvclive:model", false, true},
	{"some/folder:some/model", false, true},
	{"some/Other_Folder:some/model", false, true},
	{"dir.x/y-z:n_1", false, true},
	{"x.y:m", false, true},
	{".:m", false, true},
	{"..:m", false, true},
	{"-:m", false, true},
	{"_x:m", false, true},
	{"x/:m", false, true},
	{"/:m", false, true},
	{"a:b:c", false, false},
	{":m", false, false},
	{"x:", false, false},
}

func TestNameVectors(t *testing.T) {
	for _, tc := range nameVectors {
		t.Run(tc.value, func(t *testing.T) {
			if got := isShortName(tc.value); got != tc.short {
				t.Errorf("isShortName(%q) = %v, want %v", tc.value, got, tc.short)
			}
			if err := ValidateStage(tc.value); (err == nil) != tc.short {
				t.Errorf("ValidateStage(%q) = %v, want valid %v", tc.value, err, tc.short)
			}
			if got := IsArtifactName(tc.value); got != tc.full {
				t.Errorf("IsArtifactName(%q) = %v, want %v", tc.value, got, tc.full)
			}
			if err := ValidateArtifactName(tc.value); (err == nil) != tc.full {
				t.Errorf("ValidateArtifactName(%q) = %v, want valid %v", tc.value, err, tc.full)
			}
		})
	}
}

// TestTagArtifactNames covers the "in tags" list of V2: artifact names as a tag writes them,
// with '=' for ':'. Each is checked through a registration tag.
func TestTagArtifactNames(t *testing.T) {
	tests := []struct {
		inTag, artifact string
		ok              bool
	}{
		{"model", "model", true},
		{"dvclive=model", "dvclive:model", true},
		{"some/folder=some/model", "some/folder:some/model", true},
		{"Some/folder/A=model", "Some/folder/A:model", true},
		{"Some/folder/A=Model", "Some/folder/A:Model", true},
		{"dvclive:model", "", false}, // ':' is never written in a tag name
		{"a=b=c", "", false},
		{"=m", "", false},
		{"d=", "", false},
		{"d;x=m", "", false},
	}
	for _, tc := range tests {
		got, ok := artifactFromTag(tc.inTag)
		if ok != tc.ok || (ok && got != tc.artifact) {
			t.Errorf("artifactFromTag(%q) = %q, %v; want %q, %v", tc.inTag, got, ok, tc.artifact, tc.ok)
		}
		tag, ok := ParseTag(tc.inTag + "@v1.0.0")
		if ok != tc.ok || tag.Artifact != tc.artifact {
			t.Errorf("ParseTag(%q) = artifact %q, %v; want %q, %v", tc.inTag+"@v1.0.0", tag.Artifact, ok, tc.artifact, tc.ok)
		}
	}
}

// TestValidateErrors checks that errors name the value in single quotes and state the rule
// (docs/tag-vectors.md V2: "it must name the value and the rule").
func TestValidateErrors(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		value   string
		wantAll []string
	}{
		{"stage", ValidateStage("prod!"), "prod!", []string{"invalid stage 'prod!'", nameRule}},
		{"empty stage", ValidateStage(""), "", []string{"invalid stage ''", nameRule}},
		{"artifact", ValidateArtifactName("_model"), "_model", []string{"invalid artifact name '_model'", nameRule}},
		{"artifact with bad name after dir", ValidateArtifactName("dir:-m"), "dir:-m", []string{"invalid artifact name 'dir:-m'", nameRule}},
		{"artifact with bad dir", ValidateArtifactName("a;b:m"), "a;b:m", []string{"invalid artifact name 'a;b:m'", dirRule}},
		{"artifact with empty dir", ValidateArtifactName(":m"), ":m", []string{"invalid artifact name ':m'", dirRule}},
		{"artifact with two colons", ValidateArtifactName("a:b:c"), "a:b:c", []string{"invalid artifact name 'a:b:c'", nameRule}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatalf("no error for %q", tc.value)
			}
			msg := tc.err.Error()
			for _, want := range tc.wantAll {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "\n") || strings.HasSuffix(msg, ".") {
				t.Errorf("error %q must be one line with no final period", msg)
			}
		})
	}
	for _, ok := range []string{"m", "prod", "a/b-c_d"} {
		if err := ValidateStage(ok); err != nil {
			t.Errorf("ValidateStage(%q) = %v, want nil", ok, err)
		}
	}
	for _, ok := range []string{"m", "models/cv:segm-nn", ".:m"} {
		if err := ValidateArtifactName(ok); err != nil {
			t.Errorf("ValidateArtifactName(%q) = %v, want nil", ok, err)
		}
	}
}

func TestSplitArtifactName(t *testing.T) {
	tests := []struct{ in, dir, name string }{
		{"segm-nn", "", "segm-nn"},
		{"models/cv:segm-nn", "models/cv", "segm-nn"},
		{"a.b/c-d_e:m", "a.b/c-d_e", "m"},
		{".:m", ".", "m"},
	}
	for _, tc := range tests {
		dir, name := SplitArtifactName(tc.in)
		if dir != tc.dir || name != tc.name {
			t.Errorf("SplitArtifactName(%q) = %q, %q; want %q, %q", tc.in, dir, name, tc.dir, tc.name)
		}
	}
}
