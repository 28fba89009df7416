// Package streaming is the contract and the suite of week 3, chunked streaming: big inputs in flat memory,
// answers as they arrive.
//
// The idea: never hold more than you are working on. A log is read one record at a time (Records), a long
// document is cut into token-bounded chunks (Chunk), records flow through a fixed number of workers with a
// bounded window of work in flight (Pipeline), and a chat answer is shown delta by delta as the model writes it
// (ChatResult). Memory then depends on the window, not on the input, and the user sees the first words after
// the time to first token instead of after the whole answer.
//
// Run checks an implementation of the four exercises — records, chunker, pipeline, chat — one subtest each.
package streaming

import (
	"context"
	"io"
	"iter"
	"time"

	"github.com/sashabaranov/go-openai"

	"github.com/llmperf/workbook/kit/tokens"
)

// Chunk is one piece of a document: the tokens [Start, End) of the document's encoding and their text. A token
// can hold part of a multi-byte character, so Text may begin or end inside one (it is then not valid UTF-8); the
// chunks minus their overlaps still put the document back together byte for byte.
type Chunk struct {
	Text       string
	Start, End int // token positions in the encoding of the whole document
}

// ChatResult is what a streaming chat call gives back once the stream has ended.
type ChatResult struct {
	Text  string        // the whole answer: every delta, in order
	TTFT  time.Duration // from the call until the first non-empty content delta arrived
	Total time.Duration // from the call until the stream ended
	Usage openai.Usage  // from the final chunk (stream_options.include_usage)
}

// RecordsFunc returns the blank-line-separated records of r, one at a time; a read error is yielded once, last.
type RecordsFunc = func(r io.Reader) iter.Seq2[string, error]

// ChunkFunc cuts text into chunks of at most maxTokens tokens; consecutive chunks share overlap tokens.
type ChunkFunc = func(enc *tokens.Encoder, text string, maxTokens, overlap int) ([]Chunk, error)

// PipelineFunc runs work on every input with the given number of workers and calls emit with the results in
// input order. It stops at the first error (from the input, work or emit) and returns it.
type PipelineFunc = func(ctx context.Context, workers int, in iter.Seq2[string, error],
	work func(context.Context, string) (string, error), emit func(string) error) error

// ChatFunc makes a streaming chat call, writes each content delta to w as it arrives, and measures it.
type ChatFunc = func(ctx context.Context, client *openai.Client, req openai.ChatCompletionRequest,
	w io.Writer) (ChatResult, error)

// Impl is what an implementation of the week provides; exercises/streaming and solutions/streaming both build
// one.
type Impl struct {
	Records  RecordsFunc
	Chunk    ChunkFunc
	Pipeline PipelineFunc
	Chat     ChatFunc
}

// InFlightBound is the most inputs a pipeline with this many workers may hold at once (read from the input but
// not yet emitted): a window of 2·workers, plus the one the producer holds while it waits for room.
func InFlightBound(workers int) int { return 2*workers + 1 }
