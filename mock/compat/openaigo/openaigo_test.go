// Package openaigo checks that the official Go SDK, github.com/openai/openai-go, parses everything the mock
// sends. It is a module of its own so the course's go.mod does not carry a second OpenAI client;
// mock/compat_test.go runs it (go test in this folder).
package openaigo

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/llmperf/workbook/mock"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func newClient(t *testing.T, cfg mock.Config) openai.Client {
	srv := httptest.NewServer(mock.New(cfg))
	t.Cleanup(srv.Close)
	return openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("mock"), option.WithMaxRetries(0))
}

func TestChat(t *testing.T) {
	c := newClient(t, mock.Config{})
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{
		Model:    openai.ChatModelGPT4oMini,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be terse."), openai.UserMessage("Why is my app slow?")},
	}
	r, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.ID, "chatcmpl-") || string(r.Object) != "chat.completion" || r.Choices[0].FinishReason != "stop" ||
		string(r.Choices[0].Message.Role) != "assistant" || r.Usage.TotalTokens != r.Usage.PromptTokens+r.Usage.CompletionTokens {
		t.Fatalf("completion %+v", r)
	}
	plain := r.Choices[0].Message.Content

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	acc := openai.ChatCompletionAccumulator{}
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if acc.Choices[0].Message.Content != plain || acc.Choices[0].FinishReason != "stop" || acc.Usage.CompletionTokens != r.Usage.CompletionTokens {
		t.Errorf("stream: %q %q usage %+v; plain %q", acc.Choices[0].Message.Content, acc.Choices[0].FinishReason, acc.Usage, plain)
	}

	params.MaxCompletionTokens = openai.Int(3)
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{}
	r, err = c.Chat.Completions.New(ctx, params)
	if err != nil || r.Choices[0].FinishReason != "length" || r.Usage.CompletionTokens != 3 {
		t.Errorf("max_completion_tokens: %v %+v", err, r)
	}
}

func TestEmbeddingsAndModels(t *testing.T) {
	c := newClient(t, mock.Config{})
	ctx := context.Background()
	e, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:      openai.EmbeddingModelTextEmbedding3Small,
		Input:      openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a cache", "a queue"}},
		Dimensions: openai.Int(64),
	})
	if err != nil || len(e.Data) != 2 || len(e.Data[1].Embedding) != 64 || e.Data[1].Index != 1 {
		t.Fatalf("embeddings: %v %+v", err, e)
	}
	page, err := c.Models.List(ctx)
	if err != nil || len(page.Data) == 0 || page.Data[0].ID == "" {
		t.Fatalf("models: %v %+v", err, page)
	}
}

func TestErrors(t *testing.T) {
	c := newClient(t, mock.Config{RPM: 1})
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{Model: openai.ChatModelGPT4o, Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}}
	var apiErr *openai.Error
	_, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-9", Messages: params.Messages})
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
		t.Errorf("unknown model: %v", err)
	}
	if _, err := c.Chat.Completions.New(ctx, params); err != nil {
		t.Fatal(err)
	}
	_, err = c.Chat.Completions.New(ctx, params)
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Response.Header.Get("retry-after") == "" {
		t.Errorf("rate limit: %v", err)
	}
}
