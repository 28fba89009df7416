package cost

import (
	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/prices"
)

// Request is a chat request to price before it is sent.
type Request struct {
	// Chat is the request as it will be sent: its Model and Messages decide the prompt tokens.
	Chat openai.ChatCompletionRequest
	// Output is the number of completion tokens expected. 0 means the most the call can bill:
	// Chat.MaxCompletionTokens, or else Chat.MaxTokens. With neither, there is nothing to estimate from.
	Output int
	// Cached is how many of the prompt tokens are expected to be served from the provider's prompt cache
	// (billed at the cached-input price). It cannot be negative or more than the prompt.
	Cached int
}

// Estimate is the priced forecast of one request.
type Estimate struct {
	Model        string
	PromptTokens int // every prompt token, cached ones included, as usage.prompt_tokens counts them
	CachedTokens int // the part of PromptTokens billed at the cached-input price
	OutputTokens int // expected completion tokens
	Cost         prices.Money
}
