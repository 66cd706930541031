package registry

import (
	"testing"
	"time"
)

func TestNearMiss(t *testing.T) {
	for name, want := range map[string]string{
		"nn@v1.0.0":              "",
		"nn#prod#3":              "",
		"release@2024-05":        "",
		"user@host":              "",
		"v1.0.0":                 "",
		"a b@1.0.0":              "",
		"nn#-x":                  "",
		"nn@1.0.0":               "invalid version '1.0.0': write 'v1.0.0' (versions start with a lowercase v)",
		"nn@V1.0.0!":             "invalid version 'V1.0.0': write 'v1.0.0' (versions start with a lowercase v)",
		"models/cv=segm@1.2.3#4": "invalid version '1.2.3': write 'v1.2.3' (versions start with a lowercase v)",
		"nn@v1.0":                "invalid version 'v1.0': write 'v' and a SemVer 2.0.0 version, such as v1.2.3 or v1.0.0-rc.1",
		"nn@v1.0.0junk":          "invalid version 'v1.0.0junk': write 'v' and a SemVer 2.0.0 version, such as v1.2.3 or v1.0.0-rc.1",
		"nn#Prod!x":              "invalid stage 'Prod!x': use letters, digits, '-', '_' and '/', starting and ending with a letter or a digit",
		"nn@v1.0.0#x":            "the counter '#x' is not a number",
		"nn@deprecated!":         "'@deprecated' takes no '!'",
		"nn@deprecatedx":         "'deprecatedx' is not 'deprecated' nor a version",
		"nn@v1.0.0#":             "the counter '#' is not a number",
	} {
		err := NearMiss(name)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("NearMiss(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestTimeSlips(t *testing.T) {
	at := func(s int) time.Time { return time.Date(2024, 1, 1, 0, 0, s, 0, time.UTC) }
	records := []TagRecord{
		{Name: "nn@v1.0.0", Annotated: true, Commit: "c1", When: at(1)},
		{Name: "nn#dev#1", Annotated: true, Commit: "c1", When: at(5)},
		{Name: "nn#prod#2", Annotated: true, Commit: "c1", When: at(3)},  // before #1
		{Name: "nn#qa#3", Annotated: true, Commit: "c1", When: at(3)},    // ties with #2
		{Name: "nn#dev!#4", Annotated: true, Commit: "c1", When: at(9)},  // in order
		{Name: "nn#dev#10", Annotated: false, Commit: "c1", When: at(0)}, // lightweight: no event
	}
	slips := Build(records).Artifacts["nn"].TimeSlips()
	if len(slips) != 2 ||
		slips[0].Earlier.Name != "nn#dev#1" || slips[0].Later.Name != "nn#prod#2" || slips[0].Tie ||
		slips[1].Earlier.Name != "nn#prod#2" || slips[1].Later.Name != "nn#qa#3" || !slips[1].Tie {
		for _, s := range slips {
			t.Logf("%s -> %s tie=%v", s.Earlier.Name, s.Later.Name, s.Tie)
		}
		t.Fatalf("want #2 before #1 and #3 tied with #2, got %d slips", len(slips))
	}
}
