package costtest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/lessons/cost/costtest"
	sol "github.com/llmperf/workbook/solutions/cost"
	openai "github.com/sashabaranov/go-openai"
)

// The suite must pass the reference solution and fail implementations that are subtly wrong. Each broken
// implementation below is the solution with one mistake a learner could make.

func TestSuitePassesSolution(t *testing.T) {
	for _, name := range costtest.Exercises {
		for _, err := range costtest.Check(sol.Impl(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// rejects asserts that the suite finds something wrong with impl's exercise.
func rejects(t *testing.T, exercise, why string, impl cost.Impl) {
	t.Helper()
	errs := costtest.Check(impl, exercise)
	if len(errs) == 0 {
		t.Errorf("%s: the suite accepted an implementation that %s", exercise, why)
		return
	}
	t.Logf("%s, %s: rejected with %d findings, first: %v", exercise, why, len(errs), errs[0])
}

func withEstimate(f func(prices.Table, cost.Request) (cost.Estimate, error)) cost.Impl {
	impl := sol.Impl()
	impl.Estimate = f
	return impl
}

func TestSuiteRejectsBrokenEstimates(t *testing.T) {
	rejects(t, "estimate", "counts message contents without the chat overhead", withEstimate(
		func(table prices.Table, req cost.Request) (cost.Estimate, error) {
			e, err := sol.EstimateCost(table, req)
			if err != nil {
				return e, err
			}
			n := 0
			for _, m := range req.Chat.Messages {
				n += tokens.Count(req.Chat.Model, m.Content)
			}
			p, _ := table.Lookup(req.Chat.Model)
			e.PromptTokens, e.Cost = n, p.Cost(n, e.CachedTokens, e.OutputTokens)
			return e, nil
		}))
	rejects(t, "estimate", "prices cached tokens at the full input price", withEstimate(
		func(table prices.Table, req cost.Request) (cost.Estimate, error) {
			e, err := sol.EstimateCost(table, req)
			if err != nil {
				return e, err
			}
			p, _ := table.Lookup(req.Chat.Model)
			e.Cost = p.Cost(e.PromptTokens, 0, e.OutputTokens)
			return e, nil
		}))
	rejects(t, "estimate", "ignores the table it is given", withEstimate(
		func(table prices.Table, req cost.Request) (cost.Estimate, error) {
			if strings.HasPrefix(req.Chat.Model, "test-") {
				req.Chat.Model = "gpt-4o-mini"
			}
			return sol.EstimateCost(prices.Default(), req)
		}))
	rejects(t, "estimate", "accepts more cached tokens than the prompt has", withEstimate(
		func(table prices.Table, req cost.Request) (cost.Estimate, error) {
			cached := req.Cached
			req.Cached = 0
			e, err := sol.EstimateCost(table, req)
			e.CachedTokens = cached
			return e, err
		}))
}

func withOptimize(f func(cost.Prompt, cost.Options) (cost.Prompt, cost.Report, error)) cost.Impl {
	impl := sol.Impl()
	impl.Optimize = f
	return impl
}

func TestSuiteRejectsBrokenOptimizers(t *testing.T) {
	rejects(t, "optimizer", "keeps repeated context blocks", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			ctx := p.Context
			p.Context = nil
			q, rep, err := sol.Optimize(p, o)
			for _, c := range ctx {
				q.Context = append(q.Context, strings.Join(strings.Fields(c), " "))
			}
			return q, rep, err
		}))
	rejects(t, "optimizer", "drops examples from the front", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			q, rep, err := sol.Optimize(p, o)
			if n := len(q.Examples); n < len(p.Examples) {
				full, _, _ := sol.Optimize(p, cost.Options{Model: o.Model, Boilerplate: o.Boilerplate})
				q.Examples = full.Examples[len(full.Examples)-n:]
			}
			return q, rep, err
		}))
	rejects(t, "optimizer", "ignores the budget", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			o.Budget = 0
			return sol.Optimize(p, o)
		}))
	rejects(t, "optimizer", "guesses tokens as characters/4", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			q, rep, err := sol.Optimize(p, o)
			n := func(p cost.Prompt) (c int) {
				for _, m := range p.Messages() {
					c += len(m.Content) / 4
				}
				return c
			}
			rep.Before, rep.After = n(p), n(q)
			return q, rep, err
		}))
	rejects(t, "optimizer", "edits the caller's context slice in place", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			for i := range p.Context {
				p.Context[i] = strings.TrimSpace(p.Context[i])
			}
			return sol.Optimize(p, o)
		}))
	rejects(t, "optimizer", "only collapses double spaces once (not idempotent)", withOptimize(
		func(p cost.Prompt, o cost.Options) (cost.Prompt, cost.Report, error) {
			q, rep, err := sol.Optimize(p, o)
			if strings.Contains(p.System, "   ") {
				q.System += "\n\n" + "Extra  line."
			}
			return q, rep, err
		}))
}

// brokenRouter is a router with switchable mistakes.
type brokenRouter struct {
	cfg cost.RouterConfig

	noSettle       bool // counts the estimate as spent, never the real cost
	noRelease      bool // keeps a failed call's reservation
	alwaysEscalate bool // escalates without validating: calls every model whatever the check says
	alwaysCheapest bool // calls the first model only and keeps its answer, whatever the check says
	alwaysBest     bool // calls the last model only
	neverEscalate  bool // validates, but gives up with ErrRejected when the first answer fails
	ignoreBudget   bool // never refuses a call
	guardAfter     bool // compares spent with the budget instead of spent + estimate
	ignoreCached   bool // bills cached prompt tokens at the full input price

	mu              sync.Mutex
	spent, reserved prices.Money
}

func (r *brokenRouter) Spent() prices.Money {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.spent
}

func (r *brokenRouter) Complete(ctx context.Context, req openai.ChatCompletionRequest) (cost.Answer, error) {
	var ans cost.Answer
	for i, m := range r.cfg.Models {
		if r.alwaysBest && i < len(r.cfg.Models)-1 {
			continue
		}
		req.Model = m
		e, err := sol.EstimateCost(prices.Default(), cost.Request{Chat: req})
		if err != nil {
			return ans, err
		}
		r.mu.Lock()
		over := r.spent+r.reserved+e.Cost > r.cfg.Budget
		if r.guardAfter {
			over = r.spent >= r.cfg.Budget
		}
		if r.cfg.Budget > 0 && over && !r.ignoreBudget {
			committed := r.spent + r.reserved
			r.mu.Unlock()
			return ans, &cost.BudgetError{Model: m, Spent: committed, Estimate: e.Cost, Budget: r.cfg.Budget}
		}
		r.reserved += e.Cost
		r.mu.Unlock()
		ans.Tried = append(ans.Tried, m)
		resp, err := r.cfg.Client.CreateChatCompletion(ctx, req)
		r.mu.Lock()
		if err != nil {
			if !r.noRelease {
				r.reserved -= e.Cost
			}
			r.mu.Unlock()
			return ans, err
		}
		p, _ := prices.Default().Lookup(m)
		cached := 0
		if d := resp.Usage.PromptTokensDetails; d != nil && !r.ignoreCached {
			cached = d.CachedTokens
		}
		c := p.Cost(resp.Usage.PromptTokens, cached, resp.Usage.CompletionTokens)
		if r.noSettle {
			c = e.Cost
		}
		r.reserved -= e.Cost
		r.spent += c
		r.mu.Unlock()
		ans.Response, ans.Model, ans.Cost = resp, m, ans.Cost+c
		passes := r.cfg.Check == nil || r.cfg.Check(req, resp) == nil
		switch {
		case r.alwaysCheapest:
			return ans, nil
		case r.neverEscalate && !passes:
			return ans, cost.ErrRejected
		case !r.alwaysEscalate && passes:
			return ans, nil
		}
	}
	if r.alwaysEscalate && (r.cfg.Check == nil || r.cfg.Check(req, ans.Response) == nil) {
		return ans, nil
	}
	return ans, cost.ErrRejected
}

func withRouter(mistake func(*brokenRouter)) cost.Impl {
	impl := sol.Impl()
	impl.NewRouter = func(cfg cost.RouterConfig) (cost.Router, error) {
		if _, err := sol.NewRouter(cfg); err != nil {
			return nil, err
		}
		r := &brokenRouter{cfg: cfg}
		mistake(r)
		return r, nil
	}
	return impl
}

func TestSuiteRejectsBrokenRouters(t *testing.T) {
	// Control: without a mistake the test copy passes, so each rejection below is the mistake's doing.
	for _, err := range costtest.Check(withRouter(func(*brokenRouter) {}), "router") {
		t.Errorf("router without a mistake: %v", err)
	}
	rejects(t, "router", "counts estimates as spending", withRouter(func(r *brokenRouter) { r.noSettle = true }))
	rejects(t, "router", "keeps a failed call's reservation", withRouter(func(r *brokenRouter) { r.noRelease = true }))
	rejects(t, "router", "always escalates", withRouter(func(r *brokenRouter) { r.alwaysEscalate = true }))
	rejects(t, "router", "guards after the fact", withRouter(func(r *brokenRouter) { r.guardAfter = true }))
	rejects(t, "router", "bills cached tokens at the full price", withRouter(func(r *brokenRouter) { r.ignoreCached = true }))
	rejects(t, "router", "ignores the budget", withRouter(func(r *brokenRouter) { r.ignoreBudget = true }))

	// The cascade's mistakes are caught by the graded tasks alone too, where the validator is a real one.
	rejectsGraded(t, "always calls the cheapest model", withRouter(func(r *brokenRouter) { r.alwaysCheapest = true }))
	rejectsGraded(t, "always calls the best model", withRouter(func(r *brokenRouter) { r.alwaysBest = true }))
	rejectsGraded(t, "never escalates", withRouter(func(r *brokenRouter) { r.neverEscalate = true }))
	rejectsGraded(t, "escalates without validating", withRouter(func(r *brokenRouter) { r.alwaysEscalate = true }))
}

// rejectsGraded asserts that the suite's graded tasks find something wrong with impl's router.
func rejectsGraded(t *testing.T, why string, impl cost.Impl) {
	t.Helper()
	for _, err := range costtest.Check(impl, "router") {
		if strings.Contains(err.Error(), "graded task") {
			t.Logf("router, %s: rejected on graded tasks: %v", why, err)
			return
		}
	}
	t.Errorf("router: the graded tasks accepted a router that %s", why)
}

// casRouter is a correct router written differently: a lock-free budget (compare-and-swap on one counter of
// what is spent and reserved), the cascade as a recursion, the check's verdict kept for the error.
type casRouter struct {
	cfg       cost.RouterConfig
	committed atomic.Int64 // spent + reserved, in prices.Money
	spent     atomic.Int64
}

func (r *casRouter) Spent() prices.Money { return prices.Money(r.spent.Load()) }

func (r *casRouter) Complete(ctx context.Context, req openai.ChatCompletionRequest) (cost.Answer, error) {
	return r.try(ctx, req, r.cfg.Models, cost.Answer{})
}

func (r *casRouter) try(ctx context.Context, req openai.ChatCompletionRequest, models []string, ans cost.Answer) (cost.Answer, error) {
	if len(models) == 0 {
		return ans, fmt.Errorf("cas router: %w", cost.ErrRejected)
	}
	req.Model = models[0]
	var est prices.Money
	if r.cfg.Budget > 0 {
		e, err := sol.EstimateCost(prices.Default(), cost.Request{Chat: req})
		if err != nil {
			return ans, err
		}
		est = e.Cost
		for {
			c := r.committed.Load()
			if prices.Money(c)+est > r.cfg.Budget {
				return ans, &cost.BudgetError{Model: req.Model, Spent: prices.Money(c), Estimate: est, Budget: r.cfg.Budget}
			}
			if r.committed.CompareAndSwap(c, c+int64(est)) {
				break
			}
		}
	}
	ans.Tried = append(ans.Tried, req.Model)
	resp, err := r.cfg.Client.CreateChatCompletion(ctx, req)
	if err != nil {
		r.committed.Add(-int64(est))
		return ans, err
	}
	p, _ := prices.Default().Lookup(req.Model)
	cached := 0
	if d := resp.Usage.PromptTokensDetails; d != nil {
		cached = d.CachedTokens
	}
	c := p.Cost(resp.Usage.PromptTokens, cached, resp.Usage.CompletionTokens)
	r.committed.Add(int64(c - est))
	r.spent.Add(int64(c))
	ans.Response, ans.Model, ans.Cost = resp, req.Model, ans.Cost+c
	if r.cfg.Check != nil && r.cfg.Check(req, resp) != nil {
		return r.try(ctx, req, models[1:], ans)
	}
	return ans, nil
}

func TestSuitePassesARouterWrittenDifferently(t *testing.T) {
	impl := sol.Impl()
	impl.NewRouter = func(cfg cost.RouterConfig) (cost.Router, error) {
		if _, err := sol.NewRouter(cfg); err != nil {
			return nil, err
		}
		return &casRouter{cfg: cfg}, nil
	}
	for _, err := range costtest.Check(impl, "router") {
		t.Errorf("a correct lock-free, recursive router: %v", err)
	}
}

// trackerWith wraps the solution's tracker and bends its summary.
type trackerWith struct {
	sol.Tracker
	bend func(metrics.Summary, []metrics.Call) metrics.Summary

	mu    sync.Mutex
	calls []metrics.Call
}

func (t *trackerWith) Add(c metrics.Call) {
	t.Tracker.Add(c)
	t.mu.Lock()
	t.calls = append(t.calls, c)
	t.mu.Unlock()
}

func (t *trackerWith) Summary() metrics.Summary {
	t.mu.Lock()
	calls := slices.Clone(t.calls)
	t.mu.Unlock()
	return t.bend(t.Tracker.Summary(), calls)
}

func withTracker(bend func(metrics.Summary, []metrics.Call) metrics.Summary) cost.Impl {
	impl := sol.Impl()
	impl.NewTracker = func() cost.Tracker { return &trackerWith{bend: bend} }
	return impl
}

func latencies(calls []metrics.Call) []time.Duration {
	var ds []time.Duration
	for _, c := range calls {
		ds = append(ds, c.Latency)
	}
	slices.Sort(ds)
	return ds
}

func TestSuiteRejectsBrokenTrackers(t *testing.T) {
	rejects(t, "tracker", "takes percentiles at index p/100·n (one rank too high)", withTracker(
		func(s metrics.Summary, calls []metrics.Call) metrics.Summary {
			if ds := latencies(calls); len(ds) > 0 {
				s.P95 = ds[min(len(ds)*95/100, len(ds)-1)]
			}
			return s
		}))
	rejects(t, "tracker", "interpolates the median", withTracker(
		func(s metrics.Summary, calls []metrics.Call) metrics.Summary {
			if ds := latencies(calls); len(ds)%2 == 0 && len(ds) > 0 {
				s.P50 = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
			}
			return s
		}))
	rejects(t, "tracker", "divides by zero when empty (NaN hit rate)", withTracker(
		func(s metrics.Summary, calls []metrics.Call) metrics.Summary {
			s.HitRate = float64(s.CacheHits) / float64(len(calls))
			return s
		}))
	rejects(t, "tracker", "leaves failed calls out of the latencies", withTracker(
		func(s metrics.Summary, calls []metrics.Call) metrics.Summary {
			var sum time.Duration
			n := 0
			for _, c := range calls {
				if c.Err == nil {
					sum += c.Latency
					n++
				}
			}
			if n > 0 {
				s.Mean = sum / time.Duration(n)
			}
			return s
		}))
	rejects(t, "tracker", "divides tokens by the sum of latencies, not wall time", withTracker(
		func(s metrics.Summary, calls []metrics.Call) metrics.Summary {
			var sum time.Duration
			for _, c := range calls {
				sum += c.Latency
			}
			if sum > 0 {
				s.TokensPerSec = float64(s.CompletionTokens) / sum.Seconds()
			}
			return s
		}))
	rejects(t, "tracker", "compares with the ratio upside down", func() cost.Impl {
		impl := sol.Impl()
		impl.Compare = func(b, a metrics.Summary) []cost.Change {
			rows := sol.Compare(b, a)
			for i, r := range rows {
				if r.After != 0 {
					rows[i].Ratio = r.Before / r.After
				}
			}
			return rows
		}
		return impl
	}())
}
