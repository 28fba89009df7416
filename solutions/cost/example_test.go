package cost_test

import (
	"context"
	"fmt"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/data"
	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	lessonscost "github.com/llmperf/workbook/lessons/cost"
	"github.com/llmperf/workbook/mock"
	"github.com/llmperf/workbook/solutions/cost"
)

func ExampleEstimateCost() {
	req := openai.ChatCompletionRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleUser, Content: "Summarise today's site diary in one line."},
		},
		MaxTokens: 60,
	}
	e, err := cost.EstimateCost(prices.Default(), cost.Request{Chat: req})
	if err != nil {
		panic(err)
	}
	p, _ := prices.Default().Lookup("gpt-4o-mini")
	fmt.Println("prompt tokens:", e.PromptTokens, "output tokens:", e.OutputTokens)
	fmt.Println("priced by the table:", e.Cost == p.Cost(e.PromptTokens, 0, 60))
	// Output:
	// prompt tokens: 17 output tokens: 60
	// priced by the table: true
}

func ExampleOptimize() {
	p := cost.Prompt{
		System:   "You are a helpful assistant.\n\n\n   Answer as a site engineer.   ",
		Context:  []string{"Crane inspected Monday.", "Crane   inspected Monday."},
		Question: "What  changed?",
	}
	out, rep, err := cost.Optimize(p, cost.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q\n%q\n%q\n", out.System, out.Context, out.Question)
	fmt.Println("tokens:", rep.Before, "→", rep.After)
	// Output:
	// "Answer as a site engineer."
	// ["Crane inspected Monday."]
	// "What changed?"
	// tokens: 40 → 25
}

func ExampleRouter() {
	srv := mock.New(mock.Config{})
	r, err := cost.NewRouter(cost.RouterConfig{
		Client: openai.NewClientWithConfig(srv.ClientConfig()),
		Models: []string{"gpt-4o-mini", "gpt-4o"},
		Check:  lessonscost.ValidateTask, // the answer's form, not its value
		Budget: prices.Cent,
	})
	if err != nil {
		panic(err)
	}
	// A graded task (kit/data): the mock's models answer it as well as their tier does.
	task := data.NewTask(data.Count, 24, 5307)
	ans, err := r.Complete(context.Background(), openai.ChatCompletionRequest{Messages: task.Messages(), MaxTokens: 50})
	if err != nil {
		panic(err)
	}
	answer := ans.Response.Choices[0].Message.Content
	fmt.Printf("tried %v; %s answered %q, right: %v\n", ans.Tried, ans.Model, answer, task.Grade(answer))
	fmt.Println("both calls paid for:", r.Spent() == ans.Cost)
	// Output:
	// tried [gpt-4o-mini gpt-4o]; gpt-4o answered "2", right: true
	// both calls paid for: true
}

func ExampleTracker() {
	var t cost.Tracker // the zero value is ready
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i, ms := range []int{120, 90, 100, 110, 4000} { // one slow call in five
		t.Add(metrics.Call{Start: start.Add(time.Duration(i) * time.Second), Latency: time.Duration(ms) * time.Millisecond})
	}
	s := t.Summary()
	fmt.Println("mean", s.Mean, "p50", s.P50, "p95", s.P95)
	// Output: mean 884ms p50 110ms p95 4s
}

func ExampleCompare() {
	before := metrics.Summary{P95: 3 * time.Second, Cost: 2 * prices.Cent}
	after := metrics.Summary{P95: 600 * time.Millisecond, Cost: prices.Cent / 2}
	for _, c := range cost.Compare(before, after) {
		if c.Metric == "p95 latency ms" || c.Metric == "cost $" {
			fmt.Printf("%s: %g → %g (×%.2f)\n", c.Metric, c.Before, c.After, c.Ratio)
		}
	}
	// Output:
	// p95 latency ms: 3000 → 600 (×0.20)
	// cost $: 0.02 → 0.005 (×0.25)
}

var _ lessonscost.Router = (*cost.Router)(nil)
