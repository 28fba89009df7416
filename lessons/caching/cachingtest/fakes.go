package cachingtest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// MapCache is an unbounded Cache guarded by a mutex: the simplest correct cache, used by the suite so the
// client and embedding exercises do not depend on the LRU exercise. Its zero value is ready to use.
type MapCache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// Get returns the value stored for key.
func (c *MapCache[K, V]) Get(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

// Put stores value for key.
func (c *MapCache[K, V]) Put(key K, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[K]V)
	}
	c.m[key] = value
}

// Len is the number of entries.
func (c *MapCache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// ErrFake is the error FakeChat and FakeEmbedder return when told to fail.
var ErrFake = errors.New("fake upstream: failure on request")

// FakeChat is a Chatter that counts its calls and answers each with a new text ("answer 1", "answer 2", …),
// so a caller can tell a cached answer (same text) from a fresh one. Its zero value is ready to use.
type FakeChat struct {
	// Latency is how long each call takes (virtual time inside a synctest bubble); the call gives up early
	// when its context ends.
	Latency time.Duration

	mu       sync.Mutex
	calls    int
	failNext int
	requests []openai.ChatCompletionRequest
}

// FailNext makes the next n calls fail with ErrFake.
func (f *FakeChat) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = n
}

// Calls is the number of calls that reached the fake, failed ones included.
func (f *FakeChat) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Requests returns a copy of the requests received, in order.
func (f *FakeChat) Requests() []openai.ChatCompletionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]openai.ChatCompletionRequest(nil), f.requests...)
}

// CreateChatCompletion answers req after Latency.
func (f *FakeChat) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.requests = append(f.requests, req)
	fail := f.failNext > 0
	if fail {
		f.failNext--
	}
	f.mu.Unlock()

	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return openai.ChatCompletionResponse{}, ctx.Err()
		case <-timer.C:
		}
	}
	if fail {
		return openai.ChatCompletionResponse{}, fmt.Errorf("%w %d", ErrFake, n)
	}
	return openai.ChatCompletionResponse{
		ID:     fmt.Sprintf("fake-%d", n),
		Object: "chat.completion",
		Model:  req.Model,
		Choices: []openai.ChatCompletionChoice{{
			Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: fmt.Sprintf("answer %d", n)},
			FinishReason: openai.FinishReasonStop,
		}},
		Usage: openai.Usage{PromptTokens: 10, CompletionTokens: 2, TotalTokens: 12},
	}, nil
}

// FakeEmbedder is an Embedder that records every batch it receives and answers each input with a vector
// derived from the model and the input alone (FakeVector). Its zero value is ready to use.
type FakeEmbedder struct {
	// Shuffle returns the embeddings in reverse order (each still carries its Index, as the API's do).
	Shuffle bool
	// Short drops the last embedding of every answer, like a broken upstream.
	Short bool
	// Index, when set, gives the Index field of the answer's i-th embedding (a broken upstream's).
	Index func(i int) int
	// MaxInputs, when positive, fails a request with more inputs than this, as the API does past
	// caching.MaxEmbeddingInputs.
	MaxInputs int

	mu       sync.Mutex
	batches  [][]string
	failNext int
}

// FailNext makes the next n requests fail with ErrFake.
func (f *FakeEmbedder) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = n
}

// Batches returns the inputs of every request received, in order.
func (f *FakeEmbedder) Batches() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, len(f.batches))
	for i, b := range f.batches {
		out[i] = append([]string(nil), b...)
	}
	return out
}

// Inputs is the total number of inputs received over all requests.
func (f *FakeEmbedder) Inputs() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, b := range f.batches {
		n += len(b)
	}
	return n
}

// CreateEmbeddings answers a request whose Input is a string or a []string.
func (f *FakeEmbedder) CreateEmbeddings(ctx context.Context, conv openai.EmbeddingRequestConverter) (openai.EmbeddingResponse, error) {
	if err := ctx.Err(); err != nil {
		return openai.EmbeddingResponse{}, err
	}
	req := conv.Convert()
	var inputs []string
	switch in := req.Input.(type) {
	case string:
		inputs = []string{in}
	case []string:
		inputs = append([]string(nil), in...)
	default:
		return openai.EmbeddingResponse{}, fmt.Errorf("fake embedder: Input is %T, want string or []string", req.Input)
	}
	f.mu.Lock()
	f.batches = append(f.batches, inputs)
	if f.MaxInputs > 0 && len(inputs) > f.MaxInputs {
		f.mu.Unlock()
		return openai.EmbeddingResponse{}, fmt.Errorf("fake embedder: %d inputs in one request; the most is %d",
			len(inputs), f.MaxInputs)
	}
	fail := f.failNext > 0
	if fail {
		f.failNext--
	}
	f.mu.Unlock()
	if fail {
		return openai.EmbeddingResponse{}, ErrFake
	}
	resp := openai.EmbeddingResponse{Object: "list", Model: req.Model}
	for i, in := range inputs {
		resp.Data = append(resp.Data, openai.Embedding{Object: "embedding", Index: i, Embedding: FakeVector(req.Model, in)})
		resp.Usage.PromptTokens += len(in)
	}
	if f.Index != nil {
		for i := range resp.Data {
			resp.Data[i].Index = f.Index(i)
		}
	}
	if f.Shuffle {
		for i, j := 0, len(resp.Data)-1; i < j; i, j = i+1, j-1 {
			resp.Data[i], resp.Data[j] = resp.Data[j], resp.Data[i]
		}
	}
	if f.Short && len(resp.Data) > 0 {
		resp.Data = resp.Data[:len(resp.Data)-1]
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens
	return resp, nil
}

// FakeVector is the vector FakeEmbedder returns for input under model.
func FakeVector(model openai.EmbeddingModel, input string) []float32 {
	h := fnv.New64a()
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write([]byte(input))
	x := h.Sum64()
	v := make([]float32, 4)
	for i := range v {
		v[i] = float32(x>>(16*i)&0xffff) / 0xffff
	}
	return v
}
