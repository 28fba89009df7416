package llm

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func resetLedger(t *testing.T) {
	t.Helper()
	reset := func() { ledger.mu.Lock(); ledger.spent = 0; ledger.mu.Unlock() }
	reset()
	t.Cleanup(reset)
}

func TestEnvBudget(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("OPENAI_BASE_URL", "")
	for _, tc := range []struct {
		env  string
		want prices.Money
		bad  bool
	}{
		{"", DefaultBudget, false},
		{"0.50", 50 * prices.Cent, false},
		{"$2", 2 * prices.Dollar, false},
		{"0", 0, false},
		{"lots", 0, true},
		{"-1", 0, true},
	} {
		t.Setenv(BudgetVar, tc.env)
		s, err := Env()
		if tc.bad {
			if err == nil || !strings.HasPrefix(err.Error(), "llm: LLMPERF_BUDGET: must be an amount of dollars") {
				t.Errorf("%s=%q: err = %v, want one naming the variable", BudgetVar, tc.env, err)
			}
			continue
		}
		if err != nil || s.Budget != tc.want {
			t.Errorf("%s=%q: budget %v, err %v; want %v", BudgetVar, tc.env, s.Budget, err, tc.want)
		}
	}
	if DefaultBudget != 5*prices.Cent {
		t.Errorf("DefaultBudget = %v, want $0.05", DefaultBudget)
	}
}

func TestCheckPrintsEstimateAndRefusesOverBudget(t *testing.T) {
	resetLedger(t)
	real := Settings{Key: secret, BaseURL: "https://user:" + secret + "@proxy.example/v1", Model: "gpt-4o-mini",
		Budget: 5 * prices.Cent}
	prompt := "In two sentences: why do applications that call LLM APIs feel slow?"
	var out bytes.Buffer
	// 21 calls of gpt-4o-mini with answers of up to 500 tokens: a fraction of a cent.
	if err := real.Check(&out, Plan{Calls: 21, Prompt: prompt}); err != nil {
		t.Fatalf("21 small calls refused: %v", err)
	}
	e := real.Estimate(Plan{Calls: 21, Prompt: prompt})
	p, _ := prices.Default().Lookup("gpt-4o-mini")
	if want := 21 * p.Cost(e.PromptTokens/21, 0, 500); e.Cost != want || e.CompletionTokens != 21*500 {
		t.Errorf("estimate %+v, want cost %v", e, want)
	}
	for _, want := range []string{"Real provider (openai at https://proxy.example/v1, model gpt-4o-mini): 21 calls",
		e.Cost.String(), "budget $0.05", BudgetVar} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printout lacks %q:\n%s", want, out.String())
		}
	}
	// 2,000 calls of gpt-4o: dollars.
	out.Reset()
	big := real
	big.Model = "gpt-4o"
	err := big.Check(&out, Plan{Calls: 2000, Prompt: prompt, AnswerTokens: 300})
	if err == nil {
		t.Fatal("2,000 gpt-4o calls allowed on a $0.05 budget")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "llm: budget: over budget: these calls are estimated at $") ||
		!strings.Contains(msg, "set LLMPERF_BUDGET=") || !strings.Contains(msg, "unset OPENAI_API_KEY") {
		t.Errorf("refusal does not say what is wrong, then how to go on: %s", msg)
	}
	for _, s := range []string{out.String(), msg} {
		if strings.Contains(s, secret) {
			t.Errorf("key shown: %s", s)
		}
	}
	// The mock is free: nothing printed, nothing refused.
	out.Reset()
	if err := (Settings{Model: "gpt-4o"}).Check(&out, Plan{Calls: 1_000_000, Prompt: prompt}); err != nil || out.Len() != 0 {
		t.Errorf("mock: err %v, printed %q", err, out.String())
	}
	if err := NewMock(DefaultMockConfig()).Check(&out, Plan{Calls: 1_000_000}); err != nil || out.Len() != 0 {
		t.Errorf("mock client: err %v, printed %q", err, out.String())
	}
}

func TestEstimateUnknownModelIsNotFree(t *testing.T) {
	s := Settings{Key: secret, Model: "llama3.1:8b"}
	e := s.Estimate(Plan{Calls: 10, Prompt: "hello", AnswerTokens: 100})
	known := Settings{Key: secret, Model: "gpt-4o"}.Estimate(Plan{Calls: 10, Prompt: "hello", AnswerTokens: 100})
	if e.Cost < known.Cost || !strings.Contains(e.PricedAs, "highest prices") {
		t.Errorf("unknown model estimated at %v (%s); gpt-4o at %v", e.Cost, e.PricedAs, known.Cost)
	}
}

func TestBudgetGuardStopsRealCalls(t *testing.T) {
	resetLedger(t)
	srv := mock.New(mock.Config{AnswerTokens: 20})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	// A budget for about three calls: each asks for at most 100 tokens of gpt-4o (about $0.001 a call).
	s := Settings{Key: secret, BaseURL: hs.URL + "/v1", Model: "gpt-4o", Budget: prices.Dollar / 300}
	c := NewWith(s)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req := openai.ChatCompletionRequest{Model: "gpt-4o", MaxTokens: 100,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "Status of the pour at C4?"}}}
	var sent int
	var refusal error
	for range 10 {
		if _, err := c.CreateChatCompletion(ctx, req); err != nil {
			refusal = err
			break
		}
		sent++
	}
	if sent < 2 || sent > 4 || refusal == nil {
		t.Fatalf("%d calls made before a refusal (%v); want about 3", sent, refusal)
	}
	if got := srv.Stats().Requests; got != int64(sent) {
		t.Errorf("the server saw %d requests, want only the %d allowed", got, sent)
	}
	if msg := refusal.Error(); !strings.Contains(msg, "over budget") || !strings.Contains(msg, BudgetVar+"=") ||
		strings.Contains(msg, secret) {
		t.Errorf("refusal: %s", msg)
	}
	// The same process, another client of the same provider (as solutions/pulse makes with Settings.Config): the
	// budget is the process's, not the client's.
	other := openai.NewClientWithConfig(s.Config(nil))
	if _, err := other.CreateChatCompletion(ctx, req); err == nil || !strings.Contains(err.Error(), "over budget") {
		t.Errorf("a second client got past the spent budget: %v", err)
	}
	// Streams and embeddings pass the guard too; listing models costs nothing and is never refused.
	if _, _, _, err := c.Stream(ctx, "hello"); err == nil || !strings.Contains(err.Error(), "over budget") {
		t.Errorf("stream after the budget: %v", err)
	}
	if _, err := c.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: []string{"a", "b"},
		Model: openai.SmallEmbedding3}); err != nil && !strings.Contains(err.Error(), "over budget") {
		t.Errorf("embeddings: %v", err)
	}
	if _, err := c.ListModels(ctx); err != nil {
		t.Errorf("ListModels refused or failed: %v", err)
	}
	var e *Error
	if !errors.As(refusal, &e) {
		t.Errorf("refusal is %T, want to find an *llm.Error in it", refusal)
	}
}

func TestGuardEstimates(t *testing.T) {
	g := budgetGuard{s: Settings{Key: secret}}
	chat := `{"model":"gpt-4o-mini","max_tokens":50,"n":2,"messages":[{"role":"user","content":"hi"}]}`
	p, _ := prices.Default().Lookup("gpt-4o-mini")
	prompt := Settings{Model: "gpt-4o-mini"}.Estimate(Plan{Calls: 1, Prompt: "hi"}).PromptTokens
	if got, want := g.cost([]byte(chat), true), 2*p.Cost(prompt, 0, 50); got != want {
		t.Errorf("chat with n=2, max_tokens=50: %v, want %v", got, want)
	}
	emb := `{"model":"text-embedding-3-small","input":["concrete pour","crane"]}`
	e, _ := prices.Default().Lookup("text-embedding-3-small")
	if got := g.cost([]byte(emb), false); got <= 0 || got > e.Cost(10, 0, 0) {
		t.Errorf("embeddings of two short inputs: %v", got)
	}
	if got := g.cost([]byte("not json"), true); got <= 0 {
		t.Errorf("an unreadable body was estimated at %v", got)
	}
}

func TestSuggest(t *testing.T) {
	for _, tc := range []struct {
		need prices.Money
		want string
	}{{3 * prices.Cent, "0.10"}, {12 * prices.Cent, "0.25"}, {3 * prices.Dollar, "5.00"}, {73 * prices.Dollar, "74.00"}} {
		if got := suggest(tc.need); got != tc.want {
			t.Errorf("suggest(%v) = %q, want %q", tc.need, got, tc.want)
		}
	}
}
