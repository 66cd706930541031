package refs

import (
	"errors"
	"fmt"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/git-model/git-model/pkg/internal/gittest"
)

// refLines renders refs as "name target", so that lists of refs compare and print as text.
func refLines(refs []Ref) []string {
	lines := []string{}
	for _, r := range refs {
		lines = append(lines, r.Name+" "+r.Target.String())
	}
	return lines
}

// fakeGitDir writes a packed-refs file (none when packed is "-") and loose refs under
// refs/tags/ into a new directory and returns it.
func fakeGitDir(t testing.TB, packed string, loose map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if packed != "-" {
		gittest.WriteFile(t, filepath.Join(dir, "packed-refs"), packed)
	}
	if err := os.MkdirAll(filepath.Join(dir, "refs", "heads"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range loose {
		gittest.WriteFile(t, filepath.Join(dir, "refs", "tags", filepath.FromSlash(name)), content)
	}
	return dir
}

// packedText is a snapshot of packed-refs holding text, for the tests of the search alone.
func packedText(text string) *Packed { return &Packed{text: text} }

var (
	idA = strings.Repeat("a", 40)
	idB = strings.Repeat("b", 40)
	idC = strings.Repeat("c", 40)
	idD = strings.Repeat("0123456789", 4)
)

const fullyPeeled = "# pack-refs with: peeled fully-peeled sorted \n"

// packedSample is what git pack-refs writes: branches, remote-tracking refs (one of them
// pointing to a tag object, so with a peeled line), annotated and lightweight tags.
var packedSample = idA + " refs/heads/main\n" +
	idB + " refs/remotes/origin/tags/ann\n" +
	"^" + idA + "\n" +
	idB + " refs/tags/ann\n" +
	"^" + idA + "\n" +
	idA + " refs/tags/light\n" +
	idC + " refs/tags/x/y@v1.0.0\n" +
	"^" + idD + "\n"

var packedSampleRefs = []string{"ann " + idB, "light " + idA, "x/y@v1.0.0 " + idC}

func TestReadTags(t *testing.T) {
	for _, tc := range []struct {
		name   string
		packed string // "-": no packed-refs file
		loose  map[string]string
		want   []string
	}{
		{"no refs at all", "-", nil, nil},
		{"empty packed-refs", "", nil, nil},
		{"header only", fullyPeeled, nil, nil},
		{"packed, fully-peeled header", fullyPeeled + packedSample, nil, packedSampleRefs},
		{"packed, peeled header only", "# pack-refs with: peeled \n" + packedSample, nil, packedSampleRefs},
		{"packed, no header (old git)", packedSample, nil, packedSampleRefs},
		{"packed, no peeled lines", idB + " refs/tags/ann\n" + idA + " refs/tags/light\n", nil, []string{"ann " + idB, "light " + idA}},
		{"packed, CRLF", strings.ReplaceAll(fullyPeeled+packedSample, "\n", "\r\n"), nil, packedSampleRefs},
		{"packed, no final newline", strings.TrimSuffix(fullyPeeled+packedSample, "\n"), nil, packedSampleRefs},
		{"packed, not sorted", idC + " refs/tags/x/y@v1.0.0\n" + idB + " refs/tags/ann\n" + idA + " refs/tags/light\n", nil, packedSampleRefs},
		{"packed, only other refs", idA + " refs/heads/main\n" + idB + " refs/notes/commits\n", nil, nil},
		{"packed, a branch named like a tag", idA + " refs/heads/refs/tags/x\n" + idB + " refs/tagsx\n", nil, nil},
		{"loose only, nested", "-", map[string]string{"a": idA + "\n", "x/y/z#dev#1": idB + "\n", "m@v1.0.0+b.1": idC + "\n"},
			[]string{"a " + idA, "m@v1.0.0+b.1 " + idC, "x/y/z#dev#1 " + idB}},
		{"loose CRLF, no newline, trailing spaces", "-", map[string]string{"crlf": idA + "\r\n", "bare": idB, "spaces": idC + "  \n"},
			[]string{"bare " + idB, "crlf " + idA, "spaces " + idC}},
		{"loose over packed", fullyPeeled + packedSample, map[string]string{"ann": idC + "\n", "x/y@v1.0.0": idA + "\n"},
			[]string{"ann " + idC, "light " + idA, "x/y@v1.0.0 " + idA}},
		{"loose equal to packed", fullyPeeled + packedSample, map[string]string{"ann": idB + "\n"}, packedSampleRefs},
		{"loose beside packed", fullyPeeled + packedSample, map[string]string{"b": idD + "\n", "zz/top": idD + "\n"},
			[]string{"ann " + idB, "b " + idD, "light " + idA, "x/y@v1.0.0 " + idC, "zz/top " + idD}},
		{"lock files are not refs", "-", map[string]string{"a": idA + "\n", "a.lock": idB + "\n", "new.lock": "", "x/y.lock": "garbage"},
			[]string{"a " + idA}},
		{"empty refs/tags directories", "-", map[string]string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fakeGitDir(t, tc.packed, tc.loose)
			if tc.name == "empty refs/tags directories" {
				if err := os.MkdirAll(filepath.Join(dir, "refs", "tags", "a", "b"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			refs, err := ReadTags(dir, "")
			if err != nil {
				t.Fatalf("ReadTags: %v", err)
			}
			if got, want := refLines(refs), append([]string{}, tc.want...); !slices.Equal(got, want) {
				t.Errorf("ReadTags:\n  got  %q\n  want %q", got, want)
			}
		})
	}
}

func TestReadTagsFallsBackOnWhatItDoesNotRead(t *testing.T) {
	upper := strings.ToUpper(idA)
	for _, tc := range []struct {
		name   string
		packed string
		loose  map[string]string
	}{
		{"symbolic loose ref", "-", map[string]string{"latest": "ref: refs/tags/ann\n", "ann": idA + "\n"}},
		{"loose garbage", "-", map[string]string{"bad": "not an object id\n"}},
		{"loose short id", "-", map[string]string{"short": idA[:39] + "\n"}},
		{"loose long id", "-", map[string]string{"long": idA + "a\n"}},
		{"loose id and more", "-", map[string]string{"more": idA + " " + idB + "\n"}},
		{"loose uppercase id", "-", map[string]string{"upper": upper + "\n"}},
		{"empty loose ref", "-", map[string]string{"empty": ""}},
		{"packed line without a space", idA + "\n", nil},
		{"packed line with a tab", idA + "\trefs/tags/x\n", nil},
		{"packed short id", idA[:39] + " refs/tags/x\n", nil},
		{"packed long id", idA + "a refs/tags/x\n", nil},
		{"packed peeled line too short", idA + " refs/tags/x\n^" + idB[:39] + "\n", nil},
		{"packed peeled line too long", idA + " refs/tags/x\n^" + idB + "b\n", nil},
		// git itself stops here ("fatal: unexpected line in .git/packed-refs"), and the loose
		// refs are checked the same way.
		{"packed id not hex", idA[:20] + strings.Repeat("z", 20) + " refs/tags/x\n", nil},
		// git reads upper-case hex in packed-refs; the pure reader leaves it to libgit2, which
		// reports the ids in lower case as git does (gitrepo's TestTagsUppercaseIdInPackedRefs).
		{"packed uppercase id", upper + " refs/tags/x\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refs, err := ReadTags(fakeGitDir(t, tc.packed, tc.loose), "")
			if !errors.Is(err, ErrFallback) {
				t.Errorf("ReadTags = %q, %v; want ErrFallback", refLines(refs), err)
			}
		})
	}
}

// The names ReadTags returns are copies: they stay as they were after packed-refs, which was
// mapped while it read, is unmapped, replaced and removed.
func TestReadTagsNamesOutliveTheMapping(t *testing.T) {
	dir := fakeGitDir(t, fullyPeeled+packedSample, nil)
	all, err := ReadTags(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	one, err := ReadTags(dir, "x/y")
	if err != nil {
		t.Fatal(err)
	}
	p, err := OpenPacked(dir)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := p.Tags()
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	gittest.WriteFile(t, filepath.Join(dir, "packed-refs"), strings.Repeat("#", len(fullyPeeled+packedSample)))
	if err := os.Remove(filepath.Join(dir, "packed-refs")); err != nil {
		t.Fatal(err)
	}
	for what, refs := range map[string][]Ref{"ReadTags": all, "ReadTags(x/y)": one, "Packed.Tags": tags} {
		want := packedSampleRefs
		if what == "ReadTags(x/y)" {
			want = packedSampleRefs[2:]
		}
		if got := refLines(refs); !slices.Equal(got, want) {
			t.Errorf("%s after the file went: %q, want %q", what, got, want)
		}
	}
}

// ReadTags with an artifact prefix lists exactly the refs of the full listing whose names are
// the prefix followed by '@' or '#', whatever the layout of packed-refs (header or none, peeled
// lines, CRLF, the artifact's lines first or last, no final newline, refs outside refs/tags
// whose names end like the artifact's) and of the loose refs (folders named after a stage,
// loose refs over packed ones, lock files).
func TestReadTagsOfOneArtifact(t *testing.T) {
	packed := idA + " refs/heads/a@v1\n" +
		idB + " refs/remotes/origin/refs/tags/a@v9\n" +
		idB + " refs/tags/a#prod#1\n" +
		"^" + idA + "\n" +
		idC + " refs/tags/a-b@v1\n" +
		idA + " refs/tags/a/b#prod#1\n" +
		idB + " refs/tags/a/b@v1\n" +
		"^" + idD + "\n" +
		idC + " refs/tags/a@v1\n" +
		idD + " refs/tags/a@v2\n" +
		"^" + idA + "\n" +
		idA + " refs/tags/ab@v1\n" +
		idB + " refs/tags/b/a@v1\n" +
		idC + " refs/tags/ba#prod#1\n" +
		idD + " refs/tags/a\n" +
		idA + " refs/tags/a#team/prod#3\n" +
		idA + " refs/tags/models/cv=segm@v1\n" +
		idB + " refs/tags/models/cv=segm/unet@v1\n"
	lastLine := idB + " refs/tags/a@v3"
	header := "# pack-refs with: peeled fully-peeled \n" // not sorted: the lines above are not
	loose := map[string]string{
		"a@v2":             idA + "\n", // over the packed one
		"a#team/prod#1":    idB + "\n",
		"a#team/x/prod#2":  idC + "\n",
		"a@v4.lock":        idD + "\n",
		"ab#prod#1":        idD + "\n",
		"a/b/c@v1":         idA + "\n",
		"b/a#prod#1":       idC + "\n",
		"models/cv=segm#1": idC + "\n",
		"x":                idA + "\n", // a file where the folder of x/y would be
	}
	layouts := []struct {
		name   string
		packed string
		loose  map[string]string
		wantA  []string // the refs of "a"
	}{
		{"packed, with header", header + packed, nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v1 " + idC, "a@v2 " + idD}},
		{"packed, no header, artifact first and last, no final newline", idC + " refs/tags/a@v0\n" + packed + lastLine, nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v0 " + idC, "a@v1 " + idC, "a@v2 " + idD, "a@v3 " + idB}},
		{"packed, CRLF", strings.ReplaceAll(header+packed+lastLine+"\n", "\n", "\r\n"), nil,
			[]string{"a#prod#1 " + idB, "a#team/prod#3 " + idA, "a@v1 " + idC, "a@v2 " + idD, "a@v3 " + idB}},
		{"loose only", "-", loose,
			[]string{"a#team/prod#1 " + idB, "a#team/x/prod#2 " + idC, "a@v2 " + idA}},
		{"loose over packed", header + packed, loose,
			[]string{"a#prod#1 " + idB, "a#team/prod#1 " + idB, "a#team/prod#3 " + idA, "a#team/x/prod#2 " + idC, "a@v1 " + idC, "a@v2 " + idA}},
	}
	prefixes := []string{"a", "a-b", "ab", "a/b", "a/b/c", "b/a", "b", "ba", "a#team", "models/cv=segm",
		"models/cv=segm/unet", "models/cv", "x", "x/y", "heads/a", "origin/refs/tags/a", "zzz"}
	for _, layout := range layouts {
		t.Run(layout.name, func(t *testing.T) {
			dir := fakeGitDir(t, layout.packed, layout.loose)
			all, err := ReadTags(dir, "")
			if err != nil {
				t.Fatalf("ReadTags(all): %v", err)
			}
			for _, prefix := range prefixes {
				got, err := ReadTags(dir, prefix)
				if err != nil {
					t.Errorf("ReadTags(%q): %v", prefix, err)
					continue
				}
				var want []Ref
				for _, r := range all {
					if rest, ok := strings.CutPrefix(r.Name, prefix); ok && (strings.HasPrefix(rest, "@") || strings.HasPrefix(rest, "#")) {
						want = append(want, r)
					}
				}
				if !slices.Equal(refLines(got), refLines(want)) {
					t.Errorf("ReadTags(%q) = %q\nwant %q", prefix, refLines(got), refLines(want))
				}
				if prefix == "a" && !slices.Equal(refLines(got), layout.wantA) {
					t.Errorf("ReadTags(\"a\") = %q\nwant %q", refLines(got), layout.wantA)
				}
			}
		})
	}
}

// A prefix that could name a folder outside refs/tags is left to libgit2 (ErrFallback), never
// looked up in the files.
func TestReadTagsUnsafePrefixFallsBack(t *testing.T) {
	dir := fakeGitDir(t, fullyPeeled+packedSample, map[string]string{"a/b@v1": idA + "\n", "a@v1": idB + "\n"})
	for _, prefix := range []string{"..", "../heads/x", "a/../a", "a/..", "./a", "a/./b", "/a", "//a", "a//b", "a/", "a b", "a\\b", "a\nb", "a\x00b"} {
		refs, err := ReadTags(dir, prefix)
		if !errors.Is(err, ErrFallback) {
			t.Errorf("ReadTags(%q) = %q, %v; want ErrFallback", prefix, refLines(refs), err)
		}
	}
}

// A sorted packed-refs is searched by halves: whatever the names (sharing prefixes, with '/',
// '#', '@', '-' and '.'), peeled lines or not, refs outside refs/tags around them, and no final
// newline, the search finds what reading every line finds, for an artifact's refs and for the
// checks of a new ref; a file it cannot search (a line that is not a record, CRLF lines) is
// read line by line instead.
func TestPackedSearchFindsWhatReadingFinds(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	parts := []string{"a", "b", "a-b", "a.b", "ab", "x", "m", "m/n"}
	marks := []string{"@v1.0.0", "@v1.0.1!", "#prod#1", "#dev", "#team/qa#2", "", "/c", "@deprecated"}
	for round := range 40 {
		names := map[string]bool{}
		for range 1 + rng.Intn(60) {
			name := parts[rng.Intn(len(parts))]
			if rng.Intn(3) == 0 {
				name += "/" + parts[rng.Intn(len(parts))]
			}
			names[TagsPrefix+name+marks[rng.Intn(len(marks))]] = true
		}
		for _, other := range []string{"refs/heads/main", "refs/heads/a@v1.0.0", "refs/remotes/origin/a#prod", "refs/zzz/a@v1"} {
			if rng.Intn(2) == 0 {
				names[other] = true
			}
		}
		sortedNames := slices.Sorted(maps.Keys(names))
		var b strings.Builder
		b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
		for i, name := range sortedNames {
			fmt.Fprintf(&b, "%040x %s\n", i+1, name)
			if rng.Intn(2) == 0 {
				fmt.Fprintf(&b, "^%040x\n", i+1000)
			}
		}
		text := b.String()
		if round%4 == 3 {
			text = strings.TrimSuffix(text, "\n")
		}
		lineByLine := strings.Replace(text, " sorted", "", 1) // the same records, read line by line
		if !sorted(text) || sorted(lineByLine) {
			t.Fatalf("round %d: sorted(text) = %v, sorted(lineByLine) = %v", round, sorted(text), sorted(lineByLine))
		}
		for _, prefix := range []string{"a", "b", "a-b", "a.b", "ab", "a/b", "m", "m/n", "x/a", "zz", "a/a-b"} {
			want, err := packedText(lineByLine).ArtifactTags(prefix)
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := search(text, prefix)
			if !ok || err != nil {
				t.Fatalf("round %d, %q: the search gave up (%v)", round, prefix, err)
			}
			if !slices.Equal(refLines(got), refLines(want)) {
				t.Errorf("round %d, %q: search found %q\nwant %q", round, prefix, refLines(got), refLines(want))
			}
			if viaFile, err := packedText(text).ArtifactTags(prefix); err != nil || !slices.Equal(refLines(viaFile), refLines(want)) {
				t.Errorf("round %d, %q: ArtifactTags of the sorted file = %q, %v\nwant %q", round, prefix, refLines(viaFile), err, refLines(want))
			}
		}
		for _, name := range append(sortedNames, "refs/tags/a", "refs/tags/m", "refs/tags/a/b", "refs/tags/zzz", "refs/a", "refs/tags/") {
			exists, below := packedText(text).Has(name)
			wantExists, wantBelow := packedText(lineByLine).Has(name)
			if exists != wantExists || below != wantBelow {
				t.Errorf("round %d, %s: search says exists %v, below %v; reading says %v, %v", round, name, exists, below, wantExists, wantBelow)
			}
		}
	}
	for what, text := range map[string]string{
		"a line that is not a record": "# pack-refs with: peeled fully-peeled sorted \n" + fmt.Sprintf("%040x refs/tags/a@v1\n", 1) + "garbage\n" + fmt.Sprintf("%040x refs/tags/b@v1\n", 2),
		"CRLF lines":                  "# pack-refs with: peeled fully-peeled sorted \r\n" + fmt.Sprintf("%040x refs/tags/a@v1\r\n", 1),
	} {
		if _, ok, _ := search(text, "a"); ok && what != "CRLF lines" {
			t.Errorf("%s: the search did not give up", what)
		}
		if sorted(text) && what == "CRLF lines" {
			t.Errorf("%s: searched as sorted", what)
		}
		refs, err := packedText(text).ArtifactTags("a")
		if err != nil || len(refs) != 1 || refs[0].Name != "a@v1" {
			t.Errorf("%s: ArtifactTags = %q, %v; want a@v1", what, refLines(refs), err)
		}
	}
}

// A sorted packed-refs with a line the search cannot read still answers whether refs lie below
// a name, the check that keeps a new tag a from hiding the packed a/b.
func TestPackedHasPastALineItCannotRead(t *testing.T) {
	id := strings.Repeat("1", 40)
	for _, garbage := range []int{0, 1, 2, 3} {
		var b strings.Builder
		b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
		for i, name := range []string{"refs/tags/a-x", "refs/tags/a/b", "refs/tags/c"} {
			if i == garbage {
				b.WriteString("garbage\n")
			}
			fmt.Fprintf(&b, "%s %s\n", id, name)
		}
		dir := fakeGitDir(t, b.String(), nil)
		p, err := OpenPacked(dir)
		if err != nil {
			t.Fatal(err)
		}
		if exists, below := p.Has("refs/tags/a"); exists || !below {
			t.Errorf("garbage before line %d: exists %v, below %v; want false, true", garbage, exists, below)
		}
		p.Close()
	}
}

// Has reads a packed-refs file as OpenPacked finds it: none, empty, sorted or not.
func TestPackedHas(t *testing.T) {
	for _, tc := range []struct {
		name          string
		packed        string
		ref           string
		exists, below bool
	}{
		{"no file", "-", "refs/tags/ann", false, false},
		{"empty file", "", "refs/tags/ann", false, false},
		{"a tag", fullyPeeled + packedSample, "refs/tags/ann", true, false},
		{"a tag, not sorted", packedSample, "refs/tags/ann", true, false},
		{"a tag, last line, no final newline", strings.TrimSuffix(packedSample, "\n"+"^"+idD+"\n"), "refs/tags/x/y@v1.0.0", true, false},
		{"a folder", fullyPeeled + packedSample, "refs/tags/x", false, true},
		{"a folder, not sorted", packedSample, "refs/tags/x/y", false, false},
		{"a prefix of a name", fullyPeeled + packedSample, "refs/tags/an", false, false},
		{"a branch", fullyPeeled + packedSample, "refs/heads/main", true, false},
		{"a peeled id", fullyPeeled + packedSample, idA, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := OpenPacked(fakeGitDir(t, tc.packed, nil))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if exists, below := p.Has(tc.ref); exists != tc.exists || below != tc.below {
				t.Errorf("Has(%q) = %v, %v; want %v, %v", tc.ref, exists, below, tc.exists, tc.below)
			}
		})
	}
}

// FuzzPacked reads arbitrary packed-refs files: ReadTags, Packed.Tags, ArtifactTags and Has
// must never panic, and every ref they return is a line of the file, its name and its id as
// written there. The seeds run with go test; go test -fuzz=FuzzPacked explores further.
func FuzzPacked(f *testing.F) {
	sortedSample := fullyPeeled + idA + " refs/heads/main\n" +
		idB + " refs/tags/a#prod#1\n^" + idA + "\n" +
		idC + " refs/tags/a/b@v1\n" +
		idC + " refs/tags/a@v1\n" +
		idD + " refs/tags/a@v2\n^" + idA + "\n" +
		idA + " refs/tags/ab@v1\n"
	for _, seed := range []struct{ packed, prefix string }{
		{"", ""},
		{"", "a"},
		{fullyPeeled, "a"},
		{fullyPeeled + packedSample, ""},
		{fullyPeeled + packedSample, "x/y"},
		{packedSample, "x/y"},
		{strings.ReplaceAll(fullyPeeled+packedSample, "\n", "\r\n"), "x/y"},
		{strings.TrimSuffix(fullyPeeled+packedSample, "\n"), "x/y"},
		{sortedSample, "a"},
		{sortedSample, "a/b"},
		{sortedSample, "ab"},
		{strings.TrimSuffix(sortedSample, "\n"), "ab"},
		{strings.Replace(sortedSample, idC+" refs/tags/a@v1\n", "garbage\n", 1), "a"},
		{fullyPeeled + "^" + idA + "\n" + idA + " refs/tags/a@v1\n", "a"},
		{fullyPeeled + idA + " refs/tags/a@v1\n^^^\n", "a"},
		{fullyPeeled + "\n\n" + idA + " refs/tags/a@v1", "a"},
		{"# pack-refs with: sorted\n" + idA + " refs/tags/\n" + idA + " refs/tags/@\n", ""},
		{"# pack-refs with: sorted\n" + idA + " refs/tags/a@", "a"},
		{idA + " refs/tags/a@v1\n" + strings.ToUpper(idA) + " refs/tags/b@v1\n", "a"},
		{"#\n#\n#", "a"},
		{" refs/tags/a@", "a"},
		{"\n refs/tags/a#", "a"},
	} {
		f.Add([]byte(seed.packed), seed.prefix)
	}
	f.Fuzz(func(t *testing.T, packed []byte, prefix string) {
		input := string(packed)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "packed-refs"), packed, 0o644); err != nil {
			t.Fatal(err)
		}
		check := func(what string, refs []Ref) {
			t.Helper()
			for _, r := range refs {
				if !strings.Contains(input, r.Name) {
					t.Errorf("%s returned the name %q, which is not in the file", what, r.Name)
				}
				if !strings.Contains(input, r.Target.String()) {
					t.Errorf("%s returned the id %s for %q, which is not in the file", what, r.Target, r.Name)
				}
			}
		}
		for _, p := range []string{"", prefix} {
			refs, err := ReadTags(dir, p)
			if err == nil {
				check(fmt.Sprintf("ReadTags(%q)", p), refs)
			}
		}
		p, err := OpenPacked(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if refs, err := p.Tags(); err == nil {
			check("Tags", refs)
		}
		if refs, err := p.ArtifactTags(prefix); err == nil {
			check(fmt.Sprintf("ArtifactTags(%q)", prefix), refs)
		}
		p.Has(prefix)
		p.Has(TagsPrefix + prefix)
		p.Has(TagsPrefix + prefix + "/")
	})
}
