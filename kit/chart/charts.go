package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/llmperf/workbook/kit/metrics"
)

// Series is a named list of values.
type Series struct {
	Name   string
	Values []float64
}

const width, height = "900px", "420px"

func global(title, subtitle string, h string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{Width: width, Height: h}),
		charts.WithTitleOpts(opts.Title{Title: title, Subtitle: subtitle}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true)}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom"}),
		charts.WithAnimation(false), // draw at once: notebooks and headless exports show the final state
	}
}

// value makes v safe for JSON: NaN and ±Inf become "-", ECharts' missing value.
func value(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return v
}

// Bar draws one bar per label for each series, grouped by label. unit names the value axis.
func Bar(title, unit string, labels []string, series ...Series) *Chart {
	b := charts.NewBar()
	b.SetGlobalOptions(global(title, "", height)...)
	b.SetGlobalOptions(charts.WithYAxisOpts(opts.YAxis{Name: unit}))
	if crowded(labels) {
		// ECharts hides category labels that would overlap; tilt them instead so every bar keeps its name.
		b.SetGlobalOptions(
			charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: 35}}),
			charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Bottom: "48"}),
		)
	}
	b.SetXAxis(labels)
	for _, s := range series {
		data := make([]opts.BarData, len(s.Values))
		for i, v := range s.Values {
			data[i] = opts.BarData{Value: value(v)}
		}
		b.AddSeries(s.Name, data)
	}
	return &Chart{Title: title, r: b, top: largest(series...), setMax: func(m float64) { b.YAxisList[0].Max = m }}
}

// largest is the largest finite value of the series (0 when there is none).
func largest(series ...Series) float64 {
	top := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				top = max(top, v)
			}
		}
	}
	return top
}

// SameScale gives charts that are meant to be compared one value axis: from 0 (or the axis' own minimum) to a
// round number at or above the largest value any of them shows. Bars of equal length then mean equal values
// across the charts. Call it before Display or SavePage; charts already drawn keep their scale. It applies to
// the value axis: the y axis of Bar, Line, Histogram and Percentiles, the time axis of Timeline and the
// percentage axis of BeforeAfter.
func SameScale(charts ...*Chart) {
	top := 0.0
	for _, c := range charts {
		if c != nil && c.setMax != nil {
			top = max(top, c.top)
		}
	}
	if top <= 0 {
		return
	}
	m := niceCeil(top)
	for _, c := range charts {
		if c != nil && c.setMax != nil {
			c.setMax(m)
		}
	}
}

// niceCeil rounds v > 0 up to 1, 2, 2.5 or 5 times a power of ten, the steps an axis reads easily.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if n := f * p; n >= v*(1-1e-12) {
			return n
		}
	}
	return 10 * p
}

// crowded reports whether category labels would not fit side by side under a chart of the default width
// (about 7 pixels a character, 800 pixels of axis).
func crowded(labels []string) bool {
	chars := 0
	for _, l := range labels {
		chars += utf8.RuneCountInString(l) + 2
	}
	return chars*7 > 800
}

// Line draws each series against the numeric x values (series values beyond len(x) are ignored).
func Line(title, xName, yName string, x []float64, series ...Series) *Chart {
	l := charts.NewLine()
	l.SetGlobalOptions(global(title, "", height)...)
	l.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: xName, Scale: opts.Bool(true)}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: yName}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	)
	for _, s := range series {
		n := min(len(x), len(s.Values))
		data := make([]opts.LineData, n)
		for i := range n {
			data[i] = opts.LineData{Value: []any{value(x[i]), value(s.Values[i])}}
		}
		l.AddSeries(s.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(n <= 50)}))
	}
	return &Chart{Title: title, r: l, top: largest(series...), setMax: func(m float64) { l.YAxisList[0].Max = m }}
}

// Histogram counts values into bins of equal width between their minimum and maximum and draws one bar per
// bin. bins ≤ 0 picks ⌈√n⌉ bins, at most 50. NaN and infinite values are left out.
func Histogram(title, unit string, values []float64, bins int) *Chart {
	labels, counts := histogram(values, bins)
	b := charts.NewBar()
	b.SetGlobalOptions(global(title, fmt.Sprintf("%d values", sum(counts)), height)...)
	b.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Name: unit}),
		charts.WithYAxisOpts(opts.YAxis{Name: "count"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	b.SetXAxis(labels)
	data := make([]opts.BarData, len(counts))
	for i, n := range counts {
		data[i] = opts.BarData{Value: n}
	}
	b.AddSeries("count", data, charts.WithBarChartOpts(opts.BarChart{BarCategoryGap: "2%"}))
	top := 0
	for _, n := range counts {
		top = max(top, n)
	}
	return &Chart{Title: title, r: b, top: float64(top), setMax: func(m float64) { b.YAxisList[0].Max = m }}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// histogram returns bin labels ("lo–hi") and counts. The last bin includes the maximum.
func histogram(values []float64, bins int) ([]string, []int) {
	vs := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return []string{}, []int{}
	}
	if bins <= 0 {
		bins = min(int(math.Ceil(math.Sqrt(float64(len(vs))))), 50)
	}
	lo, hi := slices.Min(vs), slices.Max(vs)
	if lo == hi {
		return []string{num(lo)}, []int{len(vs)}
	}
	w := (hi - lo) / float64(bins)
	counts := make([]int, bins)
	for _, v := range vs {
		counts[min(int((v-lo)/w), bins-1)]++
	}
	// Enough decimals to tell neighbouring bin edges apart.
	decimals := max(0, 1-int(math.Floor(math.Log10(w))))
	labels := make([]string, bins)
	for i := range labels {
		labels[i] = fixed(lo+float64(i)*w, decimals) + "–" + fixed(lo+float64(i+1)*w, decimals)
	}
	return labels, counts
}

func fixed(v float64, decimals int) string { return strconv.FormatFloat(v, 'f', decimals, 64) }

func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// PercentilePoints are the percentiles Percentiles plots.
var PercentilePoints = []float64{50, 75, 90, 95, 99, 99.9}

// Percentiles draws, for each named sample of latencies, its p50 … p99.9 (nearest-rank, as metrics.Percentile)
// in milliseconds: the curve bends up where the tail starts. Series are drawn in name order.
func Percentiles(title string, samples map[string][]time.Duration) *Chart {
	l := charts.NewLine()
	l.SetGlobalOptions(global(title, "nearest-rank percentiles", height)...)
	l.SetGlobalOptions(
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: "ms"}),
		charts.WithXAxisOpts(opts.XAxis{Name: "percentile"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
	)
	labels := make([]string, len(PercentilePoints))
	for i, p := range PercentilePoints {
		labels[i] = "p" + strconv.FormatFloat(p, 'f', -1, 64)
	}
	l.SetXAxis(labels)
	top := 0.0
	names := make([]string, 0, len(samples))
	for name := range samples {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		ds := slices.Clone(samples[name])
		slices.Sort(ds)
		data := make([]opts.LineData, len(PercentilePoints))
		for i, p := range PercentilePoints {
			v := ms(metrics.Percentile(ds, p))
			data[i] = opts.LineData{Value: v}
			top = max(top, v)
		}
		l.AddSeries(name, data)
	}
	return &Chart{Title: title, r: l, top: top, setMax: func(m float64) { l.YAxisList[0].Max = m }}
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// Span is one request on a timeline: when it started and ended relative to the start of the run.
type Span struct {
	Label      string
	Start, End time.Duration
	Kind       string // "ok", "error", "429", "cached", or any other name, e.g. "summary" or "stage"
}

// KindColors are the colours of the usual span kinds on a Timeline. Set an entry to choose a kind's colour.
var KindColors = map[string]string{"ok": "#5470c6", "error": "#ee6666", "429": "#fac858", "cached": "#91cc75"}

// OtherColors colour the kinds KindColors does not name, in order of first appearance on the timeline, so the
// same spans always get the same colours. A colour already used on the chart is skipped; past the end of the
// palette the colours repeat.
var OtherColors = []string{"#73c0de", "#fc8452", "#9a60b4", "#3ba272", "#ea7ccc", "#8d6e63"}

// kindColors gives each kind its colour: from KindColors if named there, else the next unused OtherColors.
func kindColors(kinds []string) map[string]string {
	colors := make(map[string]string, len(kinds))
	used := map[string]bool{}
	for _, k := range kinds {
		if c, ok := KindColors[k]; ok {
			colors[k], used[c] = c, true
		}
	}
	next := 0
	for _, k := range kinds {
		if _, ok := colors[k]; ok || len(OtherColors) == 0 {
			continue
		}
		c := OtherColors[next%len(OtherColors)]
		for skip := range len(OtherColors) { // the first unused colour from next on, if any
			if free := OtherColors[(next+skip)%len(OtherColors)]; !used[free] {
				c, next = free, next+skip
				break
			}
		}
		colors[k], used[c] = c, true
		next++
	}
	return colors
}

// Timeline draws one horizontal bar per span, from its start to its end, coloured by kind: concurrency,
// queueing and stragglers become visible. Spans are drawn top to bottom in the order given. Each kind is a
// series with its own legend entry and colour (see KindColors and OtherColors); a span without a kind is
// drawn as kind "span".
//
// It is a stacked bar chart: an invisible bar of length Start, then a bar of length End−Start in the series of
// the span's kind.
func Timeline(title string, spans []Span) *Chart {
	b := charts.NewBar()
	h := fmt.Sprintf("%dpx", min(max(160+18*len(spans), 260), 2400))
	b.SetGlobalOptions(global(title, fmt.Sprintf("%d spans", len(spans)), h)...)
	b.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "ms"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true),
			AxisLabel: &opts.AxisLabel{Show: opts.Bool(len(spans) <= 60)}}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
	)
	labels := make([]string, len(spans))
	kindOf := make([]string, len(spans))
	offset := make([]opts.BarData, len(spans))
	var kinds []string
	for i, s := range spans {
		labels[i] = cmp.Or(s.Label, strconv.Itoa(i+1))
		kindOf[i] = cmp.Or(s.Kind, "span")
		offset[i] = opts.BarData{Value: ms(s.Start), Tooltip: &opts.Tooltip{Show: opts.Bool(false)}}
		if !slices.Contains(kinds, kindOf[i]) {
			kinds = append(kinds, kindOf[i])
		}
	}
	b.SetXAxis(labels)
	b.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "bottom", Data: kinds}))
	stack := opts.BarChart{Stack: "span", BarCategoryGap: "20%"}
	// The offset series has no legend entry and a name no kind is likely to take.
	b.AddSeries(" offset", offset, charts.WithBarChartOpts(stack),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "transparent"}))
	colors := kindColors(kinds)
	for _, k := range kinds {
		data := make([]opts.BarData, len(spans))
		for i, s := range spans {
			if kindOf[i] == k {
				data[i] = opts.BarData{Value: ms(max(s.End-s.Start, 0)),
					Name: fmt.Sprintf("%s: %v → %v", labels[i], s.Start, s.End)}
			} else {
				data[i] = opts.BarData{Value: "-"}
			}
		}
		b.AddSeries(k, data, charts.WithBarChartOpts(stack),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[k]}))
	}
	b.XYReversal()
	top := 0.0
	for _, s := range spans {
		top = max(top, ms(s.End))
	}
	return &Chart{Title: title, r: b, top: top, setMax: func(m float64) { b.XAxisList[0].Max = m }}
}

// SpansFrom turns tracked calls into timeline spans relative to the earliest start. Kind is "cached" for a
// cache hit, "429" for an error whose text mentions 429, "error" for other errors and "ok" otherwise.
func SpansFrom(calls []metrics.Call) []Span {
	if len(calls) == 0 {
		return nil
	}
	t0 := calls[0].Start
	for _, c := range calls {
		if c.Start.Before(t0) {
			t0 = c.Start
		}
	}
	spans := make([]Span, len(calls))
	for i, c := range calls {
		kind := "ok"
		switch {
		case c.CacheHit:
			kind = "cached"
		case c.Err != nil && containsStatus(c.Err.Error(), "429"):
			kind = "429"
		case c.Err != nil:
			kind = "error"
		}
		start := c.Start.Sub(t0)
		spans[i] = Span{Label: c.Label, Start: start, End: start + c.Latency, Kind: kind}
	}
	return spans
}

func containsStatus(s, code string) bool {
	for i := 0; i+len(code) <= len(s); i++ {
		if s[i:i+len(code)] == code && (i == 0 || s[i-1] < '0' || s[i-1] > '9') &&
			(i+len(code) == len(s) || s[i+len(code)] < '0' || s[i+len(code)] > '9') {
			return true
		}
	}
	return false
}

// BeforeAfter draws a comparison: for each measure that has a better direction and a ratio, the after value as
// a percentage of the before value (before = 100%), the medians when the comparison holds repeated runs. The
// category labels carry the values. A bar is green or red only when the change is significant (metrics.Row's
// Verdict: benchstat's test at p ≤ 0.05); inside the noise, or with too few runs to tell, it is grey and its
// label ends with "~", benchstat's mark for "no significant difference".
func BeforeAfter(title string, c metrics.Comparison) *Chart {
	b := charts.NewBar()
	n := 0
	for _, r := range c.Rows {
		if r.Better != "" && r.Before != 0 {
			n++
		}
	}
	h := fmt.Sprintf("%dpx", max(200+50*n, 300))
	b.SetGlobalOptions(global(title, "after as % of before (before = 100%); green: better, red: worse, "+
		"grey ~: no significant difference or too few runs (Mann–Whitney U, p ≤ 0.05)", h)...)
	b.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: "% of before"}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
		charts.WithGridOpts(opts.Grid{Left: "2%", Right: "12%", ContainLabel: opts.Bool(true)}),
	)
	var labels []string
	var before, after []opts.BarData
	top := 100.0
	for _, r := range c.Rows {
		if r.Better == "" || r.Before == 0 {
			continue
		}
		labels = append(labels, fmt.Sprintf("%s: %s → %s", r.Name, r.BeforeText, r.AfterText))
		before = append(before, opts.BarData{Value: 100})
		color, label := "#9a9a9a", "{c}% ~"
		switch r.Verdict() {
		case metrics.Better:
			color, label = "#91cc75", "{c}%"
		case metrics.Worse:
			color, label = "#ee6666", "{c}%"
		}
		pct := math.Round(r.Ratio*1000) / 10
		top = max(top, pct)
		after = append(after, opts.BarData{Value: pct, ItemStyle: &opts.ItemStyle{Color: color},
			Label: &opts.Label{Show: opts.Bool(true), Position: "right", Formatter: label}})
	}
	b.SetXAxis(labels)
	b.AddSeries("before", before, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#bfc7d5"}))
	// The series colour is the legend's swatch; each bar's own colour (its verdict) overrides it.
	b.AddSeries("after", after, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#91cc75"}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{c}%"}))
	b.XYReversal()
	return &Chart{Title: title, r: b, top: top, setMax: func(m float64) { b.XAxisList[0].Max = m }}
}
