package chart

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-echarts/go-echarts/v2/render"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/llmperf/workbook/kit/redact"
)

// Chart is one chart, ready to display or save. Build it with Bar, Line, Histogram, Percentiles, Timeline or
// BeforeAfter.
type Chart struct {
	Title string

	r       snippetRenderer
	once    sync.Once
	snippet render.ChartSnippet

	top    float64           // the largest value on the value axis (see SameScale)
	setMax func(max float64) // sets the value axis' upper end; nil for charts without one
}

type snippetRenderer interface{ RenderSnippet() render.ChartSnippet }

// Snippet is go-echarts' rendering of the chart: the element, its script and the option JSON.
func (c *Chart) Snippet() render.ChartSnippet {
	c.once.Do(func() { c.snippet = c.r.RenderSnippet() })
	return c.snippet
}

// Option is the chart's ECharts option as JSON (its data and settings).
func (c *Chart) Option() string { return c.Snippet().Option }

// Fragment is the chart's element followed by its script: the HTML for a page that loads ECharts once (see
// SavePage and Display). The script draws the chart when ECharts is there and waits for it otherwise (see
// drawScript); it runs inside a block, so go-echarts' `let goecharts_<id>` is not declared twice when the same
// output runs again. Until the chart is drawn, its element shows a short note saying why it may not be. Like
// everything this package shows, it passes through kit/redact.
func (c *Chart) Fragment() string {
	s := c.Snippet()
	id := elementID(s.Element)
	el := strings.Replace(s.Element, `id="`+id+`" style="`, `id="`+id+`" style="color:#888;font-size:13px;`, 1)
	el = strings.Replace(el, "></div>", ">"+html.EscapeString(placeholder)+"</div>", 1)
	return redact.String(el + "\n<script type=\"text/javascript\">" + drawScript(id, scriptBody(s.Script)) + "</script>\n")
}

// elementID is the id of go-echarts' chart element.
func elementID(element string) string {
	_, rest, ok := strings.Cut(element, `class="item" id="`)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// HTML is the chart on its own: the ECharts loader followed by Fragment, about 1 MB because of the bundle.
// Display sends this only with the first chart of a kernel, and Fragment after that.
func (c *Chart) HTML() string {
	return `<div class="llmperf-chart">` + "\n" + loaderScript() + c.Fragment() + "</div>"
}

// scriptBody strips go-echarts' <script> tags and makes "</" inside the code safe to inline.
func scriptBody(script string) string {
	s := strings.TrimSpace(script)
	if i := strings.Index(s, ">"); strings.HasPrefix(s, "<script") && i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, "</script>")
	return strings.ReplaceAll(s, "</", `<\/`)
}

// Display draws the chart in the GoNB cell that runs it. Outside a notebook it prints a one-line note on
// standard output and nothing else (use SavePage to get a file).
//
// The ECharts bundle (about 1 MB) goes to the notebook once per kernel, with its first chart; later charts
// (about 2–50 KB each) use the copy the page already has, or run the first chart's copy again when the notebook
// is reopened with its outputs. So a notebook saved after Run All carries the bundle once, and its charts draw
// again when it is reopened: JupyterLab trusts, and runs the scripts of, a notebook it saved itself.
func (c *Chart) Display() {
	if !gonbui.IsNotebook {
		fmt.Print(redact.String(fmt.Sprintf("[chart %q: drawn in a GoNB notebook; use chart.SavePage for an HTML file]\n", c.Title)))
		return
	}
	if firstChart() {
		gonbui.DisplayHTML(c.HTML())
	} else {
		gonbui.DisplayHTML(`<div class="llmperf-chart">` + "\n" + c.Fragment() + "</div>")
	}
	// Wait until GoNB has taken the output: a cell's program may exit right after, and output still in the
	// pipe then is lost.
	gonbui.Sync()
}

// SavePage writes one standalone HTML page with the given charts, the ECharts bundle inlined: it opens in any
// browser without network. The file is written to a temporary name and renamed, so a failure leaves any
// previous file at path intact.
func SavePage(path, title string, charts ...*Chart) error {
	title = redact.String(title)
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}" +
		".llmperf-chart{margin:1em 0}</style>\n")
	b.WriteString(loaderScript())
	b.WriteString("</head>\n<body>\n<h1>")
	b.WriteString(html.EscapeString(title))
	b.WriteString("</h1>\n")
	for _, c := range charts {
		if c == nil {
			continue
		}
		b.WriteString(`<div class="llmperf-chart">` + "\n")
		b.WriteString(c.Fragment())
		b.WriteString("</div>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return writeFileAtomic(path, []byte(b.String()))
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("chart: save %s: %w", path, err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("chart: save %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("chart: save %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("chart: save %s: %w", path, err)
	}
	return nil
}
