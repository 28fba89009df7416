package costtest

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/llmperf/workbook/kit/prices"
	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/cost"
	openai "github.com/sashabaranov/go-openai"
)

// testTableJSON is a price table with one made-up model whose prices make hand arithmetic easy: per token,
// input costs 1,000 nano-dollars, cached input 100 and output 2,000.
const testTableJSON = `{"as_of": "2025-01-01", "currency": "USD", "unit": "per 1M tokens", "models": [
 {"model": "test-model", "input": "1.00", "cached_input": "0.10", "output": "2.00", "source": "https://example.com/test"}]}`

func chat(model string, msgs ...openai.ChatCompletionMessage) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{Model: model, Messages: msgs}
}

func system(s string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: s}
}

func user(s string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: s}
}

func checkEstimate(estimate func(prices.Table, cost.Request) (cost.Estimate, error)) findings {
	var f findings
	def := prices.Default()
	msgs := []openai.ChatCompletionMessage{
		system("You are a site engineer's assistant. Answer in one short paragraph."),
		user("Concrete pour on level 3 was delayed by rain. What should the daily report say?"),
	}
	// First call in the test goroutine, so a stub's stop is caught.
	if _, err := estimate(def, cost.Request{Chat: chat("gpt-4o-mini", msgs...), Output: 100}); err != nil {
		f.errorf("Estimate(gpt-4o-mini, 2 messages, Output 100): unexpected error %v", err)
	}

	long := strings.Repeat("Site diary entry: crane inspected, scaffold tagged, no incidents. ", 40)
	named := user("Which crew is on shift?")
	named.Name = "foreman"
	maxTok := chat("gpt-4.1-mini", msgs...)
	maxTok.MaxTokens = 250
	maxBoth := chat("gpt-4.1-mini", msgs...)
	maxBoth.MaxTokens, maxBoth.MaxCompletionTokens = 999, 120
	for _, tc := range []struct {
		name   string
		req    cost.Request
		output int // expected OutputTokens
	}{
		{"expected output given", cost.Request{Chat: chat("gpt-4o-mini", msgs...), Output: 100}, 100},
		{"output from MaxTokens", cost.Request{Chat: maxTok}, 250},
		{"MaxCompletionTokens before MaxTokens", cost.Request{Chat: maxBoth}, 120},
		{"explicit Output wins over MaxTokens", cost.Request{Chat: maxTok, Output: 40}, 40},
		{"named message costs its name", cost.Request{Chat: chat("gpt-5-mini", named), Output: 10}, 10},
		{"long prompt, cached prefix", cost.Request{Chat: chat("gpt-4o", system(long), user("Summarise.")), Output: 80, Cached: 256}, 80},
		{"everything cached", cost.Request{Chat: chat("gpt-4.1", user(long)), Output: 1, Cached: tokens.CountChat("gpt-4.1", []openai.ChatCompletionMessage{user(long)})}, 1},
		{"dated snapshot name", cost.Request{Chat: chat("gpt-4o-2024-08-06", msgs...), Output: 5}, 5},
	} {
		got, err := estimate(def, tc.req)
		if err != nil {
			f.errorf("%s: unexpected error %v", tc.name, err)
			continue
		}
		model := tc.req.Chat.Model
		price, err := def.Lookup(model)
		if err != nil {
			f.errorf("%s: suite bug: %v", tc.name, err)
			continue
		}
		prompt := tokens.CountChat(model, tc.req.Chat.Messages)
		want := cost.Estimate{Model: model, PromptTokens: prompt, CachedTokens: tc.req.Cached, OutputTokens: tc.output,
			Cost: price.Cost(prompt, tc.req.Cached, tc.output)}
		if got != want {
			f.errorf("%s: got %+v, want %+v (prompt tokens by tokens.CountChat, per-message overhead included; "+
				"cost by the table's Price.Cost)", tc.name, got, want)
		}
	}

	// The cached split must matter: the same request with 256 cached tokens is cheaper by exactly the
	// difference between the input and cached-input prices of those tokens.
	long4o := chat("gpt-4o", system(long), user("Summarise."))
	full, err1 := estimate(def, cost.Request{Chat: long4o, Output: 80})
	part, err2 := estimate(def, cost.Request{Chat: long4o, Output: 80, Cached: 256})
	if p, err := def.Lookup("gpt-4o"); err1 == nil && err2 == nil && err == nil {
		if saved, want := full.Cost-part.Cost, (p.Input-p.CachedInput)*256/1_000_000; saved != want {
			f.errorf("256 cached tokens on gpt-4o saved %v, want %v: price cached tokens at CachedInput", saved, want)
		}
	}

	// The table passed in is the one to use: a made-up model with round prices, checked by hand arithmetic.
	if table, err := loadTestTable(); err != nil {
		f.errorf("suite bug: %v", err)
	} else {
		req := cost.Request{Chat: chat("test-model", msgs...), Output: 30, Cached: 10}
		prompt := tokens.CountChat("test-model", msgs)
		want := prices.Money(1000*(prompt-10) + 100*10 + 2000*30)
		if got, err := estimate(table, req); err != nil {
			f.errorf("Estimate with a loaded table: unexpected error %v", err)
		} else if got.Cost != want || got.PromptTokens != prompt {
			f.errorf("Estimate with a loaded table (input $1, cached $0.10, output $2 per 1M): got %v for %d "+
				"prompt tokens, want %v for %d (1,000·uncached + 100·cached + 2,000·output nano-dollars): "+
				"price with the table you are given", got.Cost, got.PromptTokens, want, prompt)
		}
	}

	// Bad input gets an error, not a made-up figure.
	noMax := cost.Request{Chat: chat("gpt-4o-mini", msgs...)}
	for _, tc := range []struct {
		name string
		req  cost.Request
		must string // the error should mention this
	}{
		{"unknown model", cost.Request{Chat: chat("no-such-model", msgs...), Output: 10}, "no-such-model"},
		{"no messages", cost.Request{Chat: chat("gpt-4o-mini"), Output: 10}, ""},
		{"no expected output and no max tokens", noMax, ""},
		{"negative output", cost.Request{Chat: chat("gpt-4o-mini", msgs...), Output: -1}, ""},
		{"negative cached", cost.Request{Chat: chat("gpt-4o-mini", msgs...), Output: 10, Cached: -5}, ""},
		{"more cached than prompt", cost.Request{Chat: chat("gpt-4o-mini", msgs...), Output: 10, Cached: 100_000}, ""},
	} {
		_, err := estimate(def, tc.req)
		switch {
		case err == nil:
			f.errorf("%s: got no error, want one", tc.name)
		case !strings.Contains(err.Error(), tc.must):
			f.errorf("%s: error %q should name %q", tc.name, err, tc.must)
		}
	}
	return f
}

func loadTestTable() (prices.Table, error) {
	dir, err := os.MkdirTemp("", "cost-suite")
	if err != nil {
		return prices.Table{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "prices.json")
	if err := os.WriteFile(path, []byte(testTableJSON), 0o644); err != nil {
		return prices.Table{}, err
	}
	return prices.Load(path)
}
