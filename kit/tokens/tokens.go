// Package tokens counts tokens the way OpenAI's models do, offline, with the real byte-pair encodings.
//
// The idea: everything an LLM API charges, limits and delays is measured in tokens, not characters or words.
// A rule of thumb ("four characters per token") is wrong by a factor of two on code, numbers and non-English
// text, so this package uses the models' own encodings: o200k_base for the gpt-4o, gpt-4.1, o-series and gpt-5
// families, cl100k_base for gpt-4, gpt-3.5 and the text-embedding models. The encoding files are embedded in
// the binary (github.com/pkoukk/tiktoken-go-loader), so counting needs no network.
//
// Encoders are loaded once per process, on first use (about a third of a second for o200k_base), and are safe
// for concurrent use.
package tokens

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
)

// Names of the encodings this package knows.
const (
	O200kBase  = "o200k_base"
	Cl100kBase = "cl100k_base"
)

// Encoder turns text into token ids and back with one encoding. It is safe for concurrent use.
type Encoder struct {
	name string
	tk   *tiktoken.Tiktoken
}

// Name is the encoding's name, such as "o200k_base".
func (e *Encoder) Name() string { return e.name }

// Encode returns the token ids of text. Special-token markers in text (like "<|endoftext|>") are encoded as
// ordinary text, as the API does with user content.
//
// Ordinary text is encoded exactly as the API does. One exception keeps the cost linear: byte-pair merging
// takes time quadratic in the length of a piece, and a run of letters, of spaces or of punctuation is one
// piece however long it is (a 100 KB run of "a" would take minutes). A run longer than MaxRun bytes is
// therefore encoded in MaxRun-byte slices, which can differ from the API's count by about one token per slice.
func (e *Encoder) Encode(text string) []int {
	if text == "" {
		return nil
	}
	if len(text) <= MaxRun {
		return e.tk.EncodeOrdinary(text)
	}
	var ids []int
	for len(text) > 0 {
		n := nextCut(text)
		ids = append(ids, e.tk.EncodeOrdinary(text[:n])...)
		text = text[n:]
	}
	return ids
}

// MaxRun is the longest run of one kind of character (letters, spaces, punctuation) that Encode encodes as a
// whole; longer runs are cut into MaxRun-byte slices. At this length merging costs about what the rest of
// encoding does per byte.
const MaxRun = 256

// Kinds of character whose runs the encodings keep in one piece; digits are split in threes by the encodings
// themselves, so they never make a long piece.
const (
	kindOther = iota
	kindLetter
	kindSpace
	kindPunct
)

func kindOf(r rune) int {
	switch {
	case r < utf8.RuneSelf:
		switch c := byte(r); {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			return kindLetter
		case c == ' ' || '\t' <= c && c <= '\r':
			return kindSpace
		case '0' <= c && c <= '9':
			return kindOther
		default:
			return kindPunct
		}
	case unicode.IsLetter(r) || unicode.IsMark(r):
		return kindLetter
	case unicode.IsSpace(r):
		return kindSpace
	case unicode.IsNumber(r):
		return kindOther
	}
	return kindPunct
}

// nextCut is the length of the next slice of text to encode on its own: all of text, or the prefix ending
// where a run of one kind has reached MaxRun bytes and goes on.
func nextCut(text string) int {
	kind, start := -1, 0
	for i, r := range text {
		if k := kindOf(r); k != kind || k == kindOther {
			kind, start = k, i
		} else if i-start >= MaxRun {
			return i
		}
	}
	return len(text)
}

// Decode turns token ids back into text. Ids outside the vocabulary are skipped.
func (e *Encoder) Decode(ids []int) string { return e.tk.Decode(ids) }

// Count is the number of tokens in text.
func (e *Encoder) Count(text string) int { return len(e.Encode(text)) }

var setLoader = sync.OnceFunc(func() { tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader()) })

func loader(name string) func() (*Encoder, error) {
	return sync.OnceValues(func() (*Encoder, error) {
		setLoader()
		tk, err := tiktoken.GetEncoding(name)
		if err != nil {
			return nil, fmt.Errorf("tokens: load %s: %w", name, err)
		}
		dropUnusedCopy(tk)
		return &Encoder{name: name, tk: tk}, nil
	})
}

var encoders = map[string]func() (*Encoder, error){
	O200kBase:  loader(O200kBase),
	Cl100kBase: loader(Cl100kBase),
}

// ForEncoding returns the encoder called name ("o200k_base" or "cl100k_base").
func ForEncoding(name string) (*Encoder, error) {
	load, ok := encoders[name]
	if !ok {
		return nil, fmt.Errorf("tokens: unknown encoding %q (known: %s, %s)", name, O200kBase, Cl100kBase)
	}
	return load()
}

// For returns the encoder of model. Unknown model names get o200k_base, the encoding of current models.
func For(model string) (*Encoder, error) { return ForEncoding(EncodingName(model)) }

// cl100kPrefixes are the model families that use cl100k_base; everything else uses o200k_base.
var cl100kPrefixes = []string{"gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-"}

// o200kPrefixes are checked first, so "gpt-4o" and "gpt-4.1" are not taken for "gpt-4".
var o200kPrefixes = []string{"gpt-4o", "gpt-4.1", "gpt-4.5", "chatgpt-4o", "o1", "o3", "o4", "gpt-5", "gpt-oss"}

// EncodingName is the name of the encoding model uses: o200k_base for gpt-4o, gpt-4.1, o1, o3, o4 and gpt-5
// names, cl100k_base for gpt-4, gpt-3.5 and text-embedding names, o200k_base for names it does not know.
func EncodingName(model string) string {
	m := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(m, '/'); i >= 0 { // "openai/gpt-4o" as some gateways spell it
		m = m[i+1:]
	}
	for _, p := range o200kPrefixes {
		if strings.HasPrefix(m, p) {
			return O200kBase
		}
	}
	if m == "gpt-4" {
		return Cl100kBase
	}
	for _, p := range cl100kPrefixes {
		if strings.HasPrefix(m, p) {
			return Cl100kBase
		}
	}
	return O200kBase
}

// Count is the number of tokens in text for model. It never fails: the encodings are embedded, and an unknown
// model counts with o200k_base. (It panics only if an embedded encoding is corrupt, which a test rules out.)
func Count(model, text string) int {
	e, err := For(model)
	if err != nil {
		panic(err)
	}
	return e.Count(text)
}
