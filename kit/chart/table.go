package chart

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/llmperf/workbook/kit/redact"
)

// Table shows rows under headers: as an HTML table in a GoNB cell, as Markdown on standard output elsewhere.
// Rows shorter than headers are padded with empty cells; longer rows keep their extra cells.
func Table(headers []string, rows [][]string) {
	if gonbui.IsNotebook {
		gonbui.DisplayHTML(TableHTML(headers, rows)) // both renderings pass through kit/redact
		gonbui.Sync()                                // see Chart.Display
		return
	}
	fmt.Print(TableMarkdown(headers, rows))
}

func columns(headers []string, rows [][]string) int {
	n := len(headers)
	for _, r := range rows {
		n = max(n, len(r))
	}
	return n
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

// TableHTML renders the table as HTML, every cell escaped. The first column holds row labels and stays
// left-aligned even when a label starts with a digit ("4 workers"); in other columns, cells that look like
// numbers are right-aligned.
func TableHTML(headers []string, rows [][]string) string {
	n := columns(headers, rows)
	var b strings.Builder
	b.WriteString(`<table class="llmperf-table" style="border-collapse:collapse">` + "\n<thead><tr>")
	for i := range n {
		fmt.Fprintf(&b, `<th style="text-align:left;padding:2px 10px;border-bottom:1px solid #888">%s</th>`,
			html.EscapeString(cell(headers, i)))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, r := range rows {
		b.WriteString("<tr>")
		for i := range n {
			c := cell(r, i)
			align := "left"
			if i > 0 && numeric(c) {
				align = "right"
			}
			fmt.Fprintf(&b, `<td style="text-align:%s;padding:2px 10px">%s</td>`, align, html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
	return redact.String(b.String())
}

// numeric reports whether s starts like a number or an amount ("12", "-3.5", "$0.01", "1.2×", "250ms").
func numeric(s string) bool {
	s = strings.TrimLeft(s, "-+$")
	return s != "" && s[0] >= '0' && s[0] <= '9'
}

// TableMarkdown renders the table as a GitHub-flavoured Markdown table with aligned columns, for terminals and
// files. Pipes in cells are escaped and newlines become spaces.
func TableMarkdown(headers []string, rows [][]string) string {
	n := columns(headers, rows)
	if n == 0 {
		return ""
	}
	clean := func(s string) string {
		return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
	}
	all := make([][]string, 0, len(rows)+1)
	for _, r := range append([][]string{headers}, rows...) {
		row := make([]string, n)
		for i := range n {
			row[i] = clean(cell(r, i))
		}
		all = append(all, row)
	}
	widths := make([]int, n)
	for _, r := range all {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c), 3)
		}
	}
	var b strings.Builder
	line := func(r []string) {
		b.WriteString("|")
		for i, c := range r {
			pad := widths[i] - utf8.RuneCountInString(c)
			b.WriteString(" " + c + strings.Repeat(" ", pad) + " |")
		}
		b.WriteString("\n")
	}
	line(all[0])
	b.WriteString("|")
	for _, w := range widths {
		b.WriteString(" " + strings.Repeat("-", w) + " |")
	}
	b.WriteString("\n")
	for _, r := range all[1:] {
		line(r)
	}
	return redact.String(b.String())
}
