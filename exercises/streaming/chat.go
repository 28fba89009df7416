package streaming

import (
	"context"
	"io"

	"github.com/sashabaranov/go-openai"

	lessons "github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/todo"
)

// StreamChat makes req as a streaming call and shows the answer as it arrives.
//
//   - Set req.Stream and req.StreamOptions (IncludeUsage) yourself: the caller's request has neither. Use ctx.
//   - Write each content delta of the first choice to w as soon as Recv returns it.
//   - TTFT is the time from the start of StreamChat to the first non-empty content delta; Total is the time
//     until the stream ended (Recv returned io.EOF).
//   - Usage comes from the final chunk, whose Choices is empty.
//   - Any other error from the call or from Recv is returned. Close the stream.
func StreamChat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (lessons.ChatResult, error) {
	todo.Exercise("chat") // delete this line and consume the stream
	return lessons.ChatResult{}, nil
}
