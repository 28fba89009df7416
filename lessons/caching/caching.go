// Package caching is week 2's contract: never pay for the same LLM call twice.
//
// It names what the week's exercises build — a bounded LRU cache, expiry by TTL, a caching chat client with
// in-flight deduplication, a cache on disk that survives a restart, an embedding cache that sends only the
// misses, and a semantic cache that answers a question from a similar one. The suite that checks any
// implementation of them is lessons/caching/cachingtest; exercises/caching (the learner's) and solutions/caching
// (the reference) both pass it an Impl.
package caching

import (
	"context"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Cache is a key-value cache safe for concurrent use. Get reports whether the key was present.
type Cache[K comparable, V any] interface {
	Get(key K) (V, bool)
	Put(key K, value V)
	Len() int
}

// LRUCache is the lru exercise's cache: a Cache that can also drop a key. Remove reports whether the key was
// present.
type LRUCache[K comparable, V any] interface {
	Cache[K, V]
	Remove(key K) bool
}

// ExpiringCache is a Cache whose entries expire; Close stops any background work it started.
type ExpiringCache[K comparable, V any] interface {
	Cache[K, V]
	Close() error
}

// Chatter is the one method of a chat client that a caching client wraps and provides. *openai.Client and
// llm.Client (which embeds it) satisfy it.
type Chatter interface {
	CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error)
}

// Embedder is the one method of an embedding client that an embedding cache wraps. *openai.Client satisfies it.
type Embedder interface {
	CreateEmbeddings(ctx context.Context, conv openai.EmbeddingRequestConverter) (openai.EmbeddingResponse, error)
}

// MaxEmbeddingInputs is the most inputs one embeddings request may carry (the OpenAI API's limit): an
// embedding cache splits a larger batch of misses into several requests.
const MaxEmbeddingInputs = 2048

// BatchEmbedder returns one vector per input, in input order.
type BatchEmbedder interface {
	Embed(ctx context.Context, inputs []string) ([][]float32, error)
}

// Store is a cache of bytes on disk. Get reports a missing, torn or corrupt entry as a miss (ok false, err
// nil) and never returns its bytes; err is for failures that are not the entry's fault, such as permissions.
type Store interface {
	Get(key string) (value []byte, ok bool, err error)
	Put(key string, value []byte) error
}

// Policy decides what a caching client does with a request whose answer can differ from one call to the next.
//
// A request is deterministic when it sets a Seed, or sets Temperature to (nearly) zero. Beware: go-openai
// omits a Temperature of exactly 0 from the request, so the API's default (1.0, sampling) applies; ask for
// zero with math.SmallestNonzeroFloat32.
type Policy int

const (
	// CacheDeterministic (the zero value) caches deterministic requests only; every other request goes
	// upstream each time, because caching one sample would turn "varied answers" into "always the same answer".
	CacheDeterministic Policy = iota
	// CacheAll caches every request, sampled or not: the first answer is served to everyone who asks the same
	// thing. Choose it when repeatable answers are what you want (FAQ bots, evaluations, tests).
	CacheAll
)

// String names the policy.
func (p Policy) String() string {
	switch p {
	case CacheDeterministic:
		return "cache deterministic requests"
	case CacheAll:
		return "cache all requests"
	}
	return "unknown policy"
}

// Impl is what an implementation of the week provides: one field per exercise entry point.
type Impl struct {
	// lru: a cache holding at most capacity entries, evicting the least recently used.
	NewLRU func(capacity int) LRUCache[string, int]
	// ttl: an LRU whose entries also expire ttl after they were put.
	NewTTL func(capacity int, ttl time.Duration) ExpiringCache[string, int]
	// client: a chat client that answers repeated requests from cache, under the policy.
	NewClient func(upstream Chatter, cache Cache[string, openai.ChatCompletionResponse], policy Policy) Chatter
	// persistent: a Store kept in files under dir. Opening it removes the temporary files that writers which
	// died in the middle of a Put left behind (older than a moment, and not locked by a live writer).
	OpenStore func(dir string) (Store, error)
	// embeddings: an embedding client that asks upstream only for the inputs it has not seen.
	NewEmbeddings func(upstream Embedder, model openai.EmbeddingModel, cache Cache[string, []float32]) BatchEmbedder
	// semantic: a cache that answers a question from the most similar one stored, when the cosine similarity of
	// their vectors is at least threshold; at most maxEntries entries and maxBytes bytes (SemanticEntryBytes).
	NewSemantic func(threshold float64, maxEntries, maxBytes int) SemanticCache
}
