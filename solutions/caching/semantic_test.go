package caching_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/llm"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/caching"
	openai "github.com/sashabaranov/go-openai"
)

func ExampleSemantic() {
	up := llm.NewMock(mock.Config{})
	model := openai.SmallEmbedding3
	emb := caching.NewEmbeddings(up, model, nil)
	vector := func(text string) caching.Vector {
		v, err := emb.Embed(context.Background(), []string{text})
		if err != nil {
			panic(err)
		}
		return caching.Vector{Model: string(model), Values: v[0]}
	}

	c := caching.NewSemantic(0.9, 100, 1<<20)
	asked := "When does the concrete pour on level 3 start?"
	c.Put(asked, vector(asked), "At 07:30.")
	for _, q := range []string{
		asked, // the same question
		"What time does the level 3 slab pour begin?",   // the same meaning in other words: missed
		"When does the concrete pour on level 4 start?", // another level, nearly the same words: a false hit
	} {
		if hit, ok := c.Get(vector(q)); ok {
			fmt.Printf("%-46s hit: %q (similarity %.2f)\n", q, hit.Answer, hit.Similarity)
		} else {
			fmt.Printf("%-46s miss\n", q)
		}
	}
	// Output:
	// When does the concrete pour on level 3 start?  hit: "At 07:30." (similarity 1.00)
	// What time does the level 3 slab pour begin?    miss
	// When does the concrete pour on level 4 start?  hit: "At 07:30." (similarity 0.92)
}

// unitVectors returns n pseudo-random vectors of dims components.
func unitVectors(n, dims int) [][]float32 {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]float32, n)
	for i := range out {
		out[i] = make([]float32, dims)
		for j := range out[i] {
			out[i][j] = float32(r.NormFloat64())
		}
	}
	return out
}

// BenchmarkSemanticGet measures a lookup — a linear scan — over caches of text-embedding-3-small's 1536
// dimensions, and reports the time per stored entry: a Get costs entries × that, so the line where the scan
// stops being small next to an embedding round trip can be read off.
func BenchmarkSemanticGet(b *testing.B) {
	const dims = 1536
	queries := unitVectors(64, dims)
	for _, n := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			c := caching.NewSemantic(0.99, n, 1<<40)
			for i, v := range unitVectors(n, dims) {
				c.Put(fmt.Sprint(i), caching.Vector{Model: "m", Values: v}, "answer")
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c.Get(caching.Vector{Model: "m", Values: queries[i%len(queries)]})
				i++
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/entry")
		})
	}
}

// BenchmarkSemanticGetParallel compares lookups from every core at once on the cache as it is (lookups share a
// read lock) and behind one plain mutex (lookups queue). It alternates blocks of concurrent lookups on each, so
// both see the same machine load, and reports each one's time per lookup and the ratio one-mutex/read-lock:
// above 1 when cores are free to run lookups side by side, about 1 on a machine with none free.
func BenchmarkSemanticGetParallel(b *testing.B) {
	const dims, n, block = 1536, 100, 64
	c := caching.NewSemantic(0.99, n, 1<<40)
	for i, v := range unitVectors(n, dims) {
		c.Put(fmt.Sprint(i), caching.Vector{Model: "m", Values: v}, "answer")
	}
	q := caching.Vector{Model: "m", Values: unitVectors(1, dims)[0]}
	gets := []func(caching.Vector) (caching.SemanticHit, bool){c.Get, (&oneMutex{c: c}).Get}
	workers := runtime.GOMAXPROCS(0)
	var spent [2]time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for i, get := range gets {
			start := time.Now()
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range block {
						get(q)
					}
				})
			}
			wg.Wait()
			spent[i] += time.Since(start)
		}
	}
	lookups := float64(b.N * workers * block)
	b.ReportMetric(float64(spent[0].Nanoseconds())/lookups, "ns/get-read-lock")
	b.ReportMetric(float64(spent[1].Nanoseconds())/lookups, "ns/get-one-mutex")
	b.ReportMetric(float64(spent[1])/float64(spent[0]), "one-mutex/read-lock")
}

// oneMutex makes every lookup wait for the one before it.
type oneMutex struct {
	mu sync.Mutex
	c  *caching.Semantic
}

func (o *oneMutex) Get(q caching.Vector) (caching.SemanticHit, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.c.Get(q)
}

// BenchmarkSemanticPut measures a Put into a full cache of 1,000 entries: the copy of the vector and the eviction.
func BenchmarkSemanticPut(b *testing.B) {
	const dims, n = 1536, 1_000
	c := caching.NewSemantic(0.99, n, 1<<40)
	vs := unitVectors(2*n, dims)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Put(fmt.Sprint(i%len(vs)), caching.Vector{Model: "m", Values: vs[i%len(vs)]}, "answer")
		i++
	}
}

func TestSemanticBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"0 entries": func() { caching.NewSemantic(0.9, 0, 1) },
		"0 bytes":   func() { caching.NewSemantic(0.9, 1, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSemanticZeroVector(t *testing.T) {
	c := caching.NewSemantic(-1, 4, 1<<20)
	zero := caching.Vector{Model: "m", Values: make([]float32, 4)}
	c.Put("zero", zero, "a")
	if c.Len() != 0 {
		t.Errorf("a zero vector was stored: it has no direction to compare")
	}
	c.Put("one", caching.Vector{Model: "m", Values: []float32{1, 0, 0, 0}}, "b")
	if hit, ok := c.Get(zero); ok {
		t.Errorf("Get(zero vector) hit %+v, want a miss even at threshold -1", hit)
	}
}
