package cost

import (
	"errors"
	"fmt"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/cost"
)

// Request is a chat request to price before it is sent (see lessons/cost).
type Request = cost.Request

// Estimate is the priced forecast of one request (see lessons/cost).
type Estimate = cost.Estimate

// EstimateCost prices req with table: prompt tokens counted by the model's tokenizer with the chat overhead,
// req.Cached of them at the cached-input price, and the expected output tokens (req.Output, or else the
// request's max tokens) at the output price.
func EstimateCost(table prices.Table, req Request) (Estimate, error) {
	model := req.Chat.Model
	price, err := table.Lookup(model)
	if err != nil {
		return Estimate{}, fmt.Errorf("estimate: %w", err)
	}
	if len(req.Chat.Messages) == 0 {
		return Estimate{}, errors.New("estimate: the request has no messages")
	}
	out := req.Output
	switch {
	case out < 0:
		return Estimate{}, fmt.Errorf("estimate: expected output of %d tokens is negative", out)
	case out == 0 && req.Chat.MaxCompletionTokens > 0:
		out = req.Chat.MaxCompletionTokens
	case out == 0 && req.Chat.MaxTokens > 0:
		out = req.Chat.MaxTokens
	case out == 0:
		return Estimate{}, errors.New("estimate: no expected output: set Request.Output or the request's max tokens")
	}
	prompt := tokens.CountChat(model, req.Chat.Messages)
	if req.Cached < 0 || req.Cached > prompt {
		return Estimate{}, fmt.Errorf("estimate: %d cached tokens is outside the prompt's 0..%d", req.Cached, prompt)
	}
	return Estimate{
		Model:        model,
		PromptTokens: prompt,
		CachedTokens: req.Cached,
		OutputTokens: out,
		Cost:         price.Cost(prompt, req.Cached, out),
	}, nil
}
