package object

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// tagID, commitID and treeID are ids of no particular object, in tag objects of these tests.
const (
	tagID    = "0123456789abcdef0123456789abcdef01234567"
	commitID = "89abcdef0123456789abcdef0123456789abcdef"
	treeID   = "fedcba9876543210fedcba9876543210fedcba98"
)

func TestParseID(t *testing.T) {
	for _, s := range []string{tagID, commitID, strings.Repeat("0", 40), strings.Repeat("f", 40), strings.Repeat("9a", 20)} {
		id, ok := ParseID(s)
		if !ok {
			t.Errorf("ParseID(%q) refused", s)
			continue
		}
		if id.String() != s {
			t.Errorf("ParseID(%q).String() = %q", s, id.String())
		}
		if id.IsZero() != (s == strings.Repeat("0", 40)) {
			t.Errorf("ParseID(%q).IsZero() = %t", s, id.IsZero())
		}
	}
	if id, _ := ParseID(tagID); id != (ID{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67}) {
		t.Errorf("ParseID(%q) = % x", tagID, id[:])
	}

	for _, s := range []string{
		"", "0", tagID[:39], tagID + "0", tagID + "00", tagID[:38],
		strings.ToUpper(tagID), // git writes ids in lowercase
		"0123456789ABCDEF0123456789abcdef01234567",
		"0123456789abcdef0123456789abcdef0123456F",
		"g" + tagID[1:], tagID[:39] + "g", strings.Repeat("z", 40), " " + tagID[1:], tagID[:39] + "\n",
		"0x23456789abcdef0123456789abcdef01234567", "-123456789abcdef0123456789abcdef01234567",
		tagID[:20] + "\x00" + tagID[21:], tagID[:39] + "\xff", tagID[:38] + "é",
	} {
		if id, ok := ParseID(s); ok {
			t.Errorf("ParseID(%q) = %s, true; want it refused", s, id)
		}
	}
}

// TestIDStringRoundTrip checks that String writes 40 lowercase hex digits that ParseID reads back.
func TestIDStringRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var id ID
		for i := range id {
			id[i] = byte(rng.Uint32())
		}
		s := id.String()
		if len(s) != HexSize || !IsHex(s) {
			t.Fatalf("% x.String() = %q, not 40 lowercase hex digits", id[:], s)
		}
		if back, ok := ParseID(s); !ok || back != id {
			t.Fatalf("ParseID(%q) = % x, %t; want % x", s, back[:], ok, id[:])
		}
	}
	if s := (ID{}).String(); s != strings.Repeat("0", 40) {
		t.Errorf("the zero ID's String() = %q", s)
	}
}

func TestIsHex(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "0": true, "0123456789abcdef": true, tagID: true,
		"A": false, "0123456789ABCDEF": false, "g": false, "x0": false, " ": false, "ab\n": false, "é": false, "\x00": false,
	} {
		if got := IsHex(s); got != want {
			t.Errorf("IsHex(%q) = %t, want %t", s, got, want)
		}
	}
}

func TestShort(t *testing.T) {
	for in, want := range map[string]string{
		tagID: "0123456", "01234567": "0123456", "0123456": "0123456", "abc": "abc", "": "",
	} {
		if got := Short(in); got != want {
			t.Errorf("Short(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestType(t *testing.T) {
	for typ, name := range map[Type]string{Commit: "commit", Tree: "tree", Blob: "blob", Tag: "tag"} {
		if got := typ.String(); got != name {
			t.Errorf("Type(%d).String() = %q, want %q", typ, got, name)
		}
		if got := ParseType(name); got != typ {
			t.Errorf("ParseType(%q) = %d, want %d", name, got, typ)
		}
	}
	// Numbered as pack files number them.
	if Commit != 1 || Tree != 2 || Blob != 3 || Tag != 4 {
		t.Errorf("types numbered %d %d %d %d, want the pack format's 1 2 3 4", Commit, Tree, Blob, Tag)
	}
	for _, typ := range []Type{0, -1, 5, 6, 7, 127, -128} {
		if got := typ.String(); got != "" {
			t.Errorf("Type(%d).String() = %q, want \"\"", typ, got)
		}
	}
	for _, name := range []string{"", "Commit", "TAG", "commit ", " tree", "note", "ofs-delta", "blob\x00"} {
		if got := ParseType(name); got != 0 {
			t.Errorf("ParseType(%q) = %d, want 0", name, got)
		}
	}
}

func TestParseZone(t *testing.T) {
	for text, want := range map[string]int{
		"+0530": 530, "-0130": -130, "+0000": 0, "-0000": 0, "0100": 100, "+1400": 1400, "-1200": -1200,
		" +0100": 100, "   -0800": -800, // leading blanks are skipped, as strtol does
		"+0075":  75, // read loosely, as git does
		"+05:30": 5, "0100xyz": 100, "+0100 trailing": 100,
		"": 0, "abc": 0, "+": 0, "-": 0, "+-0100": 0, "x0100": 0, "\t0100": 0,
		"+2147483646": 2147483646, "+2147483647": 0, "-2147483647": -2147483647, "-2147483648": 0,
		"+99999999999999999999": 0, "-99999999999999999999": 0,
	} {
		if got := ParseZone(text); got != want {
			t.Errorf("ParseZone(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestZone(t *testing.T) {
	for _, tc := range []struct {
		tz     int
		name   string
		offset int // seconds east of UTC
	}{
		{530, "+0530", 5*3600 + 30*60},
		{-130, "-0130", -(3600 + 30*60)},
		{0, "+0000", 0},
		{-800, "-0800", -8 * 3600},
		{1245, "+1245", 12*3600 + 45*60},
		{-930, "-0930", -(9*3600 + 30*60)},
		{1400, "+1400", 14 * 3600},
		{75, "+0075", 75 * 60},   // git reads +0075 as 75 minutes, and shows it as written
		{-99, "-0099", -99 * 60}, // likewise
		{12345, "+12345", 123*3600 + 45*60},
	} {
		loc := Zone(tc.tz)
		when := time.Unix(1709294400, 0).In(loc)
		if name, offset := when.Zone(); name != tc.name || offset != tc.offset {
			t.Errorf("Zone(%d) = %q at %+d s, want %q at %+d s", tc.tz, name, offset, tc.name, tc.offset)
		}
		if loc.String() != tc.name {
			t.Errorf("Zone(%d).String() = %q, want %q", tc.tz, loc.String(), tc.name)
		}
		if Zone(tc.tz) != loc {
			t.Errorf("Zone(%d) returned two locations", tc.tz)
		}
		if got := ZoneNumber(when); got != tc.tz {
			t.Errorf("ZoneNumber(a time in Zone(%d)) = %d", tc.tz, got)
		}
		if got := ZoneText(when); got != tc.name {
			t.Errorf("ZoneText(a time in Zone(%d)) = %q, want %q", tc.tz, got, tc.name)
		}
		if got := ParseZone(ZoneText(when)); got != tc.tz {
			t.Errorf("ParseZone(ZoneText(a time in Zone(%d))) = %d", tc.tz, got)
		}
	}
}

// TestZoneNumberOfOtherLocations checks the zone git would write for times that were not read
// from a tag: from their offset, whatever their zone's name.
func TestZoneNumberOfOtherLocations(t *testing.T) {
	at := time.Unix(1709294400, 0)
	kolkata := time.FixedZone("IST", 5*3600+30*60)
	for _, tc := range []struct {
		when time.Time
		want int
	}{
		{at.UTC(), 0},
		{at.In(kolkata), 530},
		{at.In(time.FixedZone("", -(3600 + 30*60))), -130},
		{at.In(time.FixedZone("CEST", 2*3600)), 200},
		{at.In(time.FixedZone("", -12*3600)), -1200},
		{at.In(time.FixedZone("", 14*3600)), 1400},
		{at.In(time.FixedZone("", 5*3600+45*60+30)), 545}, // seconds are dropped
		{at.In(time.FixedZone("+0100", 0)), 0},            // named like a zone of git's, at another offset
		{at.In(time.FixedZone("+0100", 3600)), 100},
		{at.In(time.FixedZone("0100", 3600)), 100}, // not named as Zone names it: from the offset
		{at.In(time.FixedZone("+0060", 1800)), 30}, // named as Zone(60) names it, at another offset
		{at.In(time.FixedZone("+0060", 3600)), 60}, // Zone(60)'s name and offset (60 minutes): as written
		{at.In(Zone(60)), 60},
	} {
		name, offset := tc.when.Zone()
		if got := ZoneNumber(tc.when); got != tc.want {
			t.Errorf("ZoneNumber(a time in zone %q at %+d s) = %d, want %d", name, offset, got, tc.want)
		}
		if got, want := ZoneText(tc.when), fmt.Sprintf("%+05d", tc.want); got != want {
			t.Errorf("ZoneText(a time in zone %q at %+d s) = %q, want %q", name, offset, got, want)
		}
	}
}

func TestParseTag(t *testing.T) {
	header := "object " + commitID + "\ntype commit\ntag m@v1.0.0\n"
	tagger := "tagger Tess Tagger <tess@example.com> 1709294400 +0530\n"
	for _, tc := range []struct {
		name string
		raw  string
		want TagObject
		zone string // ZoneText of When, when there is one
	}{
		{"annotated", header + tagger + "\nRegistering artifact m version v1.0.0\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "Registering artifact m version v1.0.0"}, "+0530"},
		{"every header given twice counts once, the first time",
			header + tagger + "object " + treeID + "\ntype tree\ntag other\ntagger Mallory <m@evil.example> 1 -1200\n\nbody\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "body"}, "+0530"},
		{"a second tagger before the first object", "tagger A <a@example.com> 1000 +0100\n" + header + "tagger B <b@example.com> 2000 +0200\n\nm\n",
			TagObject{commitID, Commit, "m@v1.0.0", "A", "a@example.com", time.Unix(1000, 0), "m"}, "+0100"},
		{"a header in the message is not one", header + tagger + "\nsubject\ntagger Mallory <m@evil.example> 1 -1200\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "subject\ntagger Mallory <m@evil.example> 1 -1200"}, "+0530"},
		{"tree", "object " + treeID + "\ntype tree\ntag t\n" + tagger + "\na tree\n",
			TagObject{treeID, Tree, "t", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "a tree"}, "+0530"},
		{"tag of a tag", "object " + tagID + "\ntype tag\ntag outer\n" + tagger + "\nouter\n",
			TagObject{tagID, Tag, "outer", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "outer"}, "+0530"},
		{"unknown type", "object " + commitID + "\ntype note\ntag n\n\n", TagObject{Target: commitID, Name: "n"}, ""},
		{"no tagger", header + "\nold tag\n", TagObject{Target: commitID, TargetType: Commit, Name: "m@v1.0.0", Message: "old tag"}, ""},
		{"no message", strings.TrimSuffix(header+tagger, "\n"),
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), ""}, "+0530"},
		{"empty message", header + tagger + "\n", TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), ""}, "+0530"},
		{"trailing newlines", header + tagger + "\nsubject\n\nbody line\n\n\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "subject\n\nbody line"}, "+0530"},
		{"tagger without an email", header + "tagger Tess Tagger\n\nm\n", TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "", time.Time{}, "m"}, ""},
		{"tagger without a time", header + "tagger Tess <t@example.com>\n\nm\n", TagObject{commitID, Commit, "m@v1.0.0", "Tess", "t@example.com", time.Time{}, "m"}, ""},
		{"tagger with a bad time", header + "tagger Tess <t@example.com> soon +0100\n\nm\n", TagObject{commitID, Commit, "m@v1.0.0", "Tess", "t@example.com", time.Time{}, "m"}, ""},
		{"tagger without a zone", header + "tagger Tess <t@example.com> 1709294400\n\nm\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess", "t@example.com", time.Unix(1709294400, 0), "m"}, "+0000"},
		{"zone read loosely", header + "tagger Tess <t@example.com> 1709294400 +0075\n\nm\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess", "t@example.com", time.Unix(1709294400, 0), "m"}, "+0075"},
		{"negative zone", header + "tagger Tess <t@example.com> 1709294400 -0130\n\nm\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess", "t@example.com", time.Unix(1709294400, 0), "m"}, "-0130"},
		{"email with angle brackets in the name", header + "tagger Tess <x> Tagger <t@example.com> 1709294400 +0100\n\nm\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess", "x> Tagger <t@example.com", time.Unix(1709294400, 0), "m"}, "+0100"},
		{"PGP signature", header + tagger + "\nRegistering\n-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "Registering"}, "+0530"},
		{"SSH signature", header + tagger + "\nAssigning stage prod\n\nwith a body\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ\n-----END SSH SIGNATURE-----\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), "Assigning stage prod\n\nwith a body"}, "+0530"},
		{"empty message, signed", header + tagger + "\n-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n",
			TagObject{commitID, Commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", time.Unix(1709294400, 0), ""}, "+0530"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseTag([]byte(tc.raw), true)
			if got.Target != tc.want.Target || got.TargetType != tc.want.TargetType || got.TaggerName != tc.want.TaggerName ||
				got.TaggerEmail != tc.want.TaggerEmail || !got.When.Equal(tc.want.When) || got.Message != tc.want.Message {
				t.Errorf("ParseTag(%q, true)\n = %+v\nwant %+v", tc.raw, got, tc.want)
			}
			if !got.When.IsZero() {
				if zone := ZoneText(got.When); zone != tc.zone {
					t.Errorf("ParseTag(%q, true): tagger time in zone %s, want %s", tc.raw, zone, tc.zone)
				}
			}
			// Without full, only the target and its type.
			short := ParseTag([]byte(tc.raw), false)
			if want := (TagObject{Target: tc.want.Target, TargetType: tc.want.TargetType}); short != want {
				t.Errorf("ParseTag(%q, false) = %+v, want %+v", tc.raw, short, want)
			}
		})
	}
}

func TestCleanMessage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"\n\n", ""},
		{"subject", "subject"},
		{"subject\n", "subject"},
		{"subject\n\nbody\n\n\n", "subject\n\nbody"},
		{"  leading blanks kept\n", "  leading blanks kept"},
		{"trailing blanks kept  \n", "trailing blanks kept  "},
		{"m\n-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n", "m"},
		{"m\n-----BEGIN PGP MESSAGE-----\nx\n-----END PGP MESSAGE-----\n", "m"},
		{"x509 signed\n-----BEGIN SIGNED MESSAGE-----\nMIAG\n-----END SIGNED MESSAGE-----\n", "x509 signed"},
		{"m\n\n-----BEGIN SSH SIGNATURE-----\nU1NI\n-----END SSH SIGNATURE-----\n", "m"},
		{"-----BEGIN PGP SIGNATURE-----\nonly a signature\n", ""},
		{"see -----BEGIN PGP SIGNATURE----- above\n", "see -----BEGIN PGP SIGNATURE----- above"},
		{" -----BEGIN PGP SIGNATURE-----\n", " -----BEGIN PGP SIGNATURE-----"},
		{"m\n-----BEGIN PGP SIGNATURE", "m\n-----BEGIN PGP SIGNATURE"}, // not a whole marker
		// The last line that starts with a marker starts the signature, as git reads it.
		{"m\n-----BEGIN PGP SIGNATURE-----\nquoted\n-----BEGIN SSH SIGNATURE-----\nsig\n", "m\n-----BEGIN PGP SIGNATURE-----\nquoted"},
		{"m\n-----BEGIN PGP SIGNATURE-----", "m"},
	} {
		checkString(t, "CleanMessage", CleanMessage, tc.in, tc.want)
	}
}

func TestStripSpace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"\n", ""},
		{"  \n\t\n \r\n", ""},
		{"m", "m\n"},
		{"m\n", "m\n"},
		{"m\n\n\n", "m\n"},
		{"\n\n\nm", "m\n"},
		{"subject  \nbody\t \n", "subject\nbody\n"},
		{"a\n\n\n\nb", "a\n\nb\n"},
		{"a\n  \n\t\n\nb\n", "a\n\nb\n"},
		{"  indented\n", "  indented\n"},
		{"crlf\r\nline\r\n", "crlf\nline\n"},
		{"inner\ttab and  spaces", "inner\ttab and  spaces\n"},
		{"vertical tab \v\nform feed\f \n", "vertical tab \v\nform feed\f\n"}, // git trims ' ', \t, \r (and \n) only
		{"# a comment, as git tag -m drops it\nkept\n #not at the start\n", "kept\n #not at the start\n"},
	} {
		checkString(t, "StripSpace", StripSpace, tc.in, tc.want)
	}
}

// checkString checks that f, named name, returns want for in.
func checkString(t *testing.T, name string, f func(string) string, in, want string) {
	t.Helper()
	if got := f(in); got != want {
		t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
	}
}

// FuzzParseTag checks that ParseTag never panics on any bytes, that reading the target alone
// agrees with the full read, that CleanMessage returns a prefix of its input without trailing
// newlines, and that what FormatTag writes ParseTag reads back.
func FuzzParseTag(f *testing.F) {
	header := "object " + commitID + "\ntype commit\ntag m@v1.0.0\n"
	tagger := "tagger Tess Tagger <tess@example.com> 1709294400 +0530\n"
	for _, seed := range []string{
		"",
		"\n\n",
		header + tagger + "\nRegistering artifact m version v1.0.0\n",
		header + tagger + "object " + treeID + "\ntype tree\ntagger Mallory <m@evil.example> 1 -1200\n\nbody\n",
		header + tagger + "\nm\n-----BEGIN PGP SIGNATURE-----\n\niQEz\n-----END PGP SIGNATURE-----\n",
		header + tagger + "\nm\n-----BEGIN PGP SIGNATURE-----\nquoted\n-----BEGIN SSH SIGNATURE-----\nsig\n",
		header + tagger + "\nsee -----BEGIN PGP SIGNATURE----- above\n",
		header + "tagger Tess <x> Tagger <t@example.com> 1709294400 +0075\n\nm\n",
		header + "tagger Tess <t@example.com> 99999999999999999999 +0100\n\nm\n",
		header + "tagger Tess <t@example.com> -62135596801 -99999999999\n\nm\n",
		header + "tagger >< 1 +\n\n",
		header + "tagger <\n\n",
		"object " + commitID + "\ntype note\ntag n\n\n",
		"object\ntype\ntagger\n\n-----BEGIN SSH SIGNATURE-----",
		"caf\xe9 \xff\xfe\n\x00\n\n\x00",
	} {
		f.Add([]byte(seed), "Registering\n\n  body  \n")
	}
	commit, _ := ParseID(commitID)
	when := time.Unix(1709294400, 0).In(Zone(530))
	f.Fuzz(func(t *testing.T, data []byte, message string) {
		keep := bytes.Clone(data)
		full := ParseTag(data, true)
		short := ParseTag(data, false)
		if !bytes.Equal(data, keep) {
			t.Fatalf("ParseTag wrote to its input")
		}
		if short != (TagObject{Target: full.Target, TargetType: full.TargetType}) {
			t.Fatalf("ParseTag(%q, false) = %+v; the full read = %+v", data, short, full)
		}
		if strings.HasSuffix(full.Message, "\n") {
			t.Fatalf("ParseTag(%q).Message = %q ends with a newline", data, full.Message)
		}

		for _, s := range []string{string(data), message} {
			clean := CleanMessage(s)
			if !strings.HasPrefix(s, clean) {
				t.Fatalf("CleanMessage(%q) = %q, not a prefix of its input", s, clean)
			}
			if strings.HasSuffix(clean, "\n") {
				t.Fatalf("CleanMessage(%q) = %q ends with a newline", s, clean)
			}
		}

		stripped := StripSpace(message)
		if stripped != "" && (!strings.HasSuffix(stripped, "\n") || strings.HasPrefix(stripped, "\n") ||
			strings.Contains(stripped, "\n\n\n") || strings.Contains(stripped, " \n") ||
			strings.Contains(stripped, "\t\n") || strings.Contains(stripped, "\r\n")) {
			t.Fatalf("StripSpace(%q) = %q, not cleaned up", message, stripped)
		}
		if StripSpace(stripped) != stripped {
			t.Fatalf("StripSpace(StripSpace(%q)) = %q, not %q", message, StripSpace(stripped), stripped)
		}

		tag := ParseTag(FormatTag(commit, "m@v1.0.0", "Tess Tagger", "tess@example.com", when, message), true)
		if tag.Target != commitID || tag.TargetType != Commit || tag.TaggerName != "Tess Tagger" ||
			tag.TaggerEmail != "tess@example.com" || !tag.When.Equal(when) || ZoneText(tag.When) != "+0530" ||
			tag.Message != CleanMessage(stripped) {
			t.Fatalf("ParseTag(FormatTag(..., %q)) = %+v", message, tag)
		}
	})
}
