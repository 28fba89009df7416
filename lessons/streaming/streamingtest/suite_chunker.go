package streamingtest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/tokens"
	"github.com/llmperf/workbook/lessons/streaming"
	"github.com/llmperf/workbook/lessons/suite"
)

func testChunker(t *testing.T, chunk streaming.ChunkFunc) {
	enc, err := tokens.For("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	chunk(enc, "warm-up", 4, 1) // in the test's goroutine, so a stub's stop is caught
	suite.RunChecks(t, chunkerChecks(enc, chunk))
}

func chunkerChecks(enc *tokens.Encoder, chunk streaming.ChunkFunc) []suite.Check {
	return []suite.Check{
		{Name: "bad-arguments", Run: func(*testing.T) error { return checkChunkArgs(enc, chunk) }},
		{Name: "empty", Run: func(*testing.T) error { return checkChunkEmpty(enc, chunk) }},
		{Name: "windows", Run: func(*testing.T) error { return checkChunkWindows(enc, chunk) }},
	}
}

func checkChunkArgs(enc *tokens.Encoder, chunk streaming.ChunkFunc) error {
	for _, a := range []struct{ max, overlap int }{{0, 0}, {-5, 0}, {10, 10}, {10, 11}, {10, -1}} {
		got, err := chunk(enc, "some text to cut into chunks", a.max, a.overlap)
		if err == nil {
			return fmt.Errorf("maxTokens=%d overlap=%d: no error; want one saying what is wrong (maxTokens "+
				"must be > 0, 0 <= overlap < maxTokens)", a.max, a.overlap)
		}
		if got != nil {
			return fmt.Errorf("maxTokens=%d overlap=%d: %d chunks along with the error, want none",
				a.max, a.overlap, len(got))
		}
	}
	return nil
}

func checkChunkEmpty(enc *tokens.Encoder, chunk streaming.ChunkFunc) error {
	got, err := chunk(enc, "", 10, 2)
	if err != nil || len(got) != 0 {
		return fmt.Errorf(`chunk(""): got %d chunks, error %v; want no chunks and no error`, len(got), err)
	}
	return nil
}

func checkChunkWindows(enc *tokens.Encoder, chunk streaming.ChunkFunc) error {
	texts := []string{"one", "short text.", chunkText(1, 300), chunkText(2, 1500)}
	for i, text := range texts {
		for _, a := range []struct{ max, overlap int }{{1, 0}, {2, 1}, {7, 3}, {64, 0}, {100, 20}, {512, 64},
			{50, 49}, {100000, 10}} {
			got, err := chunk(enc, text, a.max, a.overlap)
			if err != nil {
				return fmt.Errorf("text %d, maxTokens=%d overlap=%d: %v", i, a.max, a.overlap, err)
			}
			if err := verifyChunks(enc, text, a.max, a.overlap, got); err != nil {
				return fmt.Errorf("text %d (%s), maxTokens=%d overlap=%d: %v", i, quote(text), a.max,
					a.overlap, err)
			}
		}
	}
	return nil
}

// verifyChunks checks chunks of text against the document's encoding: each chunk is the text of a window of at
// most max whole tokens, consecutive windows share exactly overlap tokens, the windows cover every token, and
// the chunks put back together (minus the overlaps) re-encode to the document's tokens.
func verifyChunks(enc *tokens.Encoder, text string, max, overlap int, chunks []streaming.Chunk) error {
	ids := enc.Encode(text)
	n := len(ids)
	want := 1
	if n > max {
		want += (n - max + (max - overlap) - 1) / (max - overlap)
	}
	if len(chunks) != want {
		return fmt.Errorf("%d chunks for %d tokens, want %d (a window of %d tokens moving %d at a time, "+
			"stopping at the window that reaches the end)", len(chunks), n, want, max, max-overlap)
	}
	var joined strings.Builder
	for i, c := range chunks {
		if c.Start < 0 || c.End > n || c.Start >= c.End {
			return fmt.Errorf("chunk %d: tokens [%d, %d) is not a non-empty window of the %d tokens", i,
				c.Start, c.End, n)
		}
		if c.End-c.Start > max {
			return fmt.Errorf("chunk %d has %d tokens, more than maxTokens=%d", i, c.End-c.Start, max)
		}
		if dec := enc.Decode(ids[c.Start:c.End]); c.Text != dec {
			return fmt.Errorf("chunk %d: text %s is not the decoding %s of its tokens [%d, %d): decode the "+
				"window of the document's tokens", i, quote(c.Text), quote(dec), c.Start, c.End)
		}
		switch {
		case i == 0 && c.Start != 0:
			return fmt.Errorf("chunk 0 starts at token %d, want 0", c.Start)
		case i > 0 && c.Start != chunks[i-1].End-overlap:
			return fmt.Errorf("chunk %d starts at token %d; chunk %d ends at %d, so with overlap %d it "+
				"should start at %d", i, c.Start, i-1, chunks[i-1].End, overlap, chunks[i-1].End-overlap)
		case i < len(chunks)-1 && c.End-c.Start != max:
			return fmt.Errorf("chunk %d has %d tokens; every chunk but the last should be full (%d)", i,
				c.End-c.Start, max)
		}
		shared := 0
		if i > 0 {
			shared = overlap
		}
		lead := enc.Decode(ids[c.Start : c.Start+shared])
		if !strings.HasPrefix(c.Text, lead) {
			return fmt.Errorf("chunk %d does not begin with the overlap %s", i, quote(lead))
		}
		joined.WriteString(c.Text[len(lead):])
	}
	if n > 0 && chunks[len(chunks)-1].End != n {
		return fmt.Errorf("the last chunk ends at token %d of %d: the end of the text is lost",
			chunks[len(chunks)-1].End, n)
	}
	if joined.String() != text {
		return fmt.Errorf("the chunks minus their overlaps give %s, not the text", quote(joined.String()))
	}
	if !slices.Equal(enc.Encode(joined.String()), ids) {
		return fmt.Errorf("the chunks minus their overlaps do not re-encode to the text's tokens")
	}
	return nil
}

// chunkText is a document of about n words mixing prose, numbers, code-ish text and multi-byte characters (whose
// tokens may hold part of a character).
func chunkText(seed uint64, n int) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := []string{"the", "crane", "lifted", "4.2t", "of", "rebar", "to", "level", "7;", "inspection",
		"passed.", "Beton", "gegossen", "über", "Achse", "C4", "混凝土", "浇筑", "完成", "🚧", "👷‍♀️", "—",
		"func(x int)", "{", "}", "\n", "\n\n", "  ", "naïve", "façade", "1,024", "tokens", "Ω", "ﬁ"}
	var b strings.Builder
	for i := range n {
		if i > 0 && rng.IntN(4) > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}
