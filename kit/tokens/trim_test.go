package tokens

import "testing"

// TestDropUnusedCopy: the copy of the vocabulary that tiktoken-go never reads is found and freed, and the
// encoder still encodes and decodes. If this fails after an upgrade of tiktoken-go, check whether the new
// version reads the field before changing dropUnusedCopy.
func TestDropUnusedCopy(t *testing.T) {
	for _, name := range []string{O200kBase, Cl100kBase} {
		e, err := ForEncoding(name)
		if err != nil {
			t.Fatal(err)
		}
		if !dropUnusedCopy(e.tk) {
			t.Fatalf("%s: tiktoken-go has no CoreBPE.sortedTokenBytes any more: see dropUnusedCopy", name)
		}
		const text = "Concrete pour on level 3 delayed by rain — 40 m³ rescheduled to 07:30."
		if ids := e.Encode(text); len(ids) == 0 || e.Decode(ids) != text {
			t.Errorf("%s: after the copy was dropped, %q encodes to %v and decodes to %q", name, text, ids, e.Decode(ids))
		}
	}
}
