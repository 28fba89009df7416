package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/redact"
)

// A registered key, or a credential in a URL, in a title, a label, a series or a table cell shows nowhere: not
// in a chart's HTML, not in a saved page, not in a table.
func TestSentinelKeyNowhere(t *testing.T) {
	const key = "sk-sentinel-chart-0123456789"
	redact.Add(key)
	url := "http://gw.example/v1?api-key=unregistered-chart-secret"
	charts := []*Chart{
		Bar("calls via "+url, "calls", []string{key}, Series{Name: key, Values: []float64{1}}),
		Timeline(key, []Span{{Label: "call with " + key, Start: 0, End: time.Millisecond}}),
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "p.html")
	if err := SavePage(page, "report for "+key, charts...); err != nil {
		t.Fatal(err)
	}
	saved, _ := os.ReadFile(page)
	shown := map[string]string{
		"saved page": string(saved),
		"markdown":   TableMarkdown([]string{key}, [][]string{{url, key}}),
		"table HTML": TableHTML([]string{key}, [][]string{{url, key}}),
	}
	for _, c := range charts {
		shown[c.Title] = c.HTML()
	}
	for where, text := range shown {
		if strings.Contains(text, key) || strings.Contains(text, "unregistered-chart-secret") {
			t.Errorf("%s shows a secret", where)
		}
		if !strings.Contains(text, redact.Mask) {
			t.Errorf("%s does not show the mask", where)
		}
	}
}
