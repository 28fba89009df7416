package cost_test

import (
	"strings"
	"testing"

	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/lessons/prices"
	"github.com/llmperf/workbook/lessons/tokens"
	sol "github.com/llmperf/workbook/solutions/cost"
)

// The suite must pass the reference solution and fail implementations that are subtly wrong. Each broken
// implementation below is the solution with one mistake a learner could make.

func TestSuitePassesSolution(t *testing.T) {
	for _, name := range cost.Exercises {
		for _, err := range cost.Check(sol.Impl(), name) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// rejects asserts that the suite finds something wrong with impl's exercise.
func rejects(t *testing.T, exercise, why string, impl cost.Impl) {
	t.Helper()
	errs := cost.Check(impl, exercise)
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
