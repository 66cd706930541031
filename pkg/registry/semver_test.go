package registry

import (
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestParseSemVerValid(t *testing.T) {
	tests := []struct {
		in   string
		want SemVer
	}{
		{"v0.1.2", SemVer{Major: "0", Minor: "1", Patch: "2"}},
		{"v3.4.5-pre.2+build.4", SemVer{Major: "3", Minor: "4", Patch: "5", Pre: []string{"pre", "2"}, Build: "build.4"}},
		{"v3.4.5-pre.2-build.4", SemVer{Major: "3", Minor: "4", Patch: "5", Pre: []string{"pre", "2-build", "4"}}},
		{"v1.0.0-rc.1", SemVer{Major: "1", Minor: "0", Patch: "0", Pre: []string{"rc", "1"}}},
		{"v1.0.0+b.5", SemVer{Major: "1", Minor: "0", Patch: "0", Build: "b.5"}},
		// Beyond V4, from the SemVer 2.0.0 grammar.
		{"v10.20.30", SemVer{Major: "10", Minor: "20", Patch: "30"}},
		{"v1.0.0-0", SemVer{Major: "1", Minor: "0", Patch: "0", Pre: []string{"0"}}},
		{"v1.0.0-0a", SemVer{Major: "1", Minor: "0", Patch: "0", Pre: []string{"0a"}}},
		{"v1.0.0--", SemVer{Major: "1", Minor: "0", Patch: "0", Pre: []string{"-"}}},
		{"v1.0.0+001", SemVer{Major: "1", Minor: "0", Patch: "0", Build: "001"}}, // leading zeros are fine in build metadata
		{"v1.0.0-x-y.z+b-1.2", SemVer{Major: "1", Minor: "0", Patch: "0", Pre: []string{"x-y", "z"}, Build: "b-1.2"}},
		{"v18446744073709551615.0.0", SemVer{Major: "18446744073709551615", Minor: "0", Patch: "0"}},
		// Numbers have no upper bound: past uint64 in every part (docs/registry.md §2, GTO's ints).
		{"v18446744073709551616.0.0", SemVer{Major: "18446744073709551616", Minor: "0", Patch: "0"}},
		{"v1.99999999999999999999.0", SemVer{Major: "1", Minor: "99999999999999999999", Patch: "0"}},
		{"v0.0.100000000000000000000000000000000000000", SemVer{Major: "0", Minor: "0", Patch: "100000000000000000000000000000000000000"}},
		{"v99999999999999999999.0.0-rc.99999999999999999999+b.0099999999999999999999",
			SemVer{Major: "99999999999999999999", Minor: "0", Patch: "0", Pre: []string{"rc", "99999999999999999999"}, Build: "b.0099999999999999999999"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSemVer(tc.in)
			if err != nil {
				t.Fatalf("ParseSemVer(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseSemVer(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
			if !IsSemVer(tc.in) {
				t.Errorf("IsSemVer(%q) = false", tc.in)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q, want %q", s, tc.in)
			}
		})
	}
}

func TestParseSemVerInvalid(t *testing.T) {
	tests := []string{
		// docs/tag-vectors.md V4
		"1", `"1"`, "v1", "v1.2", "0.1.2", "3.4.5-pre.2+build.4", "V1.0.0", "v01.0.0", "v1.0.0-01",
		// Beyond V4.
		"", "v", "v1.2.3.4", "v1.2.3-", "v1.2.3+", "v1.2.3-rc..1", "v1.2.3+b..1", "v1.2.3-rc_1",
		"v1.2.3+b+c", "v1.02.3", "v1.2.03", "v-1.2.3", "v+1.2.3", "v1.2.3 ", " v1.2.3", "v1..3",
		"v1.2.3-é", "vv1.2.3", "v1.2.3!", "v1.0-rc.1",
		// Leading zeros are refused at any size.
		"v018446744073709551616.0.0", "v1.018446744073709551616.0", "v1.0.0-018446744073709551616",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			if IsSemVer(in) {
				t.Errorf("IsSemVer(%q) = true", in)
			}
			v, err := ParseSemVer(in)
			if err == nil {
				t.Fatalf("ParseSemVer(%q) = %v, want an error", in, v)
			}
			if want := "invalid version '" + in + "'"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
			if !reflect.DeepEqual(v, SemVer{}) {
				t.Errorf("ParseSemVer(%q) = %#v with an error, want the zero SemVer", in, v)
			}
		})
	}
}

func mustSemVer(t testing.TB, s string) SemVer {
	t.Helper()
	v, err := ParseSemVer(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSemVerCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		// docs/tag-vectors.md V4
		{"v1.3.2", "v1.3.3", -1},
		{"v1.2.4", "v1.2.4", 0},
		{"v1.3.4", "v2.0.0", -1},
		// Build metadata does not count.
		{"v1.0.0", "v1.0.0+build.5", 0},
		{"v1.0.0-rc.1+a", "v1.0.0-rc.1+b", 0},
		// Each part, numerically.
		{"v1.10.0", "v1.9.0", 1},
		{"v10.0.0", "v9.99.99", 1},
		{"v1.0.10", "v1.0.9", 1},
		// Pre-releases sort below their release.
		{"v1.0.0-rc.1", "v1.0.0", -1},
		{"v1.1.0-rc.1", "v1.0.0", 1},
		// Pre-release identifiers: numeric numerically and below alphanumeric, alphanumeric in
		// ASCII order, a longer list above its prefix.
		{"v1.0.0-beta.11", "v1.0.0-beta.2", 1},
		{"v1.0.0-alpha.1", "v1.0.0-alpha.beta", -1},
		{"v1.0.0-alpha", "v1.0.0-alpha.1", -1},
		{"v1.0.0-1", "v1.0.0-a", -1},
		{"v1.0.0-B", "v1.0.0-a", -1},
		{"v1.0.0-rc.1.1", "v1.0.0-rc.1", 1},
		{"v1.0.0-100", "v1.0.0-99", 1},
		{"v1.0.0-a-b", "v1.0.0-a", 1},
		// Past 64 bits, still numerically: by length, then digit by digit.
		{"v18446744073709551616.0.0", "v18446744073709551615.0.0", 1},
		{"v100000000000000000000.0.0", "v99999999999999999999.0.0", 1},
		{"v99999999999999999999.0.0", "v99999999999999999999.0.0+b", 0},
		{"v99999999999999999998.9.9", "v99999999999999999999.0.0", -1},
		{"v1.100000000000000000000.0", "v1.99999999999999999999.0", 1},
		{"v1.0.100000000000000000000", "v1.0.99999999999999999999", 1},
		{"v1.0.99999999999999999999", "v1.1.0", -1},
		{"v18446744073709551616.0.0-rc.1", "v18446744073709551616.0.0", -1},
		{"v1.0.0-rc.100000000000000000000", "v1.0.0-rc.99999999999999999999", 1},
	}
	for _, tc := range tests {
		a, b := mustSemVer(t, tc.a), mustSemVer(t, tc.b)
		if got := a.Compare(b); got != tc.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := b.Compare(a); got != -tc.want {
			t.Errorf("%s.Compare(%s) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}

// descendingVersions is the order of docs/tag-vectors.md V4. v1.0.0 and v1.0.0+build.5 compare
// equal; they appear in insertion order.
var descendingVersions = []string{
	"v10.0.0", "v2.0.0", "v1.10.0", "v1.9.0", "v1.1.0-rc.1", "v1.0.0", "v1.0.0+build.5",
	"v1.0.0-rc.1", "v1.0.0-beta.11", "v1.0.0-beta.2", "v1.0.0-beta", "v1.0.0-alpha.beta",
	"v1.0.0-alpha.1", "v1.0.0-alpha", "v0.5.0",
}

// TestSemVerDescendingOrder sorts the V4 list, shuffled with a fixed seed in a way that keeps
// v1.0.0 before v1.0.0+build.5, by Compare with a stable sort.
func TestSemVerDescendingOrder(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		in := shuffledKeeping(descendingVersions, seed, "v1.0.0", "v1.0.0+build.5")
		vs := make([]SemVer, len(in))
		for i, s := range in {
			vs[i] = mustSemVer(t, s)
		}
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].Compare(vs[j]) > 0 })
		got := make([]string, len(vs))
		for i, v := range vs {
			got[i] = v.String()
		}
		if !reflect.DeepEqual(got, descendingVersions) {
			t.Fatalf("seed %d: sorted %v\n got %v\nwant %v", seed, in, got, descendingVersions)
		}
	}
}

// TestSemVerDescendingOrderBig sorts versions whose parts do not fit 64 bits, shuffled, by
// Compare: numerically, as GTO's Python ints do, never as text.
func TestSemVerDescendingOrderBig(t *testing.T) {
	want := []string{
		"v100000000000000000000.0.0", "v99999999999999999999.1.0", "v99999999999999999999.0.100000000000000000000",
		"v99999999999999999999.0.99999999999999999999", "v99999999999999999999.0.0",
		"v99999999999999999999.0.0-rc.100000000000000000000", "v99999999999999999999.0.0-rc.99999999999999999999",
		"v18446744073709551616.0.0", "v18446744073709551615.0.0", "v9.0.0", "v1.0.0",
	}
	for seed := int64(1); seed <= 20; seed++ {
		in := append([]string(nil), want...)
		rand.New(rand.NewSource(seed)).Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		vs := make([]SemVer, len(in))
		for i, s := range in {
			vs[i] = mustSemVer(t, s)
		}
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].Compare(vs[j]) > 0 })
		got := make([]string, len(vs))
		for i, v := range vs {
			got[i] = v.String()
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: sorted %v\n got %v\nwant %v", seed, in, got, want)
		}
	}
}

// TestSortVersionsV4 registers the V4 versions, in a shuffled order that keeps v1.0.0+build.5
// before v1.0.0, and sorts the artifact's versions with SortVersions: of the two, equal in
// precedence, the one registered later comes first. Registering v1.0.0 first puts
// v1.0.0+build.5 first.
func TestSortVersionsV4(t *testing.T) {
	for seed := int64(1); seed <= 20; seed++ {
		in := shuffledKeeping(descendingVersions, seed, "v1.0.0+build.5", "v1.0.0")
		var records []TagRecord
		for i, v := range in {
			records = append(records, rec("m@"+v, sha(i+1), i))
		}
		a := Build(records).Artifacts["m"]
		versions := append([]*Version(nil), a.Versions...)
		SortVersions(versions)
		if got := versionNames(versions); !reflect.DeepEqual(got, descendingVersions) {
			t.Fatalf("seed %d: registered %v\n got %v\nwant %v", seed, in, got, descendingVersions)
		}
	}

	records := []TagRecord{
		rec("m@v1.0.0", sha(1), 0),
		rec("m@v0.5.0", sha(2), 1),
		rec("m@v1.0.0+build.5", sha(3), 2),
	}
	a := Build(records).Artifacts["m"]
	versions := append([]*Version(nil), a.Versions...)
	SortVersions(versions)
	if got, want := versionNames(versions), []string{"v1.0.0+build.5", "v1.0.0", "v0.5.0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// shuffledKeeping returns a shuffled copy of list in which first still comes before second.
func shuffledKeeping(list []string, seed int64, first, second string) []string {
	out := append([]string(nil), list...)
	rand.New(rand.NewSource(seed)).Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	var fi, si int
	for i, s := range out {
		switch s {
		case first:
			fi = i
		case second:
			si = i
		}
	}
	if fi > si {
		out[fi], out[si] = out[si], out[fi]
	}
	return out
}

func TestSemVerBump(t *testing.T) {
	tests := []struct {
		in                  string
		patch, minor, major string
	}{
		{"v1.3.4", "v1.3.5", "v1.4.0", "v2.0.0"},
		{"v0.0.9", "v0.0.10", "v0.1.0", "v1.0.0"},
		{"v1.1.0-rc.1", "v1.1.1", "v1.2.0", "v2.0.0"},
		{"v1.0.0+b", "v1.0.1", "v1.1.0", "v2.0.0"},
		{"v1.2.3-rc.1+b.7", "v1.2.4", "v1.3.0", "v2.0.0"},
		// Past 64 bits, and carries that make a number longer.
		{"v18446744073709551615.18446744073709551615.18446744073709551615",
			"v18446744073709551615.18446744073709551615.18446744073709551616",
			"v18446744073709551615.18446744073709551616.0", "v18446744073709551616.0.0"},
		{"v99999999999999999999.99999999999999999999.99999999999999999999-rc.1",
			"v99999999999999999999.99999999999999999999.100000000000000000000",
			"v99999999999999999999.100000000000000000000.0", "v100000000000000000000.0.0"},
		{"v9.9.9", "v9.9.10", "v9.10.0", "v10.0.0"},
		{"v0.0.0", "v0.0.1", "v0.1.0", "v1.0.0"},
	}
	for _, tc := range tests {
		v := mustSemVer(t, tc.in)
		for _, c := range []struct {
			part Bump
			want string
		}{{BumpPatch, tc.patch}, {BumpMinor, tc.minor}, {BumpMajor, tc.major}} {
			got := v.Bump(c.part)
			if got.String() != c.want {
				t.Errorf("%s.Bump(%d) = %s, want %s", tc.in, c.part, got, c.want)
			}
			if got.Pre != nil || got.Build != "" {
				t.Errorf("%s.Bump(%d) kept pre-release %v or build %q", tc.in, c.part, got.Pre, got.Build)
			}
			// Canonical digits, as if parsed: "0" for the parts below the bumped one.
			if want := mustSemVer(t, c.want); !reflect.DeepEqual(got, want) {
				t.Errorf("%s.Bump(%d) = %#v, want %#v", tc.in, c.part, got, want)
			}
		}
		if v.String() != tc.in {
			t.Errorf("Bump changed its receiver to %s", v)
		}
	}
	// The first version of an artifact, v0.0.1, is the patch bump of the zero version.
	if got := (SemVer{}).Bump(BumpPatch).String(); got != "v0.0.1" {
		t.Errorf("SemVer{}.Bump(BumpPatch) = %s, want v0.0.1", got)
	}
	for part, want := range map[Bump]string{BumpMinor: "v0.1.0", BumpMajor: "v1.0.0"} {
		if got := (SemVer{}).Bump(part); !reflect.DeepEqual(got, mustSemVer(t, want)) {
			t.Errorf("SemVer{}.Bump(%d) = %#v, want %s", part, got, want)
		}
	}
	if BumpPatch != 0 {
		t.Errorf("BumpPatch = %d; the zero Bump must be the default, patch", BumpPatch)
	}
}

// TestSemVerZeroParts: an empty part is 0 for Compare as for String, so the zero SemVer equals
// a parsed v0.0.0 in precedence.
func TestSemVerZeroParts(t *testing.T) {
	if c := (SemVer{}).Compare(mustSemVer(t, "v0.0.0")); c != 0 {
		t.Errorf("SemVer{}.Compare(v0.0.0) = %d, want 0", c)
	}
	if c := (SemVer{Major: "1"}).Compare(mustSemVer(t, "v1.0.0")); c != 0 {
		t.Errorf("SemVer{Major: 1}.Compare(v1.0.0) = %d, want 0", c)
	}
	if c := (SemVer{}).Compare(mustSemVer(t, "v0.0.1-rc.1")); c != -1 {
		t.Errorf("SemVer{}.Compare(v0.0.1-rc.1) = %d, want -1", c)
	}
}

func TestSemVerStringFromLiteral(t *testing.T) {
	tests := []struct {
		v    SemVer
		want string
	}{
		{SemVer{}, "v0.0.0"},
		{SemVer{Major: "1", Minor: "2", Patch: "3"}, "v1.2.3"},
		// Parts left empty read as 0.
		{SemVer{Major: "1", Pre: []string{"rc", "1"}}, "v1.0.0-rc.1"},
		{SemVer{Major: "1", Pre: []string{}}, "v1.0.0"},
		{SemVer{Major: "1", Build: "b.5"}, "v1.0.0+b.5"},
		{SemVer{Patch: "1"}, "v0.0.1"},
		{SemVer{Major: "3", Minor: "4", Patch: "5", Pre: []string{"pre", "2"}, Build: "build.4"}, "v3.4.5-pre.2+build.4"},
		{SemVer{Major: "18446744073709551616", Minor: "0", Patch: "99999999999999999999"}, "v18446744073709551616.0.99999999999999999999"},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.v, got, tc.want)
		}
	}
}
