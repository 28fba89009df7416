package pulse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// Instant is a model with zero latency, as an http.RoundTripper for go-openai's chat completions (plain and
// streamed). Its answer is cheap to make and depends only on the prompt: the prompt's hash and its last line,
// cut to the request's max_tokens words. Usage is estimated, not counted: a token per four bytes of prompt, a
// token per word of answer. It exists so that a benchmark measures the program — reading, the pipeline, the
// cache, the limiter, go-openai's encoding and decoding, SSE parsing — and not a provider or a tokenizer.
type Instant struct{}

// RoundTrip answers a chat completion request.
func (Instant) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/chat/completions") {
		return reply(r, http.StatusNotFound, "application/json", `{"error":{"message":"instant: only POST /chat/completions"}}`), nil
	}
	var req openai.ChatCompletionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
		return reply(r, http.StatusBadRequest, "application/json", `{"error":{"message":"instant: bad request"}}`), nil
	}
	prompt := req.Messages[len(req.Messages)-1].Content
	text := instantAnswer(prompt, req.MaxTokens)
	usage := openai.Usage{PromptTokens: len(prompt)/4 + 7, CompletionTokens: len(strings.Fields(text))}
	usage.TotalTokens = usage.PromptTokens + usage.CompletionTokens
	if !req.Stream {
		body, _ := json.Marshal(openai.ChatCompletionResponse{ID: "instant", Object: "chat.completion",
			Model: req.Model, Usage: usage, Choices: []openai.ChatCompletionChoice{{
				Message:      openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: text},
				FinishReason: openai.FinishReasonStop}}})
		return reply(r, http.StatusOK, "application/json", string(body)), nil
	}
	var b strings.Builder
	event := func(v any) {
		data, _ := json.Marshal(v)
		fmt.Fprintf(&b, "data: %s\n\n", data)
	}
	chunk := func(delta string, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
		return openai.ChatCompletionStreamResponse{ID: "instant", Object: "chat.completion.chunk", Model: req.Model,
			Choices: []openai.ChatCompletionStreamChoice{{Delta: openai.ChatCompletionStreamChoiceDelta{
				Content: delta}, FinishReason: finish}}}
	}
	event(chunk(text, ""))
	event(chunk("", openai.FinishReasonStop))
	event(openai.ChatCompletionStreamResponse{ID: "instant", Object: "chat.completion.chunk", Model: req.Model,
		Choices: []openai.ChatCompletionStreamChoice{}, Usage: &usage})
	b.WriteString("data: [DONE]\n\n")
	return reply(r, http.StatusOK, "text/event-stream", b.String()), nil
}

// instantAnswer is a deterministic one-line answer to prompt of at most maxWords words.
func instantAnswer(prompt string, maxWords int) string {
	h := fnv.New64a()
	io.WriteString(h, prompt)
	t := strings.TrimSpace(prompt)
	last := t[strings.LastIndexByte(t, '\n')+1:]
	words := append([]string{fmt.Sprintf("[%08x]", h.Sum64()>>32)}, strings.Fields(last)...)
	if maxWords > 0 && len(words) > maxWords {
		words = words[:maxWords]
	}
	return strings.Join(words, " ")
}

func reply(r *http.Request, code int, contentType, body string) *http.Response {
	return &http.Response{
		StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {contentType}},
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)), Request: r,
	}
}
