package pulse

import (
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	for _, tc := range []struct {
		name          string
		before, after []float64
		significant   bool
		want          string
	}{
		{"apart", []float64{10, 11, 10.5, 10.2, 10.8}, []float64{7, 7.4, 7.1, 6.9, 7.2}, true, "-32.4% (p=0.008, 5+5 runs)"},
		{"overlapping", []float64{10, 11, 10.5, 10.2, 10.8}, []float64{10.1, 10.9, 10.4, 10.3, 11}, false,
			"no significant difference (p="},
		{"too few runs", []float64{10, 11}, []float64{5, 6}, false, "need >= 4 samples"},
	} {
		j := Judge(tc.before, tc.after)
		if j.Significant != tc.significant || !strings.Contains(j.String(), tc.want) {
			t.Errorf("%s: %+v, %q; want significant %v and %q", tc.name, j, j, tc.significant, tc.want)
		}
	}
	if j := Judge([]float64{10, 11, 10.5, 10.2, 10.8}, []float64{7, 7.4, 7.1, 6.9, 7.2}); j.Before != 10.5 || j.After != 7.1 {
		t.Errorf("medians %v and %v, want 10.5 and 7.1", j.Before, j.After)
	}
}
