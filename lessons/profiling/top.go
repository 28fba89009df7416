package profiling

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/google/pprof/profile"
)

// Row is one function's share of a profile, as `go tool pprof -top` shows it.
type Row struct {
	Func string
	// Flat is the value of samples in which Func itself was running (the top of the stack).
	Flat int64
	// Cum is the value of samples in which Func was anywhere on the stack: itself plus what it called.
	Cum int64
}

// Top returns the n functions with the largest flat values of sample type typ ("cpu", "alloc_space",
// "alloc_objects", …), biggest first, and the profile's total for that type. It is `go tool pprof -top` as
// data, so a notebook can draw it.
func Top(p *profile.Profile, typ string, n int) (rows []Row, total int64, err error) {
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == typ {
			idx = i
		}
	}
	if idx < 0 {
		var have []string
		for _, st := range p.SampleType {
			have = append(have, st.Type)
		}
		return nil, 0, fmt.Errorf("profiling: profile has no sample type %q (it has %v)", typ, have)
	}
	byName := map[string]*Row{}
	row := func(name string) *Row {
		r := byName[name]
		if r == nil {
			r = &Row{Func: name}
			byName[name] = r
		}
		return r
	}
	for _, s := range p.Sample {
		v := s.Value[idx]
		total += v
		seen := map[string]bool{}
		leaf := true
		for _, loc := range s.Location { // leaf first
			for _, line := range loc.Line { // inlined calls first, then their caller
				if line.Function == nil {
					continue
				}
				name := line.Function.Name
				if leaf {
					row(name).Flat += v
					leaf = false
				}
				if !seen[name] { // recursion counts once per sample
					seen[name] = true
					row(name).Cum += v
				}
			}
		}
	}
	for _, r := range byName {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(b.Flat, a.Flat), cmp.Compare(b.Cum, a.Cum), cmp.Compare(a.Func, b.Func))
	})
	if n >= 0 && len(rows) > n {
		rows = rows[:n]
	}
	return rows, total, nil
}

// TopCum is Top ordered by cumulative value instead, the view that shows which caller the time flows through.
func TopCum(p *profile.Profile, typ string, n int) ([]Row, int64, error) {
	rows, total, err := Top(p, typ, -1)
	if err != nil {
		return nil, 0, err
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(b.Cum, a.Cum) })
	if n >= 0 && len(rows) > n {
		rows = rows[:n]
	}
	return rows, total, nil
}
