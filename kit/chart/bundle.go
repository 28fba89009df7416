package chart

import (
	_ "embed"
	"strings"
)

// echartsJS is dist/echarts.min.js of echarts@5.4.3, unmodified (see assets/README.md).
//
//go:embed assets/echarts.min.js
var echartsJS string

// EChartsVersion is the version of the embedded ECharts bundle.
const EChartsVersion = "5.4.3"

// loaderScript is a <script> that defines window.echarts from the embedded bundle unless it already exists.
// The bundle is UMD: it registers with an AMD loader or CommonJS if it sees one. Inside this function define,
// module and exports are undefined parameters, so it always takes the browser-global path, even in pages
// that load RequireJS (nbconvert's HTML export does).
func loaderScript() string {
	var b strings.Builder
	b.Grow(len(echartsJS) + 256)
	b.WriteString(`<script type="text/javascript">if (typeof window.echarts === "undefined") {` +
		`(function (define, module, exports) {` + "\n")
	b.WriteString(echartsJS)
	b.WriteString("\n}).call(window, undefined, undefined, undefined);}</script>\n")
	return b.String()
}
