package registry

import "testing"

// tagVector is one row of docs/tag-vectors.md V1. valid is false for the rows marked
// "invalid (ignored)"; the other fields are then unused.
type tagVector struct {
	name       string
	valid      bool
	action     Action
	artifact   string
	version    string
	stage      string
	counter    string // canonical digits, "" when the tag has none
	hasCounter bool
}

func valid(name string, action Action, artifact, version, stage string) tagVector {
	return tagVector{name: name, valid: true, action: action, artifact: artifact, version: version, stage: stage}
}

func counted(name string, action Action, artifact, version, stage, counter string) tagVector {
	v := valid(name, action, artifact, version, stage)
	v.counter, v.hasCounter = counter, true
	return v
}

func invalid(name string) tagVector {
	return tagVector{name: name}
}

// tagVectors holds every row of docs/tag-vectors.md V1, in the order of the document.
var tagVectors = []tagVector{
	valid("path@v1.2.3", ActionRegister, "path", "v1.2.3", ""),
	counted("path@v1.2.3#5", ActionRegister, "path", "v1.2.3", "", "5"),
	valid("path@v1.2.3!", ActionDeregister, "path", "v1.2.3", ""),
	counted("path@v1.2.3!#2", ActionDeregister, "path", "v1.2.3", "", "2"),
	valid("path#stage", ActionAssign, "path", "", "stage"),
	counted("path#stage#1", ActionAssign, "path", "", "stage", "1"),
	counted("path#stage!#2", ActionUnassign, "path", "", "stage", "2"),
	valid("nn#prod", ActionAssign, "nn", "", "prod"),
	valid("nn#prod!", ActionUnassign, "nn", "", "prod"),
	counted("nn#prod#1", ActionAssign, "nn", "", "prod", "1"),
	valid("nn@v1.0.0", ActionRegister, "nn", "v1.0.0", ""),
	counted("nn#prod!#2", ActionUnassign, "nn", "", "prod", "2"),
	valid("nn@v1.0.0!", ActionDeregister, "nn", "v1.0.0", ""),
	counted("nn@v1.0.0#1", ActionRegister, "nn", "v1.0.0", "", "1"),
	counted("nn@v1.0.0!#1", ActionDeregister, "nn", "v1.0.0", "", "1"),
	valid("nn@v1.0.0-rc.2", ActionRegister, "nn", "v1.0.0-rc.2", ""),
	valid("nn@v1.0.0-alpha", ActionRegister, "nn", "v1.0.0-alpha", ""),
	valid("nn@v1.0.0-alpha.1", ActionRegister, "nn", "v1.0.0-alpha.1", ""),
	valid("nn@v1.0.0-alpha.beta", ActionRegister, "nn", "v1.0.0-alpha.beta", ""),
	valid("new-artifact@v1.0.1!", ActionDeregister, "new-artifact", "v1.0.1", ""),
	valid("nn@deprecated", ActionDeprecate, "nn", "", ""),
	counted("nn@deprecated#3", ActionDeprecate, "nn", "", "", "3"),
	valid("nn@created", ActionNone, "nn", "", ""),
	counted("nn@created#4", ActionNone, "nn", "", "", "4"),
	invalid("nn@deprecated!"),
	valid("nn#deprecated", ActionAssign, "nn", "", "deprecated"),
	valid("dvclive/dsd=nn@v0.0.1", ActionRegister, "dvclive/dsd:nn", "v0.0.1", ""),
	counted("folder/sub=nn#prod#3", ActionAssign, "folder/sub:nn", "", "prod", "3"),
	counted("Folder_X=Model_A#dev#7", ActionAssign, "Folder_X:Model_A", "", "dev", "7"),
	valid("a.b/c-d_e=m@v1.0.0", ActionRegister, "a.b/c-d_e:m", "v1.0.0", ""),
	invalid("x=y=z@v1.0.0"),
	valid("m@v1.0.0+build.5", ActionRegister, "m", "v1.0.0+build.5", ""),
	valid("m@v1.0.0-rc.1+b.2", ActionRegister, "m", "v1.0.0-rc.1+b.2", ""),
	invalid("m@V1.0.0"),
	invalid("m@v01.0.0"),
	invalid("m@v1.0.0-01"),
	invalid("m@v1.0"),
	counted("m#prod#0", ActionAssign, "m", "", "prod", "0"),
	counted("m#prod#0042", ActionAssign, "m", "", "prod", "42"),
	counted("m#prod/eu#1", ActionAssign, "m", "", "prod/eu", "1"),
	counted("m#Prod_2#1", ActionAssign, "m", "", "Prod_2", "1"),
	counted("m#p#1", ActionAssign, "m", "", "p", "1"),
	valid("M@v0.0.1", ActionRegister, "M", "v0.0.1", ""),
	valid("m_1@v0.0.1", ActionRegister, "m_1", "v0.0.1", ""),
	valid("a/b@v0.0.1", ActionRegister, "a/b", "v0.0.1", ""),
	invalid(""),
	invalid("###"),
	invalid("@@@"),
	invalid("model@v1"),
	invalid("nn#prod#-1"),
	invalid("model@v111"),
	invalid("model-prod"),
	invalid("model@0.0.1"),
	invalid("model-prod-v1"),
	invalid("model#prod#-1"),
	invalid("model#prod#1-2"),
	invalid("model#prod?#1-2"),
	invalid("model#prod@v1.2.3"),
	invalid("model@v1.2.3#prod"),
	invalid("model-prod-v1-stage"),
	invalid("model@prod@v1@stage-1"),
	invalid("namespace/model@0.0.1"),
	invalid("@namespace/model@0.0.1"),
	invalid("model#prod#v1#stage#1-"),
	invalid("model#prod-v1-stage@1-2"),
	invalid("model#prod-v1-stage@1-2#@"),
	invalid("m#prod#1!"),
	invalid("m@v1.0.0#1!"),
	invalid("_m@v1.0.0"),
	invalid("m-@v1.0.0"),
	invalid("m@latest"),
	invalid("m@greatest"),
	invalid("m#"),
	invalid("m@"),
	invalid("=m@v1.0.0"),
	invalid("d=@v1.0.0"),
	invalid("m#prod!!"),
	invalid("m@v1.0.0!!"),
	invalid("m##1"),
	invalid("m@v1.0.0 "),
}

func TestParseTagVectors(t *testing.T) {
	if len(tagVectors) != 80 {
		t.Fatalf("tagVectors has %d rows, docs/tag-vectors.md V1 has 80", len(tagVectors))
	}
	for _, tc := range tagVectors {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ParseTag(tc.name)
			if ok != tc.valid {
				t.Fatalf("ParseTag(%q) ok = %v, want %v (got %+v)", tc.name, ok, tc.valid, got)
			}
			if !tc.valid {
				if got != (Tag{}) {
					t.Errorf("ParseTag(%q) = %+v with ok false, want the zero Tag", tc.name, got)
				}
				return
			}
			if got.Action != tc.action {
				t.Errorf("Action = %v, want %v", got.Action, tc.action)
			}
			if got.Artifact != tc.artifact {
				t.Errorf("Artifact = %q, want %q", got.Artifact, tc.artifact)
			}
			if got.Version != tc.version {
				t.Errorf("Version = %q, want %q", got.Version, tc.version)
			}
			if got.Stage != tc.stage {
				t.Errorf("Stage = %q, want %q", got.Stage, tc.stage)
			}
			if got.Counter != tc.counter || got.HasCounter != tc.hasCounter {
				t.Errorf("Counter, HasCounter = %q, %v, want %q, %v", got.Counter, got.HasCounter, tc.counter, tc.hasCounter)
			}
			if s := got.String(); s != tc.name {
				t.Errorf("String() = %q, want %q", s, tc.name)
			}
		})
	}
}

func TestActionString(t *testing.T) {
	tests := []struct {
		action Action
		want   string
	}{
		{ActionNone, "none"},
		{ActionDeprecate, "deprecation"},
		{ActionRegister, "registration"},
		{ActionDeregister, "deregistration"},
		{ActionAssign, "assignment"},
		{ActionUnassign, "unassignment"},
		{Action(42), "none"},
	}
	for _, tc := range tests {
		if got := tc.action.String(); got != tc.want {
			t.Errorf("Action(%d).String() = %q, want %q", int(tc.action), got, tc.want)
		}
	}
}

// TestActionPriority pins the tie-break order of docs/registry.md §3: deprecation < registration <
// deregistration < assignment < unassignment.
func TestActionPriority(t *testing.T) {
	order := []Action{ActionDeprecate, ActionRegister, ActionDeregister, ActionAssign, ActionUnassign}
	for i := 1; i < len(order); i++ {
		if !(order[i-1] < order[i]) {
			t.Errorf("%v must sort before %v", order[i-1], order[i])
		}
	}
}

// TestTagFormat covers the writer templates of docs/tag-vectors.md V5 (and docs/registry.md §4): tags
// built from struct literals, counter-less and numbered.
func TestTagFormat(t *testing.T) {
	tests := []struct {
		name string
		tag  Tag
		want string
	}{
		{"register", Tag{Artifact: "m", Action: ActionRegister, Version: "v0.0.1"}, "m@v0.0.1"},
		{"register numbered", Tag{Artifact: "m", Action: ActionRegister, Version: "v0.0.1"}.WithCounter("1"), "m@v0.0.1#1"},
		{"deregister", Tag{Artifact: "m", Action: ActionDeregister, Version: "v0.0.1"}, "m@v0.0.1!"},
		{"deregister numbered", Tag{Artifact: "m", Action: ActionDeregister, Version: "v0.0.1"}.WithCounter("1"), "m@v0.0.1!#1"},
		{"assign simple", Tag{Artifact: "m", Action: ActionAssign, Stage: "dev"}, "m#dev"},
		{"assign numbered", Tag{Artifact: "m", Action: ActionAssign, Stage: "dev"}.WithCounter("1"), "m#dev#1"},
		{"assign prod", Tag{Artifact: "m", Action: ActionAssign, Stage: "prod"}.WithCounter("2"), "m#prod#2"},
		{"assign staging", Tag{Artifact: "m", Action: ActionAssign, Stage: "staging"}.WithCounter("2"), "m#staging#2"},
		{"assign in dir", Tag{Artifact: "dir:m", Action: ActionAssign, Stage: "dev"}.WithCounter("2"), "dir=m#dev#2"},
		{"assign after 0042", Tag{Artifact: "nn", Action: ActionAssign, Stage: "dev"}.WithCounter("43"), "nn#dev#43"},
		{"assign after lightweight", Tag{Artifact: "y", Action: ActionAssign, Stage: "qa"}.WithCounter("8"), "y#qa#8"},
		{"unassign simple", Tag{Artifact: "m", Action: ActionUnassign, Stage: "dev"}, "m#dev!"},
		{"unassign numbered", Tag{Artifact: "m", Action: ActionUnassign, Stage: "dev"}.WithCounter("2"), "m#dev!#2"},
		{"deprecate", Tag{Artifact: "m", Action: ActionDeprecate}, "m@deprecated"},
		{"deprecate numbered", Tag{Artifact: "m", Action: ActionDeprecate}.WithCounter("3"), "m@deprecated#3"},
		{"register in nested dir", Tag{Artifact: "classification/dvclive:models/nn", Action: ActionRegister, Version: "v0.0.1"}, "classification/dvclive=models/nn@v0.0.1"},
		{"counter zero", Tag{Artifact: "m", Action: ActionAssign, Stage: "prod"}.WithCounter("0"), "m#prod#0"},
		{"counter past 64 bits", Tag{Artifact: "m", Action: ActionAssign, Stage: "prod"}.WithCounter("100000000000000000000"), "m#prod#100000000000000000000"},
		{"created", Tag{Artifact: "nn", Action: ActionNone}, "nn@created"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.tag.String()
			if got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			// What a writer produces, a reader parses back to the same tag.
			back, ok := ParseTag(got)
			if !ok {
				t.Fatalf("ParseTag(%q) failed", got)
			}
			if back.Artifact != tc.tag.Artifact || back.Action != tc.tag.Action || back.Version != tc.tag.Version ||
				back.Stage != tc.tag.Stage || back.Counter != tc.tag.Counter || back.HasCounter != tc.tag.HasCounter {
				t.Errorf("ParseTag(%q) = %+v, want %+v", got, back, tc.tag)
			}
		})
	}
}

// TestWithCounter checks that WithCounter replaces a counter as written ("0042") instead of
// keeping its digits, and leaves the receiver alone.
func TestWithCounter(t *testing.T) {
	orig, ok := ParseTag("m#prod#0042")
	if !ok {
		t.Fatal("ParseTag(m#prod#0042) failed")
	}
	next := orig.WithCounter("43")
	if got := next.String(); got != "m#prod#43" {
		t.Errorf("WithCounter(43).String() = %q, want %q", got, "m#prod#43")
	}
	if next.Counter != "43" || !next.HasCounter {
		t.Errorf("WithCounter(43) = counter %q, has %v; want 43, true", next.Counter, next.HasCounter)
	}
	if got := orig.String(); got != "m#prod#0042" {
		t.Errorf("receiver changed: String() = %q, want %q", got, "m#prod#0042")
	}
	if got := orig.WithCounter("42").String(); got != "m#prod#42" {
		t.Errorf("WithCounter(42).String() = %q, want %q (the leading zeros are not kept)", got, "m#prod#42")
	}
	plain := Tag{Artifact: "m", Action: ActionRegister, Version: "v1.0.0"}
	if got := plain.WithCounter("7").String(); got != "m@v1.0.0#7" {
		t.Errorf("WithCounter(7).String() = %q, want %q", got, "m@v1.0.0#7")
	}
	if plain.HasCounter {
		t.Error("WithCounter changed its receiver")
	}
	// A new tag's name is canonical whatever digits it is given, at any size.
	for n, want := range map[string]string{
		"0043":                   "m@v1.0.0#43",
		"000":                    "m@v1.0.0#0",
		"100000000000000000000":  "m@v1.0.0#100000000000000000000",
		"0099999999999999999999": "m@v1.0.0#99999999999999999999",
	} {
		if got := plain.WithCounter(n); got.String() != want || got.Counter != want[len("m@v1.0.0#"):] {
			t.Errorf("WithCounter(%q) = %q (counter %q), want %q", n, got.String(), got.Counter, want)
		}
	}
}

// TestTagCounterChanged: a parsed tag whose Counter is set afterwards formats the new counter,
// not the digits it was parsed from.
func TestTagCounterChanged(t *testing.T) {
	tag, ok := ParseTag("m#prod#0042")
	if !ok {
		t.Fatal("ParseTag(m#prod#0042) failed")
	}
	tag.Counter = "100000000000000000000"
	if got := tag.String(); got != "m#prod#100000000000000000000" {
		t.Errorf("String() = %q, want m#prod#100000000000000000000", got)
	}
	// A literal with HasCounter and no digits is counter 0, as a zero int was.
	if got := (Tag{Artifact: "m", Action: ActionAssign, Stage: "prod", HasCounter: true}).String(); got != "m#prod#0" {
		t.Errorf("String() = %q, want m#prod#0", got)
	}
}

// TestParseTagCounterLimits: a counter is [0-9]+ (docs/registry.md §2), of any size: past int64
// and uint64 it still parses, to its canonical digits, and formats back as written.
func TestParseTagCounterLimits(t *testing.T) {
	tests := []struct {
		name    string
		ok      bool
		counter string
	}{
		{"m#prod#9223372036854775807", true, "9223372036854775807"},
		{"m#prod#9223372036854775808", true, "9223372036854775808"},
		{"m#prod#18446744073709551616", true, "18446744073709551616"},
		{"m#prod#99999999999999999999", true, "99999999999999999999"},
		{"m#prod!#00000000000000000000000000000000000042", true, "42"},
		{"m@v99999999999999999999.0.0!#000100000000000000000000", true, "100000000000000000000"},
		{"m#prod#+1", false, ""},
		{"m#prod# 1", false, ""},
		{"m#prod#", false, ""},
		{"m#prod#1#2", false, ""},
		{"m#prod#99999999999999999999x", false, ""},
		{"m@v1.0.0#00", true, "0"},
	}
	for _, tc := range tests {
		got, ok := ParseTag(tc.name)
		if ok != tc.ok || got.Counter != tc.counter || got.HasCounter != tc.ok {
			t.Errorf("ParseTag(%q) = counter %q (has %v), ok %v; want %q, %v", tc.name, got.Counter, got.HasCounter, ok, tc.counter, tc.ok)
		}
		if ok && got.String() != tc.name {
			t.Errorf("ParseTag(%q).String() = %q", tc.name, got.String())
		}
	}
}

// TestParseTagOldStageCounter: tags written by GTO before 0.1.4, "name#stage-N", read as a
// stage literally named "stage-N" (docs/registry.md §2).
func TestParseTagOldStageCounter(t *testing.T) {
	got, ok := ParseTag("nn#prod-3")
	want := Tag{Artifact: "nn", Action: ActionAssign, Stage: "prod-3"}
	if !ok || got != want {
		t.Errorf("ParseTag(nn#prod-3) = %+v, %v; want %+v, true", got, ok, want)
	}
}
