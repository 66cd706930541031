package registry

import (
	"reflect"
	"testing"
)

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"segm-nn", "segm-nn", 0},
		{"segm-nn", "segm-nm", 1},  // changed
		{"segm-nn", "segm-n", 1},   // dropped
		{"segm-nn", "segm-nnn", 1}, // added
		{"segm-nn", "sgem-nn", 1},  // swapped
		{"churn", "chrun", 1},
		{"churn", "chunk", 2},
		{"churn", "burn", 2},
		{"a", "", 1},
		{"", "", 0},
		{"model", "dataset", 3}, // past the limit: limit+1
		{"models/cv:segm", "models/cv:segn", 1},
	} {
		got := editDistance(tc.a, tc.b, maxTypo)
		if tc.want > maxTypo {
			if got <= maxTypo {
				t.Errorf("editDistance(%q, %q) = %d, want more than %d", tc.a, tc.b, got, maxTypo)
			}
		} else if got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if back := editDistance(tc.b, tc.a, maxTypo); back != got {
			t.Errorf("editDistance is not symmetric for %q and %q: %d and %d", tc.a, tc.b, got, back)
		}
	}
}

func TestSimilar(t *testing.T) {
	names := []string{"segm-nn", "segm-cnn", "churn", "chunk", "models/cv:segm-nn", "churn", "m", "x/a"}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"segm-nm", []string{"segm-nn", "segm-cnn"}},
		{"segm-nn", []string{"segm-cnn"}}, // itself is no suggestion
		{"chrun", []string{"churn", "chunk"}},
		{"xgboost", []string{}},
		{"models/cv:segm-mn", []string{"models/cv:segm-nn"}},
		{"n", []string{}},    // short names are not typos of each other
		{"segm", []string{}}, // two edits of four letters: not a typo of segm-nn or churn
		{"chrn", []string{}}, // four letters: too short to tell
		{"churm", []string{"churn", "chunk"}},
		{"x/b", []string{}},
		{"segm-nn2", []string{"segm-cnn"}}, // not segm-nn: a numbered family
	} {
		if got := Similar(tc.name, names); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Similar(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
