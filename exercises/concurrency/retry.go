package concurrency

import (
	"context"
	"net/http"
	"time"

	"github.com/llmperf/workbook/lessons/todo"
)

// Retry calls call until it succeeds, fails in a way another try cannot fix (Retryable), runs out of attempts
// (b.MaxAttempts, 0 for no limit), or the next wait would outlive ctx.
//
// Before retry n wait a random time in [0, min(Cap, Base·2ⁿ⁻¹)) — full jitter, drawn from a math/rand/v2
// generator of this call's own: seeded with b.Seed (a fresh random seed when it is 0) and something that differs
// from call to call (an atomic counter), or calls that share a Backoff retry in lockstep — but never less than
// ServerWait of the failed response's headers. Those headers reach Retry only through a Transport: give each attempt a context carrying
// a place for the Transport to put them. If the wait cannot end before ctx's deadline, return at once with an
// error that wraps the last failure (%w); if ctx ends while waiting, return an error wrapping ctx.Err().
func Retry(ctx context.Context, b Backoff, call func(context.Context) error) error {
	todo.Exercise("retry") // delete this line and loop
	return nil
}

// Retryable reports whether another attempt may succeed: yes on 408, 429, 500, 502, 503 and 504 and when the
// connection failed or dropped (a net.Error, io.ErrUnexpectedEOF, a reset); no on other 4xx (the request itself
// is wrong) and on a cancelled or expired context.
func Retryable(err error) bool {
	todo.Exercise("retry") // delete this line: StatusCode, then errors.Is / errors.As
	return false
}

// StatusCode is the HTTP status of a go-openai error (*openai.APIError or *openai.RequestError), or 0.
func StatusCode(err error) int {
	todo.Exercise("retry") // delete this line: errors.As into both types
	return 0
}

// ServerWait is how long the response headers h ask a client to wait: retry-after-ms, else retry-after (seconds
// or an HTTP date), else the longest x-ratelimit-reset-requests / -tokens among the limits whose
// x-ratelimit-remaining-* is "0". The resets are Go durations ("20ms", "1s", "6m0s"): time.ParseDuration reads
// them. 0 when h says nothing.
func ServerWait(h http.Header) time.Duration {
	todo.Exercise("retry") // delete this line and read the headers
	return 0
}

// Transport is an http.RoundTripper that lets Retry see the headers of a failed response: go-openai's errors
// carry the status but not the headers. Record resp.Header where the request's context says (a value Retry put
// there), so concurrent calls never see each other's headers. A nil Base means http.DefaultTransport.
type Transport struct {
	Base http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	todo.Exercise("retry") // delete this line: call the base, then record the response's header
	return nil, nil
}
