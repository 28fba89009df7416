package pulse

import (
	"context"
	"fmt"
	"io"
	"net/http"

	lessons "github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
	openai "github.com/sashabaranov/go-openai"
)

// Summarize is the capstone exercise's reference answer (lessons/pulse): the optimized mode's path for every
// record, assembled from the week solutions alone — streaming.Records → streaming.Pipeline (cfg.Workers, in
// order) → caching.Client over an LRU of cfg.CacheSize answers → Retry(Limiter.Wait → the call → Settle). The
// optimized mode adds batching, streaming, a summary of summaries and measurements on top of the same parts.
func Summarize(ctx context.Context, up lessons.Upstream, log io.Reader, cfg lessons.Config,
	emit func(summary string) error) error {
	if cfg.Workers < 1 || cfg.CacheSize < 1 || cfg.RPM < 0 || cfg.TPM < 0 {
		return fmt.Errorf("pulse: Config %+v: Workers and CacheSize must be at least 1, limits at least 0", cfg)
	}
	ctx, cancel := context.WithCancel(ctx) // the run: when Summarize returns, every call it started ends
	defer cancel()
	client := up.Config
	client.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: up.Transport}}
	c := &limitedCaller{run: ctx, client: openai.NewClientWithConfig(client), backoff: cfg.Backoff}
	var err error
	if c.limiter, c.burst, err = limiterFor(cfg.RPM, cfg.TPM); err != nil {
		return err
	}
	cache := caching.NewClient(c, caching.NewLRU[string, openai.ChatCompletionResponse](cfg.CacheSize),
		caching.CacheDeterministic)
	work := func(ctx context.Context, record string) (string, error) {
		resp, _, err := cache.Complete(ctx, lessons.RecordRequest(record))
		if err != nil {
			return "", err
		}
		if len(resp.Choices) == 0 {
			return "", fmt.Errorf("pulse: the answer has no choices")
		}
		return resp.Choices[0].Message.Content, nil
	}
	err = streaming.Pipeline(ctx, cfg.Workers, streaming.Records(log), work, emit)
	if err != nil && ctx.Err() != nil {
		// The caller's context ended (its deadline, say): say that, not which call saw it first — a call the
		// run's end cancelled reports only "context canceled".
		return context.Cause(ctx)
	}
	return err
}

// limitedCaller is the caching client's upstream: every call under the limiter, retried while another try may
// succeed, and ended with the run.
type limitedCaller struct {
	run     context.Context // the run's context: every call ends with it
	client  *openai.Client
	backoff concurrency.Backoff
	limiter *concurrency.Limiter // nil: no limits
	burst   int                  // the limiter's largest request
}

func (c *limitedCaller) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	// The caching client runs a call shared by identical requests on a context no caller can cancel: end it with
	// the run, or it would outlive Summarize.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(c.run, cancel)()
	est := min(concurrency.Estimate(req, 0), max(c.burst, 1))
	var resp openai.ChatCompletionResponse
	err := concurrency.Retry(ctx, c.backoff, func(ctx context.Context) error {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx, est); err != nil {
				return err
			}
		}
		var err error
		resp, err = c.client.CreateChatCompletion(ctx, req)
		if c.limiter != nil {
			c.limiter.Settle(est, resp.Usage.TotalTokens)
		}
		return err
	})
	return resp, err
}
