package cachingtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/lessons/todo"
	openai "github.com/sashabaranov/go-openai"
)

// NewEmbeddingsFunc builds an embedding cache, as Impl.NewEmbeddings does.
type NewEmbeddingsFunc = func(upstream caching.Embedder, model openai.EmbeddingModel, cache caching.Cache[string, []float32]) caching.BatchEmbedder

const testModel = openai.SmallEmbedding3

func smokeEmbeddings(newEmb NewEmbeddingsFunc) {
	e := newEmb(&FakeEmbedder{}, testModel, &MapCache[string, []float32]{})
	e.Embed(context.Background(), []string{"a"})
}

// embedStep embeds inputs and checks the answer and the batch the upstream received (nil: no request).
func embedStep(e caching.BatchEmbedder, up *FakeEmbedder, inputs, wantSent []string) error {
	before := len(up.Batches())
	got, err := e.Embed(context.Background(), inputs)
	if err != nil {
		return fmt.Errorf("Embed(%q): %v", inputs, err)
	}
	if len(got) != len(inputs) {
		return fmt.Errorf("Embed(%q) returned %d vectors, want %d", inputs, len(got), len(inputs))
	}
	for i, in := range inputs {
		if !slices.Equal(got[i], FakeVector(testModel, in)) {
			return fmt.Errorf("Embed(%q): vector %d is not the one for %q: results must be in input order", inputs, i, in)
		}
	}
	batches := up.Batches()[before:]
	switch {
	case wantSent == nil && len(batches) != 0:
		return fmt.Errorf("Embed(%q) of inputs all in cache sent %q upstream, want no request", inputs, batches)
	case wantSent == nil:
		return nil
	case len(batches) != 1:
		return fmt.Errorf("Embed(%q) sent %d requests upstream, want one batch of the misses %q", inputs, len(batches), wantSent)
	}
	sent := slices.Clone(batches[0])
	slices.Sort(sent)
	want := slices.Clone(wantSent)
	slices.Sort(want)
	if !slices.Equal(sent, want) {
		return fmt.Errorf("Embed(%q) sent %q upstream, want only the misses, each once: %q", inputs, batches[0], wantSent)
	}
	return nil
}

// EmbeddingChecks are the embeddings exercise's checks: only the misses go upstream, each once even when
// repeated, in one request when there are at most caching.MaxEmbeddingInputs of them and split into requests of
// at most that many when there are more; nothing is sent for an empty batch or an all-cached one; vectors come
// back in input order, matched to inputs by their Index; an answer with too few vectors, or whose indexes are not
// 0…n-1 each once, is an error; the model is part of the key; a failed request is returned as an error and
// caches nothing.
func EmbeddingChecks(newEmb NewEmbeddingsFunc) []suite.Check {
	fresh := func(up *FakeEmbedder) caching.BatchEmbedder {
		up.MaxInputs = caching.MaxEmbeddingInputs
		return newEmb(up, testModel, &MapCache[string, []float32]{})
	}
	return []suite.Check{
		{Name: "only misses are sent", Run: func(*testing.T) error {
			up := &FakeEmbedder{}
			e := fresh(up)
			steps := []struct{ inputs, sent []string }{
				{[]string{"crane", "rebar", "slab"}, []string{"crane", "rebar", "slab"}},
				{[]string{"rebar", "pump", "crane", "scaffold"}, []string{"pump", "scaffold"}},
				{[]string{"slab", "pump"}, nil},
			}
			for _, s := range steps {
				if err := embedStep(e, up, s.inputs, s.sent); err != nil {
					return err
				}
			}
			return nil
		}},
		{Name: "duplicates in a batch are sent once", Run: func(*testing.T) error {
			up := &FakeEmbedder{}
			return embedStep(fresh(up), up, []string{"x", "y", "x", "x", "y"}, []string{"x", "y"})
		}},
		{Name: "an empty batch sends nothing", Run: func(*testing.T) error {
			up := &FakeEmbedder{}
			got, err := fresh(up).Embed(context.Background(), nil)
			if err != nil || len(got) != 0 || len(up.Batches()) != 0 {
				return fmt.Errorf("Embed(nil) = (%d vectors, %v) after %d requests, want (0, nil) and no request",
					len(got), err, len(up.Batches()))
			}
			return nil
		}},
		{Name: "answers matched by index", Run: func(*testing.T) error {
			up := &FakeEmbedder{Shuffle: true}
			return embedStep(fresh(up), up, []string{"p", "q", "r"}, []string{"p", "q", "r"})
		}},
		{Name: "big batches are split", Run: func(*testing.T) error {
			const max = caching.MaxEmbeddingInputs
			up := &FakeEmbedder{MaxInputs: max}
			e := fresh(up)
			inputs := make([]string, 2*max+7)
			for i := range inputs {
				inputs[i] = fmt.Sprintf("line %d", i)
			}
			got, err := e.Embed(context.Background(), inputs)
			if err != nil {
				return fmt.Errorf("Embed of %d new inputs (the API takes at most %d per request): %v: split the "+
					"misses into requests of at most %d", len(inputs), max, err, max)
			}
			if len(got) != len(inputs) {
				return fmt.Errorf("Embed of %d inputs returned %d vectors", len(inputs), len(got))
			}
			for i, in := range inputs {
				if !slices.Equal(got[i], FakeVector(testModel, in)) {
					return fmt.Errorf("Embed of %d inputs: vector %d is not the one for %q", len(inputs), i, in)
				}
			}
			sent := 0
			for i, b := range up.Batches() {
				if len(b) > max {
					return fmt.Errorf("request %d carried %d inputs; the most is %d", i, len(b), max)
				}
				sent += len(b)
			}
			if n := len(up.Batches()); n != 3 || sent != len(inputs) {
				return fmt.Errorf("%d new inputs went out in %d requests of %d inputs in all, want 3 requests "+
					"(%d, %d and 7) sending each input once", len(inputs), n, sent, max, max)
			}
			return embedStep(e, up, inputs[max-3:max+3], nil)
		}},
		{Name: "a short answer is an error", Run: func(*testing.T) error {
			up := &FakeEmbedder{Short: true}
			got, err := fresh(up).Embed(context.Background(), []string{"p", "q", "r"})
			if err == nil {
				return fmt.Errorf("upstream answered 2 of 3 inputs and Embed returned %d vectors and no error", len(got))
			}
			return nil
		}},
		{Name: "a bad index is an error", Run: func(*testing.T) error {
			for _, bad := range []struct {
				name  string
				index func(i int) int
			}{
				{"counted from 1", func(i int) int { return i + 1 }},
				{"all 0", func(int) int { return 0 }},
				{"counted from -1", func(i int) int { return i - 1 }},
			} {
				got, err := safeEmbed(fresh(&FakeEmbedder{Index: bad.index}), []string{"p", "q", "r"})
				var p panicked
				if errors.As(err, &p) {
					return fmt.Errorf("the upstream answered 3 inputs with indexes %s and Embed %v: check each "+
						"Index before using it, and return an error", bad.name, err)
				}
				if err == nil {
					return fmt.Errorf("the upstream answered 3 inputs with indexes %s and Embed returned %d vectors "+
						"and no error: indexes must be 0, 1, 2, each once", bad.name, len(got))
				}
			}
			return nil
		}},
		{Name: "the model is part of the key", Run: func(*testing.T) error {
			up := &FakeEmbedder{}
			shared := &MapCache[string, []float32]{}
			newEmb(up, openai.LargeEmbedding3, shared).Embed(context.Background(), []string{"crane"})
			return embedStep(newEmb(up, testModel, shared), up, []string{"crane"}, []string{"crane"})
		}},
		{Name: "errors are returned and not cached", Run: func(*testing.T) error {
			up := &FakeEmbedder{}
			e := fresh(up)
			up.FailNext(1)
			if _, err := e.Embed(context.Background(), []string{"a", "b"}); !errors.Is(err, ErrFake) {
				return fmt.Errorf("the upstream failed and Embed returned %v, want that error (wrapped is fine)", err)
			}
			return embedStep(e, up, []string{"a", "b"}, []string{"a", "b"})
		}},
	}
}

// panicked is the error safeEmbed returns for a panic.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprintf("panicked: %v", p.value) }

// safeEmbed calls Embed and turns a panic (an index out of range) into a panicked error.
func safeEmbed(e caching.BatchEmbedder, inputs []string) (got [][]float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			if nd, ok := r.(todo.NotDone); ok {
				panic(nd)
			}
			err = panicked{r}
		}
	}()
	return e.Embed(context.Background(), inputs)
}
