package caching

// Vector is an embedding and the model that made it. Vectors of different models live in different spaces, and so
// do vectors of one model at different lengths (text-embedding-3's "dimensions" option): a semantic cache compares
// a vector only with vectors of the same model and the same length.
type Vector struct {
	Model  string
	Values []float32
}

// SemanticHit is a semantic cache's answer to a lookup: the stored question nearest to the one asked, the answer
// stored with it, and the cosine similarity of their two vectors (1 for the same direction, 0 for unrelated).
type SemanticHit struct {
	Query      string
	Answer     string
	Similarity float64
}

// SemanticCache answers a question with the answer stored for the most similar question already asked, when
// their similarity reaches the cache's threshold. Every hit is a bet that the two questions mean the same thing:
// the threshold sets the odds. It is bounded in entries and in bytes, and safe for concurrent use.
type SemanticCache interface {
	// Get returns the stored entry whose vector has the highest cosine similarity to q among those of q's model
	// and length, if that similarity is at least the threshold; a hit counts as a use of the entry.
	Get(q Vector) (SemanticHit, bool)
	// Put stores answer for the question query, whose embedding is q, replacing the entry of the same query and
	// model if there is one, and evicting the least recently used entries to stay within the bounds. An entry
	// larger than the byte bound by itself is not stored.
	Put(query string, q Vector, answer string)
	// Len is the number of entries.
	Len() int
}

// SemanticEntryBytes is the size a semantic cache counts for one entry against its byte bound: the vector at four
// bytes per component, plus the bytes of the model's name, the question and the answer.
func SemanticEntryBytes(query string, q Vector, answer string) int {
	return 4*len(q.Values) + len(q.Model) + len(query) + len(answer)
}
