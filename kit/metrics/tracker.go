package metrics

import (
	"slices"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/prices"
)

// Call is one request to a model, as the caller saw it.
type Call struct {
	Label, Model     string
	Start            time.Time
	Latency          time.Duration // from sending the request to the last byte of the answer
	TTFT             time.Duration // time to first token of a streamed answer; 0 when not streamed
	PromptTokens     int           // all prompt tokens, cached ones included (as in the OpenAI usage object)
	CachedTokens     int
	CompletionTokens int
	Cost             prices.Money
	CacheHit         bool  // answered by the application's own cache, without calling the model
	Err              error // nil when the call succeeded
}

// End is when the call finished: Start + Latency.
func (c Call) End() time.Time { return c.Start.Add(c.Latency) }

// Tracker collects Calls. The zero value is ready; all methods are safe for concurrent use.
type Tracker struct {
	mu    sync.Mutex
	calls []Call
}

// Add records one call.
func (t *Tracker) Add(c Call) {
	t.mu.Lock()
	t.calls = append(t.calls, c)
	t.mu.Unlock()
}

// Calls returns a copy of the calls recorded so far, in the order they were added.
func (t *Tracker) Calls() []Call {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.calls)
}

// Len is the number of calls recorded.
func (t *Tracker) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.calls)
}

// Latencies returns the latency of every call, in the order they were added (for histograms and percentile plots).
func (t *Tracker) Latencies() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]time.Duration, len(t.calls))
	for i, c := range t.calls {
		out[i] = c.Latency
	}
	return out
}

// Summary summarises the calls recorded so far.
func (t *Tracker) Summary() Summary {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Summarize(t.calls)
}

// Reset forgets every call.
func (t *Tracker) Reset() {
	t.mu.Lock()
	t.calls = nil
	t.mu.Unlock()
}
