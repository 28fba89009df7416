package concurrency

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Retry calls call until it succeeds, fails in a way another try cannot fix, runs out of attempts, or the next
// wait would outlive ctx. The wait before retry n is drawn uniformly from [0, min(Cap, Base·2ⁿ⁻¹)) (full jitter,
// so many clients that failed together do not retry together), on top of what the server asked for in
// retry-after-ms, retry-after or x-ratelimit-reset-* (see ServerWait), which it never undercuts. For those
// headers to be seen, call's HTTP client must use a Transport. When the next wait cannot end before ctx's
// deadline, Retry returns at once with an error wrapping the last failure instead of sleeping into the deadline.
//
// Each call draws its jitter from its own generator (see JitterSource), so calls that failed together do not
// retry together even when they share a Backoff and its Seed.
func Retry(ctx context.Context, b Backoff, call func(context.Context) error) error {
	var rng *rand.Rand // made at the first failure: most calls never need one
	for attempt := 1; ; attempt++ {
		actx, seen := withCapture(ctx)
		err := call(actx)
		if err == nil {
			return nil
		}
		if !Retryable(err) {
			return err
		}
		if b.MaxAttempts > 0 && attempt >= b.MaxAttempts {
			return fmt.Errorf("retry: gave up after %d attempts: %w", attempt, err)
		}
		// The server's wait plus the jitter: calls refused together are told the same retry-after, and waiting
		// exactly that long would bring them back together.
		if rng == nil {
			rng = JitterSource(ctx, b.Seed)
		}
		wait := ServerWait(seen.header()) + jitter(rng, b, attempt)
		if deadline, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(deadline) {
			return fmt.Errorf("retry: the next attempt would start in %v, after the context's deadline (%v left): %w",
				wait, time.Until(deadline).Round(time.Millisecond), err)
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("retry: %w while waiting %v to retry after: %w", ctx.Err(), wait, err)
		}
	}
}

// JitterSource returns the generator one call draws its waits from. It is seeded with seed (a fresh random seed
// when seed is 0) and with the call's own key: the key WithJitterKey put in ctx, or else the next number of a
// process-wide counter. So concurrent calls never share a stream — the lockstep that jitter exists to prevent —
// and a run is reproducible from the seed where it needs to be: give each call a key of its own (an item's index).
func JitterSource(ctx context.Context, seed uint64) *rand.Rand {
	if seed == 0 {
		seed = rand.Uint64()
	}
	key, ok := ctx.Value(jitterKey{}).(uint64)
	if !ok {
		key = jitterCalls.Add(1)
	}
	return rand.New(rand.NewPCG(seed, splitmix(key^0x9e3779b97f4a7c15)))
}

// WithJitterKey returns a context whose Retry (or Sender.Send) calls draw their jitter from a stream named by seed
// and key: the same seed and key give the same waits.
func WithJitterKey(ctx context.Context, key uint64) context.Context {
	return context.WithValue(ctx, jitterKey{}, key)
}

type jitterKey struct{}

var jitterCalls atomic.Uint64

// splitmix is SplitMix64's finaliser: neighbouring keys give unrelated streams.
func splitmix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// jitter draws the backoff before retry number attempt (1 for the first retry).
func jitter(rng *rand.Rand, b Backoff, attempt int) time.Duration {
	bound := b.Cap
	if shift := attempt - 1; shift < 62 && b.Base > 0 && b.Base<<shift > 0 && b.Base<<shift < b.Cap {
		bound = b.Base << shift
	}
	if bound <= 0 {
		return 0
	}
	return time.Duration(rng.Int64N(int64(bound)))
}

// Retryable reports whether another attempt may succeed: on 408, 429, 500, 502, 503 and 504, and when the
// connection failed or dropped before a whole answer arrived. Other 4xx (400, 401, 403, 404, 422) say the request
// itself is wrong and will fail again; a cancelled or expired context is the caller's decision.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if code := StatusCode(err); code != 0 {
		switch code {
		case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// StatusCode is the HTTP status of a go-openai error (*openai.APIError or *openai.RequestError), or 0.
func StatusCode(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// ServerWait is how long the response headers h ask a client to wait before trying again: retry-after-ms, else
// retry-after (seconds or an HTTP date), else the longest x-ratelimit-reset-requests / -tokens (Go durations such
// as "20ms", "1s", "6m0s") among the limits whose x-ratelimit-remaining-* is 0. It is 0 when h says nothing.
func ServerWait(h http.Header) time.Duration {
	if h == nil {
		return 0
	}
	if ms, err := strconv.ParseFloat(h.Get("retry-after-ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	if v := h.Get("retry-after"); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(0, time.Until(at))
		}
	}
	var wait time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		if h.Get("x-ratelimit-remaining-"+kind) != "0" {
			continue
		}
		if d, err := time.ParseDuration(h.Get("x-ratelimit-reset-" + kind)); err == nil {
			wait = max(wait, d)
		}
	}
	return wait
}

// Transport is an http.RoundTripper that lets Retry see the headers of a failed response: go-openai's errors
// carry the status but not the headers. It records each response's header in the capture that Retry puts in the
// request's context, so concurrent calls never see each other's headers. A nil Base means
// http.DefaultTransport; the zero Transport is ready to use.
type Transport struct {
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if c, ok := req.Context().Value(captureKey{}).(*capture); ok && resp != nil {
		c.set(resp.Header)
	}
	return resp, err
}

type captureKey struct{}

// capture holds the header of the last response one attempt received.
type capture struct {
	mu sync.Mutex
	h  http.Header
}

func withCapture(ctx context.Context) (context.Context, *capture) {
	c := &capture{}
	return context.WithValue(ctx, captureKey{}, c), c
}

// set keeps h itself, not a copy: a response's header belongs to whoever holds the response, and nothing writes
// to it once RoundTrip has returned it (copying it cost an allocation per call, most of them for answers that
// succeeded).
func (c *capture) set(h http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.h = h
}

func (c *capture) header() http.Header {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}
