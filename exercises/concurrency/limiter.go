package concurrency

import (
	"context"

	"github.com/llmperf/workbook/lessons/todo"
	openai "github.com/sashabaranov/go-openai"
)

// Limiter keeps calls under a requests-per-minute and a tokens-per-minute limit, with two token buckets from
// golang.org/x/time/rate: one for requests (a burst of one, so requests are spaced evenly) and one for tokens
// (whose burst is the largest request it lets through).
//
// Wait charges a call's estimated tokens; Settle reconciles the estimate with the usage the API reported. Decide
// how: tokens beyond the estimate can be charged with ReserveN (the bucket goes into debt that later callers wait
// off); tokens estimated but not used can become a credit that the next Wait spends first, capped so the bucket
// and the credit together never hold more than the burst. Write your choice in this comment.
type Limiter struct {
	// your fields: the two rate.Limiters, a mutex, the credit
}

// NewLimiter returns a limiter for rpm requests and tpm tokens per minute whose largest request is maxTokens
// tokens. All three must be positive and maxTokens at most tpm; otherwise return an error.
func NewLimiter(rpm, tpm, maxTokens int) (*Limiter, error) {
	todo.Exercise("limiter") // delete this line: rate.NewLimiter(rate.Limit(per minute / 60), burst) twice
	return nil, nil
}

// Wait blocks until a request estimated at estimate tokens may start, or ctx ends. An estimate above maxTokens
// can never pass (rate.Limiter.WaitN fails on it): return a clear error at once.
//
// If ctx ends while waiting, return its error and take nothing; if the wait cannot end before ctx's deadline,
// fail at once. Simplest: WaitN on the tokens, then Wait on the requests (rate.Limiter.WaitN does both). Better:
// ReserveN on both at the same instant and sleep for the longer delay (cancelling both reservations if ctx ends
// first, or if the delay passes its deadline), so neither reservation sits idle while you wait for the other.
func (l *Limiter) Wait(ctx context.Context, estimate int) error {
	todo.Exercise("limiter") // delete this line: wait for a request and the tokens
	return nil
}

// Settle reconciles a request that Wait let through with estimate tokens: actual is the usage the API reported
// (0 if the request never reached it).
func (l *Limiter) Settle(estimate, actual int) {
	todo.Exercise("limiter") // delete this line: charge the extra, give back the unused
}

// Estimate is the most a chat request can cost before it is sent: its prompt counted with the model's real
// tokenizer (tokens.CountChat), plus the longest answer it allows (MaxCompletionTokens, else MaxTokens, else
// defaultOut), times the number of choices N.
func Estimate(req openai.ChatCompletionRequest, defaultOut int) int {
	todo.Exercise("limiter") // delete this line and count
	return 0
}
