package caching

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	lessons "github.com/llmperf/workbook/lessons/caching"
)

// Vector is an embedding and the model that made it; SemanticHit is what a lookup finds.
type (
	Vector      = lessons.Vector
	SemanticHit = lessons.SemanticHit
)

// Semantic is a semantic cache: Get answers a question with the answer stored for the most similar question
// already put, when the cosine similarity of their embeddings is at least the threshold. Vectors are compared
// only with vectors of the same model and length. It holds at most maxEntries entries and maxBytes bytes
// (counted by lessons.SemanticEntryBytes), evicting the least recently used, and is safe for concurrent use.
//
// A lookup is a linear scan: one dot product with every stored vector of its model, over unit vectors kept side
// by side in one slice per model and length, under a read lock that lookups share (BenchmarkSemanticGetParallel
// compares it with one plain mutex). Its cost is entries × dimensions multiply-adds: BenchmarkSemanticGet reports
// it per entry. At the course's sizes that is small next to the embedding round trip every lookup follows; it
// grows with the number of entries until the scan is the latency — notebook 02's section 10 measures where, on
// your machine. Past that point the tool is an approximate nearest-neighbour index (HNSW, as vector databases build).
type Semantic struct {
	threshold  float64
	maxEntries int
	maxBytes   int

	mu      sync.RWMutex
	shelves map[space]*shelf
	byKey   map[entryKey]*semanticEntry
	bytes   int
	clock   atomic.Uint64 // ticks once per use; an entry's stamp is its last use
}

// space is the set of vectors that can be compared with each other.
type space struct {
	model string
	dims  int
}

type entryKey struct{ model, query string }

// shelf holds the unit vectors of one space side by side: entry i's at vecs[i*dims : (i+1)*dims]. Its capacity
// stays at its peak, at most twice the vectors the byte bound lets in.
type shelf struct {
	dims    int
	vecs    []float32
	entries []*semanticEntry
}

type semanticEntry struct {
	key    entryKey
	answer string
	size   int
	shelf  *shelf
	index  int
	used   atomic.Uint64
}

// NewSemantic returns an empty semantic cache. It panics if threshold is NaN or a bound is less than 1.
func NewSemantic(threshold float64, maxEntries, maxBytes int) *Semantic {
	if math.IsNaN(threshold) || maxEntries < 1 || maxBytes < 1 {
		panic(fmt.Sprintf("caching: NewSemantic needs a threshold and bounds of at least 1, got %v, %d entries, "+
			"%d bytes", threshold, maxEntries, maxBytes))
	}
	return &Semantic{
		threshold: threshold, maxEntries: maxEntries, maxBytes: maxBytes,
		shelves: map[space]*shelf{}, byKey: map[entryKey]*semanticEntry{},
	}
}

// Get returns the entry most similar to q, if its cosine similarity is at least the threshold.
func (s *Semantic) Get(q Vector) (SemanticHit, bool) {
	norm := length(q.Values)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return SemanticHit{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	sh := s.shelves[space{q.Model, len(q.Values)}]
	if sh == nil {
		return SemanticHit{}, false
	}
	best, bestDot := -1, float32(math.Inf(-1))
	for i := range sh.entries {
		if d := dot(sh.vecs[i*sh.dims:(i+1)*sh.dims], q.Values); d > bestDot {
			best, bestDot = i, d
		}
	}
	sim := float64(bestDot) / norm // stored vectors are unit vectors: dividing by |q| makes the dot a cosine
	if best < 0 || !(sim >= s.threshold) {
		return SemanticHit{}, false
	}
	e := sh.entries[best]
	e.used.Store(s.clock.Add(1))
	return SemanticHit{Query: e.key.query, Answer: e.answer, Similarity: sim}, true
}

// Put stores answer for query, whose embedding is q, replacing the entry of the same query and model and
// evicting the least recently used entries to make room. An entry larger than maxBytes, or a zero vector, is not
// stored. Put copies q.Values and never changes them.
func (s *Semantic) Put(query string, q Vector, answer string) {
	size := lessons.SemanticEntryBytes(query, q, answer)
	norm := length(q.Values)
	valid := norm != 0 && !math.IsNaN(norm) && !math.IsInf(norm, 0) && size <= s.maxBytes
	key := entryKey{q.Model, query}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.byKey[key]; old != nil {
		s.remove(old) // replaced, or superseded by an answer too large to keep
	}
	if !valid {
		return
	}
	for len(s.byKey) >= s.maxEntries || s.bytes+size > s.maxBytes {
		s.remove(s.leastRecent())
	}
	sp := space{q.Model, len(q.Values)}
	sh := s.shelves[sp]
	if sh == nil {
		sh = &shelf{dims: len(q.Values)}
		s.shelves[sp] = sh
	}
	inv := float32(1 / norm)
	for _, x := range q.Values {
		sh.vecs = append(sh.vecs, x*inv)
	}
	e := &semanticEntry{key: key, answer: answer, size: size, shelf: sh, index: len(sh.entries)}
	e.used.Store(s.clock.Add(1))
	sh.entries = append(sh.entries, e)
	s.byKey[key] = e
	s.bytes += size
}

// Len is the number of entries.
func (s *Semantic) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byKey)
}

// leastRecent is the entry used longest ago; the cache must not be empty. It scans every entry: a Put that
// evicts pays entries steps, where every Get pays entries × dimensions.
func (s *Semantic) leastRecent() *semanticEntry {
	var oldest *semanticEntry
	var stamp uint64
	for _, sh := range s.shelves {
		for _, e := range sh.entries {
			if u := e.used.Load(); oldest == nil || u < stamp {
				oldest, stamp = e, u
			}
		}
	}
	return oldest
}

// remove deletes e, moving its shelf's last entry into its place.
func (s *Semantic) remove(e *semanticEntry) {
	sh, last := e.shelf, len(e.shelf.entries)-1
	if e.index != last {
		moved := sh.entries[last]
		copy(sh.vecs[e.index*sh.dims:(e.index+1)*sh.dims], sh.vecs[last*sh.dims:])
		sh.entries[e.index], moved.index = moved, e.index
	}
	sh.entries[last] = nil
	sh.entries, sh.vecs = sh.entries[:last], sh.vecs[:last*sh.dims]
	if last == 0 {
		delete(s.shelves, space{e.key.model, sh.dims})
	}
	delete(s.byKey, e.key)
	s.bytes -= e.size
}

// length is the Euclidean length of v.
func length(v []float32) float64 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	return math.Sqrt(n)
}

// dot is the dot product of a and b (len(b) ≥ len(a)), with four sums so the additions do not wait on each other.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}
