package scale

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/llmperf/workbook/solutions/caching"
	openai "github.com/sashabaranov/go-openai"
)

// Client is week 2's caching client with a Cache shared by processes: it keys requests with caching.Key, caches
// what the Policy allows (caching.Deterministic requests by default), and makes identical misses in flight in
// any process cost one upstream call. Safe for concurrent use.
type Client struct {
	upstream caching.Chatter
	cache    *Cache
	policy   caching.Policy
}

// NewClient wraps upstream with cache under policy.
func NewClient(upstream caching.Chatter, cache *Cache, policy caching.Policy) *Client {
	return &Client{upstream: upstream, cache: cache, policy: policy}
}

// CreateChatCompletion answers req from the shared cache or the upstream.
func (c *Client) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	resp, _, err := c.Complete(ctx, req)
	return resp, err
}

// Complete is CreateChatCompletion that also says where the answer came from.
func (c *Client) Complete(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, caching.Source, error) {
	if c.policy != caching.CacheAll && !caching.Deterministic(req) {
		resp, err := c.upstream.CreateChatCompletion(ctx, req)
		return resp, caching.Bypass, err
	}
	key, err := caching.Key(req)
	if err != nil {
		return openai.ChatCompletionResponse{}, caching.Bypass, err
	}
	var resp openai.ChatCompletionResponse
	b, src, err := c.cache.Do(ctx, "chat:"+key, func(ctx context.Context) ([]byte, error) {
		r, err := c.upstream.CreateChatCompletion(ctx, req)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	})
	if err != nil {
		return resp, src, err
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return resp, src, fmt.Errorf("scale: a cached answer does not decode: %w", err)
	}
	return resp, src, nil
}
