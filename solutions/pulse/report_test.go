package pulse

import (
	"bytes"
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
		"Site summary (optimized)"} {
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
		"Tokens", "Cost", "Latency per call", "Peak memory",
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

func TestFindings(t *testing.T) {
	base := Result{Mode: ModeNaive, Records: 100, Requests: 120, Wall: 2 * time.Second, PeakRSS: 400 << 20, Isolated: true,
		Summary: metrics.Summary{P50: 15 * time.Millisecond, Cost: 1000}}
	for _, tc := range []struct {
		name          string
		before, after func(*Result)
		want, reject  []string
	}{
		{"faster, fewer requests, less memory", nil, func(a *Result) {
			a.Wall, a.Requests, a.Hits, a.PeakRSS, a.Summary.Cost = 500*time.Millisecond, 60, 60, 25<<20, 500
		}, []string{"was 4.0× faster", "did not wait for the model at all", "60 instead of 120 (50%)", "60 answered by the cache", "Cost: $0.0000005 instead",
			"peak RSS 25.0 MiB against 400.0 MiB"}, []string{"honest price", "no saving"}},
		{"slower with a model that costs nothing", func(b *Result) { b.Summary.P50 = 30 * time.Microsecond }, func(a *Result) {
			a.Wall = 4 * time.Second
		}, []string{"took 2.0× as long", "p50 30µs", "hashing the request", "-ttft 50ms"}, []string{"faster"}},
		{"faster without cache hits", nil, func(a *Result) { a.Wall = time.Second },
			[]string{"was 2.0× faster", "in the naive run)."}, []string{"cache answered"}},
		{"slower with a slow model", nil, func(a *Result) { a.Wall = 3 * time.Second },
			[]string{"took 1.5× as long", "something other than the model", "Profile"}, []string{"honest price"}},
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
