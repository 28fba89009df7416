package chart

import (
	"strings"
	"testing"
)

func TestTableMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
		rows    [][]string
		want    string
	}{
		{"empty", nil, nil, ""},
		{"basic", []string{"model", "p95"}, [][]string{{"gpt-4o", "1.2s"}, {"mini", "300ms"}},
			"| model  | p95   |\n| ------ | ----- |\n| gpt-4o | 1.2s  |\n| mini   | 300ms |\n"},
		{"short row padded, pipe escaped", []string{"a", "b"}, [][]string{{"x|y"}},
			"| a    | b   |\n| ---- | --- |\n| x\\|y |     |\n"},
		{"long row kept", []string{"a"}, [][]string{{"1", "2"}},
			"| a   |     |\n| --- | --- |\n| 1   | 2   |\n"},
		{"unicode width", []string{"ratio"}, [][]string{{"0.25×"}}, "| ratio |\n| ----- |\n| 0.25× |\n"},
	} {
		if got := TableMarkdown(tc.headers, tc.rows); got != tc.want {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}

func TestTableHTML(t *testing.T) {
	h := TableHTML([]string{"name", "cost"}, [][]string{{"<b>x</b>", "$0.01"}})
	for _, want := range []string{"<th", ">name</th>", "&lt;b&gt;x&lt;/b&gt;", `text-align:right;padding:2px 10px">$0.01`} {
		if !strings.Contains(h, want) {
			t.Errorf("TableHTML lacks %q:\n%s", want, h)
		}
	}
	if strings.Contains(h, "<b>x") {
		t.Error("cell not escaped")
	}
}

func TestTableHTMLAlignment(t *testing.T) {
	h := TableHTML([]string{"workers", "p95", "note"}, [][]string{{"4 workers", "1.2s", "warm"}})
	for _, want := range []string{
		`text-align:left;padding:2px 10px">4 workers`, // a row label stays left even when it starts with a digit
		`text-align:right;padding:2px 10px">1.2s`,     // a number in another column goes right
		`text-align:left;padding:2px 10px">warm`,      // text in another column stays left
	} {
		if !strings.Contains(h, want) {
			t.Errorf("TableHTML lacks %q:\n%s", want, h)
		}
	}
}
