package pulse

import (
	"cmp"
	"context"
	"io"
	"iter"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// optimized is ProjectPulse with every week's tool, outermost first:
//
//	streaming.Records → units of Batch records → streaming.Pipeline (Workers, bounded, ordered)
//	  → caching.Client (LRU + identical calls in flight merged) → caller:
//	      concurrency.Retry ( concurrency.Limiter.Wait → the call (streamed if Options.Stream) → Limiter.Settle )
//	→ in order: digest, progress, Reducer (its own goroutine, same cache and caller)
func optimized(ctx context.Context, up Upstream, r io.Reader, opt Options, res *Result) error {
	g, gctx := errgroup.WithContext(ctx)
	s := &caller{run: gctx, client: up.Client, backoff: opt.Backoff, stream: opt.Stream}
	var err error
	if s.limiter, s.burst, err = limiterFor(opt.RPM, opt.TPM); err != nil {
		return err
	}
	cache := caching.NewClient(s, caching.NewLRU[string, openai.ChatCompletionResponse](opt.CacheSize),
		caching.CacheDeterministic)
	cache.CallTimeout = -1 // the caller bounds every call itself (callTimeout), and ends it with the run
	var rec Recorder
	var saved atomic.Int64 // prices.Money the cache saved: what its answers cost when they were paid for
	out := newOutput(opt, res)
	defer func() {
		res.Requests, res.Retries, res.Status429 = s.requests.Load(), s.retries.Load(), s.status429.Load()
		st := cache.Stats()
		res.Hits, res.Shared = st.Hits, st.Shared
		res.Saved = prices.Money(saved.Load())
		out.finish(&rec)
	}()

	ask := func(ctx context.Context, label, prompt string) (string, error) {
		var ttft time.Duration
		start := time.Now()
		// The caller ends every call when the run does (s.run), so the cache may be given a context that never
		// ends early: then it makes the call on this goroutine instead of starting one per call.
		cctx := context.WithoutCancel(ctx)
		if opt.Stream {
			cctx = withTTFT(cctx, &ttft)
		}
		resp, src, err := cache.Complete(cctx, opt.request(prompt))
		var c metrics.Call
		switch {
		case err != nil:
			c = call(label, opt.Model, start, 0, nil, err)
		case src == caching.Miss: // this call paid for the answer
			c = call(label, opt.Model, start, ttft, &resp.Usage, nil)
		default: // answered without a request: the cached answer's usage is what this call would have cost
			c = call(label, opt.Model, start, 0, nil, nil)
			c.CacheHit = true
			saved.Add(int64(call(label, opt.Model, start, 0, &resp.Usage, nil).Cost))
		}
		rec.Add(c)
		if err != nil {
			return "", err
		}
		return answer(resp)
	}

	// The summary of summaries runs beside the pipeline, so its calls do not hold the pipeline up. Summaries
	// reach it a group at a time: one hand-over between goroutines per Group summaries, not per summary.
	groups := make(chan []string, 2)
	g.Go(func() error {
		red := Reducer{Group: opt.Group, Summarize: func(ctx context.Context, items []string) (string, error) {
			return ask(ctx, "reduce", reducePrompt+"- "+strings.Join(items, "\n- "))
		}}
		for group := range groups {
			for _, s := range group {
				if err := red.Add(gctx, s); err != nil {
					return err
				}
			}
		}
		final, err := red.Final(gctx)
		res.Final = final
		return err
	})
	g.Go(func() error {
		defer close(groups)
		type done struct {
			u       unit
			summary string
		}
		work := func(ctx context.Context, u unit) (done, error) {
			s, err := ask(ctx, "record", recordText(u.text))
			return done{u, s}, err
		}
		group := make([]string, 0, opt.Group)
		send := func() error {
			select {
			case groups <- group:
				group = make([]string, 0, opt.Group)
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		emit := func(d done) error {
			out.add(d.u, d.summary)
			if group = append(group, d.summary); len(group) < opt.Group {
				return nil
			}
			return send()
		}
		if err := streaming.Pipeline(gctx, opt.Workers, units(streaming.Records(r), opt.Batch), work, emit); err != nil {
			return err
		}
		if len(group) > 0 {
			return send()
		}
		return nil
	})
	return g.Wait()
}

// units groups the records of in batch at a time.
func units(in iter.Seq2[string, error], batch int) iter.Seq2[unit, error] {
	return func(yield func(unit, error) bool) {
		var u unit
		var b strings.Builder
		for rec, err := range in {
			if err != nil {
				yield(unit{}, err)
				return
			}
			if batch == 1 {
				if !yield(unit{text: rec, records: 1, bytes: len(rec) + 2}, nil) {
					return
				}
				continue
			}
			if u.records > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(rec)
			u.records++
			u.bytes += len(rec) + 2
			if u.records == batch {
				u.text = b.String()
				if !yield(u, nil) {
					return
				}
				u = unit{}
				b.Reset()
			}
		}
		if u.records > 0 {
			u.text = b.String()
			yield(u, nil)
		}
	}
}

// limiterFor is a limiter for rpm requests and tpm tokens a minute (0: no limit of that kind) and its largest
// request; nil when there is no limit at all.
func limiterFor(rpm, tpm int) (*concurrency.Limiter, int, error) {
	if rpm == 0 && tpm == 0 {
		return nil, 0, nil
	}
	const none = 1 << 30 // no limit of that kind
	rpm, tpm = cmp.Or(rpm, none), cmp.Or(tpm, none)
	lim, err := concurrency.NewLimiter(rpm, tpm, tpm)
	return lim, tpm, err
}

// callTimeout bounds one call to the model, retries included: as long as the caching client's default.
const callTimeout = caching.DefaultCallTimeout

// caller is the caching client's upstream: every call under the limiter, retried when another try may succeed,
// and streamed if asked (to see its time to first token).
type caller struct {
	run     context.Context // the run's context: calls end with it
	client  *openai.Client
	backoff concurrency.Backoff
	stream  bool
	limiter *concurrency.Limiter // nil: no limits
	burst   int                  // the limiter's largest request

	requests, retries, status429 atomic.Int64
}

// CreateChatCompletion makes req, streamed or not, and returns the answer.
func (s *caller) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	// The caching client detaches a shared call from its callers' cancellation (one caller giving up must not fail
	// the others), and ask gives it a context that never ends, so that it makes the call on the caller's
	// goroutine. The call ends with the run, then — nobody is waiting for it any more — or after callTimeout:
	// one context on the run's carries both (and the time to first token's pointer, the one value the call
	// needs from ctx), where merging ctx's cancellation with the run's took three and a callback per call.
	run := s.run
	if p := ttftFrom(ctx); p != nil {
		run = withTTFT(run, p)
	}
	ctx, cancel := context.WithTimeout(run, callTimeout)
	defer cancel()
	est := min(estimate(req), max(s.burst, 1)) // a byte count over the burst would be refused, not just slow
	var got openai.ChatCompletionResponse
	tries := 0
	err := concurrency.Retry(ctx, s.backoff, func(ctx context.Context) error {
		if tries++; tries > 1 {
			s.retries.Add(1)
		}
		if s.limiter != nil {
			if err := s.limiter.Wait(ctx, est); err != nil {
				return err
			}
		}
		s.requests.Add(1)
		var err error
		if s.stream {
			got, err = s.streamed(ctx, req)
		} else {
			got, err = s.client.CreateChatCompletion(ctx, req)
			got.SetHeader(nil) // the answer may be cached: do not keep its HTTP header alive with it
		}
		if s.limiter != nil {
			s.limiter.Settle(est, got.Usage.TotalTokens)
		}
		if err != nil && is429(err) {
			s.status429.Add(1)
		}
		return err
	})
	if err != nil && s.run.Err() != nil {
		return got, context.Cause(s.run) // the run ended: say why, not that this call was cancelled
	}
	return got, err
}

// streamed makes req as a stream (streaming.StreamChat), notes its time to first token, and returns the answer
// put back together.
func (s *caller) streamed(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	r, err := streaming.StreamChat(ctx, s.client, req, io.Discard)
	if err != nil {
		return openai.ChatCompletionResponse{Usage: r.Usage}, err
	}
	if p := ttftFrom(ctx); p != nil {
		*p = r.TTFT
	}
	return openai.ChatCompletionResponse{Object: "chat.completion", Model: req.Model, Usage: r.Usage,
		Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{
			Role: openai.ChatMessageRoleAssistant, Content: r.Text}, FinishReason: openai.FinishReasonStop}}}, nil
}

type ttftKey struct{}

// withTTFT asks the caller to write the time to first token of the call it makes for ctx into p. Only the
// caller whose call reaches the model (a cache miss) gets it; the caching client passes that caller's values on.
func withTTFT(ctx context.Context, p *time.Duration) context.Context {
	return context.WithValue(ctx, ttftKey{}, p)
}

func ttftFrom(ctx context.Context) *time.Duration {
	p, _ := ctx.Value(ttftKey{}).(*time.Duration)
	return p
}

func is429(err error) bool { return concurrency.StatusCode(err) == 429 }
