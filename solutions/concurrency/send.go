package concurrency

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Sender sends requests under a Limiter and never gives up on one that a rate limit refused while its context
// allows: a 429 waits as long as the provider says (retry-after-ms, retry-after, x-ratelimit-reset-*), goes back
// through the limiter and tries again, as often as it takes. Other transient failures (5xx, 408, a dropped
// connection) are retried with Backoff, at most Backoff.MaxAttempts times; a request that finally fails returns
// the reason. A 429 that says the request is larger than the limit will never pass, and fails at once.
//
// For the limiter to see the provider's headers, the call's HTTP client must use a Transport. The zero Sender
// sends without a limiter and retries other failures up to 8 times (100 ms base, 10 s cap).
type Sender struct {
	Limiter Admitter // a *Limiter, or one shared by processes (solutions/scale); nil: no limiter
	Backoff Backoff  // for failures other than 429; zero: 8 attempts, 100 ms base, 10 s cap
	// OnAttempt, if set, is called after every attempt (from the sending goroutine), for progress and charts.
	OnAttempt func(Attempt)
}

// Admitter is what a Sender needs of a limiter: *Limiter is one; solutions/scale's limiter, shared by several
// processes through Redis, is another.
type Admitter interface {
	Admit(ctx context.Context, estimate int) (Ticket, error)
	Done(t Ticket, r Reply)
}

// Attempt is one try of one request, as OnAttempt sees it.
type Attempt struct {
	Start, End time.Time
	Status     int   // HTTP status; 0 if no response arrived
	Estimate   int   // tokens the limiter charged before sending
	Used       int   // tokens the provider reported
	Err        error // nil on success
}

// Send calls call until it succeeds or fails for good. estimate is what the limiter charges before each attempt
// (Estimate for a chat request); call returns the tokens the provider reported as used.
func (s *Sender) Send(ctx context.Context, estimate int, call func(context.Context) (used int, err error)) error {
	b := s.Backoff
	if b == (Backoff{}) {
		b = Backoff{Base: 100 * time.Millisecond, Cap: 10 * time.Second, MaxAttempts: 8}
	}
	rng := JitterSource(ctx, b.Seed)
	failures, limited := 0, 0
	var last error
	for {
		var t Ticket
		if s.Limiter != nil {
			var err error
			if t, err = s.Limiter.Admit(ctx, estimate); err != nil {
				if last != nil {
					return fmt.Errorf("%w (after %d failed attempts; the last: %w)", err, failures+limited, last)
				}
				return err
			}
		}
		actx, seen := withCapture(ctx)
		start := time.Now()
		used, err := call(actx)
		h := seen.header()
		status := StatusCode(err)
		if err == nil {
			status = 200
		}
		r := Reply{Status: status, Header: h, Used: used}
		var apiErr *openai.APIError
		if errors.As(err, &apiErr) {
			r.Message = apiErr.Message
			r.Type = apiErr.Type
		}
		if s.Limiter != nil {
			s.Limiter.Done(t, r)
		}
		if s.OnAttempt != nil {
			s.OnAttempt(Attempt{Start: start, End: time.Now(), Status: status, Estimate: estimate, Used: used, Err: err})
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (the last attempt: %w)", ctx.Err(), err)
		}
		last = err
		var wait time.Duration
		switch {
		case status == 429 && tooLargeMessage(r.Message):
			return fmt.Errorf("the request is larger than the provider's limit and can never pass: %w", err)
		case status == 429:
			limited++
			// As long as the provider says, plus jitter so that requests refused together come back apart
			// (without a limiter, or when it cannot tell them apart); not counted as a failed attempt.
			wait = ServerWait(h) + jitter(rng, b, min(limited, 30))
		case !Retryable(err):
			return err
		default:
			failures++
			if b.MaxAttempts > 0 && failures >= b.MaxAttempts {
				return fmt.Errorf("gave up after %d failed attempts: %w", failures, err)
			}
			wait = ServerWait(h) + jitter(rng, b, failures)
		}
		if deadline, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(deadline) {
			return fmt.Errorf("the next attempt would start in %v, after the context's deadline: %w",
				wait.Round(time.Millisecond), err)
		}
		if err := Sleep(ctx, wait); err != nil {
			return fmt.Errorf("%w while waiting %v to try again after: %w", err, wait.Round(time.Millisecond), last)
		}
	}
}

// tooLargeMessage recognises the 429 of a request larger than the limit itself.
func tooLargeMessage(msg string) bool {
	return strings.Contains(strings.ToLower(msg), "request too large")
}

// Sleep waits d, or until ctx ends (its error then); d ≤ 0 returns at once with ctx's error, if any.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
