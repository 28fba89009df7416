package mock_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func userMsg(s string) []openai.ChatCompletionMessage {
	return []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: s}}
}

func TestChatPlain(t *testing.T) {
	s := mock.New(mock.Config{})
	c := s.Client()
	ctx := context.Background()
	for _, model := range []string{"gpt-4o-mini", "gpt-4", "gpt-5", "gpt-4o-2024-08-06"} {
		t.Run(model, func(t *testing.T) {
			msgs := []openai.ChatCompletionMessage{
				{Role: openai.ChatMessageRoleSystem, Content: "You are a helpful assistant."},
				{Role: openai.ChatMessageRoleUser, Content: "Why is my LLM app slow?", Name: "ann"},
			}
			resp, err := c.CreateChatCompletion(ctx, openai.ChatCompletionRequest{Model: model, Messages: msgs})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Object != "chat.completion" || !strings.HasPrefix(resp.ID, "chatcmpl-") || resp.Model != model ||
				resp.Created == 0 || resp.SystemFingerprint == "" {
				t.Errorf("envelope: %+v", resp)
			}
			if len(resp.Choices) != 1 {
				t.Fatalf("%d choices", len(resp.Choices))
			}
			ch := resp.Choices[0]
			if ch.Message.Role != "assistant" || ch.FinishReason != openai.FinishReasonStop || ch.Message.Content == "" {
				t.Errorf("choice: %+v", ch)
			}
			u := resp.Usage
			if want := tokens.CountChat(model, msgs); u.PromptTokens != want {
				t.Errorf("prompt tokens %d, tokens.CountChat %d", u.PromptTokens, want)
			}
			if want := tokens.Count(model, ch.Message.Content); u.CompletionTokens != want {
				t.Errorf("completion tokens %d, real count of the text %d", u.CompletionTokens, want)
			}
			if u.TotalTokens != u.PromptTokens+u.CompletionTokens || u.CompletionTokens < 20 || u.CompletionTokens > 99 {
				t.Errorf("usage %+v", u)
			}
			if u.PromptTokensDetails == nil || u.PromptTokensDetails.CachedTokens != 0 {
				t.Errorf("prompt details %+v", u.PromptTokensDetails)
			}
			if resp.Header().Get("x-request-id") == "" {
				t.Error("no x-request-id")
			}
		})
	}
}

func TestCompletionTokensExact(t *testing.T) {
	// The answer's token count is exact for many answers, in both encodings.
	s := mock.New(mock.Config{})
	c := s.Client()
	for i := range 60 {
		model := []string{"gpt-4o", "gpt-3.5-turbo"}[i%2]
		seed := i
		resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: model, Messages: userMsg("question"), Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		text := resp.Choices[0].Message.Content
		if got, want := resp.Usage.CompletionTokens, tokens.Count(model, text); got != want {
			t.Fatalf("%s seed %d: usage %d, tokenizer %d for %q", model, i, got, want, text)
		}
	}
}

func TestDeterministic(t *testing.T) {
	ask := func(s *mock.Server, content string, seed *int) string {
		resp, err := s.Client().CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
			Model: "gpt-4o", Messages: userMsg(content), Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Choices[0].Message.Content
	}
	one, two := 1, 2
	a, b := mock.New(mock.Config{}), mock.New(mock.Config{Seed: 99})
	if ask(a, "hi", nil) != ask(b, "hi", nil) || ask(a, "hi", &one) != ask(a, "hi", &one) {
		t.Error("same request, different answers")
	}
	if ask(a, "hi", nil) == ask(a, "hello", nil) || ask(a, "hi", &one) == ask(a, "hi", &two) {
		t.Error("different requests, same answer")
	}
}

func TestMaxTokens(t *testing.T) {
	s := mock.New(mock.Config{AnswerTokens: 50})
	c := s.Client()
	tests := []struct {
		name      string
		req       openai.ChatCompletionRequest
		want      int
		wantReson openai.FinishReason
	}{
		{"none", openai.ChatCompletionRequest{}, 50, openai.FinishReasonStop},
		{"max_tokens", openai.ChatCompletionRequest{MaxTokens: 7}, 7, openai.FinishReasonLength},
		{"max_completion_tokens", openai.ChatCompletionRequest{MaxCompletionTokens: 12}, 12, openai.FinishReasonLength},
		{"above answer", openai.ChatCompletionRequest{MaxTokens: 500}, 50, openai.FinishReasonStop},
		{"exact", openai.ChatCompletionRequest{MaxTokens: 50}, 50, openai.FinishReasonStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Model, tt.req.Messages = "gpt-4o", userMsg("count")
			resp, err := c.CreateChatCompletion(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Usage.CompletionTokens != tt.want || resp.Choices[0].FinishReason != tt.wantReson {
				t.Errorf("got %d tokens, %q; want %d, %q", resp.Usage.CompletionTokens, resp.Choices[0].FinishReason, tt.want, tt.wantReson)
			}
			if n := tokens.Count("gpt-4o", resp.Choices[0].Message.Content); n != tt.want {
				t.Errorf("text has %d tokens, want %d", n, tt.want)
			}
		})
	}
}

func TestStream(t *testing.T) {
	s := mock.New(mock.Config{})
	c := s.Client()
	for _, includeUsage := range []bool{false, true} {
		req := openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("stream please"), Stream: true}
		if includeUsage {
			req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
		}
		plain, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "gpt-4o", Messages: userMsg("stream please")})
		if err != nil {
			t.Fatal(err)
		}
		st, err := c.CreateChatCompletionStream(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		var chunks int
		var role string
		var finish openai.FinishReason
		var usage *openai.Usage
		for {
			r, err := st.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Object != "chat.completion.chunk" || !strings.HasPrefix(r.ID, "chatcmpl-") {
				t.Fatalf("chunk envelope %+v", r)
			}
			if r.Usage != nil {
				usage = r.Usage
				if len(r.Choices) != 0 {
					t.Errorf("usage chunk has %d choices", len(r.Choices))
				}
				continue
			}
			if chunks == 0 {
				role = r.Choices[0].Delta.Role
			}
			chunks++
			text.WriteString(r.Choices[0].Delta.Content)
			if r.Choices[0].FinishReason != "" {
				finish = r.Choices[0].FinishReason
			}
		}
		st.Close()
		if text.String() != plain.Choices[0].Message.Content {
			t.Errorf("streamed %q, plain %q", text.String(), plain.Choices[0].Message.Content)
		}
		if role != "assistant" || finish != openai.FinishReasonStop {
			t.Errorf("role %q finish %q", role, finish)
		}
		if want := plain.Usage.CompletionTokens + 2; chunks != want {
			t.Errorf("%d chunks, want one per token plus role and finish: %d", chunks, want)
		}
		if includeUsage != (usage != nil) {
			t.Fatalf("include_usage %v, usage chunk %v", includeUsage, usage)
		}
		if usage != nil && (usage.PromptTokens != plain.Usage.PromptTokens || usage.CompletionTokens != plain.Usage.CompletionTokens) {
			t.Errorf("stream usage %+v, plain %+v", usage, plain.Usage)
		}
	}
}

func TestChoicesN(t *testing.T) {
	s := mock.New(mock.Config{})
	resp, err := s.Client().CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{
		Model: "gpt-4o", Messages: userMsg("three please"), N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 3 || resp.Choices[0].Message.Content == resp.Choices[1].Message.Content {
		t.Fatalf("choices %+v", resp.Choices)
	}
	sum := 0
	for i, ch := range resp.Choices {
		if ch.Index != i {
			t.Errorf("choice %d has index %d", i, ch.Index)
		}
		sum += tokens.Count("gpt-4o", ch.Message.Content)
	}
	if sum != resp.Usage.CompletionTokens {
		t.Errorf("completion tokens %d, sum of choices %d", resp.Usage.CompletionTokens, sum)
	}
}

// Request ids are unique, and neighbouring requests' ids share no half (they once were each other's halves swapped).
func TestRequestIDs(t *testing.T) {
	s := mock.New(mock.Config{Seed: 1})
	halves := map[string]bool{}
	for range 50 {
		resp, err := s.Transport().RoundTrip(mustRequest(t, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := strings.TrimPrefix(resp.Header.Get("x-request-id"), "req_")
		if len(id) != 20 {
			t.Fatalf("x-request-id %q", resp.Header.Get("x-request-id"))
		}
		for _, h := range []string{id[:10], id[10:]} {
			if halves[h] {
				t.Fatalf("id half %s seen before", h)
			}
			halves[h] = true
		}
	}
}
