package pulsetest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	excaching "github.com/llmperf/workbook/exercises/caching"
	exconcurrency "github.com/llmperf/workbook/exercises/concurrency"
	exstreaming "github.com/llmperf/workbook/exercises/streaming"
	"github.com/llmperf/workbook/lessons/pulse"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/lessons/todo"
	"github.com/llmperf/workbook/solutions/caching"
	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/llmperf/workbook/solutions/streaming"
	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// The suite must reject assemblies that are subtly wrong: each test below builds one from the week solutions,
// wrong in one way, and checks that the named check fails.

// assembly is Summarize from the week solutions, with one mistake switched on (or none).
type assembly struct {
	noCache      bool // every record goes to the model
	noDedup      bool // a cache, but identical calls in flight are not merged
	noLimiter    bool // cfg.RPM and cfg.TPM ignored
	requestsOnly bool // the limiter counts requests, not tokens
	noRetry      bool // the first failure ends the run
	dropFailed   bool // a record whose call failed is skipped, not retried
	sequential   bool // one worker, whatever cfg.Workers says
	unordered    bool // summaries emitted as they complete
	readAll      bool // the whole log read first
	collect      bool // every summary held until the end, then emitted
	keepRecords  bool // every record kept "for the report"
	detached     bool // calls not tied to the run: they outlive Summarize
	eofOnError   bool // a read error taken for the end of the log
	rateLimiter  bool // correct, written differently: x/time/rate, no give-back
}

func (a assembly) Summarize(ctx context.Context, up pulse.Upstream, log io.Reader, cfg pulse.Config,
	emit func(string) error) error {
	if !a.detached {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
	}
	hc := up.Config
	hc.HTTPClient = &http.Client{Transport: &concurrency.Transport{Base: up.Transport}}
	c := &caller{run: ctx, client: openai.NewClientWithConfig(hc), backoff: cfg.Backoff, detached: a.detached}
	if a.noRetry || a.dropFailed {
		c.backoff.MaxAttempts = 1
	}
	if (cfg.RPM > 0 || cfg.TPM > 0) && !a.noLimiter {
		rpm, tpm := cfg.RPM, cfg.TPM
		if rpm == 0 {
			rpm = 1 << 30
		}
		if tpm == 0 || a.requestsOnly {
			tpm = 1 << 30
		}
		if a.rateLimiter {
			c.rate = [2]*rate.Limiter{rate.NewLimiter(rate.Limit(float64(rpm)/60), 1),
				rate.NewLimiter(rate.Limit(float64(tpm)/60), tpm)}
		} else {
			lim, err := concurrency.NewLimiter(rpm, tpm, tpm)
			if err != nil {
				return err
			}
			c.limiter = lim
		}
		c.burst = tpm
	}
	var chat caching.Chatter = caching.NewClient(c, caching.NewLRU[string, openai.ChatCompletionResponse](cfg.CacheSize),
		caching.CacheDeterministic)
	switch {
	case a.noCache:
		chat = c
	case a.noDedup:
		chat = &plainCache{up: c, m: map[string]openai.ChatCompletionResponse{}}
	}
	var (
		mu   sync.Mutex
		kept []string
	)
	work := func(ctx context.Context, record string) (string, error) {
		if a.keepRecords {
			mu.Lock()
			kept = append(kept, record)
			mu.Unlock()
		}
		resp, err := chat.CreateChatCompletion(ctx, pulse.RecordRequest(record))
		if err != nil {
			if a.dropFailed {
				return "", nil
			}
			return "", err
		}
		return resp.Choices[0].Message.Content, nil
	}
	out := emit
	if a.dropFailed {
		out = func(s string) error {
			if s == "" {
				return nil
			}
			return emit(s)
		}
	}
	var all []string
	if a.collect {
		out = func(s string) error { all = append(all, s); return nil }
	}
	if a.readAll {
		b, err := io.ReadAll(log)
		if err != nil {
			return err
		}
		log = strings.NewReader(string(b))
	}
	if a.eofOnError {
		log = eofOnError{log}
	}
	workers := cfg.Workers
	if a.sequential {
		workers = 1
	}
	var err error
	if a.unordered {
		err = unordered(ctx, workers, streaming.Records(log), work, out)
	} else {
		err = streaming.Pipeline(ctx, workers, streaming.Records(log), work, out)
	}
	if err != nil {
		return err
	}
	for _, s := range all {
		if err := emit(s); err != nil {
			return err
		}
	}
	return nil
}

// caller is a caching client's upstream: limiter, retries, and the run's end.
type caller struct {
	run      context.Context
	client   *openai.Client
	backoff  concurrency.Backoff
	limiter  *concurrency.Limiter
	rate     [2]*rate.Limiter
	burst    int
	detached bool
}

func (c *caller) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	if !c.detached {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(c.run, cancel)()
	}
	est := min(concurrency.Estimate(req, 0), max(c.burst, 1))
	var resp openai.ChatCompletionResponse
	err := concurrency.Retry(ctx, c.backoff, func(ctx context.Context) error {
		switch {
		case c.limiter != nil:
			if err := c.limiter.Wait(ctx, est); err != nil {
				return err
			}
		case c.rate[0] != nil:
			if err := c.rate[1].WaitN(ctx, est); err != nil {
				return err
			}
			if err := c.rate[0].Wait(ctx); err != nil {
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

// plainCache answers repeats from a map, but does not merge identical calls in flight.
type plainCache struct {
	up caching.Chatter
	mu sync.Mutex
	m  map[string]openai.ChatCompletionResponse
}

func (p *plainCache) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	key := req.Messages[0].Content
	p.mu.Lock()
	resp, ok := p.m[key]
	p.mu.Unlock()
	if ok {
		return resp, nil
	}
	resp, err := p.up.CreateChatCompletion(ctx, req)
	if err == nil {
		p.mu.Lock()
		p.m[key] = resp
		p.mu.Unlock()
	}
	return resp, err
}

// unordered runs work with workers goroutines and emits each result as it completes.
func unordered(ctx context.Context, workers int, in func(func(string, error) bool),
	work func(context.Context, string) (string, error), emit func(string) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	for rec, err := range in {
		if err != nil {
			g.Go(func() error { return err })
			break
		}
		g.Go(func() error {
			s, err := work(gctx, rec)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			return emit(s)
		})
	}
	return g.Wait()
}

type eofOnError struct{ r io.Reader }

func (e eofOnError) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		err = io.EOF
	}
	return n, err
}

// mustFail runs the named check on a and wants it to fail.
func mustFail(t *testing.T, a assembly, name string) {
	t.Helper()
	for _, c := range Checks(a.Summarize) {
		if c.Name != name {
			continue
		}
		var err error
		t.Run(c.Name, func(t *testing.T) { err = c.Run(t) })
		if err == nil {
			t.Errorf("check %q passed a broken assembly", name)
		} else {
			t.Logf("check %q rejects it: %v", name, err)
		}
		return
	}
	t.Fatalf("no check named %q", name)
}

func TestSuiteRejectsWrongAssemblies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a     assembly
		check string
	}{
		{"no cache", assembly{noCache: true}, "one call per distinct record"},
		{"a cache that does not merge calls in flight", assembly{noDedup: true}, "one call per distinct record"},
		{"no limiter, requests", assembly{noLimiter: true}, "never over the requests per minute"},
		{"no limiter, tokens", assembly{noLimiter: true}, "never over the tokens per minute"},
		{"a limiter of requests only", assembly{requestsOnly: true}, "never over the tokens per minute"},
		{"no retries", assembly{noRetry: true}, "nothing lost under faults"},
		{"failed records skipped", assembly{dropFailed: true}, "nothing lost under faults"},
		{"one worker", assembly{sequential: true}, "Workers calls at once"},
		{"emitted as completed", assembly{unordered: true}, "same summaries as naive"},
		{"the whole log read first", assembly{readAll: true}, "bounded memory"},
		{"summaries held until the end", assembly{collect: true}, "bounded memory"},
		{"every record kept", assembly{keepRecords: true}, "bounded memory"},
		{"calls outlive the deadline", assembly{detached: true}, "the caller's deadline ends the run"},
		{"calls outlive emit's error", assembly{detached: true}, "emit's error ends the run"},
		{"a read error taken for the end", assembly{eofOnError: true}, "a read error ends the run"},
	} {
		t.Run(tc.name, func(t *testing.T) { mustFail(t, tc.a, tc.check) })
	}
}

// Correct assemblies pass every check, whatever they are built with.
func TestSuitePassesCorrectAssemblies(t *testing.T) {
	for name, a := range map[string]assembly{
		"week solutions":            {},
		"x/time/rate, no give-back": {rateLimiter: true},
	} {
		t.Run(name, func(t *testing.T) {
			if check, err := suite.FirstFailure(t, Checks(a.Summarize)); err != nil {
				t.Errorf("check %q: %v", check, err)
			}
		})
	}
}

// Each part's try reaches its week's stub in exercises/, and none of the reference solutions stops.
func TestPartsFindTheStubs(t *testing.T) {
	for _, p := range pulse.Parts(exstreaming.Impl(), excaching.Impl(), exconcurrency.Impl()) {
		if got := stub(p.Try); got != p.Exercise {
			t.Errorf("part %s of the stubs stopped at %q; want its own stub", p.Exercise, got)
		}
	}
	for _, p := range pulse.Parts(streaming.Impl(), caching.Impl(), concurrency.Impl()) {
		if got := stub(p.Try); got != "" {
			t.Errorf("part %s of the solutions stopped at %q", p.Exercise, got)
		}
	}
}

// The message for weeks still stubs names each, its notebook, and the capstone's section.
func TestNeedsMessage(t *testing.T) {
	msg := todo.Needs("pulse", []string{"lru", "client", "limiter"})
	for _, want := range []string{`"pulse" is not done yet`, "lru, client (notebooks/02-caching.ipynb), limiter " +
		"(notebooks/04-concurrency.ipynb)", "notebooks/06-capstone.ipynb", "exercises/pulse"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
}
