package cost

import (
	"context"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/lessons/todo"
)

// RouterConfig configures a Router (see lessons/cost).
type RouterConfig = cost.RouterConfig

// Answer is what Router.Complete did (see lessons/cost).
type Answer = cost.Answer

// Router is a cascade: it tries the cheapest model first and escalates only when the answer fails the check,
// refusing any call whose estimate would take the spending past the budget. It must be safe for concurrent use.
type Router struct {
	// Add what you need: the config, the price table, a sync.Mutex, what was spent, what calls in flight
	// have reserved.
}

// NewRouter checks cfg — a client, at least one model, every model priced in cfg.Prices (or prices.Default()
// when that table has no models), a budget that is not negative — and returns a router.
func NewRouter(cfg RouterConfig) (*Router, error) {
	todo.Exercise("router") // delete this line and write the router
	return &Router{}, nil
}

// Complete answers req with the first model, in order, whose answer passes cfg.Check(req, resp) (a nil Check
// accepts everything; req as sent, with the model tried). For each model:
//
//   - with a budget, estimate the call (EstimateCost on req with that model: the prompt plus its max tokens)
//     and, under the lock, refuse with a *cost.BudgetError if spent + reserved + estimate > budget; otherwise
//     reserve the estimate;
//   - call the model; when the call returns, swap the reservation for the real cost from resp.Usage, with
//     Usage.PromptTokensDetails.CachedTokens of the prompt at the cached-input price (a failed call costs
//     nothing, but must still give its reservation back);
//   - run the check; a passing answer is returned, a failing one moves on to the next model.
//
// When every answer fails, return the last Answer and an error that wraps cost.ErrRejected.
//
// The suite checks, against the mock: one call when the cheap answer passes, escalation when it fails,
// ErrRejected when all fail; refusal before calling with a *cost.BudgetError holding the right figures; the
// cheap answer and ErrBudget when escalating would not fit; spending counted from real usage, so exactly as many
// calls as fit; a failed call's reservation released; a long prompt sent twice billed with its cached tokens at
// the cached-input price; 40 concurrent callers never passing the budget, every call counted once (race detector
// on); bad configurations and a request without max tokens refused. Then twelve graded tasks (kit/data), asked
// at once, with cost.ValidateTask as the check: task by task, the models called, the answer kept, the error and
// the cost must be what a cascade gpt-4o-mini → gpt-4o gives with the mock's answers — so the router's accuracy
// and cost are exactly the cascade's. A router that always calls the cheapest or the best model, escalates
// without validating, or gives up instead of escalating fails there.
func (r *Router) Complete(ctx context.Context, req openai.ChatCompletionRequest) (Answer, error) {
	todo.Exercise("router") // delete this line and write Complete
	return Answer{}, nil
}

// Spent is the real cost of the calls made so far.
func (r *Router) Spent() prices.Money {
	todo.Exercise("router") // delete this line and return what was spent (under the lock)
	return 0
}
