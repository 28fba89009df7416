package pulse

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		"peak heap", "Same summaries in both runs: yes", "note one", "Site summary (optimized)"} {
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
	for _, title := range []string{"Wall time", "Calls", "Tokens", "Cost", "Latency per call", "Peak memory",
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
