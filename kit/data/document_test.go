package data

import (
	"strings"
	"testing"
)

func TestDocument(t *testing.T) {
	for _, words := range []int{-1, 0, 1, 2, 7, 40, 500, 10_000} {
		d := Document(words, 3)
		if got := len(strings.Fields(d)); got != max(words, 0) {
			t.Errorf("Document(%d) has %d words", words, got)
		}
		if words > 0 && !strings.HasSuffix(d, ".") {
			t.Errorf("Document(%d) ends %q", words, d[max(0, len(d)-20):])
		}
		if d != Document(words, 3) {
			t.Errorf("Document(%d) not deterministic", words)
		}
	}
	d := Document(10_000, 3)
	paras := strings.Split(d, "\n\n")
	if len(paras) < 10_000/140 || len(paras) > 10_000/35 {
		t.Errorf("%d paragraphs in 10,000 words; want 40–120 words each", len(paras))
	}
	for i, p := range paras[:len(paras)-1] {
		if n := len(strings.Fields(p)); n < 40 || n > 160 || strings.Contains(p, "\n") {
			t.Errorf("paragraph %d has %d words", i, n)
		}
	}
	if Document(500, 3) == Document(500, 4) {
		t.Error("seed does not matter")
	}
}
