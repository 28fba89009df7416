// Package chart draws the course's measurements with go-echarts: inline in a GoNB notebook cell, and as
// standalone HTML pages for the command line.
//
// The idea: a number is believed when it is seen. Bar, Line, Histogram, Percentiles, Timeline and BeforeAfter
// build charts from plain values, metrics summaries and request spans; Display draws one in the running cell;
// SavePage writes charts to one HTML file; Table shows rows as an HTML table in a notebook and as Markdown
// elsewhere. SameScale gives charts meant to be compared one value axis, and BeforeAfter colours only the
// changes that metrics judges significant.
//
// Everything works offline. The ECharts 5.4.3 bundle (Apache-2.0, see assets/) is embedded, loaded inside a
// function that hides define, module and exports so that the RequireJS of nbconvert's HTML exports cannot
// capture it, and only evaluated when window.echarts is not already there. It travels once: in a notebook with
// the first chart of each GoNB kernel (a marker file in the kernel's folder remembers it across cells, which are
// separate processes), in a page once in its head. Each later chart draws with the page's copy, runs the first
// chart's copy again when a saved notebook is reopened, or waits for it; its script runs inside a block, so
// running a cell again does not redeclare its variables.
//
// Outside a notebook (no GoNB kernel), Display prints a one-line note instead and Table prints Markdown.
package chart
