// Package pulse is the contract of the capstone exercise: assemble the optimized ProjectPulse from your own weeks.
//
// The idea: the weeks' exercises are the parts of one program. ProjectPulse summarizes a construction-site log one
// record at a time; its optimized path reads the log as a stream of records (week 3's records), summarizes them
// with a fixed number of workers in a bounded, ordered pipeline (week 3's pipeline), answers repeated records from
// an LRU behind a caching client that also merges identical calls in flight (week 2's lru and client), keeps
// under the requests and tokens per minute (week 4's limiter), and retries what may succeed (week 4's retry). The
// learner writes that assembly (Summarize) in exercises/pulse, from the learner's own week packages; the
// reference is solutions/pulse.Summarize, from the reference solutions.
//
// What the suite (pulsetest.Run) holds an assembly to, against the naive version (Naive: read everything, one
// call at a time, the same requests):
//
//   - the same summaries in the same order (the same Digest), with latency jitter reordering the answers;
//   - Workers calls at once, no more;
//   - one upstream call per distinct record on a repetitive log, whether the repeat is cached or in flight;
//   - bounded memory: it reads the log as it emits summaries (never more than a window ahead), and its heap
//     grows by less than a fixed bound on a log many times that size;
//   - nothing lost under injected faults (429, 500, 503, dropped connections);
//   - never over the rate limits: the mock, set to the same limits, refuses nothing;
//   - errors from the log and from emit end the run with that error; the caller's context ends it at once, with
//     no call left running;
//   - an empty log makes no call.
//
// The week-5 tracker and the week-3 chunker are not parts of it: a record is far shorter than any context window,
// so nothing needs chunking, and a tracker that keeps every call grows with the log, which bounded memory forbids
// (solutions/pulse measures its calls with a fixed-size sample instead, see its Recorder).
package pulse

import (
	"context"
	"io"
	"net/http"

	"github.com/llmperf/workbook/lessons/concurrency"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// Config is how a run is set up.
type Config struct {
	Workers   int                 // calls at once: the pipeline's workers; at least 1
	CacheSize int                 // entries of the LRU of answers; at least 1
	RPM, TPM  int                 // requests and tokens per minute; 0 means no limit of that kind
	Backoff   concurrency.Backoff // how failed calls are retried
}

// Upstream is the model a run talks to: the go-openai settings and the HTTP transport that reaches the model.
// Build the client with the transport wrapped in your week-4 Transport, so that your Retry sees the headers
// (retry-after) of a failed response:
//
//	cfg := up.Config
//	cfg.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: up.Transport}}
//	client := openai.NewClientWithConfig(cfg)
type Upstream struct {
	Config    openai.ClientConfig
	Transport http.RoundTripper
}

// MockUpstream is the Upstream of an in-process mock server.
func MockUpstream(s *mock.Server) Upstream {
	return Upstream{Config: s.ClientConfig(), Transport: s.Transport()}
}

// Client returns a plain client of up: its transport as it is, no retries.
func (up Upstream) Client() *openai.Client {
	cfg := up.Config
	cfg.HTTPClient = &http.Client{Transport: up.Transport}
	return openai.NewClientWithConfig(cfg)
}

// SummarizeFunc summarizes every record of log with RecordRequest and calls emit with each summary (the answer's
// text), in log order, from one goroutine at a time. It returns the first error: the log's, emit's, a call's that
// retries could not fix, or ctx's.
type SummarizeFunc = func(ctx context.Context, up Upstream, log io.Reader, cfg Config, emit func(summary string) error) error

// Impl is what an implementation of the capstone provides: exercises/pulse and solutions/pulse both build one.
type Impl struct {
	Summarize SummarizeFunc
	// Parts are the week exercises Summarize is built from. The suite tries each before it runs Summarize, so
	// that a week whose stub still stops at todo.Exercise is named, instead of stopping the run mid-way.
	Parts []Part
}

// Part is one week exercise the capstone uses.
type Part struct {
	Exercise string // its name in kit/course/info.toml
	Try      func() // calls its entry points once, on a tiny input; a stub stops with todo.Exercise
}
