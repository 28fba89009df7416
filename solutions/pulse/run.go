package pulse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/llmperf/workbook/kit/chart"
	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/redact"
	"github.com/llmperf/workbook/solutions/streaming"
	openai "github.com/sashabaranov/go-openai"
)

// The modes.
const (
	ModeNaive     = "naive"
	ModeOptimized = "optimized"
)

// Result is what one run did and measured. It marshals to JSON, so a run in a child process can report it.
type Result struct {
	Mode     string `json:"mode"`
	Upstream string `json:"upstream"`

	Bytes     int64 `json:"bytes"`      // bytes of log summarized
	Records   int   `json:"records"`    // records read
	Units     int   `json:"units"`      // summaries made: one per Batch records
	Requests  int64 `json:"requests"`   // requests sent to the model, retries and summaries of summaries included
	Retries   int64 `json:"retries"`    // requests that were another try of a failed one
	Status429 int64 `json:"status_429"` // 429 answers the program saw
	Hits      int64 `json:"cache_hits"` // answered from the cache
	Shared    int64 `json:"shared"`     // answered by an identical call in flight

	// Saved is what the answers from the cache and from calls in flight would have cost as requests: the price
	// of their usage when it was paid for.
	Saved prices.Money `json:"saved"`

	Summary metrics.Summary `json:"summary"` // every call the program made: one per unit and per summary of summaries
	Final   string          `json:"final"`   // the site summary
	Digest  string          `json:"digest"`  // SHA-256 of the unit summaries in order: equal digests, equal summaries

	Wall     time.Duration `json:"wall_ns"`         // the whole run, reading included
	PeakRSS  int64         `json:"peak_rss_bytes"`  // the process's peak resident memory (VmHWM) when the run ended
	PeakHeap uint64        `json:"peak_heap_bytes"` // how far the heap grew during the run (sampled)
	Isolated bool          `json:"isolated"`        // the run had a process of its own, so PeakRSS is its alone

	Counters Counters    `json:"counters"`              // what the Go runtime counted during the run: CPU, GC, allocations
	CPU      *CPUProfile `json:"cpu_profile,omitempty"` // the run's CPU profile by category, when Options.Profile asked

	Latencies []time.Duration `json:"latencies_ns"`    // a sample of call latencies (every one, up to SampleSize)
	Spans     []chart.Span    `json:"spans"`           // the first TimelineSize calls
	Notes     []string        `json:"notes,omitempty"` // what could not be measured, and why
	Err       string          `json:"error,omitempty"`
}

// Run runs mode ("naive" or "optimized") over the log r with up and measures it: wall time, heap growth
// (runtime/metrics, sampled every few milliseconds) and the process's peak RSS. A failed run returns what it
// measured with Err set, and the error.
func Run(ctx context.Context, mode string, up Upstream, r io.Reader, opt Options) (Result, error) {
	if err := opt.Check(); err != nil {
		return Result{Mode: mode}, err
	}
	if opt.Model == "" {
		opt.Model = up.Model
	}
	opt = opt.withDefaults()
	var run func(context.Context, Upstream, io.Reader, Options, *Result) error
	switch mode {
	case ModeNaive:
		run = naive
	case ModeOptimized:
		run = optimized
	default:
		return Result{Mode: mode}, fmt.Errorf("-mode is %q; want %s or %s", mode, ModeNaive, ModeOptimized)
	}
	res := Result{Mode: mode, Upstream: up.Name}
	heap := streaming.StartHeapPeak(5 * time.Millisecond)
	var prof *cpuProfiler
	if opt.Profile || opt.ProfileTo != nil {
		var perr error
		if prof, perr = startCPUProfile(opt.ProfileTo); perr != nil {
			res.Notes = append(res.Notes, perr.Error())
		}
	}
	counters := readCounters()
	start := time.Now()
	err := run(ctx, up, r, opt, &res)
	res.Wall = time.Since(start)
	res.Counters = readCounters().since(counters)
	res.PeakHeap = heap.Stop()
	res.PeakRSS, _ = streaming.PeakRSS() // 0 where /proc is missing; read before the profile is analysed
	if prof != nil {
		var perr error
		if res.CPU, perr = prof.stop(); perr != nil {
			res.Notes = append(res.Notes, perr.Error())
		}
	}
	if err != nil {
		res.Err = redact.String(err.Error()) // it goes into reports and -json: never a key an upstream quoted
	}
	return res, err
}

// unit is what one summary call covers: Batch records, separated by blank lines.
type unit struct {
	text           string
	records, bytes int
}

// output collects the unit summaries in order: count, digest, progress, the caller's hook.
type output struct {
	opt    Options
	res    *Result
	digest hash.Hash
	buf    []byte
}

func newOutput(opt Options, res *Result) *output {
	return &output{opt: opt, res: res, digest: sha256.New()}
}

func (o *output) add(u unit, summary string) {
	o.res.Units++
	o.res.Records += u.records
	o.res.Bytes += int64(u.bytes)
	o.buf = append(append(o.buf[:0], summary...), '\n')
	o.digest.Write(o.buf)
	if o.opt.OnSummary != nil {
		o.opt.OnSummary(o.res.Units-1, summary)
	}
	if o.opt.Progress != nil {
		o.opt.Progress(u.bytes)
	}
}

func (o *output) finish(rec *Recorder) {
	o.res.Digest = hex.EncodeToString(o.digest.Sum(nil))
	o.res.Summary = rec.Summary()
	for _, c := range rec.Sample() {
		o.res.Latencies = append(o.res.Latencies, c.Latency)
	}
	o.res.Spans = chart.SpansFrom(rec.First())
}

// call is the metrics.Call of one request; usage may be nil (no answer, or an answer from the cache).
func call(label, model string, start time.Time, ttft time.Duration, usage *openai.Usage, err error) metrics.Call {
	c := metrics.Call{Label: label, Model: model, Start: start, Latency: time.Since(start), TTFT: ttft, Err: err}
	if usage != nil {
		c.PromptTokens, c.CompletionTokens = usage.PromptTokens, usage.CompletionTokens
		if usage.PromptTokensDetails != nil {
			c.CachedTokens = usage.PromptTokensDetails.CachedTokens
		}
		if p, perr := prices.Default().Lookup(model); perr == nil {
			c.Cost = p.Cost(c.PromptTokens, c.CachedTokens, c.CompletionTokens)
		}
	}
	return c
}

// answer is the text of a chat answer's first choice.
func answer(resp openai.ChatCompletionResponse) (string, error) {
	if len(resp.Choices) == 0 {
		return "", fmt.Errorf("the answer has no choices")
	}
	return resp.Choices[0].Message.Content, nil
}

// MBps is the run's throughput: megabytes (10⁶ bytes) of log summarized per second of wall time.
func (r Result) MBps() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Bytes) / 1e6 / r.Wall.Seconds()
}

// Cores is how many cores the run kept busy on average: its CPU time over its wall time.
func (r Result) Cores() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return r.Counters.CPU.Seconds() / r.Wall.Seconds()
}

// InFlight is how many calls were in flight on average: the sum of their latencies over the run's wall time.
func (r Result) InFlight() float64 {
	if r.Wall <= 0 {
		return 0
	}
	return float64(r.Summary.Mean) * float64(r.Summary.Count) / float64(r.Wall)
}
