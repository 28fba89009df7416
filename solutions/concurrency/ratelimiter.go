package concurrency

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter is the week's limiter exercise built as the notebook teaches it: a requests-per-minute and a
// tokens-per-minute limit with two token buckets from golang.org/x/time/rate. Requests are spaced evenly (a burst of one), since providers enforce per-minute
// limits over shorter windows too. The token bucket's burst is the largest request it lets through.
//
// Wait reserves a request and the estimated tokens at the same instant and waits for the later of the two.
// A call's tokens are known only after it: Wait charges an estimate, Settle reconciles it with the usage the
// API reported. Tokens beyond the estimate are charged with ReserveN, which puts the bucket into debt that later
// callers wait off. Tokens estimated but not used become a credit that the next Wait spends before asking the
// bucket; the credit is capped so that bucket and credit together never hold more than the burst.
//
// It passes the same suite as Limiter, which keeps its own buckets so that it can also set them from the
// provider's headers (rate.Limiter has no way to set how many tokens are left); BenchmarkLimiters compares them.
type RateLimiter struct {
	requests, tokens *rate.Limiter

	mu     sync.Mutex
	credit int // tokens given back by Settle, not yet spent
}

// NewRateLimiter returns a RateLimiter for rpm requests and tpm tokens per minute whose largest request is
// maxTokens tokens. All three must be positive, and maxTokens at most tpm.
func NewRateLimiter(rpm, tpm, maxTokens int) (*RateLimiter, error) {
	switch {
	case rpm < 1 || tpm < 1:
		return nil, fmt.Errorf("concurrency: NewRateLimiter(rpm=%d, tpm=%d): limits must be at least 1 per minute", rpm, tpm)
	case maxTokens < 1 || maxTokens > tpm:
		return nil, fmt.Errorf("concurrency: NewRateLimiter: maxTokens=%d must be between 1 and tpm=%d", maxTokens, tpm)
	}
	return &RateLimiter{
		requests: rate.NewLimiter(rate.Limit(float64(rpm)/60), 1),
		tokens:   rate.NewLimiter(rate.Limit(float64(tpm)/60), maxTokens),
	}, nil
}

// Wait blocks until a request estimated at estimate tokens may start, or ctx ends. An estimate above maxTokens
// could never pass (rate.Limiter.WaitN would fail too), so Wait returns an error at once.
func (l *RateLimiter) Wait(ctx context.Context, estimate int) error {
	if burst := l.tokens.Burst(); estimate < 0 || estimate > burst {
		return fmt.Errorf("concurrency: a request of %d tokens can never pass a limiter whose largest request is %d "+
			"(raise maxTokens, or split the request)", estimate, burst)
	}
	fromCredit := l.spendCredit(estimate)
	// Reserve a request and the tokens at the same instant and wait for the later of the two. Waiting for one
	// limiter and then the other would hold the first reservation idle while the second one waits.
	now := time.Now()
	req := l.requests.ReserveN(now, 1)
	tok := l.tokens.ReserveN(now, estimate-fromCredit)
	undo := func() {
		req.CancelAt(time.Now())
		tok.CancelAt(time.Now())
		l.addCredit(fromCredit)
	}
	delay := max(req.DelayFrom(now), tok.DelayFrom(now))
	if delay == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && now.Add(delay).After(deadline) {
		undo()
		return fmt.Errorf("concurrency: limiter: waiting %v for %d tokens would pass the context's deadline: %w",
			delay, estimate, context.DeadlineExceeded)
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		undo()
		return ctx.Err()
	}
}

// Settle reconciles a finished request that Wait let through with estimate tokens: actual is the usage the API
// reported (0 if the request never reached it).
func (l *RateLimiter) Settle(estimate, actual int) {
	switch extra := actual - estimate; {
	case extra > 0:
		for burst := l.tokens.Burst(); extra > 0; extra -= burst {
			l.tokens.ReserveN(time.Now(), min(extra, burst)) // debt: the next callers wait it off
		}
	case extra < 0:
		l.addCredit(-extra)
	}
}

func (l *RateLimiter) spendCredit(want int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.trim()
	n := min(want, l.credit)
	l.credit -= n
	return n
}

func (l *RateLimiter) addCredit(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.credit += n
	l.trim()
}

// trim caps the credit so that the bucket and the credit together hold at most the burst.
func (l *RateLimiter) trim() {
	room := float64(l.tokens.Burst()) - l.tokens.Tokens()
	l.credit = max(0, min(l.credit, int(room)))
}
