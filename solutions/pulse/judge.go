package pulse

import (
	"fmt"

	"golang.org/x/perf/benchmath"
)

// Judgement is the verdict on a change measured by runs repeated before and after it, as benchstat gives one:
// the medians, and whether a Mann–Whitney U test (golang.org/x/perf/benchmath, which assumes nothing about the
// runs' distribution) finds the two sets of runs different at the 5 % level. On a shared machine one run says
// little: a difference counts only when the runs do not overlap more than chance allows.
type Judgement struct {
	Before, After float64 // the medians
	Change        float64 // After / Before − 1
	P             float64 // the test's p-value: the chance of runs this different if the change did nothing
	Runs          [2]int  // runs before and after
	Significant   bool    // P below the 5 % level
	Warning       string  // for example, too few runs to ever find a difference
}

// Judge compares runs before and after a change (seconds, bytes, anything where the median is the centre).
func Judge(before, after []float64) Judgement {
	a := benchmath.NewSample(before, &benchmath.DefaultThresholds)
	b := benchmath.NewSample(after, &benchmath.DefaultThresholds)
	c := benchmath.AssumeNothing.Compare(a, b)
	j := Judgement{
		Before: benchmath.AssumeNothing.Summary(a, 0.95).Center,
		After:  benchmath.AssumeNothing.Summary(b, 0.95).Center,
		P:      c.P, Runs: [2]int{len(before), len(after)}, Significant: c.P < c.Alpha,
	}
	if j.Before != 0 {
		j.Change = j.After/j.Before - 1
	}
	if len(c.Warnings) > 0 {
		j.Warning = c.Warnings[0].Error()
	}
	return j
}

// String says "-23.4% (p=0.008, 5+5 runs)", or "no significant difference (p=0.421, 5+5 runs)" when the runs
// overlap.
func (j Judgement) String() string {
	runs := fmt.Sprintf("p=%.3f, %d+%d runs", j.P, j.Runs[0], j.Runs[1])
	if j.Warning != "" {
		runs += "; " + j.Warning
	}
	if !j.Significant {
		return "no significant difference (" + runs + ")"
	}
	return fmt.Sprintf("%+.1f%% (%s)", 100*j.Change, runs)
}
