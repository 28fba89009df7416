package cost

import (
	"context"
	"errors"
	"fmt"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/prices"
)

// RouterConfig configures a model router.
type RouterConfig struct {
	Client *openai.Client
	// Models are tried in order, cheapest first; the router escalates to the next one when the check fails.
	Models []string
	// Check validates the answer resp to req (req as sent, with the model tried): a non-nil error sends req on to
	// the next model. A validator in production checks what it can without the right answer — the answer's
	// form, a schema — so it catches some wrong answers and not others; ValidateTask is one for kit/data's graded
	// tasks. Nil accepts every answer.
	Check func(req openai.ChatCompletionRequest, resp openai.ChatCompletionResponse) error
	// Budget is the most the router may spend over its lifetime; 0 means no limit. A call whose estimated cost
	// (prompt tokens plus the request's max tokens) would take the spending past it is refused, not made.
	Budget prices.Money
	// Prices prices the calls; a Table with no models means prices.Default().
	Prices prices.Table
}

// Router answers chat requests with a cascade: the cheapest model first, the next one only when the answer fails
// the check, within a budget. It is safe for concurrent use.
type Router interface {
	// Complete answers req (its Model is ignored: the router chooses). The Answer describes every attempt,
	// also when the error is not nil.
	Complete(ctx context.Context, req openai.ChatCompletionRequest) (Answer, error)
	// Spent is what the calls made so far cost, from the usage the API reported.
	Spent() prices.Money
}

// Answer is what Complete did.
type Answer struct {
	Response openai.ChatCompletionResponse // the accepted answer, or the last one received
	Model    string                        // the model that gave Response; "" when no call was made
	Tried    []string                      // the models called, in order
	Cost     prices.Money                  // what the calls of this Complete cost, from their usage
}

// ErrBudget is what a *BudgetError is (errors.Is(err, ErrBudget)).
var ErrBudget = errors.New("cost: budget exhausted")

// ErrRejected means every model's answer failed the check.
var ErrRejected = errors.New("cost: every model's answer failed the check")

// BudgetError is a call refused because its estimate would take the spending past the budget.
type BudgetError struct {
	Model    string
	Spent    prices.Money // spent and reserved by calls in flight when the call was refused
	Estimate prices.Money // the refused call's estimated cost
	Budget   prices.Money
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("cost: budget exhausted: a call to %s estimated at %v does not fit, with %v of the %v "+
		"budget already spent or reserved", e.Model, e.Estimate, e.Spent, e.Budget)
}

// Is makes errors.Is(err, ErrBudget) true for a *BudgetError.
func (e *BudgetError) Is(target error) bool { return target == ErrBudget }

// ValidateTask is a Check for kit/data's graded tasks: it finds the task's kind from the request's system
// message and validates the answer's form (data.TaskKind.Validate), not its value. A request that is not a
// graded task, or a response with no answer, fails.
func ValidateTask(req openai.ChatCompletionRequest, resp openai.ChatCompletionResponse) error {
	if len(req.Messages) == 0 {
		return errors.New("cost: ValidateTask: the request has no messages")
	}
	kind, ok := data.TaskKindOf(req.Messages[0].Content)
	if !ok {
		return errors.New("cost: ValidateTask: not a graded task (the first message is no task kind's instruction)")
	}
	if len(resp.Choices) == 0 {
		return errors.New("cost: ValidateTask: the response has no answer")
	}
	return kind.Validate(resp.Choices[0].Message.Content)
}
