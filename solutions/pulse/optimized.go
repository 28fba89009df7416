package pulse

import (
	"context"
	"io"
	"iter"
	"strings"
	"sync/atomic"
	"time"

	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
)

// optimized is ProjectPulse with every week's tool, outermost first:
//
//	streaming.Records → units of Batch records → streaming.Pipeline (Workers, bounded, ordered)
//	  → caching.Client (LRU + identical calls in flight merged) → streamer:
//	      concurrency.Retry ( concurrency.Limiter.Wait → streaming.StreamChat → Limiter.Settle )
//	→ in order: digest, progress, Reducer (its own goroutine, same cache and streamer)
func optimized(ctx context.Context, up Upstream, r io.Reader, opt Options, res *Result) error {
	s := &streamer{run: ctx, client: up.Client, backoff: opt.Backoff}
	if opt.RPM > 0 || opt.TPM > 0 {
		rpm, tpm := opt.RPM, opt.TPM
		if rpm == 0 {
			rpm = 1 << 30 // no limit of that kind
		}
		if tpm == 0 {
			tpm = 1 << 30
		}
		lim, err := concurrency.NewLimiter(rpm, tpm, tpm)
		if err != nil {
			return err
		}
		s.limiter, s.burst = lim, tpm
	}
	cache := caching.NewClient(s, caching.NewLRU[string, openai.ChatCompletionResponse](opt.CacheSize),
		caching.CacheDeterministic)
	var rec Recorder
	out := newOutput(opt, res)
	defer func() {
		res.Requests, res.Retries, res.Status429 = s.requests.Load(), s.retries.Load(), s.status429.Load()
		st := cache.Stats()
		res.Hits, res.Shared = st.Hits, st.Shared
		out.finish(&rec)
	}()

	ask := func(ctx context.Context, label, prompt string) (string, error) {
		var ttft time.Duration
		start := time.Now()
		resp, src, err := cache.Complete(withTTFT(ctx, &ttft), opt.request(prompt))
		c := call(label, opt.Model, start, 0, nil, err)
		switch {
		case err != nil:
		case src == caching.Miss: // this call paid for the answer
			c = call(label, opt.Model, start, ttft, &resp.Usage, nil)
		default:
			c.CacheHit = true
		}
		rec.Add(c)
		if err != nil {
			return "", err
		}
		return answer(resp)
	}

	g, gctx := errgroup.WithContext(ctx)
	summaries := make(chan string, opt.Group)
	g.Go(func() error { // the summary of summaries, beside the pipeline so its calls do not hold it up
		red := Reducer{Group: opt.Group, Summarize: func(ctx context.Context, items []string) (string, error) {
			return ask(ctx, "reduce", reducePrompt+"- "+strings.Join(items, "\n- "))
		}}
		for s := range summaries {
			if err := red.Add(gctx, s); err != nil {
				return err
			}
		}
		final, err := red.Final(gctx)
		res.Final = final
		return err
	})
	g.Go(func() error {
		defer close(summaries)
		type done struct {
			u       unit
			summary string
		}
		work := func(ctx context.Context, u unit) (done, error) {
			s, err := ask(ctx, "record", recordPrompt+u.text)
			return done{u, s}, err
		}
		emit := func(d done) error {
			out.add(d.u, d.summary)
			select {
			case summaries <- d.summary:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return streaming.Pipeline(gctx, opt.Workers, units(streaming.Records(r), opt.Batch), work, emit)
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

// streamer is the caching client's upstream: every call streamed (to see its time to first token), under the
// limiter, retried when another try may succeed.
type streamer struct {
	run     context.Context // the run's context: calls end with it
	client  *openai.Client
	backoff concurrency.Backoff
	limiter *concurrency.Limiter // nil: no limits
	burst   int                  // the limiter's largest request

	requests, retries, status429 atomic.Int64
}

// CreateChatCompletion makes req as a stream and returns the answer put back together.
func (s *streamer) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	// The caching client detaches a shared call from its callers' cancellation (one caller giving up must not fail
	// the others), but when the whole run ends nobody is waiting: end the call with the run.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.run, cancel)()
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
		r, err := streaming.StreamChat(ctx, s.client, req, io.Discard)
		if s.limiter != nil {
			s.limiter.Settle(est, r.Usage.TotalTokens)
		}
		if err != nil {
			if is429(err) {
				s.status429.Add(1)
			}
			return err
		}
		if p := ttftFrom(ctx); p != nil {
			*p = r.TTFT
		}
		got = openai.ChatCompletionResponse{Object: "chat.completion", Model: req.Model, Usage: r.Usage,
			Choices: []openai.ChatCompletionChoice{{Message: openai.ChatCompletionMessage{
				Role: openai.ChatMessageRoleAssistant, Content: r.Text}, FinishReason: openai.FinishReasonStop}}}
		return nil
	})
	return got, err
}

type ttftKey struct{}

// withTTFT asks the streamer to write the time to first token of the call it makes for ctx into p. Only the
// caller whose call reaches the model (a cache miss) gets it; the caching client passes that caller's values on.
func withTTFT(ctx context.Context, p *time.Duration) context.Context {
	return context.WithValue(ctx, ttftKey{}, p)
}

func ttftFrom(ctx context.Context) *time.Duration {
	p, _ := ctx.Value(ttftKey{}).(*time.Duration)
	return p
}

func is429(err error) bool { return concurrency.StatusCode(err) == 429 }
