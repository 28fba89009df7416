package chart

import (
	_ "embed"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// echartsJS is dist/echarts.min.js of echarts@5.4.3, unmodified (see assets/README.md).
//
//go:embed assets/echarts.min.js
var echartsJS string

// EChartsVersion is the version of the embedded ECharts bundle.
const EChartsVersion = "5.4.3"

// carrierAttr marks the script that carries the bundle, so a chart can find it in the page and run it again.
const carrierAttr = "data-llmperf-echarts"

// waitingList is the page's list of charts that arrived before ECharts: the bundle draws them once it has
// loaded.
const waitingList = "window.llmperfEchartsWaiting"

// loaderScript is a <script> that defines window.echarts from the embedded bundle unless it already exists, then
// draws the charts that were waiting for it. The bundle is UMD: it registers with an AMD loader or CommonJS if it
// sees one. Inside this function define, module and exports are undefined parameters, so it always takes the
// browser-global path, even in pages that load RequireJS (nbconvert's HTML export does).
//
// The script carries the attribute data-llmperf-echarts: a chart drawn in a page where ECharts is missing looks
// for this script and runs its text again (see drawScript).
func loaderScript() string {
	var b strings.Builder
	b.Grow(len(echartsJS) + 512)
	b.WriteString(`<script type="text/javascript" ` + carrierAttr + `="` + EChartsVersion + `">` +
		`if (typeof window.echarts === "undefined") {(function (define, module, exports) {` + "\n")
	b.WriteString(echartsJS)
	b.WriteString("\n}).call(window, undefined, undefined, undefined);}\n" +
		"(" + waitingList + " || []).splice(0).forEach(function (draw) { draw(); });</script>\n")
	return b.String()
}

// drawScript wraps a chart's own code (body) so that it runs whether or not the page has ECharts yet. With
// ECharts there, it draws at once. Without it, it first runs the bundle again from the page's carrier script, if
// one is in the page (a notebook reopened with its outputs, where the chart that carried the bundle is above);
// failing that, it puts itself on the waiting list that the bundle empties when it arrives. The element id is
// the chart's; its placeholder text (see placeholder) is cleared when the chart is drawn.
func drawScript(id, body string) string {
	return "{\nconst llmperfDraw = function () {\n" + body + "\n};\n" +
		`const llmperfRun = function () { const el = document.getElementById("` + id + `"); ` +
		`if (el) { el.textContent = ""; } llmperfDraw(); };` + "\n" +
		`if (typeof window.echarts === "undefined") { const c = document.querySelector("script[` + carrierAttr +
		`]"); if (c) { const s = document.createElement("script"); s.text = c.text; document.head.appendChild(s); ` +
		`s.remove(); } }` + "\n" +
		`if (typeof window.echarts !== "undefined") { llmperfRun(); } else { (` + waitingList + " = " +
		waitingList + ` || []).push(llmperfRun); }` + "\n}"
}

// placeholder is the text a chart's element shows until the chart is drawn over it. It stays visible where no
// script runs: in a notebook JupyterLab does not trust, or in a page without the bundle.
const placeholder = "Chart not drawn. If this notebook was opened with saved outputs, JupyterLab may not trust it: " +
	"run the cell again, or run the command “Trust Notebook”. If the text stays after running the cell, restart " +
	"the kernel and run the cell again: the chart library comes with the kernel's first chart."

// bundleSent records, for this process, that the bundle went out with an earlier chart.
var bundleSent atomic.Bool

// markerName is the file in GoNB's per-kernel folder (GONB_TMP_DIR) that says this kernel already sent the
// bundle to the notebook. Every GoNB cell is a new process; the folder lives as long as the kernel.
const markerName = "llmperf-echarts-" + EChartsVersion + ".sent"

// firstChart reports whether this chart is the first of the kernel's life, and so must carry the bundle. It
// is true once per process, and once per GoNB kernel when GONB_TMP_DIR names its folder; when the marker cannot
// be written it errs on the side of sending the bundle again.
func firstChart() bool {
	if bundleSent.Swap(true) {
		return false
	}
	dir := os.Getenv("GONB_TMP_DIR")
	if dir == "" {
		return true
	}
	f, err := os.OpenFile(filepath.Join(dir, markerName), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return false
	}
	if err == nil {
		f.Close()
	}
	return true
}
