package caching

import (
	lessons "github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/todo"
)

// Vector is an embedding and the model that made it; SemanticHit is what a lookup finds.
type (
	Vector      = lessons.Vector
	SemanticHit = lessons.SemanticHit
)

// Semantic is a semantic cache: Get answers a question with the answer stored for the most similar question
// already put, when the cosine similarity of their embeddings is at least the threshold.
//
// The suite checks, with vectors it makes up:
//   - a hit reports the stored question, its answer and the cosine similarity; the most similar entry wins;
//   - the nearest entry below the threshold is a miss, and the threshold is the one given;
//   - the similarity is the cosine: vectors need not have length 1;
//   - vectors are compared only with vectors of the same model and the same length;
//   - Put copies the vector and leaves the caller's alone (do not normalise it in place);
//   - putting the same question (and model) again replaces its answer;
//   - at most maxEntries entries and maxBytes bytes, each entry counted as lessons.SemanticEntryBytes, evicting
//     the least recently used (a hit is a use); an entry larger than maxBytes is not stored and evicts nothing;
//   - safe for concurrent use: nothing lost or mixed up when 8 goroutines put and get at once.
//
// A linear scan over every entry is fine at the course's sizes.
type Semantic struct {
	// your fields: the threshold, the bounds, a mutex, the entries (query, model, vector, answer, size)
}

// NewSemantic returns an empty semantic cache.
func NewSemantic(threshold float64, maxEntries, maxBytes int) *Semantic {
	todo.Exercise("semantic") // delete this line and build the cache
	return nil
}

// Get returns the entry most similar to q, if its cosine similarity is at least the threshold.
func (s *Semantic) Get(q Vector) (SemanticHit, bool) {
	todo.Exercise("semantic") // delete this line: scan the entries of q's model and length, keep the best
	return SemanticHit{}, false
}

// Put stores answer for query, whose embedding is q, evicting the least recently used entries to make room.
func (s *Semantic) Put(query string, q Vector, answer string) {
	todo.Exercise("semantic") // delete this line: copy the vector, replace or insert, evict to fit
}

// Len is the number of entries.
func (s *Semantic) Len() int {
	todo.Exercise("semantic") // delete this line
	return 0
}
