package mock

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
)

// The token cache's accounted bytes never pass its budget, whatever texts arrive; a text too large for it is
// counted but not kept; a repeated text is answered from it.
func TestCountCacheBoundedInBytes(t *testing.T) {
	var c countCache
	c.init(64 << 10)
	enc, err := tokens.For("gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		c.ids(enc, fmt.Sprintf("text %d: %s", i, strings.Repeat("crane inspection ", 20+i%50)))
		if c.bytes() > c.limit {
			t.Fatalf("after %d texts the cache holds %d bytes, over its budget of %d", i+1, c.bytes(), c.limit)
		}
	}
	if c.c.Len() < 10 {
		t.Errorf("only %d entries kept: the budget is not used", c.c.Len())
	}
	huge := strings.Repeat("rebar ", 6_000) // about 24 KB of ids: more than a quarter of the budget
	before := c.c.Len()
	if n := len(c.ids(enc, huge)); n != tokens.Count("gpt-4o-mini", huge) {
		t.Errorf("huge text: %d ids, want %d", n, tokens.Count("gpt-4o-mini", huge))
	}
	if c.c.Len() != before || c.bytes() > c.limit {
		t.Errorf("a text larger than a quarter of the budget was kept")
	}
	a := c.ids(enc, "a repeated text, long enough to matter")
	b := c.ids(enc, "a repeated text, long enough to matter")
	if &a[0] != &b[0] || !slices.Equal(a, b) {
		t.Errorf("a repeated text was tokenized again")
	}
	var zero countCache
	if n := len(zero.ids(enc, "the zero cache remembers nothing")); n == 0 || zero.bytes() != 0 {
		t.Errorf("zero cache: %d ids, %d bytes", n, zero.bytes())
	}
}
