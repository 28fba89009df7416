package caching

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	openai "github.com/sashabaranov/go-openai"
)

const (
	benchCapacity = 1024
	benchKeys     = 4 * benchCapacity // Put cycles through 4× the capacity: mostly evictions
)

var benchKeyNames = func() []string {
	k := make([]string, benchKeys)
	for i := range k {
		k[i] = "prompt-" + strconv.Itoa(i)
	}
	return k
}()

// getHits measures Get of keys that are all present.
func getHits(c Cache[string, int]) func(*testing.B) {
	for i := range benchCapacity {
		c.Put(benchKeyNames[i], i)
	}
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Get(benchKeyNames[i%benchCapacity])
			i++
		}
	}
}

// puts measures Put on a full cache, most of them evicting.
func puts(c Cache[string, int]) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			c.Put(benchKeyNames[i%benchKeys], i)
			i++
		}
	}
}

// BenchmarkLRU measures our LRU and hashicorp/golang-lru/v2 side by side.
func BenchmarkLRU(b *testing.B) {
	b.Run("get/ours", getHits(NewLRU[string, int](benchCapacity)))
	b.Run("get/hashicorp", getHits(NewLibrary[string, int](benchCapacity)))
	b.Run("put/ours", puts(NewLRU[string, int](benchCapacity)))
	b.Run("put/hashicorp", puts(NewLibrary[string, int](benchCapacity)))
}

// BenchmarkLRUVsLibrary runs both caches in the same run, alternating blocks of operations on each so both
// see the same machine load, and reports each one's time per operation and their ratio ours/hashicorp
// (below 1: ours is faster). Its own ns/op is for one block on both caches.
func BenchmarkLRUVsLibrary(b *testing.B) {
	const block = 256
	ops := map[string]func(c Cache[string, int], i int){
		"get": func(c Cache[string, int], i int) { c.Get(benchKeyNames[i%benchCapacity]) },
		"put": func(c Cache[string, int], i int) { c.Put(benchKeyNames[i%benchKeys], i) },
	}
	for _, name := range []string{"get", "put"} {
		op := ops[name]
		b.Run(name, func(b *testing.B) {
			caches := []Cache[string, int]{NewLRU[string, int](benchCapacity), NewLibrary[string, int](benchCapacity)}
			for _, c := range caches {
				for i := range benchCapacity {
					c.Put(benchKeyNames[i], i)
				}
			}
			var spent [2]time.Duration
			i, n := 0, 0
			b.ReportAllocs()
			for b.Loop() {
				for j, c := range caches {
					start := time.Now()
					for k := range block {
						op(c, i+k)
					}
					spent[j] += time.Since(start)
				}
				i += block
				n += block
			}
			ours := float64(spent[0].Nanoseconds()) / float64(n)
			lib := float64(spent[1].Nanoseconds()) / float64(n)
			b.ReportMetric(ours, "ours-ns/op")
			b.ReportMetric(lib, "hashicorp-ns/op")
			b.ReportMetric(ours/lib, "ours/hashicorp")
		})
	}
}

// BenchmarkClientHit measures a cache hit through the caching client: key (marshal + SHA-256) and lookup.
func BenchmarkClientHit(b *testing.B) {
	c := NewClient(&cachingtest.FakeChat{}, nil, CacheDeterministic)
	seed := 1
	req := openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Summarise today's site log."}},
		Seed:     &seed,
	}
	ctx := context.Background()
	if _, err := c.CreateChatCompletion(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, src, _ := c.Complete(ctx, req); src != Hit {
			b.Fatalf("source %v, want hit", src)
		}
	}
}

// BenchmarkStore measures a Put (with its two fsyncs) and a Get of a 2 KiB entry on disk.
func BenchmarkStore(b *testing.B) {
	s, err := OpenStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 2048)
	b.Run("put", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := s.Put(fmt.Sprint(i%64), value); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok, _ := s.Get("1"); !ok {
				b.Fatal("miss")
			}
		}
	})
}
