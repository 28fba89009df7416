package scale_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/scale"
	openai "github.com/sashabaranov/go-openai"
)

// Every process of an app runs this: one limit and one cache for all of them. (Not run as a test: it needs a
// Redis at localhost:6379.)
func Example() {
	rdb, err := scale.Connect("redis://localhost:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	defer rdb.Close()
	// The key's limits, as the provider's dashboard shows them; the limiter lowers them if the provider says less.
	lim, err := scale.NewLimiter(rdb, scale.Limits{RPM: 500, TPM: 200_000}, scale.Options{Name: "my-key:gpt-4o-mini"})
	if err != nil {
		log.Fatal(err)
	}
	defer lim.Leave(context.Background())
	cache := scale.NewCache(rdb, scale.CacheOptions{})
	defer cache.Close()

	cfg := openai.DefaultConfig("sk-…")
	cfg.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: http.DefaultTransport}} // the limiter sees the headers
	upstream := openai.NewClientWithConfig(cfg)
	sender := &concurrency.Sender{Limiter: lim} // week 4's Sender, with the shared limiter
	client := scale.NewClient(chatFunc(func(ctx context.Context, req openai.ChatCompletionRequest) (resp openai.ChatCompletionResponse, err error) {
		err = sender.Send(ctx, concurrency.Estimate(req, 0), func(ctx context.Context) (int, error) {
			resp, err = upstream.CreateChatCompletion(ctx, req)
			return resp.Usage.TotalTokens, err
		})
		return resp, err
	}), cache, caching.CacheDeterministic)

	resp, src, err := client.Complete(context.Background(), openai.ChatCompletionRequest{Model: "gpt-4o-mini", Temperature: 0.001,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Summarise today's site log."}}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src, resp.Choices[0].Message.Content) // src: hit, miss, shared (another process's call) or bypass
}

// chatFunc makes a function a caching.Chatter.
type chatFunc func(context.Context, openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error)

func (f chatFunc) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	return f(ctx, req)
}
