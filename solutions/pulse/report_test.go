package pulse

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
)

func TestReportHasEveryRow(t *testing.T) {
	log := siteLog(t, 12<<10)
	n, _ := runCollect(t, ModeNaive, NewInstant(), log, Options{})
	o, _ := runCollect(t, ModeOptimized, NewInstant(), log, Options{})
	// A run this short may not last one profile sample: give the runs profiles and collections to report.
	n.CPU = profileOf(map[string]float64{CatJSON: 0.02, CatUpstream: 0.01, CatGC: 0.005})
	o.CPU = profileOf(map[string]float64{CatJSON: 0.01, CatUpstream: 0.01, CatGC: 0.004, CatKey: 0.001})
	n.Counters.GCCycles, o.Counters.GCCycles = 1, 2
	rep := Report{Title: "test log", Notes: []string{"note one"}, Runs: []Result{n, o}}
	text := rep.Text()
	headers, rows := rep.Rows()
	if len(headers) != 3 || headers[1] != ModeNaive || headers[2] != ModeOptimized {
		t.Errorf("headers %q", headers)
	}
	for _, row := range rows {
		if len(row) != 3 || !strings.Contains(text, row[0]) || !strings.Contains(text, row[1]) {
			t.Errorf("row %q is not in the text report", row)
		}
	}
	for _, want := range []string{"wall time", "model requests", "prompt tokens", "cost", "p50", "peak RSS",
		"peak heap", "Same summaries in both runs: yes", "What changed, and why:\n- Wall time", "note one",
		"Site summary (optimized)", "MB/s", "CPU time", "GC cycles", "saved by the cache",
		"Where the CPU went (CPU profile of each run", CatJSON, CatUpstream, "Garbage collection:"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text report lacks %q:\n%s", want, text)
		}
	}
	cmp := rep.Comparison()
	for _, name := range []string{"run wall time", "model requests", "peak RSS", "peak heap growth"} {
		if _, ok := cmp.Row(name); !ok {
			t.Errorf("the comparison lacks %q", name)
		}
	}
	path := filepath.Join(t.TempDir(), "pulse.html")
	if err := rep.SaveHTML(path); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"What changed, and why", "The runs", "summaries digest", "Wall time", "Calls",
		"Tokens", "Cost", "Latency per call", "Peak memory", "Where the CPU went", "Garbage collection",
		"naive → optimized", "Call latency percentiles", "the first"} {
		if !bytes.Contains(page, []byte(title)) {
			t.Errorf("the HTML page lacks the chart %q", title)
		}
	}
}

func TestReportOfOneRun(t *testing.T) {
	o, _ := runCollect(t, ModeOptimized, NewInstant(), siteLog(t, 4<<10), Options{})
	rep := Report{Title: "one", Runs: []Result{o}}
	if text := rep.Text(); strings.Contains(text, "Before → after") || !strings.Contains(text, "optimized") {
		t.Errorf("a one-run report:\n%s", text)
	}
	if len(rep.Comparison().Rows) != 0 || len(rep.Charts()) == 0 {
		t.Error("a one-run report has a comparison or no charts")
	}
}

// profileOf makes a CPUProfile of the given seconds per category.
func profileOf(seconds map[string]float64) *CPUProfile {
	p := &CPUProfile{Samples: 1000}
	for _, c := range Categories {
		p.Total += time.Duration(seconds[c] * float64(time.Second))
	}
	for _, c := range Categories {
		d := time.Duration(seconds[c] * float64(time.Second))
		p.Shares = append(p.Shares, CPUShare{Category: c, CPU: d, Share: float64(d) / float64(p.Total)})
	}
	return p
}

func TestFindings(t *testing.T) {
	base := Result{Mode: ModeNaive, Records: 100, Requests: 120, Wall: 2 * time.Second, PeakRSS: 400 << 20, Isolated: true,
		Bytes: 30e6, Summary: metrics.Summary{Count: 120, Mean: 15 * time.Millisecond, P50: 15 * time.Millisecond, Cost: 1000},
		Counters: Counters{CPU: 2 * time.Second, GCCycles: 10, GCCPU: 200 * time.Millisecond, Allocated: 100 << 20,
			LiveHeap: 300 << 20, HeapGoal: 600 << 20, GOGC: 100, MemLimit: math.MaxInt64},
		CPU: profileOf(map[string]float64{CatJSON: 1, CatUpstream: 0.5, CatGC: 0.2, CatOther: 0.3})}
	hits := func(a *Result) {
		a.Wall, a.Requests, a.Hits, a.Shared, a.PeakRSS, a.Summary.Cost, a.Saved = 500*time.Millisecond, 60, 55, 5,
			25<<20, 500, 500
		a.Counters.CPU, a.Counters.GCCycles, a.Counters.LiveHeap, a.Counters.HeapGoal = time.Second, 50, 3<<20, 6<<20
		a.CPU = profileOf(map[string]float64{CatJSON: 0.5, CatUpstream: 0.25, CatGC: 0.4, CatKey: 0.05, CatOther: 0.3})
	}
	for _, tc := range []struct {
		name          string
		before, after func(*Result)
		want, reject  []string
	}{
		{"faster, fewer requests, less memory", nil, hits, []string{"was 4.0× faster", "60 MB/s of log against 15",
			"1.0 s of CPU against 2.0 s (0.50×)", "2.0 cores busy on average against 1.0",
			"optimized — JSON encode/decode 33% (0.5 s), GC 27% (0.4 s)", "naive — JSON encode/decode 50% (1.0 s)",
			"more on GC (+0.2 s)", "less on upstream (model) (−0.2 s), JSON encode/decode (−0.5 s)",
			"50 cycles in the optimized run (one per 2.0 MiB allocated), 10 in the naive run (one per 10.0 MiB)",
			"live heap was 3.0 MiB against 300.0 MiB", "the profiles put the collector at 27% of the optimized run's CPU (0.4 s) and 10% of the naive run's (0.2 s)", "settings GOGC=100 against GOGC=100",
			"60 of 120 calls (50.0%) were answered without a request — 55 from the cache, 5 by an identical call in flight",
			"made 60 requests against the naive run's 120 and saved $0.0000005", "keys and lookups took 3.3% of the run's CPU",
			"peak RSS 25.0 MiB against 400.0 MiB"}, []string{"no saving", "no call repeated"}},
		{"slower, no hits", nil, func(a *Result) {
			a.Wall = 4 * time.Second
			a.CPU = profileOf(map[string]float64{CatJSON: 1, CatKey: 0.5, CatOther: 0.5})
			a.Counters.GOGC, a.Counters.MemLimit = -1, 24<<20
		}, []string{"took 2.00× as long", "no call repeated an earlier one, so the cache saved nothing, and its keys and " +
			"lookups took 25.0% of the run's CPU (0.50 s)", "GOGC=off GOMEMLIMIT=24MiB against GOGC=100"},
			[]string{"faster", "without a request"}},
		{"no profile", nil, func(a *Result) { a.Wall, a.CPU = time.Second, nil },
			[]string{"no CPU profile was taken of the optimized run", "no call repeated an earlier one, so the cache saved nothing."},
			[]string{"Where the CPU went (this"}},
		{"memory grows on the optimized side", nil, func(a *Result) { a.Wall, a.PeakRSS = time.Second, 500<<20 },
			[]string{"no saving on this log", "-generate 256MiB"}, nil},
		{"shared process", nil, func(a *Result) { a.Wall, a.Isolated, a.PeakHeap, a.PeakRSS = time.Second, false, 8<<20, 30<<20 },
			[]string{"shared one process", "compare heap growth"}, []string{"no saving"}},
		{"naive failed", func(b *Result) { b.Err, b.Records = "summary 6 of 100: 503", 5 }, func(a *Result) {
			a.Wall, a.Retries = time.Second, 12
		}, []string{"stopped at its first failure (summary 6 of 100: 503) after 5 of 100 records", "retrying 12"},
			[]string{"Wall time", "Memory"}},
	} {
		b, a := base, base
		a.Mode = ModeOptimized
		if tc.before != nil {
			tc.before(&b)
		}
		tc.after(&a)
		text := strings.Join(Report{Runs: []Result{b, a}}.Findings(), "\n")
		for _, w := range tc.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: findings lack %q:\n%s", tc.name, w, text)
			}
		}
		for _, r := range tc.reject {
			if strings.Contains(text, r) {
				t.Errorf("%s: findings say %q, wrongly:\n%s", tc.name, r, text)
			}
		}
	}
	if f := (Report{Runs: []Result{base}}).Findings(); f != nil {
		t.Errorf("one run has findings: %q", f)
	}
}
