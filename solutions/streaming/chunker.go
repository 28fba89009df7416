package streaming

import (
	"fmt"

	"github.com/llmperf/workbook/kit/tokens"
	lessons "github.com/llmperf/workbook/lessons/streaming"
)

// Chunks cuts text into chunks of at most maxTokens tokens of enc, each sharing its first overlap tokens with
// the end of the chunk before it. The text is encoded once; each chunk is the decoding of a window of that
// encoding, so no cut falls inside a token, and the chunks minus their overlaps put back together give the text.
//
// The window moves maxTokens-overlap tokens at a time and stops at the first window that reaches the end. An
// empty text has no chunks. maxTokens must be positive and overlap in [0, maxTokens).
//
// A cut between tokens can still fall inside a character (an emoji or a rare CJK character is several tokens);
// such a chunk's Text is not valid UTF-8. Move the cuts to character boundaries before sending chunks of such
// text to an API, whose JSON encoding would replace the broken bytes with U+FFFD.
func Chunks(enc *tokens.Encoder, text string, maxTokens, overlap int) ([]lessons.Chunk, error) {
	if maxTokens <= 0 {
		return nil, fmt.Errorf("chunks: maxTokens is %d; it must be at least 1", maxTokens)
	}
	if overlap < 0 || overlap >= maxTokens {
		return nil, fmt.Errorf("chunks: overlap is %d; it must be at least 0 and less than maxTokens (%d), "+
			"or the window would never move forward", overlap, maxTokens)
	}
	ids := enc.Encode(text)
	var chunks []lessons.Chunk
	for start := 0; start < len(ids); start += maxTokens - overlap {
		end := min(start+maxTokens, len(ids))
		chunks = append(chunks, lessons.Chunk{Text: enc.Decode(ids[start:end]), Start: start, End: end})
		if end == len(ids) {
			break
		}
	}
	return chunks, nil
}
