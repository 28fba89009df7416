package streamingtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
	"github.com/llmperf/workbook/mock"
	"github.com/sashabaranov/go-openai"
)

func testChat(t *testing.T, chat streaming.ChatFunc) {
	srv := mock.New(mock.Config{})
	client := openai.NewClientWithConfig(srv.ClientConfig())
	// In the test's goroutine, so a stub's stop is caught.
	if _, err := chat(context.Background(), client, chatRequest("warm-up"), &strings.Builder{}); err != nil {
		t.Fatalf("a streaming call to a mock with no latency failed: %v", err)
	}
	suite.RunChecks(t, chatChecks(chat))
}

// chatChecks are the chat exercise's checks: deltas written to w as they arrive and TTFT and Total exact (in
// virtual time, against the mock); Text and Usage equal to the same call without streaming; a failed call, a
// stream cut mid-answer and a cancelled context are errors; a stream that ends before its final chunk (no
// finish_reason for choice 0, or no usage) is an error, not a short answer; a failing writer stops the call with
// its error; only choice 0 is read when the stream carries several.
func chatChecks(chat streaming.ChatFunc) []suite.Check {
	return []suite.Check{
		{Name: "cut-short", Run: func(*testing.T) error { return checkChatCutShort(chat) }},
		{Name: "write-error", Run: func(*testing.T) error { return checkChatWriteError(chat) }},
		{Name: "first-choice-only", Run: func(*testing.T) error { return checkChatFirstChoice(chat) }},
		{Name: "deltas-and-timing", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkChatTiming(chat) })
		}},
		{Name: "usage-and-text", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkChatUsage(chat) })
		}},
		{Name: "errors", Run: func(t *testing.T) error {
			return suite.InBubble(t, func(*testing.T) error { return checkChatErrors(chat) })
		}},
	}
}

// chatRequest is a plain request: no Stream, no StreamOptions — setting those is the consumer's job.
func chatRequest(prompt string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: prompt}},
	}
}

// timedWriter notes the (virtual) time of every write.
type timedWriter struct {
	start  time.Time
	writes []time.Duration
	text   strings.Builder
}

func (w *timedWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, time.Since(w.start))
	return w.text.Write(p)
}

// checkChatTiming: with a known time to first token and time per token, in virtual time, the first delta is
// written at exactly TTFT, the others as they arrive, and TTFT and Total are exact.
func checkChatTiming(chat streaming.ChatFunc) error {
	for _, cfg := range []mock.Config{{TTFT: 2 * time.Second, InterToken: 50 * time.Millisecond},
		{TTFT: 700 * time.Millisecond, InterToken: 13 * time.Millisecond}} {
		srv := mock.New(cfg)
		client := openai.NewClientWithConfig(srv.ClientConfig())
		w := &timedWriter{start: time.Now()}
		res, err := chat(context.Background(), client, chatRequest("Summarize today's pour at grid C4."), w)
		if err != nil {
			return fmt.Errorf("TTFT %v, %v per token: %v", cfg.TTFT, cfg.InterToken, err)
		}
		n := res.Usage.CompletionTokens
		total := cfg.TTFT + time.Duration(max(n-1, 0))*cfg.InterToken
		switch {
		case len(w.writes) == 0:
			return fmt.Errorf("nothing was written to w: write each delta as it arrives")
		case w.writes[0] != cfg.TTFT:
			return fmt.Errorf("the first delta was written %v after the call, but the first token arrived "+
				"after %v: write each delta as soon as Recv returns it", w.writes[0], cfg.TTFT)
		case len(w.writes) < 2 || w.writes[len(w.writes)-1] == w.writes[0]:
			return fmt.Errorf("all %d writes happened at once (%v): write each delta as it arrives, not "+
				"the whole answer at the end", len(w.writes), w.writes[0])
		case res.TTFT != cfg.TTFT:
			return fmt.Errorf("TTFT is %v; the first token arrived %v after the call (time the first "+
				"non-empty content delta)", res.TTFT, cfg.TTFT)
		case res.Total != total:
			return fmt.Errorf("Total is %v; the stream of %d tokens ended %v after the call (%v + %d × %v)",
				res.Total, n, total, cfg.TTFT, max(n-1, 0), cfg.InterToken)
		}
	}
	return nil
}

// checkChatUsage compares the streamed answer and its usage with the same request made without streaming.
func checkChatUsage(chat streaming.ChatFunc) error {
	srv := mock.New(mock.Config{TTFT: 300 * time.Millisecond, InterToken: 10 * time.Millisecond})
	client := openai.NewClientWithConfig(srv.ClientConfig())
	for _, prompt := range []string{"Crane lift at 08:00?", "List three risks of pouring concrete in rain."} {
		req := chatRequest(prompt)
		whole, err := client.CreateChatCompletion(context.Background(), req)
		if err != nil {
			return fmt.Errorf("the mock failed a plain call: %v", err)
		}
		var w strings.Builder
		res, err := chat(context.Background(), client, req, &w)
		if err != nil {
			return err
		}
		want := whole.Choices[0].Message.Content
		switch {
		case res.Text != want:
			return fmt.Errorf("Text is %s; the answer is %s", quote(res.Text), quote(want))
		case w.String() != want:
			return fmt.Errorf("wrote %s to w; the answer is %s", quote(w.String()), quote(want))
		case res.Usage.CompletionTokens == 0 && res.Usage.PromptTokens == 0:
			return fmt.Errorf("Usage is empty: ask for it with StreamOptions{IncludeUsage: true} and take it " +
				"from the final chunk")
		case res.Usage.PromptTokens != whole.Usage.PromptTokens ||
			res.Usage.CompletionTokens != whole.Usage.CompletionTokens ||
			res.Usage.TotalTokens != whole.Usage.TotalTokens:
			return fmt.Errorf("Usage is %d prompt + %d completion = %d tokens; the same call without streaming "+
				"reports %d + %d = %d", res.Usage.PromptTokens, res.Usage.CompletionTokens, res.Usage.TotalTokens,
				whole.Usage.PromptTokens, whole.Usage.CompletionTokens, whole.Usage.TotalTokens)
		}
	}
	return nil
}

// checkChatErrors: a failed request and a stream cut mid-answer are errors, not short answers.
func checkChatErrors(chat streaming.ChatFunc) error {
	for _, f := range []mock.Fault{mock.Fault500, mock.FaultDrop} {
		srv := mock.New(mock.Config{TTFT: 100 * time.Millisecond, InterToken: 10 * time.Millisecond,
			FaultRate: 1, Faults: []mock.Fault{f}})
		client := openai.NewClientWithConfig(srv.ClientConfig())
		if res, err := chat(context.Background(), client, chatRequest("status?"), &strings.Builder{}); err == nil {
			return fmt.Errorf("the server failed the call (%v), yet no error (got %s): return Recv's error "+
				"unless it is io.EOF", f, quote(res.Text))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	srv := mock.New(mock.Config{TTFT: 100 * time.Millisecond, InterToken: 10 * time.Millisecond})
	client := openai.NewClientWithConfig(srv.ClientConfig())
	if _, err := chat(ctx, client, chatRequest("a long answer please"), &strings.Builder{}); err == nil {
		return fmt.Errorf("the context ended mid-stream, yet no error: pass ctx to the call")
	}
	return nil
}

// A scripted stream is the body of a streaming answer, chunk by chunk, as a server sends it.
type scripted struct {
	chunks []openai.ChatCompletionStreamResponse
	done   bool // end with "data: [DONE]"
}

// RoundTrip answers any request with the script, as server-sent events.
func (s scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	var b strings.Builder
	for _, c := range s.chunks {
		js, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "data: %s\n\n", js)
	}
	if s.done {
		b.WriteString("data: [DONE]\n\n")
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body: io.NopCloser(strings.NewReader(b.String())), Request: req}, nil
}

func (s scripted) client() *openai.Client {
	cfg := openai.DefaultConfig("test-key")
	cfg.BaseURL = "http://scripted.invalid/v1"
	cfg.HTTPClient = &http.Client{Transport: s}
	return openai.NewClientWithConfig(cfg)
}

// delta is a chunk with one choice's content.
func delta(choice int, content string, finish openai.FinishReason) openai.ChatCompletionStreamResponse {
	return openai.ChatCompletionStreamResponse{ID: "s", Object: "chat.completion.chunk", Model: "gpt-4o-mini",
		Choices: []openai.ChatCompletionStreamChoice{{Index: choice,
			Delta: openai.ChatCompletionStreamChoiceDelta{Content: content}, FinishReason: finish}}}
}

// both is one chunk carrying the choices of a and b, in that order.
func both(a, b openai.ChatCompletionStreamResponse) openai.ChatCompletionStreamResponse {
	a.Choices = append(a.Choices, b.Choices...)
	return a
}

// usageChunk is the final chunk of stream_options.include_usage: no choices, the usage.
func usageChunk(prompt, completion int) openai.ChatCompletionStreamResponse {
	return openai.ChatCompletionStreamResponse{ID: "s", Object: "chat.completion.chunk", Model: "gpt-4o-mini",
		Choices: []openai.ChatCompletionStreamChoice{},
		Usage:   &openai.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}}
}

// checkChatCutShort: a stream that ends cleanly (io.EOF) but before the answer's finish_reason or its usage was
// cut short somewhere on the way; taking it for the whole answer would show a truncated text and bill nothing.
func checkChatCutShort(chat streaming.ChatFunc) error {
	words := []openai.ChatCompletionStreamResponse{delta(0, "Pour ", ""), delta(0, "moved ", ""), delta(0, "to 14:00.", "")}
	whole := append(append(append([]openai.ChatCompletionStreamResponse{}, words...), delta(0, "", openai.FinishReasonStop)),
		usageChunk(12, 3))
	for _, tc := range []struct {
		name   string
		script scripted
	}{
		{"no finish_reason and no usage, then [DONE]", scripted{chunks: words, done: true}},
		{"a finish_reason but no usage chunk, then [DONE]", scripted{chunks: whole[:4], done: true}},
		{"no finish_reason, a usage chunk, then [DONE]", scripted{chunks: append(append([]openai.ChatCompletionStreamResponse{}, words...), usageChunk(12, 3)), done: true}},
		{"the body ends after two deltas, without [DONE]", scripted{chunks: words[:2]}},
	} {
		res, err := chat(context.Background(), tc.script.client(), chatRequest("pour?"), &strings.Builder{})
		if err == nil {
			return fmt.Errorf("a stream with %s: no error, and Text %s: a stream must end with choice 0's "+
				"finish_reason and the usage chunk; when Recv returns io.EOF before both came, the answer was cut "+
				"short: return an error (wrap io.ErrUnexpectedEOF)", tc.name, quote(res.Text))
		}
	}
	res, err := chat(context.Background(), scripted{chunks: whole, done: true}.client(), chatRequest("pour?"), &strings.Builder{})
	switch {
	case err != nil:
		return fmt.Errorf("a whole stream (3 deltas, finish_reason stop, usage, [DONE]): %v", err)
	case res.Text != "Pour moved to 14:00." || res.Usage.TotalTokens != 15:
		return fmt.Errorf("a whole stream: Text %s, Usage %+v; want \"Pour moved to 14:00.\" and 12 + 3 = 15 tokens",
			quote(res.Text), res.Usage)
	}
	return nil
}

// failingWriter takes n writes, then fails every one.
type failingWriter struct {
	n      int
	writes int
}

var errWrite = errors.New("write /dev/stdout: broken pipe")

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.writes > w.n {
		return 0, errWrite
	}
	return len(p), nil
}

// checkChatWriteError: when w fails (the user closed the page, the pipe broke), there is nobody to stream to.
func checkChatWriteError(chat streaming.ChatFunc) error {
	srv := mock.New(mock.Config{})
	client := openai.NewClientWithConfig(srv.ClientConfig())
	w := &failingWriter{n: 1}
	_, err := chat(context.Background(), client, chatRequest("List three risks of pouring concrete in rain."), w)
	switch {
	case !errors.Is(err, errWrite):
		return fmt.Errorf("w failed on its second write with %q, and the call returned %v: return w's error "+
			"(wrapped is fine) as soon as a write fails", errWrite, err)
	case w.writes != 2:
		return fmt.Errorf("w failed on its second write, and was written %d times in all: stop at the first "+
			"failed write", w.writes)
	}
	return nil
}

// checkChatFirstChoice: with n > 1 a stream interleaves the choices' deltas, one chunk may carry several (and
// not in order); the answer is choice 0's alone.
func checkChatFirstChoice(chat streaming.ChatFunc) error {
	s := scripted{done: true, chunks: []openai.ChatCompletionStreamResponse{
		delta(0, "Crane ", ""), delta(1, "Tower ", ""), delta(1, "crane ", ""), delta(0, "stopped", ""),
		both(delta(1, "halted", ""), delta(0, ".", openai.FinishReasonStop)), delta(1, "!", openai.FinishReasonStop),
		usageChunk(20, 8)}}
	var w strings.Builder
	res, err := chat(context.Background(), s.client(), chatRequest("status?"), &w)
	switch {
	case err != nil:
		return fmt.Errorf("a stream of two choices: %v", err)
	case res.Text != "Crane stopped." || w.String() != "Crane stopped.":
		return fmt.Errorf("a stream of two interleaved choices: Text %s, wrote %s; want choice 0 alone, "+
			"\"Crane stopped.\": read Choices[i].Index, not the position in the chunk", quote(res.Text), quote(w.String()))
	}
	return nil
}
