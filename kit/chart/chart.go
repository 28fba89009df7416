package chart

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

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
}

type snippetRenderer interface{ RenderSnippet() render.ChartSnippet }

// Snippet is go-echarts' rendering of the chart: the element, its script and the option JSON.
func (c *Chart) Snippet() render.ChartSnippet {
	c.once.Do(func() { c.snippet = c.r.RenderSnippet() })
	return c.snippet
}

// Option is the chart's ECharts option as JSON (its data and settings).
func (c *Chart) Option() string { return c.Snippet().Option }

// Fragment is the chart's element followed by its script, wrapped in a block: the HTML for a page that has
// already loaded ECharts, passed through kit/redact like everything this package shows. The block keeps go-echarts' top-level `let goecharts_<id>` from being declared twice
// when the same output runs again.
func (c *Chart) Fragment() string {
	s := c.Snippet()
	return redact.String(s.Element + "\n<script type=\"text/javascript\">{\n" + scriptBody(s.Script) + "\n}</script>\n")
}

// HTML is what Display sends to the notebook: the ECharts loader followed by Fragment. It is self-contained,
// about 1 MB because of the bundle.
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

// bundleSent records that this program already sent the bundle to the notebook. A GoNB cell is one program
// and its outputs run in order, so later charts of the same cell can rely on the first one's loader.
var bundleSent atomic.Bool

// Display draws the chart in the GoNB cell that runs it. Outside a notebook it prints a one-line note on
// standard output and nothing else (use SavePage to get a file).
func (c *Chart) Display() {
	if !gonbui.IsNotebook {
		fmt.Print(redact.String(fmt.Sprintf("[chart %q: drawn in a GoNB notebook; use chart.SavePage for an HTML file]\n", c.Title)))
		return
	}
	if bundleSent.Swap(true) {
		gonbui.DisplayHTML(`<div class="llmperf-chart">` + c.Fragment() + "</div>")
	} else {
		gonbui.DisplayHTML(c.HTML())
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
