package costtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// The router suite's models: a cheap one and a strong one.
const (
	cheapModel  = "gpt-4o-mini"
	strongModel = "gpt-4o"
)

// routerMaxTokens is more than any mock answer (at most 99 tokens), so a call's estimate is strictly above its
// real cost and a router that never replaces its estimate with the real cost is caught.
const routerMaxTokens = 200

func routerRequest() openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Messages: []openai.ChatCompletionMessage{
			system("Classify the site report line as SAFETY, DELAY or ROUTINE. Reply with the label only."),
			user("Scaffold on the east face found untagged at 07:40; area closed until inspected."),
		},
		MaxTokens: routerMaxTokens,
	}
}

// newMock returns a fresh zero-latency mock and a client that reaches it in memory.
func newMock() (*mock.Server, *openai.Client) {
	s := mock.New(mock.Config{})
	return s, openai.NewClientWithConfig(s.ClientConfig())
}

// estimateOf is the suite's own estimate of a router call: the whole prompt and the request's max tokens.
func estimateOf(model string, req openai.ChatCompletionRequest) prices.Money {
	p, err := prices.Default().Lookup(model)
	if err != nil {
		panic(err)
	}
	return p.Cost(tokens.CountChat(model, req.Messages), 0, req.MaxTokens)
}

// costOf is what a response cost by its usage.
func costOf(resp openai.ChatCompletionResponse) prices.Money {
	p, err := prices.Default().Lookup(resp.Model)
	if err != nil {
		panic(err)
	}
	cached := 0
	if d := resp.Usage.PromptTokensDetails; d != nil {
		cached = d.CachedTokens
	}
	return p.Cost(resp.Usage.PromptTokens, cached, resp.Usage.CompletionTokens)
}

// rejectModel is a check that fails answers from one model, as a test of quality would.
func rejectModel(model string) func(openai.ChatCompletionRequest, openai.ChatCompletionResponse) error {
	return func(_ openai.ChatCompletionRequest, resp openai.ChatCompletionResponse) error {
		if strings.HasPrefix(resp.Model, model) {
			return fmt.Errorf("answer from %s judged not good enough", resp.Model)
		}
		return nil
	}
}

func checkRouter(newRouter func(cost.RouterConfig) (cost.Router, error)) findings {
	var f findings
	ctx := context.Background()
	models := []string{cheapModel, strongModel}
	req := routerRequest()

	// The cheap model's answer passes: one call, to the cheap model. (In the test goroutine first.)
	srv, client := newMock()
	r, err := newRouter(cost.RouterConfig{Client: client, Models: models})
	if err != nil {
		return append(f, fmt.Errorf("NewRouter(client, %q): unexpected error %v", models, err))
	}
	ans, err := r.Complete(ctx, req)
	if err != nil {
		return append(f, fmt.Errorf("Complete with no check and no budget: unexpected error %v", err))
	}
	cheapCost := costOf(ans.Response)
	if n := srv.Stats().Requests; n != 1 || ans.Model != cheapModel || !slices.Equal(ans.Tried, models[:1]) {
		f.errorf("answer passes: %d calls, Model %q, Tried %q; want 1 call to the cheap model %q", n, ans.Model,
			ans.Tried, cheapModel)
	}
	if ans.Cost != cheapCost || r.Spent() != cheapCost {
		f.errorf("answer passes: Answer.Cost %v, Spent %v; want %v (the usage the API reported, priced)",
			ans.Cost, r.Spent(), cheapCost)
	}
	if len(ans.Response.Choices) == 0 || ans.Response.Choices[0].Message.Content == "" {
		f.errorf("answer passes: Answer.Response has no answer text")
	}

	// The check fails the cheap model: escalate once.
	srv, client = newMock()
	r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Check: rejectModel(cheapModel)})
	if err != nil {
		return append(f, fmt.Errorf("NewRouter: unexpected error %v", err))
	}
	ans, err = r.Complete(ctx, req)
	if err != nil || srv.Stats().Requests != 2 || ans.Model != strongModel || !slices.Equal(ans.Tried, models) {
		f.errorf("check fails the cheap model: error %v, %d calls, Model %q, Tried %q; want no error, 2 calls, "+
			"Model %q, Tried %q", err, srv.Stats().Requests, ans.Model, ans.Tried, strongModel, models)
	} else if want := cheapCost + costOf(ans.Response); ans.Cost != want || r.Spent() != want {
		f.errorf("after escalating: Answer.Cost %v, Spent %v; want %v (both calls)", ans.Cost, r.Spent(), want)
	}

	// Every answer fails: ErrRejected after trying every model.
	srv, client = newMock()
	always := func(openai.ChatCompletionRequest, openai.ChatCompletionResponse) error {
		return errors.New("never good enough")
	}
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Check: always}); err == nil {
		ans, err = r.Complete(ctx, req)
		if !errors.Is(err, cost.ErrRejected) || srv.Stats().Requests != 2 || !slices.Equal(ans.Tried, models) {
			f.errorf("every answer fails the check: error %v, %d calls, Tried %q; want an error that errors.Is "+
				"ErrRejected after calling every model once", err, srv.Stats().Requests, ans.Tried)
		}
	}

	// A budget below the first call's estimate: refused before any call, with a *BudgetError.
	est0, est1 := estimateOf(cheapModel, req), estimateOf(strongModel, req)
	srv, client = newMock()
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Budget: est0 - 1}); err == nil {
		ans, err = r.Complete(ctx, req)
		var be *cost.BudgetError
		switch {
		case !errors.Is(err, cost.ErrBudget) || !errors.As(err, &be):
			f.errorf("budget below the estimate: error %v; want a *BudgetError (errors.Is ErrBudget, errors.As "+
				"*BudgetError)", err)
		case srv.Stats().Requests != 0 || len(ans.Tried) != 0 || r.Spent() != 0:
			f.errorf("budget below the estimate: %d calls made, Tried %q, Spent %v; refuse before calling",
				srv.Stats().Requests, ans.Tried, r.Spent())
		case be.Model != cheapModel || be.Estimate != est0 || be.Budget != est0-1 || be.Spent != 0:
			f.errorf("budget below the estimate: %+v; want Model %q, Estimate %v (prompt tokens by "+
				"tokens.CountChat plus max tokens, priced), Budget %v, Spent 0", *be, cheapModel, est0, est0-1)
		}
	}

	// Enough budget for the cheap call but not for escalating: the cheap answer comes back with ErrBudget.
	srv, client = newMock()
	budget := cheapCost + est1 - 1
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Budget: budget,
		Check: rejectModel(cheapModel)}); err == nil {
		ans, err = r.Complete(ctx, req)
		if !errors.Is(err, cost.ErrBudget) || srv.Stats().Requests != 1 || ans.Model != cheapModel ||
			r.Spent() != cheapCost {
			f.errorf("no budget left to escalate: error %v, %d calls, Model %q, Spent %v; want ErrBudget after "+
				"1 call, the cheap answer and Spent %v", err, srv.Stats().Requests, ans.Model, r.Spent(), cheapCost)
		}
	}

	// Sequential spending: a call is made while spent + estimate fits, and spent is the real cost.
	srv, client = newMock()
	budget = 5 * est0
	wantCalls := 0
	for spent := prices.Money(0); spent+est0 <= budget; spent += cheapCost {
		wantCalls++
	}
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Budget: budget}); err == nil {
		calls := 0
		for range 100 {
			if _, err = r.Complete(ctx, req); err != nil {
				break
			}
			calls++
		}
		if calls != wantCalls || !errors.Is(err, cost.ErrBudget) || r.Spent() != prices.Money(wantCalls)*cheapCost ||
			srv.Stats().Requests != int64(wantCalls) {
			f.errorf("budget %v, estimate %v, real cost %v per call: %d calls then error %v, Spent %v; want %d "+
				"calls (refuse when spent + estimate > budget; after a call count its real cost, not the "+
				"estimate), ErrBudget, Spent %v", budget, est0, cheapCost, calls, err, r.Spent(), wantCalls,
				prices.Money(wantCalls)*cheapCost)
		}
	}

	// A call that fails gives its reservation back.
	_, client = newMock()
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Budget: est0}); err == nil {
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err1 := r.Complete(cancelled, req)
		_, err2 := r.Complete(ctx, req)
		if err1 == nil || err2 != nil || r.Spent() != cheapCost {
			f.errorf("budget for exactly one call; a cancelled call, then a live one: errors %v, %v, Spent %v; "+
				"want an error, then success: a failed call must release what it reserved", err1, err2, r.Spent())
		}
	}

	// A long prompt sent twice: the second call's prompt is mostly served from the provider's prompt cache (the
	// mock reports cached_tokens for a repeated prefix of 1,024 tokens or more, as OpenAI does), and those tokens
	// are billed at the cached-input price.
	f = append(f, checkRouterCachedTokens(newRouter)...)

	// Many goroutines: the budget holds, and every call is accounted for exactly once.
	f = append(f, checkRouterConcurrent(newRouter, req, est0, cheapCost)...)

	// Graded tasks with a real validator: the cascade's calls, answers, accuracy and cost, task by task.
	f = append(f, checkRouterGraded(newRouter)...)

	// Bad configuration and bad requests are errors.
	_, client = newMock()
	for _, tc := range []struct {
		name string
		cfg  cost.RouterConfig
	}{
		{"no client", cost.RouterConfig{Models: models}},
		{"no models", cost.RouterConfig{Client: client}},
		{"a model with no price", cost.RouterConfig{Client: client, Models: []string{cheapModel, "no-such-model"}}},
		{"negative budget", cost.RouterConfig{Client: client, Models: models, Budget: -1}},
	} {
		if _, err := newRouter(tc.cfg); err == nil {
			f.errorf("NewRouter with %s: got no error, want one", tc.name)
		}
	}
	srv, client = newMock()
	noMax := routerRequest()
	noMax.MaxTokens = 0
	if r, err = newRouter(cost.RouterConfig{Client: client, Models: models, Budget: prices.Dollar}); err == nil {
		if _, err := r.Complete(ctx, noMax); err == nil || srv.Stats().Requests != 0 {
			f.errorf("a budget and a request without max tokens: error %v after %d calls; want an error before "+
				"calling (no upper bound to estimate)", err, srv.Stats().Requests)
		}
	}
	return f
}

func checkRouterCachedTokens(newRouter func(cost.RouterConfig) (cost.Router, error)) findings {
	var f findings
	srv, client := newMock()
	long := routerRequest()
	long.Messages = append([]openai.ChatCompletionMessage{system(strings.Repeat(
		"Site rule: report every lift over 2 t, every scaffold change and every delay over 30 minutes. ", 60))},
		long.Messages...)
	r, err := newRouter(cost.RouterConfig{Client: client, Models: []string{cheapModel}, Budget: prices.Dollar})
	if err != nil {
		return append(f, fmt.Errorf("NewRouter: unexpected error %v", err))
	}
	first, err1 := r.Complete(context.Background(), long)
	second, err2 := r.Complete(context.Background(), long)
	if err := errors.Join(err1, err2); err != nil {
		return append(f, fmt.Errorf("a long prompt sent twice: unexpected error %v", err))
	}
	d := second.Response.Usage.PromptTokensDetails
	if d == nil || d.CachedTokens == 0 {
		return append(f, fmt.Errorf("suite bug: the mock reported no cached tokens for a repeated prompt of %d "+
			"tokens", second.Response.Usage.PromptTokens))
	}
	p, _ := prices.Default().Lookup(cheapModel)
	full := p.Cost(second.Response.Usage.PromptTokens, 0, second.Response.Usage.CompletionTokens)
	want := costOf(second.Response)
	switch {
	case second.Cost != want:
		f.errorf("a repeated prompt of %d tokens, %d of them cached (usage.prompt_tokens_details.cached_tokens): "+
			"Answer.Cost %v, want %v (%v if every prompt token paid the full input price): bill cached tokens at "+
			"the cached-input price", second.Response.Usage.PromptTokens, d.CachedTokens, second.Cost, want, full)
	case r.Spent() != costOf(first.Response)+want:
		f.errorf("a long prompt sent twice, the second time mostly cached: Spent %v, want %v + %v", r.Spent(),
			costOf(first.Response), want)
	case srv.Stats().CachedTokens != int64(d.CachedTokens):
		f.errorf("suite bug: the mock counted %d cached tokens, the answer %d", srv.Stats().CachedTokens, d.CachedTokens)
	}
	return f
}

func checkRouterConcurrent(newRouter func(cost.RouterConfig) (cost.Router, error), req openai.ChatCompletionRequest,
	est0, cheapCost prices.Money) findings {
	var f findings
	srv, client := newMock()
	budget := 10*est0 + est0/2
	r, err := newRouter(cost.RouterConfig{Client: client, Models: []string{cheapModel, strongModel}, Budget: budget})
	if err != nil {
		return append(f, fmt.Errorf("NewRouter: unexpected error %v", err))
	}
	const goroutines = 40
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		ok, refused   int
		sum           prices.Money
		unexpectedErr error
	)
	for range goroutines {
		wg.Go(func() {
			ans, err := r.Complete(context.Background(), req)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				sum += ans.Cost
			case errors.Is(err, cost.ErrBudget):
				refused++
			default:
				unexpectedErr = err
			}
		})
	}
	wg.Wait()
	spent := r.Spent()
	switch {
	case unexpectedErr != nil:
		f.errorf("%d concurrent calls: unexpected error %v", goroutines, unexpectedErr)
	case ok+refused != goroutines || ok < 10 || refused == 0:
		f.errorf("%d concurrent calls, budget for 10.5 estimates: %d answered, %d refused; want at least 10 "+
			"answered and the rest refused with ErrBudget", goroutines, ok, refused)
	case spent > budget:
		f.errorf("%d concurrent calls: spent %v, past the budget %v: reserve each call's estimate under a lock "+
			"before calling, so calls in flight count", goroutines, spent, budget)
	case spent != sum || spent != prices.Money(ok)*cheapCost || srv.Stats().Requests != int64(ok):
		f.errorf("%d concurrent calls: Spent %v, answers' costs add up to %v, %d answered × %v = %v, %d calls "+
			"reached the API; all should agree", goroutines, spent, sum, ok, cheapCost,
			prices.Money(ok)*cheapCost, srv.Stats().Requests)
	}
	return f
}
