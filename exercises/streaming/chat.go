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
//   - Write each content delta of choice 0 (Choices[i].Index == 0: with n > 1 the choices interleave) to w as
//     soon as Recv returns it. If a write fails, stop and return its error (wrapped is fine).
//   - TTFT is the time from the start of StreamChat to the first non-empty content delta; Total is the time
//     until the stream ended (Recv returned io.EOF).
//   - Usage comes from the final chunk, whose Choices is empty.
//   - A whole stream has a finish_reason for choice 0 and the usage chunk before io.EOF. If io.EOF comes before
//     both, the answer was cut short on the way: return an error (wrap io.ErrUnexpectedEOF), not a short text.
//   - Any other error from the call or from Recv is returned. Close the stream.
//
// The suite checks each point: the timing of every write and TTFT and Total to the nanosecond in virtual time,
// Text and Usage against the same call without streaming, a failed call, a dropped connection, a cancelled
// context, four ways a stream can end early, a failing writer, and two interleaved choices.
func StreamChat(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (lessons.ChatResult, error) {
	todo.Exercise("chat") // delete this line and consume the stream
	return lessons.ChatResult{}, nil
}
