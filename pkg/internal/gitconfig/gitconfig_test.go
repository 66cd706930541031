package gitconfig

import (
	"os/exec"
	"strings"
	"testing"
)

// TestParseBoolAsGit checks ParseBool against `git config --type=bool`, which reads a value
// the way git reads every boolean of its config and environment.
func TestParseBoolAsGit(t *testing.T) {
	for _, in := range []string{"true", "TRUE", "Yes", "on", "1", "42", "-1", "0x10",
		"false", "No", "OFF", "0", "", "maybe", "2x", "truthy"} {
		value, ok := ParseBool(in)
		out, err := exec.Command("git", "-c", "x.y="+in, "config", "--type=bool", "x.y").Output()
		if err != nil { // git refuses what is not a boolean
			if ok {
				t.Errorf("ParseBool(%q) = %v, true; git refuses it", in, value)
			}
			continue
		}
		want := strings.TrimSpace(string(out)) == "true"
		if !ok || value != want {
			t.Errorf("ParseBool(%q) = %v, %v; git reads %v", in, value, ok, want)
		}
	}
}
