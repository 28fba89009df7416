package caching

import (
	"time"

	lessons "github.com/llmperf/workbook/lessons/caching"
	openai "github.com/sashabaranov/go-openai"
)

// Impl connects your code to the suite (lessons/caching/cachingtest.Run); no need to edit.
func Impl() lessons.Impl {
	return lessons.Impl{
		NewLRU: func(capacity int) lessons.LRUCache[string, int] { return NewLRU[string, int](capacity) },
		NewTTL: func(capacity int, ttl time.Duration) lessons.ExpiringCache[string, int] {
			return NewTTL[string, int](capacity, ttl)
		},
		NewClient: func(up lessons.Chatter, cache lessons.Cache[string, openai.ChatCompletionResponse], p lessons.Policy) lessons.Chatter {
			return NewClient(up, cache, p)
		},
		OpenStore: func(dir string) (lessons.Store, error) {
			s, err := OpenStore(dir)
			if err != nil {
				return nil, err // not a nil *Store inside a non-nil interface
			}
			return s, nil
		},
		NewEmbeddings: func(up lessons.Embedder, model openai.EmbeddingModel, cache lessons.Cache[string, []float32]) lessons.BatchEmbedder {
			return NewEmbeddings(up, model, cache)
		},
		NewSemantic: func(threshold float64, maxEntries, maxBytes int) lessons.SemanticCache {
			return NewSemantic(threshold, maxEntries, maxBytes)
		},
	}
}
