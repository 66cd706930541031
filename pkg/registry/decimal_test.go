package registry

import "testing"

// TestDecimal pins the arithmetic that versions and counters of any size rest on: digits
// compared by value (longer is larger once leading zeros are gone), "" read as 0, and
// increments that carry.
func TestDecimal(t *testing.T) {
	canonical := map[string]string{
		"": "0", "0": "0", "000": "0", "7": "7", "0042": "42", "10": "10",
		"00099999999999999999999": "99999999999999999999",
	}
	for in, want := range canonical {
		if got := canonicalDecimal(in); got != want {
			t.Errorf("canonicalDecimal(%q) = %q, want %q", in, got, want)
		}
	}
	compares := []struct {
		a, b string
		want int
	}{
		{"", "0", 0},
		{"", "1", -1},
		{"0042", "42", 0},
		{"9", "10", -1},
		{"19", "20", -1},
		{"9223372036854775807", "9223372036854775808", -1},
		{"18446744073709551616", "18446744073709551615", 1},
		{"99999999999999999999", "100000000000000000000", -1},
		{"0100000000000000000000", "99999999999999999999", 1},
	}
	for _, tc := range compares {
		if got := compareDecimal(tc.a, tc.b); got != tc.want {
			t.Errorf("compareDecimal(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := compareDecimal(tc.b, tc.a); got != -tc.want {
			t.Errorf("compareDecimal(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
	increments := map[string]string{
		"": "1", "0": "1", "8": "9", "9": "10", "0042": "43", "199": "200",
		"9223372036854775807":  "9223372036854775808",
		"18446744073709551615": "18446744073709551616",
		"99999999999999999999": "100000000000000000000",
	}
	for in, want := range increments {
		if got := incrementDecimal(in); got != want {
			t.Errorf("incrementDecimal(%q) = %q, want %q", in, got, want)
		}
	}
}
