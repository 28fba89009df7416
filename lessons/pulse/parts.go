package pulse

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strings"
	"sync"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/lessons/streaming"
	openai "github.com/sashabaranov/go-openai"
)

// Parts lists the week exercises the capstone is built from, with a tiny call of each, from the weeks' Impls: an
// implementation's impl.go passes its own (exercises/pulse passes the learner's weeks, solutions/pulse the
// reference ones).
func Parts(s streaming.Impl, c caching.Impl, k concurrency.Impl) []Part {
	ctx := context.Background()
	return []Part{
		{"lru", func() {
			lru := c.NewLRU(1)
			lru.Put("a", 1)
			lru.Get("a")
		}},
		{"client", func() {
			cl := c.NewClient(answerChatter{}, &mapCache{}, caching.CacheDeterministic)
			cl.CreateChatCompletion(ctx, RecordRequest("a"))
		}},
		{"records", func() {
			for range s.Records(strings.NewReader("a\n\nb\n")) {
			}
		}},
		{"pipeline", func() {
			one := func(yield func(string, error) bool) { yield("a", nil) }
			s.Pipeline(ctx, 1, iter.Seq2[string, error](one),
				func(_ context.Context, in string) (string, error) { return in, nil },
				func(string) error { return nil })
		}},
		{"limiter", func() {
			if l, err := k.NewLimiter(60, 1000, 1000); err == nil && l != nil {
				if l.Wait(ctx, 1) == nil {
					l.Settle(1, 1)
				}
			}
		}},
		{"retry", func() {
			k.Retry(ctx, concurrency.Backoff{MaxAttempts: 2}, func(context.Context) error { return errProbe })
			rt := k.Transport(roundTripper(func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}, nil
			}))
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://probe.invalid/", nil)
			if resp, err := rt.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}},
	}
}

var errProbe = errors.New("pulse: a probe's failure, not retryable")

// answerChatter answers every request at once with one word.
type answerChatter struct{}

func (answerChatter) CreateChatCompletion(context.Context, openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	return openai.ChatCompletionResponse{Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{
		Role: openai.ChatMessageRoleAssistant, Content: "ok"}}}}, nil
}

// mapCache is the smallest Cache of answers.
type mapCache struct {
	mu sync.Mutex
	m  map[string]openai.ChatCompletionResponse
}

func (c *mapCache) Get(k string) (openai.ChatCompletionResponse, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *mapCache) Put(k string, v openai.ChatCompletionResponse) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]openai.ChatCompletionResponse{}
	}
	c.m[k] = v
}

func (c *mapCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
