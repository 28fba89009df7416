package streaming

import (
	"github.com/llmperf/workbook/kit/tokens"
	lessons "github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/todo"
)

// Chunks cuts text into chunks of at most maxTokens tokens of enc, where each chunk begins with the last overlap
// tokens of the chunk before it.
//
//   - Encode the whole text once (enc.Encode); each chunk is a window [Start, End) of those tokens and its Text
//     is enc.Decode of that window. Cutting between tokens, never inside one, then comes for free.
//   - The window moves maxTokens-overlap tokens at a time and stops with the first window that reaches the end;
//     every chunk but the last has exactly maxTokens tokens. An empty text has no chunks.
//   - maxTokens <= 0, overlap < 0 or overlap >= maxTokens: return nil and an error that says what is wrong.
//
// The suite checks the bad arguments, the empty text, and on four texts (prose, numbers, code, CJK and emoji)
// with eight (maxTokens, overlap) pairs: the number of chunks, each window's bounds and size, each Text against
// the decoding of its window, the overlaps, and the chunks put back together into the text.
func Chunks(enc *tokens.Encoder, text string, maxTokens, overlap int) ([]lessons.Chunk, error) {
	todo.Exercise("chunker") // delete this line and cut text into token windows
	return nil, nil
}
