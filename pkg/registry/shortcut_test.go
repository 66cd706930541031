package registry

import "testing"

// TestParseShortcutVectors holds every row of docs/tag-vectors.md V3.
func TestParseShortcutVectors(t *testing.T) {
	tests := []struct {
		arg  string
		want Shortcut
	}{
		{"rf", Shortcut{Artifact: "rf"}},
		{"rf@latest", Shortcut{Artifact: "rf", Latest: true, IsShortcut: true}},
		{"rf@greatest", Shortcut{Artifact: "rf", Latest: true, IsShortcut: true}},
		{"rf#prod", Shortcut{Artifact: "rf", Stage: "prod", IsShortcut: true}},
		{"rf@v1.2.3", Shortcut{Artifact: "rf", Version: "v1.2.3", IsShortcut: true}},
		{"rf@v1.2.3-rc.1", Shortcut{Artifact: "rf", Version: "v1.2.3-rc.1", IsShortcut: true}},
		{"dir/x:rf#prod", Shortcut{Artifact: "dir/x:rf", Stage: "prod", IsShortcut: true}},
		{"dir/x:rf@latest", Shortcut{Artifact: "dir/x:rf", Latest: true, IsShortcut: true}},
		// Not shortcuts: the whole string is taken as an artifact name.
		{"rf@1.2.3", Shortcut{Artifact: "rf@1.2.3"}},
		{"rf@foo", Shortcut{Artifact: "rf@foo"}},
		{"rf#prod#1", Shortcut{Artifact: "rf#prod#1"}},
		{"rf#", Shortcut{Artifact: "rf#"}},
		{"rf#-x", Shortcut{Artifact: "rf#-x"}},
		{"rf@LATEST", Shortcut{Artifact: "rf@LATEST"}},
		{"rf@v1.0", Shortcut{Artifact: "rf@v1.0"}},
		// Beyond V3: a bad artifact part, an empty string, a '=' form.
		{"_rf@latest", Shortcut{Artifact: "_rf@latest"}},
		{"@latest", Shortcut{Artifact: "@latest"}},
		{"", Shortcut{Artifact: ""}},
		{"dir=rf#prod", Shortcut{Artifact: "dir=rf#prod"}},
		{"rf@v1.0.0+b.5", Shortcut{Artifact: "rf", Version: "v1.0.0+b.5", IsShortcut: true}},
	}
	for _, tc := range tests {
		t.Run(tc.arg, func(t *testing.T) {
			if got := ParseShortcut(tc.arg); got != tc.want {
				t.Errorf("ParseShortcut(%q) = %+v, want %+v", tc.arg, got, tc.want)
			}
		})
	}
}
