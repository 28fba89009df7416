package pulse

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/mock"
	openai "github.com/sashabaranov/go-openai"
)

func TestInstantAnswers(t *testing.T) {
	c := NewInstant().Client
	prompt := "Summarize:\n\nsite: \"Quay\" \\ Riverside\nnote: Crane ünïcode \u2028 idle\tall day"
	req := openai.ChatCompletionRequest{Model: "gpt-4o-mini", MaxTokens: 4,
		Messages: []openai.ChatCompletionMessage{{Role: "user", Content: prompt}}}
	want := instantAnswer(prompt, 4)
	if !strings.HasPrefix(want, "[") || strings.Count(want, " ") != 3 {
		t.Fatalf("instantAnswer = %q: want the hash and three words", want)
	}

	plain, err := c.CreateChatCompletion(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := plain.Choices[0].Message.Content; got != want || plain.Usage.CompletionTokens != 4 ||
		plain.Usage.PromptTokens != len(prompt)/4+7 || plain.Choices[0].FinishReason != openai.FinishReasonStop {
		t.Errorf("plain answer %q, usage %+v; want %q", got, plain.Usage, want)
	}

	req.Stream, req.StreamOptions = true, &openai.StreamOptions{IncludeUsage: true}
	s, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var text string
	var usage *openai.Usage
	events := 0
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		events++
		for _, ch := range chunk.Choices {
			text += ch.Delta.Content
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
	}
	if text != want || usage == nil || *usage != plain.Usage || events != 2 {
		t.Errorf("streamed %q in %d events, usage %v; want %q in 2 events, usage %+v", text, events, usage, want,
			plain.Usage)
	}
}

func TestInstantWireIsCompact(t *testing.T) {
	body := `{"model":"gpt-4o-mini","stream":true,"max_tokens":3,"messages":[{"role":"user","content":"a b c d"}]}`
	for _, stream := range []bool{false, true} {
		b := body
		if !stream {
			b = strings.Replace(body, `"stream":true,`, "", 1)
		}
		r, _ := http.NewRequest(http.MethodPost, mock.BaseURL+"/chat/completions", strings.NewReader(b))
		resp, err := Instant{}.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body.Close() // twice is harmless
		for _, empty := range []string{"content_filter_results", "logprobs", "tool_calls", "refusal"} {
			if bytes.Contains(got, []byte(empty)) {
				t.Errorf("stream %v: the answer carries %q:\n%s", stream, empty, got)
			}
		}
		if resp.ContentLength != int64(len(got)) || len(got) > 420 {
			t.Errorf("stream %v: %d bytes (Content-Length %d), want at most 420:\n%s", stream, len(got),
				resp.ContentLength, got)
		}
	}
}

func TestInstantBadRequests(t *testing.T) {
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{http.MethodGet, "/v1/chat/completions", "", http.StatusNotFound},
		{http.MethodPost, "/v1/embeddings", `{}`, http.StatusNotFound},
		{http.MethodPost, "/v1/chat/completions", `{"model":`, http.StatusBadRequest},
		{http.MethodPost, "/v1/chat/completions", `{"model":"m","messages":[]}`, http.StatusBadRequest},
		{http.MethodPost, "/v1/chat/completions", `[1,2]`, http.StatusBadRequest},
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		r, _ := http.NewRequest(tc.method, "http://instant.invalid"+tc.path, body)
		resp, err := Instant{}.RoundTrip(r)
		if err != nil || resp.StatusCode != tc.code {
			t.Errorf("%s %s %q: %v, %v; want %d", tc.method, tc.path, tc.body, resp.StatusCode, err, tc.code)
		}
	}
	// A body of unknown length still decodes.
	r, _ := http.NewRequest(http.MethodPost, "http://instant.invalid/v1/chat/completions",
		io.MultiReader(strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"hi"}]}`)))
	if resp, err := (Instant{}).RoundTrip(r); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a body of unknown length: %v, %v", resp.StatusCode, err)
	}
}

func TestRecordTextLeavesOutTimestamps(t *testing.T) {
	for _, tc := range []struct{ unit, want string }{
		{"timestamp: 2025-03-03T06:00:00Z\nsite: A\nnote: x", "site: A\nnote: x"},
		{"site: A\ntimestamp: 1\nnote: x\n\ntimestamp: 2\nsite: B", "site: A\nnote: x\n\nsite: B"},
		{"note: timestamp: kept inside a line", "note: timestamp: kept inside a line"},
		{"timestamp: only", ""},
	} {
		if got := recordText(tc.unit); got != recordPrompt+tc.want {
			t.Errorf("recordText(%q) = %q, want the prompt and %q", tc.unit, strings.TrimPrefix(got, recordPrompt), tc.want)
		}
	}
	// Routine entries of the generated log become identical requests.
	a := Options{}.RecordRequest("timestamp: 2025-03-03T06:00:00Z\nsite: A\nevent: toolbox_talk")
	b := Options{}.RecordRequest("timestamp: 2025-03-04T06:01:00Z\nsite: A\nevent: toolbox_talk")
	if a.Messages[0].Content != b.Messages[0].Content {
		t.Error("two routine entries an hour apart make different requests")
	}
}

func TestStreamOption(t *testing.T) {
	log := siteLog(t, 8<<10)
	cfg := mock.Config{TTFT: 2 * time.Millisecond, InterToken: 50 * time.Microsecond}
	plain, _ := runCollect(t, ModeOptimized, NewMock(cfg), log, Options{})
	streamed, _ := runCollect(t, ModeOptimized, NewMock(cfg), log, Options{Stream: true})
	if plain.Digest != streamed.Digest || plain.Final != streamed.Final {
		t.Error("streaming changed the summaries")
	}
	if plain.Summary.TTFTP50 != 0 || streamed.Summary.TTFTP50 < cfg.TTFT {
		t.Errorf("time to first token p50: %v plain, %v streamed; want none and at least %v", plain.Summary.TTFTP50,
			streamed.Summary.TTFTP50, cfg.TTFT)
	}
}

func TestCacheSavings(t *testing.T) {
	log := repeatingLog(5, 4)
	n, _ := runCollect(t, ModeNaive, NewInstant(), log, Options{})
	o, _ := runCollect(t, ModeOptimized, NewInstant(), log, Options{})
	if o.Hits+o.Shared == 0 || o.Saved <= 0 || o.Saved != n.Summary.Cost-o.Summary.Cost {
		t.Errorf("saved %v with %d hits and %d shared; naive paid %v, optimized %v", o.Saved, o.Hits, o.Shared,
			n.Summary.Cost, o.Summary.Cost)
	}
	if n.Saved != 0 {
		t.Errorf("the naive run saved %v", n.Saved)
	}
}
