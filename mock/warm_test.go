package mock

import (
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
)

func TestWarm(t *testing.T) {
	if err := Warm(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{tokens.O200kBase, tokens.Cl100kBase} {
		f, ok := vocabs.Load(name)
		if !ok || len(f.(func() *vocab)().lower) == 0 {
			t.Errorf("Warm left the %s vocabulary unbuilt", name)
		}
	}
}
