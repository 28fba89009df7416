package chart

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
)

func sampleCharts() []*Chart {
	return []*Chart{
		Bar("Calls", "calls", []string{"north", "south"}, Series{"mon", []float64{3, 12345}}),
		Line("Scaling", "workers", "req/s", []float64{1, 2, 4}, Series{"mock", []float64{5, 9, 17.5}}),
		Histogram("Latency", "ms", []float64{1, 2, 2, 3, 100}, 4),
		Percentiles("Tails", map[string][]time.Duration{"before": {time.Second, 2 * time.Second}}),
		Timeline("Requests", []Span{{Label: "req-7", Start: 0, End: 250 * time.Millisecond, Kind: "429"}}),
		BeforeAfter("Cache", metrics.Compare(metrics.Summary{Count: 2, P95: time.Second},
			metrics.Summary{Count: 2, P95: 250 * time.Millisecond})),
	}
}

// option decodes a chart's option JSON, so tests look at data, not at formatting.
func option(t *testing.T, c *Chart) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(c.Option()), &m); err != nil {
		t.Fatalf("%s: option is not JSON: %v\n%s", c.Title, err, c.Option())
	}
	return m
}

func TestSnippetHasData(t *testing.T) {
	for _, tc := range []struct {
		c    *Chart
		want []string
	}{
		{sampleCharts()[0], []string{`"north"`, `12345`, `"mon"`, `"Calls"`}},
		{sampleCharts()[1], []string{`[4,17.5]`, `"workers"`}},
		{sampleCharts()[3], []string{`"p99.9"`, `2000`, `"before"`}},
		{sampleCharts()[4], []string{`"req-7"`, `250`, `"429"`, KindColors["429"]}},
		{sampleCharts()[5], []string{`p95 latency: 1s → 250ms`, `25`}},
	} {
		opt := tc.c.Option()
		option(t, tc.c)
		for _, w := range tc.want {
			if !strings.Contains(opt, w) {
				t.Errorf("%s: option lacks %s:\n%s", tc.c.Title, w, opt)
			}
		}
		if s := tc.c.Snippet(); !strings.Contains(s.Script, opt[:20]) && !strings.Contains(s.Element, "id=") {
			t.Errorf("%s: snippet without element or option", tc.c.Title)
		}
	}
}

func TestHTMLLoadsBundleSafely(t *testing.T) {
	h := Bar("Calls", "calls", []string{"a"}, Series{"s", []float64{1}}).HTML()
	for _, want := range []string{
		`<script type="text/javascript" data-llmperf-echarts="5.4.3">`,
		`if (typeof window.echarts === "undefined")`,
		`(function (define, module, exports) {`,
		`.call(window, undefined, undefined, undefined)`,
		"echarts.init(",
		`<div class="item" id="`,
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !strings.Contains(h, echartsJS[len(echartsJS)-200:]) {
		t.Error("HTML does not contain the whole bundle")
	}
	// The chart's own script is a block, so its `let goecharts_…` can run twice in one page.
	frag := Bar("x", "", nil).Fragment()
	i := strings.Index(frag, "<script")
	if i < 0 || !strings.Contains(frag[i:], ">{\n") || !strings.HasSuffix(strings.TrimSpace(frag), "}</script>") {
		t.Errorf("chart script is not wrapped in a block:\n%s", frag)
	}
	if strings.Count(frag, "<script") != 1 || strings.Count(frag, "</script>") != 1 {
		t.Errorf("fragment should hold exactly one script:\n%s", frag)
	}
	// Without the bundle, a fragment runs the page's carrier again or waits on the list the bundle empties; its
	// element explains itself until it is drawn.
	for _, want := range []string{`document.querySelector("script[data-llmperf-echarts]")`,
		`(window.llmperfEchartsWaiting = window.llmperfEchartsWaiting || []).push(llmperfRun)`,
		`el.textContent = ""`, "Chart not drawn.", "Trust Notebook"} {
		if !strings.Contains(frag, want) {
			t.Errorf("fragment lacks %q:\n%s", want, frag)
		}
	}
	if len(frag) > 10_000 || strings.Contains(frag, echartsJS[:200]) {
		t.Errorf("a fragment of %d bytes carries the bundle", len(frag))
	}
}

func TestBundleOncePerKernel(t *testing.T) {
	defer bundleSent.Store(false)
	// GoNB runs every cell as a new process in the kernel's folder, GONB_TMP_DIR: the marker file outlives the
	// process, so only the kernel's first chart carries the bundle.
	dir := t.TempDir()
	t.Setenv("GONB_TMP_DIR", dir)
	var got []bool
	for range 3 { // three cells, each a fresh process (bundleSent starts false), two charts in the third
		bundleSent.Store(false)
		got = append(got, firstChart())
	}
	got = append(got, firstChart())
	if fmt.Sprint(got) != "[true false false false]" {
		t.Errorf("bundle sent by charts %v, want only by the first", got)
	}
	// A new kernel (a restart) has a new folder: its first chart carries the bundle again.
	t.Setenv("GONB_TMP_DIR", t.TempDir())
	bundleSent.Store(false)
	if !firstChart() {
		t.Error("first chart after a kernel restart did not carry the bundle")
	}
	// Without a folder to remember it in, every process sends it once.
	t.Setenv("GONB_TMP_DIR", "")
	bundleSent.Store(false)
	if !firstChart() || firstChart() {
		t.Error("without GONB_TMP_DIR: want the bundle with the process's first chart only")
	}
	// A folder that cannot be written: err on the side of sending it.
	t.Setenv("GONB_TMP_DIR", filepath.Join(dir, "missing"))
	bundleSent.Store(false)
	if !firstChart() {
		t.Error("unwritable marker folder: bundle not sent")
	}
}

func TestBundle(t *testing.T) {
	if len(echartsJS) < 900_000 || !strings.Contains(echartsJS, `"5.4.3"`) {
		t.Errorf("embedded bundle is %d bytes and does not name version 5.4.3", len(echartsJS))
	}
	if strings.Contains(echartsJS, "</script") {
		t.Error("bundle contains </script and cannot be inlined")
	}
	for _, f := range []string{"assets/LICENSE", "assets/NOTICE", "assets/LICENSE-d3"} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("licence file missing: %v", err)
		}
	}
}

func TestTitleCannotCloseScript(t *testing.T) {
	c := Bar(`</script><script>alert(1)</script>`, "", []string{"a"}, Series{"s", []float64{1}})
	frag := c.Fragment()
	if strings.Count(frag, "</script>") != 1 {
		t.Errorf("a title closed the script early:\n%s", frag)
	}
}

func TestSavePage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "report.html")
	cs := sampleCharts()
	if err := SavePage(path, "Run <1>", cs...); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	if !strings.Contains(page, echartsJS) {
		t.Error("page does not inline the bundle")
	}
	if strings.Contains(page, "<script src") || strings.Contains(page, "https://") && !strings.Contains(echartsJS, "https://") {
		t.Error("page loads something from the network")
	}
	if got := strings.Count(page, `<div class="item" id="`); got != len(cs) {
		t.Errorf("page has %d chart elements, want %d", got, len(cs))
	}
	for _, c := range cs {
		id := elementID(c.Snippet().Element)
		if id == "" || !strings.Contains(page, `id="`+id+`"`) {
			t.Errorf("page lacks the element of %q", c.Title)
		}
	}
	if strings.Count(page, carrierAttr+"=") != 1 {
		t.Errorf("page carries the bundle %d times, want once", strings.Count(page, carrierAttr+"="))
	}
	if !strings.Contains(page, "<title>Run &lt;1&gt;</title>") {
		t.Error("title not escaped")
	}
}

func TestSavePageKeepsOldFileOnError(t *testing.T) {
	dir := t.TempDir()
	if err := SavePage(filepath.Join(dir, "missing", "x.html"), "t"); err == nil {
		t.Error("SavePage into a missing directory succeeded")
	}
	if os.Getuid() == 0 {
		t.Skip("root writes into read-only directories; the rest needs a normal user")
	}
	path := filepath.Join(dir, "x.html")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	err := SavePage(path, "t", sampleCharts()[0])
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("old file changed to %d bytes after err = %v", len(b), err)
	}
	if err == nil {
		t.Error("SavePage into a read-only directory succeeded")
	}
}

func TestHistogramBins(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		bins   int
		labels []string
		counts []int
	}{
		{"empty", nil, 5, []string{}, []int{}},
		{"all equal", []float64{3, 3, 3}, 4, []string{"3"}, []int{3}},
		{"max in last bin", []float64{0, 1, 2, 3, 4}, 2, []string{"0.0–2.0", "2.0–4.0"}, []int{2, 3}},
		{"auto bins", []float64{0, 10, 20, 30}, 0, []string{"0–15", "15–30"}, []int{2, 2}},
		{"NaN dropped", []float64{1, nan(), 2}, 1, []string{"1.0–2.0"}, []int{2}},
	} {
		labels, counts := histogram(tc.values, tc.bins)
		if strings.Join(labels, ",") != strings.Join(tc.labels, ",") || !equal(counts, tc.counts) {
			t.Errorf("%s: got %q %v, want %q %v", tc.name, labels, counts, tc.labels, tc.counts)
		}
	}
	if strings.Contains(Bar("nan", "", []string{"a"}, Series{"s", []float64{nan()}}).Option(), "NaN") {
		t.Error("NaN reached the JSON")
	}
}

func nan() float64 { var z float64; return z / z }

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSpansFrom(t *testing.T) {
	t0 := time.Unix(100, 0)
	spans := SpansFrom([]metrics.Call{
		{Label: "a", Start: t0.Add(time.Second), Latency: time.Second},
		{Label: "b", Start: t0, Latency: 2 * time.Second, Err: errors.New("status code: 429, rate limit")},
		{Label: "c", Start: t0, Latency: time.Millisecond, CacheHit: true},
		{Label: "d", Start: t0, Latency: time.Second, Err: errors.New("status code: 500; took 4290 ms")},
	})
	want := []Span{{"a", time.Second, 2 * time.Second, "ok"}, {"b", 0, 2 * time.Second, "429"},
		{"c", 0, time.Millisecond, "cached"}, {"d", 0, time.Second, "error"}}
	for i := range want {
		if spans[i] != want[i] {
			t.Errorf("span %d = %+v, want %+v", i, spans[i], want[i])
		}
	}
}

func TestDisplayOutsideNotebook(t *testing.T) {
	// The test binary is not run by GoNB: Display must not panic and must not print the bundle.
	out := captureStdout(t, func() { sampleCharts()[0].Display() })
	if strings.Count(out, "\n") != 1 || len(out) > 200 {
		t.Errorf("Display outside a notebook printed %d bytes: %q", len(out), out)
	}
}

func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = old }()
	f()
	w.Close()
	b := make([]byte, 1<<20)
	n, _ := r.Read(b)
	return string(b[:n])
}

func TestCrowdedLabelsAreTilted(t *testing.T) {
	few := Bar("t", "ms", []string{"a", "b"}, Series{Name: "s", Values: []float64{1, 2}})
	if strings.Contains(few.Option(), `"rotate"`) {
		t.Errorf("two short labels were tilted: %s", few.Option())
	}
	var many []string
	for i := range 12 {
		many = append(many, fmt.Sprintf("gpt-4.1-mini-%02d", i))
	}
	crowd := Bar("t", "$", many, Series{Name: "s", Values: make([]float64, 12)})
	if o := crowd.Option(); !strings.Contains(o, `"rotate":35`) || !strings.Contains(o, `"interval":"0"`) {
		t.Errorf("12 long labels were not all shown tilted: %s", o)
	}
}

// timelineSeries maps each drawn series of a Timeline to its colour, and lists the legend.
func timelineSeries(t *testing.T, c *Chart) (colors map[string]string, legend []any) {
	t.Helper()
	o := option(t, c)
	colors = map[string]string{}
	for _, s := range o["series"].([]any) {
		s := s.(map[string]any)
		color, _ := s["itemStyle"].(map[string]any)["color"].(string)
		colors[s["name"].(string)] = color
	}
	switch l := o["legend"].(type) {
	case map[string]any:
		legend, _ = l["data"].([]any)
	case []any:
		legend, _ = l[0].(map[string]any)["data"].([]any)
	}
	return colors, legend
}

func TestTimelineOtherKinds(t *testing.T) {
	spans := []Span{
		{Label: "a", End: time.Second, Kind: "ok"},
		{Label: "b", End: time.Second, Kind: "stage"},
		{Label: "c", End: time.Second, Kind: "summary"},
		{Label: "d", End: time.Second, Kind: "stage"},
		{Label: "e", End: time.Second},
	}
	colors, legend := timelineSeries(t, Timeline("t", spans))
	if fmt.Sprint(legend) != "[ok stage summary span]" {
		t.Errorf("legend = %v, want every kind once, in order of appearance", legend)
	}
	seen := map[string]string{}
	for _, k := range []string{"ok", "stage", "summary", "span"} {
		c, ok := colors[k]
		if !ok {
			t.Errorf("kind %q has no series: %v", k, colors)
			continue
		}
		if c == "" || c == "#9a9a9a" || c == "transparent" {
			t.Errorf("kind %q drawn in %q, want a colour of its own", k, c)
		}
		if other, dup := seen[c]; dup {
			t.Errorf("kinds %q and %q share colour %s", other, k, c)
		}
		seen[c] = k
	}
	if colors["ok"] != KindColors["ok"] {
		t.Errorf("ok drawn in %s, want KindColors' %s", colors["ok"], KindColors["ok"])
	}
	again, _ := timelineSeries(t, Timeline("t", spans))
	if fmt.Sprint(again) != fmt.Sprint(colors) {
		t.Errorf("colours changed between two drawings of the same spans: %v then %v", colors, again)
	}
}

func TestKindColorsSkipUsedAndRepeat(t *testing.T) {
	defer func(saved map[string]string) { KindColors = saved }(KindColors)
	KindColors = map[string]string{"cpu": OtherColors[0]} // a chosen colour that is also the palette's first
	got := kindColors([]string{"x", "cpu"})
	if got["cpu"] != OtherColors[0] || got["x"] != OtherColors[1] {
		t.Errorf("kindColors = %v, want cpu %s and x the next free colour %s", got, OtherColors[0], OtherColors[1])
	}
	var many []string
	for i := range len(OtherColors) + 1 {
		many = append(many, fmt.Sprint("k", i))
	}
	if got := kindColors(many); got[many[len(OtherColors)]] != OtherColors[0] {
		t.Errorf("past the palette's end got %v, want the colours to repeat from %s", got, OtherColors[0])
	}
}

// valueAxisMax is the max of a chart's value axis in its option ("" when unset).
func valueAxisMax(t *testing.T, c *Chart, axis string) string {
	t.Helper()
	a := option(t, c)[axis].([]any)[0].(map[string]any)
	if m, ok := a["max"]; ok {
		return fmt.Sprint(m)
	}
	return ""
}

func TestSameScale(t *testing.T) {
	fast := Timeline("optimized", []Span{{Start: 0, End: 300 * time.Millisecond}})
	slow := Timeline("naive", []Span{{Start: 0, End: 1700 * time.Millisecond}, {Start: 10, End: 20}})
	bar := Bar("calls", "calls", []string{"a"}, Series{"s", []float64{42}})
	SameScale(fast, slow, nil)
	if got := valueAxisMax(t, fast, "xAxis"); got != "2000" {
		t.Errorf("optimized timeline's axis ends at %q, want 2000 (1,700 ms rounded up)", got)
	}
	if got := valueAxisMax(t, slow, "xAxis"); got != "2000" {
		t.Errorf("naive timeline's axis ends at %q, want 2000", got)
	}
	if got := valueAxisMax(t, bar, "yAxis"); got != "" {
		t.Errorf("a chart left out of SameScale got max %q", got)
	}
	a, b := Bar("a", "ms", []string{"x"}, Series{"s", []float64{3}}), Line("b", "k", "ms", []float64{1}, Series{"s", []float64{7.2}})
	SameScale(a, b)
	if valueAxisMax(t, a, "yAxis") != "10" || valueAxisMax(t, b, "yAxis") != "10" {
		t.Errorf("bar and line maxima %q, %q; want 10", valueAxisMax(t, a, "yAxis"), valueAxisMax(t, b, "yAxis"))
	}
	for _, tc := range []struct{ in, want float64 }{{1, 1}, {1.2, 2}, {2, 2}, {2.1, 2.5}, {3, 5}, {7, 10}, {0.034, 0.05}, {1700, 2000}} {
		if got := niceCeil(tc.in); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("niceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestBeforeAfterColoursOnlySignificantChanges(t *testing.T) {
	c := metrics.Comparison{Rows: []metrics.Row{
		metrics.CompareSamples("cost", "$", "lower", []float64{2, 2, 2, 2, 2}, []float64{1, 1, 1, 1, 1}),
		metrics.CompareSamples("p95", "ms", "lower", []float64{100, 102, 98, 101, 99}, []float64{1, 2, 1, 2, 1}),
		metrics.CompareSamples("p50", "ms", "lower", []float64{100, 120, 90, 110, 95}, []float64{105, 98, 115, 92, 101}),
		metrics.CompareSamples("tokens/s", "tokens/s", "higher", []float64{10, 11, 10, 11, 10}, []float64{5, 5, 6, 5, 5}),
		metrics.CompareSamples("wall", "ms", "lower", []float64{100}, []float64{10}),
	}}
	o := option(t, BeforeAfter("t", c))
	after := o["series"].([]any)[1].(map[string]any)["data"].([]any)
	var got []string
	for _, d := range after {
		d := d.(map[string]any)
		got = append(got, fmt.Sprint(d["itemStyle"].(map[string]any)["color"], " ", d["label"].(map[string]any)["formatter"]))
	}
	want := "[#91cc75 {c}% #91cc75 {c}% #9a9a9a {c}% ~ #ee6666 {c}% #9a9a9a {c}% ~]"
	if fmt.Sprint(got) != want {
		t.Errorf("bar colours and labels %v,\nwant %s (better, better, noise, worse, one run each)", got, want)
	}
}
