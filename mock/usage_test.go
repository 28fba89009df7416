package mock_test

import (
	"context"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func TestPromptCaching(t *testing.T) {
	s := mock.New(mock.Config{})
	c := s.Client()
	ask := func(model string, msgs []openai.ChatCompletionMessage) openai.Usage {
		t.Helper()
		resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: model, Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Usage
	}
	system := strings.Repeat("You answer questions about construction-site logs. ", 150) // about 1,500 tokens
	long := func(q string) []openai.ChatCompletionMessage {
		return []openai.ChatCompletionMessage{{Role: "system", Content: system}, {Role: "user", Content: q}}
	}
	first := ask("gpt-4o", long("How many cranes?"))
	if first.PromptTokens < 1200 || first.PromptTokensDetails.CachedTokens != 0 {
		t.Fatalf("first request: %+v", first)
	}
	second := ask("gpt-4o", long("Which day was the wettest?"))
	cached := second.PromptTokensDetails.CachedTokens
	// The shared prefix is the system message; cached is its length rounded down to 1,024 + k·128.
	shared := tokens.PerMessage + tokens.Count("gpt-4o", "system") + tokens.Count("gpt-4o", system)
	if cached < 1024 || (cached-1024)%128 != 0 || cached > shared || shared-cached >= 128+tokens.PerMessage {
		t.Errorf("cached %d for a shared prefix of about %d tokens", cached, shared)
	}
	if again := ask("gpt-4o", long("Which day was the wettest?")); again.PromptTokensDetails.CachedTokens < cached {
		t.Errorf("identical prompt cached %d < %d", again.PromptTokensDetails.CachedTokens, cached)
	}
	// Per model: another model has not seen the prefix.
	if other := ask("gpt-4.1", long("How many cranes?")); other.PromptTokensDetails.CachedTokens != 0 {
		t.Errorf("other model cached %d", other.PromptTokensDetails.CachedTokens)
	}
	// Short prompts never cache.
	ask("gpt-4o", userMsg("short"))
	if u := ask("gpt-4o", userMsg("short")); u.PromptTokensDetails.CachedTokens != 0 {
		t.Errorf("short prompt cached %d", u.PromptTokensDetails.CachedTokens)
	}
	if st := s.Stats(); st.CachedTokens < int64(cached) {
		t.Errorf("stats cached %d", st.CachedTokens)
	}
}

func TestPromptTokensMatchCountChat(t *testing.T) {
	c := mock.New(mock.Config{}).Client()
	msgs := []openai.ChatCompletionMessage{
		{Role: "developer", Content: "Be brief."},
		{Role: "user", Name: "bob", MultiContent: []openai.ChatMessagePart{
			{Type: openai.ChatMessagePartTypeText, Text: "What is in this picture?"},
			{Type: openai.ChatMessagePartTypeImageURL, ImageURL: &openai.ChatMessageImageURL{URL: "https://example.com/a.png"}},
		}},
		{Role: "assistant", ToolCalls: []openai.ToolCall{{ID: "call_1", Type: "function", Function: openai.FunctionCall{Name: "lookup", Arguments: `{"q":"crane"}`}}}},
		{Role: "tool", ToolCallID: "call_1", Content: "3 cranes"},
	}
	for _, model := range []string{"gpt-4o", "gpt-4"} {
		resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: model, Messages: msgs})
		if err != nil {
			t.Fatal(err)
		}
		if want := tokens.CountChat(model, msgs); resp.Usage.PromptTokens != want {
			t.Errorf("%s: prompt tokens %d, CountChat %d", model, resp.Usage.PromptTokens, want)
		}
	}
}
