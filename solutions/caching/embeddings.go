package caching

import (
	"context"
	"fmt"
	"sync/atomic"

	lessons "github.com/llmperf/workbook/lessons/caching"
	openai "github.com/sashabaranov/go-openai"
)

// Embedder is the method Embeddings wraps: *openai.Client and llm.Client have it.
type Embedder = lessons.Embedder

// MaxBatch is the most inputs Embeddings sends in one request (the OpenAI API's limit).
const MaxBatch = 2048

// Embeddings is an embedding client with a cache per input string: a batch sends upstream only the inputs it
// has not seen, each once, and gets back one vector per input in input order. The model is part of every key.
// Safe for concurrent use if its cache is. Vectors are shared with the cache: treat them as read-only.
type Embeddings struct {
	upstream Embedder
	model    openai.EmbeddingModel
	cache    Cache[string, []float32]

	hits, sent, requests atomic.Int64
}

// NewEmbeddings wraps upstream for model with cache (nil: a new LRU of DefaultCapacity entries).
func NewEmbeddings(upstream Embedder, model openai.EmbeddingModel, cache Cache[string, []float32]) *Embeddings {
	if cache == nil {
		cache = NewLRU[string, []float32](DefaultCapacity)
	}
	return &Embeddings{upstream: upstream, model: model, cache: cache}
}

func (e *Embeddings) key(input string) string { return string(e.model) + "\x00" + input }

// Embed returns one vector per input, in order.
func (e *Embeddings) Embed(ctx context.Context, inputs []string) ([][]float32, error) {
	out := make([][]float32, len(inputs))
	var misses []string         // distinct inputs to send, in first-seen order
	where := map[string][]int{} // miss → its positions in inputs
	for i, in := range inputs {
		if v, ok := e.cache.Get(e.key(in)); ok {
			out[i] = v
			e.hits.Add(1)
			continue
		}
		if _, seen := where[in]; !seen {
			misses = append(misses, in)
		}
		where[in] = append(where[in], i)
	}
	for start := 0; start < len(misses); start += MaxBatch {
		batch := misses[start:min(start+MaxBatch, len(misses))]
		vectors, err := e.fetch(ctx, batch)
		if err != nil {
			return nil, err
		}
		for j, in := range batch {
			e.cache.Put(e.key(in), vectors[j])
			for _, i := range where[in] {
				out[i] = vectors[j]
			}
		}
	}
	return out, nil
}

// fetch asks the upstream for batch and returns its vectors in batch order, matched by index.
func (e *Embeddings) fetch(ctx context.Context, batch []string) ([][]float32, error) {
	e.requests.Add(1)
	e.sent.Add(int64(len(batch)))
	resp, err := e.upstream.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: batch, Model: e.model})
	if err != nil {
		return nil, err
	}
	if len(resp.Data) != len(batch) {
		return nil, fmt.Errorf("caching: asked for %d embeddings, got %d", len(batch), len(resp.Data))
	}
	vectors := make([][]float32, len(batch))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(batch) || vectors[d.Index] != nil {
			return nil, fmt.Errorf("caching: embedding answer has a bad or repeated index %d", d.Index)
		}
		vectors[d.Index] = d.Embedding
	}
	return vectors, nil
}

// EmbeddingStats counts inputs answered from cache, inputs sent upstream and requests made.
type EmbeddingStats struct {
	Hits, Sent, Requests int64
}

// Stats returns the counts so far.
func (e *Embeddings) Stats() EmbeddingStats {
	return EmbeddingStats{Hits: e.hits.Load(), Sent: e.sent.Load(), Requests: e.requests.Load()}
}
