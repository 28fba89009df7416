package profiling_test

import (
	"testing"

	"github.com/google/pprof/profile"
	"github.com/llmperf/workbook/lessons/profiling"
)

// stackProfile builds a CPU profile from stacks written leaf first, each with its sample value.
func stackProfile(stacks map[int64][]string) *profile.Profile {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}}}
	funcs := map[string]*profile.Function{}
	for v, stack := range stacks {
		s := &profile.Sample{Value: []int64{1, v}}
		for _, name := range stack {
			f := funcs[name]
			if f == nil {
				f = &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
				funcs[name] = f
			}
			s.Location = append(s.Location, &profile.Location{Line: []profile.Line{{Function: f}}})
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

func TestTop(t *testing.T) {
	p := stackProfile(map[int64][]string{
		50: {"regexp.compile", "main.build", "main.main"},
		30: {"json.Marshal", "main.build", "main.main"},
		15: {"main.build", "main.main"},
		5:  {"main.rec", "main.rec", "main.main"}, // recursion counts once in cum
	})
	rows, total, err := profiling.Top(p, "cpu", 10)
	if err != nil {
		t.Fatal(err)
	}
	if total != 100 {
		t.Errorf("total = %d, want 100", total)
	}
	want := []profiling.Row{
		{"regexp.compile", 50, 50}, {"json.Marshal", 30, 30}, {"main.build", 15, 95}, {"main.rec", 5, 5},
		{"main.main", 0, 100},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %v, want %v", len(rows), rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	cum, _, err := profiling.TopCum(p, "cpu", 2)
	if err != nil || len(cum) != 2 || cum[0].Func != "main.main" || cum[1].Func != "main.build" {
		t.Errorf("TopCum = %v, %v; want main.main then main.build", cum, err)
	}
	if _, _, err := profiling.Top(p, "alloc_space", 3); err == nil {
		t.Error("a missing sample type gave no error")
	}
}
