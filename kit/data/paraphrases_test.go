package data

import (
	"slices"
	"testing"
)

func TestParaphrasesAreWellFormed(t *testing.T) {
	sets := Paraphrases()
	if len(sets) < 20 {
		t.Fatalf("%d sets, want at least 20", len(sets))
	}
	seen := map[string]bool{}
	perKind := map[ProbeKind]int{}
	add := func(text string) {
		if text == "" || seen[text] {
			t.Errorf("text %q is empty or appears twice", text)
		}
		seen[text] = true
	}
	for _, s := range sets {
		add(s.Cached)
		hits, misses := 0, 0
		for _, p := range s.Probes {
			add(p.Text)
			if !slices.Contains(ProbeKinds(), p.Kind) {
				t.Errorf("probe %q has unknown kind %q", p.Text, p.Kind)
			}
			perKind[p.Kind]++
			if p.ShouldHit() {
				hits++
			} else {
				misses++
			}
		}
		if hits == 0 || misses == 0 {
			t.Errorf("set %q has %d paraphrases and %d near-misses, want at least one of each", s.Cached, hits, misses)
		}
	}
	for _, k := range ProbeKinds() {
		if perKind[k] < 3 {
			t.Errorf("%d probes of kind %q, want at least 3", perKind[k], k)
		}
	}
}

func TestParaphrasesReturnsACopy(t *testing.T) {
	a := Paraphrases()
	a[0].Cached, a[0].Probes[0].Text = "changed", "changed"
	if b := Paraphrases(); b[0].Cached == "changed" || b[0].Probes[0].Text == "changed" {
		t.Error("changing the returned sets changed the package's data")
	}
}

func TestSameMeaning(t *testing.T) {
	for _, k := range ProbeKinds() {
		want := k == Surface || k == Reordered || k == Reworded
		if k.SameMeaning() != want {
			t.Errorf("%q.SameMeaning() = %v, want %v", k, !want, want)
		}
	}
}
