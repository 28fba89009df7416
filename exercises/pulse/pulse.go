package pulse

import (
	"context"
	"io"

	lessons "github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/lessons/todo"
)

// Summarize summarizes every record of log with the model at up and calls emit with each summary, in log order —
// ProjectPulse's optimized path, built from your own weeks (import exercises/streaming, exercises/caching and
// exercises/concurrency):
//
//   - a go-openai client whose HTTP transport is up.Transport wrapped in your concurrency.Transport;
//   - a caller (a type with CreateChatCompletion) that makes each call under your Limiter (only when cfg.RPM or
//     cfg.TPM is set; 0 means no limit of that kind), estimated with concurrency.Estimate and settled with the
//     usage, and retries it with your Retry and cfg.Backoff;
//   - your caching.Client over your LRU of cfg.CacheSize answers, in front of that caller;
//   - your streaming.Pipeline with cfg.Workers workers over your streaming.Records(log), whose work asks the
//     caching client for lessons.RecordRequest(record) and returns the answer's text; emit is its emit.
//
// Return the first error. Everything Summarize starts ends when it returns: your caching client runs a call that
// identical requests share on a context no caller can cancel, so tie each call to a context that Summarize
// cancels when it returns (context.WithCancel, context.AfterFunc).
//
// The suite (lessons/pulse/pulsetest) checks, against the naive version on the mock in virtual time: the same
// summaries in the same order; exactly cfg.Workers calls at once; one call per distinct record on a repetitive
// log; bounded memory on an 8 MiB log (reads as it emits, heap growth under a fixed bound); nothing lost when 30 %
// of calls fail; no request refused by a mock with the same limits; a read error, emit's error and the caller's
// deadline each ending the run with nothing left running; an empty log making no call.
func Summarize(ctx context.Context, up lessons.Upstream, log io.Reader, cfg lessons.Config,
	emit func(summary string) error) error {
	todo.Exercise("pulse") // delete this line and assemble your weeks
	return nil
}
