package streamingtest

import (
	"context"
	"fmt"
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

func chatChecks(chat streaming.ChatFunc) []suite.Check {
	return []suite.Check{
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
