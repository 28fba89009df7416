package caching

import (
	"context"
	"sync"

	openai "github.com/sashabaranov/go-openai"
)

// NaiveClient is the cache most people write first: a map from the last message's text to the answer. It is
// here to be measured, not used. It has three bugs the notebook shows with numbers:
//   - the key is the prompt alone, so a different model, system prompt or temperature gets the wrong answer;
//   - nothing stops identical requests in flight: N at once all miss and make N upstream calls (the herd);
//   - the map only grows.
//
// The mutex makes it race-free, not correct: it guards the map, not the gap between "miss" and "stored".
type NaiveClient struct {
	Upstream Chatter

	mu    sync.Mutex
	cache map[string]openai.ChatCompletionResponse
}

// CreateChatCompletion answers req from the map or the upstream.
func (c *NaiveClient) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	prompt := ""
	if n := len(req.Messages); n > 0 {
		prompt = req.Messages[n-1].Content
	}
	c.mu.Lock()
	resp, ok := c.cache[prompt]
	c.mu.Unlock()
	if ok {
		return resp, nil
	}
	resp, err := c.Upstream.CreateChatCompletion(ctx, req)
	if err != nil {
		return resp, err
	}
	c.mu.Lock()
	if c.cache == nil {
		c.cache = make(map[string]openai.ChatCompletionResponse)
	}
	c.cache[prompt] = resp
	c.mu.Unlock()
	return resp, nil
}

// Len is the number of answers held.
func (c *NaiveClient) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cache)
}
