package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/metrics"
	"github.com/llmperf/workbook/kit/prices"
	openai "github.com/sashabaranov/go-openai"
)

func (c *Client) request(prompt string) openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model:    c.Model,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: prompt}},
	}
}

// Chat sends prompt as one user message and returns the answer and the usage the provider reported.
func (c *Client) Chat(ctx context.Context, prompt string) (string, openai.Usage, error) {
	resp, err := c.CreateChatCompletion(ctx, c.request(prompt))
	if err != nil {
		return "", openai.Usage{}, c.fail(ctx, "chat", err)
	}
	if len(resp.Choices) == 0 {
		return "", resp.Usage, &Error{Op: "chat " + c.Model + " via " + c.String(), Msg: "answer has no choices"}
	}
	return resp.Choices[0].Message.Content, resp.Usage, nil
}

// Models lists the ids of the models the provider serves (GET /v1/models, the cheapest request there is).
func (c *Client) Models(ctx context.Context) ([]string, error) {
	list, err := c.ListModels(ctx)
	if err != nil {
		return nil, c.fail(ctx, "list models", err)
	}
	ids := make([]string, len(list.Models))
	for i, m := range list.Models {
		ids[i] = m.ID
	}
	return ids, nil
}

// Stream sends prompt as one user message and reads the answer as it is streamed. It returns the text, the
// usage (asked for with stream_options.include_usage; zero if the provider does not send it) and the time to
// the first chunk carrying text.
func (c *Client) Stream(ctx context.Context, prompt string) (text string, usage openai.Usage, ttft time.Duration, err error) {
	text, usage, ttft, err = c.stream(ctx, prompt, time.Now())
	return
}

func (c *Client) stream(ctx context.Context, prompt string, start time.Time) (string, openai.Usage, time.Duration, error) {
	req := c.request(prompt)
	req.Stream = true
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	s, err := c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", openai.Usage{}, 0, c.fail(ctx, "stream", err)
	}
	defer s.Close()
	var b strings.Builder
	var usage openai.Usage
	var ttft time.Duration
	finished := false // a finish_reason arrived: the answer is complete
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			if !finished {
				// The stream ended before any choice said it was finished: a cut answer is not a success.
				return b.String(), usage, ttft, c.fail(ctx, "stream", io.ErrUnexpectedEOF)
			}
			return b.String(), usage, ttft, nil
		}
		if err != nil {
			return b.String(), usage, ttft, c.fail(ctx, "stream", err)
		}
		if chunk.Usage != nil {
			usage = *chunk.Usage
		}
		for _, ch := range chunk.Choices {
			if ch.Delta.Content != "" && ttft == 0 {
				ttft = time.Since(start)
			}
			b.WriteString(ch.Delta.Content)
			if ch.FinishReason != "" {
				finished = true
			}
		}
	}
}

// fail wraps err. Transports report a context that ended as its error (the mock's in-memory one too), but some
// surface another error first (a connection reset, an unexpected EOF); when the context has ended, its cause
// is put first so errors.Is(err, context.DeadlineExceeded) holds either way.
func (c *Client) fail(ctx context.Context, op string, err error) error {
	if cause := context.Cause(ctx); cause != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%v)", cause, err)
	}
	return c.wrap(op, err)
}

// ChatTracked is Chat, recording the call in t under label (latency, tokens, cost from prices.Default, error).
func (c *Client) ChatTracked(ctx context.Context, t *metrics.Tracker, label, prompt string) (string, error) {
	start := time.Now()
	text, usage, err := c.Chat(ctx, prompt)
	t.Add(c.call(label, start, time.Since(start), 0, usage, err))
	return text, err
}

// StreamTracked is Stream, recording the call in t under label, with its time to first token.
func (c *Client) StreamTracked(ctx context.Context, t *metrics.Tracker, label, prompt string) (string, error) {
	start := time.Now()
	text, usage, ttft, err := c.stream(ctx, prompt, start)
	t.Add(c.call(label, start, time.Since(start), ttft, usage, err))
	return text, err
}

// Call builds the metrics.Call of one request from its usage; cost comes from prices.Default and is 0 for a
// model the table does not know.
func (c *Client) call(label string, start time.Time, latency, ttft time.Duration, u openai.Usage, err error) metrics.Call {
	cached := 0
	if u.PromptTokensDetails != nil {
		cached = u.PromptTokensDetails.CachedTokens
	}
	call := metrics.Call{Label: label, Model: c.Model, Start: start, Latency: latency, TTFT: ttft,
		PromptTokens: u.PromptTokens, CachedTokens: cached, CompletionTokens: u.CompletionTokens, Err: err}
	if p, perr := prices.Default().Lookup(c.Model); perr == nil {
		call.Cost = p.Cost(u.PromptTokens, cached, u.CompletionTokens)
	}
	return call
}
