package caching

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/llmperf/workbook/lessons/caching/cachingtest"
	openai "github.com/sashabaranov/go-openai"
)

// keyPath reports whether req's key takes the field-by-field path.
func keyPath(req openai.ChatCompletionRequest) bool {
	h := hashers.Get().(*keyHasher)
	defer hashers.Put(h)
	h.Reset()
	return h.fields(req)
}

func TestKeyPaths(t *testing.T) {
	seed, other := 1, 2
	common := openai.ChatCompletionRequest{Model: "gpt-4o-mini", Seed: &seed, MaxTokens: 60, Temperature: 0.2,
		TopP: 0.9, N: 1, Stop: []string{"\n"}, PresencePenalty: 0.1, FrequencyPenalty: 0.1,
		Messages: []openai.ChatCompletionMessage{{Role: "system", Content: "Be brief."},
			{Role: "user", Name: "ann", Content: "Summarize: crane idle."}}}
	if !keyPath(common) {
		t.Fatal("a request of common fields took the JSON path")
	}
	streamed := common
	streamed.Stream, streamed.User = true, "someone" // fields Key clears
	if a, b := mustKey(t, common), mustKey(t, streamed); a != b {
		t.Error("stream and user changed the key")
	}
	// Each change that changes the answer changes the key; those beyond the common fields take the JSON path.
	for _, tc := range []struct {
		name   string
		change func(r *openai.ChatCompletionRequest)
		fields bool // still the field-by-field path
	}{
		{"model", func(r *openai.ChatCompletionRequest) { r.Model = "gpt-4o" }, true},
		{"content", func(r *openai.ChatCompletionRequest) { r.Messages[1].Content += "!" }, true},
		{"role", func(r *openai.ChatCompletionRequest) { r.Messages[0].Role = "developer" }, true},
		{"name", func(r *openai.ChatCompletionRequest) { r.Messages[1].Name = "bob" }, true},
		{"content moved into the name", func(r *openai.ChatCompletionRequest) {
			r.Messages[1].Name, r.Messages[1].Content = "annSummarize: crane idle.", ""
		}, true},
		{"one message less", func(r *openai.ChatCompletionRequest) { r.Messages = r.Messages[1:] }, true},
		{"max tokens", func(r *openai.ChatCompletionRequest) { r.MaxTokens = 61 }, true},
		{"max completion tokens", func(r *openai.ChatCompletionRequest) { r.MaxCompletionTokens = 60 }, true},
		{"temperature", func(r *openai.ChatCompletionRequest) { r.Temperature = 0.3 }, true},
		{"top p", func(r *openai.ChatCompletionRequest) { r.TopP = 0.8 }, true},
		{"n", func(r *openai.ChatCompletionRequest) { r.N = 2 }, true},
		{"seed", func(r *openai.ChatCompletionRequest) { r.Seed = &other }, true},
		{"no seed", func(r *openai.ChatCompletionRequest) { r.Seed = nil }, true},
		{"stop", func(r *openai.ChatCompletionRequest) { r.Stop = []string{"\n", "."} }, true},
		{"penalty", func(r *openai.ChatCompletionRequest) { r.PresencePenalty = 0 }, true},
		{"tools", func(r *openai.ChatCompletionRequest) {
			r.Tools = []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: "f"}}}
		}, false},
		{"reasoning effort", func(r *openai.ChatCompletionRequest) { r.ReasoningEffort = "low" }, false},
		{"tool call in a message", func(r *openai.ChatCompletionRequest) { r.Messages[1].ToolCallID = "call_1" }, false},
		{"image part", func(r *openai.ChatCompletionRequest) {
			r.Messages[1].Content = ""
			r.Messages[1].MultiContent = []openai.ChatMessagePart{{Type: openai.ChatMessagePartTypeText, Text: "x"}}
		}, false},
	} {
		req := common
		req.Messages = append([]openai.ChatCompletionMessage(nil), common.Messages...)
		tc.change(&req)
		if got := keyPath(req); got != tc.fields {
			t.Errorf("%s: field-by-field path %v, want %v", tc.name, got, tc.fields)
		}
		if mustKey(t, req) == mustKey(t, common) {
			t.Errorf("%s: same key as the unchanged request", tc.name)
		}
	}
}

func TestKeyRefusesWhatJSONRefuses(t *testing.T) {
	req := request("a")
	req.Temperature = float32(math.NaN())
	if _, err := Key(req); err == nil || !strings.Contains(err.Error(), "cannot be keyed") {
		t.Errorf("a NaN temperature: err %v; want the JSON path's error", err)
	}
	req = request("a")
	req.Messages[0].MultiContent = []openai.ChatMessagePart{{Type: openai.ChatMessagePartTypeText, Text: "x"}}
	if _, err := Key(req); err == nil { // go-openai refuses Content and MultiContent together
		t.Error("content and parts together: no error")
	}
}

func mustKey(t *testing.T, req openai.ChatCompletionRequest) string {
	t.Helper()
	k, err := Key(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Fatalf("key %q is not 64 hex digits", k)
	}
	return k
}

// BenchmarkKey measures a key of a common request (field by field) and of one with tools (JSON).
func BenchmarkKey(b *testing.B) {
	common := request(strings.Repeat("timestamp: 2025-03-03T06:12:40Z site: Riverside Depot ", 6))
	tools := common
	tools.Tools = []openai.Tool{{Type: openai.ToolTypeFunction, Function: &openai.FunctionDefinition{Name: "f"}}}
	for _, tc := range []struct {
		name string
		req  openai.ChatCompletionRequest
	}{{"fields", common}, {"json", tools}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Key(tc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkClientMiss is a call that misses the cache: with a context that can end, the shared call runs on a
// goroutine of its own (DoChan); with one that cannot, on the caller's.
func BenchmarkClientMiss(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
	}{{"cancellable", ctx}, {"never-ending", context.WithoutCancel(ctx)}} {
		b.Run(tc.name, func(b *testing.B) {
			c := NewClient(&cachingtest.FakeChat{}, NewLRU[string, openai.ChatCompletionResponse](16), CacheDeterministic)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				if _, err := c.CreateChatCompletion(tc.ctx, request(string(rune('a'+i%26))+strings.Repeat("x", i%1000))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
