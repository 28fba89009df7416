package chart_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/llmperf/workbook/kit/chart"
)

func ExampleTableMarkdown() {
	fmt.Print(chart.TableMarkdown([]string{"run", "p95", "cost"}, [][]string{
		{"before", "2.1s", "$0.0123"},
		{"after", "420ms", "$0.0041"},
	}))
	// Output:
	// | run    | p95   | cost    |
	// | ------ | ----- | ------- |
	// | before | 2.1s  | $0.0123 |
	// | after  | 420ms | $0.0041 |
}

func ExampleSavePage() {
	lat := map[string][]time.Duration{
		"sequential": {300 * time.Millisecond, 320 * time.Millisecond, 2 * time.Second},
		"cached":     {1 * time.Millisecond, 2 * time.Millisecond, 300 * time.Millisecond},
	}
	path := filepath.Join(os.TempDir(), "chart-example.html")
	err := chart.SavePage(path, "Latency report",
		chart.Percentiles("Latency percentiles", lat),
		chart.Timeline("Requests", []chart.Span{
			{Label: "1", Start: 0, End: 300 * time.Millisecond, Kind: "ok"},
			{Label: "2", Start: 10 * time.Millisecond, End: 12 * time.Millisecond, Kind: "cached"},
		}),
	)
	fmt.Println(err)
	os.Remove(path)
	// Output: <nil>
}

func ExampleChart_Display() {
	c := chart.Bar("Calls per site", "calls", []string{"north", "south"}, chart.Series{Name: "mon", Values: []float64{3, 5}})
	c.Display() // in a GoNB cell: the chart; elsewhere: a note
	// Output: [chart "Calls per site": drawn in a GoNB notebook; use chart.SavePage for an HTML file]
}
