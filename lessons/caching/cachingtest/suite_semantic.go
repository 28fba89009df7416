package cachingtest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
)

// NewSemanticFunc builds a semantic cache, as Impl.NewSemantic does.
type NewSemanticFunc = func(threshold float64, maxEntries, maxBytes int) caching.SemanticCache

// The models the semantic checks tag their vectors with. Their vectors are made up by the suite: a semantic cache
// never calls a model, it compares the vectors it is given.
const (
	modelA = "text-embedding-3-small"
	modelB = "text-embedding-ada-002"
)

// roomy is a byte bound no check's entries come near, for checks about something else.
const roomy = 1 << 30

// similarityTolerance is how far a reported similarity may be from the exact cosine (float32 arithmetic is fine).
// Every similarity the checks build is at least 0.01 away from the threshold in play, so rounding never decides
// a hit or a miss.
const similarityTolerance = 1e-3

func smokeSemantic(newSem NewSemanticFunc) {
	c := newSem(0.9, 4, roomy)
	c.Put("q", vec(modelA, 1, 0), "a")
	c.Get(vec(modelA, 1, 0))
	c.Len()
}

// vec is a vector of model with the given components.
func vec(model string, values ...float32) caching.Vector {
	return caching.Vector{Model: model, Values: values}
}

// near returns a vector of dims components (dims ≥ 3) whose cosine similarity to the unit vector along the
// first axis is c: c along the first axis and the rest along axis k (1 ≤ k < dims), scaled by length.
func near(model string, dims, k int, c, length float64) caching.Vector {
	v := make([]float32, dims)
	v[0] = float32(length * c)
	v[k] = float32(length * math.Sqrt(1-c*c))
	return caching.Vector{Model: model, Values: v}
}

// first is the unit vector along the first axis.
func first(model string, dims int) caching.Vector { return near(model, dims, 1, 1, 1) }

// randomVectors returns n deterministic pseudo-random vectors of dims components, all of model.
func randomVectors(model string, n, dims int, seed uint64) []caching.Vector {
	r := rand.New(rand.NewPCG(seed, 0x5e3a471c))
	out := make([]caching.Vector, n)
	for i := range out {
		v := make([]float32, dims)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		out[i] = caching.Vector{Model: model, Values: v}
	}
	return out
}

// Cosine is the cosine similarity of a and b, computed in float64; 0 if either is zero or their lengths differ.
func Cosine(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// wantHit checks that Get(q) hits the entry stored as query with answer, reporting similarity want.
func wantHit(c caching.SemanticCache, q caching.Vector, query, answer string, want float64, context string) error {
	hit, ok := c.Get(q)
	switch {
	case !ok:
		return fmt.Errorf("%s: Get missed, want a hit on %q (cosine similarity %.3f)", context, query, want)
	case hit.Query != query || hit.Answer != answer:
		return fmt.Errorf("%s: Get returned the entry (%q, %q), want (%q, %q) (cosine similarity %.3f)",
			context, hit.Query, hit.Answer, query, answer, want)
	case math.Abs(hit.Similarity-want) > similarityTolerance:
		return fmt.Errorf("%s: Get reported similarity %.4f, want the cosine similarity %.4f", context,
			hit.Similarity, want)
	}
	return nil
}

// wantMiss checks that Get(q) misses.
func wantMiss(c caching.SemanticCache, q caching.Vector, context string) error {
	if hit, ok := c.Get(q); ok {
		return fmt.Errorf("%s: Get hit %q (answer %q, similarity %.3f), want a miss", context, hit.Query, hit.Answer,
			hit.Similarity)
	}
	return nil
}

// probe asks c for every vector and returns the indexes that hit their own entry (query "q<i>", answer "a<i>"),
// or an error if one hits another entry.
func probe(c caching.SemanticCache, vs []caching.Vector) ([]int, error) {
	var present []int
	for i, v := range vs {
		hit, ok := c.Get(v)
		if !ok {
			continue
		}
		if want := fmt.Sprint("q", i); hit.Query != want || hit.Answer != fmt.Sprint("a", i) {
			return nil, fmt.Errorf("Get(vector of %s) returned the entry (%q, %q), want its own (%q, %q)", want,
				hit.Query, hit.Answer, want, fmt.Sprint("a", i))
		}
		present = append(present, i)
	}
	return present, nil
}

// SemanticChecks are the semantic exercise's checks.
func SemanticChecks(newSem NewSemanticFunc) []suite.Check {
	const dims = 8
	return []suite.Check{
		{Name: "an empty cache misses", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			if hit, ok := c.Get(first(modelA, dims)); ok || hit != (caching.SemanticHit{}) {
				return fmt.Errorf("Get on an empty cache = (%+v, %v), want the zero SemanticHit and false", hit, ok)
			}
			if n := c.Len(); n != 0 {
				return fmt.Errorf("Len() of an empty cache = %d, want 0", n)
			}
			return nil
		}},
		{Name: "a similar question hits, with its similarity", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("stored", first(modelA, dims), "its answer")
			if err := wantHit(c, first(modelA, dims), "stored", "its answer", 1, "the same vector, threshold 0.9"); err != nil {
				return err
			}
			return wantHit(c, near(modelA, dims, 2, 0.95, 1), "stored", "its answer", 0.95,
				"a vector at cosine 0.95, threshold 0.9")
		}},
		{Name: "below the threshold is a miss, even for the nearest", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("stored", first(modelA, dims), "its answer")
			return wantMiss(c, near(modelA, dims, 2, 0.85, 1),
				"the only entry is at cosine 0.85, threshold 0.9: the nearest entry is not near enough")
		}},
		{Name: "the threshold is the one given", Run: func(*testing.T) error {
			q := near(modelA, dims, 2, 0.8, 1)
			for _, tc := range []struct {
				threshold float64
				hit       bool
			}{{0.5, true}, {0.79, true}, {0.81, false}, {0.97, false}} {
				c := newSem(tc.threshold, 4, roomy)
				c.Put("stored", first(modelA, dims), "its answer")
				context := fmt.Sprintf("an entry at cosine 0.8, threshold %.2f", tc.threshold)
				var err error
				if tc.hit {
					err = wantHit(c, q, "stored", "its answer", 0.8, context)
				} else {
					err = wantMiss(c, q, context)
				}
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{Name: "the most similar entry wins", Run: func(*testing.T) error {
			sims := []float64{0.92, 0.99, 0.95}
			for _, order := range [][]int{{0, 1, 2}, {1, 0, 2}, {2, 0, 1}} {
				c := newSem(0.9, 8, roomy)
				var put []string
				for _, i := range order {
					// entry i sits at cosine sims[i] from the query, the first axis
					c.Put(fmt.Sprint("q", i), near(modelA, dims, i+1, sims[i], 1), fmt.Sprint("a", i))
					put = append(put, fmt.Sprintf("%.2f", sims[i]))
				}
				context := "entries at cosine " + strings.Join(put, ", ") + " (in that order), threshold 0.9"
				if err := wantHit(c, first(modelA, dims), "q1", "a1", 0.99, context); err != nil {
					return err
				}
			}
			return nil
		}},
		{Name: "similarity is the cosine: lengths do not matter", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("stored", near(modelA, dims, 1, 1, 0.5), "its answer") // the first axis, length 0.5
			if err := wantHit(c, near(modelA, dims, 2, 0.95, 0.5), "stored", "its answer", 0.95,
				"entry and query of length 0.5 at cosine 0.95, threshold 0.9"); err != nil {
				return err
			}
			c = newSem(0.9, 4, roomy)
			c.Put("stored", near(modelA, dims, 1, 1, 3), "its answer")
			return wantMiss(c, near(modelA, dims, 2, 0.8, 2),
				"entry of length 3 and query of length 2 at cosine 0.8 (dot product 4.8), threshold 0.9")
		}},
		{Name: "another model's vectors are never compared", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("asked of A", first(modelA, dims), "A's answer")
			if err := wantMiss(c, first(modelB, dims), "Put under model "+modelA+", Get of the same components under "+
				modelB); err != nil {
				return err
			}
			c.Put("asked of B", near(modelB, dims, 2, 0.95, 1), "B's answer")
			return wantHit(c, first(modelB, dims), "asked of B", "B's answer", 0.95,
				"entries under "+modelA+" (cosine 1 if compared) and "+modelB+" (cosine 0.95), Get under "+modelB)
		}},
		{Name: "vectors of another length are never compared", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("long", first(modelA, dims), "the long vector's answer")
			if err := wantMiss(c, first(modelA, dims/2), fmt.Sprintf("Put of %d components, Get of its first %d",
				dims, dims/2)); err != nil {
				return err
			}
			return wantMiss(c, first(modelA, 2*dims), fmt.Sprintf("Put of %d components, Get of the same followed by %d zeros",
				dims, dims))
		}},
		{Name: "Put keeps its own copy and leaves the caller's vector alone", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			q := near(modelA, dims, 1, 1, 3) // length 3: normalising it in place would show
			c.Put("stored", q, "its answer")
			if !(q.Values[0] == 3 && q.Values[1] == 0) {
				return fmt.Errorf("Put changed the caller's vector to %v, want it unchanged (vectors from an "+
					"embedding cache are shared: copy before normalising)", q.Values)
			}
			q.Values[0], q.Values[1] = 0, 3 // the caller reuses its slice
			return wantHit(c, first(modelA, dims), "stored", "its answer", 1,
				"after the caller overwrote the slice it passed to Put")
		}},
		{Name: "putting the same question again replaces its answer", Run: func(*testing.T) error {
			c := newSem(0.9, 4, roomy)
			c.Put("q", first(modelA, dims), "old answer")
			c.Put("q", first(modelA, dims), "new answer")
			if n := c.Len(); n != 1 {
				return fmt.Errorf("Len() = %d after putting the same question twice, want 1", n)
			}
			return wantHit(c, first(modelA, dims), "q", "new answer", 1, "after putting the same question twice")
		}},
		{Name: "holds maxEntries, evicting the least recently used", Run: func(*testing.T) error {
			vs := randomVectors(modelA, 1000, 64, 1)
			c := newSem(0.99, 3, roomy)
			for _, i := range []int{0, 1, 2} {
				c.Put(fmt.Sprint("q", i), vs[i], fmt.Sprint("a", i))
			}
			c.Get(vs[0]) // q0 is now the most recently used, q1 the least
			c.Put("q3", vs[3], "a3")
			present, err := probe(c, vs[:4])
			if err != nil {
				return err
			}
			if fmt.Sprint(present) != "[0 2 3]" || c.Len() != 3 {
				return fmt.Errorf("after Put q0, q1, q2; Get q0; Put q3 into a cache of 3 entries: q%v present and "+
					"Len() = %d, want q[0 2 3] and 3", present, c.Len())
			}
			c = newSem(0.99, 100, roomy)
			for i, v := range vs {
				c.Put(fmt.Sprint("q", i), v, fmt.Sprint("a", i))
				if n := c.Len(); n > 100 {
					return fmt.Errorf("Len() = %d after %d puts into a cache of 100 entries", n, i+1)
				}
			}
			if present, err = probe(c, vs); err != nil {
				return err
			}
			if len(present) != 100 || present[0] != 900 {
				return fmt.Errorf("after 1000 distinct puts into a cache of 100 entries, %d answer (from q%d), "+
					"want the last 100 (q900 to q999)", len(present), append(present, -1)[0])
			}
			return nil
		}},
		{Name: "holds maxBytes, vectors and text included", Run: func(*testing.T) error {
			vs := randomVectors(modelA, 40, 1536, 2)
			short := func(i int) string { return fmt.Sprint("a", i) }
			// Vectors of 1536 components are 6 KiB each, and the answers short: a cache that counts only text
			// holds them all.
			size := caching.SemanticEntryBytes("q10", vs[10], short(10))
			if err := bytesBound(newSem, vs, 10*size, short, 10); err != nil {
				return fmt.Errorf("entries of 1536 float32 and short text, maxBytes room for 10: %w", err)
			}
			// Answers of 64 KiB dwarf the vectors: a cache that counts only vectors holds them all.
			long := func(i int) string { return fmt.Sprint("a", i) + strings.Repeat(".", 64<<10) }
			size = caching.SemanticEntryBytes("q10", vs[10], long(10))
			if err := bytesBound(newSem, vs, 10*size, long, 10); err != nil {
				return fmt.Errorf("entries with 64 KiB answers, maxBytes room for 10: %w", err)
			}
			return nil
		}},
		{Name: "an entry larger than maxBytes is refused and evicts nothing", Run: func(*testing.T) error {
			c := newSem(0.99, 10, 1000)
			vs := randomVectors(modelA, 3, 16, 3)
			c.Put("q0", vs[0], "a0")
			c.Put("q1", vs[1], "a1")
			c.Put("q2", vs[2], strings.Repeat("x", 1000))
			present, err := probe(c, vs)
			if err != nil {
				return err
			}
			if fmt.Sprint(present) != "[0 1]" || c.Len() != 2 {
				return fmt.Errorf("two small entries, then one of over 1000 bytes into a cache of 1000 bytes: q%v "+
					"present and Len() = %d, want q[0 1] and 2", present, c.Len())
			}
			return nil
		}},
		{Name: "safe for concurrent use", Run: func(*testing.T) error {
			return semanticConcurrent(newSem)
		}},
	}
}

// bytesBound puts vs with answer(i) into a cache of maxBytes and checks that exactly the last fit of them answer.
func bytesBound(newSem NewSemanticFunc, vs []caching.Vector, maxBytes int, answer func(int) string, fit int) error {
	c := newSem(0.99, 1000, maxBytes)
	for i, v := range vs {
		c.Put(fmt.Sprint("q", i), v, answer(i))
	}
	var present []int
	for i, v := range vs {
		hit, ok := c.Get(v)
		if !ok {
			continue
		}
		if hit.Query != fmt.Sprint("q", i) || hit.Answer != answer(i) {
			return fmt.Errorf("Get(vector of q%d) returned the entry of %q, want its own", i, hit.Query)
		}
		present = append(present, i)
	}
	if len(present) != fit || present[0] != len(vs)-fit {
		return fmt.Errorf("after %d puts, %d entries answer (the first q%d), want the last %d "+
			"(q%d to q%d): count each entry as SemanticEntryBytes", len(vs), len(present),
			append(present, -1)[0], fit, len(vs)-fit, len(vs)-1)
	}
	return nil
}

// semanticConcurrent has 8 goroutines put and get their own entries and each other's at once, in a cache big
// enough for all of them, and checks that no answer is mixed up and none is lost. A cache without a lock loses
// entries, crashes or returns torn entries here; `go test -race` reports it for certain.
func semanticConcurrent(newSem NewSemanticFunc) error {
	const workers, each = 8, 40
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(4, runtime.GOMAXPROCS(0))))
	vs := randomVectors(modelA, workers*each, 64, 4)
	c := newSem(0.99, workers*each, roomy)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					errs[w] = fmt.Errorf("panic under concurrent use: %v", r)
				}
			}()
			for round := range 3 {
				for i := w; i < len(vs); i += workers {
					if round == 0 {
						c.Put(fmt.Sprint("q", i), vs[i], fmt.Sprint("a", i))
					}
					for _, j := range []int{i, (i + 7) % len(vs), (i + 131) % len(vs)} {
						if hit, ok := c.Get(vs[j]); ok && (hit.Query != fmt.Sprint("q", j) || hit.Answer != fmt.Sprint("a", j)) {
							errs[w] = fmt.Errorf("under concurrent use, Get(vector of q%d) returned the entry (%q, %q)",
								j, hit.Query, hit.Answer)
							return
						}
					}
					c.Len()
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	present, err := probe(c, vs)
	if err != nil {
		return fmt.Errorf("after concurrent use: %w", err)
	}
	if n := c.Len(); len(present) != len(vs) || n != len(vs) {
		return fmt.Errorf("after %d goroutines put %d entries at once into a cache of %d, %d answer and Len() = %d, "+
			"want all %d: entries were lost", workers, len(vs), len(vs), len(present), n, len(vs))
	}
	return nil
}
