package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/tokens"
	openai "github.com/sashabaranov/go-openai"
)

// BudgetVar is the environment variable that sets how many dollars one process (a notebook cell, a command)
// may spend on a real provider, e.g. LLMPERF_BUDGET=0.50.
const BudgetVar = "LLMPERF_BUDGET"

// DefaultBudget is the budget when LLMPERF_BUDGET is not set: five cents, enough for every notebook's real
// calls on a small model and far too little for an accident.
const DefaultBudget = 5 * prices.Cent

// DefaultAnswerTokens is the answer length an estimate assumes for a request without max_tokens.
const DefaultAnswerTokens = 500

// Plan is calls about to be made to the provider, for an estimate of their cost.
type Plan struct {
	Calls int // how many requests
	// Prompt is a typical call's prompt, sent as one user message (as Client.Chat does); Messages, if set, are
	// a typical call's whole prompt instead.
	Prompt   string
	Messages []openai.ChatCompletionMessage
	// AnswerTokens is the most completion tokens a call may produce (its max_tokens); 0 means
	// DefaultAnswerTokens.
	AnswerTokens int
}

// Estimate is what a Plan is expected to cost: tokens counted with the model's tokenizer (kit/tokens), priced
// with the dated price table (kit/prices).
type Estimate struct {
	Model                          string
	Calls                          int
	PromptTokens, CompletionTokens int // all calls together
	Cost                           prices.Money
	// PricedAs says whose prices were used: the model's, or, for a model the table does not know, the table's
	// highest input and output prices, so that an unknown model is never taken for a free one.
	PricedAs string
}

// Estimate prices p on the settings' model.
func (s Settings) Estimate(p Plan) Estimate {
	msgs := p.Messages
	if msgs == nil {
		msgs = []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: p.Prompt}}
	}
	answer := p.AnswerTokens
	if answer <= 0 {
		answer = DefaultAnswerTokens
	}
	calls := max(p.Calls, 0)
	price, as := priceOf(s.Model)
	prompt := tokens.CountChat(s.Model, msgs)
	return Estimate{Model: s.Model, Calls: calls, PromptTokens: calls * prompt, CompletionTokens: calls * answer,
		Cost: prices.Money(calls) * price.Cost(prompt, 0, answer), PricedAs: as}
}

// priceOf is model's price, or the table's highest prices for a model it does not know.
func priceOf(model string) (prices.Price, string) {
	t := prices.Default()
	if p, err := t.Lookup(model); err == nil {
		return p, model + " list prices of " + t.AsOf.Format("2006-01-02")
	}
	var top prices.Price
	for _, m := range t.Models() {
		p, _ := t.Lookup(m)
		top.Input, top.Output = max(top.Input, p.Input), max(top.Output, p.Output)
	}
	top.CachedInput = top.Input
	return top, "the table's highest prices (no price is known for " + model + ")"
}

// Check prints what p would cost on a real provider, then refuses with an error when that, added to what this
// process has already sent, is over the budget (Settings.Budget, from LLMPERF_BUDGET). With the mock it prints
// nothing and allows anything: the mock is free. The printout and the error name the provider by its URL,
// never by its key.
func (s Settings) Check(w io.Writer, p Plan) error {
	if !s.Real() {
		return nil
	}
	e := s.Estimate(p)
	spent := ledger.total()
	fmt.Fprintf(w, "Real provider (%s): %d calls, about %d prompt + at most %d completion tokens, estimated %v "+
		"at %s; budget %v for this process (%s), %v used so far.\n", s, e.Calls, e.PromptTokens, e.CompletionTokens,
		e.Cost, e.PricedAs, s.budget(), BudgetVar, spent)
	if spent+e.Cost > s.budget() {
		return s.overBudget(e.Cost, spent)
	}
	return nil
}

func (s Settings) budget() prices.Money {
	if s.Budget == 0 {
		return DefaultBudget
	}
	return s.Budget
}

// overBudget is the refusal: what is wrong first, then how to go on.
func (s Settings) overBudget(cost, spent prices.Money) error {
	need := cost + spent
	return &Error{Op: "budget", Msg: fmt.Sprintf("over budget: these calls are estimated at %v (with %v already "+
		"sent by this process), over the %v budget for real calls to %s; to allow them, set %s=%s (dollars) before "+
		"starting Jupyter or the command, or unset OPENAI_API_KEY to use the free mock", cost, spent, s.budget(), s,
		BudgetVar, suggest(need))}
}

// suggest is a round dollar amount above need, for the refusal's example.
func suggest(need prices.Money) string {
	for _, d := range []prices.Money{10 * prices.Cent, 25 * prices.Cent, 50 * prices.Cent, prices.Dollar,
		2 * prices.Dollar, 5 * prices.Dollar, 10 * prices.Dollar, 20 * prices.Dollar, 50 * prices.Dollar} {
		if d >= need {
			return strings.TrimPrefix(d.String(), "$")
		}
	}
	return strings.TrimPrefix((need + prices.Dollar - need%prices.Dollar).String(), "$")
}

// ledger is what this process has sent to real providers, at estimated prices: every client made from
// Settings shares it, so the budget holds per process whatever the code does.
var ledger spending

type spending struct {
	mu    sync.Mutex
	spent prices.Money
}

func (l *spending) total() prices.Money {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.spent
}

// reserve adds cost unless that passes limit; it reports the total before and whether it added.
func (l *spending) reserve(cost, limit prices.Money) (prices.Money, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spent+cost > limit {
		return l.spent, false
	}
	l.spent += cost
	return l.spent - cost, true
}

// budgetGuard is the transport every client of a real provider uses (Settings.Config puts it in): before a
// request that costs money (chat completions, embeddings) leaves, it estimates the request — prompt tokens
// counted, max_tokens or DefaultAnswerTokens for the answer — and refuses it when the process's spending would
// pass the budget. Estimates are kept, not replaced by the real usage: with max_tokens set they are an upper
// bound, so the budget holds.
type budgetGuard struct {
	next http.RoundTripper
	s    Settings
}

func (g budgetGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil {
		return g.next.RoundTrip(req)
	}
	path := strings.TrimSuffix(req.URL.Path, "/")
	chat, embed := strings.HasSuffix(path, "/chat/completions"), strings.HasSuffix(path, "/embeddings")
	if !chat && !embed {
		return g.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	cost := g.cost(body, chat)
	if _, ok := ledger.reserve(cost, g.s.budget()); !ok {
		return nil, g.s.overBudget(cost, ledger.total())
	}
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return g.next.RoundTrip(r)
}

// cost estimates one request body. A body it cannot read is priced as DefaultAnswerTokens of answer at the
// table's highest prices rather than waved through.
func (g budgetGuard) cost(body []byte, chat bool) prices.Money {
	if chat {
		var r openai.ChatCompletionRequest
		if json.Unmarshal(body, &r) != nil {
			p, _ := priceOf("")
			return p.Cost(len(body), 0, DefaultAnswerTokens)
		}
		answer := r.MaxCompletionTokens
		if answer <= 0 {
			answer = r.MaxTokens
		}
		s := g.s
		s.Model = r.Model
		e := s.Estimate(Plan{Calls: max(r.N, 1), Messages: r.Messages, AnswerTokens: answer})
		return e.Cost
	}
	var r struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	_ = json.Unmarshal(body, &r)
	var one string
	var many []string
	n := 0
	if json.Unmarshal(r.Input, &one) == nil {
		n = tokens.Count(r.Model, one)
	} else if json.Unmarshal(r.Input, &many) == nil {
		for _, s := range many {
			n += tokens.Count(r.Model, s)
		}
	} else {
		n = len(r.Input) // token ids or something else: at most one token a byte
	}
	p, _ := priceOf(r.Model)
	return p.Cost(n, 0, 0)
}
