package cachingtest_test

import (
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	"github.com/llmperf/workbook/lessons/suite"
	sol "github.com/llmperf/workbook/solutions/caching"
)

// The semantic suite must pass the reference solution and a correct cache written differently (other), and fail
// each flawed variant of that cache at the check named.

func TestSemanticReferencePasses(t *testing.T) {
	if check, err := suite.FirstFailure(t, cachingtest.SemanticChecks(sol.Impl().NewSemantic)); err != nil {
		t.Errorf("the reference fails %q: %v", check, err)
	}
}

func TestSemanticOtherCorrectPasses(t *testing.T) {
	if check, err := suite.FirstFailure(t, cachingtest.SemanticChecks(other(flaws{}))); err != nil {
		t.Errorf("a correct cache written differently fails %q: %v", check, err)
	}
}

func TestRejectsBrokenSemantic(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flaws flaws
		check string
	}{
		{"returns the nearest whatever its similarity", flaws{nearest: true}, "below the threshold is a miss, even for the nearest"},
		{"a threshold of its own", flaws{fixedThreshold: 0.9}, "the threshold is the one given"},
		{"the first entry above the threshold", flaws{firstAbove: true}, "the most similar entry wins"},
		{"the last entry above the threshold", flaws{lastAbove: true}, "the most similar entry wins"},
		{"a dot product: assumes unit vectors", flaws{dotOnly: true}, "similarity is the cosine: lengths do not matter"},
		{"mixes models", flaws{anyModel: true}, "another model's vectors are never compared"},
		{"compares the common prefix of vectors of other lengths", flaws{prefix: true}, "vectors of another length are never compared"},
		{"normalises the caller's vector in place", flaws{inPlace: true}, "Put keeps its own copy and leaves the caller's vector alone"},
		{"keeps the caller's slice", flaws{noCopy: true}, "Put keeps its own copy and leaves the caller's vector alone"},
		{"adds the same question twice", flaws{noReplace: true}, "putting the same question again replaces its answer"},
		{"not bounded in entries", flaws{noEntryBound: true}, "holds maxEntries, evicting the least recently used"},
		{"first in, first out", flaws{fifo: true}, "holds maxEntries, evicting the least recently used"},
		{"counts only the text's bytes", flaws{textBytesOnly: true}, "holds maxBytes, vectors and text included"},
		{"counts only the vector's bytes", flaws{vectorBytesOnly: true}, "holds maxBytes, vectors and text included"},
		{"evicts before refusing an entry too large", flaws{evictFirst: true}, "an entry larger than maxBytes is refused and evicts nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectFailure(t, cachingtest.SemanticChecks(other(tc.flaws)), tc.check)
		})
	}
}

// racyChild names the environment variable that makes TestRejectsRacySemantic the child process.
const racyChild = "CACHINGTEST_RACY_SEMANTIC_CHILD"

// TestRejectsRacySemantic runs the concurrency check on the cache without its lock in a child process (a data
// race can crash a process, and under -race the detector fails whatever test it happens in), and expects the
// child to fail: by the check's own verdict, a crash of the runtime, or the race detector.
func TestRejectsRacySemantic(t *testing.T) {
	checks := cachingtest.SemanticChecks(other(flaws{racy: true}))
	i := slices.IndexFunc(checks, func(c suite.Check) bool { return c.Name == "safe for concurrent use" })
	if os.Getenv(racyChild) != "" {
		for range 5 { // each round is near-certain to catch it; five make a pass by luck vanishingly rare
			if err := checks[i].Run(t); err != nil {
				t.Fatal("REJECTED: ", err)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRejectsRacySemantic$", "-test.count=1")
	cmd.Env = append(os.Environ(), racyChild+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite accepted a cache without a lock:\n%s", out)
	}
	var signs []string
	for _, sign := range []string{"REJECTED", "DATA RACE", "concurrent map", "panic"} {
		if strings.Contains(string(out), sign) {
			signs = append(signs, sign)
		}
	}
	if len(signs) == 0 {
		t.Fatalf("the child failed without the check's verdict, a race report or a crash: %v\n%s", err, out)
	}
	t.Logf("rejected, the child's output shows: %s", strings.Join(signs, ", "))
}

// flaws are the mistakes other can make; the zero value makes a correct cache.
type flaws struct {
	nearest         bool    // hits the nearest entry whatever its similarity
	fixedThreshold  float64 // if not 0, used instead of the threshold given
	firstAbove      bool    // hits the first entry (oldest put) at or above the threshold
	lastAbove       bool    // hits the last entry at or above the threshold
	dotOnly         bool    // similarity is the dot product
	anyModel        bool    // compares vectors of every model
	prefix          bool    // compares vectors of other lengths over their common prefix
	inPlace         bool    // normalises the caller's slice in place and keeps it
	noCopy          bool    // keeps the caller's slice as it is
	noReplace       bool    // a second Put of a question adds a second entry
	noEntryBound    bool    // ignores maxEntries
	fifo            bool    // a hit does not count as a use
	textBytesOnly   bool    // counts only query and answer against maxBytes
	vectorBytesOnly bool    // counts only the vector against maxBytes
	evictFirst      bool    // evicts to make room before refusing an entry larger than maxBytes
	racy            bool    // no lock
}

// other returns a constructor of a semantic cache written unlike the reference: a slice in order of use, the
// cosine recomputed in float64 on every lookup, copies of vectors as given.
func other(f flaws) cachingtest.NewSemanticFunc {
	return func(threshold float64, maxEntries, maxBytes int) caching.SemanticCache {
		if f.fixedThreshold != 0 {
			threshold = f.fixedThreshold
		}
		return &otherCache{f: f, threshold: threshold, maxEntries: maxEntries, maxBytes: maxBytes}
	}
}

type otherEntry struct {
	query, model, answer string
	values               []float32
	size                 int
}

type otherCache struct {
	f                    flaws
	threshold            float64
	maxEntries, maxBytes int
	mu                   sync.Mutex
	entries              []otherEntry // least recently used first
	bytes                int
}

func (c *otherCache) lock() func() {
	if c.f.racy {
		return func() {}
	}
	c.mu.Lock()
	return c.mu.Unlock
}

func (c *otherCache) similarity(a, b []float32) float64 {
	n := min(len(a), len(b))
	var dot, na, nb float64
	for i := range n {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if c.f.dotOnly {
		return dot
	}
	return dot / math.Sqrt(na*nb)
}

func (c *otherCache) Get(q caching.Vector) (caching.SemanticHit, bool) {
	defer c.lock()()
	best, bestSim := -1, math.Inf(-1)
	for i, e := range c.entries {
		if (e.model != q.Model && !c.f.anyModel) || (len(e.values) != len(q.Values) && !c.f.prefix) {
			continue
		}
		sim := c.similarity(e.values, q.Values)
		above := sim >= c.threshold
		switch {
		case c.f.firstAbove && above && best < 0, c.f.lastAbove && above:
			best, bestSim = i, sim
		case !c.f.firstAbove && !c.f.lastAbove && sim > bestSim:
			best, bestSim = i, sim
		}
	}
	if best < 0 || (!(bestSim >= c.threshold) && !c.f.nearest) {
		return caching.SemanticHit{}, false
	}
	e := c.entries[best]
	if !c.f.fifo {
		c.entries = append(slices.Delete(c.entries, best, best+1), e)
	}
	return caching.SemanticHit{Query: e.query, Answer: e.answer, Similarity: bestSim}, true
}

func (c *otherCache) Put(query string, q caching.Vector, answer string) {
	size := caching.SemanticEntryBytes(query, q, answer)
	switch {
	case c.f.textBytesOnly:
		size = len(query) + len(answer)
	case c.f.vectorBytesOnly:
		size = 4 * len(q.Values)
	}
	values := slices.Clone(q.Values)
	switch {
	case c.f.noCopy:
		values = q.Values
	case c.f.inPlace:
		values = q.Values
		var sum float64
		for _, x := range values {
			sum += float64(x) * float64(x)
		}
		scale := float32(1 / math.Sqrt(sum))
		for i := range values {
			values[i] *= scale
		}
	}
	defer c.lock()()
	if !c.f.noReplace {
		if i := slices.IndexFunc(c.entries, func(e otherEntry) bool { return e.query == query && e.model == q.Model }); i >= 0 {
			c.bytes -= c.entries[i].size
			c.entries = slices.Delete(c.entries, i, i+1)
		}
	}
	if size > c.maxBytes && !c.f.evictFirst {
		return
	}
	for len(c.entries) > 0 && ((len(c.entries) >= c.maxEntries && !c.f.noEntryBound) || c.bytes+size > c.maxBytes) {
		c.bytes -= c.entries[0].size
		c.entries = slices.Delete(c.entries, 0, 1)
	}
	if size > c.maxBytes {
		return
	}
	c.entries = append(c.entries, otherEntry{query: query, model: q.Model, answer: answer, values: values, size: size})
	c.bytes += size
}

func (c *otherCache) Len() int {
	defer c.lock()()
	return len(c.entries)
}
