package streaming

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"

	lessons "github.com/llmperf/workbook/lessons/streaming"
)

// StreamChat makes req as a streaming call with usage included, writes each content delta of the first choice
// to w as it arrives, and returns the whole text, the time to first token (the first non-empty delta), the total
// time and the usage from the final chunk. A stream that fails or is cut before its final chunk is an error.
func StreamChat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (lessons.ChatResult, error) {
	var res lessons.ChatResult
	start := time.Now()
	req.Stream = true
	req.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	stream, err := client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return res, err
	}
	defer stream.Close()
	var text strings.Builder
	finished, gotUsage := false, false
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return res, err
		}
		if chunk.Usage != nil {
			res.Usage, gotUsage = *chunk.Usage, true
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue
			}
			if c.FinishReason != "" {
				finished = true
			}
			if c.Delta.Content == "" {
				continue
			}
			if text.Len() == 0 {
				res.TTFT = time.Since(start)
			}
			text.WriteString(c.Delta.Content)
			if _, err := io.WriteString(w, c.Delta.Content); err != nil {
				return res, err
			}
		}
	}
	res.Total = time.Since(start)
	res.Text = text.String()
	if !finished || !gotUsage {
		return res, fmt.Errorf("stream chat: the stream ended before its final chunk (finish reason: %v, "+
			"usage: %v): %w", finished, gotUsage, io.ErrUnexpectedEOF)
	}
	return res, nil
}
