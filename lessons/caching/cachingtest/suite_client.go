package cachingtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/caching"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

// NewClientFunc builds a caching chat client, as Impl.NewClient does.
type NewClientFunc = func(upstream caching.Chatter, cache caching.Cache[string, openai.ChatCompletionResponse], policy caching.Policy) caching.Chatter

func smokeClient(newClient NewClientFunc) {
	c := newClient(&FakeChat{}, &MapCache[string, openai.ChatCompletionResponse]{}, caching.CacheDeterministic)
	c.CreateChatCompletion(context.Background(), baseRequest())
}

func seed(n int) *int { return &n }

// baseRequest is a deterministic request (it has a seed) with one of everything.
func baseRequest() openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model: "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You summarise site logs."},
			{Role: openai.ChatMessageRoleUser, Content: "Summarise: crane 3 idle all morning.", Name: "foreman"},
			{Role: openai.ChatMessageRoleAssistant, ToolCalls: []openai.ToolCall{{
				ID: "call_1", Type: openai.ToolTypeFunction,
				Function: openai.FunctionCall{Name: "lookup", Arguments: `{"crane":3}`},
			}}},
			{Role: openai.ChatMessageRoleTool, ToolCallID: "call_1", Content: "crane 3: hydraulic fault"},
		},
		Temperature: 0.7,
		TopP:        0.9,
		MaxTokens:   200,
		Seed:        seed(42),
		Stop:        []string{"\n\n"},
		LogitBias:   map[string]int{"1000": 1, "2000": -1, "3000": 2},
		Tools: []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{
			Name: "lookup", Parameters: map[string]any{"type": "object"},
		}}},
	}
}

// variants change one thing that changes the answer.
var variants = []struct {
	name   string
	change func(r *openai.ChatCompletionRequest)
}{
	{"model", func(r *openai.ChatCompletionRequest) { r.Model = "gpt-4o" }},
	{"system prompt", func(r *openai.ChatCompletionRequest) { r.Messages[0].Content += " Be brief." }},
	{"user message", func(r *openai.ChatCompletionRequest) { r.Messages[1].Content = "Summarise: crane 4 idle." }},
	{"message role", func(r *openai.ChatCompletionRequest) { r.Messages[0].Role = openai.ChatMessageRoleDeveloper }},
	{"message name", func(r *openai.ChatCompletionRequest) { r.Messages[1].Name = "engineer" }},
	{"one more message", func(r *openai.ChatCompletionRequest) {
		r.Messages = append(r.Messages, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: "And?"})
	}},
	{"tool call arguments", func(r *openai.ChatCompletionRequest) { r.Messages[2].ToolCalls[0].Function.Arguments = `{"crane":4}` }},
	{"tool result", func(r *openai.ChatCompletionRequest) { r.Messages[3].Content = "crane 3: no fault" }},
	{"image part", func(r *openai.ChatCompletionRequest) {
		r.Messages[1].Content = ""
		r.Messages[1].MultiContent = []openai.ChatMessagePart{
			{Type: openai.ChatMessagePartTypeText, Text: "Summarise: crane 3 idle all morning."},
			{Type: openai.ChatMessagePartTypeImageURL, ImageURL: &openai.ChatMessageImageURL{URL: "https://example.com/crane.png"}},
		}
	}},
	{"temperature", func(r *openai.ChatCompletionRequest) { r.Temperature = 0.2 }},
	{"top_p", func(r *openai.ChatCompletionRequest) { r.TopP = 0.5 }},
	{"max_tokens", func(r *openai.ChatCompletionRequest) { r.MaxTokens = 20 }},
	{"max_completion_tokens", func(r *openai.ChatCompletionRequest) { r.MaxCompletionTokens = 50 }},
	{"seed", func(r *openai.ChatCompletionRequest) { r.Seed = seed(43) }},
	{"n", func(r *openai.ChatCompletionRequest) { r.N = 2 }},
	{"stop", func(r *openai.ChatCompletionRequest) { r.Stop = []string{"END"} }},
	{"presence_penalty", func(r *openai.ChatCompletionRequest) { r.PresencePenalty = 0.5 }},
	{"frequency_penalty", func(r *openai.ChatCompletionRequest) { r.FrequencyPenalty = 0.5 }},
	{"logit_bias", func(r *openai.ChatCompletionRequest) { r.LogitBias = map[string]int{"1000": 5} }},
	{"tools", func(r *openai.ChatCompletionRequest) { r.Tools[0].Function.Name = "find" }},
	{"tool_choice", func(r *openai.ChatCompletionRequest) { r.ToolChoice = "none" }},
	{"response_format", func(r *openai.ChatCompletionRequest) {
		r.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}},
	{"reasoning_effort", func(r *openai.ChatCompletionRequest) { r.ReasoningEffort = "low" }},
}

func newFake(newClient NewClientFunc, policy caching.Policy) (caching.Chatter, *FakeChat) {
	up := &FakeChat{}
	return newClient(up, &MapCache[string, openai.ChatCompletionResponse]{}, policy), up
}

func content(r openai.ChatCompletionResponse) string {
	if len(r.Choices) == 0 {
		return "(no choices)"
	}
	return r.Choices[0].Message.Content
}

// ClientChecks are the client exercise's checks.
func ClientChecks(newClient NewClientFunc) []suite.Check {
	ctx := context.Background()
	return []suite.Check{
		{Name: "a repeated request is answered from cache", Run: func(*testing.T) error {
			c, up := newFake(newClient, caching.CacheDeterministic)
			first, err := c.CreateChatCompletion(ctx, baseRequest())
			if err != nil {
				return fmt.Errorf("first call: %v", err)
			}
			second, err := c.CreateChatCompletion(ctx, baseRequest()) // equal, but built anew
			if err != nil {
				return fmt.Errorf("second call: %v", err)
			}
			if n := up.Calls(); n != 1 {
				return fmt.Errorf("two equal requests reached the upstream %d times, want 1", n)
			}
			if content(first) != content(second) {
				return fmt.Errorf("the cached answer %q differs from the first %q", content(second), content(first))
			}
			return nil
		}},
		{Name: "answers go in the cache it was given", Run: func(*testing.T) error {
			shared := &MapCache[string, openai.ChatCompletionResponse]{}
			up := &FakeChat{}
			a := newClient(up, shared, caching.CacheDeterministic)
			if _, err := a.CreateChatCompletion(ctx, baseRequest()); err != nil {
				return fmt.Errorf("first call: %v", err)
			}
			if n := shared.Len(); n != 1 {
				return fmt.Errorf("after one answered request the cache given to NewClient holds %d entries, "+
					"want 1: keep answers in that cache, not one of your own", n)
			}
			b := newClient(up, shared, caching.CacheDeterministic)
			if _, err := b.CreateChatCompletion(ctx, baseRequest()); err != nil {
				return fmt.Errorf("second client's call: %v", err)
			}
			if n := up.Calls(); n != 1 {
				return fmt.Errorf("two clients sharing one cache: the second one's equal request reached the "+
					"upstream (%d calls, want 1)", n)
			}
			return nil
		}},
		{Name: "the key covers everything that changes the answer", Run: func(*testing.T) error {
			for _, v := range variants {
				c, up := newFake(newClient, caching.CacheDeterministic)
				base, err1 := c.CreateChatCompletion(ctx, baseRequest())
				req := baseRequest()
				v.change(&req)
				changed, err2 := c.CreateChatCompletion(ctx, req)
				if err := errors.Join(err1, err2); err != nil {
					return fmt.Errorf("changing %s: %v", v.name, err)
				}
				if up.Calls() != 2 || content(base) == content(changed) {
					return fmt.Errorf("a request that differs only in %s got the cached answer of the other: "+
						"the key must include every field that changes the answer (hash the whole request, "+
						"not the prompt alone)", v.name)
				}
			}
			return nil
		}},
		{Name: "policy for non-deterministic requests", Run: func(*testing.T) error {
			sampled := baseRequest()
			sampled.Seed = nil
			unset := sampled
			unset.Temperature = 0 // omitted by go-openai: the API samples at its default of 1
			greedy := sampled
			greedy.Temperature = math.SmallestNonzeroFloat32
			edge := sampled
			edge.Temperature = 0.001
			warm := sampled
			warm.Temperature = 0.0011
			cases := []struct {
				name   string
				policy caching.Policy
				req    openai.ChatCompletionRequest
				calls  int
			}{
				{"temperature 0.7 and a seed", caching.CacheDeterministic, baseRequest(), 1},
				{"temperature 0.7 without a seed", caching.CacheDeterministic, sampled, 2},
				{"temperature left unset without a seed", caching.CacheDeterministic, unset, 2},
				{"temperature SmallestNonzeroFloat32 without a seed", caching.CacheDeterministic, greedy, 1},
				{"temperature 0.001 without a seed", caching.CacheDeterministic, edge, 1},
				{"temperature 0.0011 without a seed", caching.CacheDeterministic, warm, 2},
				{"temperature 0.7 without a seed", caching.CacheAll, sampled, 1},
			}
			for _, tc := range cases {
				c, up := newFake(newClient, tc.policy)
				for range 2 {
					if _, err := c.CreateChatCompletion(ctx, tc.req); err != nil {
						return fmt.Errorf("%s, policy %q: %v", tc.name, tc.policy, err)
					}
				}
				if n := up.Calls(); n != tc.calls {
					return fmt.Errorf("%s, policy %q: two calls reached the upstream %d times, want %d",
						tc.name, tc.policy, n, tc.calls)
				}
			}
			return nil
		}},
		{Name: "errors are not cached", Run: func(*testing.T) error {
			c, up := newFake(newClient, caching.CacheDeterministic)
			up.FailNext(1)
			if _, err := c.CreateChatCompletion(ctx, baseRequest()); !errors.Is(err, ErrFake) {
				return fmt.Errorf("the upstream failed but the call returned error %v, want it wrapped or as is", err)
			}
			if _, err := c.CreateChatCompletion(ctx, baseRequest()); err != nil {
				return fmt.Errorf("after a failure, the next call returned %v: a failure must not be cached", err)
			}
			c.CreateChatCompletion(ctx, baseRequest())
			if n := up.Calls(); n != 2 {
				return fmt.Errorf("fail, succeed, repeat reached the upstream %d times, want 2", n)
			}
			return nil
		}},
		{Name: "100 concurrent identical requests reach the upstream once", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return herd(newClient, 100) })
		}},
		{Name: "different requests do not wait for each other", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error {
				up := &FakeChat{Latency: time.Second}
				c := newClient(up, &MapCache[string, openai.ChatCompletionResponse]{}, caching.CacheDeterministic)
				start := time.Now()
				var wg sync.WaitGroup
				for i := range 20 {
					req := baseRequest()
					req.Seed = seed(i % 5)
					wg.Go(func() { c.CreateChatCompletion(ctx, req) })
				}
				wg.Wait()
				if n := up.Calls(); n != 5 {
					return fmt.Errorf("20 concurrent calls with 5 distinct requests reached the upstream %d times, want 5", n)
				}
				if d := time.Since(start); d != time.Second {
					return fmt.Errorf("5 distinct requests of 1 s each took %v together, want 1s: "+
						"don't hold one lock across the upstream call", d)
				}
				return nil
			})
		}},
		{Name: "a caller that gives up does not fail the others", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error {
				up := &FakeChat{Latency: time.Second}
				c := newClient(up, &MapCache[string, openai.ChatCompletionResponse]{}, caching.CacheDeterministic)
				impatient, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
				defer cancel()
				var errA, errB error
				var doneA time.Duration
				start := time.Now()
				var wg sync.WaitGroup
				wg.Go(func() {
					_, errA = c.CreateChatCompletion(impatient, baseRequest())
					doneA = time.Since(start)
				})
				wg.Go(func() {
					time.Sleep(10 * time.Millisecond) // join the call the impatient caller started
					_, errB = c.CreateChatCompletion(ctx, baseRequest())
				})
				wg.Wait()
				if !errors.Is(errA, context.DeadlineExceeded) || doneA != 100*time.Millisecond {
					return fmt.Errorf("a caller whose context ends at 100ms returned %v after %v, "+
						"want context.DeadlineExceeded at 100ms", errA, doneA)
				}
				if errB != nil {
					return fmt.Errorf("a patient caller sharing the call got %v when the impatient one gave up: "+
						"the shared call must not run on one caller's context", errB)
				}
				return nil
			})
		}},
	}
}

// herd sends n identical requests at once through a caching client over the mock server, whose latency makes
// them overlap, and checks that the upstream saw one. It must run in a synctest bubble.
func herd(newClient NewClientFunc, n int) error {
	srv := mock.New(mock.Config{TTFT: 500 * time.Millisecond, InterToken: 10 * time.Millisecond})
	up := openai.NewClientWithConfig(srv.ClientConfig())
	c := newClient(up, &MapCache[string, openai.ChatCompletionResponse]{}, caching.CacheDeterministic)
	req := openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Summarise today's site log."}},
		Seed:     seed(7),
	}
	ctx := context.Background()
	answers := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := c.CreateChatCompletion(ctx, req)
			answers[i], errs[i] = content(resp), err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("concurrent calls failed: %v", err)
	}
	for i, a := range answers {
		if a != answers[0] {
			return fmt.Errorf("caller %d got %q, caller 0 got %q: identical requests must get the same answer", i, a, answers[0])
		}
	}
	if got := srv.Stats().Requests; got != 1 {
		return fmt.Errorf("%d concurrent identical requests reached the mock server %d times, want 1: "+
			"the first caller should make the call and the others wait for its answer (in-flight dedup)", n, got)
	}
	return nil
}
