package policy

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-model/git-model/pkg/internal/signature"
	"github.com/git-model/git-model/pkg/registry"
)

const (
	commitA = "0123456789abcdef0123456789abcdef01234567"
	commitB = "89abcdef0123456789abcdef0123456789abcdef"
	fpr     = "3AA5C34371567BD24B7EE6D1A0A56C410E802B9C"
	primary = "916B3F8E2E90801CFDF03720A2D3A6840E080F07"
)

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, text string) *Policy {
	t.Helper()
	p, err := Parse([]byte(text))
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return p
}

// past is an event of the artifact's history.
func past(artifact string, action registry.Action, stage, commit string, when time.Time) *registry.Event {
	name := artifact + "#" + stage
	if action == registry.ActionRegister {
		name = artifact + "@v1.0.0"
	}
	return &registry.Event{Tag: registry.Tag{Artifact: artifact, Action: action, Stage: stage}, Name: name, Commit: commit, Time: when}
}

// event is an annotated event to judge, signed as sig says.
func event(artifact string, action registry.Action, stage, commit string, when time.Time, sig signature.Result) *Event {
	version := ""
	if action == registry.ActionRegister || action == registry.ActionDeregister {
		version = "v1.0.0"
	}
	return &Event{Tag: registry.Tag{Artifact: artifact, Action: action, Stage: stage, Version: version},
		Name: artifact + "#" + stage, Commit: commit, Time: when, Annotated: true, Signature: sig}
}

func sshBy(principal string) signature.Result {
	return signature.Result{Status: signature.Good, Format: signature.SSH, Signer: principal, Key: "SHA256:abc", Trust: "fully"}
}

func pgpBy(fingerprint, primaryFingerprint string) signature.Result {
	return signature.Result{Status: signature.Good, Format: signature.OpenPGP, Signer: "Ada <ada@example.com>",
		Key: fingerprint[len(fingerprint)-16:], Fingerprint: fingerprint, PrimaryFingerprint: primaryFingerprint, Trust: "ultimate"}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"unknown top-level key", "since: 2026-12-01\nsigner:\n  a: [b]\n",
			"line 2: unknown key 'signer' in the policy (since, signers, rules, rewriters)"},
		{"unknown key in a rule", "rules:\n  - stages: prod\n    signers: [a]\n    foo: 1\n",
			"line 4: unknown key 'foo' in a rule (artifacts, stages, actions, signers, promotes_from)"},
		{"unknown key in the second rule", "rules:\n  - signers: a\n  - signers: b\n    stage: prod\n",
			"line 4: unknown key 'stage' in a rule (artifacts, stages, actions, signers, promotes_from)"},
		{"misspelt promotes_from", "rules:\n  - stages: prod\n    promote_from: staging\n",
			"line 3: unknown key 'promote_from' in a rule (artifacts, stages, actions, signers, promotes_from)"},
		{"bad action", "rules:\n  - actions: [register, frob]\n    signers: [a]\n",
			"rule 1 (line 2): unknown action 'frob' (register, deregister, assign, unassign, deprecate)"},
		{"action in capitals", "rules:\n  - signers: a\n  - actions: Assign\n    signers: [a]\n",
			"rule 2 (line 3): unknown action 'Assign' (register, deregister, assign, unassign, deprecate)"},
		{"bad stage", "rules:\n  - stages: [Prod!]\n    signers: [a]\n",
			"rule 1 (line 2): invalid stage 'Prod!': use letters, digits, '-', '_' and '/', starting and ending with a letter or a digit"},
		{"bad promotes_from", "rules:\n  - stages: prod\n    promotes_from: 'stag ing'\n",
			"rule 1 (line 2): invalid stage 'stag ing': use letters, digits, '-', '_' and '/', starting and ending with a letter or a digit"},
		{"empty stage", "rules:\n  - stages: ''\n    signers: a\n", "rule 1 (line 2): invalid stage '': use letters, digits, '-', '_' and '/', starting and ending with a letter or a digit"},
		{"rule asks nothing", "rules:\n  - stages: prod\n", "rule 1 (line 2): asks nothing (give signers or promotes_from)"},
		{"empty rule", "rules:\n  - signers: a\n  - {}\n", "rule 2 (line 3): asks nothing (give signers or promotes_from)"},
		{"empty lists ask nothing", "rules:\n  - artifacts: [m]\n    signers: []\n    promotes_from: []\n", "rule 1 (line 2): asks nothing (give signers or promotes_from)"},
		{"empty artifact pattern", "rules:\n  - artifacts: ['m', '']\n    signers: a\n", "rule 1 (line 2): an empty artifact pattern"},
		{"empty signer", "rules:\n  - signers: [a, '']\n", "rule 1 (line 2): an empty signer"},
		{"empty signer string", "rules:\n  - signers: ''\n", "rule 1 (line 2): an empty signer"},
		{"group without a name", "signers:\n  '': [a]\n", "signers: a group needs a name"},
		{"rule that is not a mapping", "rules:\n  - signers: a\n  - prod\n",
			"line 3: a rule is a mapping of artifacts, stages, actions, signers, promotes_from"},
		{"policy that is a list", "- a\n", "line 1: the policy is a mapping of since, signers, rules, rewriters"},
		{"policy that is a string", "rules\n", "line 1: the policy is a mapping of since, signers, rules, rewriters"},
		{"rules not a list", "rules: 3\n", "line 1: unexpected value `3` (!!int)"},
		{"rules a mapping", "rules:\n  stages: prod\n", "line 2: unexpected value (!!map)"},
		{"signers a list", "signers: [a, b]\n", "line 1: unexpected value (!!seq)"},
		{"group a mapping", "signers:\n  rel: {a: b}\n", "line 2: unexpected value (!!map)"},
		{"rule stages a mapping", "rules:\n  - stages: {prod: 1}\n    signers: a\n", "line 2: unexpected value (!!map)"},
		{"rule signers a list of lists", "rules:\n  - signers: [[a]]\n", "line 2: unexpected value (!!seq)"},
		{"since a list", "since: [2026-12-01]\n", "line 1: unexpected value (!!seq)"},
		{"bad since", "since: yesterday\n", "since: 'yesterday' is not a date (YYYY-MM-DD or RFC 3339)"},
		{"since a number", "since: 2026\n", "since: '2026' is not a date (YYYY-MM-DD or RFC 3339)"},
		{"since an impossible date", "since: 2026-13-01\n", "since: '2026-13-01' is not a date (YYYY-MM-DD or RFC 3339)"},
		{"duplicate key", "rules: []\nrules:\n  - signers: a\n", `line 2: mapping key "rules" already defined at line 1`},
		{"duplicate key in a rule", "rules:\n  - signers: a\n    signers: b\n", `line 3: mapping key "signers" already defined at line 2`},
		{"syntax error", "rules: [\n", "line 1: did not find expected node content"},
		{"null rule", "rules:\n  - signers: a\n  -\n  - signers: b\n", "rule 2 (line 3): asks nothing (give signers or promotes_from)"},
		{"rule commented out", "rules:\n  - # stages: prod\n    # signers: rel\n", "rule 1 (line 2): asks nothing (give signers or promotes_from)"},
		{"null rules in a flow list", "rules: [~]\n", "rule 1 (line 1): asks nothing (give signers or promotes_from)"},
		{"alias of null as a rule", "since: &n\nrules: [*n]\n", "rule 1 (line 2): asks nothing (give signers or promotes_from)"},
		{"newline in an unknown key", "\"a\\nb\": 1\n", `line 1: unknown key 'a\nb' in the policy (since, signers, rules, rewriters)`},
		{"newline in an action", "rules:\n  - actions: \"a\\r\\nb\"\n    signers: x\n",
			`rule 1 (line 2): unknown action 'a\r\nb' (register, deregister, assign, unassign, deprecate)`},
		{"escape in since", "since: \"\\e[31m\\x7f\"\n", `since: '\x1b[31m\x7f' is not a date (YYYY-MM-DD or RFC 3339)`},
		{"newline in a value of the wrong kind", "rules: \"a\\nb\"\n", "line 1: unexpected value `a\\nb` (!!str)"},
		{"tab indentation", "rules:\n\t- signers: a\n", "line 2: found character that cannot start any token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.text))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want the error %q", tc.text, p, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("Parse(%q):\n got %q\nwant %q", tc.text, err, tc.want)
			}
			if p != nil {
				t.Errorf("Parse returned a policy with its error")
			}
		})
	}
}

func TestParseNoRules(t *testing.T) {
	for _, text := range []string{"", "\n", "# only a comment\n", "---\n", "---\n# rules: []\n...\n", "~\n", "null\n",
		"rules:\n", "rules: []\n", "rules: ~\n", "signers: {}\nrewriters: []\n", "signers:\n  release:\nrewriters: release\n"} {
		p, err := Parse([]byte(text))
		if err != nil {
			t.Errorf("Parse(%q): %v", text, err)
			continue
		}
		if len(p.Rules) != 0 || len(p.Rewriters) != 0 || !p.Since.IsZero() {
			t.Errorf("Parse(%q) = %+v, want no rules", text, p)
		}
		e := event("m", registry.ActionAssign, "prod", commitA, t0, signature.Result{Status: signature.Unsigned})
		if reasons := p.Judge(e, nil, true); reasons != nil {
			t.Errorf("Parse(%q): Judge = %q, want nothing", text, reasons)
		}
		if p.RequiresSignature(e) || p.MayRewrite(sshBy("admin")) {
			t.Errorf("Parse(%q): a policy without rules requires a signature or allows a rewrite", text)
		}
	}
}

func TestParse(t *testing.T) {
	p := mustParse(t, `# .model-policy.yaml
since: 2026-12-01
signers:
  release:
    - alice@example.com
    - 3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C
  admins: [admin@example.com, root@example.com]
rules:
  - stages: [prod]
    promotes_from: [staging]
    signers: [release]
  - artifacts: ["models/cv:*"]
    actions: [register, deprecate]
    signers: [ci@example.com]
  - stages: staging
    actions: promote
    promotes_from: dev
  - artifacts: segm-?
    actions: [demote, deregister, unassign, assign]
    signers: [release, bob]
rewriters: [admins, carol]
`)
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC); !p.Since.Equal(want) {
		t.Errorf("Since = %v, want %v", p.Since, want)
	}
	if want := []string{"admin@example.com", "root@example.com", "carol"}; !slices.Equal(p.Rewriters, want) {
		t.Errorf("Rewriters = %q, want %q", p.Rewriters, want)
	}
	release := []string{"alice@example.com", "3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C"}
	type rule struct {
		line                         int
		artifacts                    []string
		stages, signers, promotesFrm []string
		actions                      []registry.Action
	}
	want := []rule{
		{9, nil, []string{"prod"}, release, []string{"staging"}, []registry.Action{registry.ActionAssign, registry.ActionUnassign}},
		{12, []string{"^models/cv:.*$"}, nil, []string{"ci@example.com"}, nil, []registry.Action{registry.ActionRegister, registry.ActionDeprecate}},
		{15, nil, []string{"staging"}, nil, []string{"dev"}, []registry.Action{registry.ActionAssign}},
		{18, []string{"^segm-.$"}, nil, append(slices.Clone(release), "bob"), nil,
			[]registry.Action{registry.ActionUnassign, registry.ActionDeregister, registry.ActionUnassign, registry.ActionAssign}},
	}
	if len(p.Rules) != len(want) {
		t.Fatalf("%d rules, want %d: %+v", len(p.Rules), len(want), p.Rules)
	}
	for i, w := range want {
		r := p.Rules[i]
		var artifacts []string
		for _, re := range r.Artifacts {
			artifacts = append(artifacts, re.String())
		}
		if r.Line != w.line || !slices.Equal(artifacts, w.artifacts) || !slices.Equal(r.Stages, w.stages) ||
			!slices.Equal(r.Signers, w.signers) || !slices.Equal(r.PromotesFrom, w.promotesFrm) || !slices.Equal(r.Actions, w.actions) {
			t.Errorf("rule %d = %+v (artifacts %q), want %+v", i+1, r, artifacts, w)
		}
	}
}

func TestParseStringOrList(t *testing.T) {
	one := mustParse(t, "rules:\n  - artifacts: m\n    stages: prod\n    actions: assign\n    signers: alice\n    promotes_from: staging\nrewriters: admin\nsigners:\n  admin: root@example.com\n")
	list := mustParse(t, "rules:\n  - artifacts: [m]\n    stages: [prod]\n    actions: [assign]\n    signers: [alice]\n    promotes_from: [staging]\nrewriters: [admin]\nsigners:\n  admin: [root@example.com]\n")
	a, b := one.Rules[0], list.Rules[0]
	if len(a.Artifacts) != 1 || a.Artifacts[0].String() != b.Artifacts[0].String() || !slices.Equal(a.Stages, b.Stages) ||
		!slices.Equal(a.Actions, b.Actions) || !slices.Equal(a.Signers, b.Signers) || !slices.Equal(a.PromotesFrom, b.PromotesFrom) {
		t.Errorf("one string %+v, a list of one %+v", a, b)
	}
	if !slices.Equal(one.Rewriters, []string{"root@example.com"}) || !slices.Equal(list.Rewriters, one.Rewriters) || !slices.Equal(a.Signers, []string{"alice"}) {
		t.Errorf("rewriters: one string %q, a list of one %q", one.Rewriters, list.Rewriters)
	}
}

func TestParseSince(t *testing.T) {
	for text, want := range map[string]time.Time{
		"2026-12-01":                time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		"2026-12-01T10:30:00Z":      time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC),
		"2026-12-01T10:30:00+02:00": time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC),
		"2026-12-01T10:30:00":       time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC),
		"'2026-12-01 10:30:00'":     time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC),
		"\"2026-12-01\"":            time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
	} {
		if p := mustParse(t, "since: "+text+"\n"); !p.Since.Equal(want) {
			t.Errorf("since: %s = %v, want %v", text, p.Since, want)
		}
	}
}

func TestParseGroups(t *testing.T) {
	p := mustParse(t, `signers:
  release: [alice, bob]
  empty: []
  alice: [not-expanded-twice]
rules:
  - signers: [release, carol, release]
  - signers: alice
rewriters: [release]
`)
	if got, want := p.Rules[0].Signers, []string{"alice", "bob", "carol", "alice", "bob"}; !slices.Equal(got, want) {
		t.Errorf("rule 1 signers = %q, want %q", got, want)
	}
	// A group's members are not groups themselves: one level of names.
	if got, want := p.Rules[1].Signers, []string{"not-expanded-twice"}; !slices.Equal(got, want) {
		t.Errorf("rule 2 signers = %q, want %q", got, want)
	}
	// A rule whose signers are only empty groups would ask for no signature at all.
	if _, err := Parse([]byte("signers:\n  empty: []\nrules:\n  - stages: prod\n    promotes_from: staging\n    signers: empty\n")); err == nil ||
		err.Error() != "rule 1 (line 4): its signers name only empty groups" {
		t.Errorf("a rule whose signers are an empty group: %v", err)
	}
	// An empty rewriter would let any push certificate without a signer rewrite tags.
	for _, text := range []string{"rewriters: \"\"\n", "rewriters: [\"\"]\n", "signers:\n  g: [\"\"]\nrewriters: g\n"} {
		if _, err := Parse([]byte(text)); err == nil || err.Error() != "rewriters: an empty signer" {
			t.Errorf("Parse(%q) = %v, want the empty rewriter refused", text, err)
		}
	}
	// Rules in a second YAML document would be read by no one.
	if _, err := Parse([]byte("rules: []\n---\nrules:\n  - stages: prod\n    signers: [a]\n")); err == nil ||
		err.Error() != "line 2: one YAML document only" {
		t.Errorf("a second document: %v", err)
	}
	if got, want := p.Rewriters, []string{"alice", "bob"}; !slices.Equal(got, want) {
		t.Errorf("rewriters = %q, want %q", got, want)
	}
	// A rule whose only ask is an empty group asks nothing.
	if _, err := Parse([]byte("signers:\n  nobody: []\nrules:\n  - signers: nobody\n")); err == nil ||
		err.Error() != "rule 1 (line 4): asks nothing (give signers or promotes_from)" {
		t.Errorf("a rule asking only an empty group: %v", err)
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		match   []string
		miss    []string
	}{
		{"segm-*", []string{"segm-nn", "segm-", "segm-a/b:c"}, []string{"other", "xsegm-nn", "segm", "models/cv:segm-nn"}},
		{"models/cv:*", []string{"models/cv:segm-nn", "models/cv:"}, []string{"models/cv", "models/nlp:bert", "x/models/cv:a"}},
		{"*", []string{"", "a", "models/cv:segm-nn"}, nil},
		{"segm-??", []string{"segm-nn", "segm-é1"}, []string{"segm-n", "segm-nnn"}},
		{"a.b+c(d)[e]", []string{"a.b+c(d)[e]"}, []string{"aXb+c(d)[e]", "a.bbc(d)[e]", "a.b+cd"}},
		{"*:churn", []string{":churn", "dir/x:churn"}, []string{"churn", "dir:churn2"}},
	} {
		re := glob(tc.pattern)
		for _, name := range tc.match {
			if !re.MatchString(name) {
				t.Errorf("glob(%q) does not match %q", tc.pattern, name)
			}
		}
		for _, name := range tc.miss {
			if re.MatchString(name) {
				t.Errorf("glob(%q) matches %q", tc.pattern, name)
			}
		}
	}
}

func TestJudgePromotesFrom(t *testing.T) {
	p := mustParse(t, "rules:\n  - stages: prod\n    promotes_from: [staging, qa]\n")
	const reason = "stage prod needs the version in staging or qa first (.model-policy.yaml line 2)"
	unsigned := signature.Result{Status: signature.Unsigned}
	e := event("m", registry.ActionAssign, "prod", commitA, t0, unsigned)
	for _, tc := range []struct {
		name   string
		before []*registry.Event
		ok     bool
	}{
		{"no history", nil, false},
		{"staging before", []*registry.Event{past("m", registry.ActionAssign, "staging", commitA, t0.Add(-time.Hour))}, true},
		{"qa before", []*registry.Event{past("m", registry.ActionAssign, "qa", commitA, t0.Add(-time.Hour))}, true},
		{"staging at the same second", []*registry.Event{past("m", registry.ActionAssign, "staging", commitA, t0)}, true},
		{"staging since undone", []*registry.Event{
			past("m", registry.ActionAssign, "staging", commitA, t0.Add(-2*time.Hour)),
			past("m", registry.ActionUnassign, "staging", commitA, t0.Add(-time.Hour)),
		}, true},
		{"staging of another commit", []*registry.Event{past("m", registry.ActionAssign, "staging", commitB, t0.Add(-time.Hour))}, false},
		{"staging after", []*registry.Event{past("m", registry.ActionAssign, "staging", commitA, t0.Add(time.Second))}, false},
		{"another stage", []*registry.Event{past("m", registry.ActionAssign, "dev", commitA, t0.Add(-time.Hour))}, false},
		{"registration of the commit", []*registry.Event{past("m", registry.ActionRegister, "", commitA, t0.Add(-time.Hour))}, false},
		{"unassignment of staging", []*registry.Event{past("m", registry.ActionUnassign, "staging", commitA, t0.Add(-time.Hour))}, false},
		{"prod before", []*registry.Event{past("m", registry.ActionAssign, "prod", commitA, t0.Add(-time.Hour))}, false},
		{"among others", []*registry.Event{
			past("m", registry.ActionRegister, "", commitA, t0.Add(-3*time.Hour)),
			past("m", registry.ActionAssign, "staging", commitB, t0.Add(-2*time.Hour)),
			past("m", registry.ActionAssign, "staging", commitA, t0.Add(-time.Hour)),
			past("m", registry.ActionAssign, "dev", commitB, t0.Add(-time.Minute)),
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, fresh := range []bool{false, true} {
				got := p.Judge(e, tc.before, fresh)
				if tc.ok && len(got) != 0 {
					t.Errorf("fresh %v: Judge = %q, want nothing", fresh, got)
				}
				if !tc.ok && !slices.Contains(got, reason) {
					t.Errorf("fresh %v: Judge = %q, want %q", fresh, got, reason)
				}
			}
		})
	}
	// Unassignments of prod are concerned by the rule, but promotes_from asks nothing of them.
	if got := p.Judge(event("m", registry.ActionUnassign, "prod", commitA, t0, unsigned), nil, true); got != nil {
		t.Errorf("unassigning prod: Judge = %q, want nothing", got)
	}
	// Nor of other stages.
	if got := p.Judge(event("m", registry.ActionAssign, "staging", commitA, t0, unsigned), nil, true); got != nil {
		t.Errorf("assigning staging: Judge = %q, want nothing", got)
	}
	// promotes_from in a rule of every action concerns assignments only.
	all := mustParse(t, "rules:\n  - promotes_from: dev\n")
	if got := all.Judge(event("m", registry.ActionRegister, "", commitA, t0, unsigned), nil, true); got != nil {
		t.Errorf("registering under promotes_from: Judge = %q, want nothing", got)
	}
	if got := all.Judge(event("m", registry.ActionAssign, "qa", commitA, t0, unsigned), nil, true); len(got) != 1 {
		t.Errorf("assigning qa under promotes_from dev: Judge = %q, want one reason", got)
	}
}

func TestJudgeSigners(t *testing.T) {
	p := mustParse(t, `signers:
  release: [alice@example.com, "3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C"]
rules:
  - stages: prod
    signers: release
`)
	const suffix = "; assigning prod needs a good signature by alice@example.com, 3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C (.model-policy.yaml line 4)"
	other := "1111222233334444555566667777888899990000"
	for _, tc := range []struct {
		name   string
		sig    signature.Result
		reason string // "" when allowed
	}{
		{"unsigned", signature.Result{Status: signature.Unsigned}, "unsigned"},
		{"no check", signature.Result{}, "unsigned"},
		{"bad", signature.Result{Status: signature.Bad, Format: signature.SSH, Signer: "alice@example.com"}, "bad signature"},
		{"unknown key", signature.Result{Status: signature.UnknownKey, Format: signature.SSH, Key: "SHA256:x"}, "unknown-key signature"},
		{"expired", signature.Result{Status: signature.Expired, Format: signature.OpenPGP, Fingerprint: fpr}, "expired signature"},
		{"revoked", signature.Result{Status: signature.Revoked, Format: signature.OpenPGP, Fingerprint: fpr}, "revoked signature"},
		{"untrusted", signature.Result{Status: signature.Untrusted, Format: signature.OpenPGP, Fingerprint: fpr, PrimaryFingerprint: fpr}, "untrusted signature"},
		{"error", signature.Result{Status: signature.Error, Format: signature.OpenPGP}, "error signature"},
		{"good by another principal", sshBy("mallory@example.com"), "signed by mallory@example.com"},
		{"good by a principal differing in case", sshBy("Alice@example.com"), "signed by Alice@example.com"},
		{"good by the named principal", sshBy("alice@example.com"), ""},
		{"good by another key", pgpBy(other, other), "signed by " + other},
		{"OpenPGP by full fingerprint", pgpBy(fpr, ""), ""},
		{"OpenPGP by primary fingerprint", pgpBy(other, fpr), ""},
		{"X.509 by fingerprint", signature.Result{Status: signature.Good, Format: signature.X509, Signer: "/CN=alice", Fingerprint: fpr}, ""},
		{"OpenPGP whose user id is the principal", signature.Result{Status: signature.Good, Format: signature.OpenPGP, Signer: "alice@example.com", Key: other[24:], Fingerprint: other},
			"signed by " + other},
		{"SSH whose principal is the fingerprint", sshBy("3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C"), ""},
		{"SSH whose principal is the fingerprint without spaces", sshBy(fpr), "signed by " + fpr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, fresh := range []bool{false, true} {
				got := p.Judge(event("m", registry.ActionAssign, "prod", commitA, t0, tc.sig), nil, fresh)
				if tc.reason == "" {
					if got != nil {
						t.Errorf("fresh %v: Judge = %q, want nothing", fresh, got)
					}
				} else if want := []string{tc.reason + suffix}; !slices.Equal(got, want) {
					t.Errorf("fresh %v: Judge = %q, want %q", fresh, got, want)
				}
			}
		})
	}
	// The rule concerns prod only.
	for _, e := range []*Event{
		event("m", registry.ActionAssign, "staging", commitA, t0, signature.Result{}),
		event("m", registry.ActionRegister, "", commitA, t0, signature.Result{}),
		event("m", registry.ActionDeprecate, "", commitA, t0, signature.Result{}),
	} {
		if got := p.Judge(e, nil, true); got != nil {
			t.Errorf("%s %s: Judge = %q, want nothing", e.Action, e.Stage, got)
		}
	}
	unassign := p.Judge(event("m", registry.ActionUnassign, "prod", commitA, t0, signature.Result{}), nil, true)
	if want := "unsigned; unassigning prod needs a good signature by "; len(unassign) != 1 || !strings.HasPrefix(unassign[0], want) {
		t.Errorf("unassigning prod unsigned: Judge = %q, want %q...", unassign, want)
	}
}

func TestSignedBy(t *testing.T) {
	longID := fpr[24:]
	spaced := "3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C"
	for _, tc := range []struct {
		name    string
		sig     signature.Result
		signers []string
		want    bool
	}{
		{"full fingerprint", pgpBy(fpr, primary), []string{fpr}, true},
		{"lowercase fingerprint", pgpBy(fpr, primary), []string{strings.ToLower(fpr)}, true},
		{"spaced fingerprint", pgpBy(fpr, primary), []string{spaced}, true},
		{"long key id", pgpBy(fpr, primary), []string{longID}, true},
		{"spaced long key id", pgpBy(fpr, primary), []string{"A0A5 6C41 0E80 2B9C"}, true},
		{"longer suffix", pgpBy(fpr, primary), []string{fpr[4:]}, true},
		{"primary fingerprint", pgpBy(fpr, primary), []string{primary}, true},
		{"primary long key id", pgpBy(fpr, primary), []string{primary[24:]}, true},
		{"short key id", pgpBy(fpr, primary), []string{fpr[32:]}, false},
		{"15 hex digits", pgpBy(fpr, primary), []string{fpr[25:]}, false},
		{"prefix of the fingerprint", pgpBy(fpr, primary), []string{fpr[:16]}, false},
		{"0x key id", pgpBy(fpr, primary), []string{"0x" + longID}, false},
		{"another key", pgpBy(fpr, primary), []string{"1111222233334444"}, false},
		{"principal name for OpenPGP", pgpBy(fpr, primary), []string{"Ada <ada@example.com>", "ada@example.com"}, false},
		{"principal equal to the key field", pgpBy(fpr, primary), []string{fpr[24:] + "x"}, false},
		{"one of several", pgpBy(fpr, primary), []string{"alice", "1111222233334444", longID}, true},
		{"no signers", pgpBy(fpr, primary), nil, false},
		{"empty signer", pgpBy(fpr, primary), []string{""}, false},
		{"no fingerprints", signature.Result{Status: signature.Good, Format: signature.OpenPGP, Key: longID}, []string{longID}, false},
		{"SSH principal", sshBy("alice"), []string{"alice"}, true},
		{"SSH principal with spaces", sshBy("Alice Liddell"), []string{"Alice Liddell"}, true},
		{"SSH principal, spaces differ", sshBy("Alice Liddell"), []string{"AliceLiddell"}, false},
		{"SSH other principal", sshBy("alice"), []string{"bob", "Alice", "alice "}, false},
		{"SSH by key fingerprint", sshBy("alice"), []string{"SHA256:abc"}, false},
		{"SSH empty principal", sshBy(""), []string{""}, true},
		{"bad SSH", signature.Result{Status: signature.Bad, Format: signature.SSH, Signer: "alice"}, []string{"alice"}, false},
		{"untrusted OpenPGP", signature.Result{Status: signature.Untrusted, Format: signature.OpenPGP, Fingerprint: fpr}, []string{fpr}, false},
		{"expired OpenPGP", signature.Result{Status: signature.Expired, Format: signature.OpenPGP, Fingerprint: fpr}, []string{fpr}, false},
		{"revoked OpenPGP", signature.Result{Status: signature.Revoked, Format: signature.OpenPGP, Fingerprint: fpr}, []string{fpr}, false},
		{"unknown-key SSH", signature.Result{Status: signature.UnknownKey, Format: signature.SSH, Key: "SHA256:abc"}, []string{"SHA256:abc"}, false},
		{"X.509", signature.Result{Status: signature.Good, Format: signature.X509, Fingerprint: fpr}, []string{longID}, true},
	} {
		if got := SignedBy(tc.sig, tc.signers); got != tc.want {
			t.Errorf("%s: SignedBy(%+v, %q) = %v, want %v", tc.name, tc.sig, tc.signers, got, tc.want)
		}
	}
}

func TestJudgeArtifacts(t *testing.T) {
	p := mustParse(t, "rules:\n  - artifacts: ['segm-*', 'models/cv:*']\n    signers: ci\n")
	for artifact, concerned := range map[string]bool{
		"segm-nn": true, "segm-": true, "models/cv:segm-nn": true,
		"other": false, "segm": false, "models/nlp:segm-nn": false, "xsegm-nn": false,
	} {
		for _, action := range []registry.Action{registry.ActionRegister, registry.ActionDeregister, registry.ActionAssign, registry.ActionUnassign, registry.ActionDeprecate} {
			e := event(artifact, action, "", commitA, t0, signature.Result{})
			if action == registry.ActionAssign || action == registry.ActionUnassign {
				e.Stage = "dev"
			}
			got := p.Judge(e, nil, false)
			if concerned != (len(got) == 1) || concerned != p.RequiresSignature(e) {
				t.Errorf("%s %s: Judge = %q, RequiresSignature %v; concerned %v", artifact, action, got, p.RequiresSignature(e), concerned)
			}
			if !concerned && got != nil {
				t.Errorf("%s: Judge = %q, want nothing", artifact, got)
			}
			if e.Signature = sshBy("ci"); p.Judge(e, nil, false) != nil {
				t.Errorf("%s %s signed by ci: refused", artifact, action)
			}
		}
	}
}

func TestJudgeStageRules(t *testing.T) {
	p := mustParse(t, "rules:\n  - stages: [prod, qa]\n    signers: rel\n")
	for _, tc := range []struct {
		action    registry.Action
		stage     string
		concerned bool
	}{
		{registry.ActionAssign, "prod", true},
		{registry.ActionUnassign, "prod", true},
		{registry.ActionAssign, "qa", true},
		{registry.ActionUnassign, "qa", true},
		{registry.ActionAssign, "dev", false},
		{registry.ActionUnassign, "staging", false},
		{registry.ActionRegister, "", false},
		{registry.ActionDeregister, "", false},
		{registry.ActionDeprecate, "", false},
		// A tag that would carry a stage with another action is not concerned either.
		{registry.ActionRegister, "prod", false},
		{registry.ActionDeprecate, "prod", false},
	} {
		e := event("m", tc.action, tc.stage, commitA, t0, signature.Result{})
		if got := p.RequiresSignature(e); got != tc.concerned {
			t.Errorf("%s %q: RequiresSignature = %v, want %v", tc.action, tc.stage, got, tc.concerned)
		}
		if got := p.Judge(e, nil, true); (len(got) == 1) != tc.concerned {
			t.Errorf("%s %q: Judge = %q, concerned %v", tc.action, tc.stage, got, tc.concerned)
		}
	}
	// With actions given, the stages narrow them.
	assignOnly := mustParse(t, "rules:\n  - stages: prod\n    actions: assign\n    signers: rel\n")
	if assignOnly.RequiresSignature(event("m", registry.ActionUnassign, "prod", commitA, t0, signature.Result{})) ||
		!assignOnly.RequiresSignature(event("m", registry.ActionAssign, "prod", commitA, t0, signature.Result{})) {
		t.Errorf("stages: prod, actions: assign: wrong events concerned")
	}
	// A rule of actions only concerns them at every stage.
	regOnly := mustParse(t, "rules:\n  - actions: [register, deprecate]\n    signers: rel\n")
	for action, concerned := range map[registry.Action]bool{registry.ActionRegister: true, registry.ActionDeprecate: true,
		registry.ActionAssign: false, registry.ActionUnassign: false, registry.ActionDeregister: false} {
		if got := regOnly.RequiresSignature(event("m", action, "", commitA, t0, signature.Result{})); got != concerned {
			t.Errorf("actions [register, deprecate]: %s concerned %v, want %v", action, got, concerned)
		}
	}
	// Every rule that concerns an event applies.
	two := mustParse(t, "rules:\n  - stages: prod\n    signers: rel\n  - artifacts: m\n    signers: ci\n")
	if got := two.Judge(event("m", registry.ActionAssign, "prod", commitA, t0, sshBy("rel")), nil, true); len(got) != 1 ||
		!strings.Contains(got[0], "by ci (.model-policy.yaml line 4)") {
		t.Errorf("two rules, one met: Judge = %q", got)
	}
	if got := two.Judge(event("m", registry.ActionAssign, "prod", commitA, t0, signature.Result{}), nil, true); len(got) != 2 {
		t.Errorf("two rules, none met: Judge = %q, want two reasons", got)
	}
}

func TestJudgeFresh(t *testing.T) {
	p := mustParse(t, "since: 2026-12-01\nrules:\n  - stages: prod\n    signers: rel\n")
	good := sshBy("rel")
	before := []*registry.Event{
		past("m", registry.ActionRegister, "", commitA, t0.Add(-time.Hour)),
		past("m", registry.ActionAssign, "dev", commitA, t0),
	}

	light := event("m", registry.ActionAssign, "prod", commitA, t0.Add(time.Hour), good)
	light.Annotated = false
	if got, want := p.Judge(light, before, true), []string{"a lightweight tag: registry tags are annotated (git tag -a)"}; !slices.Equal(got, want) {
		t.Errorf("lightweight: Judge = %q, want %q", got, want)
	}
	if got := p.Judge(light, before, false); got != nil {
		t.Errorf("lightweight, not fresh: Judge = %q, want nothing", got)
	}

	early := event("m", registry.ActionAssign, "prod", commitA, t0.Add(-time.Second), good)
	want := "its time 2026-12-01T11:59:59Z is before the artifact's newest event (m#dev, 2026-12-01T12:00:00Z)"
	if got := p.Judge(early, before, true); !slices.Equal(got, []string{want}) {
		t.Errorf("before the newest event: Judge = %q, want %q", got, want)
	}
	if got := p.Judge(early, before, false); got != nil {
		t.Errorf("before the newest event, not fresh: Judge = %q, want nothing", got)
	}
	// The time reason comes with the rules' reasons.
	early.Signature = signature.Result{}
	if got := p.Judge(early, before, true); len(got) != 2 || got[0] != want {
		t.Errorf("early and unsigned: Judge = %q", got)
	}

	same := event("m", registry.ActionAssign, "prod", commitA, t0, good)
	if got := p.Judge(same, before, true); got != nil {
		t.Errorf("at the newest event's second: Judge = %q, want nothing", got)
	}
	if got := p.Judge(event("m", registry.ActionAssign, "prod", commitA, t0.Add(-24*time.Hour), good), nil, true); got != nil {
		t.Errorf("no history: Judge = %q, want nothing", got)
	}

	// since spares old events unless they are fresh.
	old := event("m", registry.ActionAssign, "prod", commitA, time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC), signature.Result{})
	if got := p.Judge(old, nil, false); got != nil {
		t.Errorf("before since, not fresh: Judge = %q, want nothing", got)
	}
	if got := p.Judge(old, nil, true); len(got) != 1 {
		t.Errorf("before since, fresh: Judge = %q, want one reason", got)
	}
	atSince := event("m", registry.ActionAssign, "prod", commitA, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), signature.Result{})
	if got := p.Judge(atSince, nil, false); len(got) != 1 {
		t.Errorf("at since, not fresh: Judge = %q, want one reason", got)
	}
	// since in another zone is the same instant.
	zoned := event("m", registry.ActionAssign, "prod", commitA, time.Date(2026, 12, 1, 1, 0, 0, 0, time.FixedZone("", 2*3600)), signature.Result{})
	if got := p.Judge(zoned, nil, false); got != nil {
		t.Errorf("23:00 UTC the day before since, written at +0200: Judge = %q, want nothing", got)
	}
	// A fresh event has a tagger time, and not one far ahead: it would put every later event
	// of the artifact before it.
	if got, want := p.Judge(event("m", registry.ActionAssign, "prod", commitA, time.Time{}, good), nil, true),
		[]string{"its tag object has no tagger time: readers could not order it"}; !slices.Equal(got, want) {
		t.Errorf("no tagger time: Judge = %q, want %q", got, want)
	}
	defer func(saved func() time.Time) { now = saved }(now)
	now = func() time.Time { return t0 }
	if got := p.Judge(event("m", registry.ActionAssign, "prod", commitA, t0.Add(Skew), good), nil, true); got != nil {
		t.Errorf("within the skew: Judge = %q, want nothing", got)
	}
	if got, want := p.Judge(event("m", registry.ActionAssign, "prod", commitA, t0.Add(Skew+time.Second), good), nil, true),
		[]string{"its time 2026-12-01T12:10:01Z is in the future"}; !slices.Equal(got, want) {
		t.Errorf("in the future: Judge = %q, want %q", got, want)
	}
	if got := p.Judge(event("m", registry.ActionAssign, "prod", commitA, t0.Add(time.Hour), good), nil, false); got != nil {
		t.Errorf("in the future, not fresh: Judge = %q, want nothing", got)
	}
	// Without since, every event is judged.
	noSince := mustParse(t, "rules:\n  - stages: prod\n    signers: rel\n")
	if got := noSince.Judge(event("m", registry.ActionAssign, "prod", commitA, time.Unix(0, 0), signature.Result{}), nil, false); len(got) != 1 {
		t.Errorf("no since, old event: Judge = %q, want one reason", got)
	}
}

func TestMayRewrite(t *testing.T) {
	p := mustParse(t, "signers:\n  admins: [admin@example.com, \""+fpr+"\"]\nrewriters: [admins, carol]\n")
	for _, tc := range []struct {
		name string
		sigs []signature.Result
		want bool
	}{
		{"none", nil, false},
		{"unsigned", []signature.Result{{Status: signature.Unsigned}}, false},
		{"admin", []signature.Result{sshBy("admin@example.com")}, true},
		{"carol", []signature.Result{sshBy("carol")}, true},
		{"the group's name", []signature.Result{sshBy("admins")}, false},
		{"mallory", []signature.Result{sshBy("mallory")}, false},
		{"OpenPGP key", []signature.Result{pgpBy(fpr, primary)}, true},
		{"OpenPGP key, bad", []signature.Result{{Status: signature.Bad, Format: signature.OpenPGP, Fingerprint: fpr}}, false},
		{"one of several", []signature.Result{sshBy("mallory"), {Status: signature.Unsigned}, sshBy("carol")}, true},
		{"bad admin", []signature.Result{{Status: signature.Bad, Format: signature.SSH, Signer: "admin@example.com"}}, false},
	} {
		if got := p.MayRewrite(tc.sigs...); got != tc.want {
			t.Errorf("%s: MayRewrite = %v, want %v", tc.name, got, tc.want)
		}
	}
	if mustParse(t, "rules: []\n").MayRewrite(sshBy("admin@example.com")) {
		t.Errorf("no rewriters: MayRewrite = true")
	}
}

func TestSigner(t *testing.T) {
	for _, tc := range []struct {
		sig  signature.Result
		want string
	}{
		{sshBy("alice"), "alice"},
		{pgpBy(fpr, primary), primary},
		{pgpBy(fpr, ""), fpr},
		{signature.Result{Format: signature.OpenPGP, Signer: "Ada", Key: "K"}, "Ada"},
		{signature.Result{Format: signature.SSH, Key: "SHA256:x"}, "SHA256:x"},
	} {
		if got := Signer(tc.sig); got != tc.want {
			t.Errorf("Signer(%+v) = %q, want %q", tc.sig, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"# only a comment\n",
		"since: 2026-12-01\nsigners:\n  release: [alice, '3AA5 C343 7156 7BD2 4B7E  E6D1 A0A5 6C41 0E80 2B9C']\n" +
			"rules:\n  - stages: [prod]\n    promotes_from: [staging]\n    signers: [release]\n" +
			"  - artifacts: ['models/cv:*']\n    actions: [register, deprecate]\n    signers: ci\nrewriters: [admin]\n",
		"rules:\n  - stages: prod\n    signers: [a]\n    foo: 1\n",
		"x: 1\n",
		"rules: 3\n",
		"rules:\n  stages: prod\n",
		"rules:\n  - stages: prod\n",
		"rules:\n  - \n",
		"rules:\n  - actions: [frob]\n    signers: [a]\n",
		"rules:\n  - stages: [Prod!]\n    signers: [a]\n",
		"rules:\n  - artifacts: ''\n    signers: a\n",
		"signers:\n  '': [a]\n",
		"signers:\n  r: {a: b}\n",
		"since: [\n",
		"since: yesterday\n",
		"- a\n",
		"~\n",
		"rules: [&r {signers: a}, *r]\n",
		"rules:\n  - <<: {signers: a}\n",
		"rules: []\nrules: []\n",
		"\"a\\nb\": 1\n",
		"rules:\n  - actions: \"a\\nb\"\n    signers: x\n",
		"since: \"a\\nb\"\n",
		"rules: \"a\\nb\"\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if p != nil {
				t.Fatalf("a policy with the error %q", err)
			}
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error %q is not one line", msg)
			}
			return
		}
		for i, r := range p.Rules {
			if len(r.Signers) == 0 && len(r.PromotesFrom) == 0 {
				t.Fatalf("rule %d asks nothing: %+v", i+1, r)
			}
			for _, s := range slices.Concat(r.Stages, r.PromotesFrom) {
				if registry.ValidateStage(s) != nil {
					t.Fatalf("rule %d: stage %q", i+1, s)
				}
			}
		}
		e := event("m", registry.ActionAssign, "prod", commitA, t0, signature.Result{})
		p.Judge(e, []*registry.Event{past("m", registry.ActionAssign, "staging", commitA, t0)}, true)
		p.RequiresSignature(e)
		p.MayRewrite(sshBy("admin"))
	})
}
