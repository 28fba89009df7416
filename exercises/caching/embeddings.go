package caching

import (
	"context"

	lessons "github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/todo"
	openai "github.com/sashabaranov/go-openai"
)

// Embedder is the method Embeddings wraps: *openai.Client and llm.Client have it.
type Embedder = lessons.Embedder

// Embeddings is an embedding client with a cache per input string (the model is part of every key). A batch
// sends upstream only the inputs not in the cache, each once even if repeated, and returns one vector per input
// in input order. One request carries at most lessons.MaxEmbeddingInputs (2,048, the API's limit) inputs: send
// the misses in the fewest requests that respects it (one, for up to 2,048 misses). Match the answer's vectors to
// inputs by their Index field. Failed requests are returned as errors and cache nothing; an answer with the wrong
// number of vectors, or whose indexes are not 0…n-1 each once, is an error.
//
// The suite (EmbeddingChecks) checks each of these: only misses sent, duplicates sent once, nothing sent for an
// empty or all-cached batch, 4,103 new inputs sent as 2,048 + 2,048 + 7, order by Index, a short answer, bad
// indexes, the model in the key, errors returned and not cached.
type Embeddings struct {
	// your fields: the upstream, the model, the cache
}

// NewEmbeddings wraps upstream for model with cache.
func NewEmbeddings(upstream Embedder, model openai.EmbeddingModel, cache Cache[string, []float32]) *Embeddings {
	todo.Exercise("embeddings") // delete this line and build it
	return nil
}

// Embed returns one vector per input, in order.
func (e *Embeddings) Embed(ctx context.Context, inputs []string) ([][]float32, error) {
	todo.Exercise("embeddings") // delete this line: look up, collect the misses, request them, fill in order
	return nil, nil
}
