package data

import (
	"slices"
	"strings"
	"testing"
)

func TestWorkloadDeterministic(t *testing.T) {
	a, b := Workload(500, 50, 1.1, 9), Workload(500, 50, 1.1, 9)
	if !slices.Equal(a, b) {
		t.Error("same seed, different workloads")
	}
	if slices.Equal(a, Workload(500, 50, 1.1, 10)) {
		t.Error("different seeds, same workload")
	}
}

func TestWorkloadShape(t *testing.T) {
	for _, tc := range []struct {
		n, distinct int
		s           float64
	}{{0, 10, 1}, {1, 1, 1}, {100, 1, 2}, {1000, 10, 0}, {1000, 5000, 1.2}} {
		w := Workload(tc.n, tc.distinct, tc.s, 1)
		if len(w) != tc.n {
			t.Errorf("Workload(%d, %d) has %d prompts", tc.n, tc.distinct, len(w))
		}
		seen := map[string]bool{}
		for _, p := range w {
			seen[p] = true
			if !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, "?") {
				t.Errorf("odd prompt %q", p)
			}
		}
		if len(seen) > tc.distinct {
			t.Errorf("Workload(%d, %d) has %d distinct prompts", tc.n, tc.distinct, len(seen))
		}
	}
}

func counts(w []string) []int {
	m := map[string]int{}
	for _, p := range w {
		m[p]++
	}
	var c []int
	for _, n := range m {
		c = append(c, n)
	}
	slices.Sort(c)
	slices.Reverse(c)
	return c
}

func TestWorkloadZipfSkew(t *testing.T) {
	const n, distinct = 20_000, 100
	c := counts(Workload(n, distinct, 1.2, 5))
	// With s = 1.2 over 100 prompts, rank 1 has probability 1/H ≈ 0.278 (H = Σ k^-1.2 ≈ 3.60), rank 2 ≈ 0.121.
	if top := float64(c[0]) / n; top < 0.25 || top > 0.31 {
		t.Errorf("most frequent prompt has share %.3f, want about 0.278", top)
	}
	if c[0] < 2*c[1] || c[0] < 10*c[len(c)/2] {
		t.Errorf("not skewed: top %d, second %d, median %d", c[0], c[1], c[len(c)/2])
	}
	// s = 0 is uniform: every prompt near n/distinct = 200.
	u := counts(Workload(n, distinct, 0, 5))
	if len(u) != distinct || u[0] > 300 || u[len(u)-1] < 120 {
		t.Errorf("uniform counts range %d…%d over %d prompts", u[len(u)-1], u[0], len(u))
	}
}

func TestWorkloadPanics(t *testing.T) {
	for _, tc := range []struct {
		name        string
		n, distinct int
		s           float64
	}{{"no distinct", 5, 0, 1}, {"negative s", 5, 5, -1}} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "Workload") {
					t.Errorf("%s: recover() = %v, want a clear panic", tc.name, r)
				}
			}()
			Workload(tc.n, tc.distinct, tc.s, 1)
		}()
	}
}

func TestPromptsDiffer(t *testing.T) {
	seen := map[string]int{}
	for i := range 50_000 { // beyond the template × event × site × week catalogue, so suffixes kick in
		p := Prompt(i)
		if j, dup := seen[p]; dup {
			t.Fatalf("Prompt(%d) = Prompt(%d) = %q", i, j, p)
		}
		seen[p] = i
	}
}

func BenchmarkWorkload(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Workload(10_000, 1000, 1.1, 1)
	}
}
