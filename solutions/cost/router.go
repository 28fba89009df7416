package cost

import (
	"context"
	"errors"
	"fmt"
	"sync"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/lessons/cost"
)

// RouterConfig configures a Router (see lessons/cost).
type RouterConfig = cost.RouterConfig

// Answer is what Router.Complete did (see lessons/cost).
type Answer = cost.Answer

// Router is a cascade: it tries the cheapest model first and escalates only when the answer fails the check,
// refusing any call whose estimate would take the spending past the budget. It is safe for concurrent use.
type Router struct {
	cfg   RouterConfig
	table prices.Table

	mu       sync.Mutex
	spent    prices.Money // real cost of the calls made
	reserved prices.Money // estimates of the calls in flight
}

// NewRouter checks cfg and returns a router. Every model needs a price in cfg.Prices (or prices.Default()).
func NewRouter(cfg RouterConfig) (*Router, error) {
	if cfg.Client == nil {
		return nil, errors.New("router: no client")
	}
	if len(cfg.Models) == 0 {
		return nil, errors.New("router: no models to route between")
	}
	if cfg.Budget < 0 {
		return nil, fmt.Errorf("router: budget %v is negative (0 means no limit)", cfg.Budget)
	}
	table := cfg.Prices
	if len(table.Models()) == 0 {
		table = prices.Default()
	}
	for _, m := range cfg.Models {
		if _, err := table.Lookup(m); err != nil {
			return nil, fmt.Errorf("router: %w", err)
		}
	}
	return &Router{cfg: cfg, table: table}, nil
}

// Complete answers req with the first model, in order, whose answer passes the check. With a budget, req must
// set MaxTokens or MaxCompletionTokens: the estimate needs an upper bound on the output.
func (r *Router) Complete(ctx context.Context, req openai.ChatCompletionRequest) (Answer, error) {
	var ans Answer
	var rejected error
	for _, model := range r.cfg.Models {
		req.Model = model
		var est prices.Money
		if r.cfg.Budget > 0 {
			e, err := EstimateCost(r.table, Request{Chat: req})
			if err != nil {
				return ans, fmt.Errorf("router: %w", err)
			}
			if err := r.reserve(model, e.Cost); err != nil {
				return ans, err
			}
			est = e.Cost
		}
		ans.Tried = append(ans.Tried, model)
		resp, err := r.cfg.Client.CreateChatCompletion(ctx, req)
		if err != nil {
			r.settle(est, 0) // a failed call is not billed
			return ans, fmt.Errorf("router: %s: %w", model, err)
		}
		c, err := r.priceOf(model, resp.Usage)
		if err != nil {
			r.settle(est, 0)
			return ans, err
		}
		r.settle(est, c)
		ans.Response, ans.Model, ans.Cost = resp, model, ans.Cost+c
		if r.cfg.Check == nil {
			return ans, nil
		}
		if rejected = r.cfg.Check(req, resp); rejected == nil {
			return ans, nil
		}
	}
	return ans, fmt.Errorf("router: %w (last: %v)", cost.ErrRejected, rejected)
}

// Spent is the real cost of the calls made so far.
func (r *Router) Spent() prices.Money {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.spent
}

// reserve books est for a call about to be made, or refuses it.
func (r *Router) reserve(model string, est prices.Money) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if committed := r.spent + r.reserved; committed+est > r.cfg.Budget {
		return &cost.BudgetError{Model: model, Spent: committed, Estimate: est, Budget: r.cfg.Budget}
	}
	r.reserved += est
	return nil
}

// settle replaces a call's reservation with what it really cost.
func (r *Router) settle(est, real prices.Money) {
	r.mu.Lock()
	r.reserved -= est
	r.spent += real
	r.mu.Unlock()
}

func (r *Router) priceOf(model string, u openai.Usage) (prices.Money, error) {
	p, err := r.table.Lookup(model)
	if err != nil {
		return 0, fmt.Errorf("router: %w", err)
	}
	cached := 0
	if u.PromptTokensDetails != nil {
		cached = u.PromptTokensDetails.CachedTokens
	}
	return p.Cost(u.PromptTokens, cached, u.CompletionTokens), nil
}
