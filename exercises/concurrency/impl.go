package concurrency

import (
	"context"
	"net/http"
	"time"

	lessons "github.com/llmperf/workbook/lessons/concurrency"
)

// Impl connects this package to the week's suite (lessons/concurrency); no need to edit.
func Impl() lessons.Impl {
	return lessons.Impl{
		NewSemaphore: func(n int) lessons.Semaphore { return NewSemaphore(n) },
		Batch:        Batch[string],
		NewLimiter: func(rpm, tpm, maxTokens int) (lessons.Limiter, error) {
			l, err := NewLimiter(rpm, tpm, maxTokens)
			if err != nil {
				return nil, err
			}
			return l, nil
		},
		Retry:     Retry,
		Transport: func(base http.RoundTripper) http.RoundTripper { return &Transport{Base: base} },
		First: func(ctx context.Context, hedge time.Duration, calls []func(context.Context) (string, error)) (string, error) {
			return First(ctx, hedge, calls...)
		},
	}
}
